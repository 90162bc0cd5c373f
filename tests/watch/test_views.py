"""The pages: Around you, the organization's News section, and the actions on an item."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.people.services import affiliation_add
from followthrough.relationships.models import FollowUp, Interaction, InteractionKind
from followthrough.watch.models import NewsItem, WatchedFeed
from tests.factories import make_org, make_person
from tests.watch.helpers import our_profile, watched
from tests.watch.server import Route


def _around(workspace):
    return reverse("watch:around", args=[workspace.slug])


def _org_page(organization):
    return reverse(
        "people:organization-detail", args=[organization.workspace.slug, organization.pk]
    )


def test_around_teaches_the_next_step_when_nothing_is_watched(owner_client, workspace):
    body = owner_client.get(_around(workspace)).content.decode()
    assert "Watch what others are doing" in body
    assert 'aria-current="page">Around you' in body


def test_around_lists_the_news_newest_first_with_highlights(owner_client, workspace):
    our_profile(workspace)
    watched(workspace)
    watched(workspace, name="GreenWorks Coalition", feed_file="atom_feed.xml")
    body = owner_client.get(_around(workspace)).content.decode()
    atom = body.index("Call for members: food-justice working group")  # 11 March
    youth = body.index("We are looking for youth volunteer partners")  # 10 March
    report = body.index("Annual report 2025")  # February
    assert atom < youth < report
    assert body.count("Touches your work") == 1
    reason = "Mentions “volunteer” and “tutors” — you need volunteer tutors for evening sessions"
    assert reason in body
    assert "<script" not in body.split("<main", 1)[1] and "onerror" not in body


def test_around_pages_without_counting(owner_client, workspace, django_assert_max_num_queries):
    feed = watched(workspace)
    now = timezone.now()
    NewsItem.objects.bulk_create(
        NewsItem(
            workspace=workspace,
            feed=feed,
            key=f"k{n}",
            title=f"Item {n:02}",
            published_at=now - timedelta(hours=n),
        )
        for n in range(30)
    )
    with django_assert_max_num_queries(12):
        first = owner_client.get(_around(workspace)).content.decode()
    assert "Item 00" in first and "Item 24" in first and "Item 25" not in first
    assert "Older" in first
    second = owner_client.get(_around(workspace) + "?page=2").content.decode()
    assert "Item 25" in second and "Annual report 2025" in second


def test_around_answers_htmx_with_the_list_only(owner_client, workspace):
    watched(workspace)
    response = owner_client.get(_around(workspace), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="around-list"') and "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_another_workspaces_news_never_shows(
    owner_client, workspace, other_workspace, outsider_client
):
    theirs = watched(other_workspace, name="Their Food Bank")
    body = owner_client.get(_around(workspace)).content.decode()
    assert "youth volunteer partners" not in body
    item = NewsItem.objects.filter(feed=theirs).first()
    note = reverse("watch:item-note", args=[workspace.slug, item.pk])
    assert owner_client.post(note).status_code == 404
    org_page = reverse("people:organization-detail", args=[workspace.slug, theirs.organization_id])
    assert owner_client.get(org_page).status_code == 404
    assert (
        "youth volunteer partners" in outsider_client.get(_around(other_workspace)).content.decode()
    )


def test_the_organization_page_shows_its_news_and_feed_status(owner_client, workspace):
    feed = watched(workspace)
    WatchedFeed.objects.filter(pk=feed.pk).update(
        last_error="The site answered 500 (Internal Server Error).", failures=1
    )
    body = owner_client.get(_org_page(feed.organization)).content.decode()
    assert "News</h2>" in body and f'Watching <span class="break">{feed.feed_url}</span>' in body
    assert "Last read" in body and "The last read failed: The site answered 500" in body
    assert "We are looking for youth volunteer partners" in body
    assert "Stop watching" in body and "Read now" in body


def test_an_unwatched_organization_offers_to_watch_it(owner_client, workspace):
    organization = make_org(workspace, name="Library", website="https://library.example/")
    body = owner_client.get(_org_page(organization)).content.decode()
    assert "Not watched yet" in body and 'value="https://library.example/"' in body
    assert "Watch its news" in body


@pytest.mark.usefixtures("loopback")
def test_a_member_watches_and_stops_watching_from_the_page(teammate_client, workspace, feed_server):
    organization = make_org(workspace, name="Riverside Food Bank")
    url = reverse("watch:watch", args=[workspace.slug, organization.pk])
    response = teammate_client.post(url, {"url": feed_server.url("/feed/")})
    assert response.status_code == 303 and response["Location"] == _org_page(organization)
    assert NewsItem.objects.filter(workspace=workspace).count() == 2
    page = teammate_client.get(_org_page(organization)).content.decode()
    assert "Watching Riverside Food Bank&#x27;s news: 2 items read." in page
    response = teammate_client.post(
        reverse("watch:unwatch", args=[workspace.slug, organization.pk])
    )
    assert response.status_code == 303 and not WatchedFeed.objects.exists()
    organization.refresh_from_db()
    assert organization.feed_url == feed_server.url("/feed/")  # still its address


def test_watching_a_refused_address_says_why(owner_client, workspace):
    organization = make_org(workspace, name="Intranet")
    url = reverse("watch:watch", args=[workspace.slug, organization.pk])
    owner_client.post(url, {"url": "http://127.0.0.1:9/feed"})
    page = owner_client.get(_org_page(organization)).content.decode()
    assert "Could not watch Intranet" in page and "loopback" in page
    assert not WatchedFeed.objects.exists()


@pytest.mark.usefixtures("loopback")
def test_read_now_polls_the_feed(owner_client, workspace, feed_server):
    organization = make_org(workspace, name="Food", feed_url=feed_server.url("/feed/"))
    WatchedFeed.objects.create(
        workspace=workspace, organization=organization, feed_url=organization.feed_url
    )
    feed_server.routes["/feed/"] = Route(b"", status=503, conditional=False)
    owner_client.post(reverse("watch:refresh", args=[workspace.slug, organization.pk]))
    assert (
        "Could not read the feed: The site answered 503"
        in owner_client.get(_org_page(organization)).content.decode()
    )


def test_a_viewer_reads_but_cannot_watch_or_act(viewer_client, workspace):
    feed = watched(workspace)
    other = make_org(workspace, name="Library", website="https://library.example/")
    assert "Watch its news" not in viewer_client.get(_org_page(other)).content.decode()
    body = viewer_client.get(_around(workspace)).content.decode()
    assert "youth volunteer partners" in body and "Note it" not in body
    item = NewsItem.objects.filter(feed=feed).first()
    for url in (
        reverse("watch:watch", args=[workspace.slug, other.pk]),
        reverse("watch:unwatch", args=[workspace.slug, feed.organization_id]),
        reverse("watch:refresh", args=[workspace.slug, feed.organization_id]),
        reverse("watch:item-note", args=[workspace.slug, item.pk]),
        reverse("watch:item-follow-up", args=[workspace.slug, item.pk]),
    ):
        assert viewer_client.post(url, {"url": "https://x.example/"}).status_code == 403
    assert WatchedFeed.objects.count() == 1


def test_note_it_records_a_noticed_entry_on_the_organizations_timeline(
    owner_client, owner, workspace
):
    feed = watched(workspace)
    item = NewsItem.objects.get(feed=feed, title__startswith="We are looking")
    url = reverse("watch:item-note", args=[workspace.slug, item.pk])
    response = owner_client.post(url, {"next": _around(workspace)})
    assert response.status_code == 303 and response["Location"] == _around(workspace)
    noticed = Interaction.objects.get(organization=feed.organization)
    assert noticed.kind == InteractionKind.NOTICED and noticed.logged_by == owner
    assert noticed.summary == "In their news: We are looking for youth volunteer partners"
    assert item.link in noticed.note
    page = owner_client.get(_org_page(feed.organization)).content.decode()
    assert "In their news: We are looking for youth volunteer partners" in page


def test_follow_up_with_someone_at_the_organization(owner_client, owner, workspace):
    feed = watched(workspace)
    maria = make_person(workspace, first_name="Maria", last_name="Okafor")
    affiliation_add(person=maria, organization=feed.organization, role="Director")
    item = NewsItem.objects.get(feed=feed, title__startswith="We are looking")
    body = owner_client.get(_around(workspace)).content.decode()
    assert f'name="person" value="{maria.pk}"' in body
    assert 'Follow up with <span dir="auto">Maria Okafor' in body
    url = reverse("watch:item-follow-up", args=[workspace.slug, item.pk])
    assert owner_client.post(url, {"person": maria.pk}).status_code == 303
    follow_up = FollowUp.objects.get(person=maria)
    assert follow_up.title == "Follow up on their news: We are looking for youth volunteer partners"
    assert follow_up.assigned_to == owner
    # Within the window, at a working hour of the workspace (`relationships.due`).
    due = timezone.localtime(follow_up.due_at, ZoneInfo(follow_up.workspace.timezone))
    assert follow_up.due_at - timezone.now() > timedelta(hours=47)
    assert (due.minute, due.weekday() < 5, 9 <= due.hour <= 17) == (0, True, True)


def test_follow_up_only_with_someone_at_that_organization(owner_client, workspace, other_workspace):
    feed = watched(workspace)
    item = NewsItem.objects.filter(feed=feed).first()
    stranger = make_person(workspace)  # not at the organization
    outsider = make_person(other_workspace)
    url = reverse("watch:item-follow-up", args=[workspace.slug, item.pk])
    for person in (stranger.pk, outsider.pk, "x", ""):
        owner_client.post(url, {"person": person})
    assert not FollowUp.objects.exists()
