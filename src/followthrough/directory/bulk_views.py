"""The people list's bulk bar: tag, untag, set owner, delete — and undo the delete.

Thin views over `people.bulk`. The posted person ids are kept to the workspace by the
services, so ids of another workspace change nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from followthrough.directory.forms import PersonBulkForm
from followthrough.people import bulk
from followthrough.people.models import PeopleDeletion
from followthrough.relationships.services import relationships_set_owner
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    redirect_back,
    workspace_view,
)
from followthrough.workspaces.models import Membership

UNDO_SESSION_KEY = "people_deletion"
NAMES_SHOWN = 10  # on the "Set the owner" step


def _list_url(request: WorkspaceRequest) -> str:
    return reverse("people:person-list", args=[request.workspace.slug])


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def pending_undo(request: WorkspaceRequest) -> PeopleDeletion | None:
    """The deletion this visitor made in this workspace that can still be undone, for the
    people list's "Deleted 12 people — Undo" bar. No query unless they deleted lately."""
    pk = request.session.get(UNDO_SESSION_KEY)
    if not pk:
        return None
    deletion = (
        PeopleDeletion.objects.for_workspace(request.workspace)
        .filter(pk=pk)
        .only("pk", "count", "deleted_at", "restored_at")
        .first()
    )
    if deletion is None or not bulk.undo_available(deletion=deletion):
        request.session.pop(UNDO_SESSION_KEY, None)
        return None
    return deletion


def _choose_owner(request: WorkspaceRequest, person_ids: list[str]) -> HttpResponse:
    """The second step of "Set owner": which member (the list does not load them)."""
    members = (
        Membership.objects.filter(workspace=request.workspace)
        .select_related("user")
        .order_by("user__first_name", "user__email")
    )
    ids = bulk.people_ids_in_workspace(workspace=request.workspace, ids=person_ids)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = _list_url(request)
    context = {
        "members": members,
        "person_ids": ids,
        "names": bulk.people_names(workspace=request.workspace, ids=ids, limit=NAMES_SHOWN),
        "more": max(len(ids) - NAMES_SHOWN, 0),
        "next": back,
        "back": back,
        "nav": "people",
    }
    return render(request, "people/bulk_owner.html", context)


def _set_owner(request: WorkspaceRequest, ids: list[str], owner_value: str) -> None:
    owner = None
    if owner_value != "none":
        owner = get_user_model().objects.filter(pk=int(owner_value)).first()
        if owner is None:
            raise bulk.BulkError("Choose a member of the team.")
    changed = relationships_set_owner(workspace=request.workspace, person_ids=ids, owner=owner)
    if owner is None:
        messages.success(request, f"{_people(changed)} now have no owner.")
    else:
        name = owner.get_full_name() or owner.email
        messages.success(request, f"{name} now owns the relationship with {_people(changed)}.")


def _delete(request: WorkspaceRequest, ids: list[str]) -> None:
    deletion = bulk.people_delete(workspace=request.workspace, person_ids=ids, actor=request.user)
    if deletion is None:
        messages.error(request, "None of those people are in this workspace.")
    else:
        # The list shows "Deleted N people — Undo" while the undo is possible.
        request.session[UNDO_SESSION_KEY] = deletion.pk


@require_POST
@workspace_view(write=True)
def person_bulk(request: WorkspaceRequest) -> HttpResponse:
    """Apply the bulk bar's action to the ticked people, then go back to the list."""
    form = PersonBulkForm(request.POST)
    ids = request.POST.getlist("person")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect_back(request, _list_url(request))
    if not ids:
        messages.error(request, "Tick the people to change first.")
        return redirect_back(request, _list_url(request))
    action, data = form.cleaned_data["action"], form.cleaned_data
    try:
        if action == "tag":
            tag, added = bulk.people_tag(
                workspace=request.workspace, person_ids=ids, tag_name=data["tag"]
            )
            messages.success(request, f"Tagged {_people(added)} “{tag.name}”.")
        elif action == "untag":
            removed = bulk.people_untag(
                workspace=request.workspace, person_ids=ids, tag_name=data["tag"]
            )
            messages.success(request, f"Removed “{data['tag']}” from {_people(removed)}.")
        elif action == "owner" and not data["owner"]:
            return _choose_owner(request, ids)
        elif action == "owner":
            _set_owner(request, ids, data["owner"])
        else:
            _delete(request, ids)
    except bulk.BulkError as error:
        messages.error(request, str(error))
    return redirect_back(request, _list_url(request))


@require_POST
@workspace_view(write=True)
def person_bulk_undo(request: WorkspaceRequest) -> HttpResponse:
    """Bring back the people of a recent bulk delete (any writer of the workspace may)."""
    pk = request.POST.get("deletion", "")
    if not pk.isdigit():
        messages.error(request, "There is no deletion to undo.")
        return redirect_back(request, _list_url(request))
    deletion = get_for_workspace(PeopleDeletion, request.workspace, pk=int(pk))
    try:
        restored = bulk.people_restore(deletion=deletion)
    except bulk.BulkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Restored {_people(restored)}.")
    if request.session.get(UNDO_SESSION_KEY) == deletion.pk:
        request.session.pop(UNDO_SESSION_KEY)
    return redirect_back(request, _list_url(request))
