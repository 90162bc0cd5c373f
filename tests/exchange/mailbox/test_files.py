"""Thunderbird and Google Takeout mailboxes imported as an import: matched, counted,
idempotent, and undone like any other import."""

from __future__ import annotations

import pytest

from followthrough.exchange.imports.undo import import_undo
from followthrough.exchange.mailbox.files import mail_import_batch, read_mail_files
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.outreach.models import Outreach, OutreachState
from followthrough.relationships.models import Interaction, InteractionKind, Relationship, Stage
from tests.exchange.mailbox.helpers import DATA, outreach_state, relationship_state, row_counts
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(workspace):
    return {
        "dana": make_person(workspace, first_name="Dana", emails=["dana@food-bank.example"]),
        "lee": make_person(workspace, first_name="Lee", emails=["lee@shelter.example"]),
        "sam": make_person(workspace, first_name="Sam", emails=["sam@youth.example"]),
    }


def _import(workspace, name, **kwargs):
    fmt = "eml" if name.endswith(".eml") else "mbox"
    return mail_import_batch(
        workspace=workspace,
        fmt=fmt,
        filename=name,
        messages=read_mail_files(fmt, [DATA / name]),
        **kwargs,
    )


def _kinds(person):
    return list(
        Interaction.objects.filter(person=person)
        .order_by("occurred_at", "id")
        .values_list("kind", flat=True)
    )


def test_a_thunderbird_folder_logs_sent_and_received_mail(workspace, people):
    result = _import(workspace, "thunderbird_sent_and_inbox.mbox")
    dana, lee, sam = people["dana"], people["lee"], people["sam"]
    # Dana replied from an address she has no contact point for: found by In-Reply-To.
    assert _kinds(dana) == [InteractionKind.EMAIL_SENT, InteractionKind.EMAIL_RECEIVED]
    assert _kinds(lee) == [InteractionKind.EMAIL_SENT, InteractionKind.EMAIL_RECEIVED]
    assert _kinds(sam) == []  # deleted, not compacted yet
    assert Interaction.objects.get(person=dana, kind=InteractionKind.EMAIL_SENT).summary == (
        "Coffee next week? ☕"
    )
    received = Interaction.objects.get(person=dana, kind=InteractionKind.EMAIL_RECEIVED)
    assert (received.summary, received.message_id) == (
        "Re: “Coffee” next week?",
        "re-coffee-1@gmail.example",
    )
    assert Outreach.objects.get(person=dana).state == OutreachState.REPLIED
    assert Outreach.objects.get(person=lee).state == OutreachState.REPLIED
    assert (result.read, result.sent, result.received, result.by_thread) == (6, 2, 2, 1)
    assert dict(result.left_out) == {"deleted": 1}
    assert sorted(result.top_unmatched()) == [
        ("news@nowhere.example", 1),
        ("stranger@elsewhere.example", 1),
    ]
    assert result.unmatched == 1  # the newsletter; the Cc'd stranger's message went to Dana


def test_a_google_takeout_mailbox_follows_its_labels(workspace, people):
    result = _import(workspace, "google_takeout.mbox")
    dana, lee, sam = people["dana"], people["lee"], people["sam"]
    # Sam answered from a new address, naming the grant e-mail in References only.
    assert _kinds(sam) == [InteractionKind.EMAIL_SENT, InteractionKind.EMAIL_RECEIVED]
    assert Outreach.objects.get(person=sam).state == OutreachState.REPLIED
    assert Relationship.objects.get(person=sam).stage == Stage.FOLLOWED_UP
    assert _kinds(dana) == []  # spam
    assert _kinds(lee) == [InteractionKind.EMAIL_RECEIVED]  # the trashed one left out
    assert dict(result.left_out) == {"drafts": 1, "spam": 1, "trash": 1}
    assert any("no Message-ID" in warning for warning in result.warnings)


def test_importing_a_mailbox_again_changes_nothing(workspace, people):
    for name in ("thunderbird_sent_and_inbox.mbox", "google_takeout.mbox"):
        _import(workspace, name)
    before = (row_counts(), relationship_state(), outreach_state())
    for name in ("thunderbird_sent_and_inbox.mbox", "google_takeout.mbox"):
        again = _import(workspace, name)
        assert again.logged == 0 and again.already > 0
    assert (row_counts(), relationship_state(), outreach_state()) == before


def test_the_import_is_kept_as_a_batch_with_its_result(workspace, people, owner):
    result = _import(workspace, "google_takeout.mbox", actor=owner)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.status, batch.format, batch.created_by) == (ImportStatus.DONE, "mbox", owner)
    assert batch.counts["read"] == 6
    assert batch.counts["mail"]["left_out"] == {"drafts": 1, "spam": 1, "trash": 1}


def test_undoing_the_import_puts_timelines_and_outreach_back(workspace, people, owner):
    from followthrough.relationships.services import relationship_log_interaction

    # Lee had an outreach waiting before the import; the import's message closes it.
    relationship_log_interaction(
        person=people["lee"], kind=InteractionKind.EMAIL_SENT, summary="Earlier, by hand",
        occurred_at=__import__("datetime").datetime(2025, 1, 1, tzinfo=__import__("datetime").UTC),
    )  # fmt: skip
    before = (row_counts(), relationship_state(), outreach_state())
    result = _import(workspace, "thunderbird_sent_and_inbox.mbox")
    assert outreach_state() != before[2]
    import_undo(batch=ImportBatch.objects.get(pk=result.batch_id), actor=owner)
    after = (row_counts(), relationship_state(), outreach_state())
    # The provenance rows stay with the undone batch; everything else is as it was.
    assert {k: v for k, v in after[0].items() if k != "provenance"} == {
        k: v for k, v in before[0].items() if k != "provenance"
    }
    assert after[1:] == before[1:]


def test_eml_files_are_imported_one_after_another(workspace, people, tmp_path):
    sent = tmp_path / "sent.eml"
    sent.write_bytes(
        b"Message-ID: <e1@riverside.example>\nDate: Mon, 03 Mar 2025 09:00:00 +0000\n"
        b"From: alice@example.org\nTo: sam@youth.example\nSubject: Hi Sam\n\nHello.\n"
    )
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        b"From MAILER-DAEMON Mon Mar 03 09:00:00 2025\nMessage-ID: <e2@youth.example>\n"
        b"In-Reply-To: <e1@riverside.example>\nDate: Tue, 04 Mar 2025 09:00:00 +0000\n"
        b"From: sam.other@home.example\nTo: alice@example.org\nSubject: Re: Hi Sam\n\nHi!\n"
    )
    result = mail_import_batch(
        workspace=workspace,
        fmt="eml",
        filename="reply.eml and 1 more",
        messages=read_mail_files("eml", [reply, sent]),
    )
    assert _kinds(people["sam"]) == [InteractionKind.EMAIL_SENT, InteractionKind.EMAIL_RECEIVED]
    assert result.by_thread == 1
