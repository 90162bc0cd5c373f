from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from followthrough.relationships.models import FollowUpStatus, Interaction, Stage
from followthrough.relationships.services import follow_up_create
from tests.factories import make_person


def test_it_logs_a_coffee_and_moves_the_stage(owner_client, workspace):
    person = make_person(workspace)
    url = reverse("relationships:interaction-log", args=[workspace.slug, person.pk])
    when = timezone.localtime() - timedelta(hours=1)
    response = owner_client.post(
        url,
        {
            "kind": "coffee",
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "summary": "Coffee at Lulu's",
            "note": "",
        },
    )
    assert response.status_code == 303
    person.relationship.refresh_from_db()
    assert person.relationship.stage == Stage.MET_ONE_TO_ONE
    assert Interaction.objects.get(person=person).summary == "Coffee at Lulu's"


def test_it_rejects_an_interaction_in_the_future(owner_client, workspace):
    person = make_person(workspace)
    url = reverse("relationships:interaction-log", args=[workspace.slug, person.pk])
    when = timezone.localtime() + timedelta(days=2)
    response = owner_client.post(
        url, {"kind": "call", "occurred_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not Interaction.objects.exists()


def test_it_rejects_a_cadence_of_zero_days(owner_client, workspace):
    person = make_person(workspace)
    url = reverse("relationships:relationship-edit", args=[workspace.slug, person.pk])
    response = owner_client.post(url, {"stage": Stage.MET, "owner": "", "cadence_days": 0})
    assert response.status_code == 400
    assert "at least 1 day" in response.content.decode()


def test_it_sets_owner_and_cadence(owner_client, workspace, teammate):
    person = make_person(workspace)
    url = reverse("relationships:relationship-edit", args=[workspace.slug, person.pk])
    response = owner_client.post(
        url, {"stage": Stage.ONGOING, "owner": teammate.pk, "cadence_days": 10}
    )
    assert response.status_code == 303
    person.relationship.refresh_from_db()
    assert person.relationship.owner == teammate
    assert person.relationship.cadence_days == 10


def test_it_refuses_an_owner_from_another_workspace(
    owner_client, workspace, outsider, other_workspace
):
    person = make_person(workspace)
    url = reverse("relationships:relationship-edit", args=[workspace.slug, person.pk])
    response = owner_client.post(
        url, {"stage": Stage.MET, "owner": outsider.pk, "cadence_days": ""}
    )
    assert response.status_code == 400
    person.relationship.refresh_from_db()
    assert person.relationship.owner is None


def test_it_snoozes_and_reschedules(owner_client, workspace):
    person = make_person(workspace)
    due = timezone.now() - timedelta(hours=1)
    follow_up = follow_up_create(person=person, title="Call", due_at=due)
    owner_client.post(
        reverse("relationships:follow-up-snooze", args=[workspace.slug, follow_up.pk])
    )
    follow_up.refresh_from_db()
    assert follow_up.due_at > timezone.now() + timedelta(days=1)
    assert follow_up.snooze_count == 1
    new_due = (timezone.localtime() + timedelta(days=5)).replace(second=0, microsecond=0)
    owner_client.post(
        reverse("relationships:follow-up-reschedule", args=[workspace.slug, follow_up.pk]),
        {"due_at": new_due.strftime("%Y-%m-%dT%H:%M")},
    )
    follow_up.refresh_from_db()
    assert follow_up.due_at == new_due and follow_up.status == FollowUpStatus.OPEN


def test_it_ignores_an_off_site_next(owner_client, workspace):
    person = make_person(workspace)
    follow_up = follow_up_create(person=person, title="Call", due_at=timezone.now())
    url = reverse("relationships:follow-up-done", args=[workspace.slug, follow_up.pk])
    response = owner_client.post(url, {"next": "//evil.example/"})
    assert response["Location"] == reverse("agenda:today", args=[workspace.slug])


def test_viewers_cannot_log(viewer_client, workspace):
    person = make_person(workspace)
    url = reverse("outreach:outreach-log", args=[workspace.slug, person.pk])
    assert viewer_client.post(url, {"kind": "call_attempt"}).status_code == 403
    assert not Interaction.objects.exists()


def test_strangers_get_404(outsider_client, workspace, other_workspace):
    person = make_person(workspace)
    follow_up = follow_up_create(person=person, title="Call", due_at=timezone.now())
    for url in [
        reverse("relationships:interaction-log", args=[other_workspace.slug, person.pk]),
        reverse("outreach:outreach-log", args=[other_workspace.slug, person.pk]),
        reverse("relationships:follow-up-done", args=[other_workspace.slug, follow_up.pk]),
        reverse("relationships:follow-up-done", args=[workspace.slug, follow_up.pk]),
    ]:
        assert outsider_client.post(url, {"kind": "call"}).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


def test_a_stage_change_is_an_entry_on_the_timeline(owner_client, workspace, owner):
    person = make_person(workspace)
    url = reverse("relationships:relationship-edit", args=[workspace.slug, person.pk])
    data = {"stage": Stage.FOLLOWED_UP, "owner": "", "cadence_days": ""}
    assert owner_client.post(url, data).status_code in (302, 303)
    entry = Interaction.objects.get(person=person)
    assert (entry.kind, entry.summary, entry.logged_by) == (
        "stage",
        f"{Stage.NOTICED.label} → {Stage.FOLLOWED_UP.label}",
        owner,
    )
    person.relationship.refresh_from_db()
    assert person.relationship.last_interaction_at is None  # no contact: the cadence stays
    # Saving the same stage again is no change.
    owner_client.post(url, data)
    assert Interaction.objects.filter(person=person).count() == 1
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    assert f"{Stage.NOTICED.label} → {Stage.FOLLOWED_UP.label}" in page.content.decode()


def test_an_entry_logged_this_minute_comes_after_a_one_click_one(owner_client, workspace):
    person = make_person(workspace)
    owner_client.post(
        reverse("outreach:outreach-log", args=[workspace.slug, person.pk]),
        {"kind": "email_sent"},
    )
    owner_client.post(
        reverse("relationships:interaction-log", args=[workspace.slug, person.pk]),
        {"kind": "note", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
         "summary": "Logged second"},
    )  # fmt: skip
    newest_first = list(
        Interaction.objects.filter(person=person)
        .order_by("-occurred_at", "-id")
        .values_list("summary", flat=True)
    )
    assert newest_first[0] == "Logged second", newest_first
