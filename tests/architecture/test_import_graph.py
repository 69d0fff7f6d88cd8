"""The rooms of the package and the directions data may flow between them, checked on the source.

Every ``import`` in ``src/detente`` is read with :mod:`ast` (module level and inside functions; imports
under ``if TYPE_CHECKING:`` are annotations only and are left out). Each module belongs to a room;
a room may import only the rooms below it:

    errors  <  budget  <  engines (conflict, forecast, clock)  <  io  <  interventions  <  analysis
    <  render  <  app  <  web  <  cli (whose ``serve`` starts the web app)

and there must be no cycle between packages or between modules.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "detente"

RANK = {
    "errors": 0,
    "budget": 1,
    "conflict": 2,
    "forecast": 2,
    "clock": 2,
    "io": 3,
    "interventions": 4,
    "analysis": 5,
    "render": 6,
    "app": 7,
    "web": 8,
    "cli": 9,
}
ENGINES = ("conflict", "forecast", "clock")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "detente" else None


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """The detente modules ``path`` imports at run time (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("detente"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.startswith("detente"):
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    modules = {_module_name(p) for p in SRC.rglob("*.py")}
    return {m for m in found if m in modules and m != here}


GRAPH = {_module_name(p): _imports(p) for p in sorted(SRC.rglob("*.py"))}


def test_every_module_has_a_room() -> None:
    rooms = {_room(m) for m in GRAPH} - {None}
    assert rooms <= set(RANK), sorted(rooms - set(RANK))


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_flow_downwards_only(module: str) -> None:
    room = _room(module)
    if room is None:
        return
    bad = sorted(
        target
        for target in GRAPH[module]
        if (r := _room(target)) is not None and r != room and RANK[r] >= RANK[room]
    )
    assert bad == [], f"{module} ({room}) imports {bad}"


def test_engines_import_no_file_format_words_json_or_faces() -> None:
    for module, targets in GRAPH.items():
        if _room(module) in ENGINES:
            outside = sorted(t for t in targets if _room(t) not in (*ENGINES, "errors", "budget"))
            assert outside == [], f"engine module {module} imports {outside}"


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a directed graph (depth-first search), or None."""
    colour: dict[str, int] = defaultdict(int)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if colour[nxt] == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if colour[nxt] == 0 and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        colour[node] = 2
        return None

    for node in sorted(edges):
        if colour[node] == 0 and (found := visit(node)) is not None:
            return found
    return None


def test_no_package_cycles() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        for target in targets:
            a, b = _room(module), _room(target)
            if a and b and a != b:
                packages[a].add(b)
    assert _cycle(packages) is None


def test_no_module_cycles() -> None:
    # A package's __init__ importing its own modules is not a cycle of meaning: leave those edges out.
    edges = {
        m: {t for t in targets if not (t.startswith(m + ".") and GRAPH.get(m) is not None)}
        for m, targets in GRAPH.items()
    }
    assert _cycle(edges) is None


def test_the_checker_sees_a_violation() -> None:
    """The checks can fail: an engine importing a renderer is caught."""
    fake = {"detente.conflict.x": {"detente.render.narrate"}}
    module, targets = next(iter(fake.items()))
    assert any(RANK[_room(t) or ""] >= RANK[_room(module) or ""] for t in targets)
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
