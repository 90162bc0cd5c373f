"""Team changes racing each other from two threads with their own database connections
(the pattern of test_owner_race.py): one link accepted twice at once joins once; two
owners removing each other, or one removing while the other demotes, never leave the
workspace without an owner."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from followthrough.workspaces.invitations import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
)
from followthrough.workspaces.models import Invitation, Membership, Role
from followthrough.workspaces.services import (
    TeamError,
    membership_remove,
    membership_set_role,
    workspace_create,
)

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 10


def _race(*actions: Callable[[], str]) -> list[str]:
    """Run the actions at once (each waits for the others after its own first reads)."""
    barrier, outcomes = threading.Barrier(len(actions)), []

    def run(action: Callable[[threading.Barrier], str]) -> None:
        try:
            outcomes.append(action(barrier))
        except (TeamError, InvitationError):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.fixture
def two_owners(django_user_model):
    ada = django_user_model.objects.create_user("ada@example.org", "ada@example.org", "x")
    ben = django_user_model.objects.create_user("ben@example.org", "ben@example.org", "x")
    workspace = workspace_create(name="Race", owner=ada)
    Membership.objects.create(workspace=workspace, user=ben, role=Role.OWNER)
    return workspace, ada, ben


def _reset(workspace, ada, ben) -> tuple[Membership, Membership]:
    Membership.objects.filter(workspace=workspace).delete()
    return (
        Membership.objects.create(workspace=workspace, user=ada, role=Role.OWNER),
        Membership.objects.create(workspace=workspace, user=ben, role=Role.OWNER),
    )


def _remove(membership_id: int, by, successor) -> Callable:
    def action(barrier):
        membership = Membership.objects.select_related("user").get(pk=membership_id)
        barrier.wait(timeout=10)
        membership_remove(membership=membership, successor=successor, by=by)
        return "removed"

    return action


def _demote(membership_id: int, by) -> Callable:
    def action(barrier):
        membership = Membership.objects.select_related("user").get(pk=membership_id)
        barrier.wait(timeout=10)
        membership_set_role(membership=membership, role=Role.MEMBER, by=by)
        return "demoted"

    return action


def test_two_owners_removing_each_other_never_leave_none(two_owners):
    workspace, ada, ben = two_owners
    for _ in range(ROUNDS):
        ada_m, ben_m = _reset(workspace, ada, ben)
        outcomes = _race(
            _remove(ben_m.pk, by=ada, successor=ada), _remove(ada_m.pk, by=ben, successor=ben)
        )
        assert outcomes == ["refused", "removed"]
        assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


def test_removing_while_being_demoted_never_leaves_none(two_owners):
    workspace, ada, ben = two_owners
    for _ in range(ROUNDS):
        ada_m, ben_m = _reset(workspace, ada, ben)
        outcomes = _race(_remove(ben_m.pk, by=ada, successor=ada), _demote(ada_m.pk, by=ben))
        assert outcomes in (["refused", "removed"], ["demoted", "refused"])
        assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


def test_one_link_accepted_twice_at_once_joins_once(two_owners, django_user_model):
    workspace, ada, _ = two_owners
    nia = django_user_model.objects.create_user("nia@example.org", "nia@example.org", "x")
    for _ in range(ROUNDS):
        Membership.objects.filter(user=nia).delete()
        Invitation.objects.all().delete()
        _, token = invitation_create(
            workspace=workspace, email="nia@example.org", role=Role.VIEWER, created_by=ada
        )

        def accept(barrier, token=token):
            invitation_for_token(token, email=nia.email)  # the page, read before the other
            barrier.wait(timeout=10)
            invitation_accept(token=token, user=nia)
            return "joined"

        assert _race(accept, accept) == ["joined", "refused"]
        assert Invitation.objects.get().accepted_by == nia
        assert Membership.objects.filter(workspace=workspace, user=nia).count() == 1
