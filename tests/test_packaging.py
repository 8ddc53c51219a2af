"""The project's set-up files agree with each other and with the README."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names, and conda-only entries.
CONDA_ONLY = {"python", "pip"}
# matplotlib-base is conda-forge's matplotlib without the Qt backends.
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
TEST_TOOLS_IN_BINDER = {"nbval"}


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def conda_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for entry in env["dependencies"]:
        if isinstance(entry, str):
            name, _, version = entry.partition("=")
            name = name.strip().lower()
            pins[CONDA_TO_PYPI.get(name, name)] = version.strip()
    return env, pins


def test_pyproject_and_environment_name_the_same_dependencies():
    runtime = {Requirement(r).name.lower(): Requirement(r)
               for r in pyproject()["project"]["dependencies"]}
    _, pins = conda_pins()
    binder = set(pins) - CONDA_ONLY - TEST_TOOLS_IN_BINDER
    assert binder == set(runtime), (
        f"only in environment.yml: {sorted(binder - set(runtime))}; "
        f"only in pyproject.toml: {sorted(set(runtime) - binder)}")
    for name, requirement in runtime.items():
        pinned = Version(pins[name])
        assert pinned in requirement.specifier, (
            f"environment.yml pins {name}={pins[name]}, outside pyproject's {requirement.specifier}")
        assert len(pins[name].split(".")) == 2, f"{name} should be pinned to a minor version"


def test_binder_environment_is_conda_forge_python_311():
    env, pins = conda_pins()
    assert env["channels"] == ["conda-forge"]
    assert pins["python"] == "3.11"
    for required in ["jupyterlab", "ipywidgets", "networkx", "matplotlib", "pandas", "nbval"]:
        assert required in pins, f"environment.yml lacks {required}"


def test_binder_takes_matplotlib_without_qt():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = [entry.partition("=")[0] for entry in env["dependencies"] if isinstance(entry, str)]
    assert "matplotlib-base" in names and "matplotlib" not in names


def test_postbuild_installs_the_package_editable_without_dependencies():
    text = (ROOT / "postBuild").read_text()
    assert "python -m pip install --no-deps -e ." in text
    assert not (ROOT / "binder").exists(), "a binder/ folder would hide the root files"


def test_readme_starts_with_the_two_commands_and_a_binder_badge():
    text = (ROOT / "README.md").read_text()
    head = text[:1500]
    assert "make lab" in head and "make test" in head
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)]*\)", head)
    assert badge and "urlpath=lab/tree/notebooks/00_start_here.ipynb" in badge.group(0)
    assert (ROOT / "notebooks" / "00_start_here.ipynb").exists()


def test_ci_runs_make_test_then_the_compiled_build():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert lines.index("make test") < lines.index("make test-compiled")


def test_make_test_needs_no_c_compiler():
    # The compiled build's tests run only in `make test-compiled`, and mypy
    # (which compiles it) is not part of the test extra.
    out = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert "compiled.py" not in out
    extras = pyproject()["project"]["optional-dependencies"]
    assert not any(Requirement(r).name == "mypy" for r in extras["test"])
    assert any(Requirement(r).name == "mypy" for r in extras["compiled"])


def test_make_help_lists_the_targets():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    for target in ["lab", "test", "test-compiled", "bench", "compiled", "exercises"]:
        assert f"make {target}" in out


def test_importing_the_package_pulls_in_no_presentation_library():
    code = ("import sys, dynamo_lab; "
            "print([m for m in ('matplotlib', 'ipywidgets', 'networkx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_package_runs_without_mypy_extensions():
    # Binder installs no mypy, so the no-op stand-in for mypyc's decorator
    # must do: a cluster and a leader-based topology still work.
    code = ("import sys; sys.modules['mypy_extensions'] = None; "
            "import dynamo_lab as dl; from dynamo_lab.topologies import SingleLeader; "
            "print(dl.Cluster(seed=1).put('k', 1).ok, SingleLeader(seed=1).put('k', 1).ok)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_every_public_module_declares_all():
    missing = []
    for path in sorted((ROOT / "dynamo_lab").rglob("*.py")):
        if path.name.startswith("_") and path.name != "__init__.py":
            continue
        if "__all__" not in path.read_text():
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules without __all__: {missing}"


# Functions that may call the built-in hash() because they never keep the
# result, with the reason; placement must always use MD5.
HASH_ALLOWED_IN = {
    "__hash__": "defines the hash of a value object",
    "_check_hashable": "only tests that a CRDT value can be hashed (dynamo_lab/crdt.py)",
}


def test_placement_never_uses_pythons_salted_hash():
    """Calls to the built-in hash() are allowed only in HASH_ALLOWED_IN."""
    offenders = []
    for path in (ROOT / "dynamo_lab").rglob("*.py"):
        tree = ast.parse(path.read_text())
        allowed = {id(node) for fn in ast.walk(tree)
                   if isinstance(fn, ast.FunctionDef) and fn.name in HASH_ALLOWED_IN
                   for node in ast.walk(fn)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "hash" and id(node) not in allowed):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"built-in hash() called at {offenders}"


def test_readme_lists_every_lesson_notebook_and_only_those():
    text = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^\| `((?:deep_dives/)?\d\d_[a-z0-9_]+)` \|", text, flags=re.M))
    present = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    present |= {f"deep_dives/{p.stem}" for p in (ROOT / "notebooks" / "deep_dives").glob("*.ipynb")}
    assert listed == present, (sorted(present - listed), sorted(listed - present))
