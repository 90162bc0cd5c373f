"""How an import decides that a record is someone already in the directory.

Keys, in order (the first that finds someone wins):

0. the UID our own vCard export gave a person of this workspace (`own_uids`): that person;
1. an external id (`ExternalId` system + value: a vCard UID, an event platform's id …);
2. an e-mail address, case-insensitive (`ContactPoint.normalized`);
3. a LinkedIn profile URL, in canonical form (a link whose `ContactPoint.normalized` is
   the profile: `people.linkedin`);
4. only for a record with none of those: the same name (exactly as the person's full
   name) together with the same phone number, the same organization, or — for an
   attendee — the same event (`KeylessIndex`), so that re-importing a file of contacts
   without e-mail addresses does not duplicate them.

A similar name at the same organization (rapidfuzz) is never applied: it becomes a
suggested merge for the duplicates page. Lookups run once per batch of records with a
bounded number of queries (`KeyIndex.load`), never once per record; everything is
scoped to one workspace.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from typing import Any

from django.db import connection
from rapidfuzz import fuzz, process

from followthrough.exchange.imports.incoming import Incoming
from followthrough.exchange.imports.row_writer import select_in
from followthrough.people.models import ContactKind
from followthrough.people.names import NAME_MATCH_CUTOFF, full_name
from followthrough.people.names import name_key as person_name_key

# People cached per organization for fuzzy matching, for the whole import.
ORG_MEMBERS_CACHE = 200_000

# ("i", "", id) | ("x", system, value) | ("e", "", email) | ("l", "", profile)
Key = tuple[str, str, str]
SuggestedPair = tuple[int, int]  # (smaller person id, larger)


def name_key(first: str, last: str) -> str:
    """The matching key of a person's name (`people.names.name_key`)."""
    return person_name_key(full_name(first, last))


def record_keys(incoming: Incoming) -> list[Key]:
    """The record's dedupe keys in priority order (computed once per record)."""
    if incoming.keys is not None:
        return incoming.keys
    keys: list[Key] = [("i", "", str(incoming.own_id))] if incoming.own_id else []
    keys += [("x", system, value) for system, value in sorted(incoming.external_ids.items())]
    keys += [("e", "", normalized) for _, normalized in incoming.emails]
    if incoming.profile:
        keys.append(("l", "", incoming.profile))
    incoming.keys = keys
    return keys


class KeyIndex:
    """Dedupe keys → person ids, for one batch: loaded from the database once, then
    extended with the people the batch itself creates, so a person twice in one file is
    found the second time."""

    def __init__(self) -> None:
        self.owner: dict[Key, int] = {}

    @classmethod
    def load(cls, *, workspace_id: int, incomings: Sequence[Incoming]) -> KeyIndex:
        """Owners of every key of these records. Cost: one indexed lookup of the
        batch's keys per external-id system, one for the e-mails and one for the
        LinkedIn profiles (links, by their canonical normalized value)."""
        index = cls()
        systems: dict[str, set[str]] = {}
        emails: set[str] = set()
        profiles: set[str] = set()
        own: set[int] = set()
        for incoming in incomings:
            for kind, system, value in record_keys(incoming):
                if kind == "i":
                    own.add(int(value))
                elif kind == "x":
                    systems.setdefault(system, set()).add(value)
                elif kind == "e":
                    emails.add(value)
                else:
                    profiles.add(value)
        index._load_own(workspace_id, own)
        index._load_external(workspace_id, systems)
        index._load_contacts(workspace_id, ContactKind.EMAIL, "e", emails)
        index._load_contacts(workspace_id, ContactKind.URL, "l", profiles)
        return index

    def _load_own(self, workspace_id: int, ids: set[int]) -> None:
        """The people of this workspace that our own export's UIDs name (`own_uids`)."""
        if not ids:
            return
        rows = select_in(
            connection,
            "SELECT id FROM people_person WHERE workspace_id = %s AND id IN ({values})",
            sorted(ids),
            [workspace_id],
        )
        for (pk,) in rows:
            self.owner[("i", "", str(pk))] = pk

    def _load_external(self, workspace_id: int, systems: dict[str, set[str]]) -> None:
        # No "person is not null" in SQL: with it SQLite walks the (workspace, person)
        # index over every id of the workspace instead of seeking the unique values.
        for system, values in systems.items():
            rows = select_in(
                connection,
                "SELECT value, person_id FROM exchange_externalid "
                "WHERE workspace_id = %s AND system = %s AND value IN ({values})",
                sorted(values),
                [workspace_id, system],
            )
            for value, person_id in rows:
                if person_id is not None:
                    self.owner[("x", system, value)] = person_id

    def _load_contacts(self, workspace_id: int, kind: str, key: str, values: set[str]) -> None:
        if not values:
            return
        for normalized, person_id in _contact_owners(workspace_id, kind, values):
            self._keep_lowest((key, "", normalized), person_id)

    def _keep_lowest(self, key: Key, person_id: int) -> None:
        """Several people may share an e-mail or a profile: the oldest (lowest id) is
        the match."""
        current = self.owner.get(key)
        if current is None or person_id < current:
            self.owner[key] = person_id

    def match(self, incoming: Incoming) -> tuple[int | None, list[tuple[Key, int]]]:
        """The person this record is (by the first key that has an owner), and the other
        people its remaining keys belong to — candidates for a suggested merge."""
        found: int | None = None
        others: list[tuple[Key, int]] = []
        for key in record_keys(incoming):
            owner = self.owner.get(key)
            if owner is None:
                continue
            if found is None:
                found = owner
            elif owner != found:
                others.append((key, owner))
        return found, others

    def claim(self, incoming: Incoming, person_id: int) -> None:
        """Give the record's unowned keys to `person_id` (its later duplicates find it)."""
        for key in record_keys(incoming):
            self.owner.setdefault(key, person_id)


