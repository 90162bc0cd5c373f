"""Every row that refers to a person, read from the model metadata, and what the rooms
above this one register to take part in the people room's operations.

Merging two people and deleting people (with undo) must handle every model that points
at a person, including those of rooms above this one (relationships, events, exchange),
which this room never imports. So both walk `Person._meta.get_fields(include_hidden=True)`
(`related_objects` alone misses relations named "+", such as dismissed duplicates, and the
tags' through table) and move a plain foreign key by themselves. A relation that is
one-to-one, or part of a unique constraint, cannot simply be re-pointed (the kept person
may have a row of their own), so its room registers a merge policy in its
`AppConfig.ready()`; the system check below stops start-up when one is missing.

The same rooms register hooks for what they keep in step with people: a relationship
starts when a person is added, a next touch is recomputed when tags change, a merge is
noted on the timeline. Hooks run in the order of INSTALLED_APPS (lower rooms first).
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core import checks
from django.db import models
from django.db.models import ForeignObjectRel

from followthrough.people.models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.people.models import Organization
    from followthrough.workspaces.models import Workspace


@dataclass(frozen=True)
class PersonRelation:
    """A model with foreign keys to Person (`columns`: their attnames)."""

    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def needs_policy(self) -> bool:
        """Whether re-pointing a row from one person to another can collide with a row of
        the other person: a one-to-one key, two keys to people, or a unique constraint
        over a key to a person."""
        if len(self.columns) > 1:
            return True
        opts = self.model._meta
        field = next(f for f in opts.concrete_fields if f.attname == self.columns[0])
        if field.unique:
            return True
        together = [set(names) for names in opts.unique_together]
        together += [
            set(c.fields) for c in opts.constraints if isinstance(c, models.UniqueConstraint)
        ]
        return any(field.name in names for names in together)


def _relation_models() -> dict[type[models.Model], list[str]]:
    found: dict[type[models.Model], list[str]] = {}
    for relation in Person._meta.get_fields(include_hidden=True):
        # Reverse relations only: Person's own fields point elsewhere (its tags are found
        # through their table's key), and a many-to-many's through table has its own key.
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        field = relation.field
        found.setdefault(field.model, []).append(field.attname)
    return found


@cache
def person_relations() -> tuple[PersonRelation, ...]:
    """Every model pointing at Person, ordered so that a model comes after the models
    (of this set) it refers to — the order rows are put back in."""
    found = _relation_models()
    graph = graphlib.TopologicalSorter[type[models.Model]]()
    for model in found:
        graph.add(
            model,
            *(
                f.related_model
                for f in model._meta.concrete_fields
                if isinstance(f.related_model, type)
                and f.related_model in found
                and f.related_model is not model
            ),
        )
    return tuple(PersonRelation(model, tuple(found[model])) for model in graph.static_order())


# A merge policy moves `other`'s rows of one model to `keep` without duplicating what
# `keep` already has (both people are locked; it runs inside the merge's transaction).
MergePolicy = Callable[[Person, Person], None]
_merge_policies: dict[type[models.Model], MergePolicy] = {}


def register_merge_policy(model: type[models.Model], policy: MergePolicy) -> None:
    """Say how a merge moves this model's rows (call from `AppConfig.ready()`)."""
    _merge_policies[model] = policy


def merge_policies() -> Mapping[type[models.Model], MergePolicy]:
    """The registered policies, in the order they were registered."""
    return _merge_policies


@dataclass(frozen=True)
class MergeRecord:
    """What a merge did, for the rooms that keep a record of it: the kept person, the
    merged one's name and id, and the values not kept as lines under two headings
    (`dropped["other"]`, `dropped["keep"]`)."""

    keep: Person
    other_name: str
    other_pk: int
    dropped: Mapping[str, list[str]]
    actor: User | None


# What a hook returns is ignored.
PersonAdded = Callable[[Person, "Organization | None", "User | None"], object]
TagsChanged = Callable[["Workspace", list[int]], object]
Merged = Callable[[MergeRecord], object]
_person_added: list[PersonAdded] = []
_tags_changed: list[TagsChanged] = []
_merged: list[Merged] = []


def on_person_added(hook: PersonAdded) -> None:
    """Call `hook(person, organization, owner)` after a person is added by `person_create`."""
    _person_added.append(hook)


def on_tags_changed(hook: TagsChanged) -> None:
    """Call `hook(workspace, person_ids)` after these people's tags changed in a way that
    may change what follows from tags (a tag's keep-in-touch cadence)."""
    _tags_changed.append(hook)


def on_merged(hook: Merged) -> None:
    """Call `hook(record)` after a merge, once the merged person is deleted."""
    _merged.append(hook)


def person_added(person: Person, organization: Organization | None, owner: User | None) -> None:
    for hook in _person_added:
        hook(person, organization, owner)


def tags_changed(workspace: Workspace, person_ids: Iterable[int]) -> None:
    ids = list(person_ids)
    if ids:
        for hook in _tags_changed:
            hook(workspace, ids)


def merged(record: MergeRecord) -> None:
    for hook in _merged:
        hook(record)


@checks.register(checks.Tags.models)
def check_person_relations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A relation to Person that a merge cannot simply re-point needs a registered policy;
    and every relation must go with the person when the person is deleted (the undo of a
    deletion puts back what went with it)."""
    if not apps.ready:
        return []
    errors: list[checks.CheckMessage] = []
    for relation in person_relations():
        if relation.needs_policy and relation.model not in _merge_policies:
            errors.append(
                checks.Error(
                    f"{relation.label} refers to a person through a one-to-one or unique "
                    "key, and no merge policy is registered for it.",
                    hint="Call people.registry.register_merge_policy() for it in its "
                    "app's AppConfig.ready().",
                    obj=relation.model,
                    id="people.E001",
                )
            )
        for column in relation.columns:
            field = next(f for f in relation.model._meta.concrete_fields if f.attname == column)
            if getattr(field.remote_field, "on_delete", None) is not models.CASCADE:
                errors.append(
                    checks.Error(
                        f"{relation.label}.{field.name} does not cascade when its person is "
                        "deleted; deleting people (and undoing it) expects every row "
                        "pointing at a person to go with the person.",
                        obj=relation.model,
                        id="people.E002",
                    )
                )
    return errors
