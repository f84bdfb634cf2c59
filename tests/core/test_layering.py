"""The import direction of ``src/slipstream``, kept by reading the source.

Packages are layered (``docs/architecture.md`` draws the same list): a module may import its own
package and the packages below it, never above, and no group of modules may import each other in
a circle — imports inside functions count (they only hide a cycle), imports under
``TYPE_CHECKING`` do not (they never run).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import slipstream

ROOT = Path(slipstream.__file__).parent
#: Bottom to top. Keep in step with the table in docs/architecture.md.
LAYERS = (
    "core",
    "paths",
    "model",
    "store",
    "marketdata",
    "impact",
    "portfolio",
    "brokers",
    "oms",
    "risk",
    "algos",
    "reports",
    "tca",
    "kernel",
    "demo",
    "cli",
)
RANK = {name: n for n, name in enumerate(LAYERS)}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module, modules: set[str]) -> set[str]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import module`` needs the module, not the package's other parts.
            subs = {f"{node.module}.{a.name}" for a in node.names}
            found |= subs & modules or {node.module}
    return {name for name in found if name.startswith("slipstream.")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in _runtime_imports(ast.parse(path.read_text()), set(modules)):
            if target in modules and target != name:
                graph[name].add(target)
        graph.setdefault(name, set())
    return graph


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_package_has_a_layer() -> None:
    packages = {_package(m) for m in _graph()} - {"slipstream"}
    assert packages <= set(LAYERS), packages - set(LAYERS)


def test_no_import_points_up_the_layers() -> None:
    upward = sorted(
        f"{source} imports {target}"
        for source, targets in _graph().items()
        for target in targets
        if RANK.get(_package(target), 0) > RANK.get(_package(source), 0)
    )
    assert upward == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert _cycles(_graph()) == []


def test_the_guard_sees_a_cycle_and_an_upward_import() -> None:
    graph = {"slipstream.model.a": {"slipstream.cli.b"}, "slipstream.cli.b": {"slipstream.model.a"}}
    assert _cycles(graph) == [["slipstream.cli.b", "slipstream.model.a"]]
    assert RANK[_package("slipstream.cli.b")] > RANK[_package("slipstream.model.a")]


@pytest.mark.parametrize("layer", LAYERS)
def test_the_architecture_doc_lists_each_layer(layer: str) -> None:
    doc = (ROOT.parents[1] / "docs" / "architecture.md").read_text()
    assert f"`{layer}" in doc
