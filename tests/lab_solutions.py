"""The labs' reference classes, read from the answered notebooks in solutions/.

The notebook is the one place a lab's solution is written: the tests load the
classes from it, so what they check is what a learner is shown.
"""

import ast
import json
import linecache
from pathlib import Path

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


def solution_namespace(notebook: str) -> dict:
    """Run the notebook's set-up cell and every cell that only defines things
    (imports, functions, classes); return the names they made."""
    path = SOLUTIONS / notebook
    cells = [("".join(c["source"]), i) for i, c in enumerate(json.loads(path.read_text())["cells"])
             if c["cell_type"] == "code"]
    # As in a kernel: the cells run as __main__, and their text is in the line cache.
    namespace: dict = {"__name__": "__main__"}
    for position, (source, index) in enumerate(cells):
        body = ast.parse(source).body
        if position and not all(isinstance(node, _DEFINITIONS) for node in body):
            continue
        filename = f"<{path.name} cell {index}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
    return namespace


def reference_class(notebook: str, class_name: str) -> type:
    """The class ``class_name`` as the answered notebook defines it."""
    namespace = solution_namespace(notebook)
    if class_name not in namespace:
        raise LookupError(f"{notebook} defines no class {class_name}")
    return namespace[class_name]
