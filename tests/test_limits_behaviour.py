"""The limits as a member meets them (`followthrough.limits`): at the limit a value is
saved, one past it is refused with a message on its field and nothing is saved; a long
note is shown folded with "Show all"."""

from __future__ import annotations

from django.urls import reverse

from followthrough.limits import CADENCE_MAX_DAYS, FOLD_NOTE_AT, NOTE_MAX, TAGS_MAX
from followthrough.people.models import Person
from followthrough.relationships.models import Relationship
from tests.factories import make_person


def _new_person(client, workspace, **values):
    data = {"first_name": "Ada", "last_name": "Limit", **values}
    return client.post(reverse("people:person-new", args=[workspace.slug]), data)


def test_a_note_of_the_limit_is_kept_and_one_character_more_is_refused(owner_client, workspace):
    refused = _new_person(owner_client, workspace, notes="n" * (NOTE_MAX + 1))
    assert refused.status_code == 400
    assert "notes" in refused.context["form"].errors
    assert f"at most {NOTE_MAX:,}".replace(",", "") in str(refused.context["form"].errors)
    assert not Person.objects.filter(workspace=workspace).exists()
    kept = _new_person(owner_client, workspace, notes="n" * NOTE_MAX)
    assert kept.status_code == 303
    assert len(Person.objects.get(workspace=workspace).notes) == NOTE_MAX


def test_tags_up_to_the_limit(owner_client, workspace):
    many = ", ".join(f"tag{i}" for i in range(TAGS_MAX + 1))
    refused = _new_person(owner_client, workspace, tags=many)
    assert refused.status_code == 400
    assert f"At most {TAGS_MAX} tags (this gives {TAGS_MAX + 1})." in str(
        refused.context["form"].errors["tags"]
    )
    kept = _new_person(owner_client, workspace, tags=many.rsplit(", ", 1)[0])
    assert kept.status_code == 303
    assert Person.objects.get(workspace=workspace).tags.count() == TAGS_MAX


def test_a_cadence_from_one_day_to_two_years(owner_client, workspace):
    person = make_person(workspace)
    url = reverse("relationships:relationship-edit", args=[workspace.slug, person.pk])
    for days, saved in ((0, False), (1, True), (CADENCE_MAX_DAYS, True), (731, False)):
        response = owner_client.post(url, {"stage": 10, "owner": "", "cadence_days": days})
        assert (response.status_code in (302, 303)) is saved, days
        if saved:
            assert Relationship.objects.get(person=person).cadence_days == days
    assert Relationship.objects.get(person=person).cadence_days == CADENCE_MAX_DAYS


def test_a_long_note_is_folded_with_show_all(owner_client, workspace):
    person = make_person(workspace, notes="word " * (FOLD_NOTE_AT // 5 + 10))
    short = make_person(workspace, notes="A short note.")
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    body = page.content.decode()
    assert '<details class="long-note">' in body and "Show all (" in body
    other = owner_client.get(reverse("people:person-detail", args=[workspace.slug, short.pk]))
    assert "long-note" not in other.content.decode()
