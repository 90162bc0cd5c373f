"""Directory pages of people: the list, profiles, affiliations and photos (organizations
are in `organization_views`).

Thin function views: `workspace_view` decides who may see or change what, selectors
read, services write. Lists answer HTMX requests with just their results partial.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

from followthrough.directory.bulk_views import pending_undo
from followthrough.directory.forms import (
    AffiliationEndForm,
    AffiliationForm,
    PersonFilterForm,
    PersonForm,
)
from followthrough.directory.person_page import person_page
from followthrough.directory.photos import PHOTO_FORMATS
from followthrough.exchange.imports.provenance import people_added
from followthrough.exchange.models import ImportBatch
from followthrough.mail import selectors as mail_selectors
from followthrough.matching import selectors as matching_selectors
from followthrough.outreach.selectors import (
    outreach_labels,
    people_in_outreach_state,
    person_outreach,
)
from followthrough.outreach.undo import recall
from followthrough.people import selectors, services
from followthrough.people.contact_lines import join_label
from followthrough.people.models import (
    BIRTHDAY_FIELDS,
    CARD_FIELDS,
    Affiliation,
    ContactKind,
    Person,
)
from followthrough.people.pages import page_number
from followthrough.relationships import selectors as relationship_selectors
from followthrough.sequences import selectors as sequence_selectors
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    workspace_view,
)
from followthrough.workspaces.models import Workspace
from followthrough.workspaces.responses import render_page_or_partial, see_other

PEOPLE_PER_PAGE = 50
TIMELINE_PER_PAGE = 10  # the latest few, then "Older": the page stays quick and calm


def _page_number(request: WorkspaceRequest) -> int:
    return page_number(request.GET.get("page", 1))


def _person_url(workspace: Workspace, person: Person) -> str:
    return reverse("people:person-detail", args=[workspace.slug, person.pk])


# --- People -------------------------------------------------------------------------------


@workspace_view
def person_list(request: WorkspaceRequest) -> HttpResponse:
    tags = selectors.tag_choices(workspace=request.workspace)
    filters = PersonFilterForm(request.GET, tags=tags)
    query = filters.value("q") or ""
    sort = filters.value("sort") or ("best" if query.strip() else "name")
    imported = _imported_batch(request, filters.value("imported"))
    state = filters.value("outreach")
    page = selectors.person_list(
        workspace=request.workspace,
        query=query,
        tag=filters.value("tag"),
        stage=filters.value("stage"),
        sort=sort,
        id_ranges=people_added(batch=imported) if imported is not None else None,
        among=people_in_outreach_state(workspace=request.workspace, state=state) if state else None,
        number=page_number(request.GET.get("page")),
        per_page=PEOPLE_PER_PAGE,
    )
    labels = outreach_labels(workspace=request.workspace, person_ids=[row.pk for row in page])
    for row in page:
        row.outreach = labels.get(row.pk, "")
    context = {
        "filters": filters,
        "imported": imported,
        "sort": sort,
        "page": page,
        "filtered": any(
            filters.value(name) for name in ("q", "tag", "stage", "outreach", "imported")
        ),
        "undo": pending_undo(request),
        "nav": "people",
    }
    return render_page_or_partial(
        request, "people/person_list.html", "people/_person_results.html", context
    )


def _imported_batch(request: WorkspaceRequest, number: int | None) -> ImportBatch | None:
    """The import whose people the list is narrowed to (404 when not this workspace's)."""
    if number is None:
        return None
    return get_for_workspace(ImportBatch.objects.all(), request.workspace, pk=number)


@workspace_view(write=True)
def person_new(request: WorkspaceRequest) -> HttpResponse:
    form = PersonForm(
        request.POST or None, request.FILES or None, suggest_url=_suggest_url(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            person = services.person_create(
                workspace=request.workspace,
                organization=services.organization_get_or_create(
                    workspace=request.workspace, name=data["organization"]
                ),
                role=data["role"],
                owner=request.user,
                **_person_fields(data),
            )
        messages.success(request, f"Added {person.full_name}.")
        return see_other(_person_url(request.workspace, person))
    return _render_person_form(request, form, person=None)


@workspace_view(write=True)
def person_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    person = get_for_workspace(
        selectors.person_profile(workspace=request.workspace), request.workspace, pk=pk
    )
    contacts = _contacts_by_kind(person)
    initial = {
        **{name: getattr(person, name) for name in PERSON_FORM_FIELDS},
        **{
            name: ("\n\n" if kind == ContactKind.ADDRESS else "\n").join(
                join_label(c.label, c.value) for c in contacts[kind]
            )
            for name, kind in services.CONTACT_KIND_OF.items()
        },
        "tags": ", ".join(tag.name for tag in person.tags.all()),
    }
    form = PersonForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        editing=True,
        has_photo=bool(person.photo),
        suggest_url=_suggest_url(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = _person_fields(data)
        if "photo" not in fields and data.get("remove_photo"):
            fields["photo"] = ""
        with transaction.atomic():
            services.person_update(person=person, **fields)
            organization = services.organization_get_or_create(
                workspace=request.workspace, name=data["organization"]
            )
            current = {a.organization_id for a in person.affiliations.all() if a.is_current}
            if organization is not None and organization.pk not in current:
                services.affiliation_add(
                    person=person, organization=organization, role=data["role"]
                )
        messages.success(request, f"Saved {person.full_name}.")
        return see_other(_person_url(request.workspace, person))
    return _render_person_form(request, form, person=person)


# The person's related people and other card details are not on the form: saving it
# leaves them as they are (`person_update` never touches them).
PERSON_FORM_FIELDS = (
    "first_name",
    "last_name",
    "headline",
    "notes",
    *BIRTHDAY_FIELDS,
    *CARD_FIELDS,
)
PERSON_FORM_LISTS = (*services.CONTACT_KINDS, "tags")


def _person_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {name: data[name] for name in PERSON_FORM_FIELDS + PERSON_FORM_LISTS}
    if data.get("photo"):
        fields["photo"] = data["photo"]
    return fields


def _contacts_by_kind(person: Person) -> dict[str, list]:
    contacts: dict[str, list] = {kind: [] for kind in ContactKind.values}
    for point in person.contact_points.all():
        contacts[point.kind].append(point)
    return contacts


def _suggest_url(request: WorkspaceRequest) -> str:
    return reverse("people:organization-suggest", args=[request.workspace.slug])


def _render_person_form(
    request: WorkspaceRequest, form: PersonForm, person: Person | None
) -> HttpResponse:
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "person": person,
            "organization_names": selectors.organization_names(workspace=request.workspace),
            "nav": "people",
        },
        status=400 if form.errors else 200,
    )


@workspace_view
def person_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    person = get_for_workspace(
        relationship_selectors.person_with_relationship(workspace=request.workspace),
        request.workspace,
        pk=pk,
    )
    page = person_page(
        person=person, timeline_number=_page_number(request), timeline_per_page=TIMELINE_PER_PAGE
    )
    relationship = getattr(person, "relationship", None)
    now = timezone.now()
    context = {
        "page": page,
        "person": person,
        "intersections": matching_selectors.organizations_intersecting(
            workspace=request.workspace,
            organization_ids=[a.organization_id for a in page.current_affiliations],
        ),
        "relationship": relationship,
        "overdue": bool(
            relationship and relationship.next_touch_due and relationship.next_touch_due < now
        ),
        "now": now,
        "nav": "people",
        "outreach": person_outreach(person=person),
        "mail": mail_selectors.person_mail(workspace=request.workspace, person=person),
        "answer": recall(request.session),  # a one-click action's message and Undo
        "sequence_runs": sequence_selectors.person_runs(workspace=request.workspace, person=person),
        "sequences_to_start": sequence_selectors.sequences_to_start(
            workspace=request.workspace, person=person
        ),
    }
    return render(request, "people/person_detail.html", context)


@workspace_view
def person_photo(request: WorkspaceRequest, pk: int) -> FileResponse:
    """The person's photo, served through the app (members only) as the image type Pillow
    detects in the stored bytes; anything else is a 404."""
    person = get_for_workspace(
        Person.objects.only("id", "workspace_id", "photo"), request.workspace, pk=pk
    )
    if not person.photo:
        raise Http404("No photo.")
    try:
        handle = default_storage.open(person.photo.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No photo.") from None
    try:
        image_format = Image.open(handle).format
        handle.seek(0)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        handle.close()
        raise Http404("No photo.") from None
    if image_format not in PHOTO_FORMATS:
        handle.close()
        raise Http404("No photo.")
    suffix, content_type = PHOTO_FORMATS[image_format]
    response = FileResponse(handle, content_type=content_type, filename=f"photo.{suffix}")
    response["Content-Disposition"] = f'inline; filename="photo.{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Affiliations -------------------------------------------------------------------------


@workspace_view(write=True)
def affiliation_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Add a role at an organization (GET shows the form on its own page)."""
    person = get_for_workspace(Person, request.workspace, pk=pk)
    form = AffiliationForm(request.POST or None, suggest_url=_suggest_url(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            organization = services.organization_get_or_create(
                workspace=request.workspace, name=data["organization"]
            )
            assert organization is not None  # the form refuses a blank name
            services.affiliation_add(
                person=person,
                organization=organization,
                role=data["role"],
                department=data["department"],
                function=data["function"],
                started_on=data["started_on"],
                ended_on=data["ended_on"],
            )
        messages.success(request, f"Added {organization.name} to {person.full_name}'s profile.")
        return see_other(_person_url(request.workspace, person))
    return render(
        request,
        "people/affiliation_form.html",
        {
            "form": form,
            "person": person,
            "organization_names": selectors.organization_names(workspace=request.workspace),
            "nav": "people",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@workspace_view(write=True)
def affiliation_end(request: WorkspaceRequest, pk: int, affiliation_id: int) -> HttpResponse:
    """Mark a current role as ended (today, or on the date posted)."""
    person = get_for_workspace(Person, request.workspace, pk=pk)
    affiliation = get_for_workspace(
        Affiliation.objects.select_related("organization"),
        request.workspace,
        pk=affiliation_id,
        person=person,
    )
    form = AffiliationEndForm(request.POST)
    ended_on = (form.is_valid() and form.cleaned_data["ended_on"]) or timezone.localdate()
    if not form.is_valid():
        messages.error(request, "That end date is not a date.")
    elif not affiliation.is_current:
        messages.error(request, "That role has already ended.")
    else:
        try:
            services.affiliation_end(affiliation=affiliation, ended_on=ended_on)
            messages.success(
                request, f"{person.full_name} is no longer at {affiliation.organization.name}."
            )
        except ValueError as error:
            messages.error(request, str(error))
    return see_other(_person_url(request.workspace, person))


# --- Organizations ------------------------------------------------------------------------
