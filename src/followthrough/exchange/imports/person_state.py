"""A person as one batch of an import sees them (`PersonState`): what `person_writer`
finds and adds to them, and what `person_statements` writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from followthrough.exchange.imports.run import jsonable

LABEL = "people.person"
SCALARS = ("headline", "notes", "photo", "birthday_month", "birthday_day", "birthday_year")


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
    affiliations: dict[int, list[Any]] = field(default_factory=dict)  # org → [id, role]
    external: set[tuple[str, str]] = field(default_factory=set)
    org_id: int | None = None
    before: dict[str, Any] = field(default_factory=dict)
    added: int = 0  # rows this batch adds to them (`PeopleBatch.rows`)
    role_updates: list[tuple[int, str, str]] = field(default_factory=list)  # id, old, new

    def set(self, name: str, value: Any) -> None:
        if not self.new:
            self.before.setdefault(name, jsonable(self.fields[name]))
        self.fields[name] = value

    @property
    def dirty(self) -> bool:
        return bool(self.before) or bool(self.added) or bool(self.role_updates)
