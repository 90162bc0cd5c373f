"""Only http(s) addresses are links (`people.links.web_link`): an imported
`URL:javascript:…` or a `data:` website is kept as text in the notes with a warning, and
an exporter never gives such a value back as a URL (issue 12)."""

from __future__ import annotations

import io

import pytest

from followthrough.exchange.exports.csv_export import organizations_csv, people_csv
from followthrough.exchange.exports.vcard_export import vcards
from followthrough.exchange.formats.vcard.parser import parse
from followthrough.people.links import web_link
from followthrough.people.models import ContactKind, ContactPoint, Organization, Person
from tests.exchange.helpers import load, person
from tests.exchange.test_loader_organizations import org
from tests.factories import make_org, make_person

SCRIPTS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<b>x</b>",
    "file:///etc/passwd",
    "vbscript:msgbox",
]


@pytest.mark.parametrize(
    ("given", "link"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("http://example.org", "http://example.org"),
        ("harbormutualaid.org", "https://harbormutualaid.org"),
        ("example.org:8080/x", "https://example.org:8080/x"),
        *((script, None) for script in SCRIPTS),
        ("ftp://example.org/file", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_web_link(given, link):
    assert web_link(given) == link


def test_an_imported_script_link_is_kept_as_text_in_the_notes(workspace):
    result = load(
        workspace,
        [person(2, "Ada", links=["javascript:alert(1)", "https://ada.example.org"], notes="Hi")],
    )
    ada = Person.objects.get(workspace=workspace, first_name="Ada")
    links = list(ada.contact_points.filter(kind=ContactKind.URL).values_list("value", flat=True))
    assert links == ["https://ada.example.org"]
    assert ada.notes == "Hi\n\nLink in the file (not a web address): javascript:alert(1)"
    assert any("javascript:alert(1)" in w and "not a web address" in w for w in result.warnings)


def test_a_vcard_with_a_script_url_imports_without_the_link(workspace):
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eve Example\r\nN:Example;Eve;;;\r\n"
        "URL:javascript:alert(1)\r\nEND:VCARD\r\n"
    )
    records = list(parse(io.BytesIO(text.encode())))
    load(workspace, records)
    eve = Person.objects.get(workspace=workspace, first_name="Eve")
    assert not eve.contact_points.filter(kind=ContactKind.URL).exists()
    assert "javascript:alert(1)" in eve.notes


def test_an_organization_website_that_is_no_web_address_goes_to_the_notes(workspace):
    load(
        workspace,
        [org(2, "Harbor", website="data:text/html,x", feed_url="harbor.example.org/feed")],
    )
    harbor = Organization.objects.get(workspace=workspace, name="Harbor")
    assert harbor.website == ""
    assert harbor.feed_url == "https://harbor.example.org/feed"
    assert "Website in the file (not a web address): data:text/html,x" in harbor.notes


@pytest.mark.parametrize("script", SCRIPTS)
def test_exports_never_give_a_script_back_as_a_link(workspace, script):
    ada = make_person(workspace, first_name="Ada", last_name="Byron")
    ContactPoint.objects.create(
        workspace=workspace, person=ada, kind=ContactKind.URL, value=script, normalized=script
    )
    ContactPoint.objects.create(
        workspace=workspace, person=ada, kind=ContactKind.URL,
        value="https://ada.example.org", normalized="https://ada.example.org",
    )  # fmt: skip
    harbor = make_org(workspace, name="Harbor")
    Organization.objects.filter(pk=harbor.pk).update(website=script, feed_url=script)
    for version in ("3.0", "4.0"):
        card = "".join(vcards(workspace=workspace, version=version))
        assert script.split(":")[0].lower() not in card.lower()
        assert "https://ada.example.org" in card
    exported = "".join(people_csv(workspace=workspace)) + "".join(
        organizations_csv(workspace=workspace)
    )
    assert script not in exported
    assert "https://ada.example.org" in exported
