"""What the rooms above do when someone leaves a workspace.

`workspaces` is layer 1 and cannot import the rooms that keep per-member rows
(relationships' owners, digests, calendar feeds, mailboxes, sender profiles). Each of
them registers a function here from its `AppConfig.ready()`; `membership_remove` and
`membership_leave` call them inside the removal's transaction, so a failing hook undoes
the whole removal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace

MemberRemoved = Callable[["Workspace", "User", "User"], None]

_member_removed: list[MemberRemoved] = []


def register_member_removed(fn: MemberRemoved) -> MemberRemoved:
    """Call `fn(workspace, user, successor)` whenever `user` stops being a member of
    `workspace`; `successor` is the owner who takes over what `user` looked after.
    Registering the same function twice registers it once."""
    if fn not in _member_removed:
        _member_removed.append(fn)
    return fn


def member_removed(workspace: Workspace, user: User, successor: User) -> None:
    """Run the registered functions, in registration (= `INSTALLED_APPS`) order."""
    for fn in _member_removed:
        fn(workspace, user, successor)
