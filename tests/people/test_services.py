"""People services and what the rooms above keep in step with them through the registry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from followthrough.people.contact_lines import ContactInput, join_label, label_display, split_label
from followthrough.people.models import ContactKind, ContactPoint, DetailKind, Person, PersonDetail
from followthrough.people.services import person_create, person_update, tags_resolve
from followthrough.relationships.models import Relationship, Stage
from tests.factories import make_org, make_person


def test_a_new_person_starts_a_relationship_at_noticed(workspace, owner):
    org = make_org(workspace)
    ada = person_create(workspace=workspace, first_name="Ada", organization=org, owner=owner)
    relationship = Relationship.objects.get(person=ada)
    assert (relationship.stage, relationship.organization, relationship.owner) == (
        Stage.NOTICED,
        org,
        owner,
    )


def test_editing_tags_moves_the_next_touch_with_the_tags_cadence(workspace):
    tag = tags_resolve(workspace=workspace, names=["monthly"])[0]
    tag.cadence_days = 30
    tag.save()
    ada = make_person(workspace)
    person_update(person=ada, tags=["Monthly"])
    relationship = Relationship.objects.get(person=ada)
    assert relationship.next_touch_due == relationship.created_at + timedelta(days=30)
    person_update(person=ada, tags=[])
    assert Relationship.objects.get(person=ada).next_touch_due is None


def test_the_full_name_is_first_and_last_name(workspace):
    assert make_person(workspace, first_name=" Ada ", last_name="").full_name == "Ada"
    assert make_person(workspace, first_name="", last_name="Lovelace").full_name == "Lovelace"


# --- What address books hold (issue 13) ---------------------------------------------------


def _points(person, kind):
    rows = person.contact_points.filter(kind=kind).order_by("position")
    return [(c.value, c.label, c.address_parts) for c in rows]


def test_a_new_person_takes_the_card_fields_and_refuses_a_bad_anniversary_or_gender(workspace):
    ada = person_create(
        workspace=workspace,
        first_name="Ada",
        last_name="Lovelace",
        name_prefix="Lady",
        middle_name="Augusta",
        nickname="Ada",
        formatted_name="Augusta Ada King, Countess of Lovelace",
        gender="F",
        anniversary_month=7,
        anniversary_day=8,
        time_zone="Europe/London",
        geo="51.5,-0.12",
        photo_url="https://example.org/ada.jpg",
    )
    ada.refresh_from_db()
    assert (ada.name_prefix, ada.middle_name, ada.gender) == ("Lady", "Augusta", "F")
    assert (ada.anniversary_month, ada.anniversary_day, ada.anniversary_year) == (7, 8, None)
    with pytest.raises(ValueError, match="no 31 June"):
        person_create(workspace=workspace, first_name="B", anniversary_month=6, anniversary_day=31)
    with pytest.raises(ValueError, match="An anniversary needs a day"):
        person_update(person=ada, anniversary_day=None)
    with pytest.raises(ValueError, match="not a gender"):
        person_update(person=ada, gender="X")
    with pytest.raises(TypeError):
        person_create(workspace=workspace, first_name="C", shoe_size=9)
    assert Person.objects.filter(workspace=workspace).count() == 1


def test_contact_points_keep_their_labels_and_messaging_handles_are_lower_cased_keys(workspace):
    ada = person_create(
        workspace=workspace,
        first_name="Ada",
        emails=[ContactInput("ada@example.org", "work"), "ada@home.org"],
        phones=[ContactInput("+1 555 0100", "work, cell")],
        ims=[ContactInput("xmpp:Ada@Example.org", "home")],
    )
    assert _points(ada, ContactKind.EMAIL) == [
        ("ada@example.org", "work", {}),
        ("ada@home.org", "", {}),
    ]
    assert _points(ada, ContactKind.PHONE) == [("+1 555 0100", "work, cell", {})]
    im = ada.contact_points.get(kind=ContactKind.IM)
    assert (im.value, im.normalized, im.label) == (
        "xmpp:Ada@Example.org",
        "xmpp:ada@example.org",
        "home",
    )


def test_an_unchanged_address_keeps_its_parts_and_an_edited_one_loses_them(workspace):
    ada = make_person(workspace)
    parts = {"street": "1 Lake Road", "locality": "Springfield", "country": "USA"}
    for position, (value, label) in enumerate(
        [("1 Lake Road, Springfield, USA", "home"), ("2 Hill St, Shelbyville", "work")]
    ):
        ContactPoint.objects.create(
            workspace=workspace, person=ada, kind=ContactKind.ADDRESS, value=value,
            normalized=value.lower(), label=label, position=position,
            address_parts=parts if position == 0 else {"street": "2 Hill St"},
        )  # fmt: skip
    person_update(
        person=ada,
        addresses=[
            ContactInput("2 Hill Street, Shelbyville", "work"),  # edited
            ContactInput("1 Lake Road, Springfield, USA", "Summer house"),  # relabelled only
        ],
    )
    assert _points(ada, ContactKind.ADDRESS) == [
        ("2 Hill Street, Shelbyville", "work", {}),
        ("1 Lake Road, Springfield, USA", "Summer house", parts),
    ]


def test_an_edit_keeps_when_a_linkedin_connection_was_made_and_the_card_details(workspace):
    ada = make_person(workspace, links=["https://www.linkedin.com/in/ada"])
    ada.contact_points.update(connected_on=date(2024, 3, 5))
    PersonDetail.objects.create(
        workspace=workspace, person=ada, kind=DetailKind.RELATED, label="spouse", value="Bo"
    )
    person_update(person=ada, links=["linkedin.com/in/ada/", "https://ada.dev"], headline="Hi")
    links = ada.contact_points.order_by("position")
    assert [c.connected_on for c in links] == [date(2024, 3, 5), None]
    assert list(ada.details.values_list("label", "value")) == [("spouse", "Bo")]


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("", "ada@example.org"),
        ("work, cell", "+1 555 0100"),
        ("Summer house", "1 Lake Road\nSpringfield"),
        ("", "https://example.org/a: b"),
        ("", "Attn: Accounts, 2 Hill St"),  # looks like a label: written ": Attn: …"
        ("home", "mailto:ada@example.org"),
        ("x" * 40, "xmpp:ada@example.org"),
    ],
)
def test_a_stored_contact_line_reads_back_as_the_same_label_and_value(label, value):
    line = join_label(label, value)
    assert split_label(line) == (label, value)


def test_labels_end_at_the_first_colon_and_space_and_are_short():
    assert split_label("https://example.org") == ("", "https://example.org")
    assert split_label("work: a: b") == ("work", "a: b")
    assert split_label(f"{'x' * 41}: a") == ("", f"{'x' * 41}: a")
    assert split_label("work: ") == ("", "work:")
    # An imported label holding ": " comes back with ":" rather than splitting wrongly.
    assert split_label(join_label("Note: home", "ada@x.org")) == ("Note:home", "ada@x.org")


def test_labels_read_as_words():
    assert label_display("work, cell") == "work, mobile"
    assert label_display("home, pref") == "home, preferred"
    assert label_display("Summer house") == "Summer house"
