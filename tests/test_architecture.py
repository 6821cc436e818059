"""The shape of the code that the README's layout promises: data flows one way.

records/ (the register) imports nothing of the flows or what reads them (notifications, documents,
reports); no package imports in a circle; no import is hidden inside a function to dodge one.
Read from the source with `ast`, so a new module is held to it the day it is added.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "records", "flows", "notifications", "documents", "reports", "demo")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _target(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The project modules an import statement names (a package for `from package import name`)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = module.split(".")
        if MODULES[module].name != "__init__.py":
            base = base[:-1]
        if node.level:
            base = base[: len(base) - node.level + 1]
            prefix = ".".join([*base, *([node.module] if node.module else [])])
        else:
            prefix = node.module or ""
        names = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in MODULES else prefix for alias in node.names]
    targets = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            targets.append(name)
    return targets


def _imports() -> tuple[dict[str, set[str]], list[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    nested: list[str] = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets = _target(module, node)
                edges[module].update(targets)
                if targets and id(node) not in top_level:
                    nested.append(f"{module}:{node.lineno} imports {', '.join(targets)}")
    return edges, nested


EDGES, NESTED = _imports()


def _circles() -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in EDGES[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in MODULES:
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_in_a_circle():
    assert _circles() == []


def test_the_register_imports_nothing_of_the_flows_or_what_is_built_on_them():
    offending = sorted(
        f"{module} imports {other}"
        for module, others in EDGES.items()
        if module.startswith("records")
        for other in others
        if other.startswith(("flows", "notifications", "documents", "reports"))
    )
    assert offending == []


def test_nothing_imports_the_demo():
    """The demo sits on top of everything and loads data; the site itself never depends on it."""
    offending = sorted(
        f"{module} imports {other}"
        for module, others in EDGES.items()
        if not module.startswith("demo")
        for other in others
        if other.startswith("demo")
    )
    assert offending == []


def test_the_notifications_only_read_the_flows_state():
    """notifications/ reads requests and steps and sends; deciding (lapsing, firing timers) is the flows'."""
    offending = sorted(
        f"{module} imports {other}"
        for module, others in EDGES.items()
        if module.startswith("notifications")
        for other in others
        if other.startswith("flows") and other not in ("flows.models", "flows.selectors")
    )
    assert offending == []


def test_no_import_is_deferred_into_a_function():
    assert NESTED == []


def test_each_request_kind_declares_every_node_of_its_flow_in_its_own_module():
    """A flow module reads like its diagram: no node comes from a base class or a mixin."""
    from viewflow.workflow.base import Node

    from flows.flows import FLOWS

    for flow_class in FLOWS:
        inherited = [
            f"{base.__name__}.{name}"
            for base in flow_class.__mro__[1:]
            for name, value in vars(base).items()
            if isinstance(value, Node)
        ]
        assert inherited == [], flow_class.__name__
        assert flow_class.__module__ == f"flows.{flow_class.kind}", "one module per kind, named after it"
