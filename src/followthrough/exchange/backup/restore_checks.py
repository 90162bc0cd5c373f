"""The checks a restore adds to the models' own (`restore_values.check_row`): values the
app relies on that no model field checks, and the rows nested in a person's record
(contact points, affiliations, details, relationship), named `contact_points[2].label`.

A person's address-book values, an affiliation's department and function, a contact
point's address parts and a person's details came with backup version 2: a record
without them (version 1) restores with them empty."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model

from followthrough.events.models import Event
from followthrough.exchange.backup.restore_values import EXTRA_CHECKS, check_row, day, short
from followthrough.exchange.models import ColumnMapping
from followthrough.people.geo import geo_position
from followthrough.people.models import (
    ADDRESS_PARTS,
    ANNIVERSARY_FIELDS,
    CARD_FIELDS,
    ContactKind,
    ContactPoint,
    Person,
    PersonDetail,
)
from followthrough.people.services import birthday_check, normalize_contact
from followthrough.workspaces.models import Workspace, validate_timezone


def _mapping_check(value: Any) -> None:
    # The import form reads a saved mapping as {"CSV header": "field name", …}.
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("must map column headers (text) to field names (text)")


def _address_parts_check(value: Any) -> None:
    # The profile and the vCard export read {part: text} with the parts of ADR.
    if not isinstance(value, dict):
        raise ValueError("must map address parts to text")
    for part, text in value.items():
        if part not in ADDRESS_PARTS:
            raise ValueError(f"has part {short(part)}, not one of {', '.join(ADDRESS_PARTS)}")
        if not isinstance(text, str):
            raise ValueError(f"part {part} is not text: {short(text)}")


def _geo_check(value: Any) -> None:
    # "latitude,longitude" in decimal degrees, as stored: the export writes it as GEO.
    if geo_position(value) == str(value):
        return
    raise ValueError(f"is not “latitude,longitude” in degrees: {short(value)}")


EXTRA_CHECKS.update(
    {
        (Event, "time_zone"): validate_timezone,  # read with ZoneInfo by the calendar feed
        (ColumnMapping, "mapping"): _mapping_check,
        (ContactPoint, "address_parts"): _address_parts_check,
        (Person, "geo"): _geo_check,
    }
)


def card_values(item: dict) -> dict[str, Any]:
    """A person record's `CARD_FIELDS` (empty when the record has none: version 1), the
    anniversary checked as a date; `check_row` checks the rest."""
    values = {
        name: item.get(name, None if name in ANNIVERSARY_FIELDS else "") for name in CARD_FIELDS
    }
    month, day_, year = (values[name] for name in ANNIVERSARY_FIELDS)
    if all(value is None or type(value) is int for value in (month, day_, year)):
        try:
            birthday_check(month, day_, year)
        except ValueError as error:
            message = str(error).replace("A birthday", "An anniversary")
            raise ValidationError({"anniversary": message}) from None
    return values


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
        address_parts=item.get("address_parts", {}),
    )


def detail_row(workspace: Workspace, item: dict) -> PersonDetail:
    return PersonDetail(
        workspace=workspace,
        kind=item["kind"],
        label=item["label"],
        params=item["params"],
        value=item["value"],
        position=item["position"],
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
