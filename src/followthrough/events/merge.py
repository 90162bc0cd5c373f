"""How a merge of two people treats event rows: one attendance and one focus pick per
event (registered with `people.registry` in `EventsConfig.ready()`)."""

from __future__ import annotations

from followthrough.events.models import Attendance, FocusPick, Rsvp
from followthrough.people.models import Person
from followthrough.relationships.models import FollowUp

# Which of two attendances of one event says more: checked in, then the best answer.
RSVP_RANK = {Rsvp.DECLINED: 0, Rsvp.UNKNOWN: 1, Rsvp.TENTATIVE: 2, Rsvp.ACCEPTED: 3}


def merge_attendances(keep: Person, other: Person) -> None:
    """One attendance per event: where both attended, the kept row takes the fuller
    answer (checked in if either was, the best RSVP, the earliest added)."""
    kept = {a.event_id: a for a in Attendance.objects.filter(person=keep)}
    moving, combined = [], []
    for attendance in Attendance.objects.filter(person=other):
        mine = kept.get(attendance.event_id)
        if mine is None:
            attendance.person = keep
            moving.append(attendance)
            continue
        mine.checked_in = mine.checked_in or attendance.checked_in
        mine.rsvp = max(mine.rsvp, attendance.rsvp, key=lambda r: RSVP_RANK.get(r, 1))
        mine.added_at = min(mine.added_at, attendance.added_at)
        combined.append(mine)
    Attendance.objects.bulk_update(moving, ["person"])
    Attendance.objects.bulk_update(combined, ["checked_in", "rsvp", "added_at"])


def merge_focus_picks(keep: Person, other: Person) -> None:
    """One focus pick per event: where both were picked, the kept pick stays and the
    other's follow-ups point to it."""
    kept = dict(FocusPick.objects.filter(person=keep).values_list("event_id", "pk"))
    moving = []
    for pick in FocusPick.objects.filter(person=other):
        if pick.event_id in kept:
            FollowUp.objects.filter(focus_pick=pick).update(focus_pick_id=kept[pick.event_id])
        else:
            pick.person = keep
            moving.append(pick)
    FocusPick.objects.bulk_update(moving, ["person"])
