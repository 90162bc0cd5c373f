"""The import step of Today's getting-started checklist (`agenda.getting_started`)."""

from __future__ import annotations

from django.urls import reverse

from followthrough.agenda.getting_started import Step, register_step
from followthrough.exchange.models import ImportBatch, ImportStatus


def register_import_step() -> None:
    register_step(
        Step(
            "import",
            40,
            "Bring our contacts in",
            "Start from the people we already know: a spreadsheet, an address book or a "
            "LinkedIn export.",
            lambda w, m: [ImportBatch.objects.filter(workspace=w, status=ImportStatus.DONE)],
            lambda w: reverse("exchange:import", args=[w.slug]),
        )
    )
