"""Pages for sequences (list, create and edit with steps, archive, delete) and the
person page's Start and Stop. Thin: each calls one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.people.models import Person
from followthrough.sequences import selectors
from followthrough.sequences.forms import (
    SequenceForm,
    spec_from_forms,
    step_errors,
    step_formset,
)
from followthrough.sequences.models import Sequence, SequenceRun
from followthrough.sequences.services import editing, runs
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.responses import see_other


def _list_url(request: WorkspaceRequest) -> str:
    return reverse("sequences:sequence-list", args=[request.workspace.slug])


def _person_url(request: WorkspaceRequest, person: Person) -> str:
    return reverse("people:person-detail", args=[request.workspace.slug, person.pk])


@workspace_view
def sequence_list(request: WorkspaceRequest) -> HttpResponse:
    sequences = selectors.sequences_for_workspace(workspace=request.workspace)
    return render(
        request, "sequences/sequence_list.html", {"sequences": sequences, "nav": "sequences"}
    )


def _edit(request: WorkspaceRequest, sequence: Sequence | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form, formset = SequenceForm.for_sequence(sequence, data), step_formset(sequence, data)
    if data is not None and form.is_valid() and formset.is_valid():
        archived = sequence.archived if sequence else False
        try:
            saved = editing.sequence_save(
                workspace=request.workspace,
                spec=spec_from_forms(form, formset, archived=archived),
                sequence=sequence,
            )
        except runs.SequenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return see_other(_list_url(request))
    context = {
        "form": form,
        "formset": formset,
        "sequence": sequence,
        "step_errors": step_errors(formset) if data is not None else [],
        "nav": "sequences",
    }
    status = 400 if data is not None else 200
    return render(request, "sequences/sequence_form.html", context, status=status)


@workspace_view(write=True)
def sequence_new(request: WorkspaceRequest) -> HttpResponse:
    return _edit(request, None)


@workspace_view(write=True)
def sequence_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _edit(request, get_for_workspace(Sequence, request.workspace, pk=pk))


@require_POST
@workspace_view(write=True)
def sequence_archive(request: WorkspaceRequest, pk: int) -> HttpResponse:
    sequence = get_for_workspace(Sequence, request.workspace, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    editing.sequence_archive(sequence=sequence, archived=archived)
    messages.success(request, f"{'Archived' if archived else 'Restored'} “{sequence.name}”.")
    return see_other(_list_url(request))


@require_POST
@workspace_view(write=True)
def sequence_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    sequence = get_for_workspace(Sequence, request.workspace, pk=pk)
    editing.sequence_delete(sequence=sequence)
    messages.success(request, f"Deleted “{sequence.name}”; its waiting steps are cancelled.")
    return see_other(_list_url(request))


@require_POST
@workspace_view(write=True)
def sequence_suggested(request: WorkspaceRequest) -> HttpResponse:
    sequence = editing.sequence_add_suggested(workspace=request.workspace)
    messages.success(request, f"Added “{sequence.name}”: change its steps to suit you.")
    return see_other(_list_url(request))


@require_POST
@workspace_view(write=True)
def run_start(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    person = get_for_workspace(Person, request.workspace, pk=person_id)
    sequence = get_for_workspace(Sequence, request.workspace, pk=_int(request.POST.get("sequence")))
    try:
        runs.run_start(sequence=sequence, person=person, actor=request.user)
    except runs.SequenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Started “{sequence.name}” for {person.full_name}.")
    return see_other(_person_url(request, person))


@require_POST
@workspace_view(write=True)
def run_stop(request: WorkspaceRequest, pk: int) -> HttpResponse:
    run = get_for_workspace(
        SequenceRun.objects.select_related("person", "sequence"), request.workspace, pk=pk
    )
    try:
        runs.run_stop(run=run)
    except runs.SequenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Stopped “{run.sequence.name}” for {run.person.full_name}.")
    return see_other(_person_url(request, run.person))


def _int(value: str | None) -> int:
    """A posted id, or 0 (no row has it: a 404)."""
    return int(value) if value and value.isdigit() else 0
