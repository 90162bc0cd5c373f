"""Polling a real IMAP server (dovecot on loopback, see `dovecot`): a reply is matched and
closes its outreach; new messages by UID; errors kept on the account, never raised."""

from __future__ import annotations

import imaplib
import shutil
import socket
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.exchange.mailbox import imap
from followthrough.exchange.mailbox.imap import mailbox_poll, mailboxes_poll_due
from followthrough.exchange.mailbox.tasks import tick
from followthrough.exchange.models import MailboxAccount, MailboxSecurity
from followthrough.outreach.models import Outreach, OutreachState
from followthrough.relationships.models import Interaction, InteractionKind
from followthrough.relationships.services import relationship_log_interaction
from tests.exchange.mailbox import dovecot
from tests.factories import make_person

pytestmark = pytest.mark.django_db

REPLY = (
    b"Message-ID: <reply-1@gmail.example>\r\n"
    b"In-Reply-To: <coffee-1@riverside.example>\r\n"
    b"From: Dana Reyes <dana.private@gmail.example>\r\n"
    b"To: alice@example.org\r\n"
    b"Date: Tue, 04 Mar 2025 10:00:00 +0000\r\n"
    b"Subject: =?utf-8?q?Re:_Coffee_next_week=3F_=E2=98=95?=\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Yes, Thursday!\r\n"
)


def _plain(number: int, sender: str = "dana@food-bank.example") -> bytes:
    return (
        f"Message-ID: <later-{number}@food-bank.example>\r\nFrom: {sender}\r\n"
        f"To: alice@example.org\r\nDate: Wed, 0{number} Apr 2025 10:00:00 +0000\r\n"
        f"Subject: Note {number}\r\n\r\nHello.\r\n"
    ).encode()


@pytest.fixture
def server():
    dovecot.dovecot_binary()  # skip (or fail, in CI) before making anything
    # Not pytest's tmp_path: its parent is private to root, and dovecot reads the
    # Maildir as `nobody` when the tests run as root.
    root = Path(tempfile.mkdtemp(prefix="followthrough-dovecot-"))
    found, process = dovecot.start(root)
    try:
        yield found
    finally:
        dovecot.stop(process)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dana(workspace):
    person = make_person(workspace, first_name="Dana", emails=["dana@food-bank.example"])
    relationship_log_interaction(
        person=person, kind=InteractionKind.EMAIL_SENT, summary="Coffee next week?",
        occurred_at=datetime(2025, 3, 3, 9, tzinfo=UTC), message_id="coffee-1@riverside.example",
    )  # fmt: skip
    return person


def _account(workspace, owner, server, **kwargs) -> MailboxAccount:
    fields = {
        "host": "127.0.0.1", "port": server.port if server else 1,
        "security": MailboxSecurity.PLAIN, "username": dovecot.USER,
        "password": dovecot.PASSWORD,
    }  # fmt: skip
    return MailboxAccount.objects.create(workspace=workspace, user=owner, **{**fields, **kwargs})


def test_a_reply_in_the_mailbox_is_matched_and_closes_its_outreach(workspace, owner, dana, server):
    server.deliver("1.reply", REPLY)
    account = _account(workspace, owner, server)
    result = mailbox_poll(account=account)
    assert result is not None and (result.received, result.by_thread) == (1, 1)
    received = Interaction.objects.get(person=dana, kind=InteractionKind.EMAIL_RECEIVED)
    assert (received.summary, received.message_id) == (
        "Re: Coffee next week? ☕",
        "reply-1@gmail.example",
    )
    outreach = Outreach.objects.get(person=dana)
    assert outreach.state == OutreachState.REPLIED
    account.refresh_from_db()
    assert (account.last_uid, account.last_error) == (1, "")
    assert account.uidvalidity and account.last_polled_at is not None
    assert account.last_counts["received"] == 1


