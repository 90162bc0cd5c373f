from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from followthrough.limits import CADENCE_MAX_DAYS, NOTE_MAX
from followthrough.relationships.models import InteractionKind, Stage

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# The kinds a member logs with a person ("noticed" belongs to organizations' pages).
# What a member logs by hand: not "noticed" (the directory's) nor a stage change (the
# relationship form's).
PERSON_KINDS = [
    (k.value, k.label)
    for k in InteractionKind
    if k not in (InteractionKind.NOTICED, InteractionKind.STAGE_CHANGED)
]


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=PERSON_KINDS)
    occurred_at = forms.DateTimeField(label="When", widget=DATETIME_LOCAL)
    summary = forms.CharField(
        max_length=200,
        required=False,
        help_text="One line, e.g. “Coffee at Lulu's: talked tutors”.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=NOTE_MAX,
        help_text="Markdown.",
    )

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        now = timezone.now()
        if value > now + timedelta(minutes=5):
            raise forms.ValidationError(
                "An interaction cannot be in the future — add a follow-up instead."
            )
        if value.replace(second=0, microsecond=0) == now.replace(second=0, microsecond=0):
            # The form has minutes only: "now" is taken to the second, so an entry logged
            # in the same minute as a one-click one comes after it on the timeline.
            return now
        return value


class RelationshipForm(forms.Form):
    stage = forms.TypedChoiceField(choices=Stage.choices, coerce=int)
    owner = forms.TypedChoiceField(
        label="Who holds it", coerce=int, required=False, empty_value=None
    )
    cadence_days = forms.IntegerField(
        label="Keep in touch every (days)",
        required=False,
        min_value=1,
        max_value=CADENCE_MAX_DAYS,
        error_messages={
            "min_value": "A keep-in-touch cadence is at least 1 day.",
            "max_value": f"A keep-in-touch cadence is at most {CADENCE_MAX_DAYS} days (two years).",
        },
        help_text="Leave empty to use the default for the stage or tags.",
    )

    def __init__(self, *args, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Nobody yet")] + [
            (user.pk, user.get_full_name() or user.email) for user in members
        ]

    def clean_cadence_days(self):
        value = self.cleaned_data["cadence_days"]
        if value is not None and value < 1:
            raise forms.ValidationError("A cadence is at least 1 day.")
        return value


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_at = forms.DateTimeField(label="Due", widget=DATETIME_LOCAL)


class RescheduleForm(forms.Form):
    due_at = forms.DateTimeField(label="New due time", widget=DATETIME_LOCAL)


class SnoozeForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=90, initial=2)
