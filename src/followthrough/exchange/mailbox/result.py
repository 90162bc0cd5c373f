"""What a mail import did: `MailImportResult`.

Every message read counts once as one of: logged (on one timeline or more), already
there (every person it concerns has it: a re-import), left out (a draft, spam, trash
or a deleted message), unmatched (no known person), or undated (no readable Date).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_WARNINGS = 200
TOP_UNMATCHED = 20
# Distinct unknown addresses counted one by one; past it they are only counted.
MAX_UNMATCHED_KEPT = 10_000


@dataclass
class MailImportResult:
    source: str  # "mbox", "eml", "imap"
    filename: str = ""
    dry_run: bool = False
    batch_id: int | None = None
    read: int = 0
    logged: int = 0  # messages logged on at least one timeline
    sent: int = 0  # "e-mail sent" interactions logged (one per recipient person)
    received: int = 0  # "e-mail received" interactions logged
    by_thread: int = 0  # received messages matched by In-Reply-To/References
    quiet: int = 0  # outreach read back so old that every nudge was past: quiet at once
    already: int = 0
    unmatched: int = 0  # messages of nobody known
    undated: int = 0
    left_out: Counter[str] = field(default_factory=Counter)  # reason: count
    unmatched_addresses: Counter[str] = field(default_factory=Counter)
    unmatched_others: int = 0  # unknown addresses past MAX_UNMATCHED_KEPT
    warnings: list[str] = field(default_factory=list)
    warnings_total: int = 0

    def warn(self, message: str) -> None:
        """Keep a warning (the first `MAX_WARNINGS`; the rest are counted)."""
        self.warnings_total += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def note_unknown(self, address: str) -> None:
        """Count an address no person has (the top ones are shown, to add them)."""
        kept = self.unmatched_addresses
        if address in kept or len(kept) < MAX_UNMATCHED_KEPT:
            self.unmatched_addresses[address] += 1
        else:
            self.unmatched_others += 1

    def top_unmatched(self, count: int = TOP_UNMATCHED) -> list[tuple[str, int]]:
        return self.unmatched_addresses.most_common(count)

    @property
    def changed_anything(self) -> bool:
        return bool(self.sent or self.received)

    def summary(self) -> str:
        """One line: "read 7, logged 4 (3 sent, 2 received), already there 1, …"."""
        left_out = sum(self.left_out.values())
        return (
            f"read {self.read:,}, logged {self.logged:,} ({self.sent:,} sent, "
            f"{self.received:,} received), already there {self.already:,}, "
            f"unmatched {self.unmatched:,}, left out {left_out:,}, undated {self.undated:,}"
        )

    def totals(self) -> dict[str, int]:
        """The import pages' usual totals (what their progress bar shows)."""
        counts = self.as_counts()
        return {name: counts[name] for name in ("read", "created", "skipped", "ignored")}

    def as_counts(self) -> dict[str, Any]:
        """What `ImportBatch.counts` keeps: the import pages' usual totals (read, created,
        skipped, ignored) and, under "mail", this result's own."""
        return {
            "read": self.read,
            "created": self.sent + self.received,
            "updated": 0,
            "merged": 0,
            "skipped": self.already + sum(self.left_out.values()),
            "ignored": self.unmatched + self.undated,
            "rows_created": {"relationships.interaction": self.sent + self.received},
            "warnings": self.warnings,
            "warnings_total": self.warnings_total,
            "mail": self.mail_counts(),
        }

    def mail_counts(self) -> dict[str, Any]:
        return {
            "logged": self.logged,
            "sent": self.sent,
            "received": self.received,
            "by_thread": self.by_thread,
            "quiet": self.quiet,
            "already": self.already,
            "unmatched": self.unmatched,
            "undated": self.undated,
            "left_out": dict(self.left_out),
            "top_unmatched": [list(pair) for pair in self.top_unmatched()],
        }
