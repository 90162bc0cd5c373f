"""Directory pages of organizations: the list, the suggestions a person form asks for,
the profile with how our missions intersect and the news we watch, and what we noticed
them doing.

Thin function views, like the people's (`directory.views`): `workspace_view` decides who
may see or change what, selectors read, services write.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from followthrough.directory.forms import (
    NoticedForm,
    OrganizationFilterForm,
    OrganizationForm,
)
from followthrough.matching import selectors as matching_selectors
from followthrough.people import selectors, services
from followthrough.people.models import (
    ORGANIZATION_FIELDS,
    Organization,
)
from followthrough.people.pages import page_number
from followthrough.relationships import selectors as relationship_selectors
from followthrough.relationships.services import (
    RelationshipError,
    organization_log_noticed,
)
from followthrough.watch import selectors as watch_selectors
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    redirect_back,
    workspace_view,
)
from followthrough.workspaces.models import Workspace
from followthrough.workspaces.responses import render_page_or_partial, see_other

ORGANIZATIONS_PER_PAGE = 50
NOTICED_PER_PAGE = 20


def _organization_url(workspace: Workspace, organization: Organization) -> str:
    return reverse("people:organization-detail", args=[workspace.slug, organization.pk])


@workspace_view
def organization_list(request: WorkspaceRequest) -> HttpResponse:
    tags = selectors.tag_choices(workspace=request.workspace)
    filters = OrganizationFilterForm(request.GET, tags=tags)
    page = selectors.organization_list(
        workspace=request.workspace,
        query=filters.value("q") or "",
        focus_area=filters.value("focus_area"),
        number=page_number(request.GET.get("page")),
        per_page=ORGANIZATIONS_PER_PAGE,
    )
    context = {
        "filters": filters,
        "page": page,
        "filtered": any(filters.value(name) for name in ("q", "focus_area")),
        "nav": "organizations",
    }
    return render_page_or_partial(
        request, "people/organization_list.html", "people/_organization_results.html", context
    )


@workspace_view
def organization_suggest(request: WorkspaceRequest) -> HttpResponse:
    """`<option>`s of organization names for a name box's `<datalist>` (HTMX)."""
    query = (request.GET.get("organization") or request.GET.get("q") or "")[:200]
    names = selectors.organization_names(workspace=request.workspace, query=query)
    return render(request, "people/_organization_options.html", {"organization_names": names})


@workspace_view(write=True)
def organization_new(request: WorkspaceRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.organization_create(
            workspace=request.workspace, **form.cleaned_data
        )
        messages.success(request, f"Added {organization.name}.")
        return see_other(_organization_url(request.workspace, organization))
    return _render_organization_form(request, form, organization=None)


@workspace_view(write=True)
def organization_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    organization = get_for_workspace(
        selectors.organization_profile(workspace=request.workspace), request.workspace, pk=pk
    )
    initial = {name: getattr(organization, name) for name in ORGANIZATION_FIELDS}
    initial["focus_areas"] = ", ".join(tag.name for tag in organization.focus_areas.all())
    own = organization.pk == request.workspace.organization_id
    form = OrganizationForm(request.POST or None, initial=initial, own=own)
    if request.method == "POST" and form.is_valid():
        services.organization_update(organization=organization, **form.cleaned_data)
        messages.success(request, f"Saved {organization.name}.")
        return see_other(_organization_url(request.workspace, organization))
    return _render_organization_form(request, form, organization=organization)


def _render_organization_form(
    request: WorkspaceRequest, form: OrganizationForm, organization: Organization | None
) -> HttpResponse:
    return render(
        request,
        "people/organization_form.html",
        {
            "form": form,
            "organization": organization,
            "is_own": organization is not None
            and organization.pk == request.workspace.organization_id,
            "nav": "organizations",
        },
        status=400 if form.errors else 200,
    )


@workspace_view
def organization_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    organization = get_for_workspace(
        selectors.organization_profile(workspace=request.workspace), request.workspace, pk=pk
    )
    return _render_organization_detail(request, organization, NoticedForm())


def _render_organization_detail(
    request: WorkspaceRequest,
    organization: Organization,
    noticed_form: NoticedForm,
    status: int = 200,
) -> HttpResponse:
    affiliations = selectors.organization_people(organization=organization)
    is_own = organization.pk == request.workspace.organization_id
    context = {
        "organization": organization,
        "is_own": is_own,
        "intersection": matching_selectors.organization_intersection(
            workspace=request.workspace, organization=organization
        ),
        "current_affiliations": [a for a in affiliations if a.is_current],
        "past_affiliations": [a for a in affiliations if not a.is_current],
        "noticed": selectors.timeline_page(
            relationship_selectors.organization_noticed(organization=organization),
            number=page_number(request.GET.get("page", 1)),
            per_page=NOTICED_PER_PAGE,
        ),
        "noticed_form": noticed_form,
        "news": watch_selectors.organization_news(
            workspace=request.workspace, organization=organization
        ),
        "nav": "organizations",
    }
    return render(request, "people/organization_detail.html", context, status=status)


@require_POST
@workspace_view(write=True)
def organization_noticed(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Record something noticed about the organization; errors show on its profile."""
    organization = get_for_workspace(
        selectors.organization_profile(workspace=request.workspace), request.workspace, pk=pk
    )
    form = NoticedForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            organization_log_noticed(
                organization=organization,
                summary=data["summary"],
                note=data["note"],
                occurred_at=_noticed_at(data["occurred_on"]),
                actor=request.user,
            )
        except RelationshipError as error:
            form.add_error("summary", str(error))
        else:
            messages.success(request, "Noted.")
            return redirect_back(request, _organization_url(request.workspace, organization))
    return _render_organization_detail(request, organization, form, status=400)


def _noticed_at(day: Any) -> datetime | None:
    """Today means now; another day means noon of that day in the workspace's time zone."""
    if day is None or day == timezone.localdate():
        return None
    return timezone.make_aware(datetime.combine(day, time(12)))
