"""The labs' test harness: run a learner's coordinator through scenarios and judge it.

A lab (:mod:`dynamo_lab.labs.lab1`, ...) lists :class:`Scenario` objects in
order, from a quiet cluster to seeded chaos. Each scenario makes a schedule
of steps from a seed (clients' puts and gets, waits, crashes, partitions,
slow links) and runs it on a fresh cluster whose coordinators are the
learner's class. The run is then judged by properties that the project's
own checkers decide (:data:`PROPERTIES`): every request answered, no stale
read, failed writes never seen, linearizable.

The first seed that breaks a property is *shrunk*: steps are removed one at
a time for as long as the same property still breaks, as the anomaly finder
does (:mod:`dynamo_lab.checks.anomalies`). What the learner gets back is a
:class:`LabReport`: the property in words, the minimal schedule and history
as text, a message diagram of the failing run (:meth:`LabReport.draw`), and
a hint that names the likely mistake.

Everything is seeded, so a report repeats exactly, and the learner's code
runs inside the simulation: an exception it raises is caught and reported
with the step that caused it.
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..checks.linearizability import linearizable
from ..checks.staleness import stale_reads
from ..latency import Constant
from .protocol import LabProtocolError

__all__ = ["Scenario", "Layout", "KEY", "Violation", "Failure", "LabReport", "ScenarioResult",
           "drive", "run_steps", "apply_fault", "finish", "register_property", "common_hint",
           "judge_run", "shrink", "run_lab", "PROPERTIES", "step_text"]

#: The properties a scenario may ask for, in words.
PROPERTIES = {
    "answered": "every request gets exactly one answer (ok, fail or info) by its deadline",
    "fresh": "no read misses a write that was acknowledged before the read began",
    "failed_is_nothing": "a write answered fail never shows up in a read",
    "linearizable": "the history is linearizable: one order of the operations explains "
                    "every result",
    "runs": "the coordinator's code runs without raising an exception",
    "always_writable": "every write succeeds while enough nodes are up to hold W copies "
                       "(a sloppy quorum)",
    "handed_off": "once the faults are over and hints are handed off, every home replica "
                  "holds the newest acknowledged write",
    "repaired": "after a read, every replica it heard from holds the newest version the read "
                "saw (read repair)",
    "repaired_before_answer": "a blocking read answers only once every replica it heard from "
                              "holds what it returns",
}
#: How long past its deadline a request may still be answered (the harness's
#: own rounding, not the learner's slack).
_DEADLINE_SLACK_MS = 1e-6
#: Steps that are client operations (an add or a remove is a read and a write).
_OPERATIONS = ("put", "get", "add", "remove")
#: Clients of every scenario, and the one key they use.
WRITERS, READERS = ("writer",), ("reader1", "reader2")
KEY = "x"


class Layout(NamedTuple):
    """Where the key of a scenario lives: what a schedule is built from."""

    nodes: list
    home: list          # the key's N home replicas
    preference: list    # its whole preference list, home replicas first


@dataclass(frozen=True)
class Scenario:
    """One situation a lab puts the learner's coordinator in.

    Attributes
    ----------
    name : str
    words : str
        What happens in it, for the report.
    cluster : dict
        Options of :class:`~dynamo_lab.cluster.Cluster` (``n``, ``r``, ``w``,
        ``nodes``, ``latency``, ``loss``...).
    steps : callable
        ``steps(rng, layout) -> list of steps``: the schedule for one seed
        (``layout`` is a :class:`Layout`).
    properties : tuple of str
        Keys of :data:`PROPERTIES` this scenario checks.
    settings : dict
        Class attributes the scenario sets on the learner's class (for
        example ``{"blocking_read_repair": True}``).
    settle_ms : float
        After the schedule, every fault is lifted (nodes recover, partitions
        heal, links return to normal) and the run goes on this long before
        it is judged; 0: no such ending. It is not a step, so shrinking
        keeps it: "once the faults are over" stays true of a shrunk run.
    runner : callable, optional
        Runs a schedule as :func:`run_steps` does (same arguments); a lab
        whose clients do more than put and get (lab 3's read-modify-write
        carts) brings its own.
    fixed : tuple of str
        Kinds of step shrinking keeps (lab 4's loading of the replicas).
    describe : callable, optional
        ``describe(steps) -> list of str``: the schedule in words, when one
        line per step would be too many.
    """

    name: str
    words: str
    cluster: dict
    steps: Callable[[random.Random, Layout], list[tuple]]
    properties: tuple[str, ...]
    settings: dict = field(default_factory=dict)
    settle_ms: float = 0.0
    runner: Callable | None = None
    fixed: tuple[str, ...] = ()
    describe: Callable | None = None


@dataclass
class Violation:
    """A property a run broke: which, the operations to blame, and what happened."""

    prop: str
    detail: str
    op_ids: tuple[int, ...] = ()

    @property
    def words(self) -> str:
        return PROPERTIES[self.prop]


def step_text(step: tuple) -> str:
    """One step of a schedule, in words.

    >>> step_text(("put", "writer", "v3", "B")), step_text(("slow", "A", "C", 20.0))
    ("writer puts 'v3' via B", 'link A-C slowed to 20 ms')
    """
    kind = step[0]
    if kind == "put":
        return f"{step[1]} puts {step[2]!r} via {step[3]}"
    if kind == "get":
        return f"{step[1]} gets via {step[2]}"
    if kind == "add":
        return f"{step[1]} adds {step[2]!r} to the cart via {step[3]}"
    if kind == "remove":
        return f"{step[1]} removes an item from the cart via {step[2]}"
    if kind == "wait":
        return f"wait {step[1]:g} ms"
    if kind == "slow":
        return f"link {step[1]}-{step[2]} slowed to {step[3]:g} ms"
    if kind == "partition":
        return "partition " + " | ".join("[" + ", ".join(g) + "]" for g in step[1])
    if kind == "lossy":
        return f"links to and from {step[1]} lose {step[2]:.0%} of messages"
    if kind == "clear_links":
        return "links back to normal"
    return " ".join(str(part) for part in step)


class _LearnerError(Exception):
    """The learner's code raised while the simulator ran it."""

    def __init__(self, step: tuple, error: BaseException, cluster):
        super().__init__(str(error))
        self.step = step
        self.error = error
        self.cluster = cluster


def drive(steps: Sequence[tuple], seed: int, coordinator: type, replica: type, options: dict,
          act: Callable, *, settle_ms: float = 0.0, between: Callable | None = None,
          drain: Callable | None = None, setup: Callable | None = None):
    """Run a schedule on a fresh cluster of the learner's classes; return the cluster.

    ``act(cluster, step)`` carries out a step of the lab's own (a client's
    request, a sync) and returns False for any other; ``("wait", ms)``
    advances time (in 0.5 ms slices calling ``between(cluster)`` when it is
    given, so clients can act as soon as a reply arrives); any other step is
    a fault (:func:`apply_fault`). Then ``drain(cluster)``, if given, and
    :func:`finish`. ``setup(cluster)`` runs first.

    Raises
    ------
    _LearnerError
        When the learner's code raises; the step that was running is kept.
        NotImplementedError passes through: the learner has not written it yet.
    """
    from ..cluster import Cluster

    cluster = Cluster(seed=seed, coordinator=coordinator, replica=replica, **options)
    step: tuple = ("start",)
    try:
        if setup is not None:
            setup(cluster)
        for step in steps:
            if between is not None:
                between(cluster)
            if act(cluster, step):
                continue
            if step[0] == "wait":
                if between is None:
                    cluster.run_for(step[1])
                    continue
                end = cluster.now + step[1]
                while cluster.now < end:
                    cluster.run_for(min(0.5, end - cluster.now))
                    between(cluster)
            else:
                apply_fault(cluster, step)
        step = ("finish",)
        if drain is not None:
            drain(cluster)
        finish(cluster, settle_ms)
    except (KeyboardInterrupt, SystemExit, NotImplementedError):
        raise
    except Exception as error:     # the learner's code, run by the simulator
        raise _LearnerError(step, error, cluster) from error
    return cluster


def run_steps(steps: Sequence[tuple], seed: int, coordinator: type, replica: type,
              options: dict, key: str = KEY, settle_ms: float = 0.0):
    """Run ``steps`` on a fresh cluster of the learner's ``coordinator``; return the cluster.

    Steps: ``("put", client, value, via)``, ``("get", client, via)``,
    ``("wait", ms)``, ``("crash", node)`` (``("crash", node, "losing data")``
    wipes its storage), ``("recover", node)``,
    ``("partition", groups)``, ``("heal",)``, ``("slow", a, b, ms)``. A
    client with a request in flight skips its next put or get. At the end,
    with ``settle_ms``, every fault is lifted and the run goes on that long;
    then it goes on until nothing is left to happen.
    """
    def request(cluster, step) -> bool:
        kind = step[0]
        if kind not in ("put", "get"):
            return False
        client = cluster.client(step[1])
        if client.in_flight is None:
            if kind == "put":
                client.start_put(key, step[2], coordinator=step[3])
            else:
                client.start_get(key, coordinator=step[2])
        return True

    return drive(steps, seed, coordinator, replica, options, request, settle_ms=settle_ms)


def apply_fault(cluster, step: tuple) -> None:
    """Apply one fault step (crash, recover, partition, heal, slow, lossy, clear_links)."""
    kind = step[0]
    if kind == "crash" and cluster.is_up(step[1]):
        cluster.crash(step[1], lose_data=len(step) > 2 and step[2] == "losing data")
    elif kind == "recover" and not cluster.is_up(step[1]):
        cluster.recover(step[1])
    elif kind == "partition":
        cluster.partition(*[list(group) for group in step[1]])
    elif kind == "heal":
        cluster.heal()
    elif kind == "slow":
        cluster.set_link(step[1], step[2], latency=Constant(step[3]))
    elif kind == "lossy":
        for other in cluster.nodes:
            if other != step[1]:
                cluster.set_link(step[1], other, loss=step[2])
    elif kind == "clear_links":
        cluster.network.clear_links()


def finish(cluster, settle_ms: float) -> None:
    """End a run: with ``settle_ms``, lift every fault and go on that long; then until idle."""
    if settle_ms:
        cluster.heal()
        cluster.network.clear_links()
        for node in cluster.down:
            cluster.recover(node)
        cluster.run_for(settle_ms)
    cluster.run_until_idle()


def judge_run(cluster, properties: Iterable[str]) -> Violation | None:
    """The first of ``properties`` the cluster's run broke, or None."""
    history = cluster.history
    pairs = history.pairs()
    for prop in properties:
        if prop == "answered":
            for inv, done in pairs:
                if done is None:
                    return Violation(prop, f"{inv.process}'s {inv.f} (op {inv.op_id}) never got "
                                     f"an answer", (inv.op_id,))
                late = done.time - inv.time - cluster.timeout_ms
                if late > _DEADLINE_SLACK_MS:
                    return Violation(prop, f"{inv.process}'s {inv.f} (op {inv.op_id}) was "
                                     f"answered {late:g} ms after its deadline", (inv.op_id,))
        elif prop == "fresh":
            stale = stale_reads(history)
            if stale:
                s = stale[0]
                # Blame the read and the acknowledged writes it missed.
                missed = tuple(inv.op_id for inv, done in pairs
                               if inv.f == "put" and done is not None and done.type == "ok"
                               and inv.value in s.missed)
                return Violation(prop, f"{s.process}'s read (op {s.op_id}) returned "
                                 f"{s.returned!r}, missing {s.missed!r}, acknowledged "
                                 f"{s.ms_behind:.2f} ms before the read began",
                                 (s.op_id, *missed))
        elif prop == "failed_is_nothing":
            failed = {inv.value: inv.op_id for inv, done in pairs
                      if inv.f == "put" and done is not None and done.type == "fail"}
            for inv, done in pairs:
                if inv.f == "get" and done is not None and done.type == "ok":
                    for value in done.value or ():
                        if value in failed:
                            return Violation(prop, f"{inv.process}'s read (op {inv.op_id}) "
                                             f"returned {value!r}, whose write (op "
                                             f"{failed[value]}) was answered fail",
                                             (failed[value], inv.op_id))
        elif prop == "linearizable":
            verdict = linearizable(history, model="register", timeout_s=5.0)
            if verdict.valid is False:
                return Violation(prop, verdict.explanation,
                                 tuple(op.op_id for op in verdict.witness))
        elif prop in _STATE_PROPERTIES:
            found = _STATE_PROPERTIES[prop](cluster, pairs)
            if found is not None:
                return found
        else:
            raise ValueError(f"unknown property {prop!r}; the properties are "
                             f"{', '.join(PROPERTIES)}")
    return None


def _always_writable(cluster, pairs) -> Violation | None:
    for inv, done in pairs:
        if inv.f == "put" and done is not None and done.type != "ok":
            return Violation("always_writable", f"{inv.process}'s put of {inv.value!r} (op "
                             f"{inv.op_id}) ended {done.type}: {done.error}", (inv.op_id,))
    return None


def _handed_off(cluster, pairs) -> Violation | None:
    puts = [(inv, done) for inv, done in pairs if inv.f == "put"]
    acked = [i for i, (_, done) in enumerate(puts) if done is not None and done.type == "ok"]
    if not acked:
        return None
    newest = puts[acked[-1]][0]
    # The newest acknowledged write, or any write invoked after it.
    allowed = {inv.value for inv, _ in puts[acked[-1]:]}
    for name in cluster.ring.home_replicas(newest.key):
        held = cluster.node(name).held.get(newest.key, (None, None))[1]
        if held not in allowed:
            return Violation("handed_off", f"home replica {name} ends the run holding "
                             f"{held!r}, not {newest.value!r} (acknowledged, op "
                             f"{newest.op_id}) or a later write", (newest.op_id,))
    return None


def _lab_requests(cluster) -> list:
    found = []
    for name in cluster.nodes:
        found += getattr(cluster.node(name).coordinator, "_lab_requests", {}).values()
    return sorted(found, key=lambda request: request.op_id)


def _newest_heard(request):
    versions = [reply.version for time, reply in request._heard
                if reply.kind == "read_reply" and reply.version is not None
                and time <= request._answered_at]
    return max(versions) if versions else None


def _repaired(cluster, pairs) -> Violation | None:
    for request in _lab_requests(cluster):
        if request.kind != "get" or request.status != "ok":
            continue
        newest = _newest_heard(request)
        if newest is None:
            continue
        for _, reply in request._heard:
            if reply.kind != "read_reply":
                continue
            held = cluster.node(reply.src).held.get(request.key, (None,))[0]
            if held is None or held < newest:
                return Violation("repaired", f"the get (op {request.op_id}) saw version "
                                 f"{newest!r}, but {reply.src}, which answered it, still "
                                 f"holds {held!r} at the end of the run", (request.op_id,))
    return None


def _repaired_before_answer(cluster, pairs) -> Violation | None:
    for request in _lab_requests(cluster):
        if request.kind != "get" or request.status != "ok":
            continue
        newest = _newest_heard(request)
        if newest is None:
            continue
        for name, held in request._held_at_answer.items():
            if held is None or held < newest:
                return Violation("repaired_before_answer", f"the get (op {request.op_id}) "
                                 f"answered with version {newest!r} while {name}, which it had "
                                 f"heard from, held {held!r}", (request.op_id,))
    return None


#: Properties judged from the replicas' state and the requests the coordinators ran.
_STATE_PROPERTIES = {"always_writable": _always_writable, "handed_off": _handed_off,
                     "repaired": _repaired, "repaired_before_answer": _repaired_before_answer}


def common_hint(prop: str) -> str | None:
    """The hint every lab gives for ``runs`` and ``answered``; None for other properties."""
    if prop == "runs":
        return ("your code raised an exception while the simulator ran it; the message and "
                "the step say where. Replies keep arriving after a request is answered, so "
                "check request.done before you answer.")
    if prop == "answered":
        return ("a request got no answer by its deadline. on_timeout is called for every "
                "request that is not done when its deadline passes: answer it there, with "
                "request.give_up(reason), because the outcome is unknown.")
    return None


def register_property(name: str, words: str, check: Callable) -> None:
    """Add a property a lab's scenarios may name: ``check(cluster, pairs)`` returns a
    :class:`Violation` or None, judged from the run's state and history."""
    PROPERTIES[name] = words
    _STATE_PROPERTIES[name] = check


def _outcome(steps, seed, coordinator, replica, scenario) -> tuple[Any, Violation | None]:
    """(cluster or None, the violation) of one run; an exception counts as a violation."""
    try:
        runner = scenario.runner or run_steps
        cluster = runner(steps, seed, coordinator, replica, scenario.cluster,
                         settle_ms=scenario.settle_ms)
    except _LearnerError as failure:
        error = failure.error
        where = "".join(traceback.format_exception_only(type(error), error)).strip()
        during = ("as the run finished" if failure.step == ("finish",)
                  else f"during the step: {step_text(failure.step)}")
        return failure.cluster, Violation("runs", f"{where} ({during})")
    return cluster, judge_run(cluster, scenario.properties)


def shrink(steps: list[tuple], seed: int, coordinator, replica, scenario,
           prop: str, budget: int = 400) -> tuple[list[tuple], int]:
    """Remove steps one at a time while ``prop`` still breaks; return (steps, runs)."""
    runs = 0
    changed = True
    while changed and runs < budget:
        changed = False
        for i in range(len(steps)):
            if steps[i][0] in scenario.fixed:
                continue
            candidate = steps[:i] + steps[i + 1:]
            runs += 1
            _, violation = _outcome(candidate, seed, coordinator, replica, scenario)
            if violation is not None and violation.prop == prop:
                steps = candidate
                changed = True
                break
    return steps, runs


@dataclass
class Failure:
    """The minimal failing run of a scenario, shrunk."""

    scenario: Scenario
    seed: int
    steps: list
    violation: Violation
    cluster: Any
    hint: str

    def history_text(self) -> str:
        """The history, one line per event; ``<-`` marks the operations to blame."""
        if self.cluster is None:
            return "  (nothing ran)"
        blamed = set(self.violation.op_ids)
        if not len(self.cluster.history):
            return "  (no client requests: report.draw() shows the replicas' messages)"
        lines = []
        for op in self.cluster.history:
            mark = "  <-" if op.op_id in blamed and op.type != "invoke" else ""
            shown = "" if op.type == "invoke" and op.f == "get" else f" {_show(op.value)}"
            via = f" via {op.node}" if op.node else ""
            lines.append(f"  {op.time:8.3f} ms  {op.process:<8} {op.type:<6} {op.f}{shown}"
                         f"{via}{mark}")
        return "\n".join(lines)

    @property
    def operations(self) -> int:
        return sum(step[0] in _OPERATIONS for step in self.steps)


@dataclass
class ScenarioResult:
    """How one scenario went: the seeds run, and the first failure (shrunk)."""

    scenario: Scenario
    seeds: list
    failure: Failure | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass
class LabReport:
    """What :func:`dynamo_lab.labs.check` hands back."""

    lab: str
    title: str
    results: list = field(default_factory=list)
    not_attempted: str | None = None

    @property
    def passed(self) -> bool:
        return self.not_attempted is None and all(r.passed for r in self.results)

    @property
    def score(self) -> tuple[int, int]:
        """(scenarios passed, scenarios in the lab): partial work earns partial marks."""
        return sum(r.passed for r in self.results), self.total

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def failure(self) -> Failure | None:
        return next((r.failure for r in self.results if r.failure is not None), None)

    def text(self) -> str:
        """The report as plain text: one line per scenario, then the first failure."""
        if self.not_attempted is not None:
            return f"{self.title}: not attempted ({self.not_attempted})"
        lines = [f"{self.title}: {self.score[0]} of {self.total} scenarios pass"]
        for result in self.results:
            mark = "pass" if result.passed else "FAIL"
            failed = "" if result.passed else f", failed on seed {result.failure.seed}"
            seeds = len(result.seeds)
            lines.append(f"  {mark}  {result.scenario.name}: {result.scenario.words} "
                         f"({seeds} seed{'s' if seeds != 1 else ''}"
                         f"{failed})")
        failure = self.failure
        if failure is not None:
            v = failure.violation
            lines += ["", f"Broken: {v.words}.", f"  {v.detail}", "",
                      f"A smallest run that breaks it (seed {failure.seed}, "
                      f"{_count(failure.operations, 'operation')}), shrunk from the scenario's "
                      f"schedule:"]
            describe = failure.scenario.describe
            lines += [f"  {line}" for line in (describe(failure.steps) if describe
                                              else map(step_text, failure.steps))]
            if failure.scenario.settle_ms:
                lines.append(f"  (then every fault is lifted and the run goes on "
                             f"{failure.scenario.settle_ms:g} ms)")
            lines += ["History (<- marks what broke the property):", failure.history_text(), "",
                      f"Hint: {failure.hint}"]
            if failure.cluster is not None:
                lines.append("report.draw() shows the run's messages.")
        elif self.passed:
            seeds = sum(len(r.seeds) for r in self.results)
            lines.append(f"Every scenario passed, {seeds} seeded runs in all.")
        return "\n".join(lines)

    def draw(self, ax=None, whole_run: bool = False):
        """A message diagram of the failing run (None when nothing failed).

        By default it shows the operations to blame and the time they span
        (the whole run for a property of the replicas' final state, such as
        ``handed_off``); ``whole_run=True`` draws every message of the run.
        """
        failure = self.failure
        if failure is None or failure.cluster is None:
            return None
        from ..plots.messages import draw_messages

        blamed = set(failure.violation.op_ids)
        # A property of the replicas' final state is about the whole run.
        if whole_run or not blamed or failure.violation.prop in _STATE_PROPERTIES:
            return draw_messages(failure.cluster, ax=ax, show_versions=False)
        times = [op.time for op in failure.cluster.history if op.op_id in blamed]
        return draw_messages(failure.cluster, ax=ax, show_versions=False, op_ids=blamed,
                             start=max(0.0, min(times) - 0.5), end=max(times) + 0.5)

    def __repr__(self) -> str:
        return self.text()

    def _ipython_display_(self) -> None:
        print(self.text())
        if self.failure is not None and self.failure.cluster is not None:
            import matplotlib.pyplot as plt

            self.draw()
            plt.show()


def _show(value) -> str:
    """``repr`` of a value, but with sets in sorted order, so a report reads the same
    under any ``PYTHONHASHSEED``.

    >>> _show([frozenset({"b", "a"}), ({"y", "x"}, 1)])
    "[frozenset({'a', 'b'}), ({'x', 'y'}, 1)]"
    """
    if isinstance(value, (set, frozenset)):
        inner = ", ".join(sorted(_show(item) for item in value))
        if isinstance(value, frozenset):
            return f"frozenset({{{inner}}})" if value else "frozenset()"
        return f"{{{inner}}}" if value else "set()"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_show(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _unwritten(missing: NotImplementedError) -> str:
    """Which method still raises NotImplementedError, and its message."""
    frame = None
    trace = missing.__traceback__
    while trace is not None:
        frame, trace = trace.tb_frame, trace.tb_next
    where = "a method"
    if frame is not None:
        owner = frame.f_locals.get("self")
        where = (f"{type(owner).__name__}.{frame.f_code.co_name}" if owner is not None
                 else frame.f_code.co_name)
    text = str(missing) or "write it"
    return f"{where} still raises NotImplementedError: {text}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_lab(lab, implementation: type, seeds: Iterable[int], replica: type | None = None,
            budget: int = 400) -> LabReport:
    """Run every scenario of ``lab`` (a lab module) on ``seeds``.

    See :func:`dynamo_lab.labs.check`, which checks the arguments first.
    """
    if getattr(lab, "ANSWER", "coordinator") == "replica":
        # The learner's answer is the replica; the lab brings a coordinator.
        implementation, replica = lab.COORDINATOR, implementation
    elif replica is None:
        replica = getattr(implementation, "replica", None) or lab.REPLICA
    seeds = list(seeds)
    report = LabReport(lab.NAME, lab.TITLE)
    from ..cluster import Cluster

    for scenario in lab.SCENARIOS:
        result = ScenarioResult(scenario, [])
        report.results.append(result)
        probe = Cluster(**{**scenario.cluster, "seed": 0})
        layout = Layout(probe.nodes, probe.ring.home_replicas(KEY),
                        probe.ring.preference_list(KEY))
        chosen = implementation
        if scenario.settings:
            chosen = type(implementation.__name__, (implementation,), dict(scenario.settings))
        for seed in seeds:
            result.seeds.append(seed)
            steps = scenario.steps(random.Random(f"{lab.NAME}:{scenario.name}:{seed}"), layout)
            try:
                cluster, violation = _outcome(steps, seed, chosen, replica, scenario)
            except NotImplementedError as missing:
                report.not_attempted = _unwritten(missing)
                report.results = []
                return report
            if violation is None:
                continue
            steps, _ = shrink(steps, seed, chosen, replica, scenario, violation.prop, budget)
            cluster, violation = _outcome(steps, seed, chosen, replica, scenario)
            assert violation is not None
            result.failure = Failure(scenario, seed, steps, violation, cluster,
                                     lab.hint(violation, cluster))
            break
    return report
