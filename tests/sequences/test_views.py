"""The sequence pages and the person page's Start and Stop: who may do what, tenancy,
and errors that name the step."""

from __future__ import annotations

from django.urls import reverse

from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.sequences.models import RunStatus, Sequence, SequenceRun
from followthrough.sequences.services.editing import StepSpec
from followthrough.sequences.services.runs import run_start
from tests.factories import make_person
from tests.sequences.helpers import make_sequence, pending


def _url(name, workspace, *args):
    return reverse(f"sequences:{name}", args=[workspace.slug, *args])


def _form(name="After the event", steps=(), start_on_focus_pick=False, initial=0):
    data = {
        "name": name,
        "description": "",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
    }
    if start_on_focus_pick:
        data["start_on_focus_pick"] = "on"
    for i, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{i}-{key}"] = value
    return data


THANKS = {"day_offset": "0", "action": "email", "template_key": "thank-you", "ORDER": "1",
          "title": "Send the thank-you e-mail"}  # fmt: skip
COFFEE = {"day_offset": "4", "action": "coffee", "ORDER": "2"}


def test_it_lists_sequences_and_offers_the_suggested_one_when_empty(owner_client, workspace):
    response = owner_client.get(_url("sequence-list", workspace))
    assert response.status_code == 200
    assert "Add “After an event” as suggested" in response.content.decode()
    response = owner_client.post(_url("sequence-suggested", workspace))
    assert response.status_code == 303
    sequence = Sequence.objects.get(workspace=workspace)
    assert [(s.day_offset, s.action) for s in sequence.steps.all()] == [
        (0, "email"), (4, "coffee"), (21, "check_in"),
    ]  # fmt: skip
    assert not sequence.start_on_focus_pick
    page = owner_client.get(_url("sequence-list", workspace)).content.decode()
    assert "After an event" in page and "3 steps" in page


def test_it_creates_a_sequence_with_its_steps_in_order(owner_client, workspace):
    response = owner_client.post(
        _url("sequence-new", workspace),
        _form(steps=[{**COFFEE, "ORDER": "2"}, {**THANKS, "ORDER": "1"}]),
    )
    assert response.status_code == 303
    sequence = Sequence.objects.get(workspace=workspace)
    assert [s.action for s in sequence.steps.all()] == ["email", "coffee"]
    assert [s.position for s in sequence.steps.all()] == [1, 2]


