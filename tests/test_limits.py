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


def _text_of(field: forms.CharField, length: int) -> str:
    """A value of `length` characters the field would take but for its length."""
    if isinstance(field, forms.EmailField):
        return "a" * (length - len("@example.org")) + "@example.org"
    if isinstance(field, forms.URLField):
        return "https://example.org/" + "a" * (length - len("https://example.org/"))
    return "a" * length


def _fields(kind: type[forms.Field]) -> list[tuple[str, forms.Field]]:
    return [
        (f"{form.__name__}.{name}", field)
        for form in _forms()
        for name, field in form.base_fields.items()
        if isinstance(field, kind)
    ]


def test_every_text_field_takes_its_limit_and_refuses_one_more():
    checked = 0
    for where, field in _fields(forms.CharField):
        limit = field.max_length
        if limit is None or limit < 30:  # too short for the shapes above: a code, a token
            continue
        field.clean(_text_of(field, limit))  # at the limit: taken
        try:
            field.clean(_text_of(field, limit + 1))
        except forms.ValidationError:
            checked += 1
        else:
            raise AssertionError(f"{where} took {limit + 1} characters")
    assert checked > 60


def test_every_number_field_takes_its_bounds_and_refuses_past_them():
    checked = 0
    for where, field in _fields(forms.IntegerField):
        for value, taken in (
            (field.min_value, True),
            (field.max_value, True),
            (field.min_value - 1, False),
            (field.max_value + 1, False),
        ):
            try:
                field.clean(value)
            except forms.ValidationError:
                assert not taken, f"{where} refused {value}"
            else:
                assert taken, f"{where} took {value}"
        checked += 1
    assert checked >= 10
