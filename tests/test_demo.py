"""The demo workspace: coherent, idempotent, and with something real on every page."""

from __future__ import annotations

import io
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from followthrough.agenda.selectors import today_items
from followthrough.events.models import FocusPick
from followthrough.people.models import Person
from followthrough.relationships.models import FollowUp, FollowUpStatus, Interaction, Stage
from followthrough.site.demo import DEMO_SLUG, STAFF, demo_counts, demo_load
from followthrough.workspaces.models import Membership, Role, Workspace
from tests.factories import make_workspace


def _today(workspace, **kwargs):
    with timezone.override(zoneinfo.ZoneInfo(workspace.timezone)):
        return today_items(workspace=workspace, **kwargs)


def test_it_loads_a_coherent_demo(db):
    result = demo_load(password="demo-password")
    counts = result.counts
    assert result.path == f"/w/{DEMO_SLUG}/"
    assert (counts["people"], counts["organizations"], counts["events"]) == (60, 26, 9)
    assert all(counts[f"stage {stage.label}"] > 0 for stage in Stage)
    assert counts["interactions"] > 100
    home = result.workspace.organization
    assert home.mission and home.offers and home.needs and home.focus_areas.exists()
    roles = dict(
        Membership.objects.filter(workspace=result.workspace).values_list("user__email", "role")
    )
    assert roles == {STAFF[0].email: Role.OWNER, STAFF[1].email: Role.MEMBER}
    for membership in Membership.objects.filter(workspace=result.workspace):
        assert membership.user.check_password("demo-password")
    follow_ups = FollowUp.objects.for_workspace(result.workspace)
    assert set(follow_ups.values_list("status", flat=True)) == set(FollowUpStatus.values)
    assert follow_ups.filter(status=FollowUpStatus.OPEN, snooze_count__gt=0).exists()
    assert FocusPick.objects.for_workspace(result.workspace).filter(over_limit=True).count() == 1
    noticed = Interaction.objects.for_workspace(result.workspace).filter(organization__isnull=False)
    assert noticed.count() >= 10
    from followthrough.sequences.models import RunStatus, SequenceRun

    runs = SequenceRun.objects.filter(workspace=result.workspace, status=RunStatus.ACTIVE)
    assert runs.count() == 2
    assert all(run.current_follow_up.status == FollowUpStatus.OPEN for run in runs)


def test_today_has_items_in_every_section(db):
    workspace = demo_load().workspace
    today = _today(workspace)
    assert today.follow_ups_due and today.focus_waiting and today.upcoming_events
    stages = {r.stage for r in today.slipping}
    assert stages & {Stage.MET, Stage.FOLLOWED_UP}, "a budding relationship is slipping"
    assert stages & {Stage.ONGOING, Stage.PARTNER}, "an established one is slipping"
    assert any(f.due_at < today.now for f in today.follow_ups_due), "something is overdue"
    for user in (m.user for m in workspace.memberships.all()):
        mine = _today(workspace, owner=user)
        assert mine.follow_ups_due and mine.slipping and mine.focus_waiting


def test_running_it_twice_leaves_one_demo_with_the_same_counts(db):
    first = demo_load()
    second = demo_load()
    assert Workspace.objects.filter(slug=DEMO_SLUG).count() == 1
    assert not Workspace.objects.filter(pk=first.workspace.pk).exists()
    assert second.counts == first.counts == demo_counts(second.workspace)
    assert Membership.objects.filter(user__email__in=second.emails).count() == 2


def test_it_refuses_to_replace_a_workspace_that_is_not_the_demo(owner):
    make_workspace("Demo", owner=owner, slug=DEMO_SLUG)
    with pytest.raises(CommandError, match="not the demo"):
        call_command("demo", stdout=io.StringIO())
    assert Workspace.objects.get(slug=DEMO_SLUG).memberships.get().user == owner


def test_the_command_prints_the_page_and_the_logins(db):
    out = io.StringIO()
    call_command("demo", "--password", "s3cret-demo", stdout=out)
    text = out.getvalue()
    assert f"/w/{DEMO_SLUG}/" in text
    assert all(spec.email in text for spec in STAFF)
    assert "s3cret-demo" in text


PAGES = {
    "agenda:today": lambda ws: "Spring Nonprofit Breakfast",
    "people:person-list": lambda ws: (
        Person.objects.for_workspace(ws).order_by("full_name").first().full_name
    ),
    "people:organization-list": lambda ws: "Riverside Food Bank",
    "events:event-list": lambda ws: "Downtown Business After Hours",
}


def test_every_page_shows_demo_data(db):
    workspace = demo_load().workspace
    client = Client()
    client.force_login(workspace.memberships.get(role=Role.OWNER).user)
    missing = []
    for url_name, expected in PAGES.items():
        try:
            url = reverse(url_name, kwargs={"workspace_slug": DEMO_SLUG})
        except NoReverseMatch:
            missing.append(url_name)
            continue
        response = client.get(url)
        assert response.status_code == 200, url_name
        assert expected(workspace) in response.content.decode(), url_name
    if missing:
        pytest.skip(f"not built yet: {', '.join(missing)}")
