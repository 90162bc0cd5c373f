"""A restore checks every record with the models' own field checks before it is written
(issue 12): a bad one refuses the file, naming its section, record, id and field, and
leaves no row, workspace, account or file behind. Photos are decoded and re-encoded."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys

import pytest
from django.http import Http404
from PIL import Image

from followthrough.exchange.backup import restore_cleanup
from followthrough.exchange.backup.restore_cleanup import (
    RestoreMarker,
    restores_abandoned_cleanup,
)
from followthrough.exchange.backup.writer import BackupError
from followthrough.people.models import Person
from followthrough.workspaces.access import membership_for
from followthrough.workspaces.models import Workspace
from tests.exchange.restore_helpers import (
    backup_document,
    left_behind,
    restore_document,
    state,
)
from tests.exchange.test_backup import rich_workspace
from tests.factories import make_person
from tests.people.helpers import image_bytes

pytestmark = pytest.mark.usefixtures("media_root")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _set(path: tuple, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


# The examples of the issue: each refused, naming section, record, id and field.
ISSUE_EXAMPLES = [
    (
        _set(("workspace", "focus_pick_limit"), 10**12),
        "workspace record 1, field focus_pick_limit: Ensure this value is less than or "
        "equal to 32767.",
    ),
    (
        _set(("interactions", 0, "kind"), "hack"),
        "interactions record 1, field kind: Value 'hack' is not a valid choice.",
    ),
    (
        _set(("follow_ups", 0, "status"), "pwned"),
        "follow_ups record 1 (id 1), field status: Value 'pwned' is not a valid choice.",
    ),
    (
        _set(("people", 0, "first_name"), "x" * 10_000),
        "people record 1 (id 1), field first_name: Ensure this value has at most 100 "
        "characters (it has 10000).",
    ),
    (
        _set(("people", 0, "photo"), {"extension": ".png", "data": _b64(b"<html>hi</html>")}),
        "people record 1 (id 1), field photo: is not a JPEG, PNG, GIF or WebP picture",
    ),
    (
        _set(("people", 1, "contact_points", 0, "label"), "l" * 500),
        "people record 2 (id 2), field contact_points[0].label: Ensure this value has at most",
    ),
    (
        _set(("events", 0, "time_zone"), "Mars/Olympus"),
        "events record 1 (id 1), field time_zone: ",
    ),
    (_set(("workspace", "timezone"), "Nowhere/Else"), "workspace record 1, field timezone: "),
    (
        _set(("people", 0, "relationship", "stage"), 99),
        "people record 1 (id 1), field relationship.stage: Value 99 is not a valid choice.",
    ),
    (
        _set(("interactions", 0, "person"), 999),
        "interactions record 1, field person: refers to people 999, which the backup lacks",
    ),
    (_set(("users", 0, "email"), "not an address"), "users record 1, field email: Enter a valid"),
    (
        _set(("column_mappings", 0, "mapping"), {"Given": ["first_name"]}),
        "column_mappings record 1, field mapping: must map column headers",
    ),
    (
        _set(("members", 0, "created_at"), "yesterday"),
        "members record 1, field created_at: Invalid isoformat string",
    ),
]


@pytest.mark.parametrize(("change", "message"), ISSUE_EXAMPLES)
def test_it_refuses_a_bad_record_naming_it_and_leaves_nothing(db, media_root, change, message):
    document = backup_document(rich_workspace())
    change(document)
    before = state(media_root)
    with pytest.raises(BackupError) as refused:
        restore_document(document)
    assert str(refused.value).startswith(message)
    assert left_behind(before, media_root) == {}


def test_a_refused_restore_deletes_the_accounts_it_created(db, media_root):
    document = backup_document(rich_workspace())
    document["users"].append({"email": "new-person@example.org", "first_name": "N"})
    document["interactions"][0]["kind"] = "hack"
    before = state(media_root)
    with pytest.raises(BackupError, match="field kind"):
        restore_document(document)
    assert left_behind(before, media_root) == {}


def test_a_photo_is_stored_re_encoded_named_by_its_real_format(db, media_root):
    document = backup_document(rich_workspace())
    # A real PNG with a page appended, claiming to be HTML.
    polyglot = image_bytes("PNG") + b"<html><script>alert(1)</script></html>"
    document["people"][0]["photo"] = {"extension": ".html", "data": _b64(polyglot)}
    workspace = restore_document(document).workspace
    person = Person.objects.get(workspace=workspace, first_name="María")
    assert person.photo.name.endswith(".png")
    stored = person.photo.read()
    assert b"<html" not in stored and b"script" not in stored
    assert Image.open(io.BytesIO(stored)).format == "PNG"
    assert not [p for p in media_root.rglob("*.html")]


def test_a_decompression_bomb_is_refused(db, media_root):
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, format="PNG")  # 64 megapixels in a few KB
    document = backup_document(rich_workspace())
    document["people"][0]["photo"] = {"extension": ".png", "data": _b64(bomb.getvalue())}
    before = state(media_root)
    with pytest.raises(BackupError, match=r"people record 1 \(id 1\), field photo: .*pixels"):
        restore_document(document)
    assert left_behind(before, media_root) == {}


def test_an_interrupted_restore_leaves_nothing(db, media_root, monkeypatch):
    document = backup_document(rich_workspace())
    before = state(media_root)
    from followthrough.exchange.backup import restorer

    real = restorer.Restorer.restore_interactions

    def interrupted(self, start, batch):
        real(self, start, batch)  # people, photos and all written already
        raise KeyboardInterrupt

    monkeypatch.setattr(restorer.Restorer, "restore_interactions", interrupted)
    with pytest.raises(KeyboardInterrupt):
        restore_document(document)
    assert left_behind(before, media_root) == {}


def test_a_workspace_being_restored_is_hidden(db, client, owner, workspace):
    Workspace.objects.filter(pk=workspace.pk).update(restoring=True)
    with pytest.raises(Http404):
        membership_for(owner, workspace.slug)
    client.force_login(owner)
    assert client.get(f"/w/{workspace.slug}/").status_code == 404
    assert client.get("/").url == "/accounts/new-workspace/"  # as if there were none


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_abandoned_restores_are_deleted_and_live_ones_kept(db, media_root, owner, monkeypatch):
    before = state(media_root)
    # A restore that was killed: its workspace, a person with a photo, its marker.
    gone = Workspace.objects.create(name="Gone", slug="gone", restoring=True)
    person = make_person(gone, first_name="Left")
    person.photo.save("p.png", io.BytesIO(image_bytes("PNG")))  # type: ignore[arg-type]
    marker = RestoreMarker("gone")
    marker.claim()
    data = restore_cleanup.read_marker(marker.path)
    assert data is not None
    data["process"]["pid"] = _dead_pid()
    marker.path.write_text(__import__("json").dumps(data))
    # One under way in this very process, and one whose marker is lost.
    Workspace.objects.create(name="Live", slug="live", restoring=True)
    RestoreMarker("live").claim()
    Workspace.objects.create(name="Lost", slug="lost", restoring=True)

    assert sorted(restores_abandoned_cleanup()) == ["gone", "lost"]
    assert list(Workspace.objects.filter(restoring=True).values_list("slug", flat=True)) == ["live"]
    Workspace.objects.filter(slug="live").delete()
    RestoreMarker("live").release()
    assert left_behind(before, media_root) == {}
    assert not marker.path.exists()


def test_a_second_restore_into_the_same_slug_waits_for_none(db):
    RestoreMarker("busy").claim()
    document = {"format": "followthrough-backup", "version": 1}
    with pytest.raises(BackupError, match="under way already"):
        restore_document(document, slug="busy")
    RestoreMarker("busy").release()
    assert os.getpid()


def test_a_record_the_database_refuses_is_named(db, media_root):
    document = backup_document(rich_workspace())
    document["tags"].append({**document["tags"][0], "id": len(document["tags"]) + 1})
    before = state(media_root)
    with pytest.raises(BackupError) as refused:
        restore_document(document)
    number = len(document["tags"])
    assert str(refused.value) == (
        f"tags record {number} (id {number}): Constraint “tag_unique_name” is violated."
    )
    assert left_behind(before, media_root) == {}


# What address books hold (issue 13): Jane, the third person, has every such value.
def _del(path: tuple):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


JANE = ("people", 2)
ADDRESS_BOOK_EXAMPLES = [
    (
        _set((*JANE, "details", 0, "kind"), "secret"),
        "people record 3 (id 3), field details[0].kind: Value 'secret' is not a valid choice.",
    ),
    (
        _set((*JANE, "details", 1, "value"), None),
        "people record 3 (id 3), field details[1].value: is empty (null)",
    ),
    (
        _set((*JANE, "details", 2, "label"), "l" * 200),
        "people record 3 (id 3), field details[2].label: Ensure this value has at most 100",
    ),
    (
        _del((*JANE, "details", 0, "params")),
        "people record 3 (id 3), field details[0].params: is missing",
    ),
    (_set((*JANE, "details"), "nope"), "people record 3 (id 3), field details: is not a list"),
    (
        _set((*JANE, "contact_points", 0, "address_parts"), {"planet": "Mars"}),
        "people record 3 (id 3), field contact_points[0].address_parts: has part 'planet'",
    ),
    (
        _set((*JANE, "contact_points", 0, "address_parts"), {"street": 12}),
        "people record 3 (id 3), field contact_points[0].address_parts: part street is not text",
    ),
    (
        _set((*JANE, "contact_points", 0, "address_parts"), ["1 Main St"]),
        "people record 3 (id 3), field contact_points[0].address_parts: must map address parts",
    ),
    (
        _set((*JANE, "contact_points", 3, "kind"), "pager"),
        "people record 3 (id 3), field contact_points[3].kind: is not one of",
    ),
    (
        _set((*JANE, "affiliations", 0, "department"), 12),
        "people record 3 (id 3), field affiliations[0].department: is not text: 12",
    ),
    (
        _set((*JANE, "affiliations", 0, "function"), "f" * 300),
        "people record 3 (id 3), field affiliations[0].function: Ensure this value has at most",
    ),
    (_set((*JANE, "gender"), "X"), "people record 3 (id 3), field gender: Value 'X' is not a"),
    (
        _set((*JANE, "geo"), "north"),
        "people record 3 (id 3), field geo: is not “latitude,longitude”",
    ),
    (
        _set((*JANE, "geo"), "91,10"),
        "people record 3 (id 3), field geo: is not “latitude,longitude”",
    ),
    (_set((*JANE, "nickname"), ["Jay"]), "people record 3 (id 3), field nickname: is not text"),
    (
        _set((*JANE, "photo_url"), "javascript:alert(1)"),
        "people record 3 (id 3), field photo_url: Enter a valid URL.",
    ),
    (
        _set((*JANE, "anniversary_day"), 31),  # of June
        "people record 3 (id 3), field anniversary: There is no 31 June.",
    ),
    (
        _set((*JANE, "anniversary_month"), None),
        "people record 3 (id 3), field anniversary: An anniversary needs a day and a month.",
    ),
    (
        _set((*JANE, "anniversary_year"), "2001"),
        "people record 3 (id 3), field anniversary_year: is not a whole number",
    ),
]


@pytest.mark.parametrize(("change", "message"), ADDRESS_BOOK_EXAMPLES)
def test_it_refuses_a_bad_address_book_value_naming_it(db, media_root, change, message):
    from tests.exchange.address_book import address_book_person

    workspace = rich_workspace()
    address_book_person(workspace)
    document = backup_document(workspace)
    assert document["people"][2]["first_name"] == "Jane"
    change(document)
    before = state(media_root)
    with pytest.raises(BackupError) as refused:
        restore_document(document)
    assert str(refused.value).startswith(message)
    assert left_behind(before, media_root) == {}
