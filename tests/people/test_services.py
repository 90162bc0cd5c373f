"""People services and what the rooms above keep in step with them through the registry."""

from __future__ import annotations

from datetime import timedelta

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
