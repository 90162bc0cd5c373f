"""LinkedIn profile links: one canonical spelling, so a profile is a plain lookup.

People paste profiles as `linkedin.com/in/ada`, `https://de.linkedin.com/in/Ada/?x=1`,
`www.linkedin.com/pub/ada`; LinkedIn's own export writes `https://www.linkedin.com/in/ada`.
A link's `ContactPoint.normalized` holds the canonical form, so the same profile is the
same key wherever it came from — imports find people by it with the contact-point index,
and the duplicates page groups by it.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

PREFIX = "https://www.linkedin.com/in/"
PROFILE_URL = re.compile(
    r"^\s*(?:https?://)?(?:[a-z0-9-]+\.)*linkedin\.com(?::\d+)?/+(?:in|pub)/+([^/?#\s]+)",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def linkedin_canonical(url: str) -> str:
    """`https://www.linkedin.com/in/<slug>` for any spelling of a LinkedIn profile URL
    (scheme or not, `www.`/country host, trailing slash, query, case, %-escapes); ""
    otherwise. One regular expression, no URL parsing: it runs for every imported row."""
    found = PROFILE_URL.match(url or "")
    if not found:
        return ""
    slug = found.group(1)
    if "%" in slug:
        slug = unquote(slug)
    return f"{PREFIX}{slug.lower()}"


def is_profile(normalized: str) -> bool:
    """Whether a link's normalized value is a LinkedIn profile."""
    return normalized.startswith(PREFIX)
