"""Events pages: the list, an event with its attendees and focus picks, quick capture.

Every write works as a plain form POST (answered with a 303 to the page) and, with HTMX,
swaps only its region (`_event_people.html`, `_capture_form.html`). HTMX answers are 200
even for form errors, because HTMX does not swap 4xx responses.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from followthrough.events import selectors, services
from followthrough.events.forms import (
    AttendeeAddForm,
    CaptureForm,
    EventForm,
    OverrideForm,
    PickForm,
)
from followthrough.events.models import Event
from followthrough.events.services import EventError, FocusLimitReached
from followthrough.people.models import Person
from followthrough.people.pages import page_number
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.responses import is_partial, render_page_or_partial, see_other

PAGE_SIZE = 25


def _event(request: WorkspaceRequest, pk: int) -> Event:
    event = get_for_workspace(Event, request.workspace, pk=pk)
    event.workspace = request.workspace  # the same row, already loaded: spares a query
    return event


def _person(request: WorkspaceRequest, person_id: int) -> Person:
    return get_for_workspace(Person, request.workspace, pk=person_id)


def _detail_url(event: Event) -> str:
    return reverse("events:event-detail", args=[event.workspace.slug, event.pk])


@require_safe
@workspace_view
def event_list(request: WorkspaceRequest) -> HttpResponse:
    now = timezone.now()
    page = selectors.event_list(
        workspace=request.workspace,
        now=now,
        number=page_number(request.GET.get("page")),
        per_page=PAGE_SIZE,
    )
    rows = page.object_list
    return render(
        request,
        "events/event_list.html",
        {
            "nav": "events",
            "page": page,
            "now": now,
            "upcoming": [e for e in rows if e.is_upcoming],
            "past": [e for e in rows if not e.is_upcoming],
        },
    )


def _event_form_page(
    request: WorkspaceRequest, form: EventForm, event: Event | None, then: str
) -> HttpResponse:
    return render(
        request,
        "events/event_form.html",
        {"nav": "events", "form": form, "event": event, "then": then},
        status=400 if form.errors else 200,
    )


@workspace_view(write=True)
def event_new(request: WorkspaceRequest) -> HttpResponse:
    """`?then=capture` (from quick capture) goes on to capture people at the new event."""
    then = "capture" if request.GET.get("then", request.POST.get("then")) == "capture" else ""
    bound = request.POST if request.method == "POST" else None
    form = EventForm(bound, timezone_name=request.workspace.timezone)
    if bound is not None and form.is_valid():
        try:
            event = services.event_create(workspace=request.workspace, **form.cleaned_data)
        except EventError as error:
            form.add_error(None, str(error))
        else:
            if then == "capture":
                return see_other("events:capture-event", request.workspace.slug, event.pk)
            messages.success(request, f"Added {event.title}.")
            return see_other(_detail_url(event))
    return _event_form_page(request, form, None, then)


@workspace_view(write=True)
def event_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    bound = request.POST if request.method == "POST" else None
    form = EventForm(
        bound,
        initial=EventForm.initial_of(event),
        timezone_name=request.workspace.timezone,
        event_zone=event.time_zone,
        editing=True,
    )
    if bound is not None and form.is_valid():
        try:
            services.event_update(event=event, **form.cleaned_data)
        except EventError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {event.title}.")
            return see_other(_detail_url(event))
    return _event_form_page(request, form, event, "")


def _people_page(
    request: WorkspaceRequest, event: Event, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The event page, or with HTMX only its attendees-and-picks region."""
    query = request.GET.get("q", "").strip()
    detail = selectors.event_detail(event=event)
    context = {
        "nav": "events",
        "event": event,
        "now": timezone.now(),
        "detail": detail,
        "suggestions": selectors.attendees_to_meet(detail=detail),
        "add_form": AttendeeAddForm(),
        "search_query": query,
        "results": selectors.attendee_search(event=event, query=query) if query else [],
        **extra,
    }
    return render_page_or_partial(
        request, "events/event_detail.html", "events/_event_people.html", context, status=status
    )


def _people_done(request: WorkspaceRequest, event: Event, notice: str) -> HttpResponse:
    """After a successful write: the fresh region (HTMX), or a redirect to the page."""
    if is_partial(request):
        return _people_page(request, event, notice=notice)
    messages.success(request, notice)
    return see_other(_detail_url(event))


@require_safe
@workspace_view
def event_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _people_page(request, _event(request, pk))


