"""Small factory helpers with keyword overrides (no fixtures files)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from followthrough.events.models import Event
from followthrough.events.services import event_create
from followthrough.people.models import Organization, Person
from followthrough.people.services import organization_create, person_create
from followthrough.site.services import workspace_open
from followthrough.workspaces.models import Membership, Role, Workspace

_seq = itertools.count(1)

PASSWORD = "correct horse battery staple"


def make_user(email: str | None = None, **kwargs: Any):
    email = email or f"user{next(_seq)}@example.org"
    return get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, **kwargs
    )


def make_workspace(name: str | None = None, owner=None, **kwargs: Any) -> Workspace:
    owner = owner or make_user()
    return workspace_open(name=name or f"Workspace {next(_seq)}", owner=owner, **kwargs)


def add_member(workspace: Workspace, user=None, role: str = Role.MEMBER):
    user = user or make_user()
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


def make_person(workspace: Workspace, **kwargs: Any) -> Person:
    kwargs.setdefault("first_name", f"Person{next(_seq)}")
    kwargs.setdefault("last_name", "Example")
    return person_create(workspace=workspace, **kwargs)


def make_org(workspace: Workspace, **kwargs: Any) -> Organization:
    kwargs.setdefault("name", f"Organization {next(_seq)}")
    return organization_create(workspace=workspace, **kwargs)


def make_event(workspace: Workspace, starts_at: datetime | None = None, **kwargs: Any) -> Event:
    kwargs.setdefault("title", f"Event {next(_seq)}")
    starts_at = starts_at or timezone.now() - timedelta(hours=3)
    kwargs.setdefault("ends_at", starts_at + timedelta(hours=2))
    return event_create(workspace=workspace, starts_at=starts_at, **kwargs)
