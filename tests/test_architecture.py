"""The rooms' layers (docs/architecture.md): no import against the order, no module cycle.

Imports are read from the source with `ast`, so an import inside a function or under
`TYPE_CHECKING` counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "followthrough"
DOC = ROOT / "docs" / "architecture.md"
BASE = {"config", "sql", "processes", "limits"}
PROJECT = {"settings", "urls", "wsgi", "cli", "__main__", "__init__"}


def layers() -> dict[str, int]:
    """{room: layer} from the table of docs/architecture.md."""
    rows = re.findall(r"^\| (\d+) \| `(\w+)`", DOC.read_text(), flags=re.MULTILINE)
    return {room: int(layer) for layer, room in rows}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts
    }


def room_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "project"
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "base" if parts[1] in BASE else "project"


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Our modules that `module` imports, anywhere in its source."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known and "." in name:
                name = name.rpartition(".")[0]
            if name in known and name != module and name.startswith("followthrough."):
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    return {module: imports(module, path, set(found)) for module, path in found.items()}


def test_the_table_names_every_room():
    rooms = {room_of(module) for module in modules()}
    assert rooms <= set(layers()), f"add {rooms - set(layers())} to docs/architecture.md"


def test_no_room_imports_a_room_beside_or_above_it():
    order = layers()
    against = sorted(
        f"{module} -> {target}"
        for module, targets in graph().items()
        for target in targets
        if room_of(module) != room_of(target) and order[room_of(target)] >= order[room_of(module)]
    )
    assert against == [], "imports against the layers:\n" + "\n".join(against)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_takes_part_in_an_import_cycle():
    assert cycles(graph()) == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert cycles(edges) == expected


def test_lazy_and_type_only_imports_count(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from followthrough.events.models import Event\n"
        "def f():\n    from followthrough.exchange import models\n"
    )
    known = {"followthrough.events.models", "followthrough.exchange.models"}
    assert imports("followthrough.people.x", source, known) == known
