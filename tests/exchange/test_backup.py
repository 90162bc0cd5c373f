"""The JSON backup of a workspace and its restore, and the whole-database copy."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.events.models import Attendance, Event, FocusPick, Rsvp
from followthrough.events.services import attendance_add, focus_pick
from followthrough.exchange.backup.database_copy import database_backup
from followthrough.exchange.backup.restore import BackupReader, workspace_restore
from followthrough.exchange.backup.writer import BackupError, backup_chunks
from followthrough.exchange.models import ColumnMapping, ExternalId
from followthrough.outreach.models import Outreach
from followthrough.people.models import (
    Affiliation,
    ContactKind,
    ContactPoint,
    DismissedDuplicate,
    Organization,
    Person,
    Tag,
)
from followthrough.people.photos import photo_reencode
from followthrough.people.services import affiliation_add, tags_resolve
from followthrough.relationships.models import FollowUp, Interaction, Stage
from followthrough.relationships.services import (
    follow_up_create,
    follow_up_done,
    organization_log_noticed,
    relationship_log_interaction,
    relationship_update,
)
from followthrough.workspaces.models import Membership, Role, Workspace
from tests.factories import add_member, make_event, make_org, make_person, make_user, make_workspace
from tests.people.helpers import image_bytes

T0 = datetime(2025, 3, 12, 13, 30, 15, 123456, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test


def backup_text(workspace: Workspace) -> str:
    return "".join(backup_chunks(workspace=workspace))


def restore_text(text: str, slug: str):
    return workspace_restore(stream=io.StringIO(text), slug=slug)


def rich_workspace(owner=None, marker: str = "Alpha") -> Workspace:
    """A workspace with a row of every kind the backup holds (and then some)."""
    owner = owner or make_user(f"{marker.lower()}-owner@example.org")
    ws = make_workspace(f"{marker} Literacy", owner=owner, timezone="America/Chicago")
    teammate = add_member(ws, make_user(f"{marker.lower()}-mate@example.org"), Role.MEMBER)
    former = make_user(f"{marker.lower()}-former@example.org", first_name="Fay")
    maria, dev, org = _directory(ws, marker, teammate)
    event = make_event(ws, starts_at=T0, title=f"{marker} breakfast", location="Hall")
    Event.objects.filter(pk=event.pk).update(
        time_zone="America/Chicago",
        rrule="FREQ=MONTHLY;BYDAY=2TH;COUNT=10",
        source_uid=f"ev-{marker}@example",
    )
    make_event(ws, starts_at=T0 + timedelta(days=3), title=f"{marker} all-day", cancelled=True)
    Event.objects.filter(title=f"{marker} all-day").update(all_day=True)
    attendance_add(event=event, person=maria, rsvp=Rsvp.ACCEPTED, checked_in=True, actor=owner)
    attendance_add(event=event, person=dev, rsvp=Rsvp.TENTATIVE)
    pick = focus_pick(event=event, person=maria, actor=owner, reason="Youth volunteers")
    relationship_log_interaction(
        person=dev, kind="call", occurred_at=T0, summary="Called", note="Talked", event=event,
        actor=former,
    )  # fmt: skip
    organization_log_noticed(organization=org, summary=f"{marker} news", actor=owner)
    done = follow_up_create(person=dev, title="Send notes", due_at=T0, assigned_to=teammate)
    follow_up_done(follow_up=done, now=T0 + timedelta(hours=1))
    follow_up_create(
        person=maria, title=f"{marker} call back", due_at=T0 + timedelta(days=2), event=event,
        focus_pick=pick,
    )  # fmt: skip
    ColumnMapping.objects.create(
        workspace=ws, name=f"{marker} mapping", mapping={"Given": "first_name", "Mail": "emails"}
    )
    DismissedDuplicate.objects.create(
        workspace=ws, person_a=maria, person_b=dev, dismissed_by=owner
    )
    Workspace.objects.filter(pk=ws.pk).update(nudge_gaps="3, 8", nudge_cap=4)
    ws.refresh_from_db()
    # Earlier than the call: the last interaction and the follow-ups stay as they were.
    relationship_log_interaction(  # opens an outreach, then nudges it once
        person=dev, kind="email_sent", occurred_at=T0 - timedelta(10), summary=f"{marker} hi",
        actor=owner,
    )  # fmt: skip
    relationship_log_interaction(person=dev, kind="email_sent", occurred_at=T0 - timedelta(7))
    return ws


def _directory(ws: Workspace, marker: str, teammate) -> tuple[Person, Person, Organization]:
    tags_resolve(workspace=ws, names=["Donors", f"{marker} tag"])
    Tag.objects.filter(workspace=ws, name="Donors").update(cadence_days=30)
    org = make_org(
        ws, name=f"{marker} Food Bank, Inc.", mission="Feed\npeople",
        website="https://fb.example", focus_areas=["Food", "Donors"], location="12 River St",
    )  # fmt: skip
    old_org = make_org(ws, name=f"{marker} Old Org")
    maria = make_person(
        ws, first_name="María", last_name=f"O'Kafor \"{marker}\"", headline="Coordinator",
        notes="Line one\nline two, =cmd|' /C calc'!A0",
        emails=[f"maria@{marker}.example", "M@x.example"], phones=["+49 30 1234"],
        links=["https://linkedin.com/in/maria"], tags=["Donors", "Food"], organization=org,
        role="Volunteer lead", owner=teammate,
    )  # fmt: skip
    address = "12 River St\nSpringfield"
    ContactPoint.objects.create(
        workspace=ws, person=maria, kind=ContactKind.ADDRESS, value=address, label="work"
    )
    Person.objects.filter(pk=maria.pk).update(birthday_month=7, birthday_day=2)
    maria.refresh_from_db()
    maria.photo.save("m.png", ContentFile(image_bytes("PNG")))
    affiliation_add(
        person=maria, organization=old_org, role="Intern", started_on=date(2015, 1, 1),
        ended_on=date(2016, 6, 30),
    )  # fmt: skip
    dev = make_person(ws, first_name="Dev", last_name=marker, emails=[f"dev@{marker}.example"])
    Person.objects.filter(pk=dev.pk).update(birthday_year=1980, birthday_month=2, birthday_day=29)
    relationship_update(relationship=maria.relationship, stage=Stage.ONGOING, cadence_days=14)
    ExternalId.objects.create(workspace=ws, system="vcard-uid", value=f"uid-{marker}", person=maria)
    ContactPoint.objects.create(
        workspace=ws, person=dev, kind="url", value=f"https://www.linkedin.com/in/li-{marker}",
        normalized=f"https://www.linkedin.com/in/li-{marker}", position=0,
        connected_on=date(2024, 3, 5),
    )  # fmt: skip
    ExternalId.objects.create(
        workspace=ws, system="vcard-uid", value=f"org-{marker}", organization=org
    )
    return maria, dev, org


def _row_counts(ws: Workspace) -> dict[str, int]:
    models = (Person, ContactPoint, Affiliation, Tag, Event, Attendance, FocusPick, Interaction,
              FollowUp, ExternalId, ColumnMapping, DismissedDuplicate, Membership,
              Outreach)  # fmt: skip
    return {m.__name__: m.objects.filter(workspace=ws).count() for m in models}


def photos_as_uploads_store_them(ws: Workspace) -> None:
    """Re-encode the photos, as an upload (and a restore) stores them: a restore of a
    photo stored so gives the same bytes."""
    for person in Person.objects.filter(workspace=ws).exclude(photo=""):
        data = person.photo.read()
        person.photo.save("p.png", ContentFile(photo_reencode(data).data))


def test_it_restores_everything_and_backs_up_to_the_same_bytes(db):
    ws = rich_workspace()
    photos_as_uploads_store_them(ws)
    first = backup_text(ws)
    result = restore_text(first, "restored")
    assert result.workspace.slug == "restored"
    assert backup_text(result.workspace) == first
    assert _row_counts(result.workspace) == _row_counts(ws)
    assert result.counts["people"] == 2 and result.created_users == []
    assert (result.workspace.nudge_gaps, result.workspace.nudge_cap) == ("3, 8", 4)
    assert result.counts["outreach"] == 1


def test_it_keeps_what_the_models_fill_in_themselves(db):
    ws = rich_workspace()
    restored = restore_text(backup_text(ws), "copy").workspace
    maria = Person.objects.get(workspace=restored, first_name="María")
    original = Person.objects.get(workspace=ws, first_name="María")
    assert maria.updated_at == original.updated_at
    assert maria.full_name == original.full_name
    assert maria.photo.read() == photo_reencode(original.photo.read()).data
    assert maria.photo.name.endswith(".png")
    assert maria.photo.name != original.photo.name
    assert restored.created_at == ws.created_at
    assert restored.organization.name == "Alpha Literacy"
    assert ContactPoint.objects.get(workspace=restored, kind="phone").normalized == "+49301234"
    assert Membership.objects.get(workspace=restored, role=Role.OWNER).user.email == (
        "alpha-owner@example.org"
    )


def test_the_backup_names_no_database_id_slug_or_time_of_export(db):
    ws = rich_workspace()
    text = backup_text(ws)
    assert ws.slug not in text
    header = json.loads(text)
    assert header["format"] == "followthrough-backup" and header["version"] == 2
    assert [p["id"] for p in header["people"]] == [1, 2]
    # one record per line: a restore streams it
    assert all(line.startswith(("{", '"', "]")) for line in text.splitlines())


def test_restore_creates_missing_users_inactive_without_a_password(db):
    ws = rich_workspace()
    text = backup_text(ws)
    get_user_model().objects.filter(email="alpha-former@example.org").delete()
    result = restore_text(text, "elsewhere")
    former = get_user_model().objects.get(email="alpha-former@example.org")
    assert result.created_users == ["alpha-former@example.org"]
    assert not former.is_active and not former.has_usable_password()
    assert former.first_name == "Fay"
    assert Interaction.objects.get(workspace=result.workspace, kind="call").logged_by == former


def test_restore_matches_users_by_email_case_insensitively(db):
    ws = rich_workspace()
    text = backup_text(ws).replace("alpha-mate@example.org", "Alpha-Mate@Example.org")
    restored = restore_text(text, "again").workspace
    assert Membership.objects.filter(workspace=restored, user__email="alpha-mate@example.org")


def test_the_backup_of_one_workspace_has_no_row_of_another(db):
    alpha = rich_workspace(marker="Alpha")
    rich_workspace(marker="Bravo")
    text = backup_text(alpha)
    assert "Alpha" in text
    assert "Bravo" not in text and "bravo" not in text


@st.composite
def directories(draw):
    text = st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
    )
    name = text.filter(lambda s: s.strip() != "" and s == s.strip())
    # Tag names stay clear of letters whose case SQLite's LOWER() does not know (it only
    # folds ASCII): people.services.tags_resolve cannot match those yet.
    tag = st.text(st.sampled_from("abcXYZ09 ,;:'\"\\\n=+-@日本😀"), min_size=1, max_size=20)
    email = st.emails().map(str.lower)
    people = st.lists(
        st.fixed_dictionaries({
            "first_name": name, "last_name": text.map(str.strip), "notes": text,
            "emails": st.lists(email, max_size=2, unique=True),
            "tags": st.lists(tag.filter(lambda s: s.strip() == s), max_size=3),
        }), max_size=5,
    )  # fmt: skip
    orgs = st.lists(st.fixed_dictionaries({"name": name, "notes": text}), max_size=3)
    return draw(people), draw(orgs)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=directories())
def test_backup_restore_backup_is_identical_for_any_directory(workspace, data):
    people, orgs = data
    source = make_workspace('Källa, "quoted"\nname')
    organizations = [make_org(source, **org) for org in orgs]
    for n, person in enumerate(people):
        org = organizations[n % len(organizations)] if organizations else None
        make_person(source, organization=org, role='Role, "x"', **person)
    first = backup_text(source)
    slug = f"r{Workspace.objects.count()}"
    restored = restore_text(first, slug).workspace
    assert backup_text(restored) == first
    assert sorted(Person.objects.filter(workspace=restored).values_list("first_name", "notes")) == (
        sorted((p["first_name"], p["notes"]) for p in people)
    )


def test_the_reader_takes_any_json_layout(db):
    ws = rich_workspace()
    photos_as_uploads_store_them(ws)
    text = backup_text(ws)
    pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=True)
    restored = restore_text("\ufeff" + pretty, "pretty").workspace
    assert backup_text(restored) == text


def test_the_reader_reads_in_small_pieces():
    class Trickle(io.StringIO):
        def read(self, size=-1):
            return super().read(3)

    text = '{"format":"x","version":12345,"a":[{"b":"c\\u00e9"},1.5,[]],"n":null}'
    reader = BackupReader(Trickle(text))
    got = {key: list(value) if key == "a" else value for key, value in reader.sections()}
    assert got == {"format": "x", "version": 12345, "a": [{"b": "cé"}, 1.5, []], "n": None}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('"followthrough-backup"', '"something-else"'), "Not a Followthrough"),
        (lambda t: t.replace('"version":2', '"version":99'), "version 99"),
        (lambda t: t[: len(t) // 2], "ends too early"),
        (
            lambda t: t[: t.index('"María"') + 3],
            r"it ends too early, at character [\d,]+ .*: "
            "Unterminated string\\.$",
        ),
        (
            lambda t: t.replace('"people":[', '"people":[{"id":7}, '),
            r"record 1 \(id 7\), field id: must",
        ),
        (
            lambda t: t.replace('"first_name":"María"', '"given":"María"'),
            r"\(id 1\), field first_name: is missing",
        ),
        (lambda t: t.replace('"organization":1', '"organization":77', 1), "lacks"),
        (lambda t: t.replace('"events":[', '"bogus":[],"events":['), "section “bogus”"),
        (
            lambda t: t.replace('"role":"owner"', '"role":"emperor"'),
            "members record 1, field role:",
        ),
        (lambda t: t.replace("+00:00", "", 1), "no time zone"),
        # Values of the wrong kind (a hand-edited file): named, never stored as "None".
        (lambda t: t.replace('"first_name":"María"', '"first_name":null'), "first_name: is not"),
        (lambda t: t.replace('"first_name":"María"', '"first_name":12345'), "first_name: is not"),
        (lambda t: t.replace('"headline":"', '"headline":7,"x":"', 1), "headline: is not text: 7"),
        (
            lambda t: t.replace('"notes":"', '"notes":null,"x":"', 1),
            r"\(id 1\), field notes: is empty",
        ),
        (lambda t: re.sub(r'"birthday_day":\d+', '"birthday_day":32', t, count=1), "no 32"),
        (
            lambda t: re.sub(r'"cadence_days":(null|\d+)', '"cadence_days":"7"', t, count=1),
            "tags record 1 \\(id 1\\), field cadence_days: is not a whole number",
        ),
    ],
)
def test_a_bad_backup_is_refused_and_changes_nothing(db, change, message, media_root):
    ws = rich_workspace()
    before = (Workspace.objects.count(), Person.objects.count(), get_user_model().objects.count())
    files = sorted(p.name for p in media_root.rglob("*") if p.is_file())
    with pytest.raises(BackupError, match=message):
        restore_text(change(backup_text(ws)), "broken")
    after = (Workspace.objects.count(), Person.objects.count(), get_user_model().objects.count())
    assert after == before
    assert sorted(p.name for p in media_root.rglob("*") if p.is_file()) == files


def test_restore_refuses_a_slug_in_use(workspace):
    with pytest.raises(BackupError, match="already exists"):
        restore_text(backup_text(workspace), workspace.slug)


def test_backup_command_writes_a_file_and_says_so(workspace, tmp_path):
    out = io.StringIO()
    target = tmp_path / "ws.json"
    call_command("backup", "--workspace", workspace.slug, "-o", str(target), stdout=out)
    assert json.loads(target.read_text())["workspace"]["name"] == workspace.name
    assert f"to {target}" in out.getvalue()
    assert not list(tmp_path.glob("*.partial"))


def test_backup_command_picks_the_only_workspace_and_lists_slugs_otherwise(db, tmp_path):
    only = make_workspace("Only One")
    call_command("backup", "-o", str(tmp_path / "a.json"), stdout=io.StringIO())
    assert json.loads((tmp_path / "a.json").read_text())["workspace"]["name"] == only.name
    make_workspace("Second One")
    with pytest.raises(CommandError, match="only-one, second-one"):
        call_command("backup", "-o", str(tmp_path / "b.json"))


def test_restore_command_restores_and_reports(db, tmp_path):
    ws = rich_workspace()
    path = tmp_path / "b.json"
    path.write_text(backup_text(ws), encoding="utf-8")
    out = io.StringIO()
    call_command("restore", str(path), "--workspace", "new-home", stdout=out)
    assert "Restored “Alpha Literacy” as /w/new-home/: " in out.getvalue()
    assert "2 people" in out.getvalue()
    for bad, message in (
        ("Bad Slug!", "not a valid slug"),
        ("New-Home", "has capitals: slugs are lower case"),
        ("new-home", "already exists"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path), "--workspace", bad)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(tmp_path / "missing.json"), "--workspace", "x")


def test_commands_exit_non_zero_with_the_error(db, capsys, tmp_path):
    from followthrough.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["followthrough", "backup", "--workspace", "nope", "-o", str(tmp_path / "x.json")])
    assert exit_info.value.code == 1
    assert "No workspace “nope”" in capsys.readouterr().err


# -- the whole database -----------------------------------------------------------------


def _wal_database(path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x INTEGER)")
    db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
    db.commit()
    return db


def test_database_backup_copies_a_live_wal_database_consistently(tmp_path, monkeypatch):
    source = _wal_database(tmp_path / "live.sqlite3")
    source.execute("BEGIN IMMEDIATE")
    source.execute("INSERT INTO t VALUES (-1)")  # a write in progress: not in the copy
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the app's own database may be another
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "live.sqlite3"))
    database_backup(target=tmp_path / "copy.sqlite3")
    source.rollback()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT count(*) FROM t").fetchone() == (1000,)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not (tmp_path / "copy.sqlite3-wal").exists()
    assert (tmp_path / "copy.sqlite3").stat().st_mode & 0o777 == 0o600  # every account in it
    with pytest.raises(BackupError, match="already exists"):
        database_backup(target=tmp_path / "copy.sqlite3")


@pytest.mark.django_db(transaction=True)
def test_backup_db_command_copies_the_app_database(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    rich_workspace()
    target = tmp_path / "all.sqlite3"
    out = io.StringIO()
    call_command("backup", "--db", "-o", str(target), stdout=out)
    assert f"Copied the database to {target}" in out.getvalue()
    copy = sqlite3.connect(target)
    for model in (Person, Interaction, Workspace, Membership):
        table = model._meta.db_table
        (count,) = copy.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        assert count == model.objects.count()


def test_backup_db_on_postgresql_points_to_pg_dump(db, monkeypatch, tmp_path):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", "--db", "-o", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_a_cut_off_backup_says_where_it_stops(db):
    text = backup_text(rich_workspace())
    cut = text.index('"first_name":"María"') + len('"first_name":"Ma')
    with pytest.raises(BackupError) as refused:
        restore_text(text[:cut], "cut")
    message = str(refused.value)
    assert f"at character {cut - len('Ma'):,} (section “people”, item 1)" in message


# -- what address books hold (issue 13) -----------------------------------------------


def _address_book_values(ws: Workspace) -> dict:
    """Everything a person's card brought, of every person of the workspace, by name."""
    from followthrough.exchange.backup.writer import DETAIL_FIELDS
    from followthrough.people.models import CARD_FIELDS

    values = {}
    for person in Person.objects.filter(workspace=ws).order_by("first_name"):
        values[person.first_name] = {
            "card": {name: getattr(person, name) for name in CARD_FIELDS},
            "affiliations": sorted(
                (a.organization.name, a.role, a.department, a.function)
                for a in person.affiliations.all()
            ),
            "contact_points": [
                (p.kind, p.value, p.label, p.position, p.address_parts)
                for p in person.contact_points.order_by("kind", "position", "pk")
            ],
            "details": [
                tuple(getattr(d, name) for name in DETAIL_FIELDS) for d in person.details.all()
            ],
        }
    return values


