"""Every URL that answers both with a page and, for HTMX, with one region of it: the
fragment only for HTMX, the page for a history restore (htmx asks for the whole page
after a miss in its history cache), and `Vary` on those headers whichever it sends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followthrough.exchange.models import ImportBatch, ImportStatus
from tests.factories import make_event

DATA = Path(__file__).parent / "exchange" / "data"
HTMX = {"HX-Request": "true"}
RESTORE = {**HTMX, "HX-History-Restore-Request": "true"}


def _pending_preview(client, workspace, settings) -> str:
    """A large upload whose background preview has not started (tasks run on commit,
    which never comes in a test's transaction)."""
    settings.IMPORT_PREVIEW_INLINE_BYTES = 10
    upload = client.post(
        reverse("exchange:import", args=[workspace.slug]),
        {
            "format": "linkedin",
            "file": SimpleUploadedFile("c.csv", (DATA / "linkedin_Connections.csv").read_bytes()),
            "time_zone": "UTC",
        },
    )
    assert upload.status_code == 303
    token = parse_qs(urlsplit(upload["Location"]).query)["token"][0]
    return reverse("exchange:import-preview", args=[workspace.slug]) + f"?token={token}"


def _import_status(client, workspace, settings) -> str:
    batch = ImportBatch.objects.create(
        workspace=workspace, format="linkedin", filename="c.csv", status=ImportStatus.DONE
    )
    return reverse("exchange:import-status", args=[workspace.slug, batch.pk])


def _event(name: str) -> Callable[..., str]:
    def url(client, workspace, settings) -> str:
        return reverse(f"events:{name}", args=[workspace.slug, make_event(workspace).pk])

    return url


def _list(name: str) -> Callable[..., str]:
    return lambda client, workspace, settings: reverse(name, args=[workspace.slug])


PAGES = {
    "people": _list("people:person-list"),
    "organizations": _list("people:organization-list"),
    "today": _list("agenda:today"),
    "event": _event("event-detail"),
    "capture": _event("capture-event"),
    "import status": _import_status,
    "import preview": _pending_preview,
}


@pytest.fixture(params=list(PAGES))
def page_url(request, owner_client, workspace, settings, media_root) -> str:
    return PAGES[request.param](owner_client, workspace, settings)


def _get(client, url: str, headers: dict[str, str]) -> tuple[bool, set[str]]:
    """(whether it is a whole page, the headers it varies on)."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    vary = {h.strip() for h in response.get("Vary", "").split(",")}
    return "<html" in response.content.decode(), vary


def test_htmx_gets_the_fragment_a_plain_request_and_a_history_restore_the_page(
    owner_client, page_url
):
    for headers, whole in [({}, True), (HTMX, False), (RESTORE, True)]:
        is_page, vary = _get(owner_client, page_url, headers)
        assert is_page is whole, headers
        assert {"HX-Request", "HX-History-Restore-Request"} <= vary, headers


def test_no_template_comment_spans_lines():
    """Django's `{# … #}` is one line only: spread over several, it is shown as text (as
    Today once showed its own comment). Longer notes use {% comment %}."""
    from pathlib import Path

    import followthrough

    templates = Path(followthrough.__file__).parent / "templates"
    spread = [
        f"{path.relative_to(templates)}:{number}"
        for path in templates.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert spread == []


def test_typed_text_and_names_read_in_their_own_direction(owner_client, workspace):
    """Arabic and Hebrew read right: every text box and the names on a page carry
    dir="auto" (a widget template of ours, so every form has it)."""
    import re

    from django.urls import reverse

    from tests.factories import make_person

    person = make_person(workspace, first_name="ليلى", last_name="حداد")
    form = owner_client.get(reverse("people:person-new", args=[workspace.slug])).content.decode()
    for name in ("first_name", "notes", "emails"):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', form)
        assert tag and 'dir="auto"' in tag.group(0), name
    page = owner_client.get(reverse("people:person-detail", args=[workspace.slug, person.pk]))
    assert '<h1 dir="auto">ليلى حداد</h1>' in page.content.decode()
    listing = owner_client.get(reverse("people:person-list", args=[workspace.slug]))
    assert '<strong dir="auto">ليلى حداد</strong>' in listing.content.decode()
