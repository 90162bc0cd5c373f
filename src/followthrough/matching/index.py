"""The partners index: each organization's score and reasons against our own profile,
stored, so that the ranking reads the best rows instead of scoring every organization.

It keeps itself fresh — there is no re-index step. Before a read, `refresh` compares what
the scores were computed from (`PartnerIndex`) with the workspace now, in one indexed
query: our own profile or the engine changed → everything is re-scored; organizations
added, restored or edited since → those are; the number of organizations grown or shrunk
by a tenth since the last full build → everything (the term weights have moved).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import DateTimeField, IntegerField, Q
from django.db.models.expressions import RawSQL
from django_tasks import task

from followthrough.matching.engines import engine_in_use, many_scorer
from followthrough.matching.errors import NotReady
from followthrough.matching.lexical import Match, Profile, corpus_weights
from followthrough.matching.models import PartnerIndex, PartnerScore
from followthrough.matching.profiles import (
    CorpusState,
    corpus_state,
    organization_profiles,
    own_profile,
    weights,
)
from followthrough.people.models import Organization
from followthrough.sqlite import waiting_at_most
from followthrough.workspaces.models import Engine, Workspace

log = logging.getLogger(__name__)

# Bump when the engines change how they score: every index is then rebuilt.
SCORING_VERSION = 1
# New phrases a web request may embed for the semantic engines (about a second on two
# cores); more are left to the worker.
EMBED_NOW = 500
BATCH = 2000
# How long a page waits for another writer before it shows the last scores instead.
PAGE_BUSY_WAIT = 0.25


def signature(own: Profile, engine: str) -> str:
    text = json.dumps([SCORING_VERSION, engine, *own.__dict__.values()], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def refresh(
    *,
    workspace: Workspace,
    engine: str | None = None,
    embed_all: bool = False,
    busy_wait: float | None = None,
) -> str | None:
    """Bring the workspace's scores up to date; returns the engine that scored, or None
    when our own profile is empty (nothing to score against). A write that cannot be made
    now (SQLite busy with a long import) leaves the last scores in place. The semantic
    engines embed at most `EMBED_NOW` new phrases here (every one with `embed_all`, as
    the worker and the commands do); past it, the worker is asked to, and the lexical
    engine scores meanwhile. `busy_wait`: pages give up after that many seconds when
    another writer holds the database (another page refreshing the same scores, or an
    import that keeps changing them) and show the last scores, instead of queueing one
    refresh after another behind it."""
    engine = engine_in_use(workspace, engine)
    embed_limit = None if embed_all else EMBED_NOW
    index, glance = _index_and_glance(workspace)
    if (
        index is not None
        and (index.engine, index.own_id) == (engine, workspace.organization_id)
        and (index.organizations, index.max_updated_at) == glance
    ):
        # Nothing changed: any edit of an organization, ours included, moves the glance.
        return engine if index.own_signature else None
    state = corpus_state(workspace=workspace)
    own = own_profile(workspace=workspace)
    if own is None:
        _save_empty(workspace, engine, state)
        return None
    wanted = signature(own, engine)
    if index is not None and index.own_signature == wanted and _same(index, state):
        return engine
    try:
        with waiting_at_most(busy_wait) if busy_wait else nullcontext(), transaction.atomic():
            if index is None or index.own_signature != wanted or index.drifted(state.count):
                _rebuild(workspace, own, engine, state, index, embed_limit)
            else:
                _update(workspace, own, engine, index, state, embed_limit)
    except DatabaseError:
        log.warning("Partner scores of %s not refreshed: the database is busy", workspace.slug)
    except NotReady as waiting:
        log.info("Partner scores of %s: the worker embeds %s", workspace.slug, waiting)
        transaction.on_commit(lambda: partners_refresh_task.enqueue(workspace.pk, engine))
        return refresh(workspace=workspace, engine=Engine.LEXICAL)
    return engine


@task()
def partners_refresh_task(workspace_id: int, engine: str) -> None:
    """Score the workspace's organizations with `engine` in the worker, embedding every
    phrase the semantic engines still lack (a request leaves more than `EMBED_NOW`)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        refresh(workspace=workspace, engine=engine, embed_all=True)


def scored_with(*, workspace: Workspace) -> str | None:
    """The engine the workspace's stored scores come from (None before the first)."""
    return PartnerIndex.objects.for_workspace(workspace).values_list("engine", flat=True).first()


def forget(*, workspace_id: int) -> None:
    """Drop what the scores were computed from: the next read re-scores everything. For
    changes that put organizations back as they were, old edit times included."""
    PartnerIndex.objects.filter(workspace_id=workspace_id).delete()


