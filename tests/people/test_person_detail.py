from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followthrough.events.services import attendance_add
from followthrough.people.models import (
    Affiliation,
    ContactKind,
    ContactPoint,
    DetailKind,
    Person,
    PersonDetail,
)
from followthrough.people.services import affiliation_add, organization_update, person_update
from followthrough.relationships.models import Interaction, InteractionKind
from followthrough.relationships.services import (
    follow_up_create,
    relationship_log_interaction,
    relationship_update,
)
from tests.factories import make_event, make_org, make_person
from tests.people.helpers import XSS, XSS_ESCAPED, image_bytes, upload, url

EVIL_MARKDOWN = "Hi <script>alert(1)</script> [click](javascript:alert(1)) <b onclick=x>b</b>"


def test_a_linkedin_profile_link_shows_when_the_connection_was_made(owner_client, workspace):
    person = make_person(workspace, links=["linkedin.com/in/dana", "https://harbor.org"])
    person.contact_points.filter(normalized="https://www.linkedin.com/in/dana").update(
        connected_on=date(2024, 3, 5)
    )
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "linkedin.com/in/dana</a>" not in body  # no scheme: shown, not linked
    assert 'linkedin.com/in/dana <small class="muted">connected 5 Mar 2024</small>' in body
    assert body.count("connected ") == 1


def test_it_shows_the_profile(owner_client, owner, workspace):
    now_org = make_org(workspace, name="Harbor Arts")
    old_org = make_org(workspace, name="Old Place")
    person = make_person(
        workspace,
        first_name="Dana",
        last_name="Lee",
        headline="Curator",
        emails=["dana@harbor.org"],
        phones=["+1 555 0100"],
        links=["https://harbor.org"],
        tags=["arts"],
        owner=owner,
        organization=now_org,
        role="Curator",
        notes="Likes **tea**.",
    )
    affiliation_add(
        person=person,
        organization=old_org,
        role="Intern",
        started_on=date(2019, 1, 1),
        ended_on=date(2020, 1, 1),
    )
    response = owner_client.get(url("person-detail", workspace, person.pk))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Dana Lee",
        "Curator",
        'href="mailto:dana@harbor.org"',
        'href="tel:+1 555 0100"',
        'href="https://harbor.org"',
        "arts",
        "Harbor Arts",
        "Old Place",
        "Intern",
        "Jan 2019 \u2013 Jan 2020",  # dates from plain SQL are dates on SQLite too
        "<strong>tea</strong>",
        "Noticed",
        "Alice Owner",
    ):
        assert text in body, text
    assert [a.organization_id for a in response.context["page"].current_affiliations] == [
        now_org.pk
    ]
    assert [a.organization_id for a in response.context["page"].past_affiliations] == [old_org.pk]
    assert response.context["nav"] == "people"
    log_url = reverse(
        "relationships:interaction-log",
        kwargs={"workspace_slug": workspace.slug, "person_id": person.pk},
    )
    edit_url = reverse(
        "relationships:relationship-edit",
        kwargs={"workspace_slug": workspace.slug, "person_id": person.pk},
    )
    assert log_url in body
    assert edit_url in body


def test_it_shows_cadence_and_overdue_next_touch(owner_client, workspace):
    person = make_person(workspace)
    relationship_log_interaction(
        person=person,
        kind=InteractionKind.MET_AT_EVENT,
        occurred_at=timezone.now() - timedelta(days=20),
    )
    response = owner_client.get(url("person-detail", workspace, person.pk))
    assert response.context["page"].cadence_days == 14
    assert response.context["overdue"] is True
    assert "every 14 days" in response.content.decode()
    assert "badge-overdue" in response.content.decode()


def test_it_shows_follow_ups_and_events(owner_client, owner, workspace):
    person = make_person(workspace)
    event = make_event(workspace, title="Nonprofit breakfast")
    attendance_add(event=event, person=person, actor=owner)
    follow_up_create(
        person=person, title="Send the grant calendar", due_at=timezone.now() + timedelta(days=1)
    )
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "Nonprofit breakfast" in body
    assert "Send the grant calendar" in body


