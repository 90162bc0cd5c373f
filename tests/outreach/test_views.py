"""The one-click actions on outreach and follow-ups, their Undo, and who may use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.outreach.models import Outreach, OutreachState
from followthrough.outreach.services import outreach_open
from followthrough.outreach.undo import undoable
from followthrough.relationships.models import (
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
    Relationship,
)
from followthrough.relationships.services import follow_up_create, relationship_log_interaction
from tests.factories import make_person


def _url(name, workspace, *args):
    return reverse(f"outreach:{name}", args=[workspace.slug, *args])


def _today(workspace):
    return reverse("agenda:today", args=[workspace.slug])


def _state(person):
    relationship = Relationship.objects.get(person=person)
    return (
        Interaction.objects.filter(person=person).count(),
        (relationship.stage, relationship.last_interaction_at, relationship.next_touch_due),
        list(Outreach.objects.filter(person=person).order_by("id").values_list(
            "id", "state", "nudge_count", "next_nudge_due", "replied_at"
        )),
        list(FollowUp.objects.filter(person=person).order_by("id").values_list(
            "status", "due_at", "snooze_count", "done_at"
        )),
    )  # fmt: skip


def _waiting(person, days_ago=5):
    relationship_log_interaction(
        person=person,
        kind=InteractionKind.EMAIL_SENT,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )
    return Outreach.objects.get(person=person, state=OutreachState.WAITING)


def _act_then_undo(client, workspace, person, url, data=None):
    before = _state(person)
    response = client.post(url, {"next": _today(workspace), **(data or {})})
    assert response.status_code == 303
    assert _state(person) != before
    page = client.get(_today(workspace)).content.decode()
    assert "Undo" in page
    token = page.split('name="undo" value="', 1)[1].split('"', 1)[0]
    client.post(_url("outreach-undo", workspace), {"undo": token})
    assert _state(person) == before


def test_log_email_opens_outreach_and_undo_reverts_it(owner_client, workspace):
    person = make_person(workspace)
    follow_up_create(person=person, title="Thank", due_at=timezone.now())
    _act_then_undo(
        owner_client, workspace, person, _url("outreach-log", workspace, person.pk),
        {"kind": "email_sent"},
    )  # fmt: skip


def test_log_nudge_and_its_undo(owner_client, workspace):
    person = make_person(workspace)
    outreach = _waiting(person)
    _act_then_undo(owner_client, workspace, person, _url("outreach-nudge", workspace, outreach.pk))


def test_they_replied_and_its_undo(owner_client, workspace):
    person = make_person(workspace)
    _waiting(person)
    _act_then_undo(owner_client, workspace, person, _url("outreach-replied", workspace, person.pk))


def test_snooze_nudge_and_its_undo(owner_client, workspace):
    person = make_person(workspace)
    outreach = _waiting(person)
    _act_then_undo(owner_client, workspace, person, _url("outreach-snooze", workspace, outreach.pk))


@pytest.mark.parametrize("name", ["follow-up-done", "follow-up-snooze"])
def test_follow_up_actions_on_today_and_their_undo(owner_client, workspace, name):
    person = make_person(workspace)
    follow_up = follow_up_create(person=person, title="Thank", due_at=timezone.now())
    _act_then_undo(owner_client, workspace, person, _url(name, workspace, follow_up.pk))


def test_the_answer_says_what_happened_once(owner_client, workspace):
    person = make_person(workspace, first_name="Ada", last_name="Byron")
    owner_client.post(_url("outreach-log", workspace, person.pk), {"kind": "email_sent"})
    first = owner_client.get(_today(workspace)).content.decode()
    assert "Logged e-mail sent to Ada Byron: waiting for a reply." in first
    assert "waiting for a reply." not in owner_client.get(_today(workspace)).content.decode()


def test_an_undo_token_of_another_workspace_is_refused(
    owner_client, workspace, other_workspace, outsider_client
):
    stranger = make_person(other_workspace)
    done = undoable(
        person=stranger,
        message="x",
        action=lambda: relationship_log_interaction(person=stranger, kind="email_sent"),
    )
    outsider_before = _state(stranger)
    owner_client.post(_url("outreach-undo", workspace), {"undo": done.token})
    assert _state(stranger) == outsider_before


def test_a_tampered_token_is_refused(owner_client, workspace):
    response = owner_client.post(_url("outreach-undo", workspace), {"undo": "forged:token"})
    assert response.status_code == 303
    assert "can no longer be undone" in owner_client.get(_today(workspace)).content.decode()


def test_another_workspaces_outreach_is_404_by_id(owner_client, workspace, other_workspace):
    theirs = outreach_open(person=make_person(other_workspace), kind="email")
    response = owner_client.post(_url("outreach-snooze", workspace, theirs.pk))
    assert response.status_code == 404
    assert Outreach.objects.get(pk=theirs.pk).next_nudge_due == theirs.next_nudge_due


@pytest.mark.parametrize(
    "name", ["outreach-log", "outreach-replied", "outreach-nudge", "outreach-snooze"]
)
def test_viewers_cannot_act(viewer_client, workspace, name):
    person = make_person(workspace)
    outreach = _waiting(person)
    before = _state(person)
    arg = person.pk if name in ("outreach-log", "outreach-replied") else outreach.pk
    response = viewer_client.post(_url(name, workspace, arg), {"kind": "email_sent"})
    assert response.status_code == 403
    assert _state(person) == before


def test_viewers_see_no_action_buttons(viewer_client, workspace):
    _waiting(make_person(workspace))
    page = viewer_client.get(_today(workspace)).content.decode()
    assert "nudge #1" in page and "They replied" not in page


def test_a_follow_up_done_twice_says_so(owner_client, workspace):
    person = make_person(workspace)
    follow_up = follow_up_create(person=person, title="Thank", due_at=timezone.now())
    owner_client.post(_url("follow-up-done", workspace, follow_up.pk))
    owner_client.post(_url("follow-up-done", workspace, follow_up.pk))
    assert "already closed" in owner_client.get(_today(workspace)).content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.DONE


def _undo_token(client, workspace):
    page = client.get(_today(workspace)).content.decode()
    return page.split('name="undo" value="', 1)[1].split('"', 1)[0]


def test_an_undo_replayed_changes_nothing(owner_client, workspace):
    person = make_person(workspace)
    outreach = _waiting(person)
    owner_client.post(_url("outreach-snooze", workspace, outreach.pk), {"next": _today(workspace)})
    token = _undo_token(owner_client, workspace)
    owner_client.post(_url("outreach-undo", workspace), {"undo": token})
    undone = _state(person)
    # Snooze again, then replay the first Undo: the second snooze stands.
    owner_client.post(_url("outreach-snooze", workspace, outreach.pk), {"next": _today(workspace)})
    owner_client.get(_today(workspace))
    snoozed = _state(person)
    assert snoozed != undone
    owner_client.post(_url("outreach-undo", workspace), {"undo": token})
    assert _state(person) == snoozed
    assert "can no longer be undone" in owner_client.get(_today(workspace)).content.decode()


def test_an_undo_after_a_later_change_is_refused(owner_client, workspace):
    person = make_person(workspace)
    owner_client.post(
        _url("outreach-log", workspace, person.pk),
        {"kind": "email_sent", "next": _today(workspace)},
    )
    token = _undo_token(owner_client, workspace)
    relationship_log_interaction(person=person, kind=InteractionKind.EMAIL_RECEIVED)
    later = _state(person)
    owner_client.post(_url("outreach-undo", workspace), {"undo": token})
    assert _state(person) == later
