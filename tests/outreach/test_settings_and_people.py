"""Nudge settings on the settings page; outreach on the person page; merge and delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from followthrough.outreach.models import Outreach, OutreachState
from followthrough.outreach.services import outreach_log_nudge, outreach_open
from followthrough.people.bulk import people_delete, people_restore
from followthrough.people.merge import person_merge
from followthrough.workspaces.forms import WorkspaceSettingsForm
from tests.factories import make_person


def _settings_data(workspace, **changes):
    data = {
        "name": workspace.name, "timezone": workspace.timezone, "focus_pick_limit": 2,
        "follow_up_window_hours": 48, "match_engine": "lexical", "nudge_gaps": "4, 10, 21",
        "nudge_cap": 3, "export_role": "member",
    }  # fmt: skip
    return {**data, **changes}


def test_the_settings_page_saves_nudge_gaps_in_one_spelling(owner_client, workspace):
    url = reverse("workspaces:settings", args=[workspace.slug])
    assert "Nudge after (days)" in owner_client.get(url).content.decode()
    response = owner_client.post(url, _settings_data(workspace, nudge_gaps="3,7 ; 30", nudge_cap=5))
    assert response.status_code == 303
    workspace.refresh_from_db()
    assert (workspace.nudge_gaps, workspace.nudge_gap_days, workspace.nudge_cap) == (
        "3, 7, 30",
        [3, 7, 30],
        5,
    )


@pytest.mark.parametrize(
    ("gaps", "cap", "field", "message"),
    [
        ("10, 4", 3, "nudge_gaps", "Gaps must grow"),
        ("4, 4", 3, "nudge_gaps", "Gaps must grow"),
        ("0, 4", 3, "nudge_gaps", "between 1 and 365"),
        ("4, 400", 3, "nudge_gaps", "between 1 and 365"),
        ("four", 3, "nudge_gaps", "whole days"),
        ("", 3, "nudge_gaps", ""),
        ("4", 0, "nudge_cap", ""),
        ("4", 11, "nudge_cap", ""),
    ],
)
def test_bad_nudge_settings_are_refused_with_a_clear_field_error(
    workspace, gaps, cap, field, message
):
    form = WorkspaceSettingsForm(
        _settings_data(workspace, nudge_gaps=gaps, nudge_cap=cap), instance=workspace
    )
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]


def test_the_person_page_shows_waiting_outreach_and_links_to_add_a_follow_up(
    owner_client, workspace
):
    person = make_person(workspace)
    outreach_open(person=person, kind="invitation", sent_at=timezone.now() - timedelta(days=1))
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    body = page.content.decode()
    assert "waiting for a reply" in body and "Invitation sent" in body and "next nudge" in body
    assert reverse("relationships:follow-up-new", args=[workspace.slug, person.pk]) in body
    assert "They replied" in body


def test_the_person_page_says_quiet(owner_client, workspace):
    workspace.nudge_cap = 1
    workspace.save()
    person = make_person(workspace)
    outreach = outreach_open(person=person, kind="email", sent_at=timezone.now() - timedelta(9))
    outreach_log_nudge(outreach=outreach)
    body = owner_client.get(
        reverse("people:person-detail", args=[workspace.slug, person.pk])
    ).content.decode()
    assert '<span class="badge badge-quiet">quiet</span>' in body


def test_merge_moves_outreach_to_the_kept_person(workspace):
    keep, other = make_person(workspace), make_person(workspace)
    outreach = outreach_open(person=other, kind="email")
    person_merge(keep=keep, other=other)
    outreach.refresh_from_db()
    assert outreach.person_id == keep.pk and outreach.state == OutreachState.WAITING


def test_bulk_delete_takes_outreach_and_undo_brings_it_back(workspace):
    person = make_person(workspace)
    outreach_open(person=person, kind="email")
    deletion = people_delete(workspace=workspace, person_ids=[person.pk])
    assert not Outreach.objects.filter(workspace=workspace).exists()
    people_restore(deletion=deletion)
    assert Outreach.objects.filter(workspace=workspace, person_id=person.pk).count() == 1


def test_the_people_and_backup_checks_pass():
    errors = [m for m in checks.run_checks() if m.id and m.id.startswith(("people.", "exchange."))]
    assert errors == []


def _names_listed(client, workspace, **params):
    url = reverse("people:person-list", args=[workspace.slug])
    page = client.get(url, params).content.decode()
    return {name for name in ("Wanda", "Quincy", "Rhea", "Nell") if f">{name} " in page}, page


def test_the_people_list_filters_and_marks_waiting_and_quiet(owner_client, workspace):
    waiting, quiet, replied = (
        make_person(workspace, first_name=name, last_name="X")
        for name in ("Wanda", "Quincy", "Rhea")
    )
    make_person(workspace, first_name="Nell", last_name="X")
    outreach_open(person=waiting, kind="email")
    outreach_open(person=quiet, kind="email").__class__.objects.filter(person=quiet).update(
        state=OutreachState.QUIET
    )
    outreach_open(person=replied, kind="email").__class__.objects.filter(person=replied).update(
        state=OutreachState.REPLIED
    )
    assert _names_listed(owner_client, workspace, outreach="waiting")[0] == {"Wanda"}
    assert _names_listed(owner_client, workspace, outreach="quiet")[0] == {"Quincy"}
    everyone, page = _names_listed(owner_client, workspace)
    assert everyone == {"Wanda", "Quincy", "Rhea", "Nell"}
    assert page.count("badge-outreach") == 2
    assert _names_listed(owner_client, workspace, outreach="bogus")[0] == everyone


def test_the_outreach_filter_never_lists_another_workspace(
    owner_client, workspace, other_workspace
):
    stranger = make_person(other_workspace, first_name="Quincy", last_name="X")
    outreach_open(person=stranger, kind="email")
    assert _names_listed(owner_client, workspace, outreach="waiting")[0] == set()
