"""Importing "any CSV" in a real browser: upload a file whose headers the importer cannot
guess, choose the columns, preview, import, and see the import reach "Imported".

The test settings run background tasks inline (django-tasks' ImmediateBackend), so the
import runs when the Import button's request commits, as `tests/settings.py` sets up for
every test; no worker process is needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)
ODD_HEADERS = Path(__file__).resolve().parents[1] / "exchange" / "data" / "mapping_odd_headers.csv"


def test_choose_the_columns_of_a_csv_then_import_it(page, live_server, django_user_model, settings):
    from followthrough.exchange.models import ColumnMapping, ImportBatch, ImportStatus
    from followthrough.people.models import Person
    from followthrough.site.services import workspace_open

    settings.MEDIA_ROOT = settings.DATA_DIR / "e2e-media"
    user = django_user_model.objects.create_user(
        "ines@example.org", "ines@example.org", "pw-ines-123456"
    )
    workspace = workspace_open(name="Ines Org", owner=user)
    log_in(page, live_server.url, "ines@example.org", "pw-ines-123456")

    page.goto(f"{live_server.url}/w/{workspace.slug}/import/")
    page.get_by_label("Format").select_option("csv")
    page.get_by_label(re.compile(r"^File")).set_input_files(str(ODD_HEADERS))
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Choose the columns")).to_be_visible()
    expect(page.get_by_role("cell", name="Amara Nwosu")).to_be_visible()
    assert_accessible(page)
    who = page.get_by_label("Who", exact=True)
    expect(who).to_have_value("")  # a header that says nothing, values like any text
    reach = page.get_by_label("Reach them at")
    expect(reach).to_have_value("email")  # its values are plainly e-mail addresses
    reach.select_option(label="(ignore)")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("alert")).to_contain_text("No column is mapped to a name")
    assert_accessible(page)

    who.select_option(label="Full name")
    reach.select_option(label="E-mail")
    page.get_by_label("Where they work").select_option(label="Organization")
    page.get_by_label("Save this mapping as").check()
    page.get_by_label("Mapping name").fill("Gala list")
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    expect(page.get_by_text("Saved the column mapping “Gala list”.")).to_be_visible()
    expect(page.get_by_role("cell", name="Tomás Ortega")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    expect(page.locator("#import-status")).to_contain_text("Imported")
    batch = ImportBatch.objects.get(workspace=workspace)
    assert batch.status == ImportStatus.DONE, batch.error
    amara = Person.objects.get(workspace=workspace, full_name="Amara Nwosu")
    assert amara.contact_points.filter(value="amara@riverside.example").exists()
    assert ColumnMapping.objects.get(workspace=workspace, name="Gala list").mapping == {
        "Who": "full_name",
        "Reach them at": "email",
        "Where they work": "organization",
        "Met at": "",
    }
