"""Run a learner's function where it can do no harm, and keep only what it returned.

A function answer reaches the grader as source (:class:`~dynamo_lab.exercises.answers.FunctionSource`).
The grader never runs it in its own process. It starts this module in a
subprocess, in a session of its own, with a memory limit, a CPU-time limit
and a wall-clock limit (the grader kills the whole process group when that
passes)::

    python -P -m dynamo_lab.exercises.sandbox REQUEST.json RESULT.json

The subprocess rebuilds the question exactly as the grader does (same
exercise set, same held-out seed), rebuilds the function from its source,
and lets the question check it, visible and held-out cases alike. Every call
the check makes is written down: the arguments, and what came back (or what
was raised). That log is all the subprocess reports.

The grader then checks the question again in its own process, with a
:class:`ReplayedFunction` that answers each call from the log. So the verdict
is computed by the grader's own code from the function's return values
alone: whatever the learner's code did inside the subprocess (patching the
checker, printing a fake verdict), it can change only what its function
returned. A call the log does not hold is refused, and so judged incorrect.
"""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from .answers import FunctionSource, decode, encode

__all__ = ["run_function", "run_class", "LabVerdict", "ReplayedFunction", "SandboxResult",
           "kill_group", "MEMORY_LIMIT_MB",
           "CPU_LIMIT_S", "WALL_LIMIT_S"]

#: Address space a sandboxed function may use (numpy and the simulator need a few hundred MB).
MEMORY_LIMIT_MB = 2048
#: CPU seconds a sandboxed check may use.
CPU_LIMIT_S = 60
#: Seconds of wall-clock time before the grader kills the sandbox.
WALL_LIMIT_S = 90.0


class LearnerError(Exception):
    """What a learner's function raised in the sandbox, replayed by name and message."""


class NotRecorded(Exception):
    """The grader's check made a call the sandbox's run did not make."""


@dataclass
class SandboxResult:
    """What one sandboxed run reported: the calls, or why there are none."""

    calls: list
    problem: str = ""


def _key(args: tuple) -> str:
    return json.dumps(encode(list(args)), sort_keys=True)


class ReplayedFunction:
    """Answers each call from a sandbox's log, as the learner's function did.

    >>> f = ReplayedFunction([[[1, 2], {"return": 3}]], signature=None)
    >>> f(1, 2)
    3
    >>> f(2, 2)
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.sandbox.NotRecorded: your function was not called with (2, 2) in the sandbox
    """

    def __init__(self, calls: list, signature: inspect.Signature | None, name: str = "answer"):
        self._answers: dict[str, deque] = {}
        for arguments, outcome in calls:
            self._answers.setdefault(json.dumps(arguments, sort_keys=True), deque()).append(outcome)
        if signature is not None:
            self.__signature__ = signature
        self.__name__ = name

    def __call__(self, *args):
        queue = self._answers.get(_key(args))
        if not queue:
            shown = ", ".join(map(repr, args))
            raise NotRecorded(f"your function was not called with ({shown}) in the sandbox")
        # Calls with the same arguments come back in the order they were made.
        outcome = queue.popleft() if len(queue) > 1 else queue[0]
        if "raise" in outcome:
            name, message = outcome["raise"]
            if name == "NotImplementedError":
                raise NotImplementedError(message)
            raise LearnerError(f"{name}: {message}")
        return decode(outcome["return"])


def signature_of(source: FunctionSource) -> inspect.Signature | None:
    """The learner's function's signature, rebuilt from its recorded parameters."""
    if source.signature is None:
        return None
    try:
        return inspect.Signature([
            inspect.Parameter(name, getattr(inspect.Parameter, kind),
                              default=None if has_default else inspect.Parameter.empty)
            for name, kind, has_default in source.signature])
    except (ValueError, TypeError, AttributeError):
        return None


def run_function(exercise_set: str, question: str, source: FunctionSource, *,
                 held_out_seed: int | None, learner: str | None = None,
                 wall_limit_s: float = WALL_LIMIT_S) -> SandboxResult:
    """Check ``source`` as ``question``'s answer in a sandbox; return the calls it made."""
    if source.problem and not source.source:
        return SandboxResult([], f"your function could not be sent to the grader: {source.problem}")
    report, problem = _in_sandbox(_request(exercise_set, question, source, held_out_seed,
                                           learner), "your function", wall_limit_s)
    if report is None:
        return SandboxResult([], problem)
    try:
        return SandboxResult(list(report["calls"]), str(report.get("problem", "")))
    except (KeyError, TypeError):
        return SandboxResult([], "the sandbox's report could not be read")


@dataclass
class LabVerdict:
    """A lab class judged in the sandbox: the outcome, its message and the points."""

    outcome: str = ""
    message: str = ""
    points: tuple[int, int] = (0, 0)
    problem: str = ""


def run_class(exercise_set: str, question: str, source: FunctionSource, *,
              held_out_seed: int | None, learner: str | None = None,
              wall_limit_s: float = WALL_LIMIT_S) -> LabVerdict:
    """Judge a lab's class (``source``, of kind "class") in a sandbox.

    Unlike a function, a lab's class runs inside the simulator, so its calls
    cannot be replayed one by one: the sandbox runs the lab's scenarios on
    the held-out seeds and reports the verdict, after checking that the class
    left the harness and the checkers as it found them.
    """
    if source.problem and not source.source:
        return LabVerdict(problem=f"your class could not be sent to the grader: {source.problem}")
    report, problem = _in_sandbox(_request(exercise_set, question, source, held_out_seed,
                                           learner), "your class", wall_limit_s)
    if report is None:
        return LabVerdict(problem=problem)
    if report.get("problem"):
        return LabVerdict(problem=str(report["problem"]))
    try:
        verdict = report["verdict"]
        earned, possible = (int(x) for x in verdict["points"])
        return LabVerdict(str(verdict["outcome"]), str(verdict["message"]), (earned, possible))
    except (KeyError, TypeError, ValueError):
        return LabVerdict(problem="the sandbox's report could not be read")