@require_safe
@workspace_view
def attendee_search(request: WorkspaceRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    query = request.GET.get("q", "").strip()
    results = selectors.attendee_search(event=event, query=query)
    return render(
        request,
        "events/_attendee_search.html",
        {"event": event, "results": results, "search_query": query},
    )


@require_POST
@workspace_view(write=True)
def attendee_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = AttendeeAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Look the person up first: a stranger's id is a 404 and nothing is created.
        person = _person(request, data["person_id"]) if data["person_id"] else None
        try:
            if person is not None:
                services.attendance_add(
                    event=event, person=person, rsvp=data["rsvp"], actor=request.user
                )
            else:
                person = services.attendance_add_new_person(
                    event=event,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    rsvp=data["rsvp"],
                    actor=request.user,
                ).person
        except EventError as error:
            form.add_error(None, str(error))
        else:
            return _people_done(request, event, f"Added {person.full_name} to the attendees.")
    return _people_page(request, event, status=400, add_form=form)


@require_POST
@workspace_view(write=True)
def attendee_remove(request: WorkspaceRequest, pk: int, person_id: int) -> HttpResponse:
    event = _event(request, pk)
    person = _person(request, person_id)
    services.attendance_remove(event=event, person=person)
    return _people_done(request, event, f"Removed {person.full_name} from the attendees.")


@require_POST
@workspace_view(write=True)
def focus_pick(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Pick a person; past the limit, answer with a confirmation that posts `override=1`."""
    event = _event(request, pk)
    form = PickForm(request.POST)
    valid = form.is_valid()
    if "person_id" in form.errors:
        return HttpResponseBadRequest("Say whom to pick.")
    person = _person(request, form.cleaned_data["person_id"])
    if not valid:
        return _people_page(
            request,
            event,
            status=400,
            confirm={
                "person": person,
                "form": form,
                "message": "Keep the reason under 300 characters.",
            },
        )
    try:
        services.focus_pick(
            event=event,
            person=person,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            override=form.cleaned_data["override"],
        )
    except FocusLimitReached as error:
        return _people_page(
            request, event, confirm={"person": person, "form": form, "message": str(error)}
        )
    except EventError as error:
        return _people_page(request, event, status=400, notice=str(error))
    return _people_done(request, event, f"Picked {person.full_name} to get to know.")


@require_POST
@workspace_view(write=True)
def focus_unpick(request: WorkspaceRequest, pk: int, person_id: int) -> HttpResponse:
    event = _event(request, pk)
    person = _person(request, person_id)
    services.focus_unpick(event=event, person=person)
    return _people_done(
        request, event, f"Unpicked {person.full_name}; their follow-up is cancelled."
    )


@require_safe
@workspace_view(write=True)
def capture(request: WorkspaceRequest) -> HttpResponse:
    """Go to the event on now (or just past); else ask which event, or to add one."""
    now = timezone.now()
    if request.GET.get("choose") != "1":
        event = selectors.capture_event_for(workspace=request.workspace, now=now)
        if event is not None:
            return redirect("events:capture-event", request.workspace.slug, event.pk)
    events = selectors.capture_recent_events(workspace=request.workspace, now=now)
    return render(request, "events/capture_choose.html", {"nav": "events", "events": events})


def _capture_page(
    request: WorkspaceRequest, event: Event, form: CaptureForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    if "confirm" in extra:  # focus goes to the question, not back to the first name
        form.fields["first_name"].widget.attrs.pop("autofocus", None)
    recent = selectors.capture_recent_people(event=event)
    context = {"nav": "events", "event": event, "form": form, "recent": recent, **extra}
    added = extra.get("added")
    if added is not None and "added_picked" not in extra:
        context["added_picked"] = any(a.is_picked for a in recent if a.person_id == added.pk)
    return render_page_or_partial(
        request, "events/capture.html", "events/_capture_form.html", context, status=status
    )


@workspace_view(write=True)
def capture_event(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The phone form. After a save the form comes back empty, saying whom it added."""
    event = _event(request, pk)
    if request.method != "POST":
        added_id = request.GET.get("added", "")
        added = _person(request, int(added_id)) if added_id.isdigit() else None
        return _capture_page(request, event, CaptureForm(), added=added)
    form, override = CaptureForm(request.POST), OverrideForm(request.POST)
    if form.is_valid() and override.is_valid():
        data = form.cleaned_data
        pick = data["pick"] and not request.POST.get("skip_pick")
        try:
            person = services.quick_capture(
                event=event,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                organization_name=data["organization"],
                note=data["note"],
                pick=pick,
                actor=request.user,
                override=override.cleaned_data["override"],
                reason=override.cleaned_data["reason"],
            )
        except FocusLimitReached as error:
            return _capture_page(request, event, form, confirm=str(error), override_form=override)
        except ValueError as error:  # EventError, or person_create's missing name
            form.add_error(None, str(error))
        else:
            if is_partial(request):
                return _capture_page(request, event, CaptureForm(), added=person, added_picked=pick)
            url = reverse("events:capture-event", args=[request.workspace.slug, event.pk])
            return see_other(f"{url}?added={person.pk}")
    elif form.is_valid():
        return _capture_page(
            request,
            event,
            form,
            status=400,
            confirm="Keep the reason under 300 characters.",
            override_form=override,
        )
    return _capture_page(request, event, form, status=400)
