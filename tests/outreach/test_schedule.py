from __future__ import annotations

from datetime import UTC, datetime

import pytest

from followthrough.outreach.schedule import nudge_due, nudge_offset_days

GAPS = [4, 10, 21]


def test_the_gaps_count_from_the_send_date():
    assert [nudge_offset_days(index=i, gaps=GAPS) for i in range(3)] == [4, 10, 21]


def test_past_the_listed_gaps_each_nudge_waits_the_last_step_again():
    assert [nudge_offset_days(index=i, gaps=GAPS) for i in range(3, 5)] == [32, 43]
    assert [nudge_offset_days(index=i, gaps=[5]) for i in range(3)] == [5, 10, 15]


def test_it_keeps_the_wall_clock_time_across_a_dst_change():
    # Friday 24 Oct 2025, 09:00 in Berlin (UTC+2); clocks go back on Sunday 26 Oct.
    sent = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    due = nudge_due(sent_at=sent, nudge_count=0, gaps=GAPS, cap=3, zone="Europe/Berlin")
    assert due == datetime(2025, 10, 28, 8, 0, tzinfo=UTC)  # 09:00 Tuesday, now UTC+1


def test_it_keeps_the_wall_clock_time_across_spring_forward():
    # Thursday 6 Mar 2025, 09:00 in New York (UTC-5); clocks go forward on Sunday 9 Mar.
    sent = datetime(2025, 3, 6, 14, 0, tzinfo=UTC)
    due = nudge_due(sent_at=sent, nudge_count=0, gaps=GAPS, cap=3, zone="America/New_York")
    assert due == datetime(2025, 3, 10, 13, 0, tzinfo=UTC)  # 09:00 Monday, now UTC-4


def test_a_wall_time_skipped_by_the_change_still_gives_a_moment():
    # 02:30 on 26 Mar 2025 in Berlin, nudged 4 days later: 30 Mar 02:30 does not exist.
    sent = datetime(2025, 3, 26, 1, 30, tzinfo=UTC)
    due = nudge_due(sent_at=sent, nudge_count=0, gaps=GAPS, cap=3, zone="Europe/Berlin")
    assert due is not None and due.tzinfo is not None


@pytest.mark.parametrize("count", [3, 4])
def test_no_nudge_is_due_past_the_cap(count):
    sent = datetime(2025, 1, 1, tzinfo=UTC)
    assert nudge_due(sent_at=sent, nudge_count=count, gaps=GAPS, cap=3, zone="UTC") is None
