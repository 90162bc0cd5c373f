"""How imports find people already in the directory: each key, in order; suggestions."""

from __future__ import annotations

import pytest

from followthrough.exchange.imports.dedupe import name_key
from followthrough.exchange.models import ExternalId, ImportBatch
from followthrough.people.linkedin import linkedin_canonical
from followthrough.people.models import ContactKind, ContactPoint, Person
from tests.exchange.helpers import load, person, totals
from tests.factories import make_org, make_person

PROFILE = "https://www.linkedin.com/in/maria-okafor"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/maria-okafor",
        "https://www.linkedin.com/in/Maria-Okafor/",
        "http://linkedin.com/in/maria-okafor?trk=people",
        "linkedin.com/in/maria-okafor",
        "www.linkedin.com/in/maria-okafor#top",
        "https://de.linkedin.com/in/maria-okafor/",
        " https://www.linkedin.com/in/maria%2Dokafor ",
    ],
)
def test_linkedin_profile_urls_have_one_canonical_form(url):
    assert linkedin_canonical(url) == PROFILE


@pytest.mark.parametrize(
    "url", ["", "https://example.org/in/maria", "https://www.linkedin.com/company/acme", "maria"]
)
def test_other_urls_are_no_linkedin_profile(url):
    assert linkedin_canonical(url) == ""


def test_names_fold_case_accents_and_punctuation():
    assert name_key("Émile", "Durand-Ferré") == name_key("emile", "durand ferre")


def test_an_external_id_wins_over_an_email(workspace):
    by_uid = make_person(workspace, first_name="Uid", emails=["uid@example.org"])
    ExternalId.objects.create(workspace=workspace, system="vcard-uid", value="u-1", person=by_uid)
    by_email = make_person(workspace, first_name="Mail", emails=["shared@example.org"])
    record = person(2, "Someone", emails=["shared@example.org"], external_ids={"vcard-uid": "u-1"})
    result = load(workspace, [record])
    assert totals(result) == (1, 0, 1, 0, 0, 0)
    assert by_uid.contact_points.filter(normalized="shared@example.org").exists()
    # The e-mail also belongs to someone else: a suggested merge, never applied.
    [suggestion] = result.suggestions
    assert {suggestion.person_id, suggestion.other_id} == {by_uid.pk, by_email.pk}
    assert suggestion.reason == "same e-mail"
    assert Person.objects.filter(pk=by_email.pk).exists()


def test_an_email_matches_whatever_its_case(workspace):
    maria = make_person(workspace, first_name="Maria", emails=["Maria.Okafor@Example.org"])
    result = load(workspace, [person(2, "M.", "Okafor", emails=["maria.okafor@EXAMPLE.org"])])
    assert totals(result) == (1, 0, 0, 0, 1, 0)
    assert Person.objects.get() == maria


def test_a_linkedin_profile_matches_the_profile_link_however_spelled(workspace):
    make_person(workspace, first_name="Maria", links=[PROFILE])
    record = person(2, "Maria", external_ids={"linkedin": "linkedin.com/in/Maria-Okafor/"})
    result = load(workspace, [record])
    assert (result.created, Person.objects.count()) == (0, 1)


def test_a_linkedin_profile_matches_a_link_typed_by_hand(workspace):
    maria = make_person(workspace, first_name="Maria", links=["linkedin.com/in/maria-okafor/"])
    record = person(2, "Maria", "Okafor", external_ids={"linkedin": PROFILE})
    result = load(workspace, [record])
    assert totals(result) == (1, 0, 0, 0, 1, 0)
    # One link: the profile is kept once, as the link, not also as an external id.
    assert maria.contact_points.filter(kind=ContactKind.URL).count() == 1
    assert not ExternalId.objects.exists()


def test_a_linkedin_url_among_the_links_is_a_key_too(workspace):
    load(workspace, [person(2, "Jo", links=["https://www.linkedin.com/in/jolindqvist/"])])
    again = load(
        workspace, [person(2, "Jo", external_ids={"linkedin": "linkedin.com/in/jolindqvist"})]
    )
    assert (again.created, again.skipped) == (0, 1)


def test_an_external_id_of_someone_else_is_not_taken(workspace):
    ana = make_person(workspace, first_name="Ana", emails=["ana@example.org"])
    bo = make_person(workspace, first_name="Bo", links=[PROFILE])
    record = person(2, "Ana", emails=["ana@example.org"], external_ids={"linkedin": PROFILE})
    result = load(workspace, [record])
    assert bo.contact_points.get(kind=ContactKind.URL).normalized == PROFILE
    assert [s.reason for s in result.suggestions] == ["same LinkedIn profile"]
    assert result.suggestions[0].person_id == ana.pk


