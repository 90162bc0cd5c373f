"""Every field a member types into has an upper limit (issue 14: no 500s, no giant pages):
each text field of every form has `max_length`, each number field `max_value` (and
`min_value`). New forms are found by walking the package, so a field without a limit
fails here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from django import forms

import followthrough


def _forms() -> list[type[forms.BaseForm]]:
    found = []
    for module in pkgutil.walk_packages(followthrough.__path__, "followthrough."):
        if not module.name.endswith("forms"):
            continue
        for _, value in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.name:
                found.append(value)
    return found


def _unlimited(form: type[forms.BaseForm]) -> list[str]:
    missing = []
    for name, field in form.base_fields.items():
        hidden = isinstance(field.widget, forms.HiddenInput)
        if isinstance(field, forms.CharField) and field.max_length is None and not hidden:
            missing.append(f"{form.__name__}.{name}: no max_length")
        # Hidden numbers too: a forged id past what a database holds must be refused.
        number = isinstance(field, forms.IntegerField)
        if number and (field.max_value is None or field.min_value is None):
            missing.append(f"{form.__name__}.{name}: no min_value/max_value")
    return missing


def test_the_forms_are_found():
    names = {form.__name__ for form in _forms()}
    assert {"PersonForm", "OrganizationForm", "EventForm", "InteractionForm"} <= names


def test_every_text_and_number_field_has_a_limit():
    missing = [problem for form in _forms() for problem in _unlimited(form)]
    assert missing == []
