"""The import screens on a 375 px wide phone: the column-mapping page does not scroll
sideways (its table scrolls in its own box) and its selects stay wide enough to read
the field chosen; the preview's tables scroll in their box as well."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)
ODD_HEADERS = Path(__file__).resolve().parents[1] / "exchange" / "data" / "mapping_odd_headers.csv"
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def test_the_mapping_and_preview_fit_a_phone(page, live_server, django_user_model, settings):
    from followthrough.site.services import workspace_open

    settings.MEDIA_ROOT = settings.DATA_DIR / "e2e-media"
    user = django_user_model.objects.create_user(
        "noor@example.org", "noor@example.org", "pw-noor-123456"
    )
    workspace = workspace_open(name="Noor Org", owner=user)
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server.url, "noor@example.org", "pw-noor-123456")

    page.goto(f"{live_server.url}/w/{workspace.slug}/import/")
    assert page.evaluate(PAGE_WIDTH) <= 375
    page.get_by_label("Format").select_option("csv")
    page.get_by_label(re.compile(r"^File")).set_input_files(str(ODD_HEADERS))
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Choose the columns")).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= 375
    widths = page.locator("table.column-mapping select").evaluate_all(
        "selects => selects.map(s => s.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 150, widths
    assert_accessible(page)
    page.get_by_label("Who", exact=True).select_option(label="Full name")
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= 375


def test_duplicates_and_merge_fit_a_phone(page, live_server, django_user_model):
    from followthrough.site.services import workspace_open
    from tests.factories import make_org, make_person

    user = django_user_model.objects.create_user(
        "ana@example.org", "ana@example.org", "pw-ana-12345678"
    )
    workspace = workspace_open(name="Ana Org", owner=user)
    org = make_org(workspace, name="Riverside Food Bank")
    make_person(
        workspace,
        first_name="Maria",
        last_name="Okafor",
        emails=["maria@example.org"],
        organization=org,
        role="Volunteer Coordinator",
        headline="Coordinates the Saturday volunteers of the food bank",
    )
    make_person(workspace, first_name="Maria", last_name="Okafor", emails=["maria@example.org"],
                organization=org, headline="Treasurer")  # fmt: skip
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server.url, "ana@example.org", "pw-ana-12345678")

    page.goto(f"{live_server.url}/w/{workspace.slug}/people/duplicates/")
    pair = page.locator("ul.duplicates > li").first
    expect(pair).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= 375
    # No stretch of empty card: each part is as tall as what it holds (a flex-basis
    # meant as a width made the two people 30rem tall when the row stacked).
    gaps = pair.evaluate(
        """li => [...li.children].map(part => {
            const inner = [...part.children].map(c => c.getBoundingClientRect());
            const bottom = Math.max(...inner.map(r => r.bottom));
            return part.getBoundingClientRect().bottom - bottom;
        })"""
    )
    assert all(gap < 24 for gap in gaps), gaps
    page.get_by_role("button", name="Compare and merge").click()
    expect(page.get_by_role("heading", name=re.compile("Merge"))).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= 375
    radios = page.locator(".merge-table input[type=radio]").evaluate_all(
        "rs => rs.map(r => { const b = r.getBoundingClientRect(); return [b.width, b.height]; })"
    )
    assert radios and all(abs(w - h) < 1 for w, h in radios), radios  # round, not squashed
    # No word is broken to fit: each value is at least as wide as its longest word.
    narrow = page.locator(".merge-table .note").evaluate_all(
        r"""notes => notes.filter(n => {
            const range = document.createRange(); range.selectNodeContents(n);
            return range.getClientRects().length > n.textContent.trim().split(/\s+/).length;
        }).map(n => n.textContent)"""
    )
    assert narrow == [], narrow
    assert_accessible(page)
