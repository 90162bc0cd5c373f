"""The backup's one list of sections: the writer writes them in its order, and the system
check fails when a model with a workspace or a reference to a person is in none."""

from __future__ import annotations

import json

from django.db import models

from followthrough.exchange.backup import sections
from followthrough.exchange.backup.writer import backup_chunks
from followthrough.people.models import ContactPoint


def test_the_backup_has_the_sections_in_their_order(workspace):
    document = json.loads("".join(backup_chunks(workspace=workspace)))
    assert [key for key in document if key not in ("format", "version")] == list(sections.SECTIONS)


def test_every_model_is_backed_up_or_left_out_with_a_reason(db):
    assert sections.check_sections() == []
    assert all(reason for reason in sections.LEFT_OUT.values())


def test_a_model_in_no_section_stops_start_up(db, monkeypatch):
    people = tuple(m for m in sections.SECTIONS["people"] if m is not ContactPoint)
    monkeypatch.setitem(sections.SECTIONS, "people", people)
    errors = sections.check_sections()
    assert [(e.id, e.obj) for e in errors] == [("exchange.E001", ContactPoint)]
    assert isinstance(errors[0].obj, type) and issubclass(errors[0].obj, models.Model)
