"""The team page: members with their role, pending invitations, the new link; only
owners manage the team, and only their own workspace's."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followthrough.workspaces.invitations import invitation_create
from followthrough.workspaces.models import Invitation, Membership, Role
from tests.factories import add_member, make_user


def _members(workspace) -> str:
    return reverse("workspaces:members", args=[workspace.slug])


def _selected_roles(page: str) -> list[str]:
    return re.findall(r"<option value=\"([a-z]+)\" selected>", page)


def test_it_shows_each_members_current_role_selected(owner_client, workspace, teammate, viewer):
    page = owner_client.get(_members(workspace)).content.decode()
    assert _selected_roles(page) == ["owner", "member", "viewer"]


def test_it_shows_the_new_link_once_with_its_role(owner_client, workspace, teammate):
    response = owner_client.post(
        reverse("workspaces:invite", args=[workspace.slug]),
        {"email": "Nia@Example.org", "role": Role.VIEWER},
    )
    page = response.content.decode()
    invitation = Invitation.objects.get()
    link = re.search(r'id="invite-link" readonly value="([^"]+)"', page).group(1)
    assert link.startswith("http://testserver/accounts/invite/")
    assert "makes them a <strong>viewer</strong>" in page and "expires in 7 days" in page
    assert 'data-copy="invite-link"' in page
    # The role selects are still filled in after inviting (they were empty before).
    assert _selected_roles(page) == ["owner", "member"]
    # The pending list shows it, with who sent it; the link is not on the page again.
    page = owner_client.get(_members(workspace)).content.decode()
    assert "nia@example.org" in page and "Invited by Alice Owner" in page
    assert link not in page and invitation.token_hash not in page


def test_it_refuses_to_invite_a_member(owner_client, workspace, teammate):
    response = owner_client.post(
        reverse("workspaces:invite", args=[workspace.slug]),
        {"email": "bob@example.org", "role": Role.MEMBER},
    )
    assert response.status_code == 400
    assert "bob@example.org is a member of Riverside Literacy already" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_owner_revokes_an_invitation(owner_client, workspace, owner):
    invitation, _ = invitation_create(
        workspace=workspace, email="nia@example.org", role=Role.MEMBER, created_by=owner
    )
    url = reverse("workspaces:invite-revoke", args=[workspace.slug, invitation.pk])
    response = owner_client.post(url, follow=True)
    assert "The invitation of nia@example.org is withdrawn." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "nia@example.org" not in owner_client.get(_members(workspace)).content.decode()


def test_an_owner_cannot_revoke_another_workspaces_invitation(
    outsider_client, other_workspace, workspace, owner
):
    invitation, _ = invitation_create(
        workspace=workspace, email="nia@example.org", role=Role.MEMBER, created_by=owner
    )
    # The outsider owns their own workspace and uses its slug with the victim's id.
    url = reverse("workspaces:invite-revoke", args=[other_workspace.slug, invitation.pk])
    assert outsider_client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.parametrize("who", ["teammate_client", "viewer_client"])
def test_members_and_viewers_cannot_manage_the_team(request, who, workspace, owner, teammate):
    client = request.getfixturevalue(who)
    invitation, _ = invitation_create(
        workspace=workspace, email="nia@example.org", role=Role.MEMBER, created_by=owner
    )
    owner_membership = Membership.objects.get(workspace=workspace, user=owner)
    slug = workspace.slug
    posts = [
        (reverse("workspaces:invite", args=[slug]), {"email": "x@example.org", "role": "member"}),
        (reverse("workspaces:invite-revoke", args=[slug, invitation.pk]), {}),
        (reverse("workspaces:member-role", args=[slug, owner_membership.pk]), {"role": "viewer"}),
        (reverse("workspaces:member-remove", args=[slug, owner_membership.pk]), {"successor": 1}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    page = client.get(_members(workspace)).content.decode()
    assert "Revoke" not in page and "Invite a colleague" not in page
    assert Invitation.objects.filter(revoked_at=None).count() == 1
    assert Membership.objects.get(pk=owner_membership.pk).role == Role.OWNER


def _page_queries(client, workspace) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_members(workspace)).status_code == 200
    return len(queries)


def test_the_team_page_costs_the_same_queries_for_a_bigger_team(owner_client, workspace, owner):
    def grow(n: int) -> None:
        for i in range(n):
            add_member(workspace, make_user(f"m{n}-{i}@example.org"), Role.MEMBER)
            invitation_create(
                workspace=workspace, email=f"i{n}-{i}@example.org", role="viewer", created_by=owner
            )

    grow(1)
    small = _page_queries(owner_client, workspace)
    grow(5)
    assert _page_queries(owner_client, workspace) == small
