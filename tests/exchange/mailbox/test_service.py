"""`mail_import`: ours as sent, theirs as received, matched by thread then address."""

from __future__ import annotations

import pytest

from followthrough.exchange.mailbox.service import mail_import
from followthrough.outreach.models import OPEN_STATES, Outreach, OutreachState
from followthrough.relationships.models import Interaction, InteractionKind, Relationship, Stage
from tests.exchange.mailbox.helpers import day, message, row_counts
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(workspace):
    return make_person(workspace, first_name="Dana", emails=["dana@food-bank.example"])


@pytest.fixture
def lee(workspace):
    return make_person(workspace, first_name="Lee", emails=["Lee@Shelter.example"])


def _run(workspace, messages, **kwargs):
    return mail_import(workspace=workspace, messages=messages, source="mbox", **kwargs)


def _timeline(person):
    return list(
        Interaction.objects.filter(person=person)
        .order_by("occurred_at")
        .values_list("kind", "message_id", "summary")
    )


def test_it_logs_our_message_as_sent_with_every_known_recipient(workspace, dana, lee):
    sent = message(
        "Alice@Example.org", "dana@food-bank.example", cc=("lee@shelter.example",),
        message_id="s1@x", subject="Coffee?",
    )  # fmt: skip
    result = _run(workspace, [sent])
    assert _timeline(dana) == [(InteractionKind.EMAIL_SENT, "s1@x", "Coffee?")]
    assert _timeline(lee) == [(InteractionKind.EMAIL_SENT, "s1@x", "Coffee?")]
    assert (result.logged, result.sent, result.received) == (1, 2, 0)
    # Sent in March 2025, never answered: both outreach are quiet, not nudges for today.
    assert Outreach.objects.filter(state=OutreachState.QUIET).count() == 2
    assert result.quiet == 2


def test_it_logs_their_message_as_received_by_the_senders_address(workspace, dana):
    result = _run(workspace, [message("DANA@food-bank.example", "alice@example.org")])
    assert [kind for kind, *_ in _timeline(dana)] == [InteractionKind.EMAIL_RECEIVED]
    assert (result.received, result.by_thread) == (1, 0)


def test_a_message_from_an_address_given_as_ours_is_sent(workspace, dana):
    sent = message("office@riverside.example", "dana@food-bank.example")
    _run(workspace, [sent], me=["Office@Riverside.example"])
    assert [kind for kind, *_ in _timeline(dana)] == [InteractionKind.EMAIL_SENT]


def test_without_the_address_given_as_ours_the_same_message_matches_nobody(workspace, dana):
    result = _run(workspace, [message("office@riverside.example", "dana@food-bank.example")])
    assert _timeline(dana) == []
    assert result.unmatched == 1
    assert result.top_unmatched() == [("office@riverside.example", 1)]


def test_a_reply_closes_the_outreach_it_answers_and_moves_the_stage_on(workspace, dana):
    sent = message("alice@example.org", "dana@food-bank.example", message_id="s@x", when=day(3))
    reply = message("dana@food-bank.example", "alice@example.org", in_reply_to="s@x", when=day(4))
    _run(workspace, [reply, sent])  # the reply first: sent mail is logged before it anyway
    outreach = Outreach.objects.get(person=dana)
    assert outreach.state == OutreachState.REPLIED
    assert outreach.replied_at == day(4)
    relationship = Relationship.objects.get(person=dana)
    assert relationship.stage == Stage.FOLLOWED_UP
    assert relationship.last_interaction_at == day(4)


def test_a_message_received_before_the_outreach_was_sent_does_not_close_it(workspace, dana):
    earlier = message("dana@food-bank.example", "alice@example.org", when=day(2))
    sent = message("alice@example.org", "dana@food-bank.example", when=day(3))
    _run(workspace, [earlier, sent])
    assert Outreach.objects.get(person=dana).state in OPEN_STATES  # open: quiet, as it is old


