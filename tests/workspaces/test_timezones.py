"""The time zone is asked at sign-up (pre-filled from the browser by timezone.js; see
tests/e2e/test_first_hour.py) and chosen from the tz database's places grouped by region,
without its internal names."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from followthrough.workspaces.forms import WorkspaceSettingsForm
from followthrough.workspaces.models import Workspace
from followthrough.workspaces.timezones import offered_zones, zone_choices, zone_label

SIGN_UP = {
    "name": "Dana Reyes",
    "email": "dana@example.org",
    "password": "a long pass phrase for dana",
    "workspace_name": "Riverside Food Bank",
}


def test_the_list_holds_places_not_the_databases_internal_names():
    zones = offered_zones()
    assert zones[0] == "UTC"
    for name in ("Europe/Berlin", "America/Argentina/Buenos_Aires", "Pacific/Auckland"):
        assert name in zones
    for name in ("Factory", "localtime", "posixrules", "US/Eastern", "EST5EDT", "Etc/GMT+5"):
        assert name not in zones
    assert zone_label("America/Argentina/Buenos_Aires") == "Argentina / Buenos Aires"


def test_the_choices_are_grouped_by_region():
    groups = dict(zone_choices()[1:])
    assert list(groups)[:2] == ["Africa", "America"]
    assert ("Europe/Berlin", "Berlin") in groups["Europe"]


def test_signing_up_keeps_the_zone_chosen(client, db):
    client.post(reverse("signup"), {**SIGN_UP, "timezone": "Europe/Berlin"})
    workspace = Workspace.objects.get(slug="riverside-food-bank")
    assert (workspace.timezone, workspace.timezone_chosen) == ("Europe/Berlin", True)


def test_without_a_zone_the_workspace_is_in_utc_until_someone_chooses(client, db):
    client.post(reverse("signup"), SIGN_UP)
    workspace = Workspace.objects.get(slug="riverside-food-bank")
    assert (workspace.timezone, workspace.timezone_chosen) == ("UTC", False)


def test_a_zone_that_is_not_offered_is_refused(client, db):
    response = client.post(reverse("signup"), {**SIGN_UP, "timezone": "posixrules"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Workspace.objects.exists()


def test_the_blank_page_asks_the_browser_and_a_posted_one_does_not(client, db):
    page = client.get(reverse("signup")).content.decode()
    assert "data-timezone-browser" in page and "followthrough/timezone.js" in page
    posted = client.post(reverse("signup"), {**SIGN_UP, "password": "x", "timezone": "Asia/Tokyo"})
    body = posted.content.decode()
    assert "data-timezone-browser" not in body
    assert '<option value="Asia/Tokyo" selected>' in body


def test_the_settings_keep_an_older_zone_and_saving_counts_as_choosing(workspace):
    Workspace.objects.filter(pk=workspace.pk).update(timezone="US/Eastern", timezone_chosen=False)
    workspace.refresh_from_db()
    form = WorkspaceSettingsForm(instance=workspace)
    assert ("US/Eastern", "US/Eastern") in form.fields["timezone"].choices
    data = {
        name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None
    }
    bound = WorkspaceSettingsForm(data, instance=workspace)
    assert bound.is_valid(), bound.errors
    bound.save()
    workspace.refresh_from_db()
    assert (workspace.timezone, workspace.timezone_chosen) == ("US/Eastern", True)


@pytest.mark.django_db
def test_the_command_takes_a_zone(capsys):
    call_command("workspace", "create", "harbor", "--time-zone", "America/Chicago")
    workspace = Workspace.objects.get(slug="harbor")
    assert (workspace.timezone, workspace.timezone_chosen) == ("America/Chicago", True)
    with pytest.raises(Exception, match="no time zone"):
        call_command("workspace", "create", "harbor2", "--time-zone", "Mars/Olympus")
