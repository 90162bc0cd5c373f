"""Loading organization records (the organizations CSV, vCard `KIND:org` cards,
company-only rows of contact CSVs).

An organization is found by an external id of the record, else by its name
(case-insensitive); a found one only gains what it lacks: website, location, mission,
offers, needs and news feed when it has none, focus areas and ids it does not have, and
notes not in it yet. Undo puts back the fields an import filled. Cost per batch: a fixed
number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Field, Q

from followthrough.exchange.formats.own_uids import UID_SYSTEM, pop_own_id
from followthrough.exchange.formats.records import OrganizationRecord
from followthrough.exchange.imports.clean import clean_organization
from followthrough.exchange.imports.result import PreviewRow
from followthrough.exchange.imports.run import ImportRun, jsonable
from followthrough.exchange.models import ExternalId
from followthrough.people.models import ORGANIZATION_FIELDS, Organization

LABEL = "people.organization"
FOCUS_LABEL = "people.organization_focus_areas"
EXTERNAL_LABEL = "exchange.externalid"
FocusAreas = Organization.focus_areas.through
# Fields a found organization gains only when it has none yet.
# What an import fills in when the organization has nothing there yet.
FILLED = tuple(name for name in ORGANIZATION_FIELDS if name not in ("name", "notes"))
COLUMNS = (*FILLED, "notes")


@dataclass
class OrgState:
    id: int
    new: bool
    website: str = ""
    location: str = ""
    mission: str = ""
    offers: str = ""
    needs: str = ""
    feed_url: str = ""
    notes: str = ""
    updated_at: Any = None
    focus: set[int] = field(default_factory=set)
    external: set[tuple[str, str]] = field(default_factory=set)
    added_focus: list[int] = field(default_factory=list)
    added_external: list[tuple[str, str]] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False

    def set(self, name: str, value: Any) -> None:
        if not self.new:
            self.before.setdefault(name, jsonable(getattr(self, name)))
        setattr(self, name, value)
        self.dirty = True


def contact_lines(record: OrganizationRecord, kept_as_location: str = "") -> list[str]:
    """The record's e-mails, phones and addresses as note lines (organizations have no
    contact points of their own), so nothing the file held is lost — but for the
    address that is the organization's location already."""
    return (
        [f"E-mail: {e}" for e in record.emails]
        + [f"Phone: {p}" for p in record.phones]
        + [f"Address: {a}" for a in record.addresses if a != kept_as_location]
    )


def load_organization_records(
    run: ImportRun, records: list[OrganizationRecord]
) -> list[PreviewRow]:
    """Find or create each organization, add what it lacks; returns what each record
    did. Raises `ParseError` for a record without a name."""
    cleaned = [clean_organization(r, run.warn) for r in records]
    if not cleaned:
        return []
    own = _own_organizations(run, cleaned)
    owners = _external_owners(run, cleaned)
    run.orgs.find(r.name for r in cleaned)
    run.tags.ensure(t for r in cleaned for t in r.tags)
    ids_of = _ids_of_named(run, cleaned)
    states: dict[int, OrgState] = {}
    names: dict[int, str] = {}
    matched: list[tuple[OrganizationRecord, int, bool]] = []
    for record in cleaned:
        pk = own.get(id(record))
        if pk is None:
            pk = next((owners[k] for k in sorted(record.external_ids.items()) if k in owners), None)
        if pk is None:
            pk = _by_name(run, record, ids_of)
        first = pk is None
        if pk is None:
            pk = run.writer.next_id(Organization)
            states[pk] = OrgState(pk, new=True)
        names.setdefault(pk, record.name)
        run.orgs.by_name.setdefault(record.name.lower(), pk)
        for key in record.external_ids.items():
            owners.setdefault(key, pk)
            ids_of.setdefault(pk, {}).setdefault(key[0], key[1])
            run.orgs.by_ref.setdefault(key[1], pk)
        matched.append((record, pk, first))
    _load_states(run, states, {pk for _, pk, _ in matched})
    rows = []
    for record, pk, first in matched:
        changed = _absorb(run, states[pk], record, owners)
        action = run.classify(LABEL, pk, new=states[pk].new, first=first, changed=changed)
        rows.append(PreviewRow(record.line, "organization", record.name, action, pk))
    _flush(run, states, names)
    return rows


def _own_organizations(run: ImportRun, records: list[OrganizationRecord]) -> dict[int, int]:
    """id(record) → the organization of this workspace our own export's UID names
    (`own_uids`). The UID is taken out of the record's ids and stays a reference for the
    file's person cards (4.0 RELATED): `resolve_refs` finds it, one query for all."""
    uids = {}
    for record in records:
        uid = record.external_ids.get(UID_SYSTEM, "")
        if pop_own_id(record.external_ids, run.workspace.slug, kind="org") is not None:
            uids[id(record)] = uid
    run.orgs.resolve_refs(uids.values())
    return {key: run.orgs.by_ref[uid] for key, uid in uids.items() if uid in run.orgs.by_ref}


def _ids_of_named(run: ImportRun, records: list[OrganizationRecord]) -> dict[int, dict[str, str]]:
    """The external ids (system → value) of the organizations that records with ids of
    their own would match by name: one query, only when there are such records."""
    named = {run.orgs.by_name.get(r.name.lower()) for r in records if r.external_ids}
    named.discard(None)
    ids: dict[int, dict[str, str]] = {}
    if not named:
        return ids
    rows = (
        ExternalId.objects.filter(workspace_id=run.workspace_id, organization_id__in=named)
        .order_by("pk")
        .values_list("organization_id", "system", "value")
    )
    for pk, system, value in rows:
        ids.setdefault(pk, {}).setdefault(system, value)
    return ids


