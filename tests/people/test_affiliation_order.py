"""A person's current organization is the same on every page and in every export, on
SQLite and PostgreSQL alike: open affiliations, newest started first, undated last (a
descending sort puts NULLs first on PostgreSQL, so each query says where they go)."""

import csv
import io
from datetime import date

import vobject

from followthrough.directory.person_page import person_page
from followthrough.exchange.exports.csv_export import people_csv
from followthrough.exchange.exports.vcard_export import vcards
from followthrough.people import selectors
from followthrough.people.models import Affiliation
from followthrough.people.services import affiliation_add
from tests.factories import make_org, make_person


def test_the_dated_open_affiliation_comes_before_an_undated_one(workspace):
    person = make_person(workspace, first_name="Ada", last_name="Byron")
    undated, dated, ended = (make_org(workspace, name=n) for n in ("Undated", "Dated", "Ended"))
    affiliation_add(person=person, organization=undated, role="volunteer")
    affiliation_add(person=person, organization=dated, role="director", started_on=date(2024, 3, 1))
    affiliation_add(
        person=person, organization=ended, started_on=date(2019, 1, 1), ended_on=date(2020, 1, 1)
    )

    [row] = selectors.person_list(workspace=workspace)
    assert [a.organization_name for a in row.current_affiliations] == ["Dated", "Undated"]
    profile = selectors.person_profile(workspace=workspace).get(pk=person.pk)
    assert [a.organization.name for a in profile.affiliations.all()] == [
        "Dated", "Undated", "Ended",
    ]  # fmt: skip
    page = person_page(person=person, timeline_number=1, timeline_per_page=10)
    shown = page.current_affiliations + page.past_affiliations
    assert [a.organization_name for a in shown] == ["Dated", "Undated", "Ended"]
    assert [a.organization.name for a in Affiliation.objects.filter(person=person)] == [
        "Dated", "Undated", "Ended",
    ]  # the model's own order: open before ended, then newest started, undated last  # fmt: skip

    exported = next(csv.DictReader(io.StringIO("".join(people_csv(workspace=workspace)))))
    assert (exported["Organization"], exported["Role"]) == ("Dated", "director")
    for version in ("3.0", "4.0"):
        cards = vobject.readComponents("".join(vcards(workspace=workspace, version=version)))
        card = next(c for c in cards if c.fn.value == "Ada Byron")
        assert card.org.value[0] == "Dated" and card.title.value == "director", version
