"""Today's getting-started checklist: each step ticks itself as the workspace shows it
done, owners see the owners' steps, a member can hide it, and it goes once complete."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followthrough.events.services import focus_pick
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.people.services import organization_update
from followthrough.workspaces.invitations import invitation_create
from followthrough.workspaces.models import Membership, Role, Workspace
from tests.factories import add_member, make_event, make_person


def _today(client, workspace) -> str:
    return client.get(reverse("agenda:today", args=[workspace.slug])).content.decode()


def _steps(body: str) -> dict[str, bool]:
    """Each step's title and whether it is ticked, as the page shows them."""
    items = re.findall(r'<li( class="done")?>\s*<span class="check"[^>]*>.</span>\s*<div>\s*'
                       r'<a href="[^"]*">([^<]+)</a>', body)  # fmt: skip
    return {title: bool(done) for done, title in items}


STEPS = [
    "Describe our organization",
    "Set our time zone",
    "Invite colleagues",
    "Bring our contacts in",
    "Add the next event",
    "Pick the people to meet there",
]


def test_a_new_team_sees_every_step_undone_with_why_and_where(owner_client, workspace):
    body = _today(owner_client, workspace)
    assert _steps(body) == dict.fromkeys(STEPS, False)
    assert "partner suggestions compare them" in body
    assert reverse("exchange:import", args=[workspace.slug]) in body
    assert reverse("workspaces:settings", args=[workspace.slug]) in body


def test_each_step_ticks_itself_as_it_gets_done(owner_client, workspace, owner):
    organization_update(
        organization=workspace.organization, mission="Literacy for all", needs="Volunteers"
    )
    Workspace.objects.filter(pk=workspace.pk).update(timezone_chosen=True)
    invitation_create(workspace=workspace, email="sam@example.org", role=Role.MEMBER,
                      created_by=owner)  # fmt: skip
    ImportBatch.objects.create(workspace=workspace, format="vcard", filename="a.vcf",
                               status=ImportStatus.DONE)  # fmt: skip
    steps = _steps(_today(owner_client, workspace))
    assert [title for title, done in steps.items() if not done] == STEPS[4:]

    event = make_event(workspace, timezone.now() + timedelta(days=3))
    assert _steps(_today(owner_client, workspace))["Add the next event"] is True
    focus_pick(event=event, person=make_person(workspace), actor=owner)
    body = _today(owner_client, workspace)
    assert all(_steps(body).values()) and "All done" in body
    # Seen complete once, it does not come back.
    assert _steps(_today(owner_client, workspace)) == {}


def test_a_failed_import_or_a_cancelled_event_does_not_count(owner_client, workspace):
    ImportBatch.objects.create(workspace=workspace, format="vcard", filename="a.vcf",
                               status=ImportStatus.FAILED)  # fmt: skip
    make_event(workspace, timezone.now() + timedelta(days=3), cancelled=True)
    steps = _steps(_today(owner_client, workspace))
    assert steps["Bring our contacts in"] is False and steps["Add the next event"] is False


def test_a_member_sees_only_the_steps_they_can_take_and_a_viewer_none(
    teammate_client, viewer_client, workspace
):
    assert list(_steps(_today(teammate_client, workspace))) == [
        STEPS[0],
        STEPS[3],
        STEPS[4],
        STEPS[5],
    ]
    assert _steps(_today(viewer_client, workspace)) == {}


def test_a_second_member_ticks_the_invite_step(owner_client, workspace):
    add_member(workspace)
    assert _steps(_today(owner_client, workspace))["Invite colleagues"] is True


def test_hiding_it_is_for_this_member_only(owner_client, teammate_client, workspace, owner):
    url = reverse("agenda:getting-started-close", args=[workspace.slug])
    response = owner_client.post(url)
    assert response.status_code == 303
    assert _steps(_today(owner_client, workspace)) == {}
    assert _steps(_today(teammate_client, workspace)) != {}
    assert Membership.objects.get(workspace=workspace, user=owner).getting_started_closed
    # With HTMX the list goes in place.
    htmx = teammate_client.post(url, headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx.content) == (200, b"")


def test_it_costs_today_one_query(owner_client, workspace):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            owner_client.get(reverse("agenda:today", args=[workspace.slug]))
        return len(captured)  # now: the next request resets the connection's log

    shown = queries()
    owner_client.post(reverse("agenda:getting-started-close", args=[workspace.slug]))
    assert shown - queries() == 1
