"""Who may import whom: the package's layers, read from every import statement.

Every ``import`` and ``from ... import`` counts: at module level, inside
functions, and under ``if TYPE_CHECKING:``. The layers, bottom up:

1. the kernel: ``sim/`` (with ``latency/`` and ``validation``, which it uses);
2. the mechanisms: the modules at the top of the package, ``topologies/``
   and ``apps/``;
3. ``checks/``, ``experiments/`` and ``views/``;
4. ``plots/``, then ``widgets/``;
5. ``exercises/`` (and ``labs/``, when it exists).

The rules (also in README.md, "For contributors"):

- no cycle anywhere in the package;
- the kernel imports nothing above it;
- mechanisms import none of checks, experiments, views, plots, widgets,
  exercises or labs, nor the ``dynamo_lab`` facade;
- views import no plots and no widgets, and plots import no widgets;
- experiments import no plots, widgets or exercises;
- checks import no experiments, views, plots, widgets or exercises.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dynamo_lab"
TOOLS = PACKAGE.parent / "tools"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node) -> list[str]:
    """The package modules an import statement names (only dynamo_lab's)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = importer.split(".") if is_package else importer.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
        else:
            stem = node.module or ""
        # `from pkg import sub` names the submodule when there is one.
        names = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in MODULES else stem
                 for a in node.names]
    found = []
    for name in names:
        if name.split(".")[0] != "dynamo_lab":
            continue
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        found.append(name)
    return found


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        targets = set()
        for node in ast.walk(tree):   # every statement: module level, functions, TYPE_CHECKING
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets.update(_resolve(name, path.name == "__init__.py", node))
        targets.discard(name)
        graph[name] = targets
    return graph


GRAPH = import_graph()


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "facade"
    top = parts[1]
    if top in ("sim", "latency", "validation"):
        return "kernel"
    if top in ("checks", "experiments", "views", "plots", "widgets", "exercises", "labs"):
        return top
    return "mechanism"   # top-level modules, topologies/, apps/


FORBIDDEN = {
    "kernel": {"facade", "mechanism", "checks", "experiments", "views", "plots", "widgets",
               "exercises", "labs"},
    "mechanism": {"facade", "checks", "experiments", "views", "plots", "widgets", "exercises",
                  "labs"},
    "views": {"plots", "widgets", "exercises", "labs"},
    "plots": {"widgets", "exercises", "labs"},
    "experiments": {"plots", "widgets", "exercises", "labs"},
    "checks": {"experiments", "views", "plots", "widgets", "exercises", "labs"},
}


def strongly_connected(graph):
    """Tarjan's algorithm: the groups of modules that import each other in a cycle."""
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_the_reader_sees_imports_in_functions_and_under_type_checking():
    # Guards the test itself: these edges exist only inside a function and
    # under TYPE_CHECKING respectively.
    assert "dynamo_lab.cluster" in GRAPH["dynamo_lab.pbs"]
    assert "dynamo_lab.host" in GRAPH["dynamo_lab.node"]
    assert len(GRAPH) > 80


def test_no_cycle_anywhere_in_the_package():
    assert strongly_connected(GRAPH) == []


def test_the_cycle_finder_finds_cycles():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]]


@pytest.mark.parametrize("importer", sorted(GRAPH))
def test_imports_point_down_the_layers(importer):
    forbidden = FORBIDDEN.get(layer(importer), set())
    wrong = sorted(t for t in GRAPH[importer] if layer(t) in forbidden)
    assert not wrong, f"{importer} ({layer(importer)}) must not import {wrong}"


def test_the_top_of_the_package_stays_small_and_holds_mechanisms_only():
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(flat) <= 25, flat
    assert not [name for name in flat if name.endswith("_experiments.py")]


def test_authoring_tools_live_outside_the_package():
    for tool in ("generate_exercises.py", "refresh_notebooks.py", "lab.py"):
        assert (TOOLS / tool).exists()
        assert not list(PACKAGE.rglob(tool))
    assert not (PACKAGE / "exercises" / "generate.py").exists()
    assert not (PACKAGE / "exercises" / "refresh.py").exists()


def test_no_two_public_classes_share_a_name():
    seen = {}
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                assert node.name not in seen, f"{node.name} in {seen.get(node.name)} and {name}"
                seen[node.name] = name


def test_moved_modules_name_their_new_home():
    import importlib

    import dynamo_lab   # installs the finder

    for old, new in dynamo_lab._MOVED.items():
        assert old not in MODULES, f"{old} still exists"
        with pytest.raises(ModuleNotFoundError, match=f"{old} has moved to"):
            importlib.import_module(old)
        home = new.split()[0]
        assert home in MODULES or home.startswith("tools/"), f"{old} points at {home}"