def _by_name(
    run: ImportRun, record: OrganizationRecord, ids_of: dict[int, dict[str, str]]
) -> int | None:
    """The organization of the record's name (case-insensitive) — unless it has another
    id in a system the record has one in: two cards named "Acme" with different UIDs
    are two organizations, though a record without ids joins the first of its name."""
    pk = run.orgs.by_name.get(record.name.lower())
    if pk is None:
        return None
    theirs = ids_of.get(pk, {})
    clash = any(theirs.get(system, value) != value for system, value in record.external_ids.items())
    return None if clash else pk


def _external_owners(
    run: ImportRun, records: list[OrganizationRecord]
) -> dict[tuple[str, str], int]:
    condition = Q()
    for record in records:
        for system, value in record.external_ids.items():
            condition |= Q(system=system, value=value)
    if not condition:
        return {}
    rows = (
        ExternalId.objects.filter(
            Q(workspace_id=run.workspace_id, organization__isnull=False) & condition
        )
        .order_by()
        .values_list("system", "value", "organization_id")
    )
    return {(system, value): pk for system, value, pk in rows}


def _load_states(run: ImportRun, states: dict[int, OrgState], ids: set[int]) -> None:
    existing = sorted(pk for pk in ids if pk not in states)
    if not existing:
        return
    # By id alone (see `person_writer`): the ids come from lookups in this workspace.
    rows = Organization.objects.filter(pk__in=existing).order_by()
    for pk, workspace_id, updated_at, *values in rows.values_list(
        "id", "workspace_id", "updated_at", *COLUMNS
    ):
        if workspace_id != run.workspace_id:
            raise ValueError(f"organization {pk} is not in workspace {run.workspace_id}")
        fields = dict(zip(COLUMNS, values, strict=True))
        states[pk] = OrgState(pk, False, updated_at=updated_at, **fields)
    for pk, tag_id in FocusAreas.objects.filter(organization_id__in=existing).values_list(
        "organization_id", "tag_id"
    ):
        states[pk].focus.add(tag_id)
    externals = (
        ExternalId.objects.filter(workspace_id=run.workspace_id, organization_id__in=existing)
        .order_by()
        .values_list("organization_id", "system", "value")
    )
    for pk, system, value in externals:
        states[pk].external.add((system, value))


def _absorb(
    run: ImportRun,
    state: OrgState,
    record: OrganizationRecord,
    owners: dict[tuple[str, str], int],
) -> bool:
    """Give the organization what the record adds; True when anything was added."""
    added = False
    for name in FILLED:
        value = _given(record, name)
        if value and not getattr(state, name):
            state.set(name, value)
            added = True
    # Notes typed in a browser hold CRLF; a file read back holds LF: compare alike.
    notes = _lf(state.notes)
    lines = contact_lines(record, kept_as_location=state.location)
    new_lines = [text for text in [record.notes, *lines] if text and _lf(text) not in notes]
    if new_lines:
        state.set("notes", "\n\n".join([state.notes, *new_lines]).strip())
        added = True
    for tag_id in run.tags.ids(record.tags):
        if tag_id not in state.focus:
            state.focus.add(tag_id)
            state.added_focus.append(tag_id)
            added = True
    for key in record.external_ids.items():
        if key not in state.external and owners.get(key) in (None, state.id):
            state.external.add(key)
            state.added_external.append(key)
            added = True
    return added


def _given(record: OrganizationRecord, name: str) -> str:
    """The record's value of a `FILLED` field; a first address stands in for a location
    (vCard ADR, Google's company rows) when it fits the column."""
    value: str = getattr(record, name)
    if name == "location" and not value and record.addresses:
        first = record.addresses[0]
        column = Organization._meta.get_field(name)
        assert isinstance(column, Field) and column.max_length is not None
        return first if len(first) <= column.max_length else ""
    return value


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _flush(run: ImportRun, states: dict[int, OrgState], names: dict[int, str]) -> None:
    writer = run.writer
    new = [s for s in states.values() if s.new]
    run.orgs.insert(
        [(s.id, names.get(s.id, "")) for s in new],
        **{column: [getattr(s, column) for s in new] for column in COLUMNS},
    )
    changed = [s for s in states.values() if not s.new and s.dirty]
    now = writer.datetime(run.now)
    writer.update(
        Organization,
        (*COLUMNS, "updated_at"),
        [(*(getattr(s, column) for column in COLUMNS), now, s.id) for s in changed],
    )
    for state in changed:
        if not run.is_created(LABEL, state.id):
            before = {**state.before, "updated_at": jsonable(state.updated_at)}
            run.record_changed(LABEL, state.id, before)
    _flush_children(run, states)


def _flush_children(run: ImportRun, states: dict[int, OrgState]) -> None:
    writer, ws = run.writer, run.workspace_id
    focus_rows, external_rows = [], []
    for state in states.values():
        for tag_id in state.added_focus:
            focus_rows.append((writer.next_id(FocusAreas), state.id, tag_id))
        for system, value in state.added_external:
            external_rows.append((writer.next_id(ExternalId), ws, system, value, state.id))
    writer.insert(FocusAreas, ("id", "organization_id", "tag_id"), focus_rows)
    writer.insert(
        ExternalId, ("id", "workspace_id", "system", "value", "organization_id"), external_rows
    )
    run.record_created(FOCUS_LABEL, [r[0] for r in focus_rows])
    run.record_created(EXTERNAL_LABEL, [r[0] for r in external_rows])
