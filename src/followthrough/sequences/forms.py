"""The sequence form and its steps' formset; errors name the step they belong to."""

from __future__ import annotations

from typing import Any

from django import forms

from followthrough.limits import ID_MAX, TEXT_MAX
from followthrough.sequences.models import Sequence, SequenceStep, StepAction
from followthrough.sequences.services.editing import SequenceSpec, StepSpec


class SequenceForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=TEXT_MAX,
        help_text="What it is for.",
    )
    start_on_focus_pick = forms.BooleanField(
        label="Start it for everyone picked as a focus person at an event",
        required=False,
        help_text="One sequence of the workspace at most. The pick's follow-up becomes step 1.",
    )

    @classmethod
    def for_sequence(cls, sequence: Sequence | None, data: Any = None) -> SequenceForm:
        initial = (
            {
                "name": sequence.name,
                "description": sequence.description,
                "start_on_focus_pick": sequence.start_on_focus_pick,
            }
            if sequence
            else {}
        )
        return cls(data, initial=initial)


class StepForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=ID_MAX)
    day_offset = forms.IntegerField(
        label="Days after", min_value=0, max_value=3650,
        help_text="After the start (step 1) or after the step before is done.",
    )  # fmt: skip
    action = forms.ChoiceField(label="What to do", choices=StepAction.choices)
    title = forms.CharField(
        label="Wording", max_length=150, required=False,
        help_text="As it shows on Today, e.g. “Send the thank-you e-mail”.",
    )  # fmt: skip
    template_key = forms.SlugField(
        label="E-mail template", max_length=100, required=False,
        help_text="The key of the e-mail template to write from (template e-mails).",
    )  # fmt: skip
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=TEXT_MAX
    )
    stop_on_reply = forms.BooleanField(
        label="A reply while this step waits ends the sequence", required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == StepAction.EMAIL and not data.get("template_key"):
            self.add_error("template_key", "Name the e-mail template this step sends.")
        return data


StepFormSet = forms.formset_factory(
    StepForm,
    extra=1,
    can_delete=True,
    can_order=True,
    min_num=1,
    validate_min=True,
)


def step_formset(sequence: Sequence | None, data: Any = None) -> forms.BaseFormSet:
    steps: list[SequenceStep] = list(sequence.steps.all()) if sequence else []
    initial = [
        {
            "id": s.pk,
            "day_offset": s.day_offset,
            "action": s.action,
            "title": s.title,
            "template_key": s.template_key,
            "instructions": s.instructions,
            "stop_on_reply": s.stop_on_reply,
            "ORDER": number,
        }
        for number, s in enumerate(steps, 1)
    ]
    return StepFormSet(data, initial=initial, prefix="steps")


def spec_from_forms(
    form: SequenceForm, formset: forms.BaseFormSet, *, archived: bool
) -> SequenceSpec:
    """The sequence as the forms describe it, steps in their chosen order (both valid)."""
    steps = [
        StepSpec(
            id=f.cleaned_data.get("id"),
            day_offset=f.cleaned_data["day_offset"],
            action=f.cleaned_data["action"],
            title=f.cleaned_data.get("title", ""),
            template_key=f.cleaned_data.get("template_key", ""),
            instructions=f.cleaned_data.get("instructions", ""),
            stop_on_reply=f.cleaned_data.get("stop_on_reply", False),
        )
        for f in formset.ordered_forms
    ]
    return SequenceSpec(
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        start_on_focus_pick=form.cleaned_data["start_on_focus_pick"],
        archived=archived,
        steps=steps,
    )


def step_errors(formset: forms.BaseFormSet) -> list[tuple[str, str, str]]:
    """(step label, field label, message) for every error, for the summary at the top:
    "Step 2 — Days after: Ensure this value is greater than or equal to 0."."""
    found = [("Steps", "", str(e)) for e in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, 1):
        for name, errors in form.errors.items():
            label = "" if name == "__all__" else str(form.fields[name].label or name)
            found += [(f"Step {number}", label, str(e)) for e in errors]
    return found
