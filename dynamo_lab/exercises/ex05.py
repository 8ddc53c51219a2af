"""Exercises for lesson 05: sloppy quorums and hinted handoff.

>>> q1, q2, q3, q4, q5 = questions()
>>> q1.check("b")
Correct!
>>> q2.check(_hint_targets)
Correct! (18 cases passed)
>>> q5.check("a, c, d")
Correct!

The reference for q2 makes the simulator's own choice of targets:

>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, seed=0, failure_detector="oracle")
>>> cluster.partition(["A", "B"], ["C", "D", "E"])
>>> walk = cluster.ring.preference_list("cart:1")
>>> dict(cluster.select_targets("cart:1", "B")) == _hint_targets(walk, ["C", "D", "E"], 3)
True
"""

from __future__ import annotations

from itertools import combinations

from ..experiments.sloppy_quorums import handoff_after_heal, writes_across_partition
from .answer_forms import Boolean, Dict, Letters, Number, Tuple, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion

__all__ = ["questions", "write_keys", "judge_handoff_options", "PARTITION", "WRITES",
           "COORDINATOR", "HANDOFF_FORM"]

#: The partition, the coordinator and the number of writes of question 3.
PARTITION = (["A", "B", "C"], ["D", "E"])
COORDINATOR = "D"
WRITES = 20


# -- question 2: targets and hints ------------------------------------------------------

def _hint_targets(preference_walk, down, n):
    """The nodes a sloppy write goes to, each with the home replica it holds a hint for."""
    down = set(down)
    home = list(preference_walk[:n])
    targets = {node: None for node in home if node not in down}
    missing = [node for node in home if node in down]
    fallbacks = [node for node in preference_walk[n:] if node not in down]
    for fallback, owner in zip(fallbacks, missing):
        targets[fallback] = owner
    return targets


def _strict_targets(preference_walk, down, n):
    # Misconception: only the home replicas count.
    return {node: None for node in preference_walk[:n] if node not in set(down)}


def _fallbacks_without_hints(preference_walk, down, n):
    # Misconception: a fallback stores the write as its own data.
    return {node: None for node in _hint_targets(preference_walk, down, n)}


def _next_nodes_only(preference_walk, down, n):
    # Misconception: look only at the k nodes right after the home replicas,
    # k being the number of unreachable home replicas.
    down = set(down)
    home = list(preference_walk[:n])
    targets = {node: None for node in home if node not in down}
    missing = [node for node in home if node in down]
    nearest = [node for node in preference_walk[n:n + len(missing)] if node not in down]
    for fallback, owner in zip(nearest, missing):
        targets[fallback] = owner
    return targets


def _ring_cases() -> list[tuple]:
    """Cases from a real ring: six nodes, N = 3, split into {A, B, C} | {D, E, F}.

    For each key, a coordinator on either side cannot reach the other side.
    """
    from ..ring import Ring

    ring = Ring(["A", "B", "C", "D", "E", "F"], n=3, vnodes=8)
    cases = []
    for key in ["cart:alice", "cart:bob", "profile:7", "session:42"]:
        walk = list(ring.preference_list(key))
        for down in (["D", "E", "F"], ["A", "B", "C"]):
            cases.append((walk, down, 3))
    return cases


def _held_out_walks(rng) -> list[tuple]:
    """16 drawn walks of 3 to 8 nodes, n from 1 to 4, and which of the nodes are down."""
    cases = []
    for number in range(16):
        walk = rng.sample("ABCDEFGHJ", rng.randint(3, 8))
        n = rng.randint(1, min(4, len(walk) - 1))
        home, rest = walk[:n], walk[n:]
        kind = number % 6
        if kind == 0:                       # nobody down
            down = []
        elif kind == 1:                     # some home replicas down, fallbacks all up
            down = rng.sample(home, rng.randint(1, n))
        elif kind == 2:                     # the first fallbacks are down too: walk on
            down = rng.sample(home, rng.randint(1, n)) + rest[:rng.randint(1, len(rest))]
        elif kind == 3:                     # more home replicas down than fallbacks up
            down = home[:] + rest[:max(0, len(rest) - rng.randint(0, n - 1))]
        elif kind == 4:                     # everything down
            down = walk[:]
        else:                               # anything
            down = [node for node in walk if rng.random() < 0.4]
        rng.shuffle(down)
        cases.append((walk, down, n))
    return cases


