"""The reminders page, the unsubscribe link (no log-in), and the owners' status page."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from followthrough.reminders.models import DigestSubscription, WorkerHeartbeat
from followthrough.reminders.tokens import unsubscribe_token


def _unsubscribe_url(workspace, user) -> str:
    token = unsubscribe_token(workspace_id=workspace.pk, user_id=user.pk)
    return reverse("reminders-public:unsubscribe", args=[token])


def _enabled(workspace, user) -> bool:
    return DigestSubscription.objects.get(workspace=workspace, user=user).enabled


def test_unsubscribing_asks_first_then_works_without_logging_in(client, workspace, owner):
    url = _unsubscribe_url(workspace, owner)
    page = client.get(url)  # what a link scanner does
    assert page.status_code == 200 and "Stop the weekly digest?" in page.content.decode()
    assert not DigestSubscription.objects.filter(user=owner).exists() or _enabled(workspace, owner)
    assert client.post(url).status_code == 200
    assert not _enabled(workspace, owner)


def test_one_click_unsubscribe_needs_no_csrf_token(workspace, owner):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_unsubscribe_url(workspace, owner), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and not _enabled(workspace, owner)


def test_a_forged_or_foreign_token_is_refused(client, workspace, owner, other_workspace):
    good = _unsubscribe_url(workspace, owner)
    forged = good.replace(good.rstrip("/").rsplit(":", 1)[1], "A" * 43)
    assert client.post(forged).status_code == 404
    assert client.get("/reminders/unsubscribe/not-a-token/").status_code == 404
    # Signed, but Alice is no member of that workspace: nothing to change there.
    assert client.post(_unsubscribe_url(other_workspace, owner)).status_code == 404
    assert not DigestSubscription.objects.filter(workspace=other_workspace, user=owner).exists()


def test_a_member_sets_day_and_hour_and_turns_it_off(teammate_client, workspace, teammate):
    url = reverse("reminders:settings", args=[workspace.slug])
    assert "Weekly digest" in teammate_client.get(url).content.decode()
    response = teammate_client.post(url, {"action": "digest", "weekday": 4, "hour": 17})
    assert response.status_code == 303
    subscription = DigestSubscription.objects.get(workspace=workspace, user=teammate)
    assert (subscription.enabled, subscription.weekday, subscription.hour) == (False, 4, 17)


def test_a_viewer_may_change_their_own_digest(viewer_client, workspace, viewer):
    url = reverse("reminders:settings", args=[workspace.slug])
    data = {"action": "digest", "enabled": "on", "weekday": 2, "hour": 9}
    assert viewer_client.post(url, data).status_code == 303
    assert DigestSubscription.objects.get(workspace=workspace, user=viewer).weekday == 2


def _status(workspace) -> str:
    return reverse("reminders:status", args=[workspace.slug])


def _failed_task() -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        id=uuid.uuid4(), status=TaskResultStatus.FAILED, args_kwargs={"args": [7], "kwargs": {}},
        task_path="followthrough.reminders.tasks.send_digest_task", backend_name="default",
        run_after=now, finished_at=now, exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback (most recent call last):\n  File \"x.py\"\n"
        "smtplib.SMTPServerDisconnected: Connection unexpectedly closed\n",
    )  # fmt: skip


def test_the_status_page_shows_the_heartbeat_queue_and_failed_tasks(
    owner_client, workspace, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seen = timezone.now() - timedelta(minutes=3)
    WorkerHeartbeat.objects.create(host="box", pid=4242, started_at=seen, last_seen_at=seen)
    _failed_task()
    DBTaskResult.objects.create(
        id=uuid.uuid4(), args_kwargs={"args": [], "kwargs": {}}, backend_name="default",
        task_path="followthrough.watch.tasks.poll_due_feeds_task", run_after=timezone.now(),
    )  # fmt: skip
    body = owner_client.get(_status(workspace)).content.decode()
    assert "4242 on box" in body and "(3\xa0minutes ago)" in body
    assert "1 waiting, 0 running" in body
    assert "send_digest_task" in body
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in body


def test_failure_messages_are_for_staff_when_the_installation_has_other_workspaces(
    owner_client, workspace, other_workspace
):
    _failed_task()
    body = owner_client.get(_status(workspace)).content.decode()
    assert "SMTPServerDisconnected" in body and "unexpectedly closed" not in body


def test_the_status_page_lists_digests_due_but_not_sent(owner_client, workspace, teammate):
    DigestSubscription.objects.create(
        workspace=workspace, user=teammate, created_at=timezone.now() - timedelta(days=8)
    )
    body = owner_client.get(_status(workspace)).content.decode()
    assert "Bob" in body and "Monday 08:00" in body


def test_only_owners_see_the_status_page(
    teammate_client, viewer_client, outsider_client, workspace
):
    assert teammate_client.get(_status(workspace)).status_code == 403
    assert viewer_client.get(_status(workspace)).status_code == 403
    assert outsider_client.get(_status(workspace)).status_code == 404
