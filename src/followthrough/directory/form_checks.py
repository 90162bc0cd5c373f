"""Checks of what a member types into the directory's forms: lists of one value per line
(with an optional label, see `people.contact_lines`), messaging handles, map positions
and comma-separated names. Each raises a `ValidationError` naming the line it refuses."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from followthrough.limits import TAGS_MAX
from followthrough.people.contact_lines import ContactInput, im_from_line, split_label
from followthrough.people.geo import geo_position


def lines(text: str) -> list[tuple[int, str]]:
    """Non-empty, stripped lines with their 1-based line numbers."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def check_lines(
    text: str, check: Callable[[str], str], what: str, max_length: int = 400
) -> list[str]:
    """Validate each line with `check` (which may rewrite it); one error per bad line,
    naming the line number and its text."""
    values, errors = [], []
    for number, line in lines(text):
        try:
            if len(line) > max_length:
                raise ValidationError("too long")
            values.append(check(line))
        except ValidationError:
            errors.append(
                ValidationError(
                    "Line %(number)s: “%(line)s” is not a valid %(what)s.",
                    params={"number": number, "line": line[:80], "what": what},
                )
            )
    if errors:
        raise ValidationError(errors)
    return values


def check_labelled_lines(
    text: str, check: Callable[[str], str], what: str, max_length: int = 400
) -> list[ContactInput]:
    """Like `check_lines`, for lines with an optional label (`work: ada@example.org`,
    see `people.contact_lines`): the label is set aside and the value checked."""
    labels: list[str] = []

    def check_value(line: str) -> str:
        label, value = split_label(line)
        labels.append(label)
        return check(value)

    values = check_lines(text, check_value, what, max_length)
    return [ContactInput(value, label) for value, label in zip(values, labels, strict=True)]


def check_im_lines(text: str) -> list[ContactInput]:
    """Messaging handles as URIs, one per line (see `contact_lines.im_from_line`)."""
    found, errors = [], []
    for number, line in lines(text):
        handle = im_from_line(*split_label(line)) if len(line) <= 400 else None
        if handle is None:
            errors.append(
                ValidationError(
                    "Line %(number)s: “%(line)s” names no service: write it as "
                    "service:handle, e.g. skype:alice or xmpp:alice@example.org.",
                    params={"number": number, "line": line[:80]},
                )
            )
        else:
            found.append(ContactInput(handle[1], handle[0]))
    if errors:
        raise ValidationError(errors)
    return found


def check_geo(text: str) -> str:
    """ "lat,lon" in decimal degrees (spaces and a "geo:" prefix are forgiven)."""
    if not text.strip():
        return ""
    position = geo_position(text)
    if position is None:
        raise ValidationError(
            "Give the position as latitude,longitude in degrees (latitude within ±90, "
            "longitude within ±180), e.g. 52.52,13.405."
        )
    return position


def check_email(value: str) -> str:
    EmailValidator()(value)
    return value


def check_phone(value: str) -> str:
    if not re.search(r"\d", value) or not re.fullmatch(r"[\d\s()+\-./#*,;extEXT]+", value):
        raise ValidationError("not a phone number")
    return value


def check_link(value: str) -> str:
    # People paste "linkedin.com/in/ada"; a link without a scheme means https.
    if "://" not in value and not value.lower().startswith("mailto:"):
        value = "https://" + value
    URLValidator(schemes=["http", "https"])(value)
    return value


def split_commas(text: str, max_length: int, what: str) -> list[str]:
    """Comma-separated names, stripped, without blanks or case-insensitive repeats; at
    most `TAGS_MAX` of them."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            continue
        if len(name) > max_length:
            raise ValidationError(
                "The %(what)s “%(name)s…” is longer than %(max)s characters.",
                params={"what": what, "name": name[:30], "max": max_length},
            )
        names.setdefault(name.lower(), name)
    if len(names) > TAGS_MAX:
        raise ValidationError(
            "At most %(max)s %(what)ss (this gives %(count)s).",
            params={"max": TAGS_MAX, "what": what, "count": len(names)},
        )
    return list(names.values())
