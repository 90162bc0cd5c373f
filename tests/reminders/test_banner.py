"""Today says so when the background worker has not been seen for ten minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.reminders.models import WorkerHeartbeat
from followthrough.reminders.services import worker_heartbeat

BANNER = "Reminders are not being sent"


@pytest.fixture
def with_worker(settings):
    """Tasks go to the database queue, as in production: a worker must take them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _today(client, workspace) -> str:
    return client.get(reverse("agenda:today", args=[workspace.slug])).content.decode()


def test_it_shows_when_no_worker_was_ever_seen(with_worker, owner_client, workspace):
    body = _today(owner_client, workspace)
    assert BANNER in body and "not been seen yet" in body
    assert reverse("reminders:status", args=[workspace.slug]) in body


def test_it_shows_when_the_last_heartbeat_is_older_than_ten_minutes(
    with_worker, teammate_client, workspace
):
    seen = timezone.now() - timedelta(minutes=11)
    WorkerHeartbeat.objects.create(host="box", pid=1, started_at=seen, last_seen_at=seen)
    body = _today(teammate_client, workspace)
    assert BANNER in body
    assert reverse("reminders:status", args=[workspace.slug]) not in body  # owners' page


def test_it_is_quiet_while_the_worker_beats(with_worker, owner_client, workspace):
    seen = timezone.now() - timedelta(minutes=9)
    WorkerHeartbeat.objects.create(host="box", pid=1, started_at=seen, last_seen_at=seen)
    assert BANNER not in _today(owner_client, workspace)


def test_a_heartbeat_clears_it_at_once(with_worker, owner_client, workspace):
    assert BANNER in _today(owner_client, workspace)
    worker_heartbeat()
    assert BANNER not in _today(owner_client, workspace)


def test_no_banner_when_tasks_run_inline(owner_client, workspace):
    assert BANNER not in _today(owner_client, workspace)


def test_it_costs_today_at_most_one_query_a_minute(
    with_worker, owner_client, workspace, django_assert_max_num_queries
):
    _today(owner_client, workspace)  # reads the heartbeat, caches it for a minute
    url = reverse("agenda:today", args=[workspace.slug])
    with django_assert_max_num_queries(50) as captured:
        owner_client.get(url)
    assert not any("reminders_workerheartbeat" in q["sql"] for q in captured.captured_queries)
