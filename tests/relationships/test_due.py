"""A follow-up made from a window falls due at a working hour in the workspace's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from followthrough.relationships.due import window_due, working_hour

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("at", "due"),
    [
        ("2026-12-07 06:02", "Mon 2026-12-07 09:00"),  # overnight: 9:00 that day
        ("2026-12-07 14:20", "Mon 2026-12-07 15:00"),  # in the day: the next full hour
        ("2026-12-07 09:00", "Mon 2026-12-07 09:00"),
        ("2026-12-07 17:00", "Mon 2026-12-07 17:00"),
        ("2026-12-07 17:01", "Tue 2026-12-08 09:00"),  # evening: the next working day
        ("2026-12-07 23:30", "Tue 2026-12-08 09:00"),
        ("2026-12-11 18:00", "Mon 2026-12-14 09:00"),  # Friday evening: Monday
        ("2026-12-12 10:00", "Mon 2026-12-14 09:00"),  # Saturday
        ("2026-03-29 02:30", "Mon 2026-03-30 09:00"),  # a Sunday in the DST gap
    ],
)
def test_a_due_time_moves_to_the_next_working_hour(at, due):
    moment = datetime.fromisoformat(at).replace(tzinfo=BERLIN)
    assert working_hour(moment, "Europe/Berlin").strftime("%a %Y-%m-%d %H:%M") == due


def test_it_is_the_workspaces_zone_that_counts():
    utc_evening = datetime(2026, 12, 7, 22, 0, tzinfo=ZoneInfo("UTC"))  # 14:00 in Los Angeles
    assert working_hour(utc_evening, "America/Los_Angeles").hour == 14
    assert working_hour(utc_evening, "Europe/Berlin").strftime("%a %H:%M") == "Tue 09:00"


def test_the_window_comes_first_then_the_working_hour():
    picked = datetime(2026, 12, 10, 4, 2, tzinfo=BERLIN)  # Thursday night
    assert window_due(picked, 48, "Europe/Berlin").strftime("%a %H:%M") == "Mon 09:00"
