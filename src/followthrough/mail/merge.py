"""Merge fields: a template's subject and body rendered with Django's template language
in a standalone engine — no loaders (so no `{% include %}` or `{% extends %}` reaches a
file), no libraries to load, autoescape off because the result is plain text — and a
context of plain strings only, so a template can reach no object, method or setting."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, Variable
from django.template.defaulttags import ForNode

# The fields a template may use, with what each holds (shown on the editor).
FIELDS: dict[str, str] = {
    "first_name": "their first name",
    "full_name": "their full name",
    "organization": "the organization they are at now",
    "event": "the event (the one you came from, or the last they attended)",
    "reason": "why get to know them: where their work meets ours (empty when nothing does)",
    "sender_name": "your name, from your sender profile",
    "signature": "your signature, from your sender profile (your name when you have none)",
}

ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False)


class MergeError(ValueError):
    """A template that cannot be used, with the message for the editor."""


def _expressions(value: Any, depth: int = 0) -> Iterator[FilterExpression]:
    """Every filter expression in a node's attributes, including `{% if %}` conditions
    (nested operator objects) — so an unknown field in a branch not taken is found too."""
    if depth > 6:
        return
    if isinstance(value, FilterExpression):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _expressions(item, depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, Node | Template | type):
        for attribute in ("first", "second", "value"):  # smartif operators and literals
            if hasattr(value, attribute):
                yield from _expressions(getattr(value, attribute), depth + 1)


def _names_used(template: Template) -> set[str]:
    names: set[str] = set()
    loop_names: set[str] = set()
    for node in template.nodelist.get_nodes_by_type(Node):
        if isinstance(node, ForNode):
            loop_names.update(node.loopvars)
        for value in vars(node).values():
            for expression in _expressions(value):
                if isinstance(expression.var, Variable) and expression.var.lookups:
                    names.add(expression.var.lookups[0])
    return names - loop_names - {"forloop"}


def compile_template(source: str) -> Template:
    """The template, or `MergeError` naming the syntax error or the unknown fields."""
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise MergeError(f"This does not read as a template: {error}") from None
    unknown = sorted(_names_used(template) - set(FIELDS))
    if unknown:
        listed = ", ".join("{{ %s }}" % name for name in FIELDS)  # noqa: UP031
        raise MergeError(
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"The fields are {listed}."
        )
    return template


def render(source: str, fields: Mapping[str, str]) -> str:
    """The source with the fields merged in (plain text); `MergeError` when it is not
    a valid template. Blank lines a missing field leaves at the end are trimmed."""
    template = compile_template(source)
    context = {name: str(fields.get(name, "")) for name in FIELDS}
    try:
        text = template.render(Context(context, autoescape=False))
    except Exception as error:  # a filter given a bad argument, e.g. `truncatewords:"x"`
        raise MergeError(f"This template cannot be filled in: {error}") from None
    return text.strip() + ("\n" if "\n" in text.strip() else "")
