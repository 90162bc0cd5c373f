"""What a restore reads a backup's values as (dates, photos), how it maps backup-local ids
to new ones (`IdMap`) and finds its users, and what it returns (`RestoreResult`): shared
by `restore` and the section handlers of `restorer`."""

from __future__ import annotations

import base64
import binascii
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, overload

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model

from followthrough.people.photos import PhotoError, SafePhoto, photo_reencode
from followthrough.workspaces.models import Workspace

BATCH = 2000
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # as an import takes (imports.run)


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


def decode_photo(item: Any) -> SafePhoto | None:
    """A record's photo, decoded and re-encoded by `people.photos` (so what is stored is
    a picture we made, named by its real format); `ValidationError` on field "photo"."""
    if not item:
        return None
    try:
        if not isinstance(item, dict) or not isinstance(item.get("data"), str):
            raise PhotoError("is not an object with the picture's base64 “data”")
        if len(item["data"]) > MAX_PHOTO_BYTES * 4 // 3 + 4:
            raise PhotoError(f"is larger than {MAX_PHOTO_BYTES // 2**20} MB")
        data = base64.b64decode(item["data"], validate=True)
        return photo_reencode(data, format_error="is not a JPEG, PNG, GIF or WebP picture")
    except (binascii.Error, PhotoError) as error:
        raise ValidationError({"photo": str(error)}) from None


class IdMap:
    """Backup-local ids (1, 2, … in file order) → the new rows' database ids."""

    def __init__(self, section: str) -> None:
        self.section = section
        self._ids = array("q")

    def extend(self, ids: list[int]) -> None:
        self._ids.extend(ids)

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, local: Any, field: str | None = None) -> int | None:
        if local is None:
            return None
        if type(local) is not int or not 1 <= local <= len(self._ids):
            message = f"refers to {self.section} {local!r:.40}, which the backup lacks"
            raise ValidationError({field: message}) if field else ValueError(message)
        return self._ids[local - 1]

    def require(self, local: Any, field: str | None = None) -> int:
        pk = self.get(local, field)
        if pk is None:
            message = f"needs one of the {self.section}"
            raise ValidationError({field: message}) if field else ValueError(message)
        return pk


def moment(item: dict[str, Any], key: str) -> datetime | None:
    """`item[key]` read as a moment with its time zone, errors naming the field."""
    try:
        return parse_datetime(item[key])
    except (TypeError, ValueError) as error:
        raise ValidationError({key: str(error)}) from None


def day(item: dict[str, Any], key: str) -> date | None:
    """`item[key]` read as a date (or None), errors naming the field."""
    try:
        return parse_date(item[key])
    except (TypeError, ValueError) as error:
        raise ValidationError({key: str(error)}) from None


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


def check_types(row: Model, unset: Iterable[str] = ()) -> None:
    """Refuse values of the wrong kind, which the database would keep or turn into text
    ("None" for a null name): a backup hand-edited or from elsewhere, not our own.
    Fields in `unset` are filled in later (a nested row's parent)."""
    for model_field in row._meta.concrete_fields:
        if model_field.name in unset:
            continue
        value = getattr(row, model_field.attname)
        filled_on_save = (
            model_field.primary_key
            or getattr(model_field, "auto_now", False)
            or (getattr(model_field, "auto_now_add", False))
        )
        if value is None:
            if not (model_field.null or filled_on_save):
                raise ValidationError({model_field.name: "is empty (null)"})
        elif isinstance(model_field, models.CharField | models.TextField):
            if not isinstance(value, str):
                raise ValidationError({model_field.name: f"is not text: {value!r:.40}"})
        elif isinstance(model_field, models.BooleanField):
            if not isinstance(value, bool):
                raise ValidationError({model_field.name: f"is not true or false: {value!r:.40}"})
        elif (
            isinstance(model_field, models.IntegerField)
            and not model_field.is_relation
            and (isinstance(value, bool) or not isinstance(value, int))
        ):
            raise ValidationError({model_field.name: f"is not a whole number: {value!r:.40}"})


@dataclass(frozen=True)
class _Checks:
    """What `check_row` runs for one model, worked out once."""

    skip: frozenset[str]  # relations (the restorer maps them), keys, fields set on save
    ranges: tuple[tuple[Any, tuple[Any, ...]], ...]  # integer fields, portable range
    extra: tuple[tuple[str, Callable[[Any], None]], ...]


_CHECKS: dict[type[Model], _Checks] = {}


def _checks(model: type[Model]) -> _Checks:
    if model not in _CHECKS:
        fields = model._meta.concrete_fields
        skip = {
            f.name
            for f in fields
            if f.is_relation or f.primary_key or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        }  # fmt: skip
        ranges = []
        for f in fields:
            limits = BaseDatabaseOperations.integer_field_ranges.get(f.get_internal_type())
            if limits and f.name not in skip:
                # The portable column range, not SQLite's (which takes any 64-bit number):
                # the data must fit when the installation moves to PostgreSQL.
                ranges.append((f, (MinValueValidator(limits[0]), MaxValueValidator(limits[1]))))
        extra = [(name, check) for (m, name), check in EXTRA_CHECKS.items() if m is model]
        _CHECKS[model] = _Checks(frozenset(skip), tuple(ranges), tuple(extra))
    return _CHECKS[model]


# Values the app relies on that the model fields do not check themselves.
EXTRA_CHECKS: dict[tuple[type[Model], str], Callable[[Any], None]] = {}


def check_row(row: Model, prefix: str = "", unset: Iterable[str] = ()) -> None:
    """Check a row about to be restored with its model's own field checks — types,
    `clean_fields` (lengths, choices, validators; relations are the restorer's), the
    portable integer column ranges and `EXTRA_CHECKS` — raising a `ValidationError`
    keyed by the field (`prefix` before it, for a row nested in a record, whose parent
    key is in `unset`)."""
    try:
        check_types(row, unset)
        checks = _checks(type(row))
        # Empty values pass: a backup holds what the app stored, and "blank" is a form rule.
        empty = {
            f.name for f in row._meta.concrete_fields if getattr(row, f.attname) in EMPTY_VALUES
        }
        row.clean_fields(exclude=checks.skip | empty)
        for model_field, validators in checks.ranges:
            value = getattr(row, model_field.attname)
            if value is not None:
                for validator in validators:
                    try:
                        validator(value)
                    except ValidationError as error:
                        raise ValidationError({model_field.name: error.messages}) from None
        for name, check in checks.extra:
            value = getattr(row, name)
            if value not in EMPTY_VALUES:
                try:
                    check(value)
                except (ValidationError, ValueError, TypeError) as error:
                    message = error.messages if isinstance(error, ValidationError) else str(error)
                    raise ValidationError({name: message}) from None
    except ValidationError as error:
        if prefix and hasattr(error, "error_dict"):
            raise ValidationError(
                {f"{prefix}.{name}": errors for name, errors in error.error_dict.items()}
            ) from None
        raise


def field_error(error: ValidationError) -> str:
    """“field first_name: Ensure …” for each field of a `ValidationError`."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        f"field {name}: {' '.join(ValidationError(errors).messages)}"
        for name, errors in error.error_dict.items()
    )
