"""The one place a request becomes a workspace member, and objects are fetched by it.

Another workspace's object is always a 404 — never a 403 that would confirm it exists.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone

from followthrough.workspaces.models import Membership, Workspace
from followthrough.workspaces.responses import see_other

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails

M = TypeVar("M", bound=models.Model)


class WorkspaceRequest(HttpRequest):
    """A request that passed `workspace_view`: it carries the member and the workspace."""

    user: User
    workspace: Workspace
    membership: Membership
    htmx: HtmxDetails  # set by django-htmx's middleware


def memberships_visible(user: Any) -> models.QuerySet[Membership]:
    """The user's memberships of the workspaces they may see: not one being restored
    (`Workspace.restoring`: half written, and deleted if the restore fails)."""
    return Membership.objects.filter(user=user, workspace__restoring=False)


def membership_for(user: Any, slug: str) -> Membership:
    """The user's membership of the workspace with this slug, or 404 (also while the
    workspace is being restored)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        return memberships_visible(user).select_related("workspace").get(workspace__slug=slug)
    except Membership.DoesNotExist:
        raise Http404 from None


def workspace_view(
    view: Callable[..., HttpResponseBase] | None = None,
    *,
    write: bool = False,
    owner: bool = False,
) -> Any:
    """Guard a view under `/w/<workspace_slug>/`: login, membership, role, time zone.

    `write=True` refuses viewers (403, since they are members and may know the object);
    `owner=True` refuses everyone but owners.
    """

    def decorator(func: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(func)
        def wrapper(
            request: HttpRequest, workspace_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            membership = membership_for(request.user, workspace_slug)
            if owner and not membership.is_owner:
                raise PermissionDenied("Only the workspace's owners can do this.")
            if write and not membership.can_write:
                raise PermissionDenied("Viewers can look but not change.")
            # The request becomes a WorkspaceRequest: Django requests take any attribute.
            request.membership = membership  # type: ignore[attr-defined]
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            with timezone.override(zoneinfo.ZoneInfo(membership.workspace.timezone)):
                return func(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


def get_for_workspace(
    model_or_queryset: type[M] | models.QuerySet[M], workspace: Workspace, **lookup: Any
) -> M:
    """Fetch one row of this workspace, or 404 (for a missing row and a stranger's alike)."""
    if isinstance(model_or_queryset, models.QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    return get_object_or_404(queryset.filter(workspace=workspace), **lookup)


def redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect (303) to the form's `next` when it is a path of this site, else to `default`.

    Off-site and scheme-relative targets (`//evil.example`) are ignored, and so is a bare
    word, which `see_other` would take for a view name (and fail on: a 500).
    """
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return see_other(target)
