"""Writing one batch of people: new people with their relationships, the rows added to
found people, and the provenance that lets the import be undone.

One `executemany` per table (per 5,000 rows): the address-book fields
(`people.models.CARD_FIELDS`) are columns of the new people only when one of them has
any, and contact points with a label or an address's parts are inserted apart from the
plain ones, so a batch without any of that writes what it always wrote. What an import
changed on a found person (a field, an affiliation's role, department or function) is
recorded with its old value for undo (`revert`), as are the rows it added.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from followthrough.exchange.imports.person_state import LABEL, SCALARS, PersonState
from followthrough.exchange.imports.run import ImportRun
from followthrough.exchange.models import ExternalId
from followthrough.people.models import (
    CARD_FIELDS,
    Affiliation,
    ContactPoint,
    Person,
    PersonDetail,
)
from followthrough.people.names import full_name as person_full_name
from followthrough.relationships.cadence import cadence_days, next_touch_due
from followthrough.relationships.models import Relationship, Stage

PERSON_COLUMNS = (
    "id",
    "workspace_id",
    "first_name",
    "last_name",
    "full_name",
    "headline",
    "notes",
    "photo",
    "birthday_month",
    "birthday_day",
    "birthday_year",
    "created_at",
    "updated_at",
)
NULLABLE = frozenset(n for n in SCALARS if n.startswith(("birthday", "anniversary")))
NAMES = ("first_name", "last_name", "full_name")  # set on a person known only by an e-mail
RELATIONSHIP_COLUMNS = (
    "workspace_id",
    "person_id",
    "organization_id",
    "owner_id",
    "stage",
    "next_touch_due",
    "created_at",
)
NOTICED = int(Stage.NOTICED)  # a plain int binds without sqlite3's adapter lookup
CONTACT_COLUMNS = (
    "id",
    "workspace_id",
    "person_id",
    "kind",
    "value",
    "normalized",
    "position",
    "connected_on",
)
ADDED: dict[str, tuple[type, str, tuple[str, ...]]] = {
    "contact": (ContactPoint, "people.contactpoint", CONTACT_COLUMNS),
    "typed_contact": (
        ContactPoint,
        "people.contactpoint",
        (*CONTACT_COLUMNS, "label", "address_parts"),
    ),
    "tag": (Person.tags.through, "people.person_tags", ("id", "person_id", "tag_id")),
    "affiliation": (
        Affiliation,
        "people.affiliation",
        ("id", "workspace_id", "person_id", "organization_id", "role", "department", "function"),
    ),
    "external": (
        ExternalId,
        "exchange.externalid",
        ("id", "workspace_id", "system", "value", "person_id"),
    ),
    "detail": (
        PersonDetail,
        "people.persondetail",
        ("id", "workspace_id", "person_id", "kind", "label", "params", "value", "position"),
    ),
}


def _text(value: Any) -> Any:
    return "" if value is None else value


def write_people(
    run: ImportRun, states: list[PersonState], added: dict[str, list[tuple[Any, ...]]]
) -> None:
    """Insert the batch's new people and the rows `added` to people (by kind, as `ADDED`
    names them), update found people."""
    writer, ws = run.writer, run.workspace_id
    now = writer.datetime(run.now)
    new = [s for s in states if s.new]
    # The address-book columns only when a new person has one of them.
    card = any(s.fields[n] is not None for s in new for n in CARD_FIELDS)
    people, relationships = [], []
    for state in new:
        f = state.fields
        full_name = person_full_name(state.first_name, state.last_name)
        row: tuple[Any, ...] = (
            state.id,
            ws,
            state.first_name,
            state.last_name,
            full_name,
            _text(f["headline"]),
            _text(f["notes"]),
            _text(f["photo"]),
            f["birthday_month"],
            f["birthday_day"],
            f["birthday_year"],
            now,
            now,
        )
        if card:
            row += tuple(_field(n, f[n]) for n in CARD_FIELDS)
        people.append(row)
        relationships.append(
            (
                ws,
                state.id,
                state.org_id,
                run.actor_id,
                NOTICED,
                new_touch_due(run, state.tag_ids),
                now,
            )
        )
    writer.insert(Person, (*PERSON_COLUMNS, *CARD_FIELDS) if card else PERSON_COLUMNS, people)
    writer.insert(Relationship, RELATIONSHIP_COLUMNS, relationships)
    run.record_created(LABEL, [s.id for s in new])
    run.result.rows_created["relationships.relationship"] += len(relationships)
    _update_found(run, [s for s in states if not s.new and s.dirty], now)
    _insert_added(run, added)


def _update_found(run: ImportRun, changed: list[PersonState], now: Any) -> None:
    """Found people who gained anything: fields set, `updated_at` moved on, and the old
    values kept for undo (unless this import created them in an earlier batch)."""
    # Only the fields each person gained are written (most gain none: only a contact
    # point, and so a new `updated_at`), one UPDATE per set of fields.
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for s in changed:
        if not s.before:
            groups[()].append((now, s.id))
            continue
        names = tuple(n for n in (*SCALARS, *NAMES) if n in s.before)
        groups[names].append((*(_value(s, n) for n in names), now, s.id))
    for names, rows in groups.items():
        run.writer.update(Person, (*names, "updated_at"), rows)
    affiliations: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for s in changed:
        for aff_id, name, _, new in s.affiliation_updates:
            affiliations[name].append((new, aff_id))
    for name, rows in affiliations.items():
        run.writer.update(Affiliation, (name,), rows)
    for state in changed:
        if run.is_created(LABEL, state.id):
            continue
        run.record_changed(
            LABEL,
            state.id,
            {**state.before, "updated_at": run.writer.datetime_text(state.updated_at)},
        )
        for aff_id, name, old, _ in state.affiliation_updates:
            run.record_changed("people.affiliation", aff_id, {name: old})


def _value(state: PersonState, name: str) -> Any:
    """The value a found person's column takes: a field, or their (new) name."""
    if name == "full_name":
        return person_full_name(state.first_name, state.last_name)
    if name in NAMES:
        return getattr(state, name)
    return _field(name, state.fields[name])


def _field(name: str, value: Any) -> Any:
    """A person field's value as its column takes it ("" for an empty text)."""
    return value if name in NULLABLE else _text(value)


def _insert_added(run: ImportRun, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    for kind, (model, label, columns) in ADDED.items():
        batch = rows.get(kind, [])
        run.writer.insert(model, columns, batch)
        run.record_created(label, [r[0] for r in batch])


def new_touch_due(run: ImportRun, tag_ids: set[int]) -> Any:
    """A new relationship's next touch, by the one rule (`relationships.cadence`): at
    stage Noticed, from now, with the cadence of the person's tags."""
    due = next_touch_due(
        cadence_days=cadence_days(
            own=None, tag_cadences=map(run.tags.cadence.get, tag_ids), stage=Stage.NOTICED
        ),
        last_interaction_at=None,
        created_at=run.now,
    )
    return run.writer.datetime(due) if due else None
