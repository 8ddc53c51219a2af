"""The labs: reference solutions pass every seed, deliberate mistakes are caught
with the right property and a short counterexample, and the harness is deterministic."""

import pytest
from builds import COMPILED

if COMPILED:  # the labs plug learner classes into the cluster: interpreted package only
    pytest.skip("compiled: the labs need the interpreted package", allow_module_level=True)

import dynamo_lab as dl  # noqa: E402
from dynamo_lab.exercises.labs import HELD_OUT_BASE, lab_question  # noqa: E402
from dynamo_lab.exercises.questions import (CORRECT, INCORRECT, NOT_ATTEMPTED,  # noqa: E402
                                            Mode, building)
from dynamo_lab.labs import LabCoordinator, LabProtocolError, LabReplica  # noqa: E402
from dynamo_lab.labs.harness import _outcome  # noqa: E402
from lab_bugs import lab1_bugs, lab2_bugs, lab3_bugs, lab4_bugs  # noqa: E402
from lab_solutions import reference_class, solution_namespace  # noqa: E402

LAB1 = reference_class("lab1_quorum_replication.ipynb", "MyCoordinator")
LAB2 = reference_class("lab2_when_nodes_are_down.ipynb", "MyCoordinator")
LAB3_NAMES = solution_namespace("lab3_concurrent_writes.ipynb")
LAB4 = reference_class("lab4_anti_entropy.ipynb", "MyReplica")

#: Each lab's reference answer and its deliberate mistakes.
LABS = {"lab1": (LAB1, lab1_bugs(LAB1)),
        "lab2": (LAB2, lab2_bugs(LAB2)),
        "lab3": (LAB3_NAMES["MyCoordinator"], lab3_bugs(LAB3_NAMES)),
        "lab4": (LAB4, lab4_bugs(LAB4, dl.labs.lab4))}
MISTAKES = [(lab, name) for lab, (_, bugs) in LABS.items() for name in sorted(bugs)]
#: Every seed a reference must pass: the course's 30, and many more.
MANY_SEEDS = range(300)
#: "A minimal counterexample of at most about ten operations" (issue 25).
MAX_OPERATIONS = 10


@pytest.mark.parametrize("lab", sorted(LABS))
def test_each_reference_passes_every_scenario_on_every_seed(lab):
    reference, _ = LABS[lab]
    report = dl.labs.check(lab, reference, seeds=MANY_SEEDS)
    assert report.passed, report.text()
    assert report.score == (len(dl.labs.LABS[lab].SCENARIOS),) * 2


def test_there_are_at_least_five_mistakes_per_lab_and_twenty_in_all():
    assert all(len(bugs) >= 5 for _, bugs in LABS.values())
    assert len(MISTAKES) >= 20


@pytest.mark.parametrize("lab, mistake", MISTAKES)
def test_each_mistake_is_caught_with_its_property_and_a_short_sound_run(lab, mistake):
    reference, bugs = LABS[lab]
    buggy, prop = bugs[mistake]
    report = dl.labs.check(lab, buggy)
    assert not report.passed
    failure = report.failure
    assert failure.violation.prop == prop, report.text()
    assert failure.operations <= MAX_OPERATIONS, report.text()
    text = report.text()
    assert dl.labs.harness.PROPERTIES[prop] in text and "Hint:" in text
    # The shrunk run convicts the mistake, not the scenario: the reference passes it.
    scenario = failure.scenario
    if dl.labs.LABS[lab].__dict__.get("ANSWER") == "replica":
        coordinator, replica = dl.labs.LabCoordinator, reference
    else:
        coordinator = type("Reference", (reference,), dict(scenario.settings))
        replica = reference.replica or dl.labs.LABS[lab].REPLICA
    _, violation = _outcome(failure.steps, failure.seed, coordinator, replica, scenario)
    assert violation is None, violation


def test_the_hints_name_the_mistake_they_see():
    bugs = lab1_bugs(LAB1)
    hints = {name: dl.labs.check("lab1", bugs[name][0]).failure.hint for name in bugs}
    assert "W = 2" in hints["acknowledges before W"]
    assert "highest version" in hints["returns the first reply"]
    assert "R = 2" in hints["answers after one reply"] or \
        "highest version" in hints["answers after one reply"]
    assert "give_up" in hints["fails a timed-out write"]
    assert "on_timeout" in hints["never gives up"]
    assert "request.done" in hints["answers twice"]


def test_a_report_repeats_exactly():
    buggy, _ = lab1_bugs(LAB1)["acknowledges before W"]
    assert dl.labs.check("lab1", buggy).text() == dl.labs.check("lab1", buggy).text()


def test_the_failing_run_is_drawn_around_the_operations_to_blame():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    buggy, _ = lab1_bugs(LAB1)["acknowledges before W"]
    report = dl.labs.check("lab1", buggy)
    drawing = report.draw()
    blamed = report.failure.violation.op_ids
    assert len(blamed) >= 2                         # the stale read and the write it missed
    assert drawing is not None and drawing.ax.get_xlim()[1] > drawing.ax.get_xlim()[0]
    plt.close("all")
    assert dl.labs.check("lab1", LAB1, quick=True).draw() is None


