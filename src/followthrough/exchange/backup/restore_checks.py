"""The checks a restore adds to the models' own (`restore_values.check_row`): values the
app relies on that no model field checks, and the rows nested in a person's record
(contact points, affiliations, relationship), named `contact_points[2].label`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model

from followthrough.events.models import Event
from followthrough.exchange.backup.restore_values import EXTRA_CHECKS, check_row, day
from followthrough.exchange.models import ColumnMapping
from followthrough.people.models import ContactKind, ContactPoint
from followthrough.people.services import normalize_contact
from followthrough.workspaces.models import Workspace, validate_timezone


def _mapping_check(value: Any) -> None:
    # The import form reads a saved mapping as {"CSV header": "field name", …}.
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("must map column headers (text) to field names (text)")


EXTRA_CHECKS.update(
    {
        (Event, "time_zone"): validate_timezone,  # read with ZoneInfo by the calendar feed
        (ColumnMapping, "mapping"): _mapping_check,
    }
)


def user_item(item: dict) -> str:
    email = item["email"]
    if not isinstance(email, str):
        raise ValidationError({"email": "is not text"})
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from None
    for name in ("first_name", "last_name"):
        if not isinstance(item.get(name, ""), str):
            raise ValidationError({name: "is not text"})
    return email


def contact_point_row(workspace: Workspace, item: dict) -> ContactPoint:
    kind, value = item["kind"], item["value"]
    if kind not in ContactKind.values:
        raise ValidationError({"kind": f"is not one of {', '.join(ContactKind.values)}"})
    if not isinstance(value, str):
        raise ValidationError({"value": "is not text"})
    return ContactPoint(
        workspace=workspace,
        kind=kind,
        value=value,
        normalized=normalize_contact(kind, value),
        label=item["label"],
        position=item["position"],
        connected_on=day(item, "connected_on") if "connected_on" in item else None,
    )


def listed(item: dict, key: str) -> list[Any]:
    value = item[key]
    if not isinstance(value, list):
        raise ValidationError({key: "is not a list"})
    return value


def nested(prefix: str, make: Callable[[dict], Model], item: Any) -> Model:
    """A row nested in a record (a person's contact point), checked, its errors named
    `prefix.field` (“contact_points[2].label”)."""
    try:
        if not isinstance(item, dict):
            raise ValidationError({prefix: "is not an object"})
        row = make(item)
        check_row(row, prefix, unset=("person",))
        return row
    except KeyError as error:
        raise ValidationError({f"{prefix}.{error.args[0]}": "is missing"}) from None
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({prefix: error.messages}) from None
        if all(name.startswith(prefix) for name in error.error_dict):
            raise
        raise ValidationError(
            {f"{prefix}.{name}": errors for name, errors in error.error_dict.items()}
        ) from None
    except (TypeError, ValueError) as error:
        raise ValidationError({prefix: str(error)}) from None
