"""Today with outreach: nudges due, one row per person with every reason, fixed cost."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from followthrough.agenda.selectors import today_items
from followthrough.outreach.services import outreach_open
from followthrough.relationships.models import Relationship, Stage
from followthrough.relationships.services import follow_up_create
from tests.factories import make_person


def _today(workspace):
    return reverse("agenda:today", args=[workspace.slug])


def test_a_nudge_due_shows_whom_since_when_and_which(owner_client, workspace):
    person = make_person(workspace, first_name="Ada", last_name="Byron")
    outreach_open(person=person, kind="email", sent_at=timezone.now() - timedelta(days=5))
    page = owner_client.get(_today(workspace)).content.decode()
    assert "no reply from Ada Byron since" in page and "nudge #1" in page
    assert "Log nudge #1" in page and "They replied" in page and "Snooze 2 days" in page


def test_a_nudge_not_yet_due_is_not_shown(workspace):
    person = make_person(workspace)
    outreach_open(person=person, kind="email", sent_at=timezone.now() - timedelta(days=1))
    assert today_items(workspace=workspace).nudges == []


def test_a_person_is_listed_once_with_every_reason(owner_client, workspace):
    now = timezone.now()
    person = make_person(workspace, first_name="Grace", last_name="Hopper")
    Relationship.objects.filter(person=person).update(
        stage=Stage.MET, next_touch_due=now - timedelta(days=3)
    )
    follow_up_create(person=person, title="Send the report", due_at=now - timedelta(hours=1))
    outreach_open(person=person, kind="email", sent_at=now - timedelta(days=11))
    outreach = person.outreach.get()
    outreach.nudge_count = 1
    outreach.next_nudge_due = now - timedelta(hours=2)
    outreach.save()
    today = today_items(workspace=workspace, now=now)
    rows = today.follow_ups_due + today.nudges + today.slipping + today.focus_waiting
    assert [r.person_id for r in rows] == [person.pk]
    (also,) = (rows[0].also,)
    assert any("no reply since" in reason and "nudge #2" in reason for reason in also)
    assert "slipping (Met)" in also
    assert rows[0].nudge_id == outreach.pk
    page = owner_client.get(_today(workspace)).content.decode()
    assert page.count(">Grace Hopper</strong>") == 1
    assert "They replied" in page


def test_a_nudge_and_slipping_share_the_nudge_row(workspace):
    now = timezone.now()
    person = make_person(workspace)
    Relationship.objects.filter(person=person).update(
        stage=Stage.ONGOING, next_touch_due=now - timedelta(days=3)
    )
    outreach_open(person=person, kind="call", sent_at=now - timedelta(days=5))
    today = today_items(workspace=workspace, now=now)
    assert [n.person_id for n in today.nudges] == [person.pk] and today.slipping == []
    assert today.nudges[0].also == ("slipping (Ongoing)",)


def test_mine_shows_only_the_nudges_i_sent(workspace, owner, teammate):
    now = timezone.now()
    outreach_open(person=make_person(workspace), kind="email", sent_at=now - timedelta(days=5),
                  by=teammate)  # fmt: skip
    assert today_items(workspace=workspace, owner=owner).nudges == []
    assert len(today_items(workspace=workspace, owner=teammate).nudges) == 1


def test_query_count_stays_constant_with_many_outreach(
    owner_client, workspace, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(40):
        person = make_person(workspace)
        outreach_open(person=person, kind="email", sent_at=now - timedelta(days=5 + i))
        if i % 2:
            follow_up_create(person=person, title=f"f{i}", due_at=now - timedelta(hours=i))
            Relationship.objects.filter(person=person).update(
                stage=Stage.MET, next_touch_due=now - timedelta(days=i + 1)
            )
    with django_assert_max_num_queries(14):
        owner_client.get(_today(workspace))
