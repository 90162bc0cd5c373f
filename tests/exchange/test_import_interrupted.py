"""An import whose process is gone is found, marked failed and undone — never "running"
for ever — and the reader process of an import dies with it."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone

from followthrough.exchange.imports import loader, tasks
from followthrough.exchange.imports.recovery import (
    INTERRUPTED,
    NEVER_STARTED,
    imports_recover_interrupted,
)
from followthrough.exchange.imports.result import ImportFailed
from followthrough.exchange.imports.runner import RUNNER, this_runner
from followthrough.exchange.imports.undo import UNDOING
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.people.models import Person
from tests.exchange.helpers import load, people, person
from tests.exchange.snapshot import differences, snapshot
from tests.factories import make_person


def _gone_process() -> dict[str, Any]:
    """The runner of a process that has exited (its pid free again)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return {**this_runner(), "pid": child.pid, "started": "1"}


def _killed_import(workspace, monkeypatch, records, **kwargs: Any) -> ImportBatch:
    """An import killed after its second batch: its rows committed, nothing undone, the
    batch left running and naming a process that is gone."""
    monkeypatch.setattr(loader, "abandon_batch", lambda *a, **k: None)

    def killed(result) -> None:
        if result.read >= 20:
            raise KeyboardInterrupt  # stands for SIGKILL: nothing after it runs

    with pytest.raises(KeyboardInterrupt):
        load(workspace, records, batch_size=10, progress=killed, **kwargs)
    monkeypatch.undo()
    batch = ImportBatch.objects.get(status=ImportStatus.RUNNING)
    batch.counts = {**batch.counts, RUNNER: _gone_process()}
    batch.save()
    return batch


def test_an_import_whose_process_is_gone_is_failed_and_undone(workspace, monkeypatch):
    dev = make_person(workspace, first_name="Dev", notes="Knows everyone.", emails=["d@x.org"])
    before = snapshot()
    records = [person(2, "Dev", emails=["d@x.org"], notes="Met at the fair."), *people(29)]
    batch = _killed_import(workspace, monkeypatch, records)
    assert Person.objects.count() == 20  # what the two batches committed is there
    assert batch.counts["progress"]["read"] == 20

    recovered = imports_recover_interrupted()

    assert recovered.failed == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (ImportStatus.FAILED, INTERRUPTED)
    dev.refresh_from_db()
    assert dev.notes == "Knows everyone."
    changed = differences(before, snapshot())
    assert changed == {"exchange_importbatch": (0, 1), "exchange_importedobject": (0, 5)}
    assert imports_recover_interrupted().failed == []  # once only


def test_an_import_whose_process_runs_is_left_alone(workspace, monkeypatch):
    batch = _killed_import(workspace, monkeypatch, people(30))
    batch.counts = {**batch.counts, RUNNER: this_runner()}
    batch.save()
    assert not imports_recover_interrupted()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.RUNNING


def test_a_pid_now_another_process_s_does_not_keep_an_import_running(workspace, monkeypatch):
    batch = _killed_import(workspace, monkeypatch, people(30))
    # The kernel gave the import's pid to a new process (ours): its start time differs.
    batch.counts = {**batch.counts, RUNNER: {**this_runner(), "started": "12"}}
    batch.save()
    assert imports_recover_interrupted().failed == [batch.pk]
    assert not Person.objects.exists()


def test_an_import_whose_own_undo_fails_is_left_to_recovery(workspace, monkeypatch):
    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(loader, "abandon_batch", unreachable)
    records = people(25)
    records[-1].emails = ["not an address"]
    with pytest.raises(ImportFailed):
        load(workspace, records, batch_size=10)
    monkeypatch.undo()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.RUNNING and RUNNER not in batch.counts
    assert imports_recover_interrupted().failed == [batch.pk]
    assert not Person.objects.exists()


