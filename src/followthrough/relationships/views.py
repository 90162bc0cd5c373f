"""Relationship pages: log an interaction, set stage/owner/cadence, act on follow-ups.

Every action accepts `next` so Today's one-click buttons return to Today (with HTMX the
redirect is followed and only the list is swapped).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from followthrough.people.models import Person
from followthrough.relationships import services
from followthrough.relationships.forms import (
    FollowUpForm,
    InteractionForm,
    RelationshipForm,
    RescheduleForm,
    SnoozeForm,
)
from followthrough.relationships.models import FollowUp, InteractionKind
from followthrough.relationships.services import RelationshipError
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    redirect_back,
    workspace_view,
)


def _person_url(request: WorkspaceRequest, person: Person) -> str:
    return reverse("people:person-detail", args=[request.workspace.slug, person.pk])


@workspace_view(write=True)
def interaction_log(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    person = get_for_workspace(Person, request.workspace, pk=person_id)
    initial = {
        "kind": request.GET.get("kind", InteractionKind.EMAIL_SENT),
        "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
    }
    form = InteractionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.relationship_log_interaction(
            person=person, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            f"Logged {form.cleaned_data['kind'].replace('_', ' ')} with {person.full_name}.",
        )
        return redirect_back(request, _person_url(request, person))
    return render(
        request,
        "relationships/interaction_form.html",
        {"form": form, "person": person, "nav": "people", "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@workspace_view(write=True)
def relationship_edit(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    person = get_for_workspace(
        Person.objects.select_related("relationship"), request.workspace, pk=person_id
    )
    relationship = person.relationship
    members = (
        get_user_model()
        .objects.filter(memberships__workspace=request.workspace)
        .order_by("first_name", "email")
    )
    form = RelationshipForm(
        request.POST or None,
        members=members,
        initial={
            "stage": relationship.stage,
            "owner": relationship.owner_id,
            "cadence_days": relationship.cadence_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.relationship_update(
            relationship=relationship,
            stage=data["stage"],
            owner=members.get(pk=data["owner"]) if data["owner"] else None,
            clear_owner=data["owner"] is None,
            cadence_days=data["cadence_days"],
            clear_cadence=data["cadence_days"] is None,
            actor=request.user,
        )
        messages.success(request, "Relationship updated.")
        return redirect_back(request, _person_url(request, person))
    return render(
        request,
        "relationships/relationship_form.html",
        {"form": form, "person": person, "nav": "people"},
        status=400 if form.errors else 200,
    )


@workspace_view(write=True)
def follow_up_new(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    person = get_for_workspace(Person, request.workspace, pk=person_id)
    form = FollowUpForm(
        request.POST or None,
        initial={
            "title": f"Check in with {person.full_name}",
            "due_at": (timezone.localtime() + timedelta(days=7)).replace(
                hour=9, minute=0, second=0, microsecond=0
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        services.follow_up_create(person=person, assigned_to=request.user, **form.cleaned_data)
        messages.success(request, "Follow-up added.")
        return redirect_back(request, _person_url(request, person))
    return render(
        request,
        "relationships/follow_up_form.html",
        {"form": form, "person": person, "nav": "people"},
        status=400 if form.errors else 200,
    )


def _follow_up(request: WorkspaceRequest, pk: int) -> FollowUp:
    return get_for_workspace(FollowUp.objects.select_related("person"), request.workspace, pk=pk)


def _today_url(request: WorkspaceRequest) -> str:
    return reverse("agenda:today", args=[request.workspace.slug])


@require_POST
@workspace_view(write=True)
def follow_up_done(request: WorkspaceRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    try:
        services.follow_up_done(follow_up=follow_up)
    except RelationshipError as error:
        messages.error(request, str(error))
    return redirect_back(request, _today_url(request))


@require_POST
@workspace_view(write=True)
def follow_up_snooze(request: WorkspaceRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    # The button posts only the CSRF token and `next`; a form may add `days`.
    form = SnoozeForm({"days": request.POST.get("days") or 2})
    if not form.is_valid():
        messages.error(request, "Snooze for 1 to 90 days.")
        return redirect_back(request, _today_url(request))
    try:
        services.follow_up_snooze(follow_up=follow_up, days=form.cleaned_data["days"])
    except RelationshipError as error:
        messages.error(request, str(error))
    return redirect_back(request, _today_url(request))


@workspace_view(write=True)
def follow_up_reschedule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up(request, pk)
    form = RescheduleForm(
        request.POST or None, initial={"due_at": timezone.localtime(follow_up.due_at)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_reschedule(follow_up=follow_up, due_at=form.cleaned_data["due_at"])
            return redirect_back(request, _today_url(request))
        except RelationshipError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "relationships/reschedule_form.html",
        {"form": form, "follow_up": follow_up, "nav": "today"},
        status=400 if form.errors else 200,
    )
