"""Forms of the events pages. Dates and times are typed in the workspace's time zone
(`workspace_view` activates it) and come out timezone-aware."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from followthrough.events.days import all_day_bounds, day_span
from followthrough.events.models import EVENT_FIELDS, Event, EventKind, Rsvp
from followthrough.limits import ID_MAX, NOTE_MAX

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; its value has no time zone of its own."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL_FORMAT)


class EventForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the event a title."})
    kind = forms.ChoiceField(
        choices=EventKind.choices,
        initial=EventKind.ATTENDED,
        help_text="Hosted: you organize it and invite the guests.",
    )
    starts_at = forms.DateTimeField(
        label="Starts",
        widget=DateTimeLocalInput(),
        error_messages={"required": "When does it start?"},
    )
    ends_at = forms.DateTimeField(label="Ends", required=False, widget=DateTimeLocalInput())
    all_day = forms.BooleanField(
        label="All day",
        required=False,
        help_text="Only the dates count: from the day it starts to the day it ends.",
    )
    location = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown: **bold**, *italic*, lists and links.",
    )
    cancelled = forms.BooleanField(
        label="Cancelled",
        required=False,
        help_text="Called off: it stays with its people and notes, and leaves Today.",
    )

    def __init__(
        self,
        *args: Any,
        timezone_name: str = "UTC",
        event_zone: str = "",
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        """`event_zone`: the event's own time zone (an imported event's), whose midnights
        an all-day event's days are. Only an event that exists can be called off."""
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["cancelled"]
        self.fields["starts_at"].help_text = f"Time in {timezone_name}."
        self.event_zone = event_zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", "An event cannot end before it starts.")
        elif starts_at and cleaned.get("all_day"):
            # The days as typed (in the workspace's zone), stored as midnights.
            first = timezone.localtime(starts_at).date()
            last = timezone.localtime(ends_at).date() if ends_at else first
            cleaned["starts_at"], cleaned["ends_at"] = all_day_bounds(first, last, self.event_zone)
        return cleaned

    @staticmethod
    def initial_of(event: Event) -> dict[str, Any]:
        """The form's values for `event`; an all-day event's first and last day as
        typed dates (its stored end is the midnight after its last day)."""
        initial = {name: getattr(event, name) for name in EVENT_FIELDS}
        if event.all_day:
            days = day_span(event.starts_at, event.ends_at, event.time_zone)
            initial["starts_at"] = datetime.combine(days.first, time(0))
            initial["ends_at"] = datetime.combine(days.last or days.first, time(0))
        return initial


class AttendeeAddForm(forms.Form):
    """Either someone already in the directory (`person_id`), or a new person by name."""

    person_id = forms.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput
    )
    first_name = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    last_name = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    email = forms.EmailField(
        label="E-mail (optional)",
        required=False,
        widget=forms.EmailInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    # Rendered above both ways of adding; it belongs to the new-person form, and the
    # search results' Add buttons include it with HTMX (without JS they use the default).
    rsvp = forms.ChoiceField(
        label="RSVP",
        choices=Rsvp.choices,
        required=False,
        initial=Rsvp.ACCEPTED,
        widget=forms.Select(attrs={"form": "attendee-add-form"}),
    )

    def clean_rsvp(self) -> str:
        return self.cleaned_data.get("rsvp") or Rsvp.ACCEPTED

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        named = (cleaned.get("first_name") or "").strip() or (cleaned.get("last_name") or "")
        if not cleaned.get("person_id") and not named and "first_name" not in self.errors:
            self.add_error("first_name", "Type a first or last name, or find someone above.")
        return cleaned


class OverrideForm(forms.Form):
    """The deliberate override of the focus pick limit, with an optional reason."""

    override = forms.BooleanField(required=False)
    reason = forms.CharField(
        label="Why this person too? (optional)", max_length=300, required=False
    )


class PickForm(OverrideForm):
    person_id = forms.IntegerField(min_value=1, max_value=ID_MAX)


def _name_input(**extra: Any) -> forms.TextInput:
    # autocomplete is off on purpose: these are other people's names, and the browser
    # would otherwise offer the phone owner's own.
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "autocapitalize": "words",
            "autocorrect": "off",
            "spellcheck": "false",
            "enterkeyhint": "next",
            **extra,
        }
    )


class CaptureForm(forms.Form):
    """The phone form: one person met at an event, in a few taps."""

    first_name = forms.CharField(max_length=100, required=False, widget=_name_input(autofocus=True))
    last_name = forms.CharField(max_length=100, required=False, widget=_name_input())
    email = forms.EmailField(
        label="E-mail (optional)",
        required=False,
        widget=forms.EmailInput(
            attrs={
                "inputmode": "email",
                "autocomplete": "off",
                "autocapitalize": "none",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "next",
            }
        ),
    )
    organization = forms.CharField(
        label="Organization (optional)", max_length=200, required=False, widget=_name_input()
    )
    note = forms.CharField(
        label="Short note (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "autocapitalize": "sentences", "enterkeyhint": "done"}
        ),
    )
    pick = forms.BooleanField(label="Get to know (focus pick)", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        first, last = cleaned.get("first_name") or "", cleaned.get("last_name") or ""
        if not first.strip() and not last.strip() and "first_name" not in self.errors:
            self.add_error("first_name", "Type a first or last name.")
        return cleaned
