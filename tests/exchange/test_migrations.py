"""The migration that keeps a LinkedIn profile once, as a link, on a database that held
profiles as external ids (and links in other spellings)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("exchange", "0001_initial"), ("people", "0004_dismissed_duplicates_and_deletions")]
AFTER = [("exchange", "0003_externalid_drop_connected_on")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Leave the database fully migrated: going back to BEFORE unapplied every later
    migration that depends on those (of other apps too), which AFTER does not bring back.
    Through `migrate`, so that the search index's triggers come back too (people.apps)."""
    yield
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_linkedin_identities_become_links_with_their_connection_date():
    apps = _migrate(BEFORE)
    Workspace = apps.get_model("workspaces", "Workspace")
    Person = apps.get_model("people", "Person")
    ContactPoint = apps.get_model("people", "ContactPoint")
    Organization = apps.get_model("people", "Organization")
    ExternalId = apps.get_model("exchange", "ExternalId")
    ws = Workspace.objects.create(name="W", slug="w")
    ada, bo, cy = (Person.objects.create(workspace=ws, first_name=n) for n in ("Ada", "Bo", "Cy"))
    org = Organization.objects.create(workspace=ws, name="Acme")
    # Ada: the import wrote both, the link in LinkedIn's own spelling.
    ContactPoint.objects.create(
        workspace=ws, person=ada, kind="url", value="https://www.linkedin.com/in/ada/",
        normalized="https://www.linkedin.com/in/ada", position=0,
    )  # fmt: skip
    ExternalId.objects.create(
        workspace=ws, system="linkedin", value="https://www.linkedin.com/in/ada", person=ada,
        connected_on=date(2024, 3, 5),
    )  # fmt: skip
    # Bo: only the identity; a website link already there.
    ContactPoint.objects.create(
        workspace=ws, person=bo, kind="url", value="https://bo.example", position=0,
        normalized="https://bo.example",
    )  # fmt: skip
    ExternalId.objects.create(
        workspace=ws, system="linkedin", value="https://www.linkedin.com/in/bo", person=bo,
        connected_on=date(2023, 1, 2),
    )  # fmt: skip
    # Cy: a link typed by hand in another spelling; no identity.
    ContactPoint.objects.create(
        workspace=ws, person=cy, kind="url", value="uk.linkedin.com/in/Cy?trk=1", position=0,
        normalized="uk.linkedin.com/in/cy?trk=1",
    )  # fmt: skip
    ExternalId.objects.create(workspace=ws, system="vcard-uid", value="u-1", person=cy)
    ExternalId.objects.create(workspace=ws, system="linkedin", value="acme", organization=org)

    apps = _migrate(AFTER)
    ContactPoint = apps.get_model("people", "ContactPoint")
    ExternalId = apps.get_model("exchange", "ExternalId")
    links = {
        (p.person_id, p.normalized): (p.value, p.position, p.connected_on)
        for p in ContactPoint.objects.filter(kind="url")
    }
    assert links == {
        (ada.pk, "https://www.linkedin.com/in/ada"): (
            "https://www.linkedin.com/in/ada/",
            0,
            date(2024, 3, 5),
        ),
        (bo.pk, "https://bo.example"): ("https://bo.example", 0, None),
        (bo.pk, "https://www.linkedin.com/in/bo"): (
            "https://www.linkedin.com/in/bo",
            1,
            date(2023, 1, 2),
        ),
        (cy.pk, "https://www.linkedin.com/in/cy"): ("uk.linkedin.com/in/Cy?trk=1", 0, None),
    }
    remaining = sorted(ExternalId.objects.values_list("system", "value"))
    assert remaining == [("linkedin", "acme"), ("vcard-uid", "u-1")]
