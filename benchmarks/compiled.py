"""The simulator's hot modules compiled with mypyc: same code, faster.

mypyc (part of mypy) compiles ordinary type-annotated Python into C
extensions. This script copies the package, compiles there the modules every
message and operation passes through (:data:`HOT_MODULES`), never in the
source tree, and checks that the copy simulates exactly what the source
does: ``fingerprint.py`` must print the same digests for both. Then, by the
first argument:

(none, or throughput options)
    Measure: run ``throughput.py`` on a temporary build (any arguments are
    passed on to it).
``--test [pytest options]``
    Run the tests, lessons and solutions on a temporary build (not the
    doctests, which pytest would import from the source). The few tests
    that only hold for the interpreted package are marked in
    ``tests/builds.py`` and skipped, with the reason. ``--test-fast`` runs
    the tests without the notebooks, as ``make test`` does after its own run.
``--build DIR``
    Build into ``DIR`` and keep it, for long studies: put ``DIR`` first on
    the module path (``PYTHONPATH=DIR``) and ``import dynamo_lab`` imports
    the compiled build. ``make compiled`` builds ``build/compiled``.

Lessons run the interpreted package. Building needs a C compiler, Python's
headers and mypy, which the project's test extra installs.

    .venv/bin/python benchmarks/compiled.py [--ops 100000] [--repeats 5]
    .venv/bin/python benchmarks/compiled.py --test [pytest options]
    .venv/bin/python benchmarks/compiled.py --test-fast [pytest options]
    .venv/bin/python benchmarks/compiled.py --build build/compiled
"""

import os
import shutil
import subprocess
import sys
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Compiled, relative to the package: every module a message or an operation
#: passes through, from the kernel, network and trace to nodes, coordinators,
#: versions, clients, the cluster and its history.
HOT_MODULES = ["sim/kernel.py", "sim/collector.py", "sim/network.py", "sim/trace.py",
               "node.py", "coordinator.py", "versions.py", "client.py",
               "system.py", "cluster.py", "history.py"]

#: mypy's checks, limited to the compiled modules (the rest of the package is
#: read for its types only).
MYPYC_OPTIONS = ["--ignore-missing-imports", "--follow-imports=silent",
                 "--disable-error-code=annotation-unchecked"]


def build(into: Path) -> None:
    """Copy the package into ``into`` and compile :data:`HOT_MODULES` there."""
    shutil.copytree(ROOT / "dynamo_lab", into / "dynamo_lab",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    # The grader learns the course's notebook names from these folders,
    # which it looks for beside the package.
    for folder in ("exercises", "solutions"):
        (into / folder).symlink_to(ROOT / folder, target_is_directory=True)
    command = [sys.executable, "-m", "mypyc", *MYPYC_OPTIONS,
               *(f"dynamo_lab/{module}" for module in HOT_MODULES)]
    print(f"compiling {len(HOT_MODULES)} modules with mypyc ...", flush=True)
    done = subprocess.run(command, cwd=into, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"mypyc failed (exit {done.returncode}); it needs mypy (the project's test "
                 "extra installs it), a C compiler and Python's headers. Its output ends:\n"
                 f"{done.stdout[-2000:]}{done.stderr[-2000:]}")


def environment(pythonpath: Path | None) -> dict[str, str]:
    """This process's environment, with ``pythonpath`` first on the module path."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath),
                                                           env.get("PYTHONPATH")]))
    return env


def run(arguments: list[str], pythonpath: Path | None) -> str:
    """Run Python with ``arguments``, on the compiled copy if ``pythonpath`` is given."""
    # From this directory, where no ``dynamo_lab`` shadows the one asked for.
    done = subprocess.run([sys.executable, *arguments], env=environment(pythonpath),
                          cwd=HERE, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"python {' '.join(arguments)} failed (exit {done.returncode}):\n"
                 f"{done.stderr[-3000:]}")
    return done.stdout


def test(build_dir: Path, pytest_options: list[str], *, notebooks: bool) -> int:
    """Run the tests (and, with ``notebooks``, the lessons and solutions) on the
    compiled copy; return pytest's status."""
    # Started in the build directory, so that the compiled package is the one
    # on the path before the source; the notebooks' kernels find it through
    # PYTHONPATH. The project's addopts name paths relative to its root, so
    # they are given here in full instead.
    paths = [ROOT / "tests"]
    options = ["--ignore", str(ROOT / "tests" / "browser"), "-m", "not browser"]
    if notebooks:
        paths += [ROOT / "notebooks", ROOT / "solutions"]
        options += ["--nbval", "--nbval-current-env", "--nbval-cell-timeout", "120",
                    "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg")]
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
               "--rootdir", str(ROOT), "-o", "addopts=", "-p", "no:cacheprovider",
               *options, *pytest_options, *map(str, paths)]
    return subprocess.run(command, cwd=build_dir, env=environment(build_dir)).returncode


def build_checked(into: Path) -> None:
    """Build into ``into``; stop unless the build is what Python imports and
    simulates exactly what the source does."""
    build(into)
    kernel = Path(run(["-c", "import dynamo_lab.sim.kernel as k; print(k.__file__)"],
                      into).strip())
    # Measuring or testing the source by mistake is easily done.
    if not any(kernel.name.endswith(suffix) for suffix in EXTENSION_SUFFIXES):
        sys.exit(f"the build's kernel did not load; Python imported {kernel}")
    print(f"the kernel imported: {kernel.name}")
    fingerprint = [str(HERE / "fingerprint.py")]
    compiled, interpreted = run(fingerprint, into), run(fingerprint, None)
    if compiled != interpreted:
        sys.exit("the compiled simulator's fingerprints differ from the interpreted one's:\n"
                 f"compiled:\n{compiled}\ninterpreted:\n{interpreted}")
    print("fingerprints: the same, compiled and interpreted", flush=True)


def build_to_keep(into: Path) -> None:
    """``--build DIR``: replace any earlier build in ``into`` with a checked one."""
    into = into.resolve()
    if (into / "dynamo_lab").exists():
        shutil.rmtree(into / "dynamo_lab")
    for folder in ("exercises", "solutions"):
        (into / folder).unlink(missing_ok=True)
    # mypyc's shared runtime library, named after a hash of the build.
    for runtime in into.glob("*__mypyc*"):
        runtime.unlink()
    into.mkdir(parents=True, exist_ok=True)
    build_checked(into)
    print(f"built {into / 'dynamo_lab'}; to use it, put it first on the module path:\n"
          f"  PYTHONPATH={into} {sys.executable} your_study.py\n"
          "Build again after changing the source: the build is a copy.")


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["--build"]:
        if len(arguments) != 2:
            sys.exit("usage: compiled.py --build DIR")
        build_to_keep(Path(arguments[1]))
        return
    with tempfile.TemporaryDirectory(prefix="dynamo-lab-compiled-") as scratch:
        build_dir = Path(scratch)
        build_checked(build_dir)
        if arguments[:1] in (["--test"], ["--test-fast"]):
            sys.exit(test(build_dir, arguments[1:], notebooks=arguments[0] == "--test"))
        print(run([str(HERE / "throughput.py"), *arguments], build_dir), end="")


if __name__ == "__main__":
    main()
