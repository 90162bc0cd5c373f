"""Restore fuzzed: a real small backup, changed by hypothesis in every way a hand-edited
or hostile file could be — wrong types, huge strings and numbers, unknown choices,
missing keys, broken references, non-image photos, deep nesting. The only error that
may escape `workspace_restore` is `BackupError`, and a refused file leaves no workspace,
row, account or file behind."""

from __future__ import annotations

import base64
import copy
import io
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.exchange.backup.restore import workspace_restore
from followthrough.exchange.backup.restore_cleanup import workspace_discard
from followthrough.exchange.backup.writer import BackupError
from tests.exchange.restore_helpers import backup_document, left_behind, state
from tests.exchange.test_backup import rich_workspace
from tests.people.helpers import image_bytes

pytestmark = pytest.mark.usefixtures("media_root")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


DEEP = "\x00deep\x00"  # replaced by deeply nested arrays once the document is text

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 32767, 32768, 2**31, 10**12, 2**63]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(
        [
            "hack",
            "pwned",
            "",
            "x" * 10_000,
            "2025-13-45T99:00:00+00:00",
            "Mars/Olympus",
            "<script>alert(1)</script>",
            "\x00",
        ]
    ),
    st.lists(st.integers(min_value=-3, max_value=5), max_size=3),
    st.dictionaries(st.sampled_from(["id", "data", "kind", "x"]), st.integers(), max_size=2),
    st.just(DEEP),
)
photos = st.one_of(
    st.binary(max_size=64).map(lambda b: {"extension": ".png", "data": _b64(b)}),
    st.just({"extension": ".html", "data": base64.b64encode(b"<html>x</html>").decode()}),
    st.just({"extension": ".png", "data": "not base64!"}),
    st.just({"extension": ".svg", "data": base64.b64encode(b"<svg onload=alert(1)/>").decode()}),
    st.just({"data": base64.b64encode(image_bytes("GIF")).decode()}),
)  # fmt: skip


def _paths(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every place a value sits in the document (sections, records, nested fields)."""
    found: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                found.append((*path, key))
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found.append((*path, index))
                walk(value, (*path, index))

    walk(document, ())
    return [p for p in found if p[0] not in ("format", "version")]


@st.composite
def mutations(draw: st.DrawFn, document: dict[str, Any]) -> tuple[str, list[Any]]:
    """A document with 1 to 3 changes, as text, and the changes (for the report)."""
    changed = copy.deepcopy(document)
    paths: dict[Any, list[tuple[Any, ...]]] = {}
    for path in _paths(document):  # by section: each as likely, the big ones too
        paths.setdefault(path[0], []).append(path)
    log = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths[draw(st.sampled_from(sorted(paths)))]))
        parent = changed
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "replace", "delete", "photo"]))
            if action == "delete" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif action == "photo" and path[0] == "people" and len(path) >= 2:
                changed["people"][path[1]]["photo"] = draw(photos)
            else:
                parent[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this place
        log.append((action, path))
    text = json.dumps(changed).replace(json.dumps(DEEP), "[" * 5000 + "]" * 5000)
    return text, log


@pytest.fixture
def document(db) -> dict[str, Any]:
    return backup_document(rich_workspace())


def test_restore_refuses_any_broken_backup_cleanly(document, media_root):
    before = state(media_root)
    emails = set(get_user_model().objects.values_list("email", flat=True))

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(case=mutations(document))
    def attempt(case: tuple[str, list[Any]]) -> None:
        text, _ = case
        try:
            result = workspace_restore(stream=io.StringIO(text), slug="fuzzed")
        except BackupError:
            assert left_behind(before, media_root) == {}
            return
        # A harmless change (a date moved, a name changed): restored; remove it again.
        created = get_user_model().objects.exclude(email__in=emails)
        workspace_discard(result.workspace.pk, user_ids=list(created.values_list("pk", flat=True)))
        assert left_behind(before, media_root) == {}

    attempt()


def test_deep_nesting_is_refused(db):
    text = '{"format":"followthrough-backup","version":1,"workspace":' + "[" * 100_000
    with pytest.raises(BackupError, match=r"nested too deeply|is not an object"):
        workspace_restore(stream=io.StringIO(text + "]" * 100_000 + "}"), slug="deep")
