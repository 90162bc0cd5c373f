"""The search index follows every way rows change: the forms' services, an import, a
restore, a merge, a bulk delete and its undo, raw updates — through database triggers
(people.search_schema), and a full rebuild gives the same answers."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from followthrough.exchange.backup.restore import workspace_restore
from followthrough.exchange.backup.writer import backup_chunks
from followthrough.exchange.formats.records import OrganizationRecord
from followthrough.exchange.imports.result import ImportSource
from followthrough.people import search_schema
from followthrough.people.bulk import people_delete, people_restore
from followthrough.people.merge import person_merge
from followthrough.people.models import Organization, Person, Tag
from followthrough.people.search import organization_search, person_search
from followthrough.people.services import (
    affiliation_add,
    affiliation_end,
    organization_update,
    person_update,
)
from tests.exchange.helpers import load, person
from tests.factories import make_org, make_person, make_workspace


def found(workspace, query: str) -> set[int]:
    return set(person_search(workspace=workspace, query=query))


def found_orgs(workspace, query: str) -> set[int]:
    return set(organization_search(workspace=workspace, query=query))


def test_it_follows_edits_of_a_person_and_their_contact_points(workspace):
    dana = make_person(workspace, first_name="Dana", last_name="Lee", emails=["dana@old.org"])
    person_update(person=dana, last_name="Park", headline="Pantry lead", notes="Bakes bread.")
    person_update(person=dana, emails=["dana@new.org"], phones=["555 010 7788"])
    assert found(workspace, "park") == {dana.pk}
    assert found(workspace, "lee") == set()
    assert found(workspace, "pantry bread") == {dana.pk}
    assert found(workspace, "new.org") == {dana.pk}
    assert found(workspace, "old.org") == set()
    assert found(workspace, "0107788") == {dana.pk}


def test_it_follows_affiliations_and_an_organizations_new_name(workspace):
    dana = make_person(workspace, first_name="Dana")
    org = make_org(workspace, name="Harbor Arts")
    affiliation = affiliation_add(person=dana, organization=org, role="Treasurer")
    assert found(workspace, "harbor treasurer") == {dana.pk}
    organization_update(organization=org, name="Seaside Arts")
    assert found(workspace, "seaside") == {dana.pk}
    assert found(workspace, "harbor") == set()
    affiliation_end(affiliation=affiliation, ended_on=affiliation.started_on or _today())
    assert found(workspace, "seaside") == set()
    assert found(workspace, "treasurer") == set()


def test_it_follows_an_organizations_profile_and_focus_areas(workspace):
    org = make_org(workspace, name="Riverside", offers="Cold storage")
    organization_update(organization=org, offers="Volunteer tutoring", focus_areas=["Numeracy"])
    assert found_orgs(workspace, "tutoring numeracy") == {org.pk}
    assert found_orgs(workspace, "storage") == set()
    Tag.objects.filter(workspace=workspace, name="Numeracy").update(name="Reading")
    assert found_orgs(workspace, "reading") == {org.pk}
    assert found_orgs(workspace, "numeracy") == set()
    organization_update(organization=org, focus_areas=[])
    assert found_orgs(workspace, "reading") == set()
    # A raw update (as the importers write) reaches the index too.
    Organization.objects.filter(pk=org.pk).update(needs="Delivery drivers")
    assert found_orgs(workspace, "drivers") == {org.pk}


def test_deleted_rows_leave_the_index(workspace):
    dana = make_person(workspace, first_name="Dana", emails=["dana@x.org"])
    org = make_org(workspace, name="Harbor Arts")
    affiliation_add(person=make_person(workspace, first_name="Bo"), organization=org)
    dana.delete()
    org.delete()
    assert found(workspace, "dana") == set()
    assert found(workspace, "harbor") == set()
    assert found_orgs(workspace, "harbor") == set()
    assert _index_rows() == _index_rows_rebuilt()


def test_an_import_is_searchable_at_once(workspace):
    load(
        workspace,
        [
            person(2, "Ines", "Okafor", emails=["ines@bridges.org"], organization="Bridges"),
            person(3, "Ravi", "Shah", role="Grant writer", organization="Bridges"),
        ],
    )
    load(
        workspace,
        [OrganizationRecord(line=2, name="Bridges", offers="Tutoring", tags=["Youth"])],
        source=ImportSource("organizations", "partners.csv"),
    )
    ines, ravi = (Person.objects.get(first_name=n).pk for n in ("Ines", "Ravi"))
    assert found(workspace, "okafor") == {ines}
    assert found(workspace, "bridges.org") == {ines}
    assert found(workspace, "bridges") == {ines, ravi}
    assert found(workspace, "grant writer") == {ravi}
    assert len(found_orgs(workspace, "tutoring youth")) == 1
    assert _index_rows() == _index_rows_rebuilt()


def test_a_restored_workspace_is_searchable(workspace):
    org = make_org(workspace, name="Harbor Arts", needs="Tutors", focus_areas=["Arts"])
    make_person(workspace, first_name="Dana", emails=["dana@x.org"], organization=org)
    text = "".join(backup_chunks(workspace=workspace))
    restored = workspace_restore(stream=io.StringIO(text), slug="restored").workspace
    assert len(found(restored, "dana harbor x.org")) == 1
    assert len(found_orgs(restored, "tutors arts")) == 1
    assert found(restored, "dana") != found(workspace, "dana")
    assert _index_rows() == _index_rows_rebuilt()


def test_a_merge_moves_what_matches_to_the_person_kept(workspace, owner):
    keep = make_person(workspace, first_name="Dana", last_name="Lee")
    other = make_person(
        workspace, first_name="D.", last_name="Lee", emails=["dlee@harbor.org"], notes="Poet"
    )
    person_merge(keep=keep, other=other, actor=owner)
    assert found(workspace, "harbor.org") == {keep.pk}
    assert found(workspace, "lee") == {keep.pk}
    assert _index_rows() == _index_rows_rebuilt()


def test_a_bulk_delete_and_its_undo(workspace, owner):
    dana = make_person(workspace, first_name="Dana", emails=["dana@x.org"])
    affiliation_add(person=dana, organization=make_org(workspace, name="Harbor"), role="Chair")
    deletion = people_delete(workspace=workspace, person_ids=[dana.pk], actor=owner)
    assert found(workspace, "dana") == set()
    assert found(workspace, "harbor") == set()
    people_restore(deletion=deletion)
    assert found(workspace, "dana x.org harbor chair") == {dana.pk}
    assert _index_rows() == _index_rows_rebuilt()


def test_every_trigger_is_installed(db):
    """A table Django rebuilds on SQLite loses its triggers: `migrate` puts them back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = set(search_schema.SQLITE_TRIGGERS)
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = set(search_schema._PG_TRIGGERS)
        assert expected <= {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_the_triggers_and_the_rows_written_without_them():
    from django.core.management import call_command

    workspace = make_workspace("Late")
    search_schema.drop_triggers(connection)
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL keeps its triggers through migrations")
    dana = make_person(workspace, first_name="Dana")  # written while the triggers are away
    assert found(workspace, "dana") == set()
    call_command("migrate", "people", "0007", verbosity=0)
    call_command("migrate", verbosity=0)
    assert found(workspace, "dana") == {dana.pk}
    make_person(workspace, first_name="Eli")
    assert len(found(workspace, "eli")) == 1


def _index_rows() -> dict[str, list[tuple]]:
    """Every index row of every workspace, as the triggers left it."""
    if connection.vendor == "sqlite":
        tables = {
            name: f"SELECT rowid, * FROM {name} ORDER BY rowid"  # noqa: S608
            for name in search_schema.SQLITE_TABLES
        }
    else:
        tables = {
            name: f"SELECT {key}, workspace_id, document::text FROM {name} ORDER BY 1"  # noqa: S608
            for name, key in (
                ("people_person_search", "person_id"),
                ("people_organization_search", "organization_id"),
            )
        }
    with connection.cursor() as cursor:
        rows = {}
        for name, sql in tables.items():
            cursor.execute(sql)
            rows[name] = cursor.fetchall()
    return rows


def _index_rows_rebuilt() -> dict[str, list[tuple]]:
    search_schema.rebuild(connection)
    return _index_rows()


def _today():
    from django.utils import timezone

    return timezone.localdate()