def test_an_untouched_skeleton_is_not_attempted():
    class Skeleton(LabCoordinator):
        def start_put(self, request):
            raise NotImplementedError("replace this line with your code")

    report = dl.labs.check("lab1", Skeleton, quick=True)
    assert report.not_attempted == ("Skeleton.start_put still raises NotImplementedError: "
                                    "replace this line with your code")
    assert not report.passed and report.score == (0, 0)
    assert "not attempted" in report.text()


@pytest.mark.parametrize("call, message", [
    (lambda: dl.labs.check("lab9", LAB1),
     "unknown lab 'lab9'; the labs are lab1, lab2, lab3, lab4"),
    (lambda: dl.labs.check("lab1", "MyCoordinator"), "implementation must be your class"),
    (lambda: dl.labs.check("lab1", dict), "implementation must be your class"),
    (lambda: dl.labs.check("lab1", LAB1, seeds=5), "seeds must be an iterable"),
    (lambda: dl.labs.check("lab1", LAB1, seeds=[]), "seeds must be a non-empty iterable"),
    (lambda: dl.labs.check("lab1", LAB1, seeds=[1.5]), "seeds must be a non-empty iterable"),
])
def test_bad_arguments_say_what_is_allowed(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        call()


def test_a_request_is_answered_once_and_failures_need_a_reason():
    answered = []

    class Careless(LAB1):
        def start_get(self, request):
            request.succeed(None)
            try:
                request.succeed(None)
            except LabProtocolError as error:
                answered.append(str(error))

        def start_put(self, request):
            try:
                request.fail("")
            except LabProtocolError as error:
                answered.append(str(error))
            super().start_put(request)

    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1, coordinator=Careless,
                         replica=LabReplica, failure_detector="oracle")
    assert cluster.get("k").ok and cluster.put("k", 1).ok
    assert "already answered (ok)" in answered[0] and "check request.done" in answered[0]
    assert "fail needs a reason in words" in answered[1]


def test_a_crashed_coordinator_leaves_its_request_unknown():
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=1, coordinator=LAB1,
                         replica=LabReplica, failure_detector="oracle")
    pending = cluster.client("c").start_put("k", "v", coordinator="A")
    cluster.crash("A")
    cluster.run_until_idle()
    assert pending.result.status == "info" and "crashed" in pending.result.error


def test_the_lab_question_grades_scenarios_and_uses_held_out_seeds():
    lab = lab_question("lab1")
    assert lab.check(LAB1).outcome == CORRECT and lab.points == (5, 5)
    buggy, _ = lab1_bugs(LAB1)["fails a timed-out write"]
    result = lab.check(buggy)
    assert result.outcome == INCORRECT and lab.points[0] < 5
    assert "scenarios pass" in result.message and "Hint:" in result.message
    assert lab.check(...).outcome == NOT_ATTEMPTED
    assert lab.seeds() == list(range(30))
    with building(Mode(graded=True, held_out_seed=4)):
        graded = lab_question("lab1")
    assert graded.seeds()[0] == HELD_OUT_BASE + 4 * 30 and len(graded.seeds()) == 30
    assert graded.check(LAB1).outcome == CORRECT


# -- grading: the learner's class judged on held-out seeds in a sandbox -------------------

def _lab1_variant(tmp_path, old, new):
    """A copy of the answered lab 1 notebook with ``old`` replaced by ``new``."""
    import json
    from lab_solutions import SOLUTIONS

    text = (SOLUTIONS / "lab1_quorum_replication.ipynb").read_text()
    nb = json.loads(text)
    hits = 0
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if old in source:
            cell["source"] = source.replace(old, new)
            hits += 1
    assert hits == 1
    path = tmp_path / "lab1_quorum_replication.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_the_grader_gives_a_partly_working_lab_partial_marks(tmp_path):
    from dynamo_lab.exercises.grade import grade_notebook

    path = _lab1_variant(tmp_path, 'request.give_up("the deadline passed before enough '
                                   'replicas answered")', 'request.fail("timed out")')
    report = grade_notebook(path, seed=11)
    assert report.exercise_set == "lab1" and report.outcomes == {"lab1": INCORRECT}
    earned, possible = report.points["lab1"]
    assert possible == 5 and 0 < earned < 5
    assert (report.score, report.total) == (earned, 5)
    assert "a write answered fail never shows up in a read" in report.messages["lab1"]


def test_the_grader_refuses_a_class_that_patches_the_judges(tmp_path):
    from dynamo_lab.exercises.grade import grade_notebook

    path = _lab1_variant(tmp_path, "class MyCoordinator(LabCoordinator):\n",
                         "class MyCoordinator(LabCoordinator):\n"
                         "    import dynamo_lab.labs.harness as _h\n"
                         "    _h.judge_run = lambda cluster, properties: None\n")
    report = grade_notebook(path, seed=11)
    assert report.outcomes == {"lab1": INCORRECT}
    assert "replaced the lab's judges (judge_run)" in report.messages["lab1"]
    assert report.points["lab1"] == (0, 5)


def test_a_notebook_class_travels_to_the_grader_as_source():
    from dynamo_lab.exercises.answers import FunctionSource, decode, encode

    source = decode(encode(LAB1))
    assert isinstance(source, FunctionSource) and source.kind == "class"
    assert source.name == "MyCoordinator" and "def on_timeout" in source.source
    namespace: dict = {}
    exec(source.program(), namespace)
    rebuilt = namespace["MyCoordinator"]
    assert dl.labs.check("lab1", rebuilt, quick=True).passed
