import pytest

from followthrough.people.models import (
    ContactKind,
    ContactPoint,
    DetailKind,
    Organization,
    Person,
    PersonDetail,
)
from followthrough.relationships.models import Stage
from tests.factories import make_org, make_person
from tests.people.helpers import image_bytes, upload, url

VALID = {
    "first_name": "Dana",
    "last_name": "Lee",
    "headline": "Runs the youth literacy program",
    "emails": "dana@riverside.org\n\nDana.Lee@Example.com",
    "phones": "+1 555 0100",
    "links": "linkedin.com/in/dana\nhttps://riverside.org",
    "tags": "donor, Mentor, donor",
    "organization": "Riverside Food Bank",
    "role": "Director",
    "notes": "Met at the **breakfast**.",
}


def test_it_creates_a_person_with_contacts_tags_and_organization(owner_client, owner, workspace):
    response = owner_client.post(url("person-new", workspace), VALID)
    person = Person.objects.get(workspace=workspace, full_name="Dana Lee")
    assert response.status_code == 303
    assert response["Location"] == url("person-detail", workspace, person.pk)
    assert person.headline == "Runs the youth literacy program"
    assert [c.value for c in person.contact_points.filter(kind=ContactKind.EMAIL)] == [
        "dana@riverside.org",
        "Dana.Lee@Example.com",
    ]
    assert [c.value for c in person.contact_points.filter(kind=ContactKind.URL)] == [
        "https://linkedin.com/in/dana",
        "https://riverside.org",
    ]
    assert sorted(t.name for t in person.tags.all()) == ["Mentor", "donor"]
    affiliation = person.affiliations.get()
    assert affiliation.organization.name == "Riverside Food Bank"
    assert affiliation.role == "Director"
    assert person.relationship.owner == owner
    assert person.relationship.stage == Stage.NOTICED


def test_it_links_an_existing_organization_by_name(owner_client, workspace):
    org = make_org(workspace, name="Riverside Food Bank")
    owner_client.post(
        url("person-new", workspace), {**VALID, "organization": "riverside food bank"}
    )
    person = Person.objects.get(workspace=workspace, full_name="Dana Lee")
    assert person.affiliations.get().organization == org
    assert (
        Organization.objects.filter(workspace=workspace, name__iexact="riverside food bank").count()
        == 1
    )


def test_it_offers_organization_names_in_a_datalist(owner_client, workspace):
    make_org(workspace, name="Harbor Arts")
    body = owner_client.get(url("person-new", workspace)).content.decode()
    assert 'list="organization-options"' in body
    assert '<option value="Harbor Arts">' in body
    response = owner_client.get(
        url("organization-suggest", workspace), {"organization": "harb"}, HTTP_HX_REQUEST="true"
    )
    assert response.content.decode().strip() == '<option value="Harbor Arts"></option>'


def test_it_names_the_bad_email_line(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "emails": "ok@example.org\nnot-an-email"}
    )
    assert response.status_code == 400
    assert "Line 2: “not-an-email” is not a valid e-mail address." in response.content.decode()
    assert not Person.objects.filter(workspace=workspace).exists()


def test_it_names_the_bad_link_line(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "links": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Line 1: “javascript:alert(1)” is not a valid link" in body
    assert not Person.objects.filter(workspace=workspace).exists()


def test_it_rejects_a_bad_phone_line(owner_client, workspace):
    response = owner_client.post(url("person-new", workspace), {**VALID, "phones": "call me"})
    assert response.status_code == 400
    assert "Line 1: “call me” is not a valid phone number." in response.content.decode()


def test_it_needs_a_first_or_last_name(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "first_name": " ", "last_name": ""}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["first_name"] == [
        "Give at least a first or a last name."
    ]
    only_last = owner_client.post(url("person-new", workspace), {"last_name": "Solo"})
    assert only_last.status_code == 303


def test_it_rejects_overlong_tags(owner_client, workspace):
    response = owner_client.post(url("person-new", workspace), {**VALID, "tags": "x" * 61})
    assert response.status_code == 400
    assert "longer than 60 characters" in response.content.decode()


def test_it_rejects_an_svg_photo(owner_client, workspace):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "photo": upload("evil.svg", svg, "image/svg+xml")}
    )
    assert response.status_code == 400
    assert "not a safe photo" in response.content.decode()
    assert not Person.objects.filter(workspace=workspace).exists()