# -- question 3: writes across a partition ---------------------------------------------------

def write_keys():
    """The keys question 3 writes and their home replicas (a DataFrame)."""
    import pandas as pd

    run = writes_across_partition(PARTITION, COORDINATOR, sloppy_quorum=False, writes=WRITES)
    return pd.DataFrame({"key": run.keys, "home replicas": [", ".join(h) for h in run.homes]})


def _as_pair(answer):
    if isinstance(answer, (list, tuple)) and len(answer) == 2:
        return tuple(answer)
    return answer


# -- question 4: options that bring the write home ----------------------------------------------

_OPTION_NAMES = ("sloppy_quorum", "hinted_handoff", "hint_interval_ms")

#: The form of question 4's answer.
HANDOFF_FORM = Dict({"sloppy_quorum": Boolean(), "hinted_handoff": Boolean(),
                     "hint_interval_ms": Number(10, 60_000)},
                    description="a dict {'sloppy_quorum': BOOL, 'hinted_handoff': BOOL, "
                                "'hint_interval_ms': MS}, with BOOL True or False and MS a "
                                "number from 10 to 60000",
                    example="{'sloppy_quorum': False, 'hinted_handoff': False, "
                            "'hint_interval_ms': 500}")


def judge_handoff_options(options, wait_ms: float = 2000.0) -> tuple[bool, str]:
    """Judge cluster options by running :func:`~dynamo_lab.experiments.sloppy_quorums.handoff_after_heal`.

    The write on the small side of the partition must be acknowledged, and
    ``wait_ms`` after the heal at least W = 2 home replicas must hold it.
    """
    if not HANDOFF_FORM.accepts(options):
        return False, HANDOFF_FORM.message()
    sloppy, handoff = bool(options["sloppy_quorum"]), bool(options["hinted_handoff"])
    interval = float(options["hint_interval_ms"])
    outcome = handoff_after_heal(sloppy_quorum=sloppy, hinted_handoff=handoff,
                                 hint_interval_ms=float(interval), wait_ms=wait_ms)
    coordinator = outcome.home[0]
    holders = ", ".join(outcome.home_holders) or "none"
    if not outcome.write.ok:
        return False, (f"the write through {coordinator} failed: under a strict quorum it needs "
                       f"W = 2 home replicas, and only {coordinator} is on its side of the "
                       "partition.")
    if not handoff:
        return False, (f"the write was acknowledged by {', '.join(outcome.write.acks)}, but "
                       f"{wait_ms / 1000:g} s after the heal only {holders} of the home replicas "
                       "hold it: without hinted handoff the fallback kept the write as its own "
                       "data, with no hint naming the owner, so nothing hands it over.")
    if not outcome.durable:
        return False, (f"{wait_ms / 1000:g} s after the heal the hint was still pending "
                       f"(home replicas with the write: {holders}): a fallback offers its hints "
                       f"only every {interval:g} ms, so its first offer came too late.")
    return True, (f"acknowledged by {', '.join(outcome.write.acks)}; {wait_ms / 1000:g} s after "
                  f"the heal the home replicas {holders} hold the write (checked on the "
                  "simulator).")


# -- question 5: why R + W > N is not linearizability ------------------------------------------------

