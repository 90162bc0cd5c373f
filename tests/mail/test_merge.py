"""Templates: the defaults, merge fields, and what the editor refuses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followthrough.mail.defaults import DEFAULTS
from followthrough.mail.merge import FIELDS, MergeError, render
from followthrough.mail.models import EmailTemplate, Purpose
from followthrough.mail.selectors import merge_fields, sender_profile_for
from followthrough.mail.services import templates_ensure_defaults
from tests.factories import make_event

FILLED = {name: f"<{name}>" for name in FIELDS}


def test_every_default_renders_with_every_field_and_with_none():
    for default in DEFAULTS:
        assert "<first_name>" in render(default.body, FILLED)
        empty = render(default.body, {})
        assert "{{" not in empty and "{%" not in empty
    assert {d.purpose for d in DEFAULTS} == {
        Purpose.THANK_YOU,
        Purpose.COFFEE,
        Purpose.CHECK_IN,
        Purpose.NUDGE,
        Purpose.INTRODUCTION,
    }


def test_an_optional_sentence_goes_when_its_field_is_empty():
    thank_you = next(d for d in DEFAULTS if d.purpose == Purpose.THANK_YOU)
    assert "<reason>" in render(thank_you.body, FILLED)
    assert "struck me" not in render(thank_you.body, {**FILLED, "reason": ""})


def test_text_is_not_html_escaped():
    assert render("{{ organization }}", {"organization": "Smith & <Sons>"}) == "Smith & <Sons>"


@pytest.mark.parametrize(
    "source",
    ["{{ password }}", "{% if settings %}x{% endif %}", "{{ first_name }}{{ organisation|upper }}"],
)
def test_an_unknown_field_is_named_with_the_list_of_fields(source):
    with pytest.raises(MergeError) as caught:
        render(source, FILLED)
    assert "Unknown field" in str(caught.value)
    assert "{{ first_name }}" in str(caught.value)


@pytest.mark.parametrize(
    "source", ["{% if %}", "{% load humanize %}", "{% include 'base.html' %}x{{"]
)
def test_syntax_errors_and_file_access_are_refused(source):
    with pytest.raises(MergeError):
        render(source, FILLED)


def test_a_workspace_gets_the_defaults_once(workspace):
    assert templates_ensure_defaults(workspace=workspace) == len(DEFAULTS)
    assert templates_ensure_defaults(workspace=workspace) == 0
    assert EmailTemplate.objects.filter(workspace=workspace).count() == len(DEFAULTS)


def test_merge_fields_of_a_person(workspace, owner, ada):
    event = make_event(workspace, title="Spring Gala")
    profile = sender_profile_for(workspace=workspace, user=owner)
    fields = merge_fields(workspace=workspace, person=ada, profile=profile, event=event)
    assert fields["first_name"] == "Ada"
    assert fields["organization"] == "Northside Readers"
    assert fields["event"] == "Spring Gala"
    assert fields["sender_name"] == "Alice Owner"
    assert fields["signature"] == "Alice Owner"  # no signature saved: the name
    assert set(fields) == set(FIELDS) and all(isinstance(v, str) for v in fields.values())


def test_the_editor_names_an_unknown_field(owner_client, workspace):
    templates_ensure_defaults(workspace=workspace)
    template = EmailTemplate.objects.get(workspace=workspace, key="check-in")
    url = reverse("mail:template-edit", args=[workspace.slug, template.pk])
    data = {"name": "Check-in", "purpose": "check_in", "subject": "Hi", "body": "{{ frist_name }}"}
    response = owner_client.post(url, data)
    assert response.status_code == 400
    assert "frist_name" in response.content.decode()
    data["body"] = "{% if first_name %}unclosed"
    assert owner_client.post(url, data).status_code == 400
    template.refresh_from_db()
    assert "frist" not in template.body


def test_edit_and_reset_to_the_default(owner_client, workspace):
    templates_ensure_defaults(workspace=workspace)
    template = EmailTemplate.objects.get(workspace=workspace, key="check-in")
    url = reverse("mail:template-edit", args=[workspace.slug, template.pk])
    data = {"name": "Check-in", "purpose": "check_in", "subject": "Hey {{ first_name }}",
            "body": "Hello {{ first_name }}"}  # fmt: skip
    assert owner_client.post(url, data).status_code == 303
    template.refresh_from_db()
    assert template.body == "Hello {{ first_name }}"
    owner_client.post(reverse("mail:template-reset", args=[workspace.slug, template.pk]))
    template.refresh_from_db()
    assert template.body == next(d.body for d in DEFAULTS if d.key == "check-in")


def test_a_subject_with_a_line_break_is_refused(owner_client, workspace):
    templates_ensure_defaults(workspace=workspace)
    template = EmailTemplate.objects.get(workspace=workspace, key="check-in")
    url = reverse("mail:template-edit", args=[workspace.slug, template.pk])
    data = {"name": "x", "purpose": "check_in", "subject": "Hi\r\nBcc: a@evil.example",
            "body": "x"}  # fmt: skip
    assert owner_client.post(url, data).status_code == 400