def test_it_pages_the_timeline_newest_first(owner_client, workspace):
    person = make_person(workspace)
    start = timezone.now() - timedelta(days=100)
    for n in range(15):
        relationship_log_interaction(
            person=person,
            kind=InteractionKind.NOTE,
            occurred_at=start + timedelta(days=n),
            summary=f"entry {n}",
        )
    first = owner_client.get(url("person-detail", workspace, person.pk))
    summaries = [i.summary for i in first.context["page"].timeline]
    assert len(summaries) == 10
    assert summaries[0] == "entry 14"
    second = owner_client.get(url("person-detail", workspace, person.pk), {"page": 2})
    assert [i.summary for i in second.context["page"].timeline] == [
        f"entry {n}" for n in range(4, -1, -1)
    ]


def test_it_shows_the_profile_in_a_small_constant_number_of_queries(
    owner_client, owner, workspace, django_assert_max_num_queries
):
    person = make_person(
        workspace,
        tags=["a", "b"],
        emails=["a@x.org"],
        owner=owner,
        organization=make_org(workspace),
    )
    relationship_log_interaction(person=person, kind=InteractionKind.NOTE)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url("person-detail", workspace, person.pk)).status_code == 200
        return len(captured)

    queries()  # the first view records the partners index's state (a write, once)
    few = queries()
    event = make_event(workspace)
    attendance_add(event=event, person=person)
    for n in range(30):
        relationship_log_interaction(person=person, kind=InteractionKind.CALL, note=f"note {n}")
        follow_up_create(person=person, title=f"f{n}", due_at=timezone.now())
        affiliation_add(person=person, organization=make_org(workspace))
        for kind in DetailKind.values:
            PersonDetail.objects.create(
                workspace=workspace, person=person, kind=kind, label=f"X-{n}", value=f"v{n}"
            )
    queries()  # new organizations: the first view brings the partners index up to date
    assert queries() == few
    # session, user, membership; person with relationship and owner, tags, contact points,
    # affiliations; related people and other details (one query); cadence (tag defaults);
    # follow-ups; events; one timeline page; the partners index's state (our own profile
    # is empty: nothing more); outreach; the person's sequence runs and the sequences they
    # can be started on; mail (messages not sent and open invitations; upcoming meetings)
    with django_assert_max_num_queries(17):
        owner_client.get(url("person-detail", workspace, person.pk))
    organization_update(organization=workspace.organization, needs="volunteer drivers")
    owner_client.get(url("person-detail", workspace, person.pk))  # scores the organizations
    with django_assert_max_num_queries(18):  # + the scores of the person's organizations
        owner_client.get(url("person-detail", workspace, person.pk))


def test_it_escapes_names_on_the_profile(owner_client, workspace):
    person = make_person(
        workspace,
        first_name=XSS,
        last_name=XSS,
        headline=XSS,
        links=["javascript:alert(1)"],
        organization=make_org(workspace, name=XSS),
    )
    relationship_log_interaction(person=person, kind=InteractionKind.NOTE, summary=XSS)
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert XSS not in body
    assert XSS_ESCAPED in body
    assert 'href="javascript:' not in body


def test_it_sanitizes_markdown_notes(owner_client, workspace):
    person = make_person(workspace, notes=EVIL_MARKDOWN)
    relationship_log_interaction(person=person, kind=InteractionKind.NOTE, note=EVIL_MARKDOWN)
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "<script>alert(1)" not in body
    assert "javascript:" not in body
    assert "onclick" not in body
    assert "<b>b</b>" in body


def test_line_breaks_in_notes_show_as_line_breaks(owner_client, workspace):
    # As a notes box is typed, and as an imported card's NOTE brings them.
    person = make_person(workspace, notes="Met at the book fair.\nLikes tea.\n\nOwes us a call.")
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "<p>Met at the book fair.<br>\nLikes tea.</p>\n<p>Owes us a call.</p>" in body


