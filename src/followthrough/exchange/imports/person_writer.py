"""Loading people: one batch of person and attendee records at a time.

For each record: find the person by the dedupe keys (`dedupe`), or create them (with
their relationship, stage Noticed, like `people.services.person_create`); a found person
only gains what they lack — e-mails, phones, links, addresses, messaging handles, tags,
an affiliation (or its role, department or function when empty), ids, details from an
address book (related people, other properties) not among theirs yet, and a headline,
birthday, photo or any field of `people.models.CARD_FIELDS` when theirs is empty — and
notes not in theirs yet. A contact point they have keeps its label.

Cost per batch: a fixed number of queries (the key lookups, the found people's rows in
up to six reads, then one statement per table written), whatever the batch's size.
Columns and tables no record of the batch brings are neither read nor written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection

from followthrough.exchange.imports.dedupe import (
    REASONS,
    KeyIndex,
    KeylessIndex,
    NameKey,
    keyless_keys,
    name_key,
)
from followthrough.exchange.imports.incoming import Card, Incoming
from followthrough.exchange.imports.person_state import (
    AFFILIATION_FIELDS,
    BASE_SCALARS,
    LABEL,
    PersonState,
)
from followthrough.exchange.imports.person_statements import ADDED, write_people
from followthrough.exchange.imports.result import Action
from followthrough.exchange.imports.row_writer import select_in
from followthrough.exchange.imports.run import ImportRun
from followthrough.exchange.models import ExternalId
from followthrough.people.models import (
    ANNIVERSARY_FIELDS,
    CARD_FIELDS,
    Affiliation,
    ContactKind,
    ContactPoint,
    Person,
    PersonDetail,
)
from followthrough.people.names import full_name as person_full_name

Tagging = Person.tags.through
# Plain strings (the enum's values): rows of them bind without the adapter lookup.
KINDS = tuple(
    str(kind.value)
    for kind in (ContactKind.EMAIL, ContactKind.PHONE, ContactKind.URL, ContactKind.ADDRESS)
)
IM = str(ContactKind.IM.value)
SIMILAR_NAME = "similar name at the same organization"
# What the batch's found people already have (`select_in` fills in the ids). Their
# fields (`people_sql`): only those some record of the batch brings are read.
PEOPLE = "SELECT id, workspace_id, first_name, last_name, updated_at{fields} FROM people_person "
READS = {
    "contacts": "SELECT person_id, kind, normalized, position FROM people_contactpoint "
    "WHERE workspace_id = %s AND person_id IN ({values})",
    "tags": "SELECT person_id, tag_id FROM people_person_tags WHERE person_id IN ({values})",
    "affiliations": "SELECT person_id, organization_id, id, role FROM people_affiliation "
    "WHERE workspace_id = %s AND person_id IN ({values})",
    # When a record of the batch brings a department or a function.
    "affiliations_card": 'SELECT person_id, organization_id, id, role, department, "function" '
    "FROM people_affiliation WHERE workspace_id = %s AND person_id IN ({values})",
    "details": "SELECT person_id, kind, label, value, position FROM people_persondetail "
    "WHERE workspace_id = %s AND person_id IN ({values})",
    "external": "SELECT person_id, system, value FROM exchange_externalid "
    "WHERE workspace_id = %s AND person_id IN ({values})",
}


def people_sql(fields: tuple[str, ...]) -> str:
    """The read of found people with `fields` (column names from the model, never input)."""
    columns = "".join(f", {name}" for name in fields)
    return PEOPLE.format(fields=columns) + "WHERE id IN ({values})"


class PeopleBatch:
    """One batch of incoming people: match, load what the matched have, add, write."""

    def __init__(
        self, run: ImportRun, incomings: list[Incoming], event_ids: list[int] | None = None
    ) -> None:
        self.run = run
        self.incomings = incomings
        self.event_ids = event_ids or []
        self.states: dict[int, PersonState] = {}
        self.org_of: dict[int, int | None] = {}  # id(incoming) → organization id
        self.retag: set[int] = set()  # existing people given a tag with a cadence
        self.contact_ids = run.writer.ids(ContactPoint)
        self.json = run.writer.json
        # The rows the batch adds to people, by kind (see `person_statements.ADDED`).
        self.rows: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in ADDED}

    def load(self) -> None:
        """Match, create and update every incoming person; sets `person_id` and
        `action` on each (attendees may still turn "skipped" into "updated")."""
        self._resolve_names()
        index = KeyIndex.load(workspace_id=self.run.workspace_id, incomings=self.incomings)
        firsts = self._match(index, self._keyless())
        self._load_existing()
        for incoming in self.incomings:
            if incoming.person_id is None:
                continue
            state = self.states[incoming.person_id]
            changed = self._absorb(state, incoming, index)
            first = id(incoming) in firsts
            incoming.action = self.run.classify(
                LABEL, state.id, new=state.new, first=first, changed=changed
            )
        self._write()
        self._suggest_similar()

    def _resolve_names(self) -> None:
        """Each incoming's organization: the one its reference (a 4.0 RELATED UID)
        points at, else the one of its name, created when missing."""
        run = self.run
        run.orgs.resolve_refs(i.organization_ref for i in self.incomings)
        by_name = [i for i in self.incomings if i.organization_ref not in run.orgs.by_ref]
        run.orgs.ensure(i.organization for i in by_name)
        run.tags.ensure(t for i in self.incomings for t in i.tags)
        for incoming in self.incomings:
            org_id = run.orgs.by_ref.get(incoming.organization_ref)
            if org_id is None and incoming.organization:
                org_id = run.orgs.by_name.get(incoming.organization.lower())
            elif org_id is None and incoming.organization_ref:
                run.warn(incoming.line, "its organization is not in the file; left out")
            self.org_of[id(incoming)] = org_id

    def _keyless(self) -> dict[int, list[NameKey]]:
        """Last-resort keys of the records without any (see `dedupe`), and their index."""
        keys: dict[int, list[NameKey]] = {}
        for incoming in self.incomings:
            slot = incoming.event_slot
            event_id = None
            if slot is not None:
                event_id = (
                    self.event_ids[slot] if slot >= 0 else getattr(self.run.event, "pk", None)
                )
            found = keyless_keys(incoming, self.org_of[id(incoming)], event_id)
            if found:
                keys[id(incoming)] = found
        names = {key[1] for found in keys.values() for key in found}
        self.keyless_index = KeylessIndex.load(workspace_id=self.run.workspace_id, names=names)
        return keys

    def _match(self, index: KeyIndex, keyless: dict[int, list[NameKey]]) -> set[int]:
        """Give each incoming its person id (found, or new); returns the incomings that
        create a person."""
        firsts: set[int] = set()
        for incoming in self.incomings:
            pk, others = index.match(incoming)
            name_keys = keyless.get(id(incoming), [])
            if pk is None and name_keys:
                pk = self.keyless_index.match(name_keys)
            if pk is None:
                if not incoming.has_name and incoming.emails:
                    incoming.first_name = incoming.emails[0][0][:100]
                if not incoming.has_name:
                    incoming.action = Action.IGNORED
                    self.run.warn(incoming.line, "no name and no e-mail address: left out")
                    continue
                pk = self.run.writer.next_id(Person)
                self.states[pk] = PersonState(
                    pk, True, incoming.first_name, incoming.last_name, updated_at=self.run.now
                )
                self.states[pk].org_id = self.org_of[id(incoming)]
                firsts.add(id(incoming))
            for key, other in others:
                self.run.suggest(pk, other, REASONS[key[0]], 100, incoming.line)
            index.claim(incoming, pk)
            self.keyless_index.claim(name_keys, pk)
            incoming.person_id = pk
        return firsts

    def _load_existing(self) -> None:
        """What the found people have: up to five indexed reads by person id, in plain
        SQL (see `row_writer.select_in`) and without ORDER BY (with one, SQLite walks an index
        over the whole workspace instead of seeking these ids). Rows of a kind no record
        of the batch brings (tags, external ids …) are not read: nothing compares them."""
        ws = self.run.workspace_id
        ids = sorted({i.person_id for i in self.incomings if i.person_id} - set(self.states))
        if not ids:
            return
        brought = self._brought()

        def read(name: str) -> list[tuple[Any, ...]]:
            params = [] if name == "tags" else [ws]
            return select_in(connection, READS[name], ids, params)

        # People by id alone (with the workspace in the WHERE, SQLite prefers the
        # workspace's name index); their ids come from this workspace's lookups, and
        # the workspace is checked all the same. Fields no record brings are not read:
        # they are not in `fields`, and only the fields a person gains are written back.
        names = (*(BASE_SCALARS if brought["fields"] else ()), *brought["card"])
        for pk, workspace_id, first, last, updated_at, *values in select_in(
            connection, people_sql(names), ids
        ):
            if workspace_id != ws:
                raise ValueError(f"person {pk} is not in workspace {ws}")
            fields = dict(zip(names, values, strict=True)) if values else {}
            state = PersonState(pk, False, first, last, fields)
            state.updated_at = updated_at
            self.states[pk] = state
        for pk, kind, normalized, position in read("contacts") if brought["contacts"] else ():
            state = self.states[pk]
            state.contacts.setdefault(kind, set()).add(normalized)
            state.positions[kind] = max(state.positions.get(kind, 0), position + 1)
        for pk, tag_id in read("tags") if brought["tags"] else ():
            self.states[pk].tag_ids.add(tag_id)
        affiliations: list[tuple[Any, ...]] = []
        if brought["affiliations"]:
            affiliations = read("affiliations_card" if brought["departments"] else "affiliations")
        for pk, org_id, aff_id, *values in sorted(affiliations, key=lambda row: row[2]):
            values += [None] * (len(AFFILIATION_FIELDS) - len(values))
            self.states[pk].affiliations.setdefault(org_id, [aff_id, *values, None])
        for pk, system, value in read("external") if brought["external"] else ():
            self.states[pk].external.add((system, value))
        for pk, kind, label, value, position in read("details") if brought["details"] else ():
            state = self.states[pk]
            state.details.add((kind, label, value))
            state.detail_positions[kind] = max(state.detail_positions.get(kind, 0), position + 1)

    def _brought(self) -> dict[str, Any]:
        """Which kinds of rows the batch's records bring to their people, and which of
        the address-book fields (`card`: the `CARD_FIELDS` some record brings)."""
        incomings = self.incomings
        cards = [i.card for i in incomings if i.card is not None]
        card_fields = {name for card in cards for name in card.fields}
        return {
            "fields": any(i.headline or i.notes or i.birthday or i.photo for i in incomings),
            "card": tuple(name for name in CARD_FIELDS if name in card_fields),
            "contacts": any(i.emails or i.phones or i.links or i.addresses for i in incomings)
            or any(card.ims for card in cards),
            "tags": any(i.tags for i in incomings),
            "affiliations": any(org is not None for org in self.org_of.values()),
            "departments": any(card.department or card.function for card in cards),
            "external": any(i.external_ids for i in incomings),
            "details": any(card.details for card in cards),
        }

    def _absorb(self, state: PersonState, incoming: Incoming, index: KeyIndex) -> bool:
        """Add to the person what the record has and they lack; True if anything."""
        changed = self._absorb_fields(state, incoming)
        changed |= self._absorb_contacts(state, incoming)
        for tag_id in self.run.tags.ids(incoming.tags):
            if tag_id not in state.tag_ids:
                state.tag_ids.add(tag_id)
                self.rows["tag"].append((self.run.writer.next_id(Tagging), state.id, tag_id))
                state.added += 1
                if not state.new and self.run.tags.cadence.get(tag_id):
                    self.retag.add(state.id)
                changed = True
        changed |= self._absorb_affiliation(state, incoming)
        if incoming.card is not None and incoming.card.details:
            changed |= self._absorb_details(state, incoming.card.details)
        changed |= self._absorb_name(state, incoming)
        return self._absorb_external_ids(state, incoming, index) or changed

    def _absorb_name(self, state: PersonState, incoming: Incoming) -> bool:
        """A person known only by an e-mail address of theirs (a record without a name
        made them: a calendar invitation, say) takes the first real name a record
        brings; a person with a name keeps it."""
        if state.last_name or "@" not in state.first_name or not incoming.has_name:
            return False  # the common case, decided cheaply
        if state.first_name.strip().lower() not in state.contacts.get(ContactKind.EMAIL, ()):
            return False
        if "@" in incoming.first_name and not incoming.last_name:
            return False  # this record's name is an address too
        if not state.new:
            full_name = person_full_name(state.first_name, state.last_name)
            state.before.setdefault("first_name", state.first_name)
            state.before.setdefault("last_name", state.last_name)
            state.before.setdefault("full_name", full_name)
        state.first_name, state.last_name = incoming.first_name, incoming.last_name
        return True

    def _absorb_contacts(self, state: PersonState, incoming: Incoming) -> bool:
        if incoming.card is not None:
            return self._absorb_card_contacts(state, incoming, incoming.card)
        rows, before = self.rows["contact"], len(self.rows["contact"])
        lists = (incoming.emails, incoming.phones, incoming.links, incoming.addresses)
        rows.extend(row for _key, row in self._new_contacts(state, incoming, KINDS, lists))
        state.added += len(rows) - before
        return len(rows) > before

    def _absorb_card_contacts(self, state: PersonState, incoming: Incoming, card: Card) -> bool:
        """As `_absorb_contacts`, for a record from an address book: its messaging
        handles too, and a contact point with a label or an address's parts is a row
        with them (`typed_contact`); one the person has already keeps its label."""
        plain, typed_rows = self.rows["contact"], self.rows["typed_contact"]
        before = len(plain) + len(typed_rows)
        lists = (incoming.emails, incoming.phones, incoming.links, incoming.addresses, card.ims)
        for key, row in self._new_contacts(state, incoming, (*KINDS, IM), lists):
            typed = card.typed.get(key)
            if typed is None:
                plain.append(row)
            else:
                typed_rows.append((*row, typed[0], self.json(typed[1])))
        added = len(plain) + len(typed_rows) - before
        state.added += added
        return added > 0

    def _new_contacts(
        self,
        state: PersonState,
        incoming: Incoming,
        kinds: tuple[str, ...],
        lists: tuple[list[tuple[str, str]], ...],
    ) -> Iterator[tuple[tuple[str, str], tuple]]:
        """The contact points of `lists` (value, normalized per kind) the person lacks,
        each as ((kind, normalized), row). The hottest loop of an import (a row per
        e-mail, phone, link and address): names are bound once, and ids drawn from the
        writer's iterator."""
        ws, pk, profile = self.run.workspace_id, state.id, incoming.profile
        connected = self.run.writer.date(incoming.connected_on) if profile else None
        ids, contacts, positions = self.contact_ids, state.contacts, state.positions
        for kind, values in zip(kinds, lists, strict=True):
            if not values:
                continue
            have = contacts.setdefault(kind, set())
            for value, normalized in values:
                if normalized in have:
                    continue
                have.add(normalized)
                position = positions.get(kind, 0)
                positions[kind] = position + 1
                when = connected if normalized == profile else None
                row = (next(ids), ws, pk, kind, value, normalized, position, when)
                yield (kind, normalized), row

    def _absorb_details(self, state: PersonState, details: list[tuple[str, str, str, str]]) -> bool:
        """The record's related people and other properties that are not the person's
        yet (the same kind, label and value), after theirs."""
        ws, writer, rows = self.run.workspace_id, self.run.writer, self.rows["detail"]
        before = len(rows)
        for kind, label, params, value in details:
            if (kind, label, value) in state.details:
                continue
            state.details.add((kind, label, value))
            position = state.detail_positions.get(kind, 0)
            state.detail_positions[kind] = position + 1
            row_id = writer.next_id(PersonDetail)
            rows.append((row_id, ws, state.id, kind, label, params, value, position))
        state.added += len(rows) - before
        return len(rows) > before

    def _absorb_external_ids(self, state: PersonState, incoming: Incoming, index: KeyIndex) -> bool:
        changed = False
        writer = self.run.writer
        for system, value in incoming.external_ids.items():
            mine = index.owner.get(("x", system, value)) == state.id
            if (system, value) in state.external or not mine:
                continue  # already theirs, or someone else's (a suggested merge)
            state.external.add((system, value))
            row = (writer.next_id(ExternalId), self.run.workspace_id, system, value, state.id)
            self.rows["external"].append(row)
            state.added += 1
            changed = True
        return changed

    def _absorb_fields(self, state: PersonState, incoming: Incoming) -> bool:
        changed = False
        values = state.fields
        if incoming.card is not None and incoming.card.fields:
            changed = self._absorb_card_fields(state, incoming.card.fields)
        if incoming.headline and not values["headline"]:
            state.set("headline", incoming.headline)
            changed = True
        if incoming.notes and incoming.notes not in (values["notes"] or ""):
            state.set("notes", "\n\n".join(filter(None, [values["notes"], incoming.notes])))
            changed = True
        if incoming.birthday and values["birthday_month"] is None:
            birthday = incoming.birthday
            state.set("birthday_month", birthday.month)
            state.set("birthday_day", birthday.day)
            state.set("birthday_year", birthday.year)
            changed = True
        if incoming.photo and not values["photo"]:
            name = self.run.store_photo(incoming.photo, incoming.line)
            if name:
                state.set("photo", name)
                changed = True
        return changed

    def _absorb_card_fields(self, state: PersonState, fields: dict[str, Any]) -> bool:
        """The address-book fields the person has empty (an anniversary as a whole)."""
        changed = False
        values = state.fields
        for name, value in fields.items():
            if name.startswith("anniversary"):
                continue
            if not values[name]:
                state.set(name, value)
                changed = True
        if "anniversary_month" in fields and values["anniversary_month"] is None:
            for name in ANNIVERSARY_FIELDS:
                state.set(name, fields[name])
            changed = True
        return changed

    def _absorb_affiliation(self, state: PersonState, incoming: Incoming) -> bool:
        """An affiliation with the record's organization, or the role, department and
        function it has empty. One added by this batch is still a row to insert: it is
        given them there."""
        org_id = self.org_of.get(id(incoming))
        if org_id is None:
            return False
        card = incoming.card
        given = (incoming.role, *((card.department, card.function) if card else ("", "")))
        rows = self.rows["affiliation"]
        current = state.affiliations.get(org_id)
        if current is None:
            row_id = self.run.writer.next_id(Affiliation)
            state.affiliations[org_id] = [row_id, *given, len(rows)]
            rows.append((row_id, self.run.workspace_id, state.id, org_id, *given))
            state.added += 1
            return True
        changed = False
        for slot, (name, value) in enumerate(zip(AFFILIATION_FIELDS, given, strict=True), 1):
            if not value or current[slot]:
                continue
            old, current[slot] = current[slot], value
            pending = current[-1]
            if pending is not None:  # added by this batch: not in the database yet
                row = rows[pending]
                rows[pending] = (*row[: 3 + slot], value, *row[4 + slot :])
            else:
                state.affiliation_updates.append((current[0], name, old or "", value))
            changed = True
        return changed

    def _write(self) -> None:
        write_people(self.run, list(self.states.values()), self.rows)

    def _suggest_similar(self) -> None:
        """A new person with a name close to someone's at the same organization: a
        suggested merge (never applied). One query per batch for unseen organizations."""
        members = self.run.members
        new = [s for s in self.states.values() if s.new and s.org_id is not None]
        fresh = self.run.created.get("people.organization", set())
        members.load((s.org_id for s in new if s.org_id is not None), fresh)
        line_of = {i.person_id: i.line for i in reversed(self.incomings)}
        for state in new:
            assert state.org_id is not None
            key = name_key(state.first_name, state.last_name)
            for other, score in members.similar(state.org_id, key, exclude=state.id):
                self.run.suggest(state.id, other, SIMILAR_NAME, score, line_of[state.id])
            members.add_key(state.org_id, state.id, key)
