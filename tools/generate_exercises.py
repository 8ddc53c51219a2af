"""Generate the learners' exercise notebooks from the answered solutions.

The answered notebook in ``solutions/`` is the source. Each answer sits
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines, and this
module swaps every such region for a stub that keeps the notebook runnable:

- inside a function (an indented region): ``raise NotImplementedError(...)``,
  which a question's ``check`` reports as "not attempted";
- at the top level: each assigned name becomes ``name = ...``, the stub a
  question's ``check`` recognises.

Outputs, execution counts and saved widget state are removed. Nobody edits
``exercises/`` by hand: ``make exercises`` regenerates it, and a test fails
when the committed copy is stale.

>>> print(strip_solutions('''def f(x):
...     ### BEGIN SOLUTION
...     return x + 1
...     ### END SOLUTION
... answer = 3  # not marked, kept'''))
def f(x):
    raise NotImplementedError("replace this line with your code")
answer = 3  # not marked, kept
>>> print(strip_solutions('''### BEGIN SOLUTION
... w = 2
... r, n = 2, 3
... ### END SOLUTION
... q1.check(w)'''))
w = ...  # your answer here
r = ...  # your answer here
n = ...  # your answer here
q1.check(w)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

__all__ = ["strip_solutions", "generate_notebook", "generate_all", "BEGIN", "END"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"


def _stub_for(region: list[str], indent: str) -> list[str]:
    if indent:
        return [f'{indent}raise NotImplementedError("replace this line with your code")']
    try:
        tree = ast.parse("\n".join(region))
    except SyntaxError as exc:
        raise ValueError(f"a solution region is not valid Python: {exc}") from None
    stubs = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                # `a, b = ...` would fail to unpack: give each name its own stub.
                names = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                stubs.extend(f"{ast.unparse(name)} = ...  # your answer here" for name in names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stubs.append(f"{node.name} = ...  # your answer here")
    return stubs or ["pass  # your code here"]


def strip_solutions(source: str) -> str:
    """Replace every marked solution region in a cell's source by its stub."""
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.splitlines(), 1):
        marker = line.strip()
        if marker == BEGIN:
            if region is not None:
                raise ValueError(f"line {number}: {BEGIN} inside another solution region")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if region is None:
                raise ValueError(f"line {number}: {END} without a {BEGIN}")
            out.extend(_stub_for([l[len(indent):] for l in region], indent))
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise ValueError(f"a {BEGIN} region is never closed")
    return "\n".join(out)


def generate_notebook(solution_path: Path, exercise_path: Path) -> None:
    """Write the exercise version of one solution notebook."""
    import nbformat

    nb = nbformat.read(solution_path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.source = strip_solutions(cell.source)
        cell.outputs = []
        cell.execution_count = None
    nb.metadata.pop("widgets", None)
    exercise_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, exercise_path)


def generate_all(solutions: Path, exercises: Path) -> list[Path]:
    """Generate ``exercises/NN_*.ipynb`` for every ``solutions/NN_*.ipynb``."""
    written = []
    for path in sorted(Path(solutions).glob("*.ipynb")):
        target = Path(exercises) / path.name
        generate_notebook(path, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python tools/generate_exercises.py SOLUTIONS_DIR EXERCISES_DIR",
              file=sys.stderr)
        return 2
    for path in generate_all(Path(args[0]), Path(args[1])):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
