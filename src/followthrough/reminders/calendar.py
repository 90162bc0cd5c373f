"""A member's calendar feed as iCalendar text (RFC 5545), with the `icalendar` library.

Follow-ups and nudges are short events at the moment they are due (calendar apps show
VEVENTs; many ignore VTODO in subscribed feeds). Times are written in UTC, which every
client converts to its own zone; an all-day event is its dates in its own zone. UIDs are
stable (kind, id and the installation's host), so a refresh updates rather than duplicates.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from followthrough.reminders.selectors import calendar_feed_items
from followthrough.reminders.sending import absolute

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.events.models import Event
    from followthrough.workspaces.models import Workspace

REMINDER_MINUTES = 15
PRODID = "-//Followthrough//Reminders//EN"


def _host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "localhost"


def _utc(value: datetime) -> datetime:
    return value.astimezone(zoneinfo.ZoneInfo("UTC"))


def _event(uid: str, summary: str, start: datetime, url: str, stamp: datetime) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"{uid}@{_host()}")
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("summary", summary)
    vevent.add("dtstart", _utc(start))
    vevent.add("dtend", _utc(start + timedelta(minutes=REMINDER_MINUTES)))
    vevent.add("url", url)
    return vevent


def _workspace_event(event: Event, url: str, stamp: datetime, fallback_zone: str) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"event-{event.pk}@{_host()}")
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("summary", event.title)
    if event.all_day:
        zone = zoneinfo.ZoneInfo(event.time_zone or fallback_zone)
        first = event.starts_at.astimezone(zone).date()
        last = (event.ends_at or event.starts_at).astimezone(zone).date()
        vevent.add("dtstart", first)
        vevent.add("dtend", max(last, first) + timedelta(days=1))  # DTEND is exclusive
    else:
        vevent.add("dtstart", _utc(event.starts_at))
        vevent.add("dtend", _utc(event.ends_at or event.starts_at + timedelta(hours=1)))
    if event.location:
        vevent.add("location", event.location)
    if event.cancelled:  # subscribers' calendars strike it through or drop it
        vevent.add("status", "CANCELLED")
    vevent.add("url", url)
    return vevent


def calendar_feed_ics(*, workspace: Workspace, user: User, now: datetime | None = None) -> bytes:
    """The member's feed (`selectors.calendar_feed_items`) as iCalendar bytes."""
    now = now or timezone.now()
    items = calendar_feed_items(workspace=workspace, user=user, now=now)
    slug = workspace.slug
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Followthrough: {workspace.name}")
    for f in items.follow_ups:
        url = absolute(reverse("people:person-detail", args=[slug, f.person_id]))
        summary = f"Follow up: {f.person.full_name} — {f.title}"
        calendar.add_component(_event(f"follow-up-{f.pk}", summary, f.due_at, url, now))
    for o in items.nudges:
        url = absolute(reverse("people:person-detail", args=[slug, o.person_id]))
        sent = o.sent_at.astimezone(zoneinfo.ZoneInfo(workspace.timezone))
        summary = f"Nudge {o.person.full_name} (no reply since {sent.day} {sent:%b})"
        assert o.next_nudge_due is not None  # the query asks for it
        calendar.add_component(_event(f"nudge-{o.pk}", summary, o.next_nudge_due, url, now))
    for e in items.events:
        url = absolute(reverse("events:event-detail", args=[slug, e.pk]))
        calendar.add_component(_workspace_event(e, url, now, workspace.timezone))
    return calendar.to_ical()
