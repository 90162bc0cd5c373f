from followthrough.events.services import attendance_add, focus_pick
from followthrough.people.services import organization_update
from tests.events.helpers import url
from tests.factories import make_event, make_org, make_person


def test_it_shows_details_attendees_and_picks(owner_client, workspace, owner):
    event = make_event(workspace, title="Coalition lunch", location="Food Bank")
    ana = make_person(workspace, first_name="Ana", last_name="Ruiz")
    ben = make_person(workspace, first_name="Ben", last_name="Okafor")
    attendance_add(event=event, person=ana, rsvp="tentative")
    attendance_add(event=event, person=ben)
    focus_pick(event=event, person=ben, actor=owner, reason="Runs the tutoring program")
    response = owner_client.get(url("event-detail", workspace, event.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "events"
    assert "Your focus: pick 1 or 2 people to really get to know" in body
    assert "Coalition lunch" in body and "Food Bank" in body
    assert "Ana Ruiz" in body and "Maybe" in body
    assert body.index("Your focus") < body.index("Attendees")
    assert "Why: Runs the tutoring program" in body
    assert "1 of 2 picked" in body
    assert body.count("Pick to get to know") == 1  # Ben is picked already
    assert f'/people/{ana.pk}/"' in body


def test_it_follows_the_workspace_pick_limit(owner_client, workspace):
    workspace.focus_pick_limit = 3
    workspace.save()
    event = make_event(workspace)
    body = owner_client.get(url("event-detail", workspace, event.pk)).content.decode()
    assert "pick up to 3 people to really get to know" in body


def test_it_renders_notes_as_sanitized_markdown(owner_client, workspace):
    event = make_event(workspace, notes="**Ask** about <script>alert(1)</script> tutors")
    body = owner_client.get(url("event-detail", workspace, event.pk)).content.decode()
    assert "<strong>Ask</strong>" in body
    assert "<script>alert(1)" not in body


def test_it_escapes_user_text(owner_client, workspace, owner):
    payload = "<img src=x onerror=alert(1)>"
    event = make_event(workspace, title=payload, location=payload)
    person = make_person(workspace, first_name=payload, headline=payload)
    attendance_add(event=event, person=person)
    focus_pick(event=event, person=person, actor=owner, reason=payload)
    body = owner_client.get(url("event-detail", workspace, event.pk)).content.decode()
    assert payload not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_it_hides_the_write_controls_from_viewers(viewer_client, workspace):
    event = make_event(workspace)
    attendance_add(event=event, person=make_person(workspace))
    body = viewer_client.get(url("event-detail", workspace, event.pk)).content.decode()
    assert "Pick to get to know" not in body
    assert "Add an attendee" not in body
    assert "Edit event" not in body


def test_it_keeps_a_constant_number_of_queries(
    owner_client, workspace, owner, django_assert_num_queries
):
    event = make_event(workspace)
    first = make_person(workspace)
    attendance_add(event=event, person=first)
    focus_pick(event=event, person=first, actor=owner)
    detail = url("event-detail", workspace, event.pk)
    owner_client.get(detail)
    # session, user, membership, event, attendances, picks, picks' open follow-ups
    with django_assert_num_queries(7):
        owner_client.get(detail)
    for _ in range(10):
        person = make_person(workspace)
        attendance_add(event=event, person=person)
    focus_pick(event=event, person=person, actor=owner)
    # … and for those not picked, whom to get to know: their organizations, stages and
    # teammates' notes; with organizations, the partners index's state and their scores.
    with django_assert_num_queries(10):
        response = owner_client.get(detail)
    assert len(response.context["detail"].attendances) == 11
    organization_update(organization=workspace.organization, needs="volunteer drivers")
    org = make_org(workspace, offers="volunteer drivers")
    for _ in range(5):
        attendance_add(event=event, person=make_person(workspace, organization=org))
    owner_client.get(detail)
    with django_assert_num_queries(12):
        response = owner_client.get(detail)
    assert len(response.context["suggestions"]) == 5
    for _ in range(5):
        attendance_add(event=event, person=make_person(workspace, organization=make_org(workspace)))
    owner_client.get(detail)  # new organizations: the partners index scores them once
    with django_assert_num_queries(12):
        owner_client.get(detail)