def test_an_interrupted_mail_import_keeps_what_it_logged(workspace):
    from followthrough.exchange.imports.recovery import MAIL_INTERRUPTED

    batch = ImportBatch.objects.create(
        workspace=workspace,
        format="mbox",
        filename="Sent.mbox",
        status=ImportStatus.RUNNING,
        counts={RUNNER: _gone_process(), "logged": 3},
    )
    assert imports_recover_interrupted().failed == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (ImportStatus.FAILED, MAIL_INTERRUPTED)
    assert batch.counts == {"logged": 3}


def test_a_running_import_that_names_no_process_is_recovered(workspace):
    batch = ImportBatch.objects.create(
        workspace=workspace, format="csv", filename="old.csv", status=ImportStatus.RUNNING
    )
    assert imports_recover_interrupted().failed == [batch.pk]


def _queued(workspace, name: str, rows: list[str]) -> ImportBatch:
    content = ("First Name,Last Name,Email\n" + "\n".join(rows) + "\n").encode()
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    token = tasks.store_upload(
        workspace,
        upload,
        {
            "format": "csv",
            "mapping": {"First Name": "first_name", "Last Name": "last_name", "Email": "email"},
        },
    )
    return tasks.import_queue(
        workspace=workspace,
        fmt="csv",
        filename=name,
        token=token,
        size=len(content),
        actor=None,
        run=lambda pk: None,  # queued: the worker runs it (below, by hand)
    )


def test_after_recovery_the_next_waiting_import_runs(workspace, monkeypatch, media_root):
    killed = _queued(workspace, "first.csv", [f"A{i},Example,a{i}@example.org" for i in range(30)])
    _killed_import(workspace, monkeypatch, people(30), batch=killed)
    waiting = _queued(workspace, "second.csv", ["Zoe,Next,zoe@example.org"])

    assert imports_recover_interrupted().failed == [killed.pk]
    killed.refresh_from_db()
    assert killed.status == ImportStatus.FAILED
    assert not tasks.upload_path(workspace.pk, killed.counts["job"]["token"]).exists()

    tasks.import_file_task.call(waiting.pk)  # what the worker does next
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.DONE, waiting.error
    assert list(Person.objects.values_list("first_name", flat=True)) == ["Zoe"]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_waiting_import_whose_task_is_gone_is_failed(workspace, database_queue, media_root):
    from django_tasks_db.models import DBTaskResult

    lost = _queued(workspace, "lost.csv", ["Ada,Example,ada@example.org"])
    queued = _queued(workspace, "queued.csv", ["Bo,Example,bo@example.org"])
    fresh = _queued(workspace, "fresh.csv", ["Cy,Example,cy@example.org"])
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ImportBatch.objects.filter(pk__in=[lost.pk, queued.pk]).update(created_at=an_hour_ago)
    tasks.import_file_task.enqueue(queued.pk)
    assert DBTaskResult.objects.count() == 1

    recovered = imports_recover_interrupted()

    assert recovered.never_started == [lost.pk]
    statuses = dict(ImportBatch.objects.values_list("pk", "status"))
    assert statuses == {
        lost.pk: ImportStatus.FAILED,
        queued.pk: ImportStatus.PENDING,
        fresh.pk: ImportStatus.PENDING,  # just queued: its task may not be in yet
    }
    assert ImportBatch.objects.get(pk=lost.pk).error == NEVER_STARTED


def test_an_undo_whose_process_was_killed_is_finished(workspace):
    result = load(workspace, people(30), batch_size=10)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    batch.counts = {**batch.counts, UNDOING: _gone_process()}
    batch.save()
    Person.objects.filter(pk__in=list(Person.objects.values_list("pk", flat=True)[:10])).delete()
    assert imports_recover_interrupted().undone == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE and UNDOING not in batch.counts
    assert not Person.objects.exists()


# -- a real import process, killed -----------------------------------------------------


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["FOLLOWTHROUGH_DATA_DIR"] = str(data_dir)
    return env


