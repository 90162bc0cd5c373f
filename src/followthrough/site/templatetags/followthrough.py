from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from followthrough.limits import FOLD_NOTE_AT
from followthrough.site.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.inclusion_tag("_long_note.html")
def long_note(text: str) -> dict[str, Any]:
    """A note as Markdown; past `FOLD_NOTE_AT` characters folded to its start, with
    "Show all", so a long note never makes a giant page."""
    return {"text": text, "folded": len(text) > FOLD_NOTE_AT, "length": len(text)}


_SENTINEL = 2_147_483_647


def url_builder(viewname: str, *args: Any) -> Callable[[Any], str]:
    """`reverse(viewname, args=[*args, pk])` as a fast function of `pk`.

    Reverses once with a sentinel id and splices ids in afterwards: lists render
    hundreds of links, and `reverse` is the slowest part of a row.
    """
    url = reverse(viewname, args=[*args, _SENTINEL])
    head, _, tail = url.rpartition(str(_SENTINEL))
    return lambda pk: f"{head}{int(pk)}{tail}"


@register.simple_tag(takes_context=True)
def wurl(context: template.Context, viewname: str, pk: Any) -> str:
    """The URL of a workspace page for one object: `{% wurl "people:person-detail" p.pk %}`.

    Same result as `{% url viewname workspace.slug pk %}`, reversed once per template.
    """
    # django-stubs allows setdefault only the values Django itself stores (list[Origin], int).
    builders: dict[str, Callable[[Any], str]]
    builders = context.render_context.setdefault("wurl", {})  # type: ignore[arg-type, assignment]
    builder = builders.get(viewname)
    if builder is None:
        builder = builders[viewname] = url_builder(viewname, context["workspace"].slug)
    return builder(pk)
