"""What may be a link: the one rule for the web form, every importer and every exporter.

Only http and https addresses become links (a bare domain, `harbormutualaid.org`, means
https). Anything else a file may carry — `javascript:`, `data:`, `file:`, `ftp:` — is no
link: an importer keeps it as text in the notes, an exporter leaves it out, so nothing we
show or give back can be clicked into a script.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)  # not "host:8080"
_WEB = URLValidator(schemes=["http", "https"])


def web_link(value: str) -> str | None:
    """The http(s) address `value` names (a bare domain gains `https://`), or None when
    it is not a web address."""
    url = (value or "").strip()
    if not url:
        return None
    if not _SCHEME.match(url):
        url = "https://" + url
    try:
        _WEB(url)
    except ValidationError:
        return None
    return url
