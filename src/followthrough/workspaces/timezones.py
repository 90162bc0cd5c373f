"""The time zones a person chooses from: the tz database's places, grouped by region and
named readably, without its internal and legacy names (`Factory`, `localtime`,
`posixrules`, `US/Eastern`, `EST5EDT`, `Etc/GMT+5`…) that nobody would look for.

A workspace may still hold any zone the database knows (an older workspace, or an
import's `--time-zone`): a form showing it keeps it in the list (`zone_choices`).
"""

from __future__ import annotations

import zoneinfo
from functools import cache

UTC = "UTC"
# The tz database's regions of real places, in the order the list shows them.
REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)

Choices = list[tuple[str, str] | tuple[str, list[tuple[str, str]]]]


def zone_label(name: str) -> str:
    """`America/Argentina/Buenos_Aires` → "Argentina / Buenos Aires" (the region is the
    group's name)."""
    region, _, place = name.partition("/")
    return (place or region).replace("_", " ").replace("/", " / ")


@cache
def offered_zones() -> tuple[str, ...]:
    """Every zone offered, UTC first, then by region and place."""
    names = [name for name in zoneinfo.available_timezones() if name.split("/", 1)[0] in REGIONS]
    order = {region: index for index, region in enumerate(REGIONS)}
    names.sort(key=lambda name: (order[name.split("/", 1)[0]], zone_label(name)))
    return (UTC, *names)


def zone_choices(current: str = "") -> Choices:
    """Choices for a `<select>`: UTC, then one group per region. `current` (a zone the
    workspace holds that is not offered, such as `US/Eastern`) is kept at the top."""
    choices: Choices = [(UTC, "UTC (Coordinated Universal Time)")]
    if current and current not in offered_zones() and current in zoneinfo.available_timezones():
        choices.insert(0, (current, current))
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in offered_zones()[1:]:
        groups.setdefault(name.split("/", 1)[0], []).append((name, zone_label(name)))
    choices += [(region, zones) for region, zones in groups.items()]
    return choices