_STATEMENTS = {
    "a": "Two writes at the same time have no order: replicas keep both as siblings, and no "
         "single-copy history explains what reads return.",
    "b": "With R + W > N, a read quorum and a write quorum of the home replicas can still be "
         "disjoint.",
    "c": "Under a sloppy quorum, a write can be acknowledged by nodes outside the home "
         "replicas, which a later read quorum need not meet.",
    "d": "Without blocking read repair, a read can return the new value and a later read the "
         "old one, because the replicas not yet repaired still hold it.",
    "e": "A replica acknowledges a write before storing it, so W acknowledgements can mean "
         "fewer than W copies.",
}
_TRUE = frozenset("acd")
#: The form of question 5's answer.
_LETTERS = Letters(sorted(_STATEMENTS))
_WHY_FALSE = {
    "b": "(b) is false: with R + W > N, any R of the N home replicas share at least one with any "
         "W of them (the pigeonhole argument of lesson 03). The trouble lies elsewhere.",
    "e": "(e) is false: a replica acknowledges only after it has stored the write, so W "
         "acknowledgements mean W copies.",
}
_WHY_NEEDED = {
    "a": "you left out (a): two writes at the same time have no order, so replicas keep both as "
         "siblings; no single-copy history explains that, whatever R and W are.",
    "c": "you left out (c): a sloppy quorum can acknowledge a write on fallback nodes outside the "
         "home replicas, and a read of the home replicas then misses it (lesson 05, section 3).",
    "d": "you left out (d): with asynchronous read repair, a read can see the new value and a "
         "later read the old one (lesson 04's monotonic-read anomaly), even under a strict "
         "quorum.",
}


def _letters(answer):
    """An answer such as "a, c, d", "acd", ["a", "c"] or {"a"} as a frozenset of letters."""
    letters = _LETTERS.letters_of(answer)
    return answer if letters is None else letters


def _diagnose(chosen: frozenset) -> str:
    for letter in sorted(chosen - _TRUE):
        return _WHY_FALSE[letter]
    for letter in sorted(_TRUE - chosen):
        return _WHY_NEEDED[letter]
    return "that is it."  # pragma: no cover - the correct answer is never diagnosed


def _wrong_sets() -> dict:
    wrong = {}
    letters = sorted(_STATEMENTS)
    for size in range(1, len(letters) + 1):
        for chosen in combinations(letters, size):
            chosen = frozenset(chosen)
            if chosen != _TRUE:
                wrong[chosen] = _diagnose(chosen)
    return wrong