def test_it_serves_a_photo_with_its_detected_type_and_nosniff(owner_client, workspace):
    person = make_person(workspace)
    owner_client.post(
        url("person-edit", workspace, person.pk),
        {"first_name": "P", "photo": upload("me.gif", image_bytes("PNG"))},
    )
    response = owner_client.get(url("person-photo", workspace, person.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    detail = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert url("person-photo", workspace, person.pk) in detail
    assert "/media/" not in detail


def test_it_refuses_to_serve_a_stored_file_that_is_not_an_image(owner_client, workspace):
    from django.core.files.base import ContentFile

    person = make_person(workspace)
    person.photo.save("x.png", ContentFile(b"<html><script>alert(1)</script>"))
    assert owner_client.get(url("person-photo", workspace, person.pk)).status_code == 404
    person_update(person=person, photo="")
    assert owner_client.get(url("person-photo", workspace, person.pk)).status_code == 404


def test_it_adds_an_affiliation_creating_the_organization(owner_client, workspace):
    person = make_person(workspace)
    response = owner_client.post(
        url("affiliation-add", workspace, person.pk),
        {
            "organization": "New Coalition",
            "role": "Chair",
            "started_on": "2024-01-01",
        },
    )
    assert response.status_code == 303
    affiliation = person.affiliations.get()
    assert affiliation.organization.name == "New Coalition"
    assert affiliation.organization.workspace == workspace
    assert affiliation.started_on == date(2024, 1, 1)


def test_it_refuses_an_affiliation_ending_before_it_starts(owner_client, workspace):
    person = make_person(workspace)
    response = owner_client.post(
        url("affiliation-add", workspace, person.pk),
        {
            "organization": "X",
            "started_on": "2024-05-01",
            "ended_on": "2024-01-01",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ended_on"] == ["The end date is before the start date."]
    assert not Affiliation.objects.filter(person=person).exists()
    missing = owner_client.post(url("affiliation-add", workspace, person.pk), {"organization": ""})
    assert missing.context["form"].errors["organization"]


def test_it_ends_an_affiliation_today(owner_client, workspace):
    org = make_org(workspace, name="Harbor Arts")
    person = make_person(workspace, organization=org)
    affiliation = person.affiliations.get()
    response = owner_client.post(url("affiliation-end", workspace, person.pk, affiliation.pk))
    assert response.status_code == 303
    affiliation.refresh_from_db()
    assert affiliation.ended_on == timezone.localdate()
    again = owner_client.post(
        url("affiliation-end", workspace, person.pk, affiliation.pk), follow=True
    )
    assert "already ended" in again.content.decode()


def test_it_refuses_to_end_before_the_start(owner_client, workspace):
    person = make_person(workspace)
    affiliation = affiliation_add(
        person=person, organization=make_org(workspace), started_on=date(2024, 5, 1)
    )
    response = owner_client.post(
        url("affiliation-end", workspace, person.pk, affiliation.pk),
        {"ended_on": "2024-01-01"},
        follow=True,
    )
    assert "cannot end before it starts" in response.content.decode()
    affiliation.refresh_from_db()
    assert affiliation.ended_on is None


def test_it_404s_an_affiliation_of_another_person(owner_client, workspace):
    person, other = make_person(workspace), make_person(workspace, organization=make_org(workspace))
    affiliation = other.affiliations.get()
    response = owner_client.post(url("affiliation-end", workspace, person.pk, affiliation.pk))
    assert response.status_code == 404


def test_it_counts_no_interactions_of_other_people(owner_client, workspace):
    person, other = make_person(workspace), make_person(workspace)
    relationship_log_interaction(person=other, kind=InteractionKind.CALL, summary="not yours")
    response = owner_client.get(url("person-detail", workspace, person.pk))
    assert list(response.context["page"].timeline) == []
    assert Interaction.objects.count() == 1
    assert Person.objects.count() == 2


def test_it_shows_own_cadence_from_the_relationship(owner_client, workspace):
    person = make_person(workspace)
    relationship_update(relationship=person.relationship, cadence_days=7)
    response = owner_client.get(url("person-detail", workspace, person.pk))
    assert "every 7 days" in response.content.decode()


def _add_address(person, value: str, position: int = 0) -> None:
    ContactPoint.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        kind=ContactKind.ADDRESS,
        value=value,
        normalized=value.lower(),
        position=position,
    )


def test_it_shows_an_imported_birthday_and_address(owner_client, workspace):
    person = make_person(workspace, first_name="Maria", last_name="Okafor")
    Person.objects.filter(pk=person.pk).update(
        birthday_year=1985, birthday_month=4, birthday_day=15
    )
    _add_address(person, "12 River St\nLagos <b>101</b>")
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert '<li>Birthday <time datetime="1985-04-15">15 April 1985</time></li>' in body
    assert (
        '<li><span class="visually-hidden">Address: </span>'
        "12 River St<br>Lagos &lt;b&gt;101&lt;/b&gt;</li>" in body
    )
    assert "No e-mail, phone" not in body


def test_it_shows_a_birthday_without_its_year(owner_client, workspace):
    person = make_person(workspace)
    Person.objects.filter(pk=person.pk).update(birthday_month=2, birthday_day=29)
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert '<li>Birthday <time datetime="--02-29">29 February</time></li>' in body
    assert "2000" not in body


def test_it_leaves_out_an_impossible_or_partial_birthday(owner_client, workspace):
    person = make_person(workspace)
    Person.objects.filter(pk=person.pk).update(birthday_month=2, birthday_day=30)
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "Birthday" not in body
    assert "No e-mail, phone, link, address or birthday yet." in body
    Person.objects.filter(pk=person.pk).update(birthday_month=None, birthday_day=None)
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "Birthday" not in body


def test_a_missing_person_gets_the_kind_not_found_page_with_navigation(owner_client, workspace):
    person = make_person(workspace)
    missing = person.pk
    person.delete()
    response = owner_client.get(url("person-detail", workspace, missing))
    assert response.status_code == 404
    body = response.content.decode()
    assert "That page is not here" in body and "merged or deleted" in body
    assert 'aria-label="Main"' in body and "Riverside Literacy" in body
    assert reverse("people:person-list", args=[workspace.slug]) in body
    assert "Log out" in body


def test_an_unknown_address_gets_the_not_found_page_when_logged_out(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "That page is not here" in body and 'aria-label="Main"' in body
    assert "Log out" not in body


def test_an_unknown_address_gets_the_not_found_page_outside_a_workspace(owner_client):
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "That page is not here" in body and "Log out" in body


def test_a_stranger_gets_the_not_found_page_without_the_workspace(outsider_client, workspace):
    person = make_person(workspace)
    response = outsider_client.get(url("person-detail", workspace, person.pk))
    assert response.status_code == 404
    body = response.content.decode()
    assert "That page is not here" in body and "Riverside Literacy" not in body


def test_a_viewer_gets_the_kind_forbidden_page(viewer_client, workspace):
    person = make_person(workspace)
    response = viewer_client.get(url("person-edit", workspace, person.pk))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Viewers can look but not change." in body and 'aria-label="Main"' in body


# --- What address books hold (issue 13) ---------------------------------------------------


def _card_person(workspace) -> Person:
    person = make_person(workspace, first_name="Jane", last_name="Doe")
    Person.objects.filter(pk=person.pk).update(
        name_prefix="Dr.", middle_name="Quincy", name_suffix="PhD", nickname="JD",
        formatted_name="Dr. Jane Q. Doe, PhD", gender="F", gender_identity="woman",
        anniversary_month=6, anniversary_day=12, anniversary_year=2001,
        time_zone="Europe/Berlin", geo="52.52,13.405",
        photo_url="https://example.org/jane.jpg",
    )  # fmt: skip
    rows = [
        (ContactKind.EMAIL, "jane@x.org", "work, pref", {}),
        (ContactKind.PHONE, "+49 30 1234", "work, cell", {}),
        (ContactKind.IM, "xmpp:jane@x.org", "home", {}),
        (ContactKind.ADDRESS, "PO Box 7, 1 Lake Road, Berlin 10115, Germany", "Summer house",
         {"box": "PO Box 7", "street": "1 Lake Road", "locality": "Berlin", "code": "10115",
          "country": "Germany"}),
    ]  # fmt: skip
    for position, (kind, value, label, parts) in enumerate(rows):
        ContactPoint.objects.create(
            workspace=workspace, person=person, kind=kind, value=value,
            normalized=value.lower(), label=label, address_parts=parts, position=position,
        )  # fmt: skip
    PersonDetail.objects.create(
        workspace=workspace, person=person, kind=DetailKind.RELATED, label="spouse", value="Bo"
    )
    PersonDetail.objects.create(
        workspace=workspace, person=person, kind=DetailKind.OTHER, label="item1.X-CUSTOM",
        params="TYPE=home", value="line one\\nline two\\, with a comma",
    )  # fmt: skip
    affiliation_add(
        person=person, organization=make_org(workspace, name="Acme"), role="Director",
        department="Programs", function="Project lead",
    )  # fmt: skip
    return person


def test_it_shows_what_an_address_book_holds(owner_client, workspace):
    person = _card_person(workspace)
    page = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    for shown in (
        "Written as “Dr. Jane Q. Doe, PhD”",
        "Known as “JD”",
        "<dt>Full name</dt><dd>Dr. Jane Quincy Doe PhD</dd>",
        'jane@x.org</a> <small class="muted contact-label">(work, preferred)</small>',
        '+49 30 1234</a> <small class="muted contact-label">(work, mobile)</small>',
        'xmpp:jane@x.org <small class="muted contact-label">(home)</small>',
        "PO Box 7<br>1 Lake Road<br>Berlin, 10115<br>Germany",
        "(Summer house)",
        "<dt>Gender</dt><dd>Female (woman)</dd>",
        '<dt>Anniversary</dt><dd><time datetime="2001-06-12">12 June 2001</time></dd>',
        "<dt>Time zone</dt><dd>Europe/Berlin</dd>",
        'href="https://www.openstreetmap.org/?mlat=52.52&amp;mlon=13.405#map=15/52.52/13.405"',
        'href="https://example.org/jane.jpg" rel="noopener noreferrer nofollow">Photo link',
        "<dt>Spouse</dt><dd>Bo</dd>",
        "<dt>X-CUSTOM</dt><dd>line one<br>line two, with a comma</dd>",  # without its group
        "Director at ",
        ">Acme</a>, Programs — Project lead",
    ):
        assert shown in page, shown
    assert "<details><summary>" not in page  # a few other details are not folded


def test_many_other_details_are_folded(owner_client, workspace):
    person = make_person(workspace)
    for n in range(6):
        PersonDetail.objects.create(
            workspace=workspace, person=person, kind=DetailKind.OTHER, label=f"X-{n}",
            value=f"{n}", position=n,
        )  # fmt: skip
    page = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "<details><summary>6 details</summary>" in page
    assert page.index("<dt>X-0</dt>") < page.index("<dt>X-5</dt>")


def test_labels_names_and_details_cannot_inject_markup(owner_client, workspace):
    person = make_person(workspace, first_name="Jane")
    Person.objects.filter(pk=person.pk).update(
        formatted_name=XSS, nickname=XSS, gender_identity=XSS, time_zone=XSS[:60],
        geo=XSS[:60], photo_url="javascript:alert(1)",
    )  # fmt: skip
    ContactPoint.objects.create(
        workspace=workspace, person=person, kind=ContactKind.EMAIL, value="j@x.org",
        normalized="j@x.org", label=XSS[:40],
    )  # fmt: skip
    ContactPoint.objects.create(
        workspace=workspace, person=person, kind=ContactKind.ADDRESS, value="x",
        normalized="x", address_parts={"street": XSS, "country": XSS},
    )  # fmt: skip
    for kind in DetailKind.values:
        PersonDetail.objects.create(
            workspace=workspace, person=person, kind=kind, label=XSS, value=XSS
        )
    page = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "<img" not in page
    assert page.count(XSS_ESCAPED) >= 7
    assert "javascript:" not in page  # a photo link that is no web link is not linked


def test_an_address_without_parts_shows_as_typed(owner_client, workspace):
    person = make_person(workspace)
    _add_address(person, "12 River St\nLagos")
    page = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert "12 River St<br>Lagos" in page
    assert "More about them" not in page  # nothing to show there


def test_a_role_is_said_once(owner_client, workspace):
    """The headline that repeats the current role, and the role in the organizations
    list, are left out: "Director at Acme" once, at the top."""
    from followthrough.people.services import affiliation_add

    person = make_person(workspace, first_name="Rae", last_name="Role", headline="Director")
    affiliation_add(person=person, organization=make_org(workspace, name="Acme"), role="Director")
    body = owner_client.get(url("person-detail", workspace, person.pk)).content.decode()
    assert body.count("Director") == 1, body.count("Director")
    assert "Director at <a" in body
