"""Polling a member's IMAP mailbox (`MailboxAccount`) into the same `mail_import`.

New messages are found by UID: those above `last_uid`, while the folder's UIDVALIDITY
is the one seen last (a new one means the server renumbered the folder: it is read
again from the start, and messages already logged are skipped by their Message-ID).
Messages are fetched with BODY.PEEK, so the member's unread mail stays unread, and only
their first `FETCH_BYTES` (headers and the start of the body are all matching needs).
Every failure is stored on the account (`last_error`), never raised into the worker,
and the connection has a timeout.
"""

from __future__ import annotations

import contextlib
import imaplib
import io
import logging
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from followthrough.exchange.formats.mail import read_eml
from followthrough.exchange.formats.mail.record import MessageRecord
from followthrough.exchange.mailbox.result import MailImportResult
from followthrough.exchange.mailbox.service import mail_import
from followthrough.exchange.models import MailboxAccount, MailboxSecurity

logger = logging.getLogger(__name__)
POLL_EVERY = timedelta(minutes=15)
TIMEOUT_SECONDS = 30
FETCH_BYTES = 1 << 20
MAX_PER_POLL = 2_000  # messages read in one poll; the rest on the next
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_UID = re.compile(rb"UID (\d+)")


class MailboxError(Exception):
    """A problem with the mailbox, in words for its member."""


@dataclass(frozen=True)
class Fetched:
    records: list[MessageRecord]
    uidvalidity: int
    last_uid: int


def due_accounts(*, now: datetime) -> QuerySet[MailboxAccount]:
    """Enabled accounts not polled for `POLL_EVERY` (or never)."""
    return MailboxAccount.objects.filter(enabled=True).filter(
        Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=now - POLL_EVERY)
    )


def mailboxes_poll_due(*, now: datetime | None = None) -> int:
    """Poll every due account, in every workspace; returns how many were polled."""
    accounts = due_accounts(now=now or timezone.now()).select_related("workspace", "user")
    polled = 0
    for account in accounts.order_by("pk").iterator(chunk_size=100):
        mailbox_poll(account=account)
        polled += 1
    return polled


def mailbox_poll(*, account: MailboxAccount) -> MailImportResult | None:
    """Read the account's new messages and log them (see the module's docstring).
    Returns the import's result, or None when the poll failed (its error is kept)."""
    started = timezone.now()
    try:
        fetched = mailbox_fetch(account=account)
        me = [account.username] if "@" in account.username else []
        result = mail_import(
            workspace=account.workspace, messages=fetched.records, source="imap",
            filename=f"{account.username} {account.folder}", me=me, actor=account.user,
        )  # fmt: skip
    except MailboxError as error:
        _failed(account, started, str(error))
        return None
    except Exception:
        logger.exception("Polling mailbox #%s failed", account.pk)
        _failed(account, started, "The mailbox could not be read (an unexpected error).")
        return None
    account.last_polled_at = started
    account.last_error = ""
    account.last_counts = {"read": result.read, **result.mail_counts()}
    account.uidvalidity = fetched.uidvalidity
    account.last_uid = fetched.last_uid
    account.save(
        update_fields=["last_polled_at", "last_error", "last_counts", "uidvalidity", "last_uid"]
    )
    return result


def _failed(account: MailboxAccount, when: datetime, message: str) -> None:
    account.last_polled_at = when
    account.last_error = message
    account.save(update_fields=["last_polled_at", "last_error"])


def mailbox_fetch(*, account: MailboxAccount) -> Fetched:
    """The folder's messages after `last_uid` (all of them after a UIDVALIDITY change),
    read into records. Raises `MailboxError` in words for the member."""
    try:
        client = _connect(account)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(_describe(error, f"{account.host}:{account.port}")) from error
    try:
        return _read_folder(client, account)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(_describe(error, f"{account.host}:{account.port}")) from error
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):  # gone anyway
            client.logout()


def _connect(account: MailboxAccount) -> imaplib.IMAP4:
    if account.security == MailboxSecurity.SSL:
        context = ssl.create_default_context()
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            account.host, account.port, ssl_context=context, timeout=TIMEOUT_SECONDS
        )
    else:
        if account.security == MailboxSecurity.PLAIN and account.host not in LOOPBACK:
            raise MailboxError(
                "Without encryption the password would cross the network in clear: "
                "choose SSL/TLS or STARTTLS (no encryption is for a server on this machine)."
            )
        client = imaplib.IMAP4(account.host, account.port, timeout=TIMEOUT_SECONDS)
        if account.security == MailboxSecurity.STARTTLS:
            client.starttls(ssl_context=ssl.create_default_context())
    try:
        client.login(account.username, account.password)
    except (OSError, imaplib.IMAP4.error):
        client.shutdown()
        raise
    return client


def _read_folder(client: imaplib.IMAP4, account: MailboxAccount) -> Fetched:
    status, _ = client.select(_quoted(account.folder), readonly=True)
    if status != "OK":
        raise MailboxError(f"There is no folder “{account.folder}” in this mailbox.")
    _, values = client.response("UIDVALIDITY")
    uidvalidity = int(values[0]) if values and values[0] else 0
    since = account.last_uid if account.uidvalidity == uidvalidity else 0
    status, data = client.uid("SEARCH", f"UID {since + 1}:*")
    if status != "OK":
        raise MailboxError("The server refused to list the folder's messages.")
    # "n:*" names the last message even when its UID is below n: keep only new ones.
    uids = sorted(int(uid) for uid in (data[0] or b"").split() if int(uid) > since)
    uids = uids[:MAX_PER_POLL]
    records = list(_records(client, uids))
    return Fetched(records, uidvalidity, max(uids, default=since))


def _records(client: imaplib.IMAP4, uids: list[int]) -> Iterator[MessageRecord]:
    for number, uid in enumerate(uids, start=1):
        status, data = client.uid("FETCH", str(uid), f"(UID BODY.PEEK[]<0.{FETCH_BYTES}>)")
        if status != "OK":
            continue
        for part in data:
            if isinstance(part, tuple) and _UID.search(part[0]):
                for record in read_eml(io.BytesIO(part[1])):
                    yield replace(
                        record,
                        index=number,
                        warnings=tuple(f"UID {uid}: {w}" for w in record.warnings),
                    )


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _describe(error: Exception, where: str) -> str:
    """An error as its member reads it (no traceback, no password)."""
    if isinstance(error, socket.timeout | TimeoutError):
        return f"{where} did not answer within {TIMEOUT_SECONDS} seconds."
    if isinstance(error, ssl.SSLError):
        return f"The secure connection to {where} failed: {error.reason or error}."
    if isinstance(error, ConnectionRefusedError):
        return f"{where} refused the connection: is the server and port right?"
    if isinstance(error, socket.gaierror):
        return f"The server name in {where} is unknown."
    if isinstance(error, imaplib.IMAP4.error):
        text = str(error).strip("b'\"")
        return f"The server said: {text[:200]}"
    return f"{where}: {error}"
