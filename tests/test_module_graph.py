"""The shape of the code under src/espaco: no import cycle between its modules, and no arrow back
between its layers (web -> services -> pdf, db, domain; see docs/architecture.md).

Every ``import`` statement counts — at the top, inside a function, or under ``if
TYPE_CHECKING:`` (a cycle hidden from the interpreter is still two modules that cannot be read,
tested or moved apart). ``from espaco.x import name`` is an edge to ``espaco.x.name`` when that is
a module, else to ``espaco.x`` itself (its ``__init__``, so a package's re-exports count). The
implicit import of a parent package when one of its submodules is imported is not an edge:
every package's ``__init__`` importing its own submodules would otherwise be a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "espaco"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the espaco package by dotted name (packages under their own name)."""
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, known: Iterable[str]) -> str | None:
    """The longest prefix of ``name`` that is one of our modules (None outside espaco)."""
    known = set(known)
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The espaco modules ``module`` imports anywhere in its text."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                drop = node.level - 1 if is_package else node.level
                base = base[: len(base) - drop] if drop else base
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            resolved = _resolve(target, known)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another, directly or not (Tarjan's strongly
    connected components of more than one module), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

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
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(groups)


def _path_within(group: list[str], edges: dict[str, set[str]]) -> list[str]:
    """One closed walk through a group, to name the imports to break in the failure message."""
    members = set(group)
    start = group[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for target in sorted(edges[node] & members):
            if target == start:
                walk = [node]
                while walk[-1] != start:
                    walk.append(previous[walk[-1]])
                return [start, *reversed(walk[:-1]), start]
            if target not in previous:
                previous[target] = node
                frontier.append(target)
    return group


def test_the_graph_covers_the_package():
    edges = graph()
    assert len(edges) > 100
    assert "espaco.services.imports.context" in edges["espaco.services.imports.validate_billing"]
    assert "espaco.domain.money" in edges["espaco.services.imports.fields"]
    # A package's re-exports are edges from its __init__.
    assert "espaco.services.imports.service" in edges["espaco.services.imports"]


def test_no_import_cycle_between_espaco_modules():
    edges = graph()
    found = [" -> ".join(_path_within(group, edges)) for group in cycles(edges)]
    assert found == []


# Layer (a module prefix) -> what it must never import. The domain's own rule (standard library
# and stdnum only) is tests/domain/test_domain_is_pure.py.
NEVER = {
    "espaco.services": ("espaco.web", "espaco.app", "espaco.cli", "espaco.demo"),
    "espaco.pdf": ("espaco.web", "espaco.app", "espaco.cli", "espaco.demo", "espaco.services"),
    "espaco.db": ("espaco.web", "espaco.app", "espaco.cli", "espaco.services", "espaco.pdf"),
    "espaco.domain": ("espaco.web", "espaco.services", "espaco.pdf", "espaco.db"),
    "espaco.tables": ("espaco.web", "espaco.services", "espaco.pdf", "espaco.db"),
}
# Known arrows back, each with its reason; to be removed, not added to.
ARROWS_BACK = {
    ("espaco.pdf.waste_report", "espaco.services.collections.waste_report"): "the PDF renders "
    "the service's Report as it is; Report belongs in a module both can import",
}


def _inside(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def arrows_back(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (source, target)
        for source, targets in edges.items()
        for layer, forbidden in NEVER.items()
        if _inside(source, layer)
        for target in targets
        if any(_inside(target, other) for other in forbidden)
    }


def test_no_layer_imports_the_layers_above_it():
    assert arrows_back(graph()) - set(ARROWS_BACK) == set()


def test_each_known_arrow_back_still_exists():
    # Once one is gone, remove its entry.
    assert set(ARROWS_BACK) <= arrows_back(graph())


def test_an_arrow_back_is_found():
    edges = {"espaco.services.x": {"espaco.web.pages", "espaco.domain.money"}, "espaco.web": set()}
    assert arrows_back(edges) == {("espaco.services.x", "espaco.web.pages")}


def test_type_checking_and_relative_imports_are_edges(tmp_path):
    text = (
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from .other import Thing\n"
        "if TYPE_CHECKING:\n"
        "    from espaco.pkg.third import Name\n"
        "def late():\n"
        "    import espaco.pkg.fourth.inner\n"
    )
    path = tmp_path / "mod.py"
    path.write_text(text)
    known = {"espaco.pkg", "espaco.pkg.sibling", "espaco.pkg.other", "espaco.pkg.third"}
    known |= {"espaco.pkg.fourth", "espaco.pkg.mod"}
    assert imports_of("espaco.pkg.mod", path, known) == {
        "espaco.pkg.sibling",
        "espaco.pkg.other",
        "espaco.pkg.third",
        "espaco.pkg.fourth",
    }


def test_the_cycle_finder_finds_direct_and_longer_cycles():
    edges = {
        "a": {"b"},
        "b": {"a", "c"},
        "c": {"d"},
        "d": {"e"},
        "e": {"c"},
        "f": {"a"},
    }
    assert cycles(edges) == [["a", "b"], ["c", "d", "e"]]
    assert _path_within(["c", "d", "e"], edges) == ["c", "d", "e", "c"]
    assert cycles({"a": {"b"}, "b": set()}) == []


# The web layer runs no queries (docs/architecture.md): its only imports of ``espaco.db``, each
# with its reason. A page that needs a read asks a service, which runs a ``read.Query``.
WEB_DB_IMPORTS = {
    ("espaco.web.params", "espaco.db"): "MAX_ID, the largest id a URL may carry",
    ("espaco.web.public", "espaco.db.database"): "the health check asks if the database answers",
}


def test_the_web_layer_imports_no_database_but_the_listed_constants():
    edges = graph()
    found = {
        (source, target)
        for source, targets in edges.items()
        if _inside(source, "espaco.web")
        for target in targets
        if _inside(target, "espaco.db")
    }
    assert found == set(WEB_DB_IMPORTS)
