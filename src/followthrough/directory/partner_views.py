"""Potential partners: the organizations whose work meets ours, ranked, with the reasons."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.matching import selectors as matching_selectors
from followthrough.matching import services as matching_services
from followthrough.matching.engines import engine_in_use
from followthrough.matching.index import scored_with
from followthrough.people.models import Organization, Person
from followthrough.people.selectors import current_people, tag_choices
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    redirect_back,
    workspace_view,
)

PARTNERS_SHOWN = 50
PEOPLE_SHOWN = 5  # whom a follow-up can be with, per organization


class PartnerFilterForm(forms.Form):
    focus_area = forms.CharField(label="Focus area", required=False, max_length=60)
    city = forms.CharField(label="Place", required=False, max_length=200)


@workspace_view()
def partner_list(request: WorkspaceRequest) -> HttpResponse:
    """The organizations we have no active relationship with, best intersection first."""
    form = PartnerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    matches = matching_selectors.potential_partners(
        workspace=request.workspace,
        limit=PARTNERS_SHOWN,
        city=filters.get("city", ""),
        focus_area=filters.get("focus_area", ""),
    )
    own = matching_selectors.own_profile(workspace=request.workspace)
    people = current_people(
        workspace=request.workspace,
        organization_ids=[int(m.key) for m in matches],
        limit=PEOPLE_SHOWN,
    )
    context = {
        "form": form,
        "rows": [(match, people.get(int(match.key), [])) for match in matches],
        "own_profile_missing": own is None,
        "focus_areas": tag_choices(workspace=request.workspace),
        "filtered": bool(filters.get("city") or filters.get("focus_area")),
        # The semantic engine chosen in the settings but not installed here, or still
        # embedding the profiles in the worker: say so.
        "engine_missing": engine_in_use(request.workspace) != request.workspace.match_engine,
        "engine_preparing": own is not None
        and scored_with(workspace=request.workspace) != engine_in_use(request.workspace),
        "nav": "organizations",
    }
    return render(request, "people/partners.html", context)


@require_POST
@workspace_view(write=True)
def partner_follow_up(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A follow-up with someone currently at the organization, to get to know them."""
    organization = get_for_workspace(Organization.objects.all(), request.workspace, pk=pk)
    chosen = request.POST.get("person", "")
    person = (
        Person.objects.for_workspace(request.workspace).filter(pk=chosen).first()
        if chosen.isdigit()
        else None
    )
    try:
        if person is None:
            raise ValueError(f"Choose someone at {organization.name} to follow up with.")
        matching_services.partner_follow_up(
            organization=organization, person=person, actor=request.user
        )
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Follow-up with {person.full_name} added.")
    return redirect_back(request, reverse("people:partners", args=[request.workspace.slug]))