def _index_and_glance(workspace: Workspace) -> tuple[PartnerIndex | None, tuple[int, Any]]:
    """The workspace's index row with a glance at its organizations (how many, the last
    edit) in one query, both answered from the (workspace, updated_at) index. New rows
    always carry a new edit time, but those a restore or an undo writes, and both make
    the index start over."""
    table = connection.ops.quote_name(Organization._meta.db_table)
    where = f"FROM {table} WHERE workspace_id = %s"
    # Parameters are bound; the SQL names only our own table.
    index = (
        PartnerIndex.objects.for_workspace(workspace)
        .annotate(
            now_count=RawSQL(  # noqa: S611
                f"SELECT COUNT(*) {where}", [workspace.pk], IntegerField()
            ),
            now_max_updated_at=RawSQL(  # noqa: S611
                f"SELECT MAX(updated_at) {where}", [workspace.pk], DateTimeField()
            ),
        )
        .first()
    )
    if index is None:
        return None, (0, None)
    now: Any = index  # with the annotations above
    return index, (now.now_count or 0, now.now_max_updated_at)


def _same(index: PartnerIndex, state: CorpusState) -> bool:
    return (index.organizations, index.max_id, index.max_updated_at) == (
        state.count,
        state.max_id,
        state.max_updated_at,
    )


def _rebuild(
    workspace: Workspace,
    own: Profile,
    engine: str,
    state: CorpusState,
    index: PartnerIndex | None,
    embed_limit: int | None,
) -> None:
    """Score every organization afresh; the term weights too when the corpus drifted."""
    kept = index.weights if index is not None and not index.drifted(state.count) else {}
    counted = not kept
    if counted:
        kept = corpus_weights(organization_profiles(workspace=workspace))
    scorer = many_scorer(
        workspace=workspace, engine=engine, own=own, weights=kept, embed_limit=embed_limit
    )
    PartnerScore.objects.for_workspace(workspace).delete()
    for batch in _batches(organization_profiles(workspace=workspace)):
        _write(workspace, scorer.score_many(batch))
    _save_state(workspace, own, engine, state, weights=kept, counted=counted)


def _update(
    workspace: Workspace,
    own: Profile,
    engine: str,
    index: PartnerIndex,
    state: CorpusState,
    embed_limit: int | None,
) -> None:
    """Score the organizations added or edited since the last refresh. (Strictly after
    the latest edit seen: an import gives thousands of organizations one time.)"""
    changed = Q(pk__gt=index.max_id)
    if index.max_updated_at is not None:
        changed |= Q(updated_at__gt=index.max_updated_at)
    pks = list(
        Organization.objects.for_workspace(workspace).filter(changed).values_list("pk", flat=True)
    )
    if pks:
        scorer = many_scorer(
            workspace=workspace,
            engine=engine,
            own=own,
            weights=weights(workspace, state),
            embed_limit=embed_limit,
        )
        PartnerScore.objects.for_workspace(workspace).filter(organization_id__in=pks).delete()
        for batch in _batches(organization_profiles(workspace=workspace, pks=pks)):
            _write(workspace, scorer.score_many(batch))
    _save_state(workspace, own, engine, state)


def _batches(profiles: Iterator[Profile]) -> Iterator[list[Profile]]:
    batch: list[Profile] = []
    for profile in profiles:
        batch.append(profile)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(workspace: Workspace, matches: Sequence[Match]) -> None:
    """Insert the scores, one statement run for many rows: model instances through
    bulk_create cost five times as much (0.77 s against 0.14 for 16,000 rows)."""
    table = connection.ops.quote_name(PartnerScore._meta.db_table)
    reasons = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {table} (workspace_id, organization_id, score, reasons) "  # noqa: S608
        f"VALUES (%s, %s, %s, {reasons})"
    )
    rows = [
        (workspace.pk, int(m.key), m.score, json.dumps(list(m.reasons), ensure_ascii=False))
        for m in matches
        if m.key != workspace.organization_id
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _save_empty(workspace: Workspace, engine: str, state: CorpusState) -> None:
    """Our own profile is empty: remembered (with no scores), so that the next read
    knows it in one query."""
    try:
        with transaction.atomic():
            PartnerScore.objects.for_workspace(workspace).delete()
            _save_state(workspace, None, engine, state)
    except DatabaseError:
        log.warning("Partner index of %s not saved: the database is busy", workspace.slug)


def _save_state(
    workspace: Workspace,
    own: Profile | None,
    engine: str,
    state: CorpusState,
    *,
    weights: dict[str, float] | None = None,
    counted: bool = False,
) -> None:
    """What the scores now stand on (`own` None: an empty own profile, no scores); after
    a full build, the weights it used (`counted` afresh over the organizations there are
    now, or kept)."""
    values: dict[str, Any] = {
        "engine": engine,
        "own_signature": signature(own, engine) if own is not None else "",
        "own_id": workspace.organization_id,
        "organizations": state.count,
        "max_id": state.max_id,
        "max_updated_at": state.max_updated_at,
    }
    if weights is not None:
        values["weights"] = weights
    if counted:
        values["built_with"] = state.count
    PartnerIndex.objects.update_or_create(workspace=workspace, defaults=values)
