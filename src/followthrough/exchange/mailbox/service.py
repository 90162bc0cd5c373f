"""`mail_import`: messages from a file or a mailbox logged on the timelines they concern.

Which messages are ours, whose the others are, and what is left out is decided in
`matching`; this module streams the messages through it and writes them in chunks,
each chunk in its own short transaction (a 500 MB mbox is never one transaction holding
the database for a minute).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING

from django.db import transaction

from followthrough.exchange.formats.mail.record import MessageRecord
from followthrough.exchange.mailbox.addresses import PeopleByAddress, our_addresses
from followthrough.exchange.mailbox.matching import (
    Planned,
    left_out_reason,
    plan_chunk,
    stored_id,
)
from followthrough.exchange.mailbox.provenance import MailProvenance
from followthrough.exchange.mailbox.result import MailImportResult
from followthrough.exchange.mailbox.spill import Spill
from followthrough.exchange.models import ImportBatch
from followthrough.outreach.models import Outreach
from followthrough.outreach.services import outreach_settle_read_back
from followthrough.people.models import Person
from followthrough.relationships.models import InteractionKind
from followthrough.relationships.services import (
    InteractionEntry,
    relationship_log_interactions,
)
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHUNK = 500
Progress = Callable[[MailImportResult], None]


class MailImport:
    """One run of `mail_import`: what stays the same across its chunks."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        result: MailImportResult,
        me: Iterable[str],
        actor: User | None,
        batch: ImportBatch | None,
    ) -> None:
        self.workspace = workspace
        self.result = result
        self.ours = our_addresses(workspace, me)
        self.people = PeopleByAddress(workspace)
        self.actor = actor
        self.provenance = MailProvenance(batch) if batch is not None else None
        # A dry run writes nothing, so replies find what it would have logged here.
        self.planned: dict[str, tuple[int, ...]] = {}
        self.opened: list[int] = []  # the outreach this run opened, settled at its end

    def write(self, records: list[MessageRecord], *, outbound: bool) -> None:
        """Match one chunk and log it in one transaction (or only count it: dry run)."""
        plans = plan_chunk(self, records, outbound=outbound)
        if self.result.dry_run:
            for plan in plans:
                self.planned.setdefault(stored_id(plan.record), plan.person_ids)
                self._count(plan)
            return
        if not plans:
            return
        with transaction.atomic():
            self._log(plans, outbound=outbound)

    def _log(self, plans: list[Planned], *, outbound: bool) -> None:
        ids = {pk for plan in plans for pk in plan.person_ids}
        present = set(
            Person.objects.filter(workspace=self.workspace, pk__in=sorted(ids)).values_list(
                "pk", flat=True
            )
        )
        if self.provenance is not None:
            self.provenance.before_logging(ids)
        kind = InteractionKind.EMAIL_SENT if outbound else InteractionKind.EMAIL_RECEIVED
        entries: list[InteractionEntry] = []
        for plan in plans:
            # A person deleted since the chunk was matched is no longer there to log.
            found = tuple(pk for pk in plan.person_ids if pk in present)
            if not found:
                continue
            entries += [
                InteractionEntry(
                    person_id=pk,
                    kind=kind,
                    occurred_at=plan.record.date,
                    summary=(plan.record.subject or "(no subject)")[:200],
                    actor=self.actor,
                    message_id=stored_id(plan.record),
                )
                for pk in found
            ]
            self._count(replace(plan, person_ids=found))
        # One batch per chunk: the same end state as logging them one by one, in order.
        created = [
            interaction.pk
            for interaction in relationship_log_interactions(
                workspace=self.workspace, entries=entries
            )
        ]
        # By the interactions just logged here (so of this workspace) alone: with the
        # workspace in the query, SQLite read the workspace's outreach index instead.
        opened = list(
            Outreach.objects.filter(interaction_id__in=created).values_list("id", flat=True)
        )
        self.opened += opened
        if self.provenance is not None:
            self.provenance.created("relationships.interaction", created)
            self.provenance.created("outreach.outreach", opened)
            self.provenance.flush()

    def _count(self, plan: Planned) -> None:
        self.result.logged += 1
        if plan.outbound:
            self.result.sent += len(plan.person_ids)
        else:
            self.result.received += len(plan.person_ids)
            self.result.by_thread += plan.by_thread


def mail_import(
    *,
    workspace: Workspace,
    messages: Iterable[MessageRecord],
    source: str,
    filename: str = "",
    me: Iterable[str] = (),
    actor: User | None = None,
    batch: ImportBatch | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MailImportResult:
    """Log `messages` on the timelines of `workspace`'s people (see the package's
    docstring); returns what was done. `me`: addresses whose messages are ours besides
    the members' account e-mails. With `batch`, what is written is recorded as that
    import's provenance, so it can be undone. Streams: `messages` is read once; the
    received ones wait in a temporary file until every sent one is logged. Writes one
    short transaction per `CHUNK` messages; a failure leaves the chunks before it
    logged, and importing again skips them."""
    result = MailImportResult(source=source, filename=filename, dry_run=dry_run)
    result.batch_id = batch.pk if batch is not None else None
    run = MailImport(workspace=workspace, result=result, me=me, actor=actor, batch=batch)
    with Spill() as inbound:
        for chunk in _chunks(_sorted_out(run, messages, inbound)):
            run.write(chunk, outbound=True)
            if progress is not None:
                progress(result)
        for chunk in _chunks(iter(inbound)):
            run.write(chunk, outbound=False)
            if progress is not None:
                progress(result)
    if run.opened:
        result.quiet = outreach_settle_read_back(workspace=workspace, outreach_ids=run.opened)
    return result


def _sorted_out(
    run: MailImport, messages: Iterable[MessageRecord], inbound: Spill
) -> Iterator[MessageRecord]:
    """Our messages (to log now); theirs go to `inbound`; the rest are counted."""
    result = run.result
    for record in messages:
        result.read += 1
        for warning in record.warnings:
            result.warn(warning)
        reason = left_out_reason(record)
        if reason:
            result.left_out[reason] += 1
        elif record.date is None:
            result.undated += 1
        elif record.sender is not None and record.sender.normalized in run.ours:
            yield record
        else:
            inbound.add(record)


def _chunks(records: Iterator[MessageRecord]) -> Iterator[list[MessageRecord]]:
    while chunk := list(islice(records, CHUNK)):
        yield chunk
