"""How the risk package is built: the checks never see the engine, and risk/ has no import cycle.

Imports are read from the source with ``ast`` (every ``import`` anywhere in a module, including
``if TYPE_CHECKING:`` blocks and function bodies), so a cycle hidden from the interpreter by a
type-checking guard still counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import slipstream.risk

PACKAGE = "slipstream.risk"
RISK = Path(slipstream.risk.__file__).parent
MAX_LINES = 500


def _module_name(path: Path) -> str:
    return "__init__" if path.stem == "__init__" else path.stem


def _target(node: ast.Import | ast.ImportFrom) -> list[str]:
    """Return the risk modules an import statement names (``__init__`` for the package)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == PACKAGE:
                names.append("__init__")
            elif alias.name.startswith(PACKAGE + "."):
                names.append(alias.name[len(PACKAGE) + 1 :].split(".")[0])
        return names
    if node.level:  # a relative import inside risk/
        base = node.module.split(".")[0] if node.module else None
        if base is not None:
            return [base]
        return [alias.name for alias in node.names]
    module = node.module or ""
    if module == PACKAGE:
        # ``from slipstream.risk import engine`` names a module; anything else is the package.
        submodules = {p.stem for p in RISK.glob("*.py")}
        return [a.name if a.name in submodules else "__init__" for a in node.names]
    if module.startswith(PACKAGE + "."):
        return [module[len(PACKAGE) + 1 :].split(".")[0]]
    return names


def import_graph() -> dict[str, set[str]]:
    """Return, for each module of risk/, the risk modules it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(RISK.glob("*.py")):
        here = _module_name(path)
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges.update(t for t in _target(node) if t != here)
        graph[here] = edges
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a path of module names, or None."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> list[str] | None:
        if name in visiting:
            return [*visiting[visiting.index(name) :], name]
        if name in done:
            return None
        visiting.append(name)
        for nxt in sorted(graph.get(name, ())):
            found = visit(nxt)
            if found:
                return found
        visiting.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        found = visit(name)
        if found:
            return found
    return None


def test_the_graph_reader_sees_the_imports_it_should() -> None:
    graph = import_graph()
    assert {"checks", "engine", "ports", "gate"} <= set(graph)
    assert "gate" in graph["engine"]
    assert "ports" in graph["checks"]
    assert "engine" in graph["__init__"]


def test_checks_do_not_import_the_engine() -> None:
    graph = import_graph()
    assert "engine" not in graph["checks"]
    assert "engine" not in _reachable(graph, "checks"), "checks reach the engine indirectly"


def test_no_part_of_the_engine_imports_the_facade() -> None:
    graph = import_graph()
    for part in ("checks", "gate", "exposure", "halts", "desk", "killswitch", "ports"):
        assert "engine" not in _reachable(graph, part), part


def test_risk_has_no_import_cycle() -> None:
    cycle = _cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_modules_stay_short_or_say_why() -> None:
    for path in sorted(RISK.glob("*.py")):
        text = path.read_text()
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        assert lines <= MAX_LINES or "long because" in docstring.lower(), (
            f"{path.name} has {lines} lines; split it or say at its top why it is long"
        )


def test_the_check_list_and_the_check_names_agree() -> None:
    from slipstream.risk.checks import PER_ORDER_CHECKS, build_checks, parent_checks
    from slipstream.risk.limits import CHECK_NAMES

    checks = build_checks()
    assert tuple(name for name, _check in checks) == CHECK_NAMES
    assert set(CHECK_NAMES) >= PER_ORDER_CHECKS
    parent = [name for name, _check in parent_checks(checks)]
    assert parent == [n for n in CHECK_NAMES if n not in PER_ORDER_CHECKS]
    assert build_checks()[-1][1] is not checks[-1][1], "each gate has its own ES scratch vector"
