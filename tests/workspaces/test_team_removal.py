"""Removing a member and leaving: an owner takes over their relationships and open
follow-ups, their per-member things in the workspace end, their access ends at once,
and a workspace always keeps an owner."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followthrough.exchange.models import MailboxAccount
from followthrough.mail.models import SenderProfile
from followthrough.relationships.models import FollowUp, FollowUpStatus, Relationship
from followthrough.relationships.services import follow_up_create, follow_up_done
from followthrough.reminders.models import CalendarFeed, DigestSubscription
from followthrough.reminders.services import calendar_feed_create, digest_subscription_for
from followthrough.workspaces.models import Membership, Role
from followthrough.workspaces.services import (
    TeamError,
    membership_leave,
    membership_remove,
    membership_set_role,
)
from tests.factories import add_member, make_person, make_user, make_workspace


def _membership(workspace, user) -> Membership:
    return Membership.objects.select_related("user").get(workspace=workspace, user=user)


def _give_bob_things(workspace, bob, other_workspace=None):
    """Bob's per-member rows in `workspace` (and, to check they are kept, elsewhere)."""
    person = make_person(workspace, first_name="Kwame")
    Relationship.objects.filter(person=person).update(owner=bob)
    open_one = follow_up_create(person=person, title="Call", due_at=timezone.now(), assigned_to=bob)
    done = follow_up_create(person=person, title="Met", due_at=timezone.now(), assigned_to=bob)
    follow_up_done(follow_up=done)
    digest_subscription_for(workspace=workspace, user=bob)
    calendar_feed_create(workspace=workspace, user=bob)
    MailboxAccount.objects.create(
        workspace=workspace, user=bob, host="imap.example.org", username="bob", password="s3cret"
    )
    SenderProfile.objects.create(workspace=workspace, user=bob, signature="Bob")
    return person, open_one, done


def test_removing_a_member_hands_over_and_ends_their_things(workspace, owner, teammate):
    elsewhere = make_workspace("Bob's own", owner=teammate)
    person, open_one, done = _give_bob_things(workspace, teammate)
    digest_subscription_for(workspace=elsewhere, user=teammate)
    membership_remove(membership=_membership(workspace, teammate), successor=owner, by=owner)

    assert not Membership.objects.filter(workspace=workspace, user=teammate).exists()
    assert Relationship.objects.get(person=person).owner == owner
    open_one.refresh_from_db(), done.refresh_from_db()
    assert open_one.assigned_to == owner and open_one.status == FollowUpStatus.OPEN
    assert done.assigned_to == teammate  # history keeps who did it
    assert not DigestSubscription.objects.filter(workspace=workspace, user=teammate).exists()
    assert not CalendarFeed.objects.filter(workspace=workspace, user=teammate, revoked_at=None)
    assert CalendarFeed.objects.filter(workspace=workspace, user=teammate).exists()  # record
    assert not MailboxAccount.objects.filter(workspace=workspace, user=teammate).exists()
    assert not SenderProfile.objects.filter(workspace=workspace, user=teammate).exists()
    # Their own workspace is not touched.
    assert DigestSubscription.objects.filter(workspace=elsewhere, user=teammate).exists()
    assert Membership.objects.filter(workspace=elsewhere, user=teammate, role=Role.OWNER)


def test_the_remover_picks_the_owner_who_takes_over(owner_client, workspace, owner, teammate):
    carol = add_member(workspace, make_user("carol@example.org"), Role.OWNER)
    person, open_one, _ = _give_bob_things(workspace, teammate)
    membership = _membership(workspace, teammate)
    page = owner_client.get(reverse("workspaces:members", args=[workspace.slug])).content
    assert f'<option value="{owner.pk}" selected>'.encode() in page  # the remover by default
    response = owner_client.post(
        reverse("workspaces:member-remove", args=[workspace.slug, membership.pk]),
        {"successor": carol.pk},
        follow=True,
    )
    assert "Bob is no longer a member of Riverside Literacy." in response.content.decode()
    assert Relationship.objects.get(person=person).owner == carol
    assert FollowUp.objects.get(pk=open_one.pk).assigned_to == carol


