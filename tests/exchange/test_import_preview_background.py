"""The preview of a large upload runs in the background: the upload leads to a progress
page, which becomes the same preview (or the same error) the request would have shown.

"Large" is lowered to a few bytes here, so the sample files take the background path.
The test settings run tasks immediately (django-tasks' ImmediateBackend), and the task is
enqueued on commit: inside `django_capture_on_commit_callbacks(execute=True)` it has run
by the time the upload's response returns; outside it never runs, which is a preview the
worker has not picked up yet."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followthrough.exchange.imports import preview, tasks
from followthrough.exchange.imports.result import ImportResult, ImportSource, PreviewRow
from followthrough.exchange.models import ColumnMapping, ImportBatch, ImportStatus
from followthrough.people.models import Person

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def large(settings):
    """Every sample file counts as large: its preview goes to the background."""
    settings.IMPORT_PREVIEW_INLINE_BYTES = 10


def upload(client, workspace, fmt="linkedin", name="linkedin_Connections.csv", content=None):
    content = (DATA / name).read_bytes() if content is None else content
    return client.post(
        reverse("exchange:import", args=[workspace.slug]),
        {
            "format": fmt,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
            "time_zone": "Europe/Berlin",
        },
    )


def token_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["token"][0]


def status_url(workspace, token: str) -> str:
    return reverse("exchange:import-preview", args=[workspace.slug]) + f"?token={token}"


def files_of(media_root, token: str) -> list[str]:
    return sorted(p.name for p in Path(media_root).rglob(f"{token}.*"))


def test_a_large_file_is_previewed_in_the_background_then_imported(
    owner_client, workspace, media_root, settings, django_capture_on_commit_callbacks
):
    inline = upload(owner_client, workspace)  # the same file, previewed in the request
    assert inline.status_code == 200
    expected = inline.context["result"]
    assert expected.created > 0 and expected.preview

    settings.IMPORT_PREVIEW_INLINE_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(owner_client, workspace)
    assert response.status_code == 303
    token = token_of(response)
    assert response["Location"] == status_url(workspace, token)
    assert f"{token}.preview.json" in files_of(media_root, token)
    assert f"{token}.progress.json" not in files_of(media_root, token)  # done with it

    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["result"] == expected  # the counts, warnings and first rows
    html = page.content.decode()
    assert "Import preview" in html and "linkedin_Connections.csv" in html
    assert f"<dt>Read</dt><dd>{expected.read}</dd>" in html
    assert f"<dt>New</dt><dd>{expected.created}</dd>" in html
    for row in expected.preview[:3]:
        assert f"<td>{row.line}</td><td>{row.kind}</td><td>{row.label}</td>" in html
    assert f'name="token" value="{token}"' in html and "hx-get" not in html
    assert not Person.objects.filter(workspace=workspace).exists()

    with django_capture_on_commit_callbacks(execute=True):
        run = owner_client.post(
            reverse("exchange:import-run", args=[workspace.slug]), {"token": token}
        )
    assert run.status_code == 303
    batch = ImportBatch.objects.get(workspace=workspace)
    assert batch.status == ImportStatus.DONE, batch.error
    assert batch.counts["created"] == expected.created
    assert Person.objects.filter(workspace=workspace).count() == expected.created
    assert files_of(media_root, token) == []


def test_a_small_file_is_still_previewed_in_the_request(owner_client, workspace, media_root):
    response = upload(owner_client, workspace)
    assert response.status_code == 200
    assert response.context["result"].created > 0
    token = response.context["token"]
    assert files_of(media_root, token) == [f"{token}.json", f"{token}.upload"]


def test_a_preview_the_worker_has_not_taken_waits_with_a_progress_bar(
    owner_client, workspace, media_root, large
):
    response = upload(owner_client, workspace)  # on commit: never, here
    token = token_of(response)
    url = status_url(workspace, token)
    page = owner_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<progress" in html and "Waiting to start…" in html
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 1s"' in html
    assert f'href="{url}">Refresh</a>' in html  # without JavaScript
    assert "has not started yet" not in html
    assert f"{token}.preview.json" not in files_of(media_root, token)

    fragment = owner_client.get(url, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section id="import-preview-status"')
    assert "HX-Refresh" not in fragment


def test_a_preview_left_waiting_says_the_worker_may_not_run(owner_client, workspace, large):
    token = token_of(upload(owner_client, workspace))
    an_hour_ago = time.time() - 3600
    tasks.update_upload_options(workspace, token, preview_queued_at=an_hour_ago)
    html = owner_client.get(status_url(workspace, token)).content.decode()
    assert "Waiting to start…" in html and "has not started yet" in html
    assert "followthrough serve" in html


def test_a_running_preview_shows_how_far_it_has_got(owner_client, workspace, large):
    token = token_of(upload(owner_client, workspace))
    result = ImportResult(source=ImportSource("linkedin", "x.csv"), read=7, created=5, updated=1)
    tasks.progress_writer(workspace.pk, token)(result, 250, 1000)
    fragment = owner_client.get(status_url(workspace, token), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert 'value="25" max="100"' in html
    assert "7 records read, 5 new, 1 updated so far." in html


def test_the_polling_fragment_reloads_the_page_once_the_preview_is_done(
    owner_client, workspace, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token = token_of(upload(owner_client, workspace))
    fragment = owner_client.get(status_url(workspace, token), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment["HX-Refresh"] == "true"


def test_a_bad_record_of_a_large_file_names_its_line(
    owner_client, workspace, large, django_capture_on_commit_callbacks
):
    lines = (DATA / "linkedin_Connections.csv").read_bytes().splitlines()
    content = b"\n".join([*lines, b'"Broken,"oops'])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(owner_client, workspace, content=content)
    page = owner_client.get(response["Location"])
    assert page.status_code == 422
    assert page.context["import_error"].line == len(lines) + 1
    assert f"Line {len(lines) + 1}" in page.content.decode()


def columns(client, workspace, token, *, fields: list[str], **extra):
    """Submit the column screen: `fields[i]` for column i, `extra` (save, name) as given."""
    data = {"token": token, **{f"column_{i}": field for i, field in enumerate(fields)}, **extra}
    return client.post(reverse("exchange:import-columns", args=[workspace.slug]), data)


# mapping_cp1252_semicolon.csv: Vorname, Familienname, Mail, Telefon, Geburtstag, Bemerkung
GOOD = ["first_name", "last_name", "email", "phone", "birthday", "notes"]
PHONE_AS_BIRTHDAY = ["first_name", "last_name", "email", "birthday", "", "notes"]


def test_any_csv_columns_are_checked_in_the_request_and_previewed_in_the_background(
    owner_client, workspace, large, django_capture_on_commit_callbacks
):
    name = "mapping_cp1252_semicolon.csv"
    token = token_of(upload(owner_client, workspace, "csv", name))
    refused = columns(owner_client, workspace, token, fields=["", "", "", "", "", ""])
    assert refused.status_code == 422  # no name or e-mail column: said at once
    assert "No column is mapped to a name" in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = columns(owner_client, workspace, token, fields=GOOD, save="on", name="Tafel")
    assert response.status_code == 303
    assert response["Location"] == status_url(workspace, token)
    page = owner_client.get(response["Location"])
    assert page.status_code == 200 and page.context["result"].created == 4
    html = page.content.decode()
    assert "Jürgen Müller" in html and "“Familienname” as Last name" in html
    assert "Saved the column mapping “Tafel”." in html
    assert ColumnMapping.objects.get(workspace=workspace, name="Tafel").mapping["Mail"] == "email"


def test_any_csv_a_value_the_columns_cannot_read_shows_the_column_screen_again(
    owner_client, workspace, large, django_capture_on_commit_callbacks
):
    token = token_of(upload(owner_client, workspace, "csv", "mapping_cp1252_semicolon.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        response = columns(
            owner_client, workspace, token, fields=PHONE_AS_BIRTHDAY, save="on", name="Tafel"
        )
    page = owner_client.get(response["Location"])
    assert page.status_code == 422
    html = page.content.decode()
    assert "Choose the columns" in html and "Line 2, column “Telefon”" in html
    form = page.context["form"]
    assert form["column_3"].value() == "birthday"  # the choices made, to change them
    assert form["save"].value() and form["name"].value() == "Tafel"
    assert not ColumnMapping.objects.exists()  # saved only once a preview succeeds
    assert tasks.upload_options(workspace, token) is not None  # kept, to map it again


def test_choosing_the_columns_again_never_shows_the_earlier_preview(
    owner_client, workspace, large, django_capture_on_commit_callbacks
):
    token = token_of(upload(owner_client, workspace, "csv", "mapping_cp1252_semicolon.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        columns(owner_client, workspace, token, fields=GOOD)
    assert owner_client.get(status_url(workspace, token)).context["result"].created == 4
    stored = tasks.preview_path(workspace.pk, token)
    earlier = stored.read_bytes()
    columns(owner_client, workspace, token, fields=[*GOOD[:5], ""])  # not run yet
    assert not stored.exists()
    page = owner_client.get(status_url(workspace, token))
    assert "Waiting to start…" in page.content.decode() and "result" not in page.context
    stored.write_bytes(earlier)  # the earlier run, still going, ends only now
    page = owner_client.get(status_url(workspace, token))
    assert "Waiting to start…" in page.content.decode() and "result" not in page.context


def test_viewers_get_403_and_strangers_404(
    owner_client, viewer_client, outsider_client, workspace, other_workspace, large
):
    token = token_of(upload(owner_client, workspace))
    assert viewer_client.get(status_url(workspace, token)).status_code == 403
    assert outsider_client.get(status_url(workspace, token)).status_code == 404
    theirs = outsider_client.get(status_url(other_workspace, token))
    assert theirs.status_code == 302  # no such upload in their own workspace
    assert theirs["Location"] == reverse("exchange:import", args=[other_workspace.slug])


def test_a_gone_or_bogus_token_leads_back_to_the_form(owner_client, workspace):
    for token in ("", "../../etc/passwd", "x" * 32):
        response = owner_client.get(status_url(workspace, token))
        assert response.status_code == 302
        assert response["Location"] == reverse("exchange:import", args=[workspace.slug])
        fragment = owner_client.get(status_url(workspace, token), headers={"HX-Request": "true"})
        assert fragment["HX-Refresh"] == "true"


def test_the_stored_preview_goes_with_its_upload(
    owner_client, workspace, media_root, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = token_of(upload(owner_client, workspace))
        discarded = token_of(upload(owner_client, workspace))
    assert f"{discarded}.preview.json" in files_of(media_root, discarded)
    tasks.discard_upload(workspace.pk, discarded)
    assert files_of(media_root, discarded) == []

    assert f"{kept}.preview.json" in files_of(media_root, kept)
    long_ago = time.time() - 3 * 3600
    for path in Path(media_root).rglob(f"{kept}.*"):
        os.utime(path, (long_ago, long_ago))
    cleanup = tasks.discard_stale_uploads(older_than=timedelta(hours=1))
    assert cleanup.uploads == 1
    assert files_of(media_root, kept) == []


def test_the_summary_reads_back_as_it_was_stored():
    summary = preview.PreviewSummary(
        read=3,
        created=2,
        skipped=1,
        warnings=("line 2: odd",),
        warnings_total=12,
        suggestions_total=1,
        preview=(PreviewRow(2, "person", "Ada", "created"),),
    )
    assert preview.PreviewSummary.from_json(summary.as_json()) == summary


def test_the_task_is_quiet_when_its_run_was_replaced_or_its_upload_is_gone(
    owner_client, workspace, media_root, large
):
    token = token_of(upload(owner_client, workspace))  # enqueued on commit: never, here
    preview.preview_file_task.call(workspace.pk, token, "an-earlier-run")
    assert f"{token}.preview.json" not in files_of(media_root, token)
    run = tasks.upload_options(workspace, token)["preview_run"]
    tasks.discard_upload(workspace.pk, token)
    preview.preview_file_task.call(workspace.pk, token, run)
    preview.preview_file_task.call(workspace.pk + 1000, token, run)
    assert files_of(media_root, token) == []


def test_a_preview_that_breaks_says_so_instead_of_waiting_on(
    owner_client, workspace, large, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(tasks, "import_records", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(owner_client, workspace)
    page = owner_client.get(response["Location"])
    assert page.status_code == 422
    assert "The preview failed unexpectedly" in page.content.decode()
    assert "a bug" not in page.content.decode()
