"""The worker's side: its heartbeat, the registered jobs, and a slot claimed only once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from followthrough.reminders import services
from followthrough.reminders.models import DigestSubscription, WorkerHeartbeat
from followthrough.reminders.services import worker_heartbeat
from followthrough.workspaces.periodic import periodic_jobs


def test_the_jobs_are_registered_with_the_worker():
    names = {job.name for job in periodic_jobs()}
    assert {"worker heartbeat", "weekly digests"} <= names


def test_a_worker_keeps_one_row_and_beats_on_every_tick(db, monkeypatch):
    monkeypatch.setattr(services, "_heartbeat_id", None)
    first = worker_heartbeat()  # at start-up
    tick = {job.name: job for job in periodic_jobs()}["worker heartbeat"].tick
    tick(None)
    tick(None)
    rows = list(WorkerHeartbeat.objects.all())
    assert len(rows) == 1 and rows[0].pk == first.pk
    assert rows[0].last_seen_at > first.last_seen_at
    assert rows[0].started_at == first.started_at


def test_workers_gone_for_a_week_are_forgotten(db, monkeypatch):
    monkeypatch.setattr(services, "_heartbeat_id", None)
    old = timezone.now() - timedelta(days=8)
    WorkerHeartbeat.objects.create(host="gone", pid=1, started_at=old, last_seen_at=old)
    worker_heartbeat()
    assert list(WorkerHeartbeat.objects.values_list("host", flat=True)) != ["gone"]
    assert not WorkerHeartbeat.objects.filter(host="gone").exists()


def test_two_workers_holding_the_same_slot_claim_it_once(workspace, owner):
    """Both read the subscription before either claims it (two workers, or a retry
    racing the first try): only one may send."""
    DigestSubscription.objects.create(workspace=workspace, user=owner)
    first = DigestSubscription.objects.get(user=owner)
    second = DigestSubscription.objects.get(user=owner)
    now = timezone.now()
    assert services._claim(first, now) is True
    assert services._claim(second, now + timedelta(seconds=1)) is False
    assert DigestSubscription.objects.get(user=owner).last_sent_at == now


def test_a_failing_digest_is_retried_with_back_off(workspace, owner, monkeypatch):
    from followthrough.reminders import tasks

    DigestSubscription.objects.create(
        workspace=workspace, user=owner, created_at=timezone.now() - timedelta(days=8)
    )
    tries = []

    def failing_send(*, subscription_id: int) -> bool:
        tries.append(subscription_id)
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(tasks, "digest_send", failing_send)
    attempts = tasks.digest_tick()
    attempts = tasks.digest_tick(attempts)  # the failure is seen: wait 5 minutes
    attempts = tasks.digest_tick(attempts)
    assert len(tries) == 1
    (attempt,) = attempts.values()
    assert attempt.failures == 1 and attempt.retry_at is not None
    later = attempt.retry_at + timedelta(seconds=1)
    monkeypatch.setattr(tasks.timezone, "now", lambda: later)
    tasks.digest_tick(attempts)
    assert len(tries) == 2