def _contact_owners(workspace_id: int, kind: str, keys: Iterable[str]) -> list[tuple[str, int]]:
    """(normalized, person id) of the contact points of `kind` with these keys. No ORDER
    BY: with one, SQLite walks another index over the whole workspace."""
    return select_in(
        connection,
        "SELECT normalized, person_id FROM people_contactpoint "
        "WHERE workspace_id = %s AND kind = %s AND normalized IN ({values})",
        sorted(keys),
        [workspace_id, kind],
    )


REASONS = {
    "i": "same record",
    "x": "same external id",
    "e": "same e-mail",
    "l": "same LinkedIn profile",
}
NameKey = tuple[str, str, Any]  # ("p", full name, phone) | ("o", name, org) | ("v", name, event)


def keyless_keys(incoming: Incoming, org_id: int | None, event_id: int | None) -> list[NameKey]:
    """Last-resort keys of a record that has no id, e-mail or profile."""
    if record_keys(incoming):
        return []
    name = full_name(incoming.first_name, incoming.last_name)
    if not name:
        return []
    keys: list[NameKey] = [("p", name, phone) for _, phone in incoming.phones]
    if org_id is not None:
        keys.append(("o", name, org_id))
    if event_id is not None:
        keys.append(("v", name, event_id))
    return keys


class KeylessIndex:
    """People found by name and phone, organization or event, for the batch's records
    that have no other key. Four indexed queries, only when there are such records."""

    def __init__(self) -> None:
        self.owner: dict[NameKey, int] = {}

    @classmethod
    def load(cls, *, workspace_id: int, names: set[str]) -> KeylessIndex:
        index = cls()
        if not names:
            return index
        found = select_in(
            connection,
            "SELECT id, full_name FROM people_person WHERE workspace_id = %s "
            "AND full_name IN ({values})",
            sorted(names),
            [workspace_id],
        )
        name_of = dict(found)
        ids = sorted(name_of)
        if not ids:
            return index
        for kind, sql in (
            (
                "p",
                "SELECT person_id, normalized FROM people_contactpoint "
                "WHERE workspace_id = %s AND kind = 'phone' AND person_id IN ({values})",
            ),
            (
                "o",
                "SELECT person_id, organization_id FROM people_affiliation "
                "WHERE workspace_id = %s AND person_id IN ({values})",
            ),
            (
                "v",
                "SELECT person_id, event_id FROM events_attendance "
                "WHERE workspace_id = %s AND person_id IN ({values})",
            ),
        ):
            for person_id, value in select_in(connection, sql, ids, [workspace_id]):
                key = (kind, name_of[person_id], value)
                if person_id < index.owner.get(key, person_id + 1):
                    index.owner[key] = person_id
        return index

    def match(self, keys: list[NameKey]) -> int | None:
        return next((self.owner[k] for k in keys if k in self.owner), None)

    def claim(self, keys: list[NameKey], person_id: int) -> None:
        for key in keys:
            self.owner.setdefault(key, person_id)


class OrgMembers:
    """Names of the people affiliated with each organization, for fuzzy matching;
    loaded per batch for the organizations not yet seen (one query), cached for the
    import up to `ORG_MEMBERS_CACHE` people, then started afresh."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.members: dict[int, dict[int, str]] = {}
        self.size = 0
        self.cleared = False

    def load(self, org_ids: Iterable[int], fresh: Container[int] = ()) -> None:
        """Read the members of these organizations; `fresh` ones (created by this
        import) have none in the database yet but the people this import added, which
        `add` has given them — unless the cache was started afresh since."""
        missing = sorted({o for o in org_ids if o not in self.members})
        if not missing:
            return
        if self.size > ORG_MEMBERS_CACHE:
            self.members.clear()
            self.size = 0
            self.cleared = True
        for org_id in missing:
            self.members[org_id] = {}
        if not self.cleared:
            missing = [o for o in missing if o not in fresh]
        if not missing:
            return
        rows = select_in(
            connection,
            "SELECT a.organization_id, a.person_id, p.first_name, p.last_name "
            "FROM people_affiliation a JOIN people_person p ON p.id = a.person_id "
            "WHERE a.workspace_id = %s AND a.organization_id IN ({values})",
            missing,
            [self.workspace_id],
        )
        for org_id, person_id, first, last in rows:
            self.add(org_id, person_id, first, last)

    def add(self, org_id: int, person_id: int, first: str, last: str) -> None:
        self.add_key(org_id, person_id, name_key(first, last))

    def add_key(self, org_id: int, person_id: int, key: str) -> None:
        """`add` with the name already folded (`name_key`)."""
        people = self.members.get(org_id)
        if people is not None and person_id not in people:
            people[person_id] = key
            self.size += 1

    def similar(self, org_id: int, key: str, *, exclude: int) -> list[tuple[int, int]]:
        """(person id, score) of people at `org_id` whose folded name (`name_key`) is
        close to `key`."""
        people = self.members.get(org_id)
        if not people or not key:
            return []
        found = process.extract(
            key,
            people,
            scorer=fuzz.ratio,  # of keys with their words sorted: token_sort_ratio
            score_cutoff=NAME_MATCH_CUTOFF,
            limit=3,
        )
        return [(person_id, round(score)) for _, score, person_id in found if person_id != exclude]
