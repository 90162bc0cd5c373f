"""Rooms above relationships hear of logged interactions through this hook.

`outreach` (a higher room) registers here in its `AppConfig.ready()`; relationships never
imports it. Callbacks run inside the transaction that logged the interaction, in the
order they were registered.
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
