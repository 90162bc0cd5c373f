"""The JSON backup of one workspace.

A backup is one JSON object of sections, streamed with one record per line:

    {"format":"followthrough-backup","version":2,
    "workspace":{…},
    "users":[
    {…},
    …],
    …}

Rows carry backup-local ids (1, 2, … in each section, in database-id order) and refer
to each other by them; users are referred to by e-mail. A person's record holds the rows
that are theirs alone: tags, contact points (an address with its parts), affiliations,
details (related people and what else their address-book card said) and relationship.
No database id, slug or export time is written, so backing up a restored workspace gives
the same bytes again. What a
backup leaves out — import history, saved sessions, passwords — is listed in
docs/import-export.md.
"""

from __future__ import annotations

import base64
import json
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, Prefetch, QuerySet

from followthrough.events.models import Attendance, Event, FocusPick
from followthrough.exchange.backup import followup_sections, mail_sections
from followthrough.exchange.backup.sequence_items import (
    sequence_items,
    sequence_run_items,
    sequence_step_items,
)
from followthrough.exchange.exports.streaming import CHUNK_SIZE, buffered
from followthrough.exchange.models import ColumnMapping, ExternalId
from followthrough.mail.models import Meeting, SenderProfile
from followthrough.outreach.models import Outreach
from followthrough.people.models import (
    CARD_FIELDS,
    ORGANIZATION_FIELDS,
    Affiliation,
    ContactPoint,
    DismissedDuplicate,
    Organization,
    Person,
    PersonDetail,
    Tag,
)
from followthrough.people.models import PERSON_FIELDS as MODEL_PERSON_FIELDS
from followthrough.relationships.models import FollowUp, Interaction, Relationship
from followthrough.sequences.models import SequenceRun
from followthrough.workspaces.models import Membership, Workspace

FORMAT = "followthrough-backup"
# 2: people's address-book values (CARD_FIELDS), an affiliation's department and
# function, a contact point's address parts, a person's details (issue 13). A backup of
# version 1 restores with those empty; a release that reads only version 1 refuses a
# version 2 backup instead of restoring it without them.
VERSION = 2


class BackupError(Exception):
    """A backup that cannot be made or read, with the reason for a person to read."""


