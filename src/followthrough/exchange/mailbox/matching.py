"""Whose a message is: the people a sent message went to, the person a received one
came from; and which messages are left out (drafts, spam, trash, deleted)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Q, QuerySet

from followthrough.exchange.formats.mail.record import MessageRecord
from followthrough.exchange.mailbox.addresses import PeopleByAddress
from followthrough.exchange.mailbox.result import MailImportResult
from followthrough.relationships.models import OUTBOUND_KINDS, Interaction
from followthrough.workspaces.models import Workspace

# Gmail's labels (X-Gmail-Labels, lower-cased) of messages that are no correspondence.
LEFT_OUT_LABELS = {
    "draft": "drafts",
    "drafts": "drafts",
    "spam": "spam",
    "trash": "trash",
    "bin": "trash",
}
# Of a long References list, the newest ids looked up (the message answered is last).
THREAD_IDS = 20
QUERY_SLICE = 900  # ids per IN (…): below SQLite's oldest limit on bound parameters


class Run(Protocol):
    workspace: Workspace
    result: MailImportResult
    ours: frozenset[str]
    people: PeopleByAddress
    planned: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class Planned:
    """A message to log, with the people whose timelines it goes on."""

    record: MessageRecord
    person_ids: tuple[int, ...]
    outbound: bool
    by_thread: bool = False


def left_out_reason(record: MessageRecord) -> str:
    """Why a message is not correspondence ("drafts", "spam", "trash", "deleted"), or ""."""
    if record.deleted:
        return "deleted"
    for label in record.labels:
        reason = LEFT_OUT_LABELS.get(label.strip().lower())
        if reason:
            return reason
    return ""


def plan_chunk(run: Run, records: list[MessageRecord], *, outbound: bool) -> list[Planned]:
    """The chunk's messages that are to be logged, with their people: messages already
    on every one of their people's timelines are counted as such, and those of nobody
    known as unmatched. Cost: a query for the addresses not seen yet, one per 900
    thread ids (received mail) and one per 900 Message-IDs (already logged?)."""
    run.people.load(_addresses(records, outbound=outbound))
    if outbound:
        found = [_recipients(run, record) for record in records]
    else:
        threads = _thread_people(run, records)
        found = [_sender(run, record, threads) for record in records]
    # Logged before, or earlier in this chunk (a file may hold a message twice).
    logged = _already_logged(run, [stored_id(plan.record) for plan in found if plan.person_ids])
    plans = []
    for plan in found:
        if not plan.person_ids:
            continue
        key = stored_id(plan.record)
        new = tuple(pk for pk in plan.person_ids if (pk, key) not in logged)
        if not new:
            run.result.already += 1
            continue
        logged.update((pk, key) for pk in new)
        plans.append(Planned(plan.record, new, plan.outbound, plan.by_thread))
    return plans


def stored_id(record: MessageRecord) -> str:
    """The Message-ID as `Interaction.message_id` holds it (at most 255 characters)."""
    return record.message_id[:255]


def _addresses(records: Iterable[MessageRecord], *, outbound: bool) -> set[str]:
    if outbound:
        return {a.normalized for r in records for a in (*r.to, *r.cc)}
    return {r.sender.normalized for r in records if r.sender is not None}


def _recipients(run: Run, record: MessageRecord) -> Planned:
    """Everyone known among To and Cc (our own addresses aside)."""
    ids: set[int] = set()
    for address in (*record.to, *record.cc):
        if address.normalized in run.ours:
            continue
        found = run.people.people(address.normalized)
        if found:
            ids.update(found)
        else:
            run.result.note_unknown(address.normalized)
    if not ids:
        run.result.unmatched += 1
    return Planned(record, tuple(sorted(ids)), outbound=True)


def _sender(run: Run, record: MessageRecord, threads: dict[str, tuple[int, ...]]) -> Planned:
    """The person a received message is from: the one the message it answers went to
    (In-Reply-To, then References newest first: a reply from a new address still finds
    them), else the person with the sender's address."""
    by_address = run.people.people(record.sender.normalized) if record.sender else ()
    for message_id in _answered(record):
        thread = threads.get(message_id, ())
        both = tuple(pk for pk in thread if pk in by_address)
        if both or len(thread) == 1:
            return Planned(record, (both or thread)[:1], outbound=False, by_thread=True)
        if thread and not by_address:
            # Sent to several people, answered from an address none of them has: which
            # one wrote is a guess, and a wrong guess would close someone else's outreach.
            run.result.warn(
                f"message {record.index} (line {record.line}): it answers a message sent "
                f"to {len(thread)} people, from an address none of them has; not logged"
            )
            break
    if by_address:
        if len(by_address) > 1:
            run.result.warn(
                f"message {record.index} (line {record.line}): {len(by_address)} people "
                f"have the address {record.sender.normalized if record.sender else ''}; "
                "logged with the first"
            )
        return Planned(record, by_address[:1], outbound=False)
    run.result.unmatched += 1
    run.result.note_unknown(record.sender.normalized if record.sender else "(no sender)")
    return Planned(record, (), outbound=False)


def _answered(record: MessageRecord) -> list[str]:
    ids = [record.in_reply_to] if record.in_reply_to else []
    ids += [i for i in reversed(record.references[-THREAD_IDS:]) if i != record.in_reply_to]
    return ids


def _thread_people(run: Run, records: list[MessageRecord]) -> dict[str, tuple[int, ...]]:
    """The people each answered Message-ID of the chunk was sent to. Only what we sent
    counts: all of it is logged before any received message, so a reply finds the same
    person on every import; matching a reply to another received message would depend
    on which of the two the import happened to log first."""
    wanted = sorted({i for record in records for i in _answered(record)})
    found: dict[str, set[int]] = {}
    for start in range(0, len(wanted), QUERY_SLICE):
        rows = _by_message_id(run, wanted[start : start + QUERY_SLICE]).filter(
            kind__in=OUTBOUND_KINDS
        )
        for message_id, person_id in rows.values_list("message_id", "person_id"):
            if person_id is not None:
                found.setdefault(message_id, set()).add(person_id)
    for message_id in wanted:
        if message_id in run.planned:
            found.setdefault(message_id, set()).update(run.planned[message_id])
    return {message_id: tuple(sorted(ids)) for message_id, ids in found.items()}


def _already_logged(run: Run, message_ids: list[str]) -> set[tuple[int, str]]:
    """(person id, Message-ID) of the chunk's messages already on a timeline."""
    wanted = sorted(set(message_ids))
    found: set[tuple[int, str]] = set()
    for start in range(0, len(wanted), QUERY_SLICE):
        rows = _by_message_id(run, wanted[start : start + QUERY_SLICE])
        found.update(
            (pk, message_id)
            for pk, message_id in rows.values_list("person_id", "message_id")
            if pk is not None
        )
    return found


def _by_message_id(run: Run, message_ids: list[str]) -> QuerySet[Interaction]:
    """The workspace's interactions with these Message-IDs, read through the partial
    index on them (`interaction_message_id`): its condition is repeated so the planner
    may use it, and people are told from organizations in Python, since a condition on
    `person_id` leads SQLite to the timeline index (a scan of the whole workspace)."""
    return Interaction.objects.filter(
        ~Q(message_id=""), workspace=run.workspace, message_id__in=message_ids
    ).order_by()
