"""A worker killed while sending: the message does not stay "sending" for ever."""

from __future__ import annotations

import subprocess
import sys

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from followthrough.mail.models import MessageStatus, OutgoingMessage
from followthrough.mail.sending import LOST_SEND
from followthrough.processes import process_identity
from followthrough.reminders.lost_tasks import LOST, tasks_lost_recover
from followthrough.workspaces.periodic import recover_interrupted


def _dead_worker() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    identity = process_identity(child.pid)
    child.wait()
    return identity


def _running(message: OutgoingMessage, worker: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [message.pk], "kwargs": {}},
        task_path="followthrough.mail.tasks.send_message_task", backend_name="default",
        run_after=timezone.now(), started_at=timezone.now(), worker_ids=[worker],
    )  # fmt: skip


def _sending(workspace, ada, owner) -> OutgoingMessage:
    return OutgoingMessage.objects.create(
        workspace=workspace, person=ada, sender=owner, to_address="ada@northside.example",
        subject="Hi", body="B", message_id="lost.1@riverside.example",
        status=MessageStatus.SENDING, attempts=1,
    )  # fmt: skip


def test_a_send_whose_worker_died_fails_saying_it_may_have_gone_out(owner, workspace, ada):
    message = _sending(workspace, ada, owner)
    task = _running(message, _dead_worker())
    recover_interrupted()  # what the worker and serve run at start-up and every minute
    task.refresh_from_db()
    message.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.exception_class_path == LOST
    assert message.status == MessageStatus.FAILED
    assert message.last_error == LOST_SEND and "Retry" in LOST_SEND


def test_a_send_whose_worker_still_runs_is_left_alone(owner, workspace, ada):
    message = _sending(workspace, ada, owner)
    task = _running(message, process_identity())  # this test process: alive
    assert tasks_lost_recover() == 0
    task.refresh_from_db()
    message.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert message.status == MessageStatus.SENDING


def test_a_lost_task_is_handed_over_once(owner, workspace, ada):
    message = _sending(workspace, ada, owner)
    _running(message, _dead_worker())
    assert tasks_lost_recover() == 1
    assert tasks_lost_recover() == 0
