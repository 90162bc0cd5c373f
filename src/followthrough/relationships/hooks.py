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


# The batch path (`relationship_log_interactions`): one call for many interactions, in
# the order they were logged. A room that hears single interactions registers here too,
# or claims the people whose interactions it must hear one at a time (below); the
# interactions of those people go through `relationship_log_interaction` and the hooks
# above, exactly as if they had been logged one by one.
InteractionsCallback = Callable[[list["Interaction"]], None]
_interactions_logged: list[InteractionsCallback] = []
OneByOneCallback = Callable[[int, list[int]], set[int]]
_one_by_one: list[OneByOneCallback] = []


def on_interactions_logged(callback: InteractionsCallback) -> None:
    """Call `callback(interactions)` after a batch of interactions is logged (the
    interactions of the people claimed by `on_one_by_one` are never in it)."""
    if callback not in _interactions_logged:
        _interactions_logged.append(callback)


def interactions_logged(interactions: list[Interaction]) -> None:
    for callback in _interactions_logged:
        callback(interactions)


def on_one_by_one(callback: OneByOneCallback) -> None:
    """`callback(workspace_id, person_ids)` answers which of these people a batch must
    log one interaction at a time (through the single-interaction hooks)."""
    if callback not in _one_by_one:
        _one_by_one.append(callback)


def one_by_one(workspace_id: int, person_ids: list[int]) -> set[int]:
    claimed: set[int] = set()
    for callback in _one_by_one:
        claimed |= callback(workspace_id, person_ids)
    return claimed


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
