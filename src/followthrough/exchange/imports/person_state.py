"""A person as one batch of an import sees them (`PersonState`): what `person_writer`
finds and adds to them, and what `person_statements` writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from followthrough.exchange.imports.run import jsonable
from followthrough.people.models import CARD_FIELDS

LABEL = "people.person"
# The person fields an import may give a person who lacks them: these, read for the
# people a batch finds when any of its records brings one of them …
BASE_SCALARS = ("headline", "notes", "photo", "birthday_month", "birthday_day", "birthday_year")
# … and an address book's (`incoming.Card.fields`), read only when a record brings one.
SCALARS = (*BASE_SCALARS, *CARD_FIELDS)
# An affiliation's fields an import fills in when empty, in `PersonState.affiliations`'
# order after the row's id.
AFFILIATION_FIELDS = ("role", "department", "function")


@dataclass
class PersonState:
    """A person as the batch sees them: their fields and what they already have, plus
    the rows this batch adds."""

    id: int
    new: bool
    first_name: str = ""
    last_name: str = ""
    fields: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(SCALARS, None))
    updated_at: Any = None  # as the database returned it (read back only for undo)
    contacts: dict[str, set[str]] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    tag_ids: set[int] = field(default_factory=set)
    # org → [id, role, department, function, index of the row in the batch's new rows
    # (None for a row already in the database)]; fields not read are None.
    affiliations: dict[int, list[Any]] = field(default_factory=dict)
    external: set[tuple[str, str]] = field(default_factory=set)
    org_id: int | None = None
    before: dict[str, Any] = field(default_factory=dict)
    added: int = 0  # rows this batch adds to them (`PeopleBatch.rows`)
    # (kind, label, value) of their details (`people.PersonDetail`), when read, and the
    # next position of each kind.
    details: set[tuple[str, str, str]] = field(default_factory=set)
    detail_positions: dict[str, int] = field(default_factory=dict)
    # Affiliations already in the database given a field: (id, field, old, new).
    affiliation_updates: list[tuple[int, str, str, str]] = field(default_factory=list)

    def set(self, name: str, value: Any) -> None:
        if not self.new:
            self.before.setdefault(name, jsonable(self.fields[name]))
        self.fields[name] = value

    @property
    def dirty(self) -> bool:
        return bool(self.before) or bool(self.added) or bool(self.affiliation_updates)
