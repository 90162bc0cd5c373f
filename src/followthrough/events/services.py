"""Writes for events: creating them, attendance, and focus picks.

Picking a focus person creates a follow-up due within the workspace's follow-up window;
going past the pick limit needs a deliberate override, which the pick records.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from followthrough.events import hooks
from followthrough.events.models import (
    EVENT_FIELDS,
    Attendance,
    Event,
    EventKind,
    FocusPick,
    Rsvp,
)
from followthrough.relationships.due import window_due
from followthrough.relationships.models import FollowUpStatus, InteractionKind
from followthrough.relationships.services import follow_up_create, relationship_log_interaction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.people.models import Person
    from followthrough.workspaces.models import Workspace


class EventError(ValueError):
    """An event change that cannot be made, with a message for the user."""


class FocusLimitReached(EventError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already picked {limit} {'person' if limit == 1 else 'people'} at this event. "
            "Picking more needs a deliberate override."
        )
        self.limit = limit


def _check_times(starts_at: datetime, ends_at: datetime | None) -> None:
    if ends_at is not None and ends_at < starts_at:
        raise EventError("An event cannot end before it starts.")


def event_create(
    *,
    workspace: Workspace,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    kind: str = EventKind.ATTENDED,
    location: str = "",
    notes: str = "",
    all_day: bool = False,
    cancelled: bool = False,
) -> Event:
    """`all_day`: `starts_at` and `ends_at` are midnights, the end exclusive (`days`)."""
    if not title.strip():
        raise EventError("An event needs a title.")
    _check_times(starts_at, ends_at)
    return Event.objects.create(
        workspace=workspace,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        kind=kind,
        location=location,
        notes=notes,
        cancelled=cancelled,
    )


def event_update(*, event: Event, **fields: Any) -> Event:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"event_update() got unexpected fields {sorted(unknown)}")
    for name, value in fields.items():
        setattr(event, name, value)
    _check_times(event.starts_at, event.ends_at)
    event.save()
    return event


def _check_same_workspace(event: Event, person: Person) -> None:
    if event.workspace_id != person.workspace_id:
        raise EventError("That person is not in this workspace.")


@transaction.atomic
def attendance_add(
    *,
    event: Event,
    person: Person,
    rsvp: str = Rsvp.ACCEPTED,
    checked_in: bool = False,
    actor: User | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Add a person to an event's attendees. Once the event has begun, an attendee who did
    not decline counts as met there: a "met" interaction is logged (once)."""
    _check_same_workspace(event, person)
    attendance, created = Attendance.objects.get_or_create(
        event=event,
        person=person,
        defaults={"workspace_id": event.workspace_id, "rsvp": rsvp, "checked_in": checked_in},
    )
    if not created and (attendance.rsvp != rsvp or (checked_in and not attendance.checked_in)):
        attendance.rsvp = rsvp
        attendance.checked_in = attendance.checked_in or checked_in
        attendance.save(update_fields=["rsvp", "checked_in"])
    now = now or timezone.now()
    if created and event.starts_at <= now and rsvp != Rsvp.DECLINED:
        relationship_log_interaction(
            person=person,
            kind=InteractionKind.MET_AT_EVENT,
            occurred_at=event.starts_at,
            event=event,
            actor=actor,
            summary=f"Met at {event.title}",
        )
    return attendance


def attendance_remove(*, event: Event, person: Person) -> None:
    Attendance.objects.filter(event=event, person=person).delete()
    focus_unpick(event=event, person=person)


def focus_follow_up_due(*, event: Event, now: datetime) -> datetime:
    """A focus pick's follow-up is due one window after the event ends (or after now,
    when picking later than that), at the next working hour in the workspace's zone
    (`relationships.due`)."""
    workspace = event.workspace
    start = max(now, event.ends_at or event.starts_at)
    return window_due(start, workspace.follow_up_window_hours, workspace.timezone)