def test_in_reply_to_finds_the_person_written_to_even_from_a_new_address(workspace, dana, lee):
    sent = message("alice@example.org", "dana@food-bank.example", message_id="s@x", when=day(3))
    # From an address that is Lee's: the thread says it answers what went to Dana.
    reply = message("lee@shelter.example", "alice@example.org", in_reply_to="s@x", when=day(4))
    new_address = message(
        "dana.private@home.example", "alice@example.org", references=("s@x",), when=day(5)
    )
    result = _run(workspace, [sent, reply, new_address])
    assert [kind for kind, *_ in _timeline(dana)] == [
        InteractionKind.EMAIL_SENT, InteractionKind.EMAIL_RECEIVED, InteractionKind.EMAIL_RECEIVED,
    ]  # fmt: skip
    assert _timeline(lee) == []
    assert result.by_thread == 2


def test_a_reply_to_a_message_sent_to_several_goes_to_the_one_whose_address_it_is(
    workspace, dana, lee
):
    sent = message(
        "alice@example.org", "dana@food-bank.example", "lee@shelter.example", message_id="s@x"
    )
    reply = message("lee@shelter.example", "alice@example.org", in_reply_to="s@x", when=day(4))
    _run(workspace, [sent, reply])
    assert [kind for kind, *_ in _timeline(lee)][-1] == InteractionKind.EMAIL_RECEIVED
    assert [kind for kind, *_ in _timeline(dana)] == [InteractionKind.EMAIL_SENT]


def test_importing_again_changes_nothing(workspace, dana, lee):
    messages = [
        message("alice@example.org", "dana@food-bank.example", message_id="s@x", when=day(3)),
        message("dana@food-bank.example", "alice@example.org", in_reply_to="s@x", when=day(4)),
        message("lee@shelter.example", "alice@example.org", when=day(5)),
    ]
    _run(workspace, messages)
    before = (row_counts(), sorted(Outreach.objects.values_list("id", "state", "nudge_count")))
    again = _run(workspace, messages)
    after = (row_counts(), sorted(Outreach.objects.values_list("id", "state", "nudge_count")))
    assert after == before
    assert (again.logged, again.already) == (0, 3)


def test_a_message_twice_in_one_file_is_logged_once(workspace, dana):
    twice = message("dana@food-bank.example", "alice@example.org", message_id="d@x")
    result = _run(workspace, [twice, twice])
    assert len(_timeline(dana)) == 1
    assert (result.logged, result.already) == (1, 1)


def test_drafts_spam_trash_and_deleted_messages_are_left_out_and_counted(workspace, dana):
    sender = "dana@food-bank.example"
    messages = [
        message(sender, "alice@example.org", labels=("Inbox", "Drafts")),
        message(sender, "alice@example.org", labels=("Spam",)),
        message(sender, "alice@example.org", labels=("Trash", "Opened")),
        message(sender, "alice@example.org", deleted=True),
        message(sender, "alice@example.org", labels=("Inbox", "Important")),
    ]
    result = _run(workspace, messages)
    assert len(_timeline(dana)) == 1
    assert dict(result.left_out) == {"drafts": 1, "spam": 1, "trash": 1, "deleted": 1}


def test_unknown_addresses_are_counted_never_created(workspace, dana):
    messages = [message("news@list.example", "alice@example.org") for _ in range(3)]
    messages.append(message("alice@example.org", "nobody@else.example"))
    people_before = dana.__class__.objects.count()
    result = _run(workspace, messages)
    assert dana.__class__.objects.count() == people_before
    assert result.unmatched == 4
    assert result.top_unmatched() == [("news@list.example", 3), ("nobody@else.example", 1)]


def test_people_of_another_workspace_are_never_matched(workspace, other_workspace):
    stranger = make_person(other_workspace, first_name="Dana", emails=["dana@food-bank.example"])
    other_sent = message("olga@example.org", "dana@food-bank.example", message_id="o@x")
    mail_import(workspace=other_workspace, messages=[other_sent], source="mbox")
    result = _run(
        workspace,
        [
            message("dana@food-bank.example", "alice@example.org"),
            message("someone@x.example", "alice@example.org", in_reply_to="o@x"),
        ],
    )
    assert result.logged == 0 and result.unmatched == 2
    assert [kind for kind, *_ in _timeline(stranger)] == [InteractionKind.EMAIL_SENT]


