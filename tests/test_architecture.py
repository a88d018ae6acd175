"""The shape of the code: no import cycles between nscal's modules, and events stand
on their own (registrations know events, never the other way round).

The graph comes from grimp (the engine of import-linter), which reads every import
statement, those inside functions too: an import moved into a function still ties
the two modules together, it only hides the cycle until the function runs.
"""

import ast
from collections import deque
from pathlib import Path

import grimp
import pytest

import nscal

ROOT_PACKAGE = "nscal"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(ROOT_PACKAGE, cache_dir=None)


def _deferred_lines(path: Path) -> set[int]:
    """Line numbers inside the functions of a module (e.g. ``create_app``'s body)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def _edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Who imports whom, without the app factory's wiring.

    ``create_app`` in ``nscal/__init__.py`` imports every blueprint when it is called,
    long after all modules are loaded: it is the composition root that assembles the
    application, not a dependency of the package on its parts. Its imports at module
    level (configuration, extensions) still count.
    """
    deferred = _deferred_lines(Path(nscal.__file__))
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        imported = set(graph.find_modules_directly_imported_by(module))
        if module == ROOT_PACKAGE:
            imported = {
                target
                for target in imported
                if any(
                    detail["line_number"] not in deferred
                    for detail in graph.get_import_details(importer=module, imported=target)
                )
            }
        edges[module] = imported
    return edges


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _shortest_cycle(edges: dict[str, set[str]], component: set[str], start: str) -> list[str]:
    """A shortest way round the component from ``start`` back to it."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(edges[node] & component):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")  # a component always has one


def _readable(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    """``a -> b (b.py line 3: from a import x) -> a``, each step with the line doing it."""
    steps = [cycle[0]]
    for importer, imported in zip(cycle, cycle[1:], strict=False):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = ", ".join(
            f"line {detail['line_number']}: {detail['line_contents']}" for detail in details
        )
        steps.append(f"{imported}  [{importer} {where}]")
    return "\n    -> ".join(steps)


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Shortest cycles among modules that import each other, enough to name each module
    caught in one (``a <-> b`` and ``a <-> c`` are two cycles, not one), sorted."""
    edges = _edges(graph)
    cycles = []
    for component in _strongly_connected(edges):
        if len(component) == 1:
            continue
        covered: set[str] = set()
        for module in sorted(component):
            if module not in covered:
                cycle = _shortest_cycle(edges, component, module)
                covered.update(cycle)
                cycles.append(cycle)
    return sorted(cycles)


def test_no_import_cycles_between_modules(graph):
    cycles = import_cycles(graph)
    assert not cycles, "Import cycles (each a module importing its way back to itself):\n" + (
        "\n".join(f"  {_readable(graph, cycle)}" for cycle in cycles)
    )


def test_events_never_depend_on_registrations(graph):
    chains = graph.find_shortest_chains(
        importer="nscal.events", imported="nscal.registrations", as_packages=True
    )
    assert not chains, "nscal.events reaches nscal.registrations:\n" + "\n".join(
        "  " + " -> ".join(chain) for chain in sorted(chains)
    )


def test_the_cycle_finder_reports_a_cycle_hidden_inside_a_function():
    """The checks above would pass on an empty graph; this one proves they can fail."""
    graph = grimp.ImportGraph()
    for module in ("nscal", "nscal.a", "nscal.b", "nscal.c"):
        graph.add_module(module)
    graph.add_import(importer="nscal.a", imported="nscal.b", line_number=1, line_contents="")
    graph.add_import(importer="nscal.b", imported="nscal.c", line_number=1, line_contents="")
    # e.g. ``def f(): from nscal.a import x`` in nscal/c.py
    graph.add_import(importer="nscal.c", imported="nscal.a", line_number=9, line_contents="")
    graph.add_module("nscal.d")  # a second cycle through nscal.a: a <-> d
    graph.add_import(importer="nscal.a", imported="nscal.d", line_number=2, line_contents="")
    graph.add_import(importer="nscal.d", imported="nscal.a", line_number=1, line_contents="")
    assert import_cycles(graph) == [
        ["nscal.a", "nscal.d", "nscal.a"],
        ["nscal.b", "nscal.c", "nscal.a", "nscal.b"],
    ]