def test_it_rejects_html_named_as_png(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "photo": upload("x.png", b"<html>hi</html>")}
    )
    assert response.status_code == 400
    assert "Upload a JPEG, PNG, GIF or WebP photo" in response.content.decode()


def test_it_rejects_a_png_html_polyglot(owner_client, workspace):
    polyglot = image_bytes("PNG") + b"<script>alert(1)</script>"
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "photo": upload("x.png", polyglot)}
    )
    assert response.status_code == 400
    assert "web-page code" in response.content.decode()


def test_it_rejects_non_image_and_unsupported_formats(owner_client, workspace):
    for name, content in [
        ("x.bmp", image_bytes("BMP")),
        ("x.png", b"\x89PNG\r\n\x1a\nbroken"),
        ("empty.png", b""),
    ]:
        response = owner_client.post(
            url("person-new", workspace), {**VALID, "photo": upload(name, content)}
        )
        assert response.status_code == 400, name
        assert response.context["form"].errors["photo"], name


def test_it_rejects_a_photo_over_five_megabytes(owner_client, workspace):
    big = image_bytes("PNG") + b"\0" * (5 * 1024 * 1024)
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "photo": upload("big.png", big)}
    )
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


def test_it_stores_a_reencoded_photo_under_a_random_name(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace),
        {
            **VALID,
            "photo": upload("../../My Photo.jpeg", image_bytes("JPEG", (2000, 1000)), "image/jpeg"),
        },
    )
    assert response.status_code == 303
    person = Person.objects.get(workspace=workspace)
    assert person.photo.name.startswith(f"photos/{workspace.pk}/")
    assert person.photo.name.endswith(".jpg")
    assert "My Photo" not in person.photo.name
    from PIL import Image

    with person.photo.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1024


def test_it_edits_a_person(owner_client, workspace):
    person = make_person(
        workspace, first_name="Dana", last_name="Lee", emails=["old@x.org"], tags=["donor"]
    )
    form = owner_client.get(url("person-edit", workspace, person.pk))
    assert form.status_code == 200
    assert form.context["form"].initial["emails"] == "old@x.org"
    assert form.context["form"].initial["tags"] == "donor"
    response = owner_client.post(
        url("person-edit", workspace, person.pk),
        {
            **VALID,
            "first_name": "Dana",
            "last_name": "Lee-Park",
            "emails": "new@x.org",
            "tags": "mentor",
            "organization": "Harbor Arts",
            "role": "Board member",
        },
    )
    assert response.status_code == 303
    person.refresh_from_db()
    assert person.full_name == "Dana Lee-Park"
    assert [c.value for c in person.contact_points.filter(kind=ContactKind.EMAIL)] == ["new@x.org"]
    assert [t.name for t in person.tags.all()] == ["mentor"]
    assert person.affiliations.get().organization.name == "Harbor Arts"
    # Saving again with the same organization adds no second affiliation.
    owner_client.post(
        url("person-edit", workspace, person.pk), {**VALID, "organization": "harbor arts"}
    )
    assert person.affiliations.count() == 1


