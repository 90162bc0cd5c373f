"""What a restore reads a backup's values as (dates, photos), how it maps backup-local ids
to new ones (`IdMap`) and finds its users, and what it returns (`RestoreResult`): shared
by `restore` and the section handlers of `restorer`."""

from __future__ import annotations

import base64
import binascii
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, overload

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Model

from followthrough.workspaces.models import Workspace

BATCH = 2000


@dataclass
class RestoreResult:
    workspace: Workspace
    counts: dict[str, int] = field(default_factory=dict)
    created_users: list[str] = field(default_factory=list)


@overload
def parse_datetime(value: str) -> datetime: ...
@overload
def parse_datetime(value: None) -> None: ...
def parse_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"“{value}” has no time zone")
    return moment


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def decode_photo(item: dict[str, Any] | None) -> tuple[str, bytes] | None:
    if not item:
        return None
    try:
        return str(item["extension"])[:5], base64.b64decode(item["data"], validate=True)
    except (binascii.Error, TypeError) as error:
        raise ValueError(f"photo: {error}") from None


class IdMap:
    """Backup-local ids (1, 2, … in file order) → the new rows' database ids."""

    def __init__(self, section: str) -> None:
        self.section = section
        self._ids = array("q")

    def extend(self, ids: list[int]) -> None:
        self._ids.extend(ids)

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, local: Any) -> int | None:
        if local is None:
            return None
        if type(local) is not int or not 1 <= local <= len(self._ids):
            raise ValueError(f"refers to {self.section} {local!r}, which the backup lacks")
        return self._ids[local - 1]

    def require(self, local: Any) -> int:
        pk = self.get(local)
        if pk is None:
            raise ValueError(f"needs one of the {self.section}")
        return pk


def users_for_restore(items: Iterator[dict[str, Any]], created: list[str]) -> dict[str, Any]:
    """The installation's user for each backup e-mail (case-insensitive), creating the
    missing ones inactive, with an unusable password; `created` collects their e-mails."""
    User = get_user_model()
    found: dict[str, Any] = {}
    for item in items:
        email = str(item["email"])
        if email.lower() in found:
            continue
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            user = User(
                username=_free_username(User, email.lower()),
                email=email,
                first_name=str(item.get("first_name", ""))[:150],
                last_name=str(item.get("last_name", ""))[:150],
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            created.append(email)
        found[email.lower()] = user
    return found


def _free_username(User: Any, wanted: str) -> str:
    name, n = wanted[:150], 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{wanted[:140]}-{n}"
    return name


def check_types(row: Model) -> None:
    """Refuse values of the wrong kind, which the database would keep or turn into text
    ("None" for a null name): a backup hand-edited or from elsewhere, not our own."""
    for model_field in row._meta.concrete_fields:
        value = getattr(row, model_field.attname)
        filled_on_save = (
            model_field.primary_key
            or getattr(model_field, "auto_now", False)
            or (getattr(model_field, "auto_now_add", False))
        )
        if value is None:
            if not (model_field.null or filled_on_save):
                raise ValueError(f"“{model_field.name}” is empty (null)")
        elif isinstance(model_field, models.CharField | models.TextField):
            if not isinstance(value, str):
                raise TypeError(f"“{model_field.name}” is not text: {value!r}")
        elif isinstance(model_field, models.BooleanField):
            if not isinstance(value, bool):
                raise TypeError(f"“{model_field.name}” is not true or false: {value!r}")
        elif (
            isinstance(model_field, models.IntegerField)
            and not model_field.is_relation
            and (isinstance(value, bool) or not isinstance(value, int))
        ):
            raise TypeError(f"“{model_field.name}” is not a whole number: {value!r}")
