"""Rooms above relationships hear of logged interactions and closed follow-ups here.

`outreach` and `sequences` (higher rooms) register in their `AppConfig.ready()`;
relationships never imports them. Callbacks run inside the transaction that made the
change, in the order they were registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followthrough.relationships.models import Interaction

InteractionCallback = Callable[["Interaction"], None]
_interaction_logged: list[InteractionCallback] = []


def on_interaction_logged(callback: InteractionCallback) -> None:
    """Call `callback(interaction)` after every interaction logged with a person."""
    if callback not in _interaction_logged:
        _interaction_logged.append(callback)


def interaction_logged(interaction: Interaction) -> None:
    for callback in _interaction_logged:
        callback(interaction)


# Follow-ups closed as done (by `follow_up_done` or by an interaction that closes the ones
# due) and follow-ups reopened (by an Undo): `sequences` moves its runs by them.
FollowUpsCallback = Callable[[int, list[int]], None]
_follow_ups_done: list[FollowUpsCallback] = []
_follow_ups_reopened: list[FollowUpsCallback] = []


def on_follow_ups_done(callback: FollowUpsCallback) -> None:
    """Call `callback(workspace_id, follow_up_ids)` after follow-ups are marked done."""
    if callback not in _follow_ups_done:
        _follow_ups_done.append(callback)


def follow_ups_done(workspace_id: int, follow_up_ids: list[int]) -> None:
    for callback in _follow_ups_done:
        callback(workspace_id, follow_up_ids)


def on_follow_ups_reopened(callback: FollowUpsCallback) -> None:
    """Call `callback(workspace_id, follow_up_ids)` after closed follow-ups are opened
    again (an Undo); the ids may include follow-ups that were open all along."""
    if callback not in _follow_ups_reopened:
        _follow_ups_reopened.append(callback)


def follow_ups_reopened(workspace_id: int, follow_up_ids: list[int]) -> None:
    for callback in _follow_ups_reopened:
        callback(workspace_id, follow_up_ids)
