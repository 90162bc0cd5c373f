"""When a weekly digest is due: the member's weekday and hour in the workspace's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followthrough.reminders.models import DigestSubscription
from followthrough.reminders.schedule import digest_is_due, digest_slot
from followthrough.reminders.selectors import digests_due
from followthrough.reminders.services import digest_subscriptions_ensure

MONDAY, SUNDAY = 0, 6


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_slot_is_the_local_hour_in_a_zone_ahead_of_utc():
    # Monday 08:00 in Auckland (NZDT, UTC+13) is Sunday 19:00 UTC.
    zone = "Pacific/Auckland"
    assert digest_slot(now=utc(2026, 12, 6, 19, 30), zone=zone, weekday=MONDAY, hour=8) == utc(
        2026, 12, 6, 19
    )
    assert digest_slot(now=utc(2026, 12, 6, 18, 59), zone=zone, weekday=MONDAY, hour=8) == utc(
        2026, 11, 29, 19
    )


def test_the_slot_keeps_its_wall_clock_hour_across_the_autumn_change():
    # Berlin leaves summer time on Sunday 25 October 2026: Monday 08:00 is 06:00 UTC
    # the week before (CEST) and 07:00 UTC the week after (CET).
    zone = "Europe/Berlin"
    before = digest_slot(now=utc(2026, 10, 25, 12), zone=zone, weekday=MONDAY, hour=8)
    after = digest_slot(now=utc(2026, 10, 26, 7, 30), zone=zone, weekday=MONDAY, hour=8)
    assert before == utc(2026, 10, 19, 6)
    assert after == utc(2026, 10, 26, 7)
    assert after - before == timedelta(days=7, hours=1)
    # Half an hour earlier it is only 07:30 in Berlin: last week's slot still holds.
    assert digest_slot(now=utc(2026, 10, 26, 6, 30), zone=zone, weekday=MONDAY, hour=8) == before


def test_an_hour_skipped_by_the_spring_change_still_has_a_slot():
    # New York skips 02:00-03:00 on Sunday 8 March 2026: a 02:00 slot falls at 07:00 UTC
    # (03:00 EDT), once.
    zone = "America/New_York"
    slot = digest_slot(now=utc(2026, 3, 8, 12), zone=zone, weekday=SUNDAY, hour=2)
    assert slot == utc(2026, 3, 8, 7)
    week_before = digest_slot(now=utc(2026, 3, 8, 6, 59), zone=zone, weekday=SUNDAY, hour=2)
    assert week_before == utc(2026, 3, 1, 7)  # 02:00 EST


def test_a_slot_is_due_once_and_not_before_the_subscription_existed():
    zone, now = "Europe/Berlin", utc(2026, 10, 26, 7, 30)  # just after Monday 08:00 CET
    due = dict(now=now, zone=zone, weekday=MONDAY, hour=8)
    assert digest_is_due(**due, last_sent_at=None, created_at=utc(2026, 10, 20))
    assert not digest_is_due(**due, last_sent_at=None, created_at=utc(2026, 10, 26, 7, 10))
    assert not digest_is_due(
        **due, last_sent_at=utc(2026, 10, 26, 7, 1), created_at=utc(2026, 1, 1)
    )
    assert digest_is_due(**due, last_sent_at=utc(2026, 10, 19, 6, 1), created_at=utc(2026, 1, 1))


def test_due_digests_follow_each_workspace_zone(workspace, owner, other_workspace, outsider):
    workspace.timezone = "Pacific/Auckland"
    workspace.save()
    digest_subscriptions_ensure()
    DigestSubscription.objects.update(created_at=utc(2026, 12, 1))  # after UTC's Monday
    # Sunday 19:30 UTC: Monday 08:30 in Auckland, still Sunday in UTC.
    due = digests_due(now=utc(2026, 12, 6, 19, 30))
    assert [(s.workspace_id, s.user_id) for s in due] == [(workspace.pk, owner.pk)]
