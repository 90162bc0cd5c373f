"""What an import did (or, in a dry run, would do): `ImportResult`, and `ImportFailed`.

Every record the parser yields counts as read and then as exactly one of created,
updated, merged, skipped or ignored, so `read == created + updated + merged + skipped +
ignored` always holds:

- created: it became a new row (a person, an organization, an event);
- updated: it matched a row that existed before this import and added something to it;
- merged: it matched a row this same import had already created or changed (the file
  holds the same person twice);
- skipped: it matched an existing row and added nothing (re-importing a file skips all);
- ignored: it held nothing to import (no name and no e-mail) — each with a warning.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

MAX_WARNINGS = 200
MAX_SUGGESTIONS = 2_000
PREVIEW_ROWS = 20


class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    MERGED = "merged"
    SKIPPED = "skipped"
    IGNORED = "ignored"


@dataclass(frozen=True)
class ImportSource:
    """Where the records came from: the format's name (see `formats.registry.FORMATS`) and the
    file's name as the user gave it (kept for provenance, never used as a path)."""

    format: str
    filename: str


@dataclass(frozen=True)
class PreviewRow:
    line: int
    kind: str  # "person", "attendee", "organization", "event"
    label: str
    action: str
    object_id: int | None = None


@dataclass(frozen=True)
class SuggestedMerge:
    """Two people that may be one: `person_id` is the row this import created or
    matched, `other_id` an existing person. Never applied by the import itself."""

    person_id: int
    other_id: int
    reason: str
    score: int
    line: int


@dataclass
class ImportResult:
    source: ImportSource
    dry_run: bool = False
    batch_id: int | None = None
    read: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    ignored: int = 0
    # New rows by model label ("people.person": 12, "events.attendance": 3, …)
    rows_created: Counter[str] = field(default_factory=Counter)
    suggestions: list[SuggestedMerge] = field(default_factory=list)
    suggestions_total: int = 0
    warnings: list[str] = field(default_factory=list)
    warnings_total: int = 0
    # (line, field, message) of each record that could not be imported, in file order
    # (the first 50; `errors_total` counts them all): any one fails the whole import.
    errors: list[tuple[int | None, str, str]] = field(default_factory=list)
    errors_total: int = 0
    preview: list[PreviewRow] = field(default_factory=list)

    def count(self, action: Action) -> None:
        setattr(self, action.value, getattr(self, action.value) + 1)

    def warn(self, line: int | None, message: str) -> None:
        """Keep a warning for the user (the first `MAX_WARNINGS`; the rest are counted)."""
        self.warnings_total += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"line {line}: {message}" if line else message)

    def suggest(self, suggestion: SuggestedMerge) -> None:
        self.suggestions_total += 1
        if len(self.suggestions) < MAX_SUGGESTIONS:
            self.suggestions.append(suggestion)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.merged)

    def totals(self) -> dict[str, int]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "merged": self.merged,
            "skipped": self.skipped,
            "ignored": self.ignored,
        }

    def summary(self) -> str:
        """One line for people: "read 7, created 5, updated 1, merged 0, skipped 1"."""
        text = ", ".join(f"{name} {value:,}" for name, value in self.totals().items())
        if self.suggestions_total:
            text += f"; {self.suggestions_total:,} possible duplicates to review"
        return text

    def as_counts(self) -> dict[str, Any]:
        """What `ImportBatch.counts` keeps: the totals, rows created per model, warnings
        and the suggested merges (for the duplicates page)."""
        return {
            **self.totals(),
            "rows_created": dict(self.rows_created),
            "warnings": self.warnings,
            "warnings_total": self.warnings_total,
            "suggestions": [asdict(s) for s in self.suggestions],
            "suggestions_total": self.suggestions_total,
        }


class ImportFailed(Exception):
    """The import was refused and nothing was saved. `line` and `field` say where (when
    the fault is in one record); `result` holds the counts up to the failure."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        field: str = "",
        result: ImportResult | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.field = field
        self.result = result
        where = ", ".join(
            part
            for part in (f"line {line}" if line else "", f"field “{field}”" if field else "")
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
