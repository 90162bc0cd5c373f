"""The partners index keeps itself fresh: whatever changes the organizations or our own
profile, the next read ranks what is there now, and reads only the best rows."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followthrough.exchange.backup.restore import workspace_restore
from followthrough.exchange.backup.writer import backup_chunks
from followthrough.matching import index, selectors
from followthrough.matching.models import PartnerIndex, PartnerScore
from followthrough.people.models import Organization
from followthrough.people.services import organization_update
from followthrough.relationships.models import Stage
from followthrough.relationships.services import relationship_update
from followthrough.workspaces.models import Engine, Workspace
from tests.factories import make_org, make_person


def _describe_own(workspace: Workspace, **fields: str) -> None:
    defaults = {
        "mission": "Adults and children in Riverside read with confidence.",
        "offers": "trained volunteer tutors",
        "needs": "volunteer drivers\na meeting room for evening classes",
        "location": "Riverside",
    }
    organization_update(
        organization=workspace.organization, focus_areas=["Literacy"], **{**defaults, **fields}
    )


def _names(workspace: Workspace, **filters: object) -> list[str]:
    return [m.name for m in selectors.potential_partners(workspace=workspace, **filters)]


def test_the_scores_are_stored_with_their_reasons_and_only_for_organizations_with_one(workspace):
    _describe_own(workspace)
    drivers = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    make_org(workspace, name="Chess Club", mission="Chess.")
    assert _names(workspace) == ["Eastport Seniors"]
    row = PartnerScore.objects.get(workspace=workspace)
    assert row.organization_id == drivers.pk and row.score > 0
    assert row.reasons == ["they offer volunteer drivers — you need volunteer drivers"]


def test_added_edited_and_deleted_organizations_are_seen_on_the_next_read(workspace):
    _describe_own(workspace)
    drivers = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    assert _names(workspace) == ["Eastport Seniors"]
    make_org(workspace, name="Millbrook Hall", offers="a hall for evening classes")
    assert sorted(_names(workspace)) == ["Eastport Seniors", "Millbrook Hall"]
    organization_update(organization=drivers, offers="chess lessons")
    assert _names(workspace) == ["Millbrook Hall"]
    organization_update(organization=drivers, offers="drivers who volunteer")
    assert sorted(_names(workspace)) == ["Eastport Seniors", "Millbrook Hall"]
    Organization.objects.filter(pk=drivers.pk).delete()
    assert _names(workspace) == ["Millbrook Hall"]


def test_an_edit_of_our_own_profile_rescores_everything(workspace):
    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    make_org(workspace, name="Food Bank", offers="fresh produce")
    assert _names(workspace) == ["Eastport Seniors"]
    _describe_own(workspace, needs="fresh produce for our families")
    assert _names(workspace) == ["Food Bank"]
    _describe_own(workspace, mission="", offers="", needs="")
    workspace.organization.focus_areas.clear()
    assert _names(workspace) == []


def test_a_read_with_nothing_changed_writes_nothing_and_reads_few_rows(workspace):
    _describe_own(workspace)
    for n in range(30):
        make_org(workspace, name=f"Drivers {n:02}", offers="volunteer drivers")
    assert len(_names(workspace)) == 30
    with CaptureQueriesContext(connection) as queries:
        assert len(selectors.potential_partners(workspace=workspace, limit=5)) == 5
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements.count("SELECT") == len(statements) <= 7
    ranked = [q["sql"] for q in queries if 'FROM "matching_partnerscore"' in q["sql"]]
    assert len(ranked) == 1 and ranked[0].endswith("LIMIT 20")  # a page, not the table


def test_active_relationships_are_left_out_even_when_they_fill_the_first_pages(workspace):
    _describe_own(workspace)
    partners = [make_org(workspace, name=f"A{n:02}", offers="volunteer drivers") for n in range(45)]
    make_org(workspace, name="Z Hall", offers="a meeting room")
    for organization in partners:
        person = make_person(workspace, organization=organization)
        relationship_update(relationship=person.relationship, stage=Stage.FOLLOWED_UP)
    assert _names(workspace, limit=3) == ["Z Hall"]


def test_organizations_restored_with_their_old_edit_times_are_scored(workspace):
    """A restore makes new rows that keep their old `updated_at`: the new ids tell."""
    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    workspace.match_engine = Engine.BLENDED
    workspace.save()
    assert _names(workspace, engine=Engine.LEXICAL) == ["Eastport Seniors"]
    text = "".join(backup_chunks(workspace=workspace))
    assert json.loads(text)["workspace"]["match_engine"] == Engine.BLENDED
    restored = workspace_restore(stream=io.StringIO(text), slug="restored").workspace
    assert restored.match_engine == Engine.BLENDED
    assert _names(restored, engine=Engine.LEXICAL) == ["Eastport Seniors"]
    assert _names(restored) == ["Eastport Seniors"]
    assert _names(workspace, engine=Engine.LEXICAL) == ["Eastport Seniors"]


def test_an_organization_added_with_an_old_edit_time_is_scored(workspace):
    """Restores and imports that keep a row's times add rows older than the last edit seen."""
    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    assert _names(workspace) == ["Eastport Seniors"]
    hall = make_org(workspace, name="Millbrook Hall", offers="a meeting room")
    Organization.objects.filter(pk=hall.pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert sorted(_names(workspace)) == ["Eastport Seniors", "Millbrook Hall"]


def test_weights_are_kept_until_the_organizations_grow_by_a_tenth(workspace):
    _describe_own(workspace)
    for n in range(20):
        make_org(workspace, name=f"Drivers {n:02}", offers="volunteer drivers")
    _names(workspace)
    built = PartnerIndex.objects.get(workspace=workspace)
    assert built.built_with == 21 and built.weights  # our own organization counts
    make_org(workspace, name="One more", offers="volunteer drivers")
    _names(workspace)
    assert PartnerIndex.objects.get(workspace=workspace).built_with == 21
    for n in range(3):
        make_org(workspace, name=f"More {n}", offers="volunteer drivers")
    _describe_own(workspace, offers="trained tutors")  # a full build, now re-weighed
    _names(workspace)
    assert PartnerIndex.objects.get(workspace=workspace).built_with == 25


def test_a_busy_database_leaves_the_last_scores_in_place(workspace, monkeypatch):
    from django.db import OperationalError

    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    assert _names(workspace) == ["Eastport Seniors"]
    make_org(workspace, name="Millbrook Hall", offers="a meeting room")

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(index, "_update", locked)
    assert _names(workspace) == ["Eastport Seniors"]
    monkeypatch.undo()
    assert sorted(_names(workspace)) == ["Eastport Seniors", "Millbrook Hall"]


def test_an_unknown_engine_is_refused(workspace):
    _describe_own(workspace)
    with pytest.raises(ValueError, match="Unknown engine"):
        selectors.potential_partners(workspace=workspace, engine="magic")


def test_the_semantic_engine_falls_back_to_lexical_where_it_is_not_installed(
    workspace, monkeypatch
):
    from followthrough.matching import engines

    monkeypatch.setattr(engines, "semantic_available", lambda: False)
    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    workspace.match_engine = Engine.SEMANTIC
    workspace.save()
    assert index.refresh(workspace=workspace) == Engine.LEXICAL
    assert _names(workspace) == ["Eastport Seniors"]


def test_the_partners_page_says_when_the_chosen_engine_is_missing(
    owner_client, workspace, monkeypatch
):
    from followthrough.matching import engines

    monkeypatch.setattr(engines, "semantic_available", lambda: False)
    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    page = owner_client.get(f"/w/{workspace.slug}/organizations/partners/").content.decode()
    assert "Eastport Seniors" in page and "not installed here" not in page
    workspace.match_engine = Engine.BLENDED
    workspace.save()
    page = owner_client.get(f"/w/{workspace.slug}/organizations/partners/").content.decode()
    assert "Eastport Seniors" in page
    assert "The settings ask for the blended engine, which is not installed here" in page


def test_a_persons_page_says_why_to_get_to_know_them(owner_client, workspace):
    _describe_own(workspace)
    seniors = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    dana = make_person(workspace, organization=seniors)
    loner = make_person(workspace, organization=make_org(workspace, name="Chess Club"))
    page = owner_client.get(f"/w/{workspace.slug}/people/{dana.pk}/").content.decode()
    assert "Why get to know them" in page
    assert "They offer volunteer drivers — you need volunteer drivers" in page
    page = owner_client.get(f"/w/{workspace.slug}/people/{loner.pk}/").content.decode()
    assert "Why get to know them" not in page
    _describe_own(workspace, needs="a meeting room")  # the page follows our profile
    page = owner_client.get(f"/w/{workspace.slug}/people/{dana.pk}/").content.decode()
    assert "Why get to know them" not in page


def test_imports_score_what_they_bring_and_an_undo_puts_the_scores_back(workspace):
    from followthrough.exchange.formats.records import OrganizationRecord
    from followthrough.exchange.imports.result import ImportSource
    from followthrough.exchange.imports.undo import import_undo
    from followthrough.exchange.models import ImportBatch
    from tests.exchange.helpers import load

    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors")  # nothing to offer yet
    make_org(workspace, name="Later Hall", offers="a meeting room")
    assert _names(workspace) == ["Later Hall"]
    result = load(
        workspace,
        [
            OrganizationRecord(line=2, name="Eastport Seniors", offers="volunteer drivers"),
            OrganizationRecord(line=3, name="Northside Vans", offers="drivers with vans"),
        ],
        source=ImportSource("organizations", "partners.csv"),
    )
    assert PartnerScore.objects.filter(workspace=workspace).count() == 3  # scored by the import
    later = Organization.objects.get(workspace=workspace, name="Later Hall")
    organization_update(organization=later, offers="a meeting room for evening classes")
    assert sorted(_names(workspace)) == ["Eastport Seniors", "Later Hall", "Northside Vans"]
    import_undo(batch=ImportBatch.objects.get(pk=result.batch_id))
    assert _names(workspace) == ["Later Hall"]


def test_one_click_follows_up_with_someone_at_a_potential_partner(
    owner_client, viewer_client, workspace, other_workspace
):
    from followthrough.relationships.models import FollowUp

    _describe_own(workspace)
    seniors = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    dana = make_person(workspace, first_name="Dana", organization=seniors)
    make_org(workspace, name="Millbrook Hall", offers="a meeting room")  # nobody there
    partners = f"/w/{workspace.slug}/organizations/partners/"
    page = owner_client.get(partners).content.decode()
    assert page.count("Follow up with") == 1 and f'value="{dana.pk}"' in page
    action = f"/w/{workspace.slug}/organizations/{seniors.pk}/partner-follow-up/"
    response = owner_client.post(action, {"person": dana.pk, "next": partners})
    assert response.status_code == 303 and response["Location"] == partners
    follow_up = FollowUp.objects.get(person=dana)
    assert follow_up.title == (
        "Get to know Eastport Seniors: they offer volunteer drivers — you need volunteer drivers"
    )
    stranger = make_person(other_workspace, organization=make_org(other_workspace))
    owner_client.post(action, {"person": stranger.pk})
    loner = make_person(workspace)  # not at the organization
    owner_client.post(action, {"person": loner.pk})
    assert FollowUp.objects.count() == 1
    assert viewer_client.post(action, {"person": dana.pk}).status_code == 403
    assert "Follow up with" not in viewer_client.get(partners).content.decode()
