"""kill -9 of the worker that `serve` runs, in the middle of an import: the import ends
as failed and undone (nothing of it is left), the next import runs, and a new worker is
at work within 10 s. A real server, a real worker, a real SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.site.test_worker_supervision import _wait_for, _worker_pids
from tests.smtp import smtp_mute  # noqa: F401 -- the fixture
from tests.test_serve import server, server_env  # noqa: F401 -- the fixtures

SETUP = """
import json, os
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from followthrough.exchange.imports.tasks import import_file_task, import_queue, store_upload
from followthrough.site.services import workspace_open
from followthrough.workspaces.services import user_create

owner = user_create(email="kill@example.org", password="a long pass phrase", name="Kim")
workspace = workspace_open(name="Kill test", owner=owner)
ids = []
with transaction.atomic():
    for path in os.environ["KILL_TEST_FILES"].split(","):
        data = open(path, "rb").read()
        name = path.rsplit("/", 1)[1]
        token = store_upload(workspace, SimpleUploadedFile(name, data), {"format": "linkedin"})
        batch = import_queue(workspace=workspace, fmt="linkedin", filename=name, token=token,
                             size=len(data), actor=owner, run=import_file_task.enqueue)
        ids.append(batch.pk)
print(json.dumps(ids))
"""
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def _linkedin(path: Path, surname: str, rows: int) -> Path:
    lines = [
        f"Pat{i},{surname}{i},https://www.linkedin.com/in/{surname.lower()}-{i},,"
        f"Org {i % 500},Organizer,06 Jan 2024\n"
        for i in range(rows)
    ]
    path.write_text("Notes:\n\n" + HEADER + "".join(lines))
    return path


def _query(data_dir: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(data_dir / "followthrough.sqlite3", timeout=20) as db:
        return db.execute(sql, args).fetchall()


def _batch(data_dir: Path, pk: int) -> tuple[str, dict, str]:
    [(status, counts, error)] = _query(
        data_dir, "SELECT status, counts, error FROM exchange_importbatch WHERE id = ?", pk
    )
    return status, json.loads(counts), error


def test_a_worker_killed_mid_import_leaves_nothing_and_the_next_import_runs(server, tmp_path):  # noqa: F811
    base, data_dir = server
    port = int(base.rsplit(":", 1)[1])
    big = _linkedin(tmp_path / "Killed.csv", "Killed", 40_000)
    small = _linkedin(tmp_path / "Next.csv", "Next", 50)
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    out = subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", "shell", "-c", SETUP, "--data-dir", str(data_dir)],
        env={**env, "KILL_TEST_FILES": f"{big},{small}"},
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    first, second = json.loads(out.strip().splitlines()[-1])

    def importing() -> bool:
        status, counts, _ = _batch(data_dir, first)
        return status == "running" and bool(counts.get("progress", {}).get("created"))

    assert _wait_for(importing, 90), _batch(data_dir, first)
    assert _query(data_dir, "SELECT COUNT(*) FROM people_person WHERE last_name LIKE 'Killed%'")[0][
        0
    ]
    [worker] = _worker_pids(port)
    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    assert _wait_for(lambda: _worker_pids(port) not in ([], [worker]), 10), "no new worker"
    assert time.monotonic() - killed < 10

    assert _wait_for(lambda: _batch(data_dir, first)[0] == "failed", 60), _batch(data_dir, first)
    assert "interrupted" in _batch(data_dir, first)[2]
    assert _wait_for(lambda: _batch(data_dir, second)[0] == "done", 60), _batch(data_dir, second)
    killed_rows = "SELECT COUNT(*) FROM people_person WHERE last_name LIKE 'Killed%'"
    assert _query(data_dir, killed_rows) == [(0,)]
    next_rows = "SELECT COUNT(*) FROM people_person WHERE last_name LIKE 'Next%'"
    assert _query(data_dir, next_rows) == [(50,)]
    lost = "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    assert _query(data_dir, lost) == [(0,)], "the killed worker's task still says running"


SEND_SETUP = """
import json, os
from followthrough.mail.models import MailSettings, OutgoingMessage, Security
from followthrough.mail.tasks import send_message_task
from followthrough.people.services import person_create
from followthrough.site.services import workspace_open
from followthrough.workspaces.services import user_create

owner = user_create(email="send@example.org", password="a long pass phrase", name="Sam")
workspace = workspace_open(name="Send test", owner=owner)
MailSettings.objects.create(
    workspace=workspace, host="127.0.0.1", port=int(os.environ["MUTE_PORT"]),
    security=Security.NONE, from_address="team@example.org", timeout=60,
)
ada = person_create(workspace=workspace, first_name="Ada", last_name="Lovelace")
message = OutgoingMessage.objects.create(
    workspace=workspace, person=ada, sender=owner, to_address="ada@example.org",
    subject="Hi", body="B", message_id="kill.1@example.org",
)
send_message_task.enqueue(message.pk)
print(json.dumps(message.pk))
"""


def test_a_worker_killed_mid_send_leaves_a_failed_message_that_says_so(server, smtp_mute):  # noqa: F811
    """The SMTP server never answers, so the worker is inside the send when it dies."""
    base, data_dir = server
    port = int(base.rsplit(":", 1)[1])
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    out = subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", "shell", "-c", SEND_SETUP,
         "--data-dir", str(data_dir)],
        env={**env, "MUTE_PORT": str(smtp_mute[1])},
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    message = json.loads(out.strip().splitlines()[-1])
    status = "SELECT status, last_error FROM mail_outgoingmessage WHERE id = ?"
    assert _wait_for(lambda: _query(data_dir, status, message)[0][0] == "sending", 60)
    [worker] = _worker_pids(port)
    os.kill(worker, signal.SIGKILL)
    assert _wait_for(lambda: _query(data_dir, status, message)[0][0] == "failed", 30)
    [(_, error)] = _query(data_dir, status, message)
    assert "may or may not have gone out" in error
    lost = "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    assert _query(data_dir, lost) == [(0,)]
