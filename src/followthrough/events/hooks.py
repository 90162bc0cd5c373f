"""Rooms above events hear of focus picks through this hook.

`sequences` (a higher room) registers in its `AppConfig.ready()` to start a workspace's
focus-pick sequence; events never imports it. Callbacks run inside the pick's
transaction, in the order they were registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.events.models import FocusPick
    from followthrough.relationships.models import FollowUp

FocusPickedCallback = Callable[["FocusPick", "FollowUp", "User | None"], None]
_focus_picked: list[FocusPickedCallback] = []


def on_focus_picked(callback: FocusPickedCallback) -> None:
    """Call `callback(pick, follow_up, actor)` after a new focus pick and its follow-up."""
    if callback not in _focus_picked:
        _focus_picked.append(callback)


def focus_picked(pick: FocusPick, follow_up: FollowUp, actor: User | None) -> None:
    for callback in _focus_picked:
        callback(pick, follow_up, actor)