def test_it_shows_edit_errors_without_saving(owner_client, workspace):
    person = make_person(workspace, first_name="Dana")
    response = owner_client.post(
        url("person-edit", workspace, person.pk),
        {**VALID, "first_name": "Changed", "emails": "bad@"},
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.first_name == "Dana"


def test_it_replaces_and_removes_a_photo(owner_client, workspace):
    person = make_person(workspace)
    owner_client.post(
        url("person-edit", workspace, person.pk),
        {**VALID, "photo": upload("a.png", image_bytes("PNG"))},
    )
    person.refresh_from_db()
    assert person.photo.name.endswith(".png")
    form = owner_client.get(url("person-edit", workspace, person.pk))
    assert "remove_photo" in form.context["form"].fields
    owner_client.post(url("person-edit", workspace, person.pk), {**VALID, "remove_photo": "on"})
    person.refresh_from_db()
    assert not person.photo


def test_it_edits_addresses_and_a_birthday_with_or_without_its_year(owner_client, workspace):
    person = make_person(workspace, first_name="Maria", last_name="Okafor")
    person.birthday_month, person.birthday_day, person.birthday_year = 4, 15, 1985
    person.save()
    person.contact_points.create(
        workspace=workspace, kind=ContactKind.ADDRESS, value="12 River St\nSpringfield",
        normalized="12 river st springfield", position=0,
    )  # fmt: skip
    form = owner_client.get(url("person-edit", workspace, person.pk)).context["form"]
    assert form.initial["addresses"] == "12 River St\nSpringfield"
    assert (form.initial["birthday_day"], form.initial["birthday_month"]) == (15, 4)
    assert form.initial["birthday_year"] == 1985
    response = owner_client.post(
        url("person-edit", workspace, person.pk),
        {
            **VALID,
            "first_name": "Maria",
            "addresses": "12 River St\r\nSpringfield\r\n\r\n  \r\nPO Box 7\r\nShelbyville",
            "birthday_day": "29",
            "birthday_month": "2",
            "birthday_year": "",
        },
    )
    assert response.status_code == 303
    person.refresh_from_db()
    addresses = person.contact_points.filter(kind=ContactKind.ADDRESS).order_by("position")
    assert [a.value for a in addresses] == ["12 River St\nSpringfield", "PO Box 7\nShelbyville"]
    assert (person.birthday_month, person.birthday_day, person.birthday_year) == (2, 29, None)
    page = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "PO Box 7" in page and "29 February" in page


def test_it_refuses_a_day_that_does_not_exist_and_saves_nothing(owner_client, workspace):
    person = make_person(workspace, first_name="Maria")
    for day, month, year in (
        ("30", "2", ""),
        ("29", "2", "1985"),
        ("12", "", ""),
        ("", "", "1990"),
    ):
        response = owner_client.post(
            url("person-edit", workspace, person.pk),
            {**VALID, "first_name": "Changed", "birthday_day": day,
             "birthday_month": month, "birthday_year": year},
        )  # fmt: skip
        assert response.status_code == 400, (day, month, year)
        assert response.context["form"].errors["birthday_day"], (day, month, year)
    person.refresh_from_db()
    assert person.first_name == "Maria" and person.birthday_month is None


def test_a_new_person_gets_their_birthday_and_address(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace),
        {**VALID, "first_name": "Kenji", "addresses": "1 Main St", "birthday_day": "2",
         "birthday_month": "7", "birthday_year": "1990"},
    )  # fmt: skip
    assert response.status_code == 303
    person = Person.objects.get(first_name="Kenji")
    assert person.contact_points.get(kind=ContactKind.ADDRESS).value == "1 Main St"
    assert (person.birthday_month, person.birthday_day, person.birthday_year) == (7, 2, 1990)


def test_a_refused_birthday_says_why_at_the_top_and_beside_the_field(owner_client, workspace):
    import re

    person = make_person(workspace, first_name="Maria")
    data = {**VALID, "birthday_day": "29", "birthday_month": "2", "birthday_year": "1985"}
    body = owner_client.post(url("person-edit", workspace, person.pk), data).content.decode()
    message = "1985 was not a leap year: it had no 29 February."
    summary = body.split('class="form-errors"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#id_birthday_day">Birthday: day</a>: ' + message in summary
    assert body.count(message) == 2  # in the summary and beside the field
    # Every aria-describedby names an element of the page (help text stays beside errors).
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    described = {
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', body) for ref in refs.split()
    }
    assert described and described <= ids
    data = {**VALID, "birthday_day": "31", "birthday_month": "4", "birthday_year": ""}
    body = owner_client.post(url("person-edit", workspace, person.pk), data).content.decode()
    assert "There is no 31 April." in body


# --- What address books hold (issue 13) ---------------------------------------------------


def _points(person, kind):
    rows = person.contact_points.filter(kind=kind).order_by("position")
    return [(c.value, c.label) for c in rows]


def test_labels_go_before_the_value_and_urls_are_not_labels(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace),
        {
            **VALID,
            "emails": "work: dana@riverside.org\nmailto-less@x.org",
            "phones": "work, cell: +1 555 0100\n+1 555 0199",
            "links": "https://riverside.org\nblog: https://dana.blog",
            "ims": "work: xmpp:dana@riverside.org\nskype: dana.lee",
            "addresses": "Summer house: 1 Lake Road\nSpringfield",
        },
    )
    assert response.status_code == 303
    dana = Person.objects.get(full_name="Dana Lee")
    assert _points(dana, ContactKind.EMAIL) == [
        ("dana@riverside.org", "work"),
        ("mailto-less@x.org", ""),
    ]
    assert _points(dana, ContactKind.PHONE) == [("+1 555 0100", "work, cell"), ("+1 555 0199", "")]
    assert _points(dana, ContactKind.URL) == [
        ("https://riverside.org", ""),
        ("https://dana.blog", "blog"),
    ]
    # "skype: dana.lee" names the service of a bare handle: it is the handle's URI.
    assert _points(dana, ContactKind.IM) == [
        ("xmpp:dana@riverside.org", "work"),
        ("skype:dana.lee", ""),
    ]
    assert _points(dana, ContactKind.ADDRESS) == [("1 Lake Road\nSpringfield", "Summer house")]