def _followthrough(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", *args, "--data-dir", str(data_dir)],
        env=_env(data_dir), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"  # a zombie has stopped


RECOVER = """
import json, os, sys
from followthrough.config import make_data_dir
make_data_dir()
os.environ["DJANGO_SETTINGS_MODULE"] = "followthrough.settings"
import django
django.setup()
from followthrough.exchange.imports.recovery import imports_recover_interrupted
from followthrough.exchange.models import ImportBatch
recovered = imports_recover_interrupted()
batch = ImportBatch.objects.get(pk=int(sys.argv[1]))
print(json.dumps({"failed": recovered.failed, "status": batch.status, "error": batch.error}))
"""


def _import_under_way(tmp_path: Path) -> dict[str, Any]:
    """`followthrough import` of a 200,000-row CSV, running, with batches committed and
    its reader process started."""
    data_dir = tmp_path / "data"
    made = _followthrough(data_dir, "demo")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "Connections.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Email Address", "Company"])
        for i in range(200_000):
            writer.writerow([f"New{i}", "Member", f"new{i}@example.net", f"Org {i % 500}"])
    database = sqlite3.connect(data_dir / "followthrough.sqlite3", timeout=20)
    people_before = database.execute("SELECT COUNT(*) FROM people_person").fetchone()[0]
    mapping = json.dumps(
        {"First Name": "first_name", "Last Name": "last_name", "Email Address": "email",
         "Company": "organization"}
    )  # fmt: skip
    command = [sys.executable, "-m", "followthrough", "import", "csv", str(path)]
    command += ["--workspace", "demo", "--mapping", mapping, "--data-dir", str(data_dir)]
    importer = subprocess.Popen(  # noqa: S603 -- our own command
        command, env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    batch_id, readers = None, []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and importer.poll() is None:
        row = database.execute(
            "SELECT id, counts FROM exchange_importbatch WHERE status = 'running'"
        ).fetchone()
        readers = _children(importer.pid)
        if row and json.loads(row[1]).get("progress", {}).get("read", 0) >= 3_000 and readers:
            batch_id = row[0]
            break
        time.sleep(0.05)
    if batch_id is None:
        importer.kill()
        pytest.fail(importer.stderr.read().decode() if importer.stderr else "no progress")
    return {
        "data_dir": data_dir,
        "database": database,
        "importer": importer,
        "batch_id": batch_id,
        "readers": readers,
        "people_before": people_before,
    }


def _stopped(run: dict[str, Any], signum: int) -> None:
    importer = run["importer"]
    try:
        os.kill(importer.pid, signum)
        importer.wait(timeout=60)
    finally:
        if importer.poll() is None:
            importer.kill()
    gone_by = time.monotonic() + 5
    while any(_alive(pid) for pid in run["readers"]) and time.monotonic() < gone_by:
        time.sleep(0.05)
    left = [pid for pid in run["readers"] if _alive(pid)]
    for pid in left:  # not to leave it running when this test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, "the reader outlived its import"


def _count(run: dict[str, Any], sql: str) -> int:
    return run["database"].execute(sql).fetchone()[0]


NEW_ORGANIZATIONS = "SELECT COUNT(*) FROM people_organization WHERE name LIKE 'Org %'"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_import_leaves_no_reader_behind_and_is_recovered(tmp_path):
    run = _import_under_way(tmp_path)
    _stopped(run, signal.SIGKILL)
    assert _count(run, "SELECT COUNT(*) FROM people_person") > run["people_before"]

    done = subprocess.run(  # noqa: S603 -- our own code
        [sys.executable, "-c", RECOVER, str(run["batch_id"])],
        env=_env(run["data_dir"]), capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"failed": [run["batch_id"]], "status": "failed", "error": INTERRUPTED}
    assert _count(run, "SELECT COUNT(*) FROM people_person") == run["people_before"]
    assert _count(run, NEW_ORGANIZATIONS) == 0
    run["database"].close()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_an_import_stopped_by_sigterm_undoes_itself(tmp_path):
    run = _import_under_way(tmp_path)
    _stopped(run, signal.SIGTERM)
    assert run["importer"].returncode == 128 + signal.SIGTERM
    assert _count(run, "SELECT COUNT(*) FROM people_person") == run["people_before"]
    assert _count(run, NEW_ORGANIZATIONS) == 0
    assert _count(run, "SELECT COUNT(*) FROM exchange_importbatch") == 0
    run["database"].close()
