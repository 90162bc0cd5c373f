"""The people list's bulk bar in a browser: one box ticks everyone on the page (after a
search too, whose results htmx swaps in), and an action then applies to them all."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_tick_everyone_on_the_page_then_tag_them(page, live_server, django_user_model):
    from followthrough.people.models import Person
    from followthrough.site.services import workspace_open
    from tests.factories import make_person

    user = django_user_model.objects.create_user(
        "ines@example.org", "ines@example.org", "pw-ines-123456"
    )
    workspace = workspace_open(name="Ines Org", owner=user)
    for first in ("Ada", "Bo", "Cy"):
        make_person(workspace, first_name=first, last_name="Gala")
    make_person(workspace, first_name="Dee", last_name="Other")
    log_in(page, live_server.url, "ines@example.org", "pw-ines-123456")

    page.goto(f"{live_server.url}/w/{workspace.slug}/people/")
    page.get_by_label("Search people").fill("Gala")
    expect(page.locator(".result-count")).to_have_text("3 people found")
    everyone = page.get_by_label("Tick everyone on this page")
    expect(everyone).to_be_visible()  # shown by the script, after htmx swapped the rows in
    everyone.check()
    expect(page.get_by_label("Select Ada Gala")).to_be_checked()
    expect(page.get_by_label("Select Cy Gala")).to_be_checked()
    page.get_by_label("Tag for the ticked people").fill("Spring gala")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_text("Tagged 3 people")).to_be_visible()
    tagged = Person.objects.filter(workspace=workspace, tags__name="Spring gala")
    assert sorted(tagged.values_list("first_name", flat=True)) == ["Ada", "Bo", "Cy"]
    everyone = page.get_by_label("Tick everyone on this page")
    everyone.check()
    everyone.uncheck()
    expect(page.get_by_label("Select Ada Gala")).not_to_be_checked()
