"""Mission intersection over a workspace's directory, and how its pages show it."""

from __future__ import annotations

from followthrough.matching import selectors
from followthrough.people.services import organization_update
from followthrough.relationships.models import Stage
from followthrough.relationships.services import relationship_update
from tests.factories import make_org, make_person
from tests.people.helpers import XSS, XSS_ESCAPED, url


def _describe_own(workspace, **fields):
    own = workspace.organization
    defaults = {
        "mission": "Adults and children in Riverside read with confidence.",
        "offers": "trained volunteer tutors",
        "needs": "volunteer drivers\na meeting room for evening classes",
        "location": "Riverside",
    }
    organization_update(organization=own, focus_areas=["Literacy"], **{**defaults, **fields})


def test_an_empty_own_profile_says_how_to_fill_it(owner_client, workspace):
    seniors = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    intersection = selectors.organization_intersection(workspace=workspace, organization=seniors)
    assert intersection.match is None and intersection.own_profile_missing
    assert selectors.potential_partners(workspace=workspace) == []
    page = owner_client.get(url("organization-detail", workspace, seniors.pk)).content.decode()
    assert "Describe your own organization" in page
    assert url("organization-edit", workspace, workspace.organization_id) in page


def test_the_page_says_how_our_missions_intersect(owner_client, workspace):
    _describe_own(workspace)
    seniors = make_org(
        workspace,
        name="Eastport Seniors",
        offers="volunteer drivers with vans",
        location="Riverside",
    )
    page = owner_client.get(url("organization-detail", workspace, seniors.pk)).content.decode()
    assert "How our missions intersect" in page
    assert "They offer volunteer drivers with vans — you need volunteer drivers" in page
    assert "Also in Riverside" in page
    own = owner_client.get(url("organization-detail", workspace, workspace.organization_id))
    assert "What we offer" in own.content.decode()
    assert "How our missions intersect" not in own.content.decode()


def test_reasons_are_escaped(owner_client, workspace):
    _describe_own(workspace, needs=f"volunteer drivers {XSS}")
    other = make_org(workspace, name="Vans", offers=f"volunteer drivers {XSS}")
    page = owner_client.get(url("organization-detail", workspace, other.pk)).content.decode()
    assert XSS not in page and XSS_ESCAPED in page


def test_potential_partners_leave_out_active_relationships_and_other_workspaces(
    workspace, other_workspace
):
    _describe_own(workspace)
    seniors = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    hall = make_org(workspace, name="Millbrook Hall", offers="a hall for evening classes")
    make_org(other_workspace, name="Elsewhere Drivers", offers="volunteer drivers")
    make_org(workspace, name="Chess Club", mission="Chess.")
    names = [m.name for m in selectors.potential_partners(workspace=workspace)]
    assert sorted(names) == ["Eastport Seniors", "Millbrook Hall"]
    dana = make_person(workspace, organization=seniors)
    relationship_update(relationship=dana.relationship, stage=Stage.FOLLOWED_UP)
    assert [m.name for m in selectors.potential_partners(workspace=workspace)] == [hall.name]


def test_filters_narrow_by_place_and_focus_area(workspace):
    _describe_own(workspace)
    make_org(workspace, name="Eastport Seniors", offers="volunteer drivers", location="Eastport")
    make_org(workspace, name="Riverside Readers", focus_areas=["literacy"], location="Riverside")
    by_place = selectors.potential_partners(workspace=workspace, city="riverside")
    assert [m.name for m in by_place] == ["Riverside Readers"]
    by_area = selectors.potential_partners(workspace=workspace, focus_area="LITERACY")
    assert [m.name for m in by_area] == ["Riverside Readers"]


def test_a_profile_edit_rescores_without_a_manual_step(workspace):
    _describe_own(workspace)
    club = make_org(workspace, name="Book Club", offers="knitting circles")
    assert selectors.potential_partners(workspace=workspace) == []
    organization_update(organization=club, offers="volunteer drivers on Saturdays")
    [match] = selectors.potential_partners(workspace=workspace)
    assert match.name == "Book Club" and match.reasons[0].startswith("they offer volunteer drivers")


def test_the_partners_page_ranks_with_reasons_and_notes_in_one_click(owner_client, workspace):
    _describe_own(workspace)
    seniors = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    page = owner_client.get(url("partners", workspace)).content.decode()
    assert "Eastport Seniors" in page
    assert "They offer volunteer drivers — you need volunteer drivers" in page
    back = url("partners", workspace) + "?city=Eastport"
    response = owner_client.post(
        url("organization-noticed", workspace, seniors.pk),
        {"summary": "Potential partner: they offer volunteer drivers", "next": back},
    )
    assert response.status_code == 303 and response["Location"] == back
    detail = owner_client.get(url("organization-detail", workspace, seniors.pk)).content.decode()
    assert "Potential partner: they offer volunteer drivers" in detail


def test_the_partners_page_says_how_to_start(owner_client, viewer_client, workspace):
    page = owner_client.get(url("partners", workspace)).content.decode()
    assert "Describe your own organization first" in page
    _describe_own(workspace)
    page = viewer_client.get(url("partners", workspace)).content.decode()
    assert "No organization in your directory meets your profile yet" in page
    assert "Note it" not in page