def _request(exercise_set, question, source: FunctionSource, held_out_seed, learner) -> dict:
    return {"exercise_set": exercise_set, "question": question, "held_out_seed": held_out_seed,
            "learner": learner, "function": {
                "name": source.name, "source": source.source, "kind": source.kind,
                "imports": list(source.imports), "helpers": list(source.helpers),
                "constants": {k: encode(v) for k, v in source.constants.items()}}}


def _in_sandbox(request_data: dict, what: str, wall_limit_s: float) -> tuple[dict | None, str]:
    """Run the sandbox on ``request_data``; (its report, "") or (None, why not)."""
    with tempfile.TemporaryDirectory(prefix="dynamo-lab-sandbox-") as scratch:
        request = Path(scratch) / "request.json"
        result = Path(scratch) / "result.json"
        request.write_text(json.dumps(request_data))
        env = {k: v for k, v in os.environ.items() if not k.startswith("DYNAMO_LAB_")}
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
        process = subprocess.Popen(
            [sys.executable, "-P", "-m", "dynamo_lab.exercises.sandbox", str(request), str(result)],
            cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, errors = process.communicate(timeout=wall_limit_s)
        except subprocess.TimeoutExpired:
            kill_group(process.pid)
            process.communicate()
            return None, f"{what} ran for more than {wall_limit_s:g} s and was stopped"
        if not result.exists():
            last = (errors or b"").decode(errors="replace").strip().splitlines()[-1:]
            how = (f"it was killed by signal {-process.returncode}" if process.returncode < 0
                   else f"it exited with status {process.returncode}")
            return None, (f"checking {what} stopped the sandbox ({how}"
                          f"{': ' + last[0] if last else ''})")
        try:
            report = json.loads(result.read_text())
        except ValueError:
            return None, "the sandbox's report could not be read"
        if not isinstance(report, dict):
            return None, "the sandbox's report could not be read"
        return report, ""


def kill_group(pid: int) -> None:
    """SIGKILL the process group of ``pid`` (no handler can ignore it); quiet if it is gone."""
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except OSError:       # gone already, or not ours
        pass


# -- inside the sandbox --------------------------------------------------------------------

def _limit_resources() -> None:
    import resource

    memory = MEMORY_LIMIT_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S + 5))


def _sandboxed(request: dict) -> dict:
    """Rebuild the question and the function, check one with the other, log the calls."""
    from importlib import import_module

    from .answers import _function_from_fields
    from .questions import _REGISTRY, Mode, building

    fields = request["function"]
    source = _function_from_fields(fields)
    # Taken before any of the learner's code runs, even a class body.
    judges = _judges() if source.kind == "class" else {}
    namespace = {"__name__": "__answer__", "__constants__": source.constants}
    try:
        exec(compile(source.program(), "<your answer>", "exec"), namespace)   # noqa: S102
        function = namespace[source.name]
    except Exception as exc:
        return {"calls": [], "problem": f"your function could not be rebuilt from its source: "
                                        f"{type(exc).__name__}: {exc}"}
    mode = Mode(graded=True, held_out_seed=request["held_out_seed"], learner=request["learner"])
    if source.kind == "class":
        return _judge_class(function, request["exercise_set"], mode, judges)
    with building(mode):
        questions = import_module(f"dynamo_lab.exercises.{request['exercise_set']}").questions()
    _REGISTRY.clear()
    question = next(q for q in questions if q.qid == request["question"])
    calls: list = []

    def recorded(*args):
        arguments = encode(list(args))
        try:
            value = function(*args)
        except Exception as exc:
            calls.append([arguments, {"raise": [type(exc).__name__, str(exc)[:500]]}])
            raise
        calls.append([arguments, {"return": encode(value)}])
        return value

    try:
        recorded.__signature__ = inspect.signature(function)
    except (TypeError, ValueError):
        pass
    question.check(recorded)
    return {"calls": calls, "problem": ""}


def _judges() -> dict:
    """The harness's and checkers' functions a lab's verdict rests on, by name."""
    from ..checks import linearizability, staleness
    from ..labs import harness
    from .labs import LabQuestion
    from .questions import Question

    return {"run_lab": harness.run_lab, "judge_run": harness.judge_run,
            "_outcome": harness._outcome, "stale_reads": staleness.stale_reads,
            "harness.stale_reads": harness.stale_reads,
            "harness.linearizable": harness.linearizable,
            "linearizable": linearizability.linearizable, "Question.check": Question.check,
            "LabQuestion.check": LabQuestion.check, "LabQuestion._judge": LabQuestion._judge}


def _judge_class(cls, lab: str, mode, before: dict) -> dict:
    """Run the lab's scenarios on a learner's class; refuse a class that patched the judges."""
    from .labs import lab_question
    from .questions import building

    with building(mode):
        question = lab_question(lab)
    result = question.check(cls)
    after = _judges()
    changed = [name for name, original in before.items() if after[name] is not original]
    if changed:
        return {"calls": [], "problem": f"your class replaced the lab's judges "
                                        f"({', '.join(changed)}); it was not graded"}
    return {"calls": [], "problem": "", "verdict": {
        "outcome": result.outcome, "message": result.message, "points": list(question.points)}}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    request_path, result_path = argv
    request = json.loads(Path(request_path).read_text())
    _limit_resources()
    report = _sandboxed(request)
    Path(result_path).write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
