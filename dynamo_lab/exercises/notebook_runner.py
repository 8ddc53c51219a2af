"""Run one submitted notebook in a kernel, cell by cell, and survive what it does.

The grader starts this module as a worker process in a session of its own::

    python -P -m dynamo_lab.exercises.notebook_runner REQUEST.json

``REQUEST.json`` names the notebook (a private copy), the answers file the
kernel's recorder appends to, the per-cell time limit, and where to write
the kernel's process id and the run's status.

- Before the first cell, a hidden cell imports ``dynamo_lab`` with the
  notebook's folder off ``sys.path``, so the package is the instructor's even
  if the submission ships or writes one, then installs the recorder
  (:mod:`dynamo_lab.exercises.recorder`). The kernel runs in graded mode.
- A cell that runs over its time limit, or a kernel that dies, costs the
  kernel: it is killed with its whole process group (SIGKILL, which no
  handler can ignore), and a fresh kernel runs the notebook again without
  that cell. Answers already recorded stay recorded.
- The status file is rewritten after every cell, so the grader knows how far
  the run got even if it has to kill this worker.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

__all__ = ["run", "PREAMBLE", "MAX_RESTARTS"]

#: How many fresh kernels a run may start after a hang or a death.
MAX_RESTARTS = 3

#: The hidden first cell of every graded run.
PREAMBLE = """\
import os as _os, sys as _sys
_here = _os.path.realpath(_os.getcwd())
_saved_path = list(_sys.path)
# The submission's folder must not supply the package: drop it while importing.
_sys.path[:] = [p for p in _sys.path
                if p not in ("", ".") and _os.path.realpath(p) != _here]
import dynamo_lab.exercises.recorder as _recorder
_sys.path[:] = _saved_path
_recorder.install(_os.environ["DYNAMO_LAB_ANSWERS"], _os.environ["DYNAMO_LAB_PACKAGE"])
del _os, _sys, _here, _saved_path, _recorder
"""


def _write_status(path: Path, status: dict) -> None:
    """Replace the status file whole, so a reader never sees half of it."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(status))
    partial.replace(path)


def run(request: dict) -> dict:
    """Run the notebook the request names; return (and keep writing) its status."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    import dynamo_lab

    notebook = Path(request["notebook"])
    status_path = Path(request["status"])
    nb = nbformat.read(notebook, as_version=4)
    code = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    status = {"code_cells": len(code), "cells_run": 0, "errors": [], "timeouts": [],
              "deaths": [], "kernels": 0, "finished": False, "detail": ""}
    env = {**os.environ, "DYNAMO_LAB_GRADED": "1", "DYNAMO_LAB_ANSWERS": request["answers"],
           "DYNAMO_LAB_PACKAGE": str(Path(dynamo_lab.__file__).resolve().parent),
           "MPLBACKEND": "Agg", "PYTHONSAFEPATH": "1"}
    # The grader starts this worker with no DYNAMO_LAB_* variables of its own.
    if request.get("learner"):
        # The kernel builds the questions with the learner's own numbers, as their copy did.
        env["DYNAMO_LAB_LEARNER"] = request["learner"]
    skipped: set[int] = set()
    while status["kernels"] <= MAX_RESTARTS:
        status["kernels"] += 1
        client = NotebookClient(nb, timeout=request["cell_timeout_s"], allow_errors=True,
                                interrupt_on_timeout=False, kernel_name="python3",
                                startup_timeout=120)
        client.km = client.create_kernel_manager()
        stopped_at = None
        try:
            client.start_new_kernel(env=env, cwd=str(notebook.parent))
            Path(request["kernel_pid"]).write_text(str(client.km.provisioner.pid))
            client.start_new_kernel_client()
            preamble = nbformat.v4.new_code_cell(PREAMBLE)
            client.execute_cell(preamble, 0, store_history=False)
            failed = [o for o in preamble.outputs if o.get("output_type") == "error"]
            if failed:
                status["detail"] = ("the grader's set-up cell failed: "
                                    f"{failed[0].get('ename')}: {failed[0].get('evalue')}")
                _write_status(status_path, status)
                return status
            for index in code:
                if index in skipped:
                    continue
                cell = nb.cells[index]
                cell.outputs = []
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    status["timeouts"].append(index)
                    stopped_at = index
                    break
                except DeadKernelError:
                    status["deaths"].append(index)
                    stopped_at = index
                    break
                if (any(o.get("output_type") == "error" for o in cell.outputs)
                        and index not in status["errors"]):
                    status["errors"].append(index)
                status["cells_run"] = max(status["cells_run"], code.index(index) + 1)
                _write_status(status_path, status)
        except Exception as exc:   # the kernel would not start, or the client broke
            status["detail"] = f"{type(exc).__name__}: {exc}"
            _write_status(status_path, status)
            return status
        finally:
            _kill(client)
        if stopped_at is None:
            status["finished"] = True
            _write_status(status_path, status)
            return status
        skipped.add(stopped_at)
        _write_status(status_path, status)
    status["detail"] = f"gave up after {MAX_RESTARTS} restarts of the kernel"
    _write_status(status_path, status)
    return status


def _kill(client) -> None:
    """Kill the kernel's process group and close the client, whatever state it is in."""
    try:
        if client.km is not None and client.km.has_kernel:
            client.km.shutdown_kernel(now=True)    # SIGKILL to the process group
    except Exception:   # it may be dead already
        pass
    try:
        if client.kc is not None:
            client.kc.stop_channels()
    except Exception:
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m dynamo_lab.exercises.notebook_runner REQUEST.json",
              file=sys.stderr)
        return 2
    status = run(json.loads(Path(argv[0]).read_text()))
    return 0 if status["finished"] else 1


if __name__ == "__main__":
    sys.exit(main())
