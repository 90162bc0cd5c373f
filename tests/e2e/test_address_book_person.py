"""A person imported from a real Apple address book (ez-vcard's test card): their page
shows what the card held — labels, the name as written, related people, other details —
and fits a 375 px phone, long property names and UIDs included; axe finds nothing
serious."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)
CORPUS = Path(__file__).resolve().parents[1] / "exchange" / "corpus" / "ez-vcard"
CARD = CORPUS / "src__test__resources__ezvcard__io__text__John_Doe_MAC_ADDRESS_BOOK.vcf"
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def test_an_imported_address_book_card_reads_well_on_a_phone(
    page, live_server, django_user_model, settings
):
    from followthrough.exchange.formats import registry
    from followthrough.exchange.imports.loader import import_records
    from followthrough.exchange.imports.result import ImportSource
    from followthrough.people.models import Person
    from followthrough.site.services import workspace_open

    settings.MEDIA_ROOT = settings.DATA_DIR / "e2e-media"
    user = django_user_model.objects.create_user(
        "noor@example.org", "noor@example.org", "pw-noor-123456"
    )
    workspace = workspace_open(name="Noor Org", owner=user)
    with CARD.open("rb") as stream:
        import_records(
            workspace=workspace,
            records=registry.parse("vcard", stream, registry.ParseOptions()),
            source=ImportSource("vcard", CARD.name),
        )
    john = Person.objects.get(workspace=workspace)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 1280:
            log_in(page, live_server.url, "noor@example.org", "pw-noor-123456")
        page.goto(f"{live_server.url}/w/{workspace.slug}/people/{john.pk}/")
        expect(page.get_by_role("heading", name="John Doe")).to_be_visible()
        expect(page.get_by_text("Known as “Johny”")).to_be_visible()
        expect(page.get_by_text("(work, fax)")).to_be_visible()
        expect(page.get_by_role("heading", name="Other details")).to_be_visible()
        expect(page.get_by_text("X-PHONETIC-FIRST-NAME")).to_be_visible()
        assert page.evaluate(PAGE_WIDTH) <= width
        assert_accessible(page)
