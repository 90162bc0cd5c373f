"""Rooms above events hear of focus picks (and picks undone) through these hooks.

`sequences` (a higher room) registers in its `AppConfig.ready()` to start a workspace's
focus-pick sequence, and to take it back; events never imports it. Callbacks run inside the pick's
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


UnpickedCallback = Callable[[int, list[int]], None]
_focus_unpicked: list[UnpickedCallback] = []


def on_focus_unpicked(callback: UnpickedCallback) -> None:
    """Call `callback(workspace_id, follow_up_ids)` after a pick is undone, with the ids
    of its follow-ups that were open (now cancelled)."""
    if callback not in _focus_unpicked:
        _focus_unpicked.append(callback)


def focus_unpicked(workspace_id: int, follow_up_ids: list[int]) -> None:
    for callback in _focus_unpicked:
        callback(workspace_id, follow_up_ids)
