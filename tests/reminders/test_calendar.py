"""A member's private calendar feed: made, read back with icalendar, revoked."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from followthrough.outreach.services import outreach_open
from followthrough.relationships.services import follow_up_create
from followthrough.reminders.models import CalendarFeed
from followthrough.reminders.services import calendar_feed_create, calendar_feed_revoke
from tests.factories import make_event, make_person


def _feed_path(token: str) -> str:
    return reverse("reminders-public:calendar", args=[token])


def _page(response) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())


def _parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert not calendar.errors
    return calendar


@pytest.fixture
def items(workspace, owner, teammate, other_workspace, outsider):
    due = datetime(2030, 5, 6, 15, 30, tzinfo=UTC)
    lee = make_person(workspace, first_name="Lee", last_name="Park")
    mine = follow_up_create(person=lee, title="Coffee with Lee", due_at=due, assigned_to=owner)
    follow_up_create(person=lee, title="Bob's task", due_at=due, assigned_to=teammate)
    sam = make_person(workspace, first_name="Sam", last_name="Reed")
    outreach = outreach_open(person=sam, kind="email", sent_at=timezone.now(), by=owner)
    event = make_event(workspace, starts_at=timezone.now() + timedelta(days=5), title="Gala")
    fair = make_event(
        workspace, starts_at=datetime(2027, 1, 4, 6, tzinfo=UTC), title="Fair", all_day=True,
        ends_at=datetime(2027, 1, 5, 6, tzinfo=UTC),
    )  # fmt: skip
    fair.time_zone = "America/Chicago"
    fair.save(update_fields=["time_zone"])
    stranger = make_person(other_workspace, first_name="Marker")
    follow_up_create(person=stranger, title="Elsewhere", due_at=due, assigned_to=outsider)
    make_event(other_workspace, starts_at=timezone.now() + timedelta(days=1), title="Not ours")
    return {"follow_up": mine, "outreach": outreach, "event": event, "fair": fair}


def test_the_feed_holds_the_members_follow_ups_nudges_and_events(client, items, workspace, owner):
    _, token = calendar_feed_create(workspace=workspace, user=owner)
    calendar = _parse(client.get(_feed_path(token)))
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    follow_up = events[f"follow-up-{items['follow_up'].pk}@localhost"]
    assert str(follow_up["SUMMARY"]) == "Follow up: Lee Park — Coffee with Lee"
    assert follow_up.decoded("DTSTART") == datetime(2030, 5, 6, 15, 30, tzinfo=UTC)
    nudge = events[f"nudge-{items['outreach'].pk}@localhost"]
    assert nudge.decoded("DTSTART") == items["outreach"].next_nudge_due.replace(microsecond=0)
    gala = events[f"event-{items['event'].pk}@localhost"]
    assert str(gala["SUMMARY"]) == "Gala"
    fair = events[f"event-{items['fair'].pk}@localhost"]
    # All day in Chicago: 4 and 5 January there (the end date is exclusive).
    assert fair.decoded("DTSTART") == date(2027, 1, 4) and fair.decoded("DTEND") == date(2027, 1, 6)
    summaries = " ".join(str(e["SUMMARY"]) for e in events.values())
    assert "Bob's task" not in summaries and "Elsewhere" not in summaries
    assert "Not ours" not in summaries
    assert len(events) == 4


def test_uids_are_stable_across_reads(client, items, workspace, owner):
    _, token = calendar_feed_create(workspace=workspace, user=owner)
    first = [str(e["UID"]) for e in _parse(client.get(_feed_path(token))).walk("VEVENT")]
    second = [str(e["UID"]) for e in _parse(client.get(_feed_path(token))).walk("VEVENT")]
    assert first == second


def test_a_revoked_and_an_unknown_token_answer_alike(client, workspace, owner):
    _, token = calendar_feed_create(workspace=workspace, user=owner)
    calendar_feed_revoke(workspace=workspace, user=owner)
    unknown_token = "x" * len(token)
    revoked, unknown = client.get(_feed_path(token)), client.get(_feed_path(unknown_token))
    assert revoked.status_code == unknown.status_code == 404
    assert _page(revoked) == _page(unknown)


def test_a_new_address_replaces_the_old_one(client, workspace, owner):
    _, old = calendar_feed_create(workspace=workspace, user=owner)
    _, new = calendar_feed_create(workspace=workspace, user=owner)
    assert client.get(_feed_path(old)).status_code == 404
    assert client.get(_feed_path(new)).status_code == 200


def test_only_a_hash_of_the_token_is_kept(workspace, owner):
    feed, token = calendar_feed_create(workspace=workspace, user=owner)
    assert token not in feed.token_hash and len(feed.token_hash) == 64


def test_a_former_members_feed_stops(client, workspace, teammate):
    _, token = calendar_feed_create(workspace=workspace, user=teammate)
    workspace.memberships.filter(user=teammate).delete()
    assert client.get(_feed_path(token)).status_code == 404


def test_the_page_shows_a_new_address_once_and_revokes_it(owner_client, workspace, owner):
    url = reverse("reminders:settings", args=[workspace.slug])
    body = owner_client.post(url, {"action": "feed-new"}).content.decode()
    feed_url = body.split('aria-label="Calendar feed address"')[0].rsplit('value="', 1)[1]
    token = feed_url.split("/calendar/")[1].removesuffix('" ').removesuffix(".ics")
    assert owner_client.get(_feed_path(token)).status_code == 200
    assert token not in owner_client.get(url).content.decode()
    assert owner_client.post(url, {"action": "feed-revoke"}).status_code == 303
    assert owner_client.get(_feed_path(token)).status_code == 404
    assert CalendarFeed.objects.get(user=owner).revoked_at is not None
