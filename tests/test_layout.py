"""The layout rule of ARCHITECTURE.md, checked from the code: who may import whom, through which door, and no cycles.

Every module's imports are read from its syntax tree (those inside functions too: a lazy import
is still an arrow). An arrow the "may import" table does not allow fails, and so does an import
of the edge's internals from a tier: the tiers use `dmind.edge`'s public surface. Cycles are
looked for among module-level imports, the ones that run when a module loads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# folder -> the parts it may import (besides itself); bench and tests may import everything.
MAY_IMPORT = {
    "policies": set(),
    "edge": {"policies"},
    "export": {"edge"},
    "firmware_bridge": {"edge", "policies"},
    "local_tier": {"edge", "policies"},
    "cloud_client": {"edge", "policies"},
    "bench": {"edge", "policies", "export", "firmware_bridge", "local_tier", "cloud_client"},
}
# What the tiers may import of the edge: its facade, the nano runtime's, and the wire format both sides share.
EDGE_SURFACES = {"dmind.edge", "dmind.edge.nano", "dmind.edge.local_protocol"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["dmind", *parts])


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports(path: Path, top_level_only: bool = False, source: str | None = None) -> list[tuple[str, int, bool]]:
    """(module imported, line, whether it is the module named by the statement) for every import in `path`.

    Relative imports are resolved; `from pkg import name` also yields `pkg.name`, which is a module
    when `name` is one (not the statement's module: `from dmind.edge import secp256k1` goes through the facade).
    """
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    package = here if is_package(path) else here[:-1]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # a TYPE_CHECKING block does not run
        nodes = [n for n in nodes if not (isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test))]
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, True) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append((base, node.lineno, True))
            found += [(f"{base}.{alias.name}", node.lineno, False) for alias in node.names]
    return found


def sources() -> list[Path]:
    return sorted(p for folder in MAY_IMPORT for p in (ROOT / folder).rglob("*.py"))


MODULES = {module_name(p): p for p in sources()}


def part(module: str) -> str | None:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[0] == "dmind" and pieces[1] in MAY_IMPORT else None


def test_every_import_follows_the_table():
    wrong = []
    for path in sources():
        own = part(module_name(path))
        for target, line, _ in imports(path):
            other = part(target)
            if other is not None and other != own and other not in MAY_IMPORT[own]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {own} may not import {target}")
    assert not wrong, "\n".join(wrong)


def test_tiers_use_the_edges_public_surface():
    wrong = []
    for path in sources():
        own = part(module_name(path))
        if own in ("edge", "bench"):
            continue
        for target, line, named in imports(path):
            if named and part(target) == "edge" and target not in EDGE_SURFACES:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {target} is internal to the edge; use {EDGE_SURFACES}")
    assert not wrong, "\n".join(wrong)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def module_graph() -> dict[str, set[str]]:
    return {
        name: {t for t, _, _ in imports(path, top_level_only=True) if t in MODULES and t != name}
        for name, path in MODULES.items()
    }


def test_no_import_cycles():
    assert cycles(module_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    # The checker itself can fail: a two-module loop and a three-module loop are both reported.
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}) == [
        ["a", "b"],
        ["c", "d", "e"],
    ]


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("edge/gate.py", "from .types import Verdict", {"dmind.edge.types", "dmind.edge.types.Verdict"}),
        ("edge/rules/swaps.py", "from ..errors import EdgeError", {"dmind.edge.errors", "dmind.edge.errors.EdgeError"}),
        ("edge/nano/__init__.py", "from .tools import TOOLS", {"dmind.edge.nano.tools", "dmind.edge.nano.tools.TOOLS"}),
        ("bench/gate.py", "import dmind.policies.cose", {"dmind.policies.cose"}),
    ],
)
def test_relative_imports_resolve_from_the_module(where, source, expected):
    assert {t for t, _, _ in imports(ROOT / where, source=source)} == expected
