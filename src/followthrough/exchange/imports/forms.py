"""The import form (which format, which file, and the options its parser needs) and the
column-mapping form of "any CSV" (which person field each column of the file holds)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from followthrough.events.models import Event
from followthrough.exchange.formats.csv import generic
from followthrough.exchange.formats.registry import ATTENDEE_FORMATS, FORMATS
from followthrough.exchange.imports import column_mapping
from followthrough.exchange.models import ColumnMapping
from followthrough.workspaces.models import Workspace

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # 50 MB
ATTENDEES_NEED_AN_EVENT = "Choose the event these attendees came to."


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(name, desc) for name, (_, desc) in FORMATS.items()],
        help_text="What kind of file this is.",
    )
    file = forms.FileField(help_text="Up to 50 MB.")
    event = forms.ModelChoiceField(
        queryset=Event.objects.none(),
        required=False,
        empty_label="(none)",
        help_text="The event the file's attendees attended (needed for attendee exports).",
    )
    mapping = forms.ChoiceField(
        required=False,
        label="Column mapping",
        help_text="For “any CSV”: a saved mapping of its columns to person fields. "
        "Without one, you choose the columns on the next page.",
    )
    edit_mapping = forms.BooleanField(
        required=False,
        label="Check the columns before the preview",
        help_text="For “any CSV” with a saved mapping: see and change it first.",
    )
    time_zone = forms.CharField(
        max_length=64, help_text="For times without a zone, e.g. Europe/Berlin."
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        event = self.fields["event"]
        assert isinstance(event, forms.ModelChoiceField)
        event.queryset = Event.objects.for_workspace(workspace).order_by("-starts_at")
        names = ColumnMapping.objects.for_workspace(workspace).values_list("name", flat=True)
        mapping_field = self.fields["mapping"]
        assert isinstance(mapping_field, forms.ChoiceField)
        mapping_field.choices = [("", "(none: choose the columns)")] + [(n, n) for n in names]
        self.fields["time_zone"].initial = workspace.timezone or "UTC"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; the limit is 50 MB. "
                "Split it, or import it with the `followthrough import` command."
            )
        if upload.size == 0:
            raise forms.ValidationError("This file is empty.")
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        # Attendee rows cannot be read without their event: refuse before reading the file.
        wants_event = cleaned.get("format") in ATTENDEE_FORMATS and not cleaned.get("event")
        if wants_event and "event" not in self.errors:
            self.add_error("event", ATTENDEES_NEED_AN_EVENT)
        return cleaned

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                f"Unknown time zone “{zone}” (e.g. Europe/Berlin)."
            ) from None
        return zone

    def mapping_dict(self) -> dict[str, str]:
        name = self.cleaned_data.get("mapping")
        if not name:
            return {}
        saved = ColumnMapping.objects.for_workspace(self.workspace).filter(name=name).first()
        return dict(saved.mapping) if saved else {}


class ColumnMappingForm(forms.Form):
    """One select per readable column of the file (named `column_<position>`), and a
    name to save the mapping under."""

    save = forms.BooleanField(required=False, label="Save this mapping as")
    name = forms.CharField(
        max_length=100,
        required=False,
        label="Mapping name",
        help_text="Offered on the import form next time; an existing name is updated.",
    )

    def __init__(
        self,
        *args: Any,
        columns: column_mapping.FileColumns,
        start: dict[str, str],
        saved_name: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.file_columns = columns
        self.fields["name"].initial = saved_name
        for column in columns.readable:
            current = start.get(column.name, generic.IGNORE)
            self.fields[self.field_name(column)] = forms.ChoiceField(
                label=column.name,
                required=False,
                choices=column_mapping.field_choices(current),
                initial=current,
            )

    @staticmethod
    def field_name(column: column_mapping.Column) -> str:
        return f"column_{column.index}"

    def rows(self) -> Iterator[tuple[column_mapping.Column, forms.BoundField | None]]:
        """Every column of the file with its select (None: a column nothing reads)."""
        self._describe_errors()
        for column in self.file_columns.columns:
            yield column, (self[self.field_name(column)] if column.readable else None)

    def _describe_errors(self) -> None:
        # Screen readers announce the message when the select with the fault is focused.
        for name in self.errors if self.is_bound else ():
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}_error"}
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # BaseForm.clean() returns cleaned_data
        for problem in column_mapping.check_mapping(self.mapping()):
            self.add_error(self._field_of(problem.column), problem.message)
        if cleaned.get("save") and not cleaned.get("name"):
            self.add_error("name", "Give the mapping a name to save it under.")
        return cleaned

    def mapping(self) -> dict[str, str]:
        """{column name: field} for every readable column, "" for ignored ones."""
        data = getattr(self, "cleaned_data", {})
        return {
            column.name: data.get(self.field_name(column)) or generic.IGNORE
            for column in self.file_columns.readable
        }

    def show_import_error(self, column: str, message: str) -> None:
        """Put an error the dry run found beside the column it names, if it names one."""
        name = self._field_of(column)
        if name is not None and self.is_bound:
            self.add_error(name, message)

    def _field_of(self, column: str) -> str | None:
        for candidate in self.file_columns.readable:
            if column and candidate.name == column:
                return self.field_name(candidate)
        return None

    def error_summary(self) -> list[tuple[str, str]]:
        """(id of the select or field, message) for each error, for the list at the top."""
        summary = [("", str(error)) for error in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != NON_FIELD_ERRORS:
                summary += [(self[name].id_for_label, str(error)) for error in errors]
        return summary