def test_a_successor_must_be_an_owner_who_stays(workspace, owner, teammate, viewer):
    membership = _membership(workspace, teammate)
    for successor in (viewer, teammate, make_user("stranger@example.org")):
        with pytest.raises(TeamError):
            membership_remove(membership=membership, successor=successor, by=owner)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_removed_member_loses_access_at_once(owner_client, workspace, owner, teammate):
    bob = Client()
    bob.force_login(teammate)
    today = reverse("agenda:today", args=[workspace.slug])
    assert bob.get(today).status_code == 200
    membership = _membership(workspace, teammate)
    owner_client.post(
        reverse("workspaces:member-remove", args=[workspace.slug, membership.pk]),
        {"successor": owner.pk},
    )
    assert bob.get(today).status_code == 404  # the same session, its next request
    assert bob.get(reverse("workspaces:members", args=[workspace.slug])).status_code == 404
    person = make_person(workspace)
    assert (
        bob.get(reverse("people:person-detail", args=[workspace.slug, person.pk])).status_code
        == 404
    )


def test_a_member_leaves_with_a_handover(teammate_client, workspace, owner, teammate):
    person, _, _ = _give_bob_things(workspace, teammate)
    page = teammate_client.get(reverse("workspaces:leave", args=[workspace.slug]))
    assert page.status_code == 200 and b"Leave Riverside Literacy" in page.content
    response = teammate_client.post(
        reverse("workspaces:leave", args=[workspace.slug]), {"successor": owner.pk}
    )
    assert response.status_code == 303
    assert not Membership.objects.filter(workspace=workspace, user=teammate).exists()
    assert Relationship.objects.get(person=person).owner == owner
    assert not MailboxAccount.objects.filter(user=teammate).exists()
    assert teammate_client.get(reverse("agenda:today", args=[workspace.slug])).status_code == 404


def test_the_last_owner_cannot_leave_be_removed_or_demoted(owner_client, workspace, owner):
    me = _membership(workspace, owner)
    carol = add_member(workspace, make_user("carol@example.org"), Role.MEMBER)
    with pytest.raises(TeamError, match="at least one owner"):
        membership_leave(membership=me, successor=carol)
    with pytest.raises(TeamError, match="at least one owner"):
        membership_set_role(membership=me, role=Role.MEMBER, by=owner)
    page = owner_client.get(reverse("workspaces:leave", args=[workspace.slug])).content.decode()
    assert "You are the only owner" in page
    owner_client.post(reverse("workspaces:leave", args=[workspace.slug]), {"successor": carol.pk})
    assert _membership(workspace, owner).role == Role.OWNER


def test_an_owner_may_leave_while_another_owner_stays(workspace, owner):
    carol = add_member(workspace, make_user("carol@example.org"), Role.OWNER)
    membership_leave(membership=_membership(workspace, owner), successor=carol)
    assert list(Membership.objects.filter(workspace=workspace).values_list("user", "role")) == [
        (carol.pk, Role.OWNER)
    ]


def test_an_owner_cannot_remove_the_last_other_owner_by_themselves(workspace, owner):
    # Removing yourself is leaving; an owner removing another owner needs another owner.
    carol = add_member(workspace, make_user("carol@example.org"), Role.OWNER)
    with pytest.raises(TeamError, match="Leave this workspace"):
        membership_remove(membership=_membership(workspace, owner), successor=carol, by=owner)
    membership_remove(membership=_membership(workspace, carol), successor=owner, by=owner)
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


def test_a_former_owner_cannot_act(workspace, owner, teammate):
    carol = add_member(workspace, make_user("carol@example.org"), Role.OWNER)
    membership_set_role(membership=_membership(workspace, carol), role=Role.MEMBER, by=owner)
    with pytest.raises(TeamError, match="Only the workspace's owners"):
        membership_remove(membership=_membership(workspace, teammate), successor=owner, by=carol)
    with pytest.raises(TeamError, match="Only the workspace's owners"):
        membership_set_role(membership=_membership(workspace, owner), role=Role.VIEWER, by=carol)


def test_the_open_invitations_a_removed_owner_sent_are_revoked(workspace, owner):
    from followthrough.workspaces.invitations import invitation_create

    carol = add_member(workspace, make_user("carol@example.org"), Role.OWNER)
    theirs, _ = invitation_create(
        workspace=workspace, email="carol.alt@example.org", role=Role.MEMBER, created_by=carol
    )
    mine, _ = invitation_create(
        workspace=workspace, email="nia@example.org", role=Role.MEMBER, created_by=owner
    )
    membership_remove(membership=_membership(workspace, carol), successor=owner, by=owner)
    theirs.refresh_from_db(), mine.refresh_from_db()
    assert theirs.revoked_at is not None and mine.revoked_at is None
