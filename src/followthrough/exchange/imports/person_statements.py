"""Writing one batch of people: new people with their relationships, the rows added to
found people, and the provenance that lets the import be undone.

One `executemany` per table (per 5,000 rows); rows added to a person this import
created are not listed for undo, since they go when the person goes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from followthrough.exchange.imports.person_state import LABEL, SCALARS, PersonState
from followthrough.exchange.imports.run import ImportRun
from followthrough.exchange.models import ExternalId
from followthrough.people.models import Affiliation, ContactPoint, Person
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
ADDED: dict[str, tuple[type, str, tuple[str, ...]]] = {
    "contact": (
        ContactPoint,
        "people.contactpoint",
        (
            "id",
            "workspace_id",
            "person_id",
            "kind",
            "value",
            "normalized",
            "position",
            "connected_on",
        ),
    ),
    "tag": (Person.tags.through, "people.person_tags", ("id", "person_id", "tag_id")),
    "affiliation": (
        Affiliation,
        "people.affiliation",
        ("id", "workspace_id", "person_id", "organization_id", "role"),
    ),
    "external": (
        ExternalId,
        "exchange.externalid",
        ("id", "workspace_id", "system", "value", "person_id"),
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
    people, relationships = [], []
    for state in new:
        f = state.fields
        full_name = person_full_name(state.first_name, state.last_name)
        people.append(
            (
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
        )
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
    writer.insert(Person, PERSON_COLUMNS, people)
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
    roles = [(new, aff_id) for s in changed for aff_id, _, new in s.role_updates]
    run.writer.update(Affiliation, ("role",), roles)
    for state in changed:
        if run.is_created(LABEL, state.id):
            continue
        run.record_changed(
            LABEL,
            state.id,
            {**state.before, "updated_at": run.writer.datetime_text(state.updated_at)},
        )
        for aff_id, old, _ in state.role_updates:
            run.record_changed("people.affiliation", aff_id, {"role": old})


def _value(state: PersonState, name: str) -> Any:
    """The value a found person's column takes: a field, or their (new) name."""
    if name == "full_name":
        return person_full_name(state.first_name, state.last_name)
    if name in NAMES:
        return getattr(state, name)
    value = state.fields[name]
    return value if name.startswith("birthday") else _text(value)


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
