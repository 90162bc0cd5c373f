"""The rows of a restore: one handler per backup section, writing in batches.

Rows are inserted with `bulk_create` in the backup's order, so the new ids keep the
backup's (database-id) order and a backup of the restored workspace lists everything
in the same order, with the same backup-local ids. Fields the models fill on save
(`updated_at`, `created_at` of workspaces and memberships) are set back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Model

from followthrough.events.models import Attendance, Event, FocusPick
from followthrough.exchange.backup import followup_sections, mail_sections
from followthrough.exchange.backup.restore_batches import batches, build, bulk, check_ids, insert
from followthrough.exchange.backup.restore_checks import (
    card_values,
    contact_point_row,
    detail_row,
    listed,
    nested,
    user_item,
)
from followthrough.exchange.backup.restore_values import (
    IdMap,
    RestoreResult,
    check_row,
    day,
    decode_photo,
    field_error,
    moment,
    parse_datetime,
    short,
    users_for_restore,
)
from followthrough.exchange.backup.sections import SECTIONS
from followthrough.exchange.backup.sequence_items import restore_run, restore_sequence, restore_step
from followthrough.exchange.backup.writer import EVENT_FIELDS, BackupError
from followthrough.exchange.models import ColumnMapping, ExternalId
from followthrough.people.models import (
    ORGANIZATION_FIELDS,
    Affiliation,
    ContactPoint,
    DismissedDuplicate,
    Organization,
    Person,
    PersonDetail,
    Tag,
    photo_path,
)
from followthrough.people.names import full_name as person_full_name
from followthrough.people.search_schema import catch_up as search_catch_up
from followthrough.people.services import birthday_check
from followthrough.relationships.models import FollowUp, Interaction, Relationship
from followthrough.workspaces.models import (
    Engine,
    Membership,
    Role,
    Workspace,
    parse_nudge_gaps,
)

ORDER = tuple(SECTIONS)


class Restorer:
    """Holds the new workspace and the id maps while the sections go by, in order."""

    def __init__(self, slug: str, heartbeat: Callable[[], None] = lambda: None) -> None:
        self.slug = slug
        self.heartbeat = heartbeat  # called after each batch (see restore_cleanup)
        self.workspace: Workspace | None = None
        self.own_organization: Any = None
        self.users: dict[str, Any] = {}
        self.created_users: list[str] = []
        self.created_user_ids: list[int] = []
        self.tags = IdMap("tags")
        self.organizations = IdMap("organizations")
        self.people = IdMap("people")
        self.events = IdMap("events")
        self.focus_picks = IdMap("focus_picks")
        self.follow_ups = IdMap("follow_ups")
        self.sequences = IdMap("sequences")
        self.sequence_steps = IdMap("sequence_steps")
        self.counts: dict[str, int] = {}
        self.files: list[str] = []
        self._next = 0

    @property
    def ws(self) -> Workspace:
        assert self.workspace is not None
        return self.workspace

    def section(self, name: str, value: Any) -> None:
        if name not in SECTIONS:
            raise BackupError(f"The backup has a section “{name}” this release does not know.")
        if ORDER.index(name) < self._next:
            raise BackupError(f"The backup's section “{name}” is out of order or repeated.")
        if name != "workspace" and self.workspace is None:
            raise BackupError("The backup's “workspace” section must come first.")
        self._next = ORDER.index(name) + 1
        if name == "workspace":
            with transaction.atomic():
                build(name, 1, [value], self.restore_workspace)
            return
        if isinstance(value, str | dict) or not isinstance(value, Iterable):
            raise BackupError(f"The backup's section “{name}” is not a list.")
        handler = getattr(self, f"restore_{name}")
        count = 0
        for start, batch in batches(value):
            # Each handler checks and builds its batch first, then writes it in a short
            # transaction: the write lock (taken at BEGIN: IMMEDIATE transactions) is
            # held for the inserts only, never for the whole restore — the workspace
            # stays hidden until `finish`, and a failure deletes it.
            handler(start, batch)
            search_catch_up(connection)  # the batch searchable: a short transaction too
            self.heartbeat()
            count += len(batch)
        self.counts[name] = count

    def finish(self) -> None:
        """Link our own organization and show the workspace: one small transaction."""
        if self.workspace is None:
            raise BackupError("The backup has no “workspace” section.")
        try:
            own = self.organizations.get(self.own_organization, "organization")
        except ValidationError as error:
            raise BackupError(f"workspace record 1, {field_error(error)}") from None
        with transaction.atomic():
            Workspace.objects.filter(pk=self.ws.pk).update(organization_id=own, restoring=False)

    def result(self) -> RestoreResult:
        self.ws.refresh_from_db()
        return RestoreResult(self.ws, self.counts, self.created_users)

    def user(self, email: Any, field: str | None = None) -> Any:
        if email is None:
            return None
        user = self.users.get(str(email).lower())
        if user is None:
            message = f"refers to the user {short(email)}, who is not in the backup's users"
            raise ValidationError({field: message}) if field else ValueError(message)
        return user

    def restore_workspace(self, item: dict) -> Workspace:
        engine = item.get("match_engine", Engine.LEXICAL)  # absent from older backups
        workspace = Workspace(
            name=item["name"],
            slug=self.slug,
            timezone=item["timezone"],
            focus_pick_limit=item["focus_pick_limit"],
            follow_up_window_hours=item["follow_up_window_hours"],
            match_engine=engine,
            # Absent from backups older than outreach: the defaults.
            nudge_gaps=item.get("nudge_gaps", "4, 10, 21"),
            nudge_cap=item.get("nudge_cap", 3),
            restoring=True,  # hidden from everyone until the last batch is in
        )
        check_row(workspace)
        workspace.nudge_gaps = ", ".join(map(str, parse_nudge_gaps(workspace.nudge_gaps)))
        created_at = moment(item, "created_at")
        workspace.save()
        self.workspace = workspace
        if created_at:
            Workspace.objects.filter(pk=self.ws.pk).update(created_at=created_at)
        self.own_organization = item.get("organization")
        return workspace

    def restore_users(self, start: int, batch: list[dict]) -> None:
        build("users", start, batch, user_item)
        created = len(self.created_users)
        with transaction.atomic():  # all or none of the batch's accounts, so all are known
            found = users_for_restore(iter(batch), self.created_users)
        self.users.update(found)
        # Accounts this restore made: deleted again if it fails.
        self.created_user_ids += [found[e.lower()].pk for e in self.created_users[created:]]

    def restore_members(self, start: int, batch: list[dict]) -> None:
        build("members", start, batch, self._membership)

    def _membership(self, item: dict) -> Membership:
        if item["role"] not in Role.values:
            raise ValidationError({"role": f"is not one of {', '.join(Role.values)}"})
        # Two accounts whose e-mails differ only in case map to one account: one membership.
        membership, created = Membership.objects.get_or_create(
            workspace=self.ws, user=self.user(item["user"], "user"), defaults={"role": item["role"]}
        )
        if created and (created_at := moment(item, "created_at")):
            Membership.objects.filter(pk=membership.pk).update(created_at=created_at)
        return membership

    def restore_digests(self, start: int, batch: list[dict]) -> None:
        build("digests", start, batch, partial(followup_sections.digest_row, self.ws, self.user))

    def restore_tags(self, start: int, batch: list[dict]) -> None:
        check_ids("tags", start, batch)
        tags = bulk("tags", start, batch, self._tag)
        self.tags.extend([tag.pk for tag in tags])

    def _tag(self, item: dict) -> Tag:
        return Tag(workspace=self.ws, name=item["name"], cadence_days=item["cadence_days"])

    def restore_organizations(self, start: int, batch: list[dict]) -> None:
        check_ids("organizations", start, batch)
        built = build("organizations", start, batch, self._organization)
        with transaction.atomic():
            orgs = insert("organizations", start, batch, [org for org, _, _ in built])
            restore_updated_at(Organization, [(org, updated) for org, updated, _ in built])
            through = Organization.focus_areas.through
            through.objects.bulk_create(
                through(organization_id=org.pk, tag_id=tag)
                for org, _, tags in built
                for tag in tags
            )
        self.organizations.extend([org.pk for org in orgs])

    def _organization(self, item: dict) -> tuple[Organization, Any, list[int]]:
        org = Organization(
            workspace=self.ws,
            created_at=moment(item, "created_at"),
            **{name: item[name] for name in ORGANIZATION_FIELDS},
        )
        tags = [self.tags.require(local, "focus_areas") for local in listed(item, "focus_areas")]
        return org, moment(item, "updated_at"), tags

    def restore_people(self, start: int, batch: list[dict]) -> None:
        check_ids("people", start, batch)
        built = build("people", start, batch, self._person)  # photos stored, all checked
        with transaction.atomic():
            people = insert("people", start, batch, [person for person, _ in built])
            restore_updated_at(Person, [(person, parsed["updated_at"]) for person, parsed in built])
            rows: dict[type[Model], list[Model]] = {
                ContactPoint: [], Person.tags.through: [], Affiliation: [], PersonDetail: [],
                Relationship: [],
            }  # fmt: skip
            for person, parsed in built:
                for model, objects in parsed["rows"].items():
                    for obj in objects:
                        obj.person_id = person.pk
                    rows[model].extend(objects)
            for model, objects in rows.items():
                model._default_manager.bulk_create(objects)
        self.people.extend([person.pk for person in people])

    def _person(self, item: dict) -> tuple[Person, dict]:
        """A person (its photo stored) and its rows of other tables, all checked."""
        first_name, last_name = item["first_name"], item["last_name"]
        if not isinstance(first_name, str):
            raise ValidationError({"first_name": "is not text"})
        if not isinstance(last_name, str):
            raise ValidationError({"last_name": "is not text"})
        birthday_check(item["birthday_month"], item["birthday_day"], item["birthday_year"])
        person = Person(
            workspace=self.ws,
            first_name=first_name,
            last_name=last_name,
            full_name=person_full_name(first_name, last_name),
            headline=item["headline"],
            notes=item["notes"],
            birthday_year=item["birthday_year"],
            birthday_month=item["birthday_month"],
            birthday_day=item["birthday_day"],
            **card_values(item),
            created_at=moment(item, "created_at"),
        )  # checked by `build` (its photo too) once made
        ws = self.ws
        relationship = item["relationship"]
        rows: dict[type[Model], list[Model]] = {
            ContactPoint: [
                nested(f"contact_points[{n}]", partial(contact_point_row, ws), point)
                for n, point in enumerate(listed(item, "contact_points"))
            ],
            Person.tags.through: [
                Person.tags.through(tag_id=self.tags.require(local, "tags"))
                for local in listed(item, "tags")
            ],
            Affiliation: [
                nested(f"affiliations[{n}]", self._affiliation, affiliation)
                for n, affiliation in enumerate(listed(item, "affiliations"))
            ],
            PersonDetail: [
                nested(f"details[{n}]", partial(detail_row, ws), detail)
                for n, detail in enumerate(listed(item, "details") if "details" in item else [])
            ],
            Relationship: [] if relationship is None
            else [nested("relationship", self._relationship, relationship)],
        }  # fmt: skip
        if photo := decode_photo(item["photo"]):
            # The name's suffix is the re-encoded format's, never the file's.
            name = photo_path(person, f"photo.{photo.suffix}")
            name = default_storage.save(name, ContentFile(photo.data))
            self.files.append(name)
            person.photo.name = name
        return person, {"updated_at": moment(item, "updated_at"), "rows": rows}

    def _affiliation(self, item: dict) -> Affiliation:
        return Affiliation(
            workspace=self.ws,
            organization_id=self.organizations.require(item["organization"], "organization"),
            role=item["role"],
            department=item.get("department", ""),  # none before backup version 2
            function=item.get("function", ""),
            started_on=day(item, "started_on"),
            ended_on=day(item, "ended_on"),
        )

    def _relationship(self, item: dict) -> Relationship:
        return Relationship(
            workspace=self.ws,
            organization_id=self.organizations.get(item["organization"], "organization"),
            owner=self.user(item["owner"], "owner"),
            stage=item["stage"],
            cadence_days=item["cadence_days"],
            last_interaction_at=moment(item, "last_interaction_at"),
            next_touch_due=moment(item, "next_touch_due"),
            created_at=moment(item, "created_at"),
        )

    def restore_external_ids(self, start: int, batch: list[dict]) -> None:
        bulk("external_ids", start, batch, self._external_id)

    def _external_id(self, item: dict) -> ExternalId:
        return ExternalId(
            workspace=self.ws,
            system=item["system"],
            value=item["value"],
            person_id=self.people.get(item["person"], "person"),
            organization_id=self.organizations.get(item["organization"], "organization"),
        )

    def restore_events(self, start: int, batch: list[dict]) -> None:
        check_ids("events", start, batch)
        events = bulk("events", start, batch, self._event)
        self.events.extend([event.pk for event in events])

    def _event(self, item: dict) -> Event:
        return Event(
            workspace=self.ws,
            starts_at=moment(item, "starts_at"),
            ends_at=moment(item, "ends_at"),
            created_at=moment(item, "created_at"),
            **{name: item[name] for name in EVENT_FIELDS if name != "cancelled"},
            cancelled=item.get("cancelled", False),  # none before backup version 2
        )

    def restore_attendances(self, start: int, batch: list[dict]) -> None:
        bulk("attendances", start, batch, self._attendance)

    def _attendance(self, item: dict) -> Attendance:
        return Attendance(
            workspace=self.ws,
            event_id=self.events.require(item["event"], "event"),
            person_id=self.people.require(item["person"], "person"),
            rsvp=item["rsvp"],
            checked_in=bool(item["checked_in"]),
            added_at=moment(item, "added_at"),
        )

    def restore_focus_picks(self, start: int, batch: list[dict]) -> None:
        check_ids("focus_picks", start, batch)
        picks = bulk("focus_picks", start, batch, self._focus_pick)
        self.focus_picks.extend([pick.pk for pick in picks])

    def _focus_pick(self, item: dict) -> FocusPick:
        return FocusPick(
            workspace=self.ws,
            event_id=self.events.require(item["event"], "event"),
            person_id=self.people.require(item["person"], "person"),
            picked_by=self.user(item["picked_by"], "picked_by"),
            picked_at=moment(item, "picked_at"),
            reason=item["reason"],
            over_limit=bool(item["over_limit"]),
        )

    def restore_interactions(self, start: int, batch: list[dict]) -> None:
        bulk("interactions", start, batch, self._interaction)

    def _interaction(self, item: dict) -> Interaction:
        return Interaction(
            workspace=self.ws,
            person_id=self.people.get(item["person"], "person"),
            organization_id=self.organizations.get(item["organization"], "organization"),
            event_id=self.events.get(item["event"], "event"),
            kind=item["kind"],
            occurred_at=moment(item, "occurred_at"),
            summary=item["summary"],
            note=item["note"],
            logged_by=self.user(item["logged_by"], "logged_by"),
            # Backups written before message ids were kept have none.
            message_id=item.get("message_id", ""),
            created_at=moment(item, "created_at"),
        )

    def restore_follow_ups(self, start: int, batch: list[dict]) -> None:
        if isinstance(batch[0], dict) and "id" in batch[0]:  # none before sequences
            check_ids("follow_ups", start, batch)
        self.follow_ups.extend([f.pk for f in bulk("follow_ups", start, batch, self._follow_up)])

    def restore_sequences(self, start: int, batch: list[dict]) -> None:
        check_ids("sequences", start, batch)
        made = bulk("sequences", start, batch, lambda item: restore_sequence(self, item))
        self.sequences.extend([sequence.pk for sequence in made])

    def restore_sequence_steps(self, start: int, batch: list[dict]) -> None:
        check_ids("sequence_steps", start, batch)
        made = bulk("sequence_steps", start, batch, lambda item: restore_step(self, item))
        self.sequence_steps.extend([step.pk for step in made])

    def restore_sequence_runs(self, start: int, batch: list[dict]) -> None:
        bulk("sequence_runs", start, batch, lambda item: restore_run(self, item))

    def _follow_up(self, item: dict) -> FollowUp:
        return FollowUp(
            workspace=self.ws,
            person_id=self.people.require(item["person"], "person"),
            event_id=self.events.get(item["event"], "event"),
            focus_pick_id=self.focus_picks.get(item["focus_pick"], "focus_pick"),
            title=item["title"],
            due_at=moment(item, "due_at"),
            status=item["status"],
            snooze_count=item["snooze_count"],
            assigned_to=self.user(item["assigned_to"], "assigned_to"),
            done_at=moment(item, "done_at"),
            created_at=moment(item, "created_at"),
        )

    def restore_outreach(self, start: int, batch: list[dict]) -> None:
        make = partial(followup_sections.outreach_row, self.ws, self.user, self.people.require)
        bulk("outreach", start, batch, make)

    def restore_dismissed_duplicates(self, start: int, batch: list[dict]) -> None:
        bulk("dismissed_duplicates", start, batch, self._dismissed_duplicate)

    def _dismissed_duplicate(self, item: dict) -> DismissedDuplicate:
        return DismissedDuplicate(
            workspace=self.ws,
            person_a_id=self.people.require(item["person_a"], "person_a"),
            person_b_id=self.people.require(item["person_b"], "person_b"),
            dismissed_by=self.user(item["dismissed_by"], "dismissed_by"),
            dismissed_at=moment(item, "dismissed_at"),
        )

    def restore_column_mappings(self, start: int, batch: list[dict]) -> None:
        bulk("column_mappings", start, batch, self._column_mapping)

    def _column_mapping(self, item: dict) -> ColumnMapping:
        return ColumnMapping(
            workspace=self.ws,
            name=item["name"],
            mapping=item["mapping"],
            created_at=moment(item, "created_at"),
        )

    def restore_mail_settings(self, start: int, batch: list[dict]) -> None:
        bulk("mail_settings", start, batch[:1], partial(mail_sections.mail_settings_row, self.ws))

    def restore_sender_profiles(self, start: int, batch: list[dict]) -> None:
        make = partial(mail_sections.sender_profile_row, self.ws, user=self.user)
        bulk("sender_profiles", start, batch, make)

    def restore_email_templates(self, start: int, batch: list[dict]) -> None:
        bulk("email_templates", start, batch, partial(mail_sections.email_template_row, self.ws))

    def restore_meetings(self, start: int, batch: list[dict]) -> None:
        bulk("meetings", start, batch, lambda item: mail_sections.meeting_row(
            self.ws, item, self.people.require(item["person"], "person"), self.user, parse_datetime
        ))  # fmt: skip


def restore_updated_at(model: type[Model], rows: list[tuple[Model, Any]]) -> None:
    """Put back `updated_at` (an auto_now field, which bulk_create set to now)."""
    for obj, updated_at in rows:
        obj.updated_at = updated_at  # type: ignore[attr-defined]  # every model given has one
    model._default_manager.bulk_update([obj for obj, _ in rows], ["updated_at"], batch_size=500)
