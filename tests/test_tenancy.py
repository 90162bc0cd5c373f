"""Every URL of the app against every kind of visitor.

Anonymous visitors are sent to log in; a member of another workspace gets 404 (never 403)
and changes nothing, whether they use the victim's workspace slug or their own slug with
the victim's ids; a viewer may read but every write is refused, and so is every download
of the workspace's data (EXPORTS; members and owners: tests/exchange/
test_backup_download_permissions.py). A URL added to the app without an entry in READS,
WRITES or EXPORTS fails `test_every_url_is_classified`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from followthrough.events.services import attendance_add
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.mail.models import EmailTemplate, MessageKind, MessageStatus, OutgoingMessage
from followthrough.outreach.models import Outreach
from followthrough.outreach.services import outreach_open
from followthrough.people.models import Affiliation, Person
from followthrough.relationships.models import FollowUp, Interaction
from followthrough.relationships.services import follow_up_create
from followthrough.sequences.models import Sequence, SequenceRun
from followthrough.sequences.services.editing import sequence_add_suggested
from followthrough.sequences.services.runs import run_start
from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.workspaces.invitations import invitation_create
from followthrough.workspaces.models import Invitation, Membership
from tests.factories import make_event, make_org, make_person

# Pages a viewer may open (GET 200); every other workspace URL writes something.
READS = {
    "exchange:export",
    "exchange:import-list", "exchange:import-status",
    "agenda:today", "workspaces:members", "workspaces:leave", "people:person-list",
    "people:person-detail",
    "people:person-photo", "people:organization-list", "people:organization-suggest",
    "people:organization-detail", "events:event-list", "events:event-detail",
    "events:attendee-search", "people:duplicates", "people:partners", "watch:around",
    "reminders:settings",  # a member's own digest and feed: viewers change theirs too
    "mail:outbox", "mail:template-list",
    "sequences:sequence-list",
}  # fmt: skip
# Downloads of the workspace's data (and asking for a backup): never for viewers.
EXPORTS = {
    "exchange:export-people-csv", "exchange:export-organizations-csv",
    "exchange:export-interactions-csv", "exchange:export-vcard", "exchange:export-events-ics",
    "exchange:export-follow-ups-ics", "exchange:export-backup", "exchange:export-backup-prepare",
    "exchange:export-backup-file",
}  # fmt: skip
WRITES = {
    "workspaces:settings", "workspaces:invite", "workspaces:member-role",
    "workspaces:member-remove", "workspaces:invite-revoke",
    "people:person-new", "people:person-edit", "people:affiliation-add",
    "people:affiliation-end", "people:organization-new", "people:organization-edit",
    "people:organization-noticed", "people:partner-follow-up", "events:event-new",
    "events:event-edit",
    "events:attendee-add", "events:attendee-remove", "events:focus-pick", "events:focus-unpick",
    "events:capture", "events:capture-event", "relationships:interaction-log",
    "relationships:relationship-edit", "relationships:follow-up-new",
    "relationships:follow-up-done", "relationships:follow-up-snooze",
    "relationships:follow-up-reschedule",
    "people:merge", "people:duplicate-dismiss", "people:person-bulk", "people:person-bulk-undo",
    "exchange:import", "exchange:import-columns", "exchange:import-run", "exchange:import-undo",
    "exchange:import-preview",
    "exchange:import-mail", "exchange:mailbox", "exchange:mailbox-check",
    "watch:watch", "watch:unwatch", "watch:refresh", "watch:item-note", "watch:item-follow-up",
    "outreach:outreach-log", "outreach:outreach-replied", "outreach:outreach-nudge",
    "outreach:outreach-snooze", "outreach:follow-up-done", "outreach:follow-up-snooze",
    "outreach:outreach-undo", "agenda:getting-started-close",
    "reminders:status",  # owners only
    "mail:compose", "mail:message-retry", "mail:invitation-confirm", "mail:settings",
    "mail:settings-test", "mail:profile", "mail:template-edit", "mail:template-reset",
    "sequences:sequence-new", "sequences:sequence-suggested", "sequences:sequence-edit",
    "sequences:sequence-archive", "sequences:sequence-delete", "sequences:run-start",
    "sequences:run-stop",
}  # fmt: skip


def _workspace_urls(resolver=None, prefix="", namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from _workspace_urls(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and "<slug:workspace_slug>" in prefix + str(
            pattern.pattern
        ):
            yield f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)


ALL_URLS = dict(_workspace_urls())


@pytest.fixture
def victim(workspace, owner):
    """One object of every kind in the victim workspace."""
    org = make_org(workspace, name="Victim Org")
    person = make_person(workspace, first_name="Victim", organization=org, role="Director")
    event = make_event(workspace)
    attendance_add(event=event, person=person)
    follow_up = follow_up_create(person=person, title="Victim follow-up", due_at=timezone.now())
    outreach = outreach_open(
        person=person, kind="email", sent_at=timezone.now() - timedelta(days=30)
    )
    feed = WatchedFeed.objects.create(
        workspace=workspace, organization=org, feed_url="https://victim.example/feed/"
    )
    item = NewsItem.objects.create(
        workspace=workspace, feed=feed, key="1", title="Victim news", published_at=timezone.now()
    )
    invitation = OutgoingMessage.objects.create(
        workspace=workspace,
        person=person,
        to_address="v@victim.example",
        subject="Coffee",
        body="x",
        kind=MessageKind.INVITATION,
        status=MessageStatus.FAILED,
        message_id="v.1@victim.example",
        proposals=[
            {
                "starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
                "ends_at": (timezone.now() + timedelta(days=3, hours=1)).isoformat(),
                "place": "",
            }
        ],
    )
    template = EmailTemplate.objects.create(
        workspace=workspace, key="victim", name="Victim", subject="x", body="x"
    )
    sequence = sequence_add_suggested(workspace=workspace)
    return {
        "message": invitation,
        "template": template,
        "sequence": sequence,
        "sequence_run": run_start(sequence=sequence, person=person),
        "outreach": outreach,
        "news_item": item,
        "person": person,
        "org": org,
        "event": event,
        "follow_up": follow_up,
        "affiliation": Affiliation.objects.get(person=person),
        "membership": Membership.objects.get(workspace=workspace, user=owner),
        "invitation": invitation_create(
            workspace=workspace, email="new@victim.example", role="member", created_by=owner
        )[0],
        "import_batch": ImportBatch.objects.create(
            workspace=workspace, format="linkedin", filename="Connections.csv",
            status=ImportStatus.DONE,
        ),
    }  # fmt: skip


def _kwargs(name: str, slug: str, objects: dict) -> dict:
    room, _, view = name.partition(":")
    pattern = ALL_URLS[name]
    kwargs = {"workspace_slug": slug}
    if "<int:pk>" in pattern:
        if room == "exchange":
            kwargs["pk"] = objects["import_batch"].pk
        elif room == "events":
            kwargs["pk"] = objects["event"].pk
        elif room == "relationships" or view.startswith("follow-up"):
            kwargs["pk"] = objects["follow_up"].pk
        elif room == "sequences":
            kwargs["pk"] = objects["sequence_run" if view.startswith("run") else "sequence"].pk
        elif room == "outreach":
            kwargs["pk"] = objects["outreach"].pk
        elif room == "mail":
            kwargs["pk"] = objects["template" if view.startswith("template") else "message"].pk
        elif room == "watch":
            kwargs["pk"] = objects["news_item" if view.startswith("item") else "org"].pk
        elif view.startswith(("organization", "partner")):
            kwargs["pk"] = objects["org"].pk
        else:
            kwargs["pk"] = objects["person"].pk
    if "<int:person_id>" in pattern:
        kwargs["person_id"] = objects["person"].pk
    if "<int:affiliation_id>" in pattern:
        kwargs["affiliation_id"] = objects["affiliation"].pk
    if "<int:membership_id>" in pattern:
        kwargs["membership_id"] = objects["membership"].pk
    if "<int:invitation_id>" in pattern:
        kwargs["invitation_id"] = objects["invitation"].pk
    if "<str:token>" in pattern:
        kwargs["token"] = "t" * 32  # a prepared backup's: refused before it is looked up
    return kwargs


def _snapshot(workspace) -> tuple:
    return (
        Person.objects.filter(workspace=workspace).count(),
        Interaction.objects.filter(workspace=workspace).count(),
        list(OutgoingMessage.objects.filter(workspace=workspace).values_list("status", "attempts")),
        list(EmailTemplate.objects.filter(workspace=workspace).values_list("subject", "body")),
        list(FollowUp.objects.filter(workspace=workspace).values_list("status", "due_at")),
        list(Membership.objects.filter(workspace=workspace).values_list("role", flat=True)),
        list(Invitation.objects.filter(workspace=workspace).values_list("revoked_at", flat=True)),
        list(WatchedFeed.objects.filter(workspace=workspace).values_list("feed_url", "etag")),
        list(
            Outreach.objects.filter(workspace=workspace).values_list(
                "state", "nudge_count", "next_nudge_due"
            )
        ),
        list(Sequence.objects.filter(workspace=workspace).values_list("name", "archived")),
        list(SequenceRun.objects.filter(workspace=workspace).values_list("status", flat=True)),
    )


def _post_data(objects: dict) -> dict:
    person = objects["person"]
    return {
        "person_id": person.pk, "first_name": "Mallory", "name": "Mallory", "title": "x",
        "kind": "call", "role": "owner", "stage": 60, "days": 3, "summary": "x",
        "starts_at": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "occurred_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
        "due_at": timezone.now().strftime("%Y-%m-%dT%H:%M"), "email": "m@example.org",
        "override": "1",
    }  # fmt: skip


def test_every_url_is_classified():
    assert set(ALL_URLS) == READS | WRITES | EXPORTS


@pytest.mark.parametrize("name", sorted(ALL_URLS))
def test_anonymous_visitors_are_sent_to_log_in(client, victim, workspace, name):
    url = reverse(name, kwargs=_kwargs(name, workspace.slug, victim))
    for response in (client.get(url), client.post(url, _post_data(victim))):
        if response.status_code == 405:
            continue
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(ALL_URLS))
def test_strangers_get_404_and_change_nothing(
    outsider_client, victim, workspace, other_workspace, name
):
    before = _snapshot(workspace)
    for slug in (workspace.slug, other_workspace.slug):
        kwargs = _kwargs(name, slug, victim)
        if slug == other_workspace.slug and set(kwargs) == {"workspace_slug"}:
            continue  # the stranger's own page: nothing of the victim's in the URL
        url = reverse(name, kwargs=kwargs)
        assert outsider_client.get(url).status_code in (404, 405)
        assert outsider_client.post(url, _post_data(victim)).status_code in (404, 405)
    assert _snapshot(workspace) == before


@pytest.mark.parametrize("name", sorted(WRITES))
def test_viewers_cannot_write(viewer_client, victim, workspace, name):
    before = _snapshot(workspace)
    url = reverse(name, kwargs=_kwargs(name, workspace.slug, victim))
    response = viewer_client.post(url, _post_data(victim))
    if response.status_code == 405:  # a GET-only page that leads to writing
        response = viewer_client.get(url)
    assert response.status_code == 403
    assert _snapshot(workspace) == before


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_viewers_cannot_take_data_out(viewer_client, victim, workspace, name):
    url = reverse(name, kwargs=_kwargs(name, workspace.slug, victim))
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url).status_code in (403, 405)


@pytest.mark.parametrize("name", sorted(READS - {"people:person-photo"}))
def test_viewers_can_read(viewer_client, victim, workspace, name):
    url = reverse(name, kwargs=_kwargs(name, workspace.slug, victim))
    assert viewer_client.get(url).status_code in (200, 302)


def test_a_foreign_host_header_is_refused(client, db):
    assert client.get(reverse("login"), HTTP_HOST="evil.example").status_code == 400