def test_errors_name_the_step(owner_client, workspace):
    bad = {**COFFEE, "day_offset": "-3"}
    no_template = {**THANKS, "template_key": ""}
    response = owner_client.post(_url("sequence-new", workspace), _form(steps=[no_template, bad]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Step 1 — E-mail template: Name the e-mail template this step sends." in page
    assert "Step 2 — Days after: Ensure this value is greater than or equal to 0." in page
    assert not Sequence.objects.exists()


def test_a_second_focus_pick_sequence_is_refused_with_a_message(owner_client, workspace):
    make_sequence(workspace, name="First", start_on_focus_pick=True)
    response = owner_client.post(
        _url("sequence-new", workspace), _form("Second", [THANKS], start_on_focus_pick=True)
    )
    assert response.status_code == 400
    assert "“First” already starts on focus picks" in response.content.decode()


def test_editing_keeps_step_ids_and_deletes_ticked_steps(owner_client, workspace):
    sequence = make_sequence(workspace)
    first, second, third = sequence.steps.all()
    steps = [
        {"id": str(first.pk), "day_offset": "1", "action": "call", "ORDER": "1"},
        {"id": str(second.pk), "day_offset": "4", "action": "coffee", "ORDER": "2",
         "DELETE": "on"},
        {"id": str(third.pk), "day_offset": "21", "action": "check_in", "ORDER": "3"},
    ]  # fmt: skip
    response = owner_client.post(
        _url("sequence-edit", workspace, sequence.pk), _form(steps=steps, initial=3)
    )
    assert response.status_code == 303
    assert [s.pk for s in sequence.steps.all()] == [first.pk, third.pk]
    assert sequence.steps.get(pk=first.pk).action == "call"


def test_the_person_page_starts_and_stops_a_sequence(owner_client, workspace):
    sequence = make_sequence(workspace)
    person = make_person(workspace)
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    assert "Start a sequence" in page.content.decode()
    response = owner_client.post(_url("run-start", workspace, person.pk), {"sequence": sequence.pk})
    assert response.status_code == 303
    run = SequenceRun.objects.get(person=person)
    page = owner_client.get(response["Location"]).content.decode()
    assert "step 1 of 3: Send the thank-you e-mail" in page
    response = owner_client.post(_url("run-stop", workspace, run.pk))
    assert response.status_code == 303
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert FollowUp.objects.get(pk=run.current_follow_up_id).status == FollowUpStatus.CANCELLED


def test_another_workspaces_rows_are_not_found(owner_client, workspace, other_workspace):
    theirs = make_sequence(other_workspace)
    their_person = make_person(other_workspace)
    their_run = run_start(sequence=theirs, person=their_person)
    mine = make_sequence(workspace, name="Mine")
    person = make_person(workspace)
    for response in (
        owner_client.get(_url("sequence-edit", workspace, theirs.pk)),
        owner_client.post(_url("sequence-archive", workspace, theirs.pk)),
        owner_client.post(_url("sequence-delete", workspace, theirs.pk)),
        owner_client.post(_url("run-start", workspace, person.pk), {"sequence": theirs.pk}),
        owner_client.post(_url("run-start", workspace, their_person.pk), {"sequence": mine.pk}),
        owner_client.post(_url("run-stop", workspace, their_run.pk)),
        owner_client.get(_url("sequence-list", other_workspace)),
    ):
        assert response.status_code == 404
    assert Sequence.objects.filter(pk=theirs.pk, archived=False).exists()
    assert pending(their_run).status == FollowUpStatus.OPEN


def test_viewers_can_look_but_not_change(viewer_client, workspace):
    sequence = make_sequence(workspace)
    person = make_person(workspace)
    run = run_start(sequence=sequence, person=person)
    assert viewer_client.get(_url("sequence-list", workspace)).status_code == 200
    page = viewer_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    assert "Start a sequence" not in page.content.decode()
    for response in (
        viewer_client.get(_url("sequence-new", workspace)),
        viewer_client.post(_url("sequence-new", workspace), _form(steps=[THANKS])),
        viewer_client.get(_url("sequence-edit", workspace, sequence.pk)),
        viewer_client.post(_url("sequence-archive", workspace, sequence.pk)),
        viewer_client.post(_url("sequence-delete", workspace, sequence.pk)),
        viewer_client.post(_url("sequence-suggested", workspace)),
        viewer_client.post(_url("run-start", workspace, person.pk), {"sequence": sequence.pk}),
        viewer_client.post(_url("run-stop", workspace, run.pk)),
    ):
        assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE and Sequence.objects.count() == 1


def test_archiving_hides_a_sequence_from_start_and_runs_carry_on(owner_client, workspace):
    sequence = make_sequence(workspace, start_on_focus_pick=True)
    run = run_start(sequence=sequence, person=make_person(workspace))
    owner_client.post(_url("sequence-archive", workspace, sequence.pk))
    sequence.refresh_from_db()
    assert sequence.archived and not sequence.start_on_focus_pick
    person = make_person(workspace)
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    assert "Start a sequence" not in page.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE


def test_the_command_lists_sequences_and_steps(workspace):
    from io import StringIO

    from django.core.management import call_command

    sequence = make_sequence(workspace, start_on_focus_pick=True)
    run_start(sequence=sequence, person=make_person(workspace))
    out = StringIO()
    call_command("sequences", "list", "--workspace", workspace.slug, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "After the event\t1 active\tstarts on focus picks"
    assert lines[3] == "  3. day +21: Send the check-in e-mail (Check-in, stops on a reply)"


def test_done_on_the_person_page_schedules_the_next_step(owner_client, workspace):
    run = run_start(sequence=make_sequence(workspace), person=make_person(workspace))
    person_url = reverse("people:person-detail", args=[workspace.slug, run.person.pk])
    response = owner_client.post(
        reverse("relationships:follow-up-done", args=[workspace.slug, pending(run).pk]),
        {"next": person_url},
    )
    assert response.status_code == 303
    assert "step 2 of 3" in pending(run).title
    assert "step 2 of 3: Invite them to coffee" in owner_client.get(person_url).content.decode()


def test_the_list_reads_in_a_constant_number_of_queries(
    owner_client, workspace, django_assert_max_num_queries
):
    for number in range(5):
        sequence = make_sequence(workspace, name=f"Sequence {number}")
        run_start(sequence=sequence, person=make_person(workspace))
    # session, user, membership; the sequences with their step and run counts
    with django_assert_max_num_queries(4):
        response = owner_client.get(_url("sequence-list", workspace))
    assert response.content.decode().count("1 going through it now") == 5


def test_an_email_step_is_written_from_its_template_in_one_click(owner_client, workspace):
    steps = [
        StepSpec(day_offset=0, action="email", template_key="thank-you", title="Thank them"),
        StepSpec(day_offset=4, action="coffee", title="Coffee"),
    ]
    sequence = make_sequence(workspace, steps)
    person = make_person(workspace, first_name="Ada", emails=["ada@example.org"])
    run = run_start(sequence=sequence, person=person)
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    compose = reverse("mail:compose", args=[workspace.slug, person.pk])
    assert f'href="{compose}?template=thank-you"' in page.content.decode()
    written = owner_client.get(f"{compose}?template=thank-you").content.decode()
    assert '<strong aria-current="true">Thank-you after an event</strong>' in written
    # Once the step is done, the next (a coffee invitation) offers the invitation.
    owner_client.post(
        reverse("relationships:follow-up-done", args=[workspace.slug, pending(run).pk])
    )
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    assert f'href="{compose}?purpose=coffee"' in page.content.decode()
