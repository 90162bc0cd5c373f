"""Small helpers shared by the events view tests."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from followthrough.workspaces.models import Workspace


def url(name: str, workspace: Workspace, *args: Any) -> str:
    return reverse(f"events:{name}", args=[workspace.slug, *args])


def htmx(**headers: str) -> dict[str, str]:
    """Headers of an HTMX request (what `request.htmx` looks at)."""
    return {"HTTP_HX_REQUEST": "true", **headers}
