"""Two owners demoting each other at the same moment, from two threads with their own
database connections: one change wins, the other is refused, and the workspace always
keeps an owner (issue 12: 3 of 10 tries left none before the lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from followthrough.workspaces.models import Membership, Role
from followthrough.workspaces.services import membership_set_role, workspace_create

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 10


def _demote(membership_id: int, barrier: threading.Barrier, outcomes: list[str]) -> None:
    try:
        membership = Membership.objects.get(pk=membership_id)  # read before the other writes
        barrier.wait(timeout=10)
        membership_set_role(membership=membership, role=Role.MEMBER)
        outcomes.append("demoted")
    except ValueError:
        outcomes.append("refused")
    finally:
        connection.close()


def test_two_owners_demoting_each_other_never_leave_none(django_user_model):
    ada = django_user_model.objects.create_user("ada@example.org", "ada@example.org", "x")
    ben = django_user_model.objects.create_user("ben@example.org", "ben@example.org", "x")
    workspace = workspace_create(name="Race", owner=ada)
    ada_m = Membership.objects.get(workspace=workspace, user=ada)
    ben_m = Membership.objects.create(workspace=workspace, user=ben, role=Role.OWNER)
    for _ in range(ROUNDS):
        Membership.objects.filter(pk__in=[ada_m.pk, ben_m.pk]).update(role=Role.OWNER)
        barrier, outcomes = threading.Barrier(2), []
        threads = [
            threading.Thread(target=_demote, args=(pk, barrier, outcomes))
            for pk in (ada_m.pk, ben_m.pk)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["demoted", "refused"]
        assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


def _demote_in_a_process(membership_id: int, barrier, results) -> None:
    """A forked process: its own database connection (the parent's is dropped unclosed,
    so the parent's session stays intact), the same race as above."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.connection = None  # the parent's socket: neither used nor closed here
    outcomes: list[str] = []
    _demote(membership_id, barrier, outcomes)
    results.put(outcomes[0] if outcomes else "error")


def test_two_processes_demoting_each_other_never_leave_none(django_user_model):
    """The same race between two processes (CI runs it on PostgreSQL too, where the
    workspace row's lock is what holds)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    ada = django_user_model.objects.create_user("ada@example.org", "ada@example.org", "x")
    ben = django_user_model.objects.create_user("ben@example.org", "ben@example.org", "x")
    workspace = workspace_create(name="Race", owner=ada)
    ada_m = Membership.objects.get(workspace=workspace, user=ada)
    ben_m = Membership.objects.create(workspace=workspace, user=ben, role=Role.OWNER)
    for _ in range(3):
        Membership.objects.filter(pk__in=[ada_m.pk, ben_m.pk]).update(role=Role.OWNER)
        barrier, results = context.Barrier(2), context.Queue()
        processes = [
            context.Process(target=_demote_in_a_process, args=(pk, barrier, results))
            for pk in (ada_m.pk, ben_m.pk)
        ]
        for process in processes:
            process.start()
        outcomes = sorted(results.get(timeout=60) for _ in processes)
        for process in processes:
            process.join(timeout=30)
        assert outcomes == ["demoted", "refused"]
        assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1
