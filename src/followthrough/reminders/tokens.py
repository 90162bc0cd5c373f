"""The digest's unsubscribe link: a signed (not stored) token naming the member and the
workspace, so it works without logging in and for as long as the e-mail is kept."""

from __future__ import annotations

from django.core import signing

SALT = "followthrough.reminders.unsubscribe"


def unsubscribe_token(*, workspace_id: int, user_id: int) -> str:
    return signing.dumps({"w": workspace_id, "u": user_id}, salt=SALT)


def unsubscribe_target(token: str) -> tuple[int, int] | None:
    """(workspace id, user id) of a token we signed, or None for anything else."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    workspace_id, user_id = value.get("w"), value.get("u")
    if not isinstance(workspace_id, int) or not isinstance(user_id, int):
        return None
    return workspace_id, user_id
