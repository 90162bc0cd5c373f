"""A workspace being restored (`restoring=True`) is not there yet anywhere else either:
commands do not pick it, the digest skips it, the list says so."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from followthrough.reminders.models import DigestSubscription
from followthrough.reminders.selectors import digests_due
from followthrough.workspaces.commands import command_workspace
from followthrough.workspaces.models import Workspace


@pytest.fixture
def restoring(workspace) -> Workspace:
    Workspace.objects.filter(pk=workspace.pk).update(restoring=True)
    workspace.refresh_from_db()
    return workspace


def test_commands_do_not_write_into_a_workspace_being_restored(restoring):
    with pytest.raises(CommandError, match="No workspace"):
        command_workspace(restoring.slug)
    with pytest.raises(CommandError, match="no workspace"):
        command_workspace(None)


def test_the_workspace_list_says_it_is_being_restored(restoring):
    out = StringIO()
    call_command("workspace", "list", stdout=out)
    assert f"{restoring.slug}\t" in out.getvalue() and "(being restored)" in out.getvalue()


def test_no_digest_goes_out_for_a_workspace_being_restored(restoring, owner):
    long_ago = timezone.now() - timedelta(days=30)
    DigestSubscription.objects.create(workspace=restoring, user=owner, created_at=long_ago)
    assert digests_due(now=timezone.now()) == []
    Workspace.objects.filter(pk=restoring.pk).update(restoring=False)
    assert [s.user for s in digests_due(now=timezone.now())] == [owner]
