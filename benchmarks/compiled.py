"""The simulator's hot modules compiled with mypyc: same code, measured.

mypyc (part of mypy) compiles ordinary type-annotated Python into C
extensions. This script copies the package to a temporary directory,
compiles the modules every message and operation passes through there
(:data:`HOT_MODULES`), never in the source tree, and then

1. runs ``fingerprint.py`` on the compiled copy and on the source, and stops
   unless the two print the same digests: the compiled simulator must do
   exactly what the interpreted one does;
2. runs ``throughput.py`` on the compiled copy (any arguments given here are
   passed on to it).

With ``--test`` it runs the test suite on the compiled copy instead: the
tests, lessons and solutions (not the doctests, which pytest would import
from the source). Lessons and ``make test`` themselves run the interpreted
package. It needs a C compiler and Python's headers; ``make bench``
installs mypy.

    .venv/bin/python benchmarks/compiled.py [--ops 100000] [--repeats 5]
    .venv/bin/python benchmarks/compiled.py --test [pytest options]
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

#: Compiled, relative to the package: the kernel, the network and its trace,
#: nodes, coordinators and clients. (Not yet ``versions.py``: mypyc does not
#: compile ``VectorClock._make``'s ``cls.__new__``, and it ignores the
#: ``merge = staticmethod(...)`` of the versioning schemes.)
HOT_MODULES = ["sim/kernel.py", "sim/network.py", "sim/trace.py",
               "node.py", "coordinator.py", "client.py"]

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
        sys.exit(f"mypyc failed (exit {done.returncode}); it needs mypy (make bench installs "
                 f"it) and a C compiler. Its output ends:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


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


def test(build_dir: Path, pytest_options: list[str]) -> int:
    """Run the tests, lessons and solutions on the compiled copy; return pytest's status."""
    # Started in the build directory, so that the compiled package is the one
    # on the path before the source; the notebooks' kernels find it through
    # PYTHONPATH. The project's addopts name paths relative to its root, so
    # they are given here in full instead.
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
               "--rootdir", str(ROOT), "-o", "addopts=", "-p", "no:cacheprovider",
               "--nbval", "--nbval-current-env", "--nbval-cell-timeout", "120",
               "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
               "--ignore", str(ROOT / "tests" / "browser"), "-m", "not browser",
               *pytest_options,
               str(ROOT / "tests"), str(ROOT / "notebooks"), str(ROOT / "solutions")]
    return subprocess.run(command, cwd=build_dir, env=environment(build_dir)).returncode


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dynamo-lab-compiled-") as scratch:
        build_dir = Path(scratch)
        build(build_dir)
        kernel = Path(run(["-c", "import dynamo_lab.sim.kernel as k; print(k.__file__)"],
                          build_dir).strip())
        # Measuring the source by mistake is easily done.
        if not any(kernel.name.endswith(suffix) for suffix in EXTENSION_SUFFIXES):
            sys.exit(f"the build's kernel did not load; Python imported {kernel}")
        print(f"the kernel imported: {kernel.name}")
        if sys.argv[1:2] == ["--test"]:
            sys.exit(test(build_dir, sys.argv[2:]))
        fingerprint = [str(HERE / "fingerprint.py")]
        compiled, interpreted = run(fingerprint, build_dir), run(fingerprint, None)
        if compiled != interpreted:
            sys.exit("the compiled simulator's fingerprints differ from the interpreted one's:\n"
                     f"compiled:\n{compiled}\ninterpreted:\n{interpreted}")
        print("fingerprints: the same, compiled and interpreted")
        print(run([str(HERE / "throughput.py"), *sys.argv[1:]], build_dir), end="")


if __name__ == "__main__":
    main()