def test_a_messaging_line_without_a_service_is_refused_naming_the_line(owner_client, workspace):
    response = owner_client.post(
        url("person-new", workspace), {**VALID, "ims": "skype:dana\ndana lee"}
    )
    assert response.status_code == 400
    assert "Line 2: “dana lee” names no service" in response.context["form"].errors["ims"][0]


def _imported(workspace) -> Person:
    """A person as an address-book import leaves them: labels, an address with its parts,
    a value that looks like a label, related people and other details."""
    person = make_person(workspace, first_name="Maria", last_name="Okafor")
    rows = [
        (ContactKind.EMAIL, "maria@x.org", "work, pref", {}),
        (ContactKind.PHONE, "+1 555 0100", "cell", {}),
        (ContactKind.IM, "skype:maria", "", {}),
        (ContactKind.ADDRESS, "1 Lake Road, Springfield, USA", "home", PARTS),
        (ContactKind.ADDRESS, "Attn: Accounts, 2 Hill St", "", {"street": "2 Hill St"}),
        (ContactKind.ADDRESS, "9 Old Road, Ogdenville", "work", {"street": "9 Old Road"}),
    ]
    for position, (kind, value, label, parts) in enumerate(rows):
        ContactPoint.objects.create(
            workspace=workspace, person=person, kind=kind, value=value,
            normalized=value.lower(), label=label, address_parts=parts, position=position,
        )  # fmt: skip
    PersonDetail.objects.create(
        workspace=workspace, person=person, kind=DetailKind.RELATED, label="spouse", value="Bo"
    )
    PersonDetail.objects.create(
        workspace=workspace, person=person, kind=DetailKind.OTHER, label="item1.X-ABDATE",
        params="TYPE=pref", value="2001-01-01",
    )  # fmt: skip
    return person


PARTS = {"street": "1 Lake Road", "locality": "Springfield", "country": "USA"}


def test_saving_the_form_as_shown_keeps_labels_parts_and_details(owner_client, workspace):
    person = _imported(workspace)
    form = owner_client.get(url("person-edit", workspace, person.pk)).context["form"]
    assert form.initial["emails"] == "work, pref: maria@x.org"
    assert form.initial["phones"] == "cell: +1 555 0100"
    assert form.initial["ims"] == "skype:maria"
    # "Attn: Accounts" is no label: the line says so with an empty one.
    assert form.initial["addresses"] == (
        "home: 1 Lake Road, Springfield, USA\n\n"
        ": Attn: Accounts, 2 Hill St\n\n"
        "work: 9 Old Road, Ogdenville"
    )
    data = {**VALID, **{k: v for k, v in form.initial.items() if v is not None}}
    data["addresses"] = data["addresses"].replace("9 Old Road", "11 Old Road")
    response = owner_client.post(url("person-edit", workspace, person.pk), data)
    assert response.status_code == 303
    assert _points(person, ContactKind.EMAIL) == [("maria@x.org", "work, pref")]
    assert _points(person, ContactKind.IM) == [("skype:maria", "")]
    addresses = person.contact_points.filter(kind=ContactKind.ADDRESS).order_by("position")
    assert [(a.value, a.label, a.address_parts) for a in addresses] == [
        ("1 Lake Road, Springfield, USA", "home", PARTS),
        ("Attn: Accounts, 2 Hill St", "", {"street": "2 Hill St"}),
        ("11 Old Road, Ogdenville", "work", {}),  # edited: its text is the whole of it
    ]
    assert person.details.count() == 2


