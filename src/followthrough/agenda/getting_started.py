"""The getting-started checklist on Today: the first things a new team does, each ticked
as soon as the workspace shows it done, until the member hides the list.

Steps are registered (`register_step`), so a room above this one adds its own (the
import step is `exchange`'s) without this room importing it. Each step names the rows
that show it done (`evidence`: querysets, done when any has a row), and all of them are
read in one query. A member who hides the list, or sees it complete, has
`Membership.getting_started_closed` set and costs Today nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, QuerySet
from django.urls import reverse

from followthrough.events.models import Event, FocusPick
from followthrough.people.models import Organization
from followthrough.workspaces.models import Invitation, Membership, Workspace


@dataclass(frozen=True)
class Step:
    key: str
    order: int  # place in the list
    title: str
    why: str  # one line: why it matters
    # The rows that show it done; it is done when any of these querysets has one.
    evidence: Callable[[Workspace, Membership], Sequence[QuerySet]]
    url: Callable[[Workspace], str]
    owners_only: bool = False  # a step only an owner can take (settings, invitations)


@dataclass(frozen=True)
class StepState:
    step: Step
    done: bool
    url: str


_STEPS: dict[str, Step] = {}


def register_step(step: Step) -> None:
    """Add a step (a room's `AppConfig.ready()`); registering a key again replaces it."""
    _STEPS[step.key] = step


def checklist(*, workspace: Workspace, membership: Membership) -> list[StepState]:
    """The steps this member sees, each with whether it is done; [] once they closed
    the list (or viewers, who cannot take the steps). Marks the list closed for the
    member when every step is done: they see it complete this once. One query."""
    if membership.getting_started_closed or not membership.can_write:
        return []
    steps = sorted(
        (s for s in _STEPS.values() if membership.is_owner or not s.owners_only),
        key=lambda s: s.order,
    )
    if not steps:
        return []
    checks = {
        f"s{index}_{number}": Exists(queryset)
        for index, step in enumerate(steps)
        for number, queryset in enumerate(step.evidence(workspace, membership))
    }
    row = Workspace.objects.filter(pk=workspace.pk).values(**checks).first() or {}
    states = [
        StepState(
            step,
            any(done for name, done in row.items() if name.startswith(f"s{index}_")),
            step.url(workspace),
        )
        for index, step in enumerate(steps)
    ]
    if all(state.done for state in states):
        checklist_close(membership=membership)
    return states


def checklist_close(*, membership: Membership) -> None:
    """Hide the checklist for this member (they dismissed it, or it is all done)."""
    Membership.objects.filter(pk=membership.pk).update(getting_started_closed=True)
    membership.getting_started_closed = True


# --- The steps of this room and those below it ----------------------------------------


def _own_organization(workspace: Workspace, membership: Membership) -> list[QuerySet]:
    if workspace.organization_id is None:
        return []
    described = Organization.objects.filter(pk=workspace.organization_id).exclude(mission="")
    return [described.exclude(offers="", needs="")]


def _own_organization_url(workspace: Workspace) -> str:
    if workspace.organization_id is None:
        return reverse("people:organization-new", args=[workspace.slug])
    return reverse("people:organization-edit", args=[workspace.slug, workspace.organization_id])


def register_own_steps() -> None:
    """The steps that need only this room and those below it (`AgendaConfig.ready`)."""
    slug_url = lambda name: lambda w: reverse(name, args=[w.slug])  # noqa: E731
    register_step(
        Step(
            "organization",
            10,
            "Describe our organization",
            "Our mission, what we offer and what we need: partner suggestions compare them "
            "with every organization we know.",
            _own_organization,
            _own_organization_url,
        )
    )
    register_step(
        Step(
            "time-zone",
            20,
            "Set our time zone",
            "Follow-ups come due and events show in our own time.",
            lambda w, m: [Workspace.objects.filter(pk=w.pk, timezone_chosen=True)],
            slug_url("workspaces:settings"),
            owners_only=True,
        )
    )
    register_step(
        Step(
            "invite",
            30,
            "Invite colleagues",
            "Relationships are the team's: see who knows whom, and share the follow-ups.",
            lambda w, m: [
                Membership.objects.filter(workspace=w).exclude(pk=m.pk),
                Invitation.objects.filter(workspace=w),
            ],
            slug_url("workspaces:members"),
            owners_only=True,
        )
    )
    register_step(
        Step(
            "event",
            50,
            "Add the next event",
            "Each event is a chance to really get to know one or two people.",
            lambda w, m: [Event.objects.filter(workspace=w, cancelled=False)],
            slug_url("events:event-new"),
        )
    )
    register_step(
        Step(
            "picks",
            60,
            "Pick the people to meet there",
            "Choose one or two to get to know well, and follow up early.",
            lambda w, m: [FocusPick.objects.filter(workspace=w)],
            slug_url("events:event-list"),
        )
    )
