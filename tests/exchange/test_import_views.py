"""Web imports: upload → preview (dry run) → import in the background → status → undo;
bad files name their line, strangers get 404 and viewers 403."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followthrough.exchange.imports import forms as import_forms
from followthrough.exchange.imports.undo import import_undo
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.people.models import Person
from tests.exchange.helpers import load, people, person
from tests.factories import make_event, make_person

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.usefixtures("media_root")


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = (DATA / name).read_bytes()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def preview(client, workspace, fmt="linkedin", name="linkedin_Connections.csv", content=None):
    return client.post(
        reverse("exchange:import", args=[workspace.slug]),
        {"format": fmt, "file": upload(name, content), "time_zone": "Europe/Berlin"},
    )


def uploads(media_root) -> list[Path]:
    folder = Path(media_root) / "imports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def run(client, workspace, response, capture):
    token = response.context["token"]
    with capture(execute=True):
        return client.post(reverse("exchange:import-run", args=[workspace.slug]), {"token": token})


def test_the_form_offers_every_format_and_the_workspace_time_zone(owner_client, workspace):
    response = owner_client.get(reverse("exchange:import", args=[workspace.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="linkedin"' in page and 'value="eventbrite"' in page
    assert f'value="{workspace.timezone}"' in page


def test_preview_counts_then_import_in_the_background_then_undo(
    owner_client, workspace, owner, media_root, django_capture_on_commit_callbacks
):
    response = preview(owner_client, workspace)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.created > 0 and result.preview
    page = response.content.decode()
    assert "Import preview" in page and result.preview[0].label in page
    assert not Person.objects.filter(workspace=workspace).exists()
    assert not ImportBatch.objects.exists()

    response = run(owner_client, workspace, response, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get(workspace=workspace)
    assert response.status_code == 303
    assert response["Location"] == reverse(
        "exchange:import-status", args=[workspace.slug, batch.pk]
    )
    assert batch.status == ImportStatus.DONE, batch.error
    assert batch.created_by == owner and batch.filename == "linkedin_Connections.csv"
    assert batch.counts["created"] == result.created
    assert (
        Person.objects.filter(workspace=workspace).count()
        == batch.counts["rows_created"]["people.person"]
    )
    assert batch.objects_touched.exists()
    assert ImportBatch.objects.count() == 1  # the loader's own batch was folded in
    assert uploads(media_root) == []  # the upload is not kept once imported

    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    assert status.status_code == 200
    page = status.content.decode()
    assert "Undo this import" in page and "hx-trigger" not in page
    listing = owner_client.get(reverse("exchange:import-list", args=[workspace.slug]))
    assert "linkedin_Connections.csv" in listing.content.decode()

    undo = owner_client.post(reverse("exchange:import-undo", args=[workspace.slug, batch.pk]))
    assert undo.status_code == 303
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert not Person.objects.filter(workspace=workspace).exists()
    again = owner_client.post(
        reverse("exchange:import-undo", args=[workspace.slug, batch.pk]), follow=True
    )
    assert "already undone" in again.content.decode()


def test_a_running_import_polls_its_progress(owner_client, workspace):
    batch = ImportBatch.objects.create(
        workspace=workspace, format="linkedin", filename="x.csv", status=ImportStatus.RUNNING
    )
    url = reverse("exchange:import-status", args=[workspace.slug, batch.pk])
    page = owner_client.get(url).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    fragment = owner_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="import-status"')
    assert "Undo this import" not in page


def test_large_counts_are_grouped_in_thousands(owner_client, workspace):
    counts = {"read": 100000, "created": 50000, "updated": 49999, "merged": 1, "skipped": 0}
    batch = ImportBatch.objects.create(
        workspace=workspace,
        format="linkedin",
        filename="Connections.csv",
        status=ImportStatus.DONE,
        counts={**counts, "ignored": 0},
    )
    page = owner_client.get(
        reverse("exchange:import-status", args=[workspace.slug, batch.pk])
    ).content.decode()
    assert "<dt>Read</dt><dd>100,000</dd>" in page and "<dt>Updated</dt><dd>49,999</dd>" in page
    listing = owner_client.get(reverse("exchange:import-list", args=[workspace.slug]))
    assert ">100,000</td>" in listing.content.decode()


def test_a_bad_file_names_its_line_and_saves_nothing(owner_client, workspace, media_root):
    content = b"Name,Email,Start\nAda Lovelace,ada@example.org,not a date\n"
    response = preview(owner_client, workspace, fmt="ics", name="bad.ics", content=content)
    assert response.status_code == 422
    error = response.context["import_error"]
    assert "Nothing was saved" in response.content.decode()
    assert str(error.message) in response.content.decode()
    assert not Person.objects.filter(workspace=workspace).exists()
    assert not ImportBatch.objects.exists()
    assert uploads(media_root) == []


def test_a_bad_record_names_its_line(owner_client, workspace):
    lines = (DATA / "linkedin_Connections.csv").read_bytes().splitlines()
    content = b"\n".join([*lines, b'"Broken,"oops'])
    response = preview(owner_client, workspace, content=content)
    assert response.status_code == 422
    assert response.context["import_error"].line == len(lines) + 1
    assert f"Line {len(lines) + 1}" in response.content.decode()
    assert not Person.objects.filter(workspace=workspace).exists()


def test_attendees_need_an_event_and_import_with_one(
    owner_client, workspace, django_capture_on_commit_callbacks
):
    response = preview(owner_client, workspace, fmt="eventbrite", name="eventbrite_attendees.csv")
    # Refused on the form, before the file is read: no "Line 2", no "--event ID".
    assert response.status_code == 200
    assert response.context["form"].errors["event"] == ["Choose the event these attendees came to."]
    assert response.context.get("import_error") is None
    page = response.content.decode()
    assert 'id="id_event_error"' in page and "--event" not in page and "Line 2" not in page
    assert response.context["form"]["format"].value() == "eventbrite"
    event = make_event(workspace)
    response = owner_client.post(
        reverse("exchange:import", args=[workspace.slug]),
        {
            "format": "eventbrite",
            "file": upload("eventbrite_attendees.csv"),
            "event": event.pk,
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 200, response.context.get("import_error")
    run(owner_client, workspace, response, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get(workspace=workspace)
    assert batch.status == ImportStatus.DONE, batch.error
    assert event.attendances.exists()


def test_a_failing_import_is_recorded_as_failed(
    owner_client, workspace, media_root, django_capture_on_commit_callbacks
):
    response = preview(owner_client, workspace)
    # The file changes between preview and import: the import refuses it.
    token = response.context["token"]
    next(Path(media_root).rglob(f"{token}.upload")).write_bytes(b"garbage\n")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("exchange:import-run", args=[workspace.slug]), {"token": token})
    batch = ImportBatch.objects.get(workspace=workspace)
    assert batch.status == ImportStatus.FAILED
    assert "Nothing was imported" in batch.error
    assert not Person.objects.filter(workspace=workspace).exists()


def test_too_large_a_file_is_refused_clearly(owner_client, workspace, monkeypatch):
    monkeypatch.setattr(import_forms, "MAX_UPLOAD_BYTES", 10)
    response = preview(owner_client, workspace)
    assert response.status_code == 200
    assert "the limit is 50 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_unknown_or_foreign_token_is_refused(
    owner_client, outsider_client, workspace, other_workspace
):
    response = preview(owner_client, workspace)
    token = response.context["token"]
    # The stranger names the token under their own workspace: not theirs.
    stranger = outsider_client.post(
        reverse("exchange:import-run", args=[other_workspace.slug]), {"token": token}
    )
    assert stranger.status_code == 302
    assert not ImportBatch.objects.exists()
    bogus = owner_client.post(
        reverse("exchange:import-run", args=[workspace.slug]), {"token": "../../etc/passwd"}
    )
    assert bogus.status_code == 302 and not ImportBatch.objects.exists()


def test_strangers_get_404_for_another_workspaces_import(
    outsider_client, workspace, other_workspace
):
    batch = ImportBatch.objects.create(
        workspace=workspace, format="linkedin", filename="x.csv", status=ImportStatus.DONE
    )
    for name in ("exchange:import-status", "exchange:import-undo"):
        url = reverse(name, args=[other_workspace.slug, batch.pk])
        assert outsider_client.get(url).status_code in (404, 405)
        assert outsider_client.post(url).status_code in (404, 405)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


def test_viewers_see_imports_but_cannot_import_or_undo(viewer_client, workspace):
    batch = ImportBatch.objects.create(
        workspace=workspace, format="linkedin", filename="x.csv", status=ImportStatus.DONE
    )
    assert (
        viewer_client.get(reverse("exchange:import-list", args=[workspace.slug])).status_code == 200
    )
    status = viewer_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    assert status.status_code == 200 and "Undo this import" not in status.content.decode()
    assert viewer_client.get(reverse("exchange:import", args=[workspace.slug])).status_code == 403
    response = preview(viewer_client, workspace)
    assert response.status_code == 403
    undo = viewer_client.post(reverse("exchange:import-undo", args=[workspace.slug, batch.pk]))
    assert undo.status_code == 403


def test_the_people_an_import_added_are_one_click_from_its_page(owner_client, workspace):
    make_person(workspace, first_name="Already", last_name="Here", emails=["person0@example.org"])
    earlier = load(workspace, [person(2, "Earlier", emails=["earlier@example.org"])])
    result = load(workspace, people(12), batch_size=5)  # person0 is found, 11 are new
    batch = ImportBatch.objects.get(pk=result.batch_id)

    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    link = f"{reverse('people:person-list', args=[workspace.slug])}?imported={batch.pk}"
    assert f'href="{link}">See the people it added' in status.content.decode()

    page = owner_client.get(link).content.decode()
    assert f"import #{batch.pk}</a> (Connections.csv," in page
    assert "11 people found" in page
    assert "Person1 Example" in page and "Person11 Example" in page
    assert "Already Here" not in page and "Earlier Example" not in page
    assert f'<input type="hidden" name="imported" value="{batch.pk}">' in page  # kept by search
    searched = owner_client.get(link + "&q=Person11").content.decode()
    assert "1 person found" in searched

    nothing_new = load(workspace, people(3))
    skipped = owner_client.get(
        reverse("exchange:import-status", args=[workspace.slug, nothing_new.batch_id])
    )
    assert "See the people it added" not in skipped.content.decode()

    import_undo(batch=batch)
    undone = owner_client.get(link).content.decode()
    assert "it was undone, so they are gone" in undone and "Nobody matches" in undone
    status = owner_client.get(reverse("exchange:import-status", args=[workspace.slug, batch.pk]))
    assert "See the people it added" not in status.content.decode()
    assert earlier.batch_id != batch.pk


def test_another_workspaces_import_is_not_a_filter(owner_client, workspace, other_workspace):
    theirs = load(other_workspace, people(2))
    response = owner_client.get(
        reverse("people:person-list", args=[workspace.slug]), {"imported": theirs.batch_id}
    )
    assert response.status_code == 404
