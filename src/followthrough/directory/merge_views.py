"""Duplicates pages: suggested pairs, the side-by-side merge, and "not the same person".

Thin function views like `people.views`: `workspace_view` decides who may see or change
what, `people.duplicates` reads, `people.merge` writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dates import MONTHS
from django.views.decorators.http import require_POST

from followthrough.directory.forms import MergeForm
from followthrough.directory.merge_preview import merge_preview
from followthrough.people import duplicates, merge, selectors
from followthrough.people.models import Gender, Person
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    redirect_back,
    workspace_view,
)
from followthrough.workspaces.responses import see_other

DUPLICATES_PER_PAGE = 25


def _duplicates_url(request: WorkspaceRequest) -> str:
    return reverse("people:duplicates", args=[request.workspace.slug])


@workspace_view
def duplicate_list(request: WorkspaceRequest) -> HttpResponse:
    """Suggested merges, strongest first, a page at a time."""
    page = duplicates.duplicate_page(
        workspace=request.workspace,
        number=request.GET.get("page"),
        per_page=DUPLICATES_PER_PAGE,
    )
    return render(request, "people/duplicates.html", {"page": page, "nav": "people"})


@require_POST
@workspace_view(write=True)
def duplicate_dismiss(request: WorkspaceRequest, pk: int, person_id: int) -> HttpResponse:
    """Record that the two people are different: the pair is not suggested again."""
    first = get_for_workspace(Person, request.workspace, pk=pk)
    second = get_for_workspace(Person, request.workspace, pk=person_id)
    try:
        merge.duplicate_dismiss(person_a=first, person_b=second, actor=request.user)
    except merge.MergeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Noted: {first.full_name} and {second.full_name} are different people."
        )
    return redirect_back(request, _duplicates_url(request))


@dataclass(frozen=True)
class FieldRow:
    """One line of the side-by-side comparison."""

    name: str
    label: str
    keep: str
    other: str
    choice: str  # "keep" or "other" when the member chooses; "" when both are equal
    error: str = ""


def _display(person: Person, name: str) -> str:
    value = merge.field_value(person, name)
    if name == "gender" and value in Gender.values:
        return Gender(value).label
    if name in merge.DATE_FIELDS:
        month, day, year = value
        if not (month and day):
            return ""
        return f"{day} {MONTHS[month]}" + (f" {year}" if year else "")
    return value or ""


def _field_rows(form: MergeForm, keep: Person, other: Person) -> list[FieldRow]:
    rows = []
    for name, label in merge.MERGE_FIELDS.items():
        choice = ""
        if name in form.fields:
            bound = form[name]
            choice = str(bound.value() or form.fields[name].initial)
        error = " ".join(map(str, form.errors.get(name, [])))
        rows.append(
            FieldRow(name, label, _display(keep, name), _display(other, name), choice, error)
        )
    return rows


def _merge_context(form: MergeForm, keep: Person, other: Person) -> dict[str, Any]:
    return {
        "form": form,
        "keep": keep,
        "other": other,
        "rows": _field_rows(form, keep, other),
        "preview": merge_preview(keep=keep, other=other),
        "keep_relationship": getattr(keep, "relationship", None),
        "other_relationship": getattr(other, "relationship", None),
        "nav": "people",
    }


@workspace_view(write=True)
def person_merge(request: WorkspaceRequest, pk: int, person_id: int) -> HttpResponse:
    """Compare two people side by side; POST merges the second into the first (`pk`)."""
    people = selectors.person_profile(workspace=request.workspace)
    keep = get_for_workspace(people, request.workspace, pk=pk)
    other = get_for_workspace(people, request.workspace, pk=person_id)
    if keep.pk == other.pk:
        raise Http404("A person cannot be merged with themselves.")
    form = MergeForm(request.POST or None, keep=keep, other=other)
    if request.method == "POST" and form.is_valid():
        other_name, other_pk = other.full_name, other.pk
        try:
            kept = merge.person_merge(
                keep=keep, other=other, choices=form.cleaned_data, actor=request.user
            )
        except merge.MergeError as error:
            messages.error(request, str(error))
            return see_other(_duplicates_url(request))
        if other_name == kept.full_name:  # duplicates usually share a name: say which
            other_name, kept_name = f"{other_name} (#{other_pk})", f"{kept.full_name} (#{kept.pk})"
        else:
            kept_name = kept.full_name
        messages.success(request, f"Merged {other_name} into {kept_name}.")
        return see_other("people:person-detail", request.workspace.slug, kept.pk)
    return render(
        request,
        "people/merge.html",
        _merge_context(form, keep, other),
        status=400 if form.errors else 200,
    )