def dump(value: Any) -> str:
    """Compact JSON, one line (json escapes newlines in strings), unicode kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class LocalIds:
    """Database ids → backup-local ids (1, 2, …), for rows fetched in id order.

    The ids are kept in a compact sorted array (8 bytes each), so 100,000 people cost
    under 1 MB. An id that is not there (another workspace's row) maps to None.
    """

    def __init__(self) -> None:
        self._ids = array("q")

    def add(self, pk: int) -> int:
        self._ids.append(pk)
        return len(self._ids)

    def get(self, pk: int | None) -> int | None:
        if pk is None:
            return None
        index = bisect_left(self._ids, pk)
        return index + 1 if index < len(self._ids) and self._ids[index] == pk else None


class _Writer:
    """Writes one workspace's sections; holds the id maps between them."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.tags = LocalIds()
        self.organizations = LocalIds()
        self.people = LocalIds()
        self.events = LocalIds()
        self.focus_picks = LocalIds()
        self.follow_ups = LocalIds()
        self.sequences = LocalIds()
        self.sequence_steps = LocalIds()
        self.emails: dict[int, str] = {}

    def scoped(self, model: type[Model]) -> QuerySet:
        return model._default_manager.filter(workspace=self.workspace).order_by("pk")

    def user(self, pk: int | None) -> str | None:
        return self.emails.get(pk) if pk is not None else None

    def rows(self, queryset: QuerySet) -> Iterator[Any]:
        return queryset.iterator(chunk_size=CHUNK_SIZE)

    def chunks(self) -> Iterator[str]:
        yield f'{{"format":{dump(FORMAT)},"version":{VERSION},\n'
        yield f'"workspace":{dump(self.workspace_settings())}'
        for name, items in self.sections():
            yield f',\n"{name}":['
            separator = "\n"
            for item in items:
                yield separator + dump(item)
                separator = ",\n"
            yield "]"
        yield "}\n"

    def sections(self) -> Iterator[tuple[str, Iterable[dict[str, Any]]]]:
        yield "users", self.users()
        yield "members", self.members()
        yield "digests", followup_sections.digest_items(self.scoped, self.user, utc_text)
        yield "tags", self.tag_items()
        yield "organizations", self.organization_items()
        yield "people", self.person_items()
        yield "external_ids", self.external_id_items()
        yield "events", self.event_items()
        yield "attendances", self.attendance_items()
        yield "focus_picks", self.focus_pick_items()
        yield "interactions", self.interaction_items()
        yield "follow_ups", self.follow_up_items()
        yield "sequences", sequence_items(self, utc_text)
        yield "sequence_steps", sequence_step_items(self)
        yield "sequence_runs", sequence_run_items(self, utc_text)
        yield (
            "outreach",
            followup_sections.outreach_items(self.values, self.people.get, self.user, utc_text),
        )
        yield "dismissed_duplicates", self.dismissed_duplicate_items()
        yield "column_mappings", self.column_mapping_items()
        yield "mail_settings", mail_sections.mail_settings_items(self.workspace)
        yield "sender_profiles", mail_sections.sender_profile_items(self.workspace, self.user)
        yield "email_templates", mail_sections.email_template_items(self.workspace)
        yield "meetings", mail_sections.meeting_items(self.workspace, self.people.get, self.user)

    def workspace_settings(self) -> dict[str, Any]:
        ws = self.workspace
        own = Organization.objects.filter(workspace=ws).filter(pk=ws.organization_id)
        own_rank = (
            Organization.objects.filter(workspace=ws, pk__lte=ws.organization_id).count()
            if own.exists()
            else None
        )
        return {
            "name": ws.name,
            "timezone": ws.timezone,
            "focus_pick_limit": ws.focus_pick_limit,
            "follow_up_window_hours": ws.follow_up_window_hours,
            "nudge_gaps": ws.nudge_gaps,
            "nudge_cap": ws.nudge_cap,
            "match_engine": ws.match_engine,
            "created_at": utc_text(ws.created_at),
            "organization": own_rank,
        }

    def users(self) -> Iterator[dict[str, Any]]:
        """Every account the workspace refers to (members, owners, loggers, assignees)."""
        ws = self.workspace
        ids: set[int] = set(
            Membership.objects.filter(workspace=ws).values_list("user_id", flat=True)
        )
        for model, field in (
            (Relationship, "owner_id"),
            (Interaction, "logged_by_id"),
            (FocusPick, "picked_by_id"),
            (FollowUp, "assigned_to_id"),
            (Outreach, "by_id"),
            (SenderProfile, "user_id"),
            (Meeting, "created_by_id"),
            (SequenceRun, "started_by_id"),
        ):
            ids.update(
                model.objects.filter(workspace=ws, **{f"{field}__isnull": False})
                .values_list(field, flat=True)
                .distinct()
            )
        accounts = (
            get_user_model()
            .objects.filter(pk__in=ids)
            .exclude(email="")
            .order_by("email", "pk")
            .values_list("pk", "email", "first_name", "last_name")
        )
        seen: set[str] = set()
        for pk, email, first_name, last_name in accounts:
            self.emails[pk] = email
            if email not in seen:  # one entry per e-mail: a restore maps it to one account
                seen.add(email)
                yield {"email": email, "first_name": first_name, "last_name": last_name}

    def members(self) -> Iterator[dict[str, Any]]:
        rows = self.scoped(Membership).values_list("user_id", "role", "created_at")
        for user_id, role, created_at in rows:
            if email := self.user(user_id):
                yield {"user": email, "role": role, "created_at": utc_text(created_at)}

    def tag_items(self) -> Iterator[dict[str, Any]]:
        for pk, name, cadence_days in self.scoped(Tag).values_list("pk", "name", "cadence_days"):
            yield {"id": self.tags.add(pk), "name": name, "cadence_days": cadence_days}

    def organization_items(self) -> Iterator[dict[str, Any]]:
        tags = Prefetch("focus_areas", queryset=self.scoped(Tag).only("pk"))
        for org in self.rows(self.scoped(Organization).prefetch_related(tags)):
            yield {
                "id": self.organizations.add(org.pk),
                **{name: getattr(org, name) for name in ORGANIZATION_FIELDS},
                "focus_areas": [self.tags.get(tag.pk) for tag in org.focus_areas.all()],
                "created_at": utc_text(org.created_at),
                "updated_at": utc_text(org.updated_at),
            }

    def person_items(self) -> Iterator[dict[str, Any]]:
        people = (
            self.scoped(Person)
            .select_related("relationship")
            .prefetch_related(
                Prefetch("tags", queryset=self.scoped(Tag).only("pk")),
                Prefetch(
                    "contact_points",
                    queryset=self.scoped(ContactPoint).order_by("kind", "position", "pk"),
                ),
                Prefetch("affiliations", queryset=self.scoped(Affiliation)),
                Prefetch(
                    "details", queryset=self.scoped(PersonDetail).order_by("kind", "position", "pk")
                ),
            )
        )
        for person in self.rows(people):
            yield self.person_item(person)

    def person_item(self, person: Person) -> dict[str, Any]:
        return {
            "id": self.people.add(person.pk),
            **{name: getattr(person, name) for name in PERSON_FIELDS},
            "photo": photo_item(person),
            "tags": [self.tags.get(tag.pk) for tag in person.tags.all()],
            "contact_points": [
                {
                    "kind": p.kind,
                    "value": p.value,
                    "label": p.label,
                    "position": p.position,
                    "connected_on": date_text(p.connected_on),
                    "address_parts": p.address_parts,
                }
                for p in person.contact_points.all()
            ],
            "affiliations": [
                {
                    "organization": self.organizations.get(a.organization_id),
                    "role": a.role,
                    "department": a.department,
                    "function": a.function,
                    "started_on": date_text(a.started_on),
                    "ended_on": date_text(a.ended_on),
                }
                for a in person.affiliations.all()
                if self.organizations.get(a.organization_id)
            ],
            "details": [
                {name: getattr(d, name) for name in DETAIL_FIELDS} for d in person.details.all()
            ],
            "relationship": self.relationship_item(getattr(person, "relationship", None)),
            "created_at": utc_text(person.created_at),
            "updated_at": utc_text(person.updated_at),
        }

    def relationship_item(self, relationship: Relationship | None) -> dict[str, Any] | None:
        if relationship is None:
            return None
        return {
            "organization": self.organizations.get(relationship.organization_id),
            "owner": self.user(relationship.owner_id),
            "stage": relationship.stage,
            "cadence_days": relationship.cadence_days,
            "last_interaction_at": utc_text(relationship.last_interaction_at),
            "next_touch_due": utc_text(relationship.next_touch_due),
            "created_at": utc_text(relationship.created_at),
        }

    def values(self, model: type[Model], *fields: str) -> Iterator[dict[str, Any]]:
        return self.scoped(model).values("pk", *fields).iterator(chunk_size=CHUNK_SIZE)

    def external_id_items(self) -> Iterator[dict[str, Any]]:
        for row in self.values(ExternalId, "system", "value", "person_id", "organization_id"):
            person = self.people.get(row["person_id"])
            organization = self.organizations.get(row["organization_id"])
            if person or organization:
                yield {
                    "system": row["system"],
                    "value": row["value"],
                    "person": person,
                    "organization": organization,
                }

    def event_items(self) -> Iterator[dict[str, Any]]:
        for row in self.values(Event, *EVENT_FIELDS, "starts_at", "ends_at", "created_at"):
            yield {
                "id": self.events.add(row["pk"]),
                **{name: row[name] for name in EVENT_FIELDS},
                "starts_at": utc_text(row["starts_at"]),
                "ends_at": utc_text(row["ends_at"]),
                "created_at": utc_text(row["created_at"]),
            }

    def attendance_items(self) -> Iterator[dict[str, Any]]:
        for row in self.values(
            Attendance, "event_id", "person_id", "rsvp", "checked_in", "added_at"
        ):
            event, person = self.events.get(row["event_id"]), self.people.get(row["person_id"])
            if event and person:
                yield {
                    "event": event,
                    "person": person,
                    "rsvp": row["rsvp"],
                    "checked_in": row["checked_in"],
                    "added_at": utc_text(row["added_at"]),
                }

    def focus_pick_items(self) -> Iterator[dict[str, Any]]:
        for row in self.values(
            FocusPick, "event_id", "person_id", "picked_by_id", "picked_at", "reason", "over_limit"
        ):
            event, person = self.events.get(row["event_id"]), self.people.get(row["person_id"])
            if event and person:
                yield {
                    "id": self.focus_picks.add(row["pk"]),
                    "event": event,
                    "person": person,
                    "picked_by": self.user(row["picked_by_id"]),
                    "picked_at": utc_text(row["picked_at"]),
                    "reason": row["reason"],
                    "over_limit": row["over_limit"],
                }

    def interaction_items(self) -> Iterator[dict[str, Any]]:
        for row in self.values(
            Interaction,
            "person_id",
            "organization_id",
            "event_id",
            "kind",
            "occurred_at",
            "summary",
            "note",
            "logged_by_id",
            "message_id",
            "created_at",
        ):
            person = self.people.get(row["person_id"])
            organization = self.organizations.get(row["organization_id"])
            if person or organization:
                yield {
                    "person": person,
                    "organization": organization,
                    "event": self.events.get(row["event_id"]),
                    "kind": row["kind"],
                    "occurred_at": utc_text(row["occurred_at"]),
                    "summary": row["summary"],
                    "note": row["note"],
                    "logged_by": self.user(row["logged_by_id"]),
                    "message_id": row["message_id"],
                    "created_at": utc_text(row["created_at"]),
                }

    def follow_up_items(self) -> Iterator[dict[str, Any]]:
        for row in self.values(
            FollowUp,
            "person_id",
            "event_id",
            "focus_pick_id",
            "title",
            "due_at",
            "status",
            "snooze_count",
            "assigned_to_id",
            "done_at",
            "created_at",
        ):
            if person := self.people.get(row["person_id"]):
                yield {
                    "id": self.follow_ups.add(row["pk"]),
                    "person": person,
                    "event": self.events.get(row["event_id"]),
                    "focus_pick": self.focus_picks.get(row["focus_pick_id"]),
                    "title": row["title"],
                    "due_at": utc_text(row["due_at"]),
                    "status": row["status"],
                    "snooze_count": row["snooze_count"],
                    "assigned_to": self.user(row["assigned_to_id"]),
                    "done_at": utc_text(row["done_at"]),
                    "created_at": utc_text(row["created_at"]),
                }

    def dismissed_duplicate_items(self) -> Iterator[dict[str, Any]]:
        rows = self.values(
            DismissedDuplicate, "person_a_id", "person_b_id", "dismissed_by_id", "dismissed_at"
        )
        for row in rows:
            person_a, person_b = (
                self.people.get(row["person_a_id"]),
                self.people.get(row["person_b_id"]),
            )
            if person_a and person_b:
                yield {
                    "person_a": person_a,
                    "person_b": person_b,
                    "dismissed_by": self.user(row["dismissed_by_id"]),
                    "dismissed_at": utc_text(row["dismissed_at"]),
                }

    def column_mapping_items(self) -> Iterator[dict[str, Any]]:
        for row in self.values(ColumnMapping, "name", "mapping", "created_at"):
            yield {
                "name": row["name"],
                "mapping": row["mapping"],
                "created_at": utc_text(row["created_at"]),
            }


# What a backup carries of a person as plain values: the model's PERSON_FIELDS but the
# photo (written as its bytes), in the order backups have always had them.
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "headline",
    "notes",
    "birthday_year",
    "birthday_month",
    "birthday_day",
    *CARD_FIELDS,
)
assert {*PERSON_FIELDS, "photo"} == set(MODEL_PERSON_FIELDS), "a person field is not backed up"
# Of each of a person's details (`people.PersonDetail`), for the writer and the restorer.
DETAIL_FIELDS = ("kind", "label", "params", "value", "position")
# What a backup carries of an event besides its times (written as UTC text), for the
# writer and the restorer alike.
EVENT_FIELDS = (
    "title",
    "kind",
    "location",
    "notes",
    "all_day",
    "time_zone",
    "rrule",
    "source_uid",
    "cancelled",  # since version 2
)


def utc_text(value: datetime | None) -> str | None:
    """A date-time as exact, zone-free text for backups: ISO 8601 in UTC."""
    return value.astimezone(UTC).isoformat() if value else None


def date_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def photo_item(person: Person) -> dict[str, str] | None:
    """The photo's bytes (base64) and file extension; None without one, or when its
    file is missing from the media folder."""
    if not person.photo:
        return None
    try:
        with person.photo.storage.open(person.photo.name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return {
        "extension": PurePath(person.photo.name).suffix.lower()[:5],
        "data": base64.b64encode(data).decode("ascii"),
    }


def backup_chunks(*, workspace: Workspace) -> Iterator[str]:
    """The workspace's backup as text chunks, read section by section in id order.

    Memory holds one chunk of rows and the id maps (8 bytes per row); run it inside
    `read_snapshot` (as the views and commands do) for a consistent copy.
    """
    return buffered(_Writer(workspace).chunks())