def test_a_similar_name_at_the_same_organization_is_only_suggested(workspace):
    org = make_org(workspace, name="Riverside Food Bank")
    maria = make_person(workspace, first_name="Maria", last_name="Okafor", organization=org)
    record = person(
        3, "María", "Okafor", emails=["m.okafor@new.example"], organization="riverside food bank"
    )
    result = load(workspace, [record])
    assert totals(result) == (1, 1, 0, 0, 0, 0)  # created, not merged
    new = Person.objects.exclude(pk=maria.pk).get()
    [suggestion] = result.suggestions
    assert (suggestion.person_id, suggestion.other_id) == (new.pk, maria.pk)
    assert suggestion.reason == "similar name at the same organization"
    assert suggestion.score >= 90
    # Kept with the batch, for the duplicates page.
    stored = ImportBatch.objects.get(pk=result.batch_id).counts
    assert stored["suggestions"] == [
        {
            "person_id": new.pk,
            "other_id": maria.pk,
            "reason": suggestion.reason,
            "score": suggestion.score,
            "line": 3,
        }
    ]
    assert stored["suggestions_total"] == 1


def test_a_similar_name_elsewhere_is_no_suggestion(workspace):
    make_person(
        workspace,
        first_name="Maria",
        last_name="Okafor",
        organization=make_org(workspace, name="Food Bank"),
    )
    result = load(workspace, [person(2, "Maria", "Okafor", organization="Arts Council")])
    assert result.suggestions == []


def test_two_people_of_one_file_with_one_email_are_merged(workspace):
    records = [
        person(2, "Sam", "O'Neill", emails=["sam@greenworks.org"]),
        person(3, "Samuel", "O'Neill", emails=["SAM@greenworks.org"], phones=["555 0101"]),
    ]
    result = load(workspace, records)
    assert totals(result) == (2, 1, 0, 1, 0, 0)
    sam = Person.objects.get()
    assert sam.first_name == "Sam"
    assert sam.contact_points.filter(kind=ContactKind.PHONE).exists()


def test_a_record_without_keys_is_found_by_name_and_phone(workspace):
    records = [person(2, "Zoë", "Château", phones=["+33 1 23 45 67 89"])]
    load(workspace, records)
    again = load(workspace, records)
    assert (again.created, again.skipped, Person.objects.count()) == (0, 1, 1)


def test_a_record_without_keys_is_found_by_name_and_organization(workspace):
    records = [person(2, "Jürgen", "Müller", organization="Stadtwerke")]
    load(workspace, records)
    assert load(workspace, records).created == 0
    assert Person.objects.count() == 1


def test_a_record_without_keys_and_another_organization_is_someone_new(workspace):
    load(workspace, [person(2, "Jürgen", "Müller", organization="Stadtwerke")])
    assert load(workspace, [person(2, "Jürgen", "Müller", organization="Zoo")]).created == 1


def test_an_import_never_matches_or_touches_another_workspace(workspace, other_workspace):
    theirs = make_person(
        other_workspace, first_name="Maria", emails=["maria@example.org"], links=[PROFILE]
    )
    make_org(other_workspace, name="Riverside Food Bank")
    stamp = theirs.updated_at
    record = person(
        2,
        "Maria",
        emails=["maria@example.org"],
        organization="Riverside Food Bank",
        external_ids={"linkedin": PROFILE},
        phones=["555 0100"],
    )
    result = load(workspace, [record])
    assert (result.created, result.updated) == (1, 0)
    ours = Person.objects.get(workspace=workspace)
    assert ours.affiliations.get().organization.workspace == workspace
    assert ours.contact_points.get(kind=ContactKind.URL).normalized == PROFILE
    theirs.refresh_from_db()
    assert theirs.updated_at == stamp
    assert ContactPoint.objects.filter(person=theirs).count() == 2
    assert result.suggestions == []


def test_similar_names_at_an_organization_the_file_creates_are_suggested(workspace):
    records = [
        person(2, "Jon", "Smith", emails=["jon@new.example"], organization="Brand New Org"),
        person(3, "John", "Smith", emails=["john@new.example"], organization="Brand New Org"),
    ]
    result = load(workspace, records, batch_size=1)  # one batch each: the org is cached
    assert result.created == 2
    assert [s.reason for s in result.suggestions] == ["similar name at the same organization"]