def test_a_restore_keeps_every_address_book_value(db):
    from tests.exchange.address_book import CARD_VALUES, address_book_person

    ws = rich_workspace()
    address_book_person(ws)
    photos_as_uploads_store_them(ws)
    first = backup_text(ws)
    restored = restore_text(first, "restored").workspace
    assert backup_text(restored) == first
    values = _address_book_values(restored)
    assert values == _address_book_values(ws)
    jane = values["Jane"]
    assert jane["card"] == CARD_VALUES
    assert ("IBM", "Engineer", "Accounting; Payroll", "Project lead") in jane["affiliations"]
    address = next(p for p in jane["contact_points"] if p[0] == "address")
    assert address[4]["street"] == "1 Main St; Rear"
    assert ("im", "skype:jane.doe", "work", 1, {}) in jane["contact_points"]
    assert len(jane["details"]) == 6
    assert ("related", "spouse", "", "John Doe", 0) in jane["details"]


def test_a_version_1_backup_restores_with_the_address_book_values_empty(db):
    from followthrough.people.models import CARD_FIELDS
    from tests.exchange.address_book import address_book_person

    ws = rich_workspace()
    address_book_person(ws)
    document = json.loads(backup_text(ws))
    document["version"] = 1
    for event in document["events"]:
        del event["cancelled"]
    for person in document["people"]:  # what a backup of version 1 held
        for name in (*CARD_FIELDS, "details"):
            del person[name]
        for point in person["contact_points"]:
            del point["address_parts"]
        for affiliation in person["affiliations"]:
            del affiliation["department"], affiliation["function"]
    restored = restore_text(json.dumps(document), "old").workspace
    jane = _address_book_values(restored)["Jane"]
    assert jane["card"] == {name: "" for name in CARD_FIELDS} | {
        "anniversary_month": None, "anniversary_day": None, "anniversary_year": None,
    }  # fmt: skip
    assert jane["details"] == []
    assert all(point[4] == {} for point in jane["contact_points"])
    assert ("IBM", "Engineer", "", "") in jane["affiliations"]
    assert len(jane["contact_points"]) == 7  # the messaging handles too


def test_the_backup_carries_every_person_field():
    from followthrough.exchange.backup import writer
    from followthrough.people import models

    assert {*writer.PERSON_FIELDS, "photo"} == set(models.PERSON_FIELDS)
