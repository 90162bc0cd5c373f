"""Potential partners: the organizations whose work meets ours, ranked, with the reasons."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render

from followthrough.matching import selectors as matching_selectors
from followthrough.matching.engines import engine_in_use
from followthrough.people.selectors import tag_choices
from followthrough.workspaces.access import WorkspaceRequest, workspace_view

PARTNERS_SHOWN = 50


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
    context = {
        "form": form,
        "matches": matches,
        "own_profile_missing": own is None,
        "focus_areas": tag_choices(workspace=request.workspace),
        "filtered": bool(filters.get("city") or filters.get("focus_area")),
        # The semantic engine chosen in the settings but not installed here: say so.
        "engine_missing": engine_in_use(request.workspace) != request.workspace.match_engine,
        "nav": "organizations",
    }
    return render(request, "people/partners.html", context)
