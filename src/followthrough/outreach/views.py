"""One-click actions on outreach (from Today and a person's page), each answered with a
short message and an Undo; the answer is shown by the page the action returns to."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.outreach import services
from followthrough.outreach.models import Outreach
from followthrough.outreach.undo import Done, UndoError, remember, undo_apply, undoable
from followthrough.people.models import Person
from followthrough.relationships import services as relationship_services
from followthrough.relationships.models import OUTBOUND_KINDS, FollowUp, InteractionKind
from followthrough.relationships.services import RelationshipError
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    redirect_back,
    workspace_view,
)


def _back(request: WorkspaceRequest, done: Done) -> HttpResponse:
    remember(request.session, done)
    return redirect_back(request, reverse("agenda:today", args=[request.workspace.slug]))


def _outreach(request: WorkspaceRequest, pk: int) -> Outreach:
    return get_for_workspace(Outreach.objects.select_related("person"), request.workspace, pk=pk)


def _answer(
    request: WorkspaceRequest, person: Person, message: str, action: Callable[[], object]
) -> HttpResponse:
    """Run a one-click action with its Undo, or say why it could not be done."""
    try:
        done = undoable(person=person, message=message, action=action)
    except (services.OutreachError, RelationshipError) as error:
        done = Done(str(error), "")
    return _back(request, done)


@require_POST
@workspace_view(write=True)
def outreach_log(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Log an outbound e-mail, call attempt, invitation or message now: it waits for a reply."""
    person = get_for_workspace(Person, request.workspace, pk=person_id)
    kind = request.POST.get("kind", InteractionKind.EMAIL_SENT)
    if kind not in OUTBOUND_KINDS:
        return _back(request, Done("Unknown kind of outreach.", ""))
    label = InteractionKind(kind).label.lower()
    return _answer(
        request,
        person,
        f"Logged {label} to {person.full_name}: waiting for a reply.",
        lambda: relationship_services.relationship_log_interaction(
            person=person, kind=kind, actor=request.user
        ),
    )


@require_POST
@workspace_view(write=True)
def outreach_nudge(request: WorkspaceRequest, pk: int) -> HttpResponse:
    outreach = _outreach(request, pk)
    return _answer(
        request,
        outreach.person,
        f"Logged nudge #{outreach.nudge_count + 1} to {outreach.person.full_name}.",
        lambda: services.outreach_log_nudge(outreach=outreach, actor=request.user),
    )


@require_POST
@workspace_view(write=True)
def outreach_replied(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    person = get_for_workspace(Person, request.workspace, pk=person_id)
    return _answer(
        request,
        person,
        f"{person.full_name} replied: outreach closed.",
        lambda: services.outreach_log_reply(person=person, actor=request.user),
    )


@require_POST
@workspace_view(write=True)
def outreach_snooze(request: WorkspaceRequest, pk: int) -> HttpResponse:
    outreach = _outreach(request, pk)
    days = services.SNOOZE_DAYS
    return _answer(
        request,
        outreach.person,
        f"Nudge to {outreach.person.full_name} snoozed {days} days.",
        lambda: services.outreach_snooze(outreach=outreach, days=days),
    )


@require_POST
@workspace_view(write=True)
def outreach_undo(request: WorkspaceRequest) -> HttpResponse:
    """Revert exactly the one-click action whose token is posted."""
    try:
        message = undo_apply(workspace=request.workspace, token=request.POST.get("undo", ""))
    except UndoError as error:
        message = str(error)
    return _back(request, Done(message, ""))


def _follow_up(request: WorkspaceRequest, pk: int) -> FollowUp:
    return get_for_workspace(FollowUp.objects.select_related("person"), request.workspace, pk=pk)


@require_POST
@workspace_view(write=True)
def follow_up_done(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Today's "Done" on a follow-up, with an Undo."""
    follow_up = _follow_up(request, pk)
    return _answer(
        request,
        follow_up.person,
        f"Done: {follow_up.title}.",
        lambda: relationship_services.follow_up_done(follow_up=follow_up),
    )


@require_POST
@workspace_view(write=True)
def follow_up_snooze(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Today's "Snooze 2 days" on a follow-up, with an Undo."""
    follow_up = _follow_up(request, pk)
    days = services.SNOOZE_DAYS
    return _answer(
        request,
        follow_up.person,
        f"Snoozed {days} days: {follow_up.title}.",
        lambda: relationship_services.follow_up_snooze(follow_up=follow_up, days=days),
    )
