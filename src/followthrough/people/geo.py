"""A person's geographic position (`Person.geo`): "latitude,longitude" in decimal
degrees. One rule for the importers, the person form, the restore and the profile."""

from __future__ import annotations

import re

_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_POSITION = re.compile(rf"({_DECIMAL}),({_DECIMAL})")


def geo_position(text: str) -> str | None:
    """`text` as stored ("52.52,13.405": spaces, a "geo:" prefix and a leading + left
    out), or None when it is no position within ±90 and ±180. Decimals only: "nan"
    and "1e1" are floats, not positions."""
    match = _POSITION.fullmatch(str(text).strip().removeprefix("geo:").replace(" ", ""))
    if match is None:
        return None
    latitude, longitude = match.group(1).lstrip("+"), match.group(2).lstrip("+")
    if not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180):
        return None
    return f"{latitude},{longitude}"
