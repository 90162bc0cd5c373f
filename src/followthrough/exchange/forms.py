"""The import form: which format, which file, and the options its parser needs."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms

from followthrough.events.models import Event
from followthrough.exchange import formats
from followthrough.exchange.models import ColumnMapping
from followthrough.workspaces.models import Workspace

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # 50 MB


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(name, desc) for name, (_, desc) in formats.FORMATS.items()],
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
        help_text="For “any CSV”: a saved mapping of its columns to person fields.",
    )
    time_zone = forms.CharField(
        max_length=64, help_text="For times without a zone, e.g. Europe/Berlin."
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["event"].queryset = Event.objects.for_workspace(workspace).order_by(
            "-starts_at"
        )
        names = ColumnMapping.objects.for_workspace(workspace).values_list("name", flat=True)
        self.fields["mapping"].choices = [("", "(none)")] + [(n, n) for n in names]
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
