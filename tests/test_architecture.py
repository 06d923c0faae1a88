"""The layering of docs/architecture.md holds: no package imports one above it, no module imports another
module's underscore names, the catalog reaches ccsds only inside a function, every module says what it
exports in `__all__`, and the package diagram of docs/architecture.md shows exactly the imports of the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "orbitshare"
DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

#: What each low package may import (packages not listed, the front ends, may import anything).
ALLOWED = {
    "constants": set(),
    "settings": set(),
    "astro": {"constants", "settings"},
    "catalog": {"constants", "astro", "ccsds"},
    "ccsds": {"constants", "astro", "catalog"},
    "ssa.conjunction": {"constants", "astro", "catalog", "ccsds"},
    "ssa.behaviour": {"constants", "astro", "catalog", "ccsds", "ssa.conjunction"},
    "export": {"constants", "astro", "ccsds"},
    "eo": {"constants", "settings", "astro", "catalog", "ccsds"},
    "satcom": {"constants", "settings", "astro", "catalog", "ccsds"},
    "pnt": {"constants", "settings", "astro", "catalog", "ccsds", "satcom"},
    "sharing": set(),
    "store": {"sharing", "settings"},
    "service": {"sharing", "store", "settings"},
}


def _group(module: str) -> str | None:
    """Layer of a dotted orbitshare module name ('ssa.conjunction', 'astro', ...), None outside orbitshare."""
    parts = module.split(".")
    if parts[0] != "orbitshare" or len(parts) < 2:
        return None
    if parts[1] == "ssa" and len(parts) > 2:
        return f"ssa.{parts[2]}"
    return parts[1]


def _modules():
    """(dotted name, parsed tree) of every module of the package."""
    for path in sorted(SRC.rglob("*.py")):
        name = ".".join(("orbitshare", *path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
        yield name, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.Module, top_level_only: bool = False):
    """(imported module, names) of every orbitshare import in a tree."""
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("orbitshare"):
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("orbitshare"):
                    yield alias.name, []


MODULES = list(_modules())


@pytest.mark.parametrize("name,tree", MODULES, ids=[m for m, _ in MODULES])
def test_imports_follow_the_layers(name, tree):
    """A low package imports only the packages below it (lazy imports included)."""
    own = _group(name)
    if own not in ALLOWED:
        return
    for module, names in _imports(tree):
        targets = [module] + [f"{module}.{n}" for n in names if (SRC / Path(*module.split(".")[1:]) / n).exists()
                              or (SRC / Path(*module.split(".")[1:]) / f"{n}.py").exists()]
        for target in targets:
            other = _group(target)
            assert other in (own, None) or other in ALLOWED[own], f"{name} imports {target} ({own} -> {other})"


@pytest.mark.parametrize("name,tree", MODULES, ids=[m for m, _ in MODULES])
def test_no_underscore_names_across_modules(name, tree):
    """No module imports another module's private names."""
    for module, names in _imports(tree):
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, f"{name} imports {private} from {module}"


def test_catalog_loads_without_ccsds():
    """The catalog package reaches ccsds only inside functions (ccsds.omm builds on catalog.records)."""
    for name, tree in MODULES:
        if _group(name) == "catalog":
            assert all(_group(m) != "ccsds" for m, _ in _imports(tree, top_level_only=True)), name


def _defines_all(tree: ast.Module) -> bool:
    """True when the module assigns `__all__` at its top level."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return True
    return False


#: Scripts run by a tool rather than imported: the `python -m` entry point and Alembic's migration scripts.
SCRIPTS = ("orbitshare.cli.__main__", "orbitshare.store.migrations")


@pytest.mark.parametrize("name,tree", MODULES, ids=[m for m, _ in MODULES])
def test_every_module_defines_all(name, tree):
    """Every module (packages included) lists its public names, or its modules, in `__all__`."""
    if name.startswith(SCRIPTS):
        return
    assert _defines_all(tree), f"{name} has no module-level __all__"


def _targets(module: str, names: list[str]) -> list[str]:
    """The imported module and those of the imported names that are modules or packages themselves."""
    folder = SRC / Path(*module.split(".")[1:])
    return [module] + [f"{module}.{n}" for n in names if (folder / n).exists() or (folder / f"{n}.py").exists()]


def _code_edges() -> set[tuple[str, str]]:
    """(importer, imported) package pairs of the code, constants left out (as in the diagram)."""
    edges = set()
    for name, tree in MODULES:
        own = _group(name)
        for module, names in _imports(tree):
            for target in _targets(module, names):
                other = _group(target)
                if other not in (None, own) and "constants" not in (own, other):
                    edges.add((own, other))
    return edges


def _diagram_edges() -> set[tuple[str, str]]:
    """(importer, imported) package pairs drawn in the mermaid package diagram of docs/architecture.md."""
    block = DOC.read_text(encoding="utf-8").split("```mermaid", 1)[1].split("```", 1)[0]
    alias = dict(re.findall(r'(\w+)\["([\w.]+)"\]', block))
    edges = set()
    for line in block.splitlines():
        match = re.match(r'\s*(\w+)(?:\["[\w.]+"\])?\s*(?:-->|-\..*?\.->)\s*(\w+)', line)
        if match:
            a, b = (alias.get(x, x) for x in match.groups())
            if "constants" not in (a, b):
                edges.add((a, b))
    return edges


def test_package_diagram_matches_the_code():
    """Every import between packages is drawn in docs/architecture.md, and every drawn edge is an import."""
    code, drawn = _code_edges(), _diagram_edges()
    assert code - drawn == set(), f"imports missing from the diagram: {sorted(code - drawn)}"
    assert drawn - code == set(), f"diagram edges with no import: {sorted(drawn - code)}"
