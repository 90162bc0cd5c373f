"""Whom to get to know at an event: attendees ranked with reasons, picked in one click."""

from __future__ import annotations

from django.urls import reverse

from followthrough.events.models import FocusPick
from followthrough.events.services import attendance_add
from followthrough.people.services import organization_update
from followthrough.relationships.models import Stage
from followthrough.relationships.services import relationship_log_interaction, relationship_update
from tests.factories import make_event, make_org, make_person


def _url(workspace, event, name="event-detail"):
    return reverse(f"events:{name}", args=[workspace.slug, event.pk])


def _setup(workspace):
    organization_update(
        organization=workspace.organization,
        offers="trained volunteer tutors",
        needs="volunteer drivers",
        location="Riverside",
    )
    drivers = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    event = make_event(workspace)
    new = make_person(workspace, first_name="Nia", organization=drivers)
    partner = make_person(workspace, first_name="Pat", organization=drivers)
    relationship_update(relationship=partner.relationship, stage=Stage.PARTNER)
    stranger = make_person(workspace, first_name="Sol", organization=make_org(workspace))
    for person in (new, partner, stranger):
        attendance_add(event=event, person=person)
    return event, new, partner, stranger


def test_attendees_are_ranked_new_before_established_with_reasons(owner_client, workspace):
    event, new, partner, _ = _setup(workspace)
    response = owner_client.get(_url(workspace, event))
    suggestions = response.context["suggestions"]
    assert [s.attendance.person for s in suggestions] == [new, partner]
    assert suggestions[0].reasons == (
        "at Eastport Seniors: they offer volunteer drivers — you need volunteer drivers",
        "new to us: nobody has followed up with them yet",
    )
    assert [s.within_limit for s in suggestions] == [True, True]  # two picks open
    page = response.content.decode()
    assert "Worth getting to know" in page and "Suggested pick" in page


def test_teammates_notes_count(owner_client, workspace, teammate):
    event, _, _, stranger = _setup(workspace)
    relationship_log_interaction(
        person=stranger, kind="note", summary="Runs a food co-op", actor=teammate
    )
    suggestions = owner_client.get(_url(workspace, event)).context["suggestions"]
    assert "teammates noted 1 thing about them" in suggestions[-1].reasons


def test_one_click_picks_and_records_the_reason(owner_client, workspace):
    event, new, _, _ = _setup(workspace)
    reason = "At Eastport Seniors: they offer volunteer drivers — you need volunteer drivers"
    owner_client.post(
        _url(workspace, event, "focus-pick"),
        {"person_id": new.pk, "reason": reason},
    )
    assert FocusPick.objects.get(event=event, person=new).reason == reason
    suggestions = owner_client.get(_url(workspace, event)).context["suggestions"]
    assert new not in [s.attendance.person for s in suggestions]