def test_only_new_messages_are_read_and_unread_mail_stays_unread(workspace, owner, dana, server):
    server.deliver("1.reply", REPLY)
    account = _account(workspace, owner, server)
    mailbox_poll(account=account)
    again = mailbox_poll(account=account)
    assert again is not None and again.read == 0
    server.deliver("2.note", _plain(2))
    third = mailbox_poll(account=account)
    assert third is not None and (third.read, third.received) == (1, 1)
    assert account.last_uid == 2
    client = imaplib.IMAP4("127.0.0.1", server.port, timeout=5)
    client.login(dovecot.USER, dovecot.PASSWORD)
    client.select("INBOX", readonly=True)
    _, flags = client.uid("FETCH", "1:*", "(FLAGS)")
    client.logout()
    assert all(b"\\Seen" not in line for line in flags)


def test_a_new_uidvalidity_reads_the_folder_again_and_changes_nothing(
    workspace, owner, dana, server
):
    server.deliver("1.reply", REPLY)
    account = _account(workspace, owner, server)
    mailbox_poll(account=account)
    count = Interaction.objects.count()
    account.uidvalidity, account.last_uid = 12345, 99
    account.save()
    result = mailbox_poll(account=account)
    assert result is not None and (result.read, result.already) == (1, 1)
    assert Interaction.objects.count() == count
    assert account.last_uid == 1


def test_a_wrong_password_is_kept_as_the_accounts_error(workspace, owner, server):
    account = _account(workspace, owner, server, password="wrong")
    assert mailbox_poll(account=account) is None
    account.refresh_from_db()
    assert account.last_error.startswith("The server said:")
    assert "wrong" not in account.last_error
    assert account.last_polled_at is not None


def test_a_missing_folder_is_named(workspace, owner, server):
    account = _account(workspace, owner, server, folder="Nope")
    mailbox_poll(account=account)
    assert "no folder “Nope”" in account.last_error


def test_a_refused_connection_is_kept_as_the_error(workspace, owner):
    account = _account(workspace, owner, None, port=dovecot.free_port())
    assert mailbox_poll(account=account) is None
    assert "refused the connection" in account.last_error


def test_a_server_that_never_answers_times_out(workspace, owner, monkeypatch):
    monkeypatch.setattr(imap, "TIMEOUT_SECONDS", 1)
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(mute.accept()[0]), daemon=True)
    thread.start()
    try:
        account = _account(workspace, owner, None, port=mute.getsockname()[1])
        assert mailbox_poll(account=account) is None
    finally:
        for connection in accepted:
            connection.close()
        mute.close()
    assert "did not answer within 1 seconds" in account.last_error


def test_no_encryption_is_refused_for_a_server_elsewhere(workspace, owner):
    account = _account(workspace, owner, None, host="imap.example.org")
    mailbox_poll(account=account)
    assert "password would cross the network in clear" in account.last_error


def test_the_worker_polls_due_accounts_only(workspace, owner, teammate, dana, server):
    server.deliver("1.reply", REPLY)
    due = _account(workspace, owner, server)
    switched_off = _account(workspace, teammate, server, enabled=False)
    assert tick(None) is not None  # enqueued (and run: the tests' backend is immediate)
    due.refresh_from_db()
    switched_off.refresh_from_db()
    assert (due.last_uid, switched_off.last_polled_at) == (1, None)
    assert mailboxes_poll_due(now=timezone.now()) == 0  # polled a moment ago
    later = timezone.now() + timedelta(minutes=16)
    assert mailboxes_poll_due(now=later) == 1


def test_check_now_polls_the_members_mailbox(
    owner_client, workspace, owner, dana, server, django_capture_on_commit_callbacks
):
    server.deliver("1.reply", REPLY)
    _account(workspace, owner, server)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("exchange:mailbox-check", args=[workspace.slug]))
    assert response.status_code == 303
    assert Outreach.objects.get(person=dana).state == OutreachState.REPLIED
    page = owner_client.get(reverse("exchange:mailbox", args=[workspace.slug])).content.decode()
    assert "1 received logged" in page
