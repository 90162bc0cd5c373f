"""The web: the import page's e-mail upload (a background import) and the member's
mailbox settings page (write-only password, last poll and error, "Check now")."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followthrough.exchange.models import ImportBatch, ImportStatus, MailboxAccount
from followthrough.outreach.models import Outreach, OutreachState
from tests.exchange.mailbox.helpers import DATA
from tests.factories import make_person

pytestmark = pytest.mark.usefixtures("media_root")


def _upload(client, workspace, name="google_takeout.mbox", content=None, **data):
    content = (DATA / name).read_bytes() if content is None else content
    return client.post(
        reverse("exchange:import-mail", args=[workspace.slug]),
        {"mail_file": SimpleUploadedFile(name, content), **data},
    )


def test_the_import_page_offers_the_mail_upload(owner_client, workspace):
    response = owner_client.get(reverse("exchange:import", args=[workspace.slug]))
    assert "E-mail: .mbox or .eml" in response.content.decode()


def test_an_uploaded_mailbox_is_imported_in_the_background_and_its_result_shown(
    owner_client, workspace, owner, media_root, django_capture_on_commit_callbacks
):
    sam = make_person(workspace, first_name="Sam", emails=["sam@youth.example"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(owner_client, workspace)
    batch = ImportBatch.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse(
        "exchange:import-status", args=[workspace.slug, batch.pk]
    )
    assert (batch.status, batch.format, batch.created_by) == (ImportStatus.DONE, "mbox", owner)
    assert Outreach.objects.get(person=sam).state == OutreachState.REPLIED
    page = owner_client.get(response["Location"]).content.decode()
    assert "Replies found by thread" in page
    assert "lee@shelter.example" in page  # an address of nobody known, to add
    assert "Undo this import" in page
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]  # upload deleted


def test_other_addresses_of_ours_come_with_the_upload(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    dana = make_person(workspace, first_name="Dana", emails=["dana@food-bank.example"])
    eml = (
        b"Message-ID: <w1@riverside.example>\nDate: Mon, 03 Mar 2025 09:00:00 +0000\n"
        b"From: office@riverside.example\nTo: dana@food-bank.example\nSubject: Hi\n\nHi.\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _upload(owner_client, workspace, "sent.eml", eml, me="office@riverside.example")
    assert ImportBatch.objects.get().format == "eml"
    assert list(dana.interactions.values_list("kind", flat=True)) == ["email_sent"]


def test_a_bad_upload_is_shown_again_with_its_error(owner_client, workspace):
    response = _upload(owner_client, workspace, content=b"", me="not an address")
    assert response.status_code == 422
    text = response.content.decode()
    assert "This file is empty" in text or "The submitted file is empty" in text
    assert not ImportBatch.objects.exists()


def test_viewers_may_not_import_mail(viewer_client, workspace):
    assert _upload(viewer_client, workspace).status_code == 403


def test_the_mailbox_password_is_write_only(owner_client, workspace, owner):
    url = reverse("exchange:mailbox", args=[workspace.slug])
    fields = {
        "host": "imap.example.org", "port": 993, "security": "ssl",
        "username": "alice@example.org", "folder": "INBOX", "enabled": "on",
    }  # fmt: skip
    assert owner_client.post(url, {**fields, "password": ""}).status_code == 422
    assert owner_client.post(url, {**fields, "password": "s3cret-pass"}).status_code == 303
    assert "s3cret-pass" not in owner_client.get(url).content.decode()
    owner_client.post(url, {**fields, "folder": "Archive", "password": ""})
    account = MailboxAccount.objects.get(workspace=workspace, user=owner)
    assert (account.password, account.folder) == ("s3cret-pass", "Archive")


def test_the_mailbox_page_shows_the_last_poll_and_error(owner_client, workspace, owner):
    MailboxAccount.objects.create(
        workspace=workspace, user=owner, host="imap.example.org", username="alice",
        password="x", last_error="imap.example.org:993 did not answer within 30 seconds.",
        last_polled_at="2025-03-03T09:00:00Z",
    )  # fmt: skip
    page = owner_client.get(reverse("exchange:mailbox", args=[workspace.slug])).content.decode()
    assert "did not answer within 30 seconds" in page
    assert "Checked 2025-03-03" in page
    assert "Check now" in page


def test_each_member_sees_only_their_own_mailbox(teammate_client, workspace, owner):
    MailboxAccount.objects.create(
        workspace=workspace, user=owner, host="imap.owner.example", username="alice", password="x"
    )
    page = teammate_client.get(reverse("exchange:mailbox", args=[workspace.slug]))
    assert "imap.owner.example" not in page.content.decode()


def test_no_encryption_is_refused_for_a_server_elsewhere(owner_client, workspace):
    response = owner_client.post(
        reverse("exchange:mailbox", args=[workspace.slug]),
        {"host": "imap.example.org", "port": 143, "security": "plain", "username": "a",
         "password": "p", "folder": "INBOX", "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "cross the network in clear" in response.content.decode()
    assert not MailboxAccount.objects.exists()