def questions():
    """The questions of exercise notebook 05, in order."""
    q1 = ChoiceQuestion(
        "ex05.q1",
        "What is hinted handoff in a Dynamo-style store? Answer with one letter from 'a' to "
        "'e'.",
        options=["The coordinator hands each request to whichever replica answered fastest "
                 "last time.",
                 "A fallback node holds a down replica's writes and delivers them when it "
                 "recovers.",
                 "Replicas compare Merkle trees in the background and copy over whatever "
                 "differs.",
                 "On a read, the coordinator writes the newest version back to stale replicas "
                 "it asked.",
                 "When the leader fails, it hands its role over to the most up-to-date "
                 "follower."],
        answer="b",
        explanations={
            "a": "that is how Dynamo may pick a write's coordinator (§5), not what a hint is.",
            "c": "that is anti-entropy (lesson 06): it repairs replicas in the background, "
                 "without hints.",
            "d": "that is read repair (lesson 04): it fixes stale replicas the read asked, "
                 "not replicas that missed a write while unreachable.",
            "e": "that is failover in a leader-based store; a leaderless store has no leader to "
                 "hand over.",
        },
        hints=["Think of the write the fallback node A took for D in lesson 05, section 2.",
               "The hint names the intended owner; 'handoff' is what happens after the heal."],
        solution_text="(b) When a home replica cannot be reached, a fallback node stores the "
                      "write with a hint naming that replica, and forwards it once the replica "
                      "is reachable again.")

    q2 = FunctionQuestion(
        "ex05.q2",
        "Write a function hint_targets(preference_walk, down, n): the nodes a sloppy-quorum "
        "write is sent to, as a dict node -> the home replica it holds a hint for (None for a "
        "home replica). The first n nodes of the walk are the home replicas; down holds the "
        "nodes the coordinator cannot reach. Each unreachable home replica, in walk order, is "
        "replaced by the next reachable node after the first n.",
        reference=_hint_targets,
        name="hint_targets",
        cases=[(["A", "B", "C", "D", "E"], [], 3),
               (["A", "B", "C", "D", "E"], ["B"], 3),
               (["A", "B", "C", "D", "E"], ["A", "C"], 3),
               (["A", "B", "C", "D", "E"], ["B", "D"], 3),
               (["A", "B", "C", "D", "E"], ["B", "C", "E"], 3),
               (["A", "B", "C", "D", "E", "F"], ["A", "B", "C"], 3),
               (["A", "B", "C", "D", "E", "F"], ["A", "B", "C", "D", "E"], 3),
               (["C", "A", "B"], ["A"], 3),
               (["B", "A", "C", "D"], ["B"], 1),
               (["D", "E", "A", "B", "C"], ["D", "E", "A", "B", "C"], 2),
               *_ring_cases()],
        misconceptions=[
            (_strict_targets,
             "that is a strict quorum: only the reachable home replicas. A sloppy quorum "
             "replaces each unreachable home replica with the next reachable node further "
             "along the walk."),
            (_fallbacks_without_hints,
             "the right nodes, but each fallback must hold a hint naming the home replica it "
             "stands in for; without it nothing ever hands the write to its owner."),
            (_next_nodes_only,
             "a fallback must itself be reachable: when the node right after the home replicas "
             "is down too, keep walking the preference list."),
        ],
        describe=lambda case: f"preference_walk={case[0]}, down={case[1]}, n={case[2]}",
        held_out=_held_out_walks,
        hints=["Start with the reachable home replicas (value None). Then list the unreachable "
               "home replicas, and separately the reachable nodes after the first n.",
               "Pair them in order: the first reachable node after the first n stands in for "
               "the first unreachable home replica, and so on. zip stops at the shorter list."],
        solution_text=(
            "def hint_targets(preference_walk, down, n):\n"
            "    home = preference_walk[:n]\n"
            "    targets = {node: None for node in home if node not in down}\n"
            "    missing = [node for node in home if node in down]\n"
            "    fallbacks = [node for node in preference_walk[n:] if node not in down]\n"
            "    targets.update(zip(fallbacks, missing))\n"
            "    return targets\n"
            "# This is the choice Cluster.select_targets makes under a sloppy quorum."))

    runs = {sloppy: writes_across_partition(PARTITION, COORDINATOR, sloppy_quorum=sloppy,
                                            writes=WRITES)
            for sloppy in (False, True)}
    strict, sloppy = runs[False].succeeded, runs[True].succeeded
    other_side = writes_across_partition(PARTITION, PARTITION[0][0], sloppy_quorum=False,
                                         writes=WRITES).succeeded
    answer = (strict, sloppy)
    candidates = {
        (WRITES, WRITES): "a strict quorum never borrows nodes outside the home replicas: a key "
                          "is writable through D only if two of its home replicas are on D's "
                          "side.",
        (0, WRITES): "a strict quorum still succeeds for the keys with both D and E among their "
                     "home replicas.",
        (strict, strict): "a sloppy quorum borrows fallback nodes: D and E are two reachable "
                          "nodes, enough for W = 2 whatever the key.",
        (other_side, sloppy): f"{other_side} is the number of keys writable on the other side "
                              "(two or three home replicas among A, B, C). Through D, count the "
                              "keys with both D and E at home.",
        (strict, 0): "a sloppy quorum is what keeps writes available: it does not refuse more "
                     "than a strict one.",
    }
    wrong = {value: message for value, message in candidates.items() if value != answer}
    q3 = ValueQuestion(
        "ex05.q3",
        f"Five nodes A..E, N = 3, W = 2; the network splits into {PARTITION[0]} | "
        f"{PARTITION[1]}. Through {COORDINATOR}, {WRITES} writes go to {WRITES} different "
        "keys (ex05.write_keys() lists them with their home replicas). How many succeed "
        "under a strict quorum, and how many under a sloppy one? Answer with a pair "
        f"(strict, sloppy) of whole numbers from 0 to {WRITES}.",
        answer=answer, wrong=wrong, normalise=_as_pair,
        form=Tuple([WholeNumber(0, WRITES), WholeNumber(0, WRITES)],
                   description=f"a pair (strict, sloppy) of whole numbers from 0 to {WRITES}",
                   example="(10, 10)"),
        default_message="count again: under a strict quorum a write needs W = 2 home replicas "
                        "on the coordinator's side; under a sloppy quorum, W = 2 reachable "
                        "nodes of any kind.",
        hints=["D's side holds D and E. Under a strict quorum, which keys have two home "
               "replicas there?",
               "Strict: the keys whose home replicas include both D and E. Sloppy: D and E are "
               "two reachable nodes, which is W."],
        solution_text=f"{answer}: {strict} keys have both D and E among their home replicas; "
                      f"under a sloppy quorum every write finds W = 2 reachable nodes, so all "
                      f"{sloppy} succeed (measured on the simulator).")

    q4 = ConfigQuestion(
        "ex05.q4",
        "Lesson 05's cart: a write through its first home replica on the small side of "
        "{A, B} | {C, D, E}. Choose sloppy_quorum, hinted_handoff and hint_interval_ms so "
        "that the write is acknowledged and, 2 s after the network heals, at least W = 2 home "
        f"replicas hold it. Answer with {HANDOFF_FORM.description}.",
        evaluate=judge_handoff_options,
        form=HANDOFF_FORM,
        reference={"sloppy_quorum": True, "hinted_handoff": True, "hint_interval_ms": 1000},
        wrong=[({"sloppy_quorum": False, "hinted_handoff": True, "hint_interval_ms": 1000},
                "failed: under a strict quorum"),
               ({"sloppy_quorum": True, "hinted_handoff": False, "hint_interval_ms": 1000},
                "without hinted handoff"),
               ({"sloppy_quorum": True, "hinted_handoff": True, "hint_interval_ms": 5000},
                "still pending")],
        hints=["The write must first be accepted with only one home replica reachable; then "
               "something must carry it to a second home replica after the heal.",
               "A fallback offers its hints once every hint_interval_ms, starting that long "
               "after it stored the hint. The write happens a few ms before the heal."],
        solution_text="{'sloppy_quorum': True, 'hinted_handoff': True, 'hint_interval_ms': "
                      "1000}: the sloppy quorum accepts the write on a fallback, the hint "
                      "names the missing home replica, and an interval under about 2 s "
                      "delivers it in time.")

    q5 = ValueQuestion(
        "ex05.q5",
        "Why does R + W > N not make a Dynamo-style store linearizable? Pick every true "
        f"statement. Answer with {_LETTERS.description}.\n" + "\n".join(
            f"({letter}) {text}" for letter, text in _STATEMENTS.items()),
        answer=_TRUE, wrong=_wrong_sets(), normalise=_letters, form=_LETTERS,
        hints=["Three of the five statements are true. Lessons 04, 05 and 07 each show one.",
               "Check each statement against the pigeonhole argument: it holds for the home "
               "replicas. What escapes it: writes outside them, repairs that come late, and "
               "writes that overlap in time."],
        solution_text="a, c, d. A strict quorum limits how old a read can be, but it "
                      "gives no single order. Concurrent writes have no total order, sloppy "
                      "quorums put writes outside the home replicas, and read repair timing "
                      "lets a later read go back in time.")
    return q1, q2, q3, q4, q5
