"""What a restore reads a backup's values as (dates, photos), how it maps backup-local ids
to new ones (`IdMap`) and finds its users, and what it returns (`RestoreResult`): shared
by `restore` and the section handlers of `restorer`."""

from __future__ import annotations

import base64
import binascii
import reprlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, overload

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import EMPTY_VALUES, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model

from followthrough.people.photos import PhotoError, SafePhoto, photo_reencode
from followthrough.workspaces.models import Workspace

BATCH = 2000
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # as an import takes (imports.run)


_SHORT = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict = 2, 40, 40, 3, 3


def short(value: Any) -> str:
    """A value quoted in an error: cut short, however long or deeply nested it is."""
    return _SHORT.repr(value)


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
            message = f"refers to {self.section} {short(local)}, which the backup lacks"
            raise ValidationError({field: message}) if field else ValueError(message)
        return self._ids[local - 1]

    def require(self, local: Any, field: str | None = None) -> int:
        pk = self.get(local, field)
        if pk is None:
            message = f"needs one of the {self.section}"
            raise ValidationError({field: message}) if field else ValueError(message)
        return pk


def moment(item: dict[str, Any], key: str) -> Any:
    """`item[key]` read as a moment with its time zone (or None: `check_row` refuses it
    where the field is not nullable, hence `Any` for the model constructors), errors
    naming the field."""
    try:
        return parse_datetime(item[key])
    except (TypeError, ValueError) as error:
        raise ValidationError({key: str(error)}) from None


def day(item: dict[str, Any], key: str) -> Any:
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


# Values the app relies on that the model fields do not check themselves.
EXTRA_CHECKS: dict[tuple[type[Model], str], Callable[[Any], None]] = {}


@dataclass(frozen=True)
class _FieldCheck:
    """What `check_row` asks of one field, worked out once per model."""

    field: Any
    kind: type | tuple[type, ...] | None  # the Python type its value must have
    null_ok: bool
    clean: bool  # has choices or validators: `Field.clean` has something to check
    limits: tuple[Any, ...]  # Min/MaxValueValidator of the portable integer column range
    also: Callable[[Any], None] | None  # from EXTRA_CHECKS


_PLANS: dict[type[Model], tuple[_FieldCheck, ...]] = {}
_KINDS = (
    (models.CharField | models.TextField, str, "text"),
    (models.BooleanField, bool, "true or false"),
    (models.IntegerField, int, "a whole number"),
)


def _plan(model: type[Model]) -> tuple[_FieldCheck, ...]:
    if model not in _PLANS:
        checks = []
        for f in model._meta.concrete_fields:
            filled_on_save = (
                f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            )
            kind = next((t for cls, t, _ in _KINDS if isinstance(f, cls)), None)
            limits: tuple[Any, ...] = ()
            span = BaseDatabaseOperations.integer_field_ranges.get(f.get_internal_type())
            if span and not (f.is_relation or filled_on_save):
                # The portable column range, not SQLite's (which takes any 64-bit number):
                # the data must still fit when the installation moves to PostgreSQL.
                limits = (MinValueValidator(span[0]), MaxValueValidator(span[1]))
            mine = not (f.is_relation or filled_on_save)  # relations: the restorer maps them
            checks.append(
                _FieldCheck(
                    field=f,
                    kind=None if f.is_relation else kind,
                    null_ok=f.null or filled_on_save,
                    clean=mine
                    and bool(f.choices or f.validators or isinstance(f, models.JSONField)),
                    limits=limits,
                    also=EXTRA_CHECKS.get((model, f.name)),
                )
            )
        _PLANS[model] = tuple(checks)
    return _PLANS[model]


def check_row(row: Model, prefix: str = "", unset: Iterable[str] = ()) -> None:
    """Check a row about to be restored with its model's own field checks, raising a
    `ValidationError` keyed by the field (“prefix.field” for a row nested in a record;
    `unset` names fields filled in later, a nested row's parent).

    Per field: its type (the database would keep a number in a text column, or turn None
    into "None"), null, then Django's `Field.clean` — what `Model.clean_fields` runs:
    lengths, choices, validators — for the fields that have any, the portable integer
    column range and `EXTRA_CHECKS`. Empty values pass: a backup holds what the app
    stored, and "blank" is a form's rule. Relations are checked by the restorer's id maps.
    """
    for check in _plan(type(row)):
        f = check.field
        if f.name in unset:
            continue
        value = getattr(row, f.attname)
        try:
            if value is None:
                if not check.null_ok:
                    raise ValidationError("is empty (null)")
                continue
            if check.kind is not None and (
                not isinstance(value, check.kind) or (check.kind is int and type(value) is bool)
            ):
                what = next(w for _, t, w in _KINDS if t is check.kind)
                raise ValidationError(f"is not {what}: {short(value)}")
            if value in EMPTY_VALUES:
                continue
            if check.clean:
                f.clean(value, row)
            for validator in check.limits:
                validator(value)
            if check.also is not None:
                try:
                    check.also(value)
                except (ValueError, TypeError) as error:
                    raise ValidationError(str(error)) from None
        except ValidationError as error:
            name = f"{prefix}.{f.name}" if prefix else f.name
            raise ValidationError({name: error.messages}) from None


def field_error(error: ValidationError) -> str:
    """“field first_name: Ensure …” for each field of a `ValidationError`."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        (f"field {name}: " if name != NON_FIELD_ERRORS else "")
        + " ".join(ValidationError(errors).messages)
        for name, errors in error.error_dict.items()
    )