@transaction.atomic
def focus_pick(
    *,
    event: Event,
    person: Person,
    actor: User | None = None,
    reason: str = "",
    override: bool = False,
    now: datetime | None = None,
) -> FocusPick:
    """Choose a person at an event to get to know, and schedule the follow-up.

    Raises `FocusLimitReached` past the workspace's limit unless `override` is given.
    Picking someone already picked returns the existing pick.
    """
    _check_same_workspace(event, person)
    existing = FocusPick.objects.filter(event=event, person=person).first()
    if existing:
        return existing
    # Lock the event row so two members picking at once cannot both slip under the limit.
    Event.objects.select_for_update().filter(pk=event.pk).exists()
    limit = event.workspace.focus_pick_limit
    over_limit = event.focus_picks.count() >= limit
    if over_limit and not override:
        raise FocusLimitReached(limit)
    now = now or timezone.now()
    # A pick puts the person on the attendee list, but leaves an existing RSVP alone.
    if not Attendance.objects.filter(event=event, person=person).exists():
        attendance_add(event=event, person=person, actor=actor, now=now)
    pick = FocusPick.objects.create(
        workspace_id=event.workspace_id,
        event=event,
        person=person,
        picked_by=actor,
        reason=reason,
        over_limit=over_limit,
        picked_at=now,
    )
    follow_up = follow_up_create(
        person=person,
        event=event,
        focus_pick=pick,
        assigned_to=actor,
        title=f"Follow up with {person.full_name} after {event.title}",
        due_at=focus_follow_up_due(event=event, now=now),
    )
    hooks.focus_picked(pick, follow_up, actor)
    return pick


@transaction.atomic
def focus_unpick(*, event: Event, person: Person) -> None:
    """Undo a pick; its follow-up, if still open, is cancelled."""
    pick = FocusPick.objects.filter(event=event, person=person).first()
    if pick is None:
        return
    open_ones = pick.follow_ups.filter(status=FollowUpStatus.OPEN)
    cancelled = list(open_ones.values_list("pk", flat=True))
    open_ones.filter(pk__in=cancelled).update(status=FollowUpStatus.CANCELLED)
    hooks.focus_unpicked(pick.workspace_id, cancelled)
    pick.delete()


@transaction.atomic
def quick_capture(
    *,
    event: Event,
    first_name: str,
    last_name: str = "",
    email: str = "",
    organization_name: str = "",
    note: str = "",
    pick: bool = False,
    actor: User | None = None,
    override: bool = False,
    reason: str = "",
) -> Person:
    """The phone flow: a person met at an event, in one step (optionally picked).

    All or nothing: when the pick raises `FocusLimitReached`, no person is created.
    """
    from followthrough.people.services import organization_get_or_create, person_create

    organization = organization_get_or_create(workspace=event.workspace, name=organization_name)
    person = person_create(
        workspace=event.workspace,
        first_name=first_name,
        last_name=last_name,
        emails=[email] if email else [],
        organization=organization,
        notes=note,
        owner=actor,
    )
    attendance_add(event=event, person=person, actor=actor, checked_in=True)
    if pick:
        focus_pick(event=event, person=person, actor=actor, override=override, reason=reason)
    return person


@transaction.atomic
def attendance_add_new_person(
    *,
    event: Event,
    first_name: str,
    last_name: str = "",
    email: str = "",
    rsvp: str = Rsvp.ACCEPTED,
    actor: User | None = None,
) -> Attendance:
    """Add someone not yet in the directory to an event: the person (with their
    relationship) and the attendance are created together, or neither is."""
    from followthrough.people.services import person_create

    try:
        person = person_create(
            workspace=event.workspace,
            first_name=first_name,
            last_name=last_name,
            emails=[email] if email else [],
            owner=actor,
        )
    except ValueError as error:
        raise EventError(str(error)) from error
    return attendance_add(event=event, person=person, rsvp=rsvp, actor=actor)