def test_the_more_fields_are_folded_and_saved(owner_client, workspace):
    person = make_person(workspace, first_name="Maria", last_name="Okafor")
    page = owner_client.get(url("person-edit", workspace, person.pk)).content.decode()
    more = page[page.index('<details class="more-fields"') :]
    more = more[: more.index("</details>")]
    assert "<summary>More about them</summary>" in more
    assert 'name="nickname"' in more and 'name="geo"' in more and 'name="headline"' not in more
    response = owner_client.post(
        url("person-edit", workspace, person.pk),
        {**VALID, "name_prefix": "Dr.", "middle_name": "Ngozi", "name_suffix": "PhD",
         "formatted_name": "Dr. Maria N. Okafor, PhD", "nickname": "Mo", "gender": "F",
         "gender_identity": "woman", "anniversary_day": "12", "anniversary_month": "6",
         "time_zone": "Africa/Lagos", "geo": "geo:6.45, 3.39",
         "photo_url": "example.org/mo.jpg"},
    )  # fmt: skip
    assert response.status_code == 303
    person.refresh_from_db()
    assert (person.name_prefix, person.middle_name, person.name_suffix) == ("Dr.", "Ngozi", "PhD")
    assert (person.nickname, person.gender, person.gender_identity) == ("Mo", "F", "woman")
    assert (person.anniversary_month, person.anniversary_day, person.anniversary_year) == (
        6,
        12,
        None,
    )
    assert (person.time_zone, person.geo) == ("Africa/Lagos", "6.45,3.39")
    assert person.photo_url == "https://example.org/mo.jpg"
    assert person.formatted_name == "Dr. Maria N. Okafor, PhD"
    form = owner_client.get(url("person-edit", workspace, person.pk)).context["form"]
    assert (form.initial["nickname"], form.initial["anniversary_day"]) == ("Mo", 12)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("anniversary_day", {"anniversary_day": "31", "anniversary_month": "4"}),
        ("anniversary_day", {"anniversary_day": "3"}),
        ("geo", {"geo": "95,10"}),
        ("geo", {"geo": "somewhere"}),
        ("geo", {"geo": "1e1,2"}),
        ("geo", {"geo": "nan,2"}),
        ("gender", {"gender": "X"}),
    ],
)
def test_a_bad_more_field_is_refused_and_its_group_opens(owner_client, workspace, field, changes):
    person = make_person(workspace, first_name="Maria")
    response = owner_client.post(
        url("person-edit", workspace, person.pk), {**VALID, "first_name": "Changed", **changes}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert '<details class="more-fields" open>' in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Maria"


def test_the_affiliation_form_takes_a_department_and_function(owner_client, workspace):
    person = make_person(workspace)
    response = owner_client.post(
        url("affiliation-add", workspace, person.pk),
        {"organization": "Acme", "role": "Director", "department": "Programs",
         "function": "Project lead"},
    )  # fmt: skip
    assert response.status_code == 303
    affiliation = person.affiliations.get()
    assert (affiliation.role, affiliation.department, affiliation.function) == (
        "Director",
        "Programs",
        "Project lead",
    )


def test_the_new_person_form_is_grouped_with_the_rare_fields_folded_and_a_cancel(
    owner_client, workspace
):
    import re

    body = owner_client.get(url("person-new", workspace)).content.decode()
    legends = re.findall(r"<legend>([^<]+)</legend>", body)
    assert legends == ["Who", "How to reach them", "Where they work", "Notes"]
    assert body.index("<legend>Who</legend>") < body.index('name="first_name"')
    assert body.index("<legend>How to reach them</legend>") < body.index('name="emails"')
    folded = body[body.index('<details class="more-fields"') :]
    assert 'name="nickname"' in folded and 'name="first_name"' not in folded
    assert f'href="{url("person-list", workspace)}" class="secondary">Cancel</a>' in body