def test_an_undated_message_is_counted_not_logged(workspace, dana):
    result = _run(workspace, [message("dana@food-bank.example", "a@x.example").__class__(
        index=1, line=1, offset=0, message_id="u@x", sender=None, date=None
    )])  # fmt: skip
    assert (result.read, result.undated, result.logged) == (1, 1, 0)


def test_a_dry_run_counts_what_would_be_logged_and_writes_nothing(workspace, dana):
    messages = [
        message("alice@example.org", "dana@food-bank.example", message_id="s@x", when=day(3)),
        message("dana.new@home.example", "alice@example.org", in_reply_to="s@x", when=day(4)),
    ]
    before = row_counts()
    result = _run(workspace, messages, dry_run=True)
    assert row_counts() == before
    assert (result.sent, result.received, result.by_thread) == (1, 1, 1)


def test_messages_are_written_in_several_short_transactions(workspace, dana, monkeypatch):
    from followthrough.exchange.mailbox import service

    monkeypatch.setattr(service, "CHUNK", 2)
    commits = []
    real = service.transaction.atomic

    def counting(*args, **kwargs):
        commits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(service.transaction, "atomic", counting)
    _run(workspace, [message("dana@food-bank.example", "a@x.example") for _ in range(5)])
    assert len(commits) == 3
    assert len(_timeline(dana)) == 5


def test_a_reply_from_a_new_address_to_a_message_sent_to_several_is_not_guessed(
    workspace, dana, lee
):
    sent = message(
        "alice@example.org", "dana@food-bank.example", "lee@shelter.example", message_id="s@x"
    )
    reply = message("who@new.example", "alice@example.org", in_reply_to="s@x", when=day(4))
    result = _run(workspace, [sent, reply])
    assert result.received == 0 and result.unmatched == 1
    assert "sent to 2 people" in result.warnings[0]


def test_a_reply_to_a_received_message_is_matched_the_same_way_on_every_import(
    workspace, dana, lee, monkeypatch
):
    from followthrough.exchange.mailbox import service

    monkeypatch.setattr(service, "CHUNK", 1)
    # Lee answers Dana's message (both received): whichever is logged first, Lee's goes
    # to Lee (by address), never to Dana by the thread, on the first import or the next.
    answer = message("lee@shelter.example", "alice@example.org", in_reply_to="d@x", when=day(5))
    first = message("dana@food-bank.example", "alice@example.org", message_id="d@x")
    _run(workspace, [first, answer])
    again = _run(workspace, [first, answer])
    assert again.logged == 0
    assert [kind for kind, *_ in _timeline(lee)] == [InteractionKind.EMAIL_RECEIVED]
    assert [kind for kind, *_ in _timeline(dana)] == [InteractionKind.EMAIL_RECEIVED]


def test_old_unanswered_mail_is_quiet_and_recent_mail_waits_for_its_nudge(workspace, dana, lee):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    old = message("alice@example.org", "dana@food-bank.example", when=now - timedelta(days=22))
    recent = message("alice@example.org", "lee@shelter.example", when=now - timedelta(days=20))
    result = _run(workspace, [old, recent])
    # Gaps 4, 10 and 21 days: 22 days on, even the third nudge was due; 20 days on, the
    # third is still to come, so Lee's outreach waits with its next nudge due.
    assert Outreach.objects.get(person=dana).state == OutreachState.QUIET
    waiting = Outreach.objects.get(person=lee)
    assert waiting.state == OutreachState.WAITING and waiting.next_nudge_due < now
    assert result.quiet == 1
    # A reply still closes the quiet one, and the import again changes nothing.
    reply = message("dana@food-bank.example", "alice@example.org", when=now - timedelta(days=1))
    _run(workspace, [old, recent, reply])
    assert Outreach.objects.get(person=dana).state == OutreachState.REPLIED
    assert Outreach.objects.get(person=lee).state == OutreachState.WAITING
