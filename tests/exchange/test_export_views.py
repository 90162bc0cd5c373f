"""The Export page and its downloads: what comes out, and that one workspace's download
never holds another's rows (checklist C5). Who may download: test_backup_download_permissions."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest.mock import patch

import pytest
from django.urls import include, path, reverse

from followthrough import urls as project_urls
from tests.exchange.test_backup import rich_workspace
from tests.factories import make_user

# Until the project's urls include the exchange room, these tests add it themselves.
urlpatterns = list(project_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "exchange" for p in urlpatterns):
    urlpatterns.append(path("w/<slug:workspace_slug>/", include("followthrough.exchange.urls")))
pytestmark = [pytest.mark.urls(__name__), pytest.mark.usefixtures("media_root")]

DOWNLOADS = {
    "exchange:export-people-csv": "text/csv; charset=utf-8",
    "exchange:export-organizations-csv": "text/csv; charset=utf-8",
    "exchange:export-interactions-csv": "text/csv; charset=utf-8",
    "exchange:export-vcard": "text/vcard; charset=utf-8",
    "exchange:export-events-ics": "text/calendar; charset=utf-8",
    "exchange:export-follow-ups-ics": "text/calendar; charset=utf-8",
}


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_export_page_links_every_download(owner_client, workspace):
    response = owner_client.get(reverse("exchange:export", args=[workspace.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    for name in DOWNLOADS:
        assert reverse(name, args=[workspace.slug]) in page
    assert reverse("exchange:export-backup-prepare", args=[workspace.slug]) in page
    assert "?version=3.0" in page and "?version=4.0" in page


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_members_download_every_export_as_an_attachment(teammate_client, workspace, name):
    response = teammate_client.get(reverse(name, args=[workspace.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOWNLOADS[name]
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{workspace.slug}-')
    assert response["Cache-Control"] == "private, no-store"
    assert body(response)


def test_a_download_is_named_for_the_workspaces_own_date(teammate_client, workspace):
    # 23:30 on 28 November in Chicago is already the 29th in UTC, where the server runs.
    workspace.timezone = "America/Chicago"
    workspace.save()
    late = datetime(2026, 11, 29, 5, 30, tzinfo=UTC)
    with patch("django.utils.timezone.now", return_value=late):
        response = teammate_client.get(reverse("exchange:export-people-csv", args=[workspace.slug]))
    assert f'filename="{workspace.slug}-people-2026-11-28.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    "name",
    ["exchange:export", "exchange:export-backup", "exchange:export-backup-prepare", *DOWNLOADS],
)
def test_strangers_get_404_and_anonymous_visitors_log_in(client, outsider_client, workspace, name):
    url = reverse(name, args=[workspace.slug])
    assert outsider_client.get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_downloads_are_get_only(owner_client, workspace):
    url = reverse("exchange:export-backup", args=[workspace.slug])
    assert owner_client.post(url).status_code == 405


def test_vcard_version_is_chosen_by_the_query(owner_client, workspace):
    url = reverse("exchange:export-vcard", args=[workspace.slug])
    assert "VERSION:4.0" in body(owner_client.get(url + "?version=4.0"))
    assert "VERSION:3.0" in body(owner_client.get(url))  # the default, as on the CLI
    assert owner_client.get(url + "?version=2.1").status_code == 400


def test_every_download_holds_only_its_own_workspace(client, db):
    alpha_owner = make_user("alpha-owner@example.org")
    alpha = rich_workspace(owner=alpha_owner, marker="Alpha")
    rich_workspace(marker="Bravo")
    client.force_login(alpha_owner)
    for name in DOWNLOADS:
        for query in ("", "?version=4.0"):
            text = body(client.get(reverse(name, args=[alpha.slug]) + query))
            assert "Bravo" not in text and "bravo" not in text, name
