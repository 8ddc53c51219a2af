"""Exercises for lesson 06: anti-entropy with Merkle trees.

>>> q1, q2, q3, q4, q5, q6 = questions()
>>> q1.check(merkle_diff)
Correct! (12 cases passed)
>>> q3.check("b")
Correct!
>>> q6.check("c")
Correct!
"""

from __future__ import annotations

import math
import random

from ..experiments.anti_entropy import cold_key_outage, diff_cost, stale_over_time
from ..merkle import MerkleTree
from .answer_forms import Number, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion, drawn

__all__ = ["questions", "as_levels", "diff_cases", "merkle_diff", "judge_interval",
           "quiet_round_messages", "delete_while_down",
           "MESSAGE_BUDGET_PER_MINUTE", "REPAIR_TARGET_MS", "INTERVAL_FORM"]

#: q4's targets: background anti-entropy messages per minute in a quiet
#: cluster, and how soon after a node comes back its stale copies must be fixed.
MESSAGE_BUDGET_PER_MINUTE = 600
REPAIR_TARGET_MS = 60_000.0
#: The form of q4's answer: an interval in milliseconds.
INTERVAL_FORM = Number(above=0, noun="a number of milliseconds", example="1000")


# -- q1: a Merkle diff ---------------------------------------------------------------------

def as_levels(tree: MerkleTree, digits: int = 6) -> tuple[tuple[str, ...], ...]:
    """A tree's hashes as a tuple of levels, root first, each hash cut to ``digits`` hex digits.

    ``levels[0]`` is ``(root,)``, ``levels[d]`` holds ``fanout ** d`` hashes,
    and node ``i`` of level ``d`` has children ``i * fanout`` to
    ``i * fanout + fanout - 1`` on level ``d + 1``.

    >>> t = MerkleTree.build({"x": "v1"}, fanout=2, depth=2)
    >>> [len(level) for level in as_levels(t)]
    [1, 2, 4]
    """
    return tuple(tuple(h.hex()[:digits] for h in level) for level in tree.levels)


def merkle_diff(a, b, fanout):
    """The reference answer to q1: (sorted differing leaves, hash pairs compared).

    Compare level by level from the root, opening a node's children only
    when the node's two hashes differ.

    >>> a = (("r1",), ("x", "y"), ("p", "q", "s", "t"))
    >>> b = (("r2",), ("x", "z"), ("p", "q", "s", "u"))
    >>> merkle_diff(a, b, 2)
    ([3], 5)
    """
    compared = 0
    frontier = [0]
    depth = len(a) - 1
    differing = []
    for level in range(depth + 1):
        next_frontier = []
        for index in frontier:
            compared += 1
            if a[level][index] == b[level][index]:
                continue
            if level == depth:
                differing.append(index)
            else:
                next_frontier.extend(range(index * fanout, index * fanout + fanout))
        frontier = next_frontier
    return sorted(differing), compared


def _every_leaf(a, b, fanout):
    leaves = len(a[-1])
    return [i for i in range(leaves) if a[-1][i] != b[-1][i]], leaves


def _every_node(a, b, fanout):
    return _every_leaf(a, b, fanout)[0], sum(len(level) for level in a)


def _only_differing_counted(a, b, fanout):
    leaves, _ = merkle_diff(a, b, fanout)
    return leaves, sum(x != y for la, lb in zip(a, b) for x, y in zip(la, lb))


def _first_child_only(a, b, fanout):
    depth = len(a) - 1
    if a[0][0] == b[0][0]:
        return [], 1
    compared, index = 1, 0
    for level in range(1, depth + 1):
        for child in range(index * fanout, index * fanout + fanout):
            compared += 1
            if a[level][child] != b[level][child]:
                index = child
                break
    return [index], compared


_SHAPES = [(2, 1), (2, 2), (2, 2), (2, 3), (3, 2), (2, 3), (4, 2), (2, 4), (4, 3), (3, 3),
           (2, 3), (4, 2)]


def _model_cases(seed: int = 6) -> list[tuple[tuple, tuple[list[int], int]]]:
    """Each q1 case with what the model's own ``MerkleTree.diff`` finds for it."""
    rng = random.Random(seed)
    built = []
    for number, (fanout, depth) in enumerate(_SHAPES):
        keys = [f"k{i}" for i in range(rng.randint(4, 40))]
        a = {k: "v1" for k in keys}
        b = dict(a)
        kind = number % 6
        if kind == 1:                      # one key changed
            b[rng.choice(keys)] = "v2"
        elif kind == 2:                    # one key missing on one side
            del b[rng.choice(keys)]
        elif kind == 3:                    # several keys, and one only on b
            for k in rng.sample(keys, 3):
                b[k] = "v2"
            b["extra"] = "v1"
        elif kind == 4:                    # nothing in common
            b = {f"other{i}": "v1" for i in range(len(keys))}
        elif kind == 5:
            for k in rng.sample(keys, 2):
                b[k] = "v2"
        tree_a = MerkleTree.build(a, fanout, depth)
        tree_b = MerkleTree.build(b, fanout, depth)
        found = tree_a.diff(tree_b)
        built.append(((as_levels(tree_a), as_levels(tree_b), fanout),
                      (sorted(found.differing_leaves), found.hashes_compared)))
    return built


def diff_cases(seed: int = 6) -> list[tuple]:
    """The (a, b, fanout) cases q1 is checked on: pairs of trees the model builds.

    Identical replicas, one key changed, a key missing on one side, several
    keys in different subtrees, and replicas with nothing in common, for
    several fanouts and depths. The expected answers are what the model's
    ``MerkleTree.diff`` finds.

    >>> a, b, fanout = diff_cases()[0]
    >>> fanout, len(a) - 1
    (2, 1)
    """
    return [case for case, _ in _model_cases(seed)]


def _held_out_tree_pairs(rng) -> list[tuple]:
    """14 pairs of model-built trees (fanout 2-4, depth 1-4): equal, one, several, all differ."""
    shapes = [(2, 1), (3, 1), (2, 2), (3, 2), (4, 2), (2, 3), (3, 3), (4, 3), (2, 4),
              (3, 2), (2, 3), (4, 2), (2, 2), (3, 3)]
    cases = []
    for number, (fanout, depth) in enumerate(shapes):
        prefix = rng.choice(["user", "item", "row", "doc"])
        keys = [f"{prefix}{i}" for i in rng.sample(range(1000), rng.randint(3, 50))]
        a = {k: rng.choice(["v1", "v2", "v3"]) for k in keys}
        b = dict(a)
        kind = number % 7
        if kind == 1:                      # one key changed
            b[rng.choice(keys)] = "v9"
        elif kind == 2:                    # one key only on a
            del b[rng.choice(keys)]
        elif kind == 3:                    # several keys changed, one added
            for k in rng.sample(keys, min(len(keys), rng.randint(2, 6))):
                b[k] = "v9"
            b[f"{prefix}new"] = "v1"
        elif kind == 4:                    # nothing in common
            b = {f"x{k}": "v1" for k in keys}
        elif kind == 5:                    # b empty
            b = {}
        elif kind == 6:                    # keys missing on each side
            for k in rng.sample(keys, min(len(keys), 2)):
                del b[k]
            b[f"{prefix}only_b"] = "v1"
        tree_a = MerkleTree.build(a, fanout, depth)
        tree_b = MerkleTree.build(b, fanout, depth)
        cases.append((as_levels(tree_a), as_levels(tree_b), fanout))
    return cases


def _describe(case) -> str:
    a, b, fanout = case
    depth = len(a) - 1
    if sum(len(level) for level in a) <= 15:
        return f"fanout={fanout}, a={a}, b={b}"
    visible = diff_cases()
    if case not in visible:
        return f"fanout={fanout}, depth={depth} (a pair of trees the grader drew)"
    index = visible.index(case)
    return f"fanout={fanout}, depth={depth} (the trees are ex06.diff_cases()[{index}])"


# -- q4: how often to run anti-entropy -----------------------------------------------------

def quiet_round_messages(seed: int = 6) -> int:
    """Messages one anti-entropy round sends in q4's cluster when every replica agrees.

    >>> quiet_round_messages()
    240
    """
    quiet = cold_key_outage(seed, keys=500, updated=0).cluster   # converged, nothing to repair
    return quiet.anti_entropy().messages


def judge_interval(interval_ms, seed: int = 6) -> tuple[bool, str]:
    """Judge a background anti-entropy interval by running the simulator.

    Two targets. In a quiet cluster (5 nodes, N = 3, 500 keys), background
    rounds may send at most :data:`MESSAGE_BUDGET_PER_MINUTE` messages a
    minute (measured: the messages of one round on the converged cluster,
    times the rounds per minute). And after an outage in which node C missed
    20 updates, coming back just after a round started without it, every
    stale copy must be repaired within :data:`REPAIR_TARGET_MS` of its
    recovery, with no reads to help.
    """
    if not INTERVAL_FORM.accepts(interval_ms):
        return False, INTERVAL_FORM.message()
    interval_ms = float(interval_ms)
    per_round = quiet_round_messages(seed)
    per_minute = per_round * 60_000 / interval_ms
    if per_minute > MESSAGE_BUDGET_PER_MINUTE:
        return False, (f"a round every {interval_ms / 1000:g} s sends {per_round} messages even "
                       f"when nothing differs: {per_minute:,.0f} a minute, over the budget of "
                       f"{MESSAGE_BUDGET_PER_MINUTE}. Running it more often is not free: every "
                       "round compares every replica pair of every range.")
    # The worst moment to come back: just after a round started while C was down.
    rounds_down = max(1, math.ceil(10_000 / interval_ms))
    scenario = cold_key_outage(seed, keys=500, updated=20, down="C",
                               outage_ms=rounds_down * interval_ms + 1.0,
                               anti_entropy_interval_ms=interval_ms)
    step = 100.0
    samples = stale_over_time(scenario.cluster, REPAIR_TARGET_MS, step, keys=scenario.updated)
    start = samples[0][1]
    fixed = next((t for t, count in samples if count == 0), None)
    if fixed is None:
        return False, (f"{start} stale copies on C were still stale "
                       f"{REPAIR_TARGET_MS / 1000:g} s after it came back: a node that returns "
                       "just after a round started waits a whole interval for the next one, "
                       "plus the time the exchange takes.")
    return True, (f"{per_minute:,.0f} messages a minute when quiet, and C's {start} stale "
                  f"copies were repaired {fixed / 1000:.1f} s after it came back (measured).")


# -- q6: a tombstone purged too early ------------------------------------------------------

def delete_while_down(tombstones: str, seed: int = 6) -> list:
    """What a read returns after a delete that one home replica missed, and one repair round.

    The scene of lesson 06, section 5: a 5-node cluster (N = 3, R = W = 2,
    strict quorum) stores a card, its third home replica crashes, the card is
    deleted with W = 2, the replica recovers and one anti-entropy round runs.
    With ``tombstones="naive"`` the two replicas that acknowledged the delete
    purge the tombstone at once, and the round copies the card back.

    >>> delete_while_down("naive")
    ['visa-4242']
    >>> delete_while_down("safe")
    []
    """
    import dynamo_lab as dl

    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=seed, sloppy_quorum=False,
                         failure_detector="oracle", tombstones=tombstones)
    key = "card:alice"
    home = cluster.ring.home_replicas(key)
    cluster.put(key, "visa-4242")
    cluster.run_until_idle()
    cluster.crash(home[2])
    cluster.delete(key, context=cluster.get(key).context)
    cluster.run_until_idle()
    cluster.recover(home[2])
    cluster.anti_entropy()
    return list(cluster.get(key).values)


# -- the questions -------------------------------------------------------------------------

def _draw_tree_shape(rng) -> dict:
    """A learner's q2: 5,000 to 20,000 keys, fanout 2 to 8, depth 2 to 4, at most 4,096 leaves."""
    while True:
        fanout, depth = rng.choice([2, 3, 4, 8]), rng.randint(2, 4)
        if fanout ** depth <= 4096:
            return {"keys": rng.choice([5_000, 10_000, 20_000]), "fanout": fanout,
                    "depth": depth}


def questions():
    """The questions of exercise notebook 06, in order."""
    built = _model_cases()
    cases = [case for case, _ in built]
    model = dict(built)
    q1 = FunctionQuestion(
        "ex06.q1",
        "Write a function merkle_diff(a, b, fanout): compare two Merkle trees given as tuples of "
        "levels (root first) and return (the sorted indices of the leaves whose hashes differ, "
        "the number of hash pairs compared), opening a node's children only when its two hashes "
        "differ.",
        # MerkleTree.diff's answer; merkle_diff (the same walk) for the held-out pairs
        reference=lambda a, b, fanout: model.get((a, b, fanout)) or merkle_diff(a, b, fanout),
        name="merkle_diff",
        cases=cases,
        misconceptions=[
            (_every_leaf, "your leaves are right, but you compared every leaf: that is a full "
                          "scan of the leaf hashes. Start at the root and open a node's "
                          "children only when its two hashes differ."),
            (_every_node, "your leaves are right, but you counted every node of the tree. A "
                          "child is compared only when its parent's hashes differ; equal "
                          "subtrees are skipped whole."),
            (_only_differing_counted, "you counted only the nodes that differ. Every child you "
                                      "open costs one comparison, including those that turn "
                                      "out equal."),
            (_first_child_only, "you follow only the first differing child. Several children "
                                "of a node can differ: descend into every one of them."),
        ],
        describe=_describe,
        held_out=_held_out_tree_pairs,
        hints=["Keep a list of the nodes to compare on the current level, starting with [0] "
               "on level 0. Each comparison adds 1 to the count.",
               "When node i differs on a level above the leaves, its children "
               "i * fanout ... i * fanout + fanout - 1 go on the next level's list; when a "
               "leaf differs, it goes in the answer."],
        solution_text=(
            "def merkle_diff(a, b, fanout):\n"
            "    compared, differing, frontier = 0, [], [0]\n"
            "    depth = len(a) - 1\n"
            "    for level in range(depth + 1):\n"
            "        nxt = []\n"
            "        for i in frontier:\n"
            "            compared += 1\n"
            "            if a[level][i] == b[level][i]:\n"
            "                continue\n"
            "            if level == depth:\n"
            "                differing.append(i)\n"
            "            else:\n"
            "                nxt.extend(range(i * fanout, i * fanout + fanout))\n"
            "        frontier = nxt\n"
            "    return sorted(differing), compared"))

    shape = drawn("ex06.q2", {"keys": 20_000, "fanout": 4, "depth": 3}, _draw_tree_shape)
    keys, fanout, depth = shape["keys"], shape["fanout"], shape["depth"]
    one = diff_cost(keys=keys, differing=1, fanout=fanout, depth=depth).hashes_compared
    every_node = sum(fanout ** level for level in range(depth + 1))
    q2 = ValueQuestion(
        "ex06.q2",
        f"Two replicas of a range hold the same {keys:,} keys, and one key has a different "
        f"version on each. Their trees have fanout {fanout} and depth {depth} "
        f"({fanout ** depth} leaves). How many hash pairs does the Merkle comparison compare? "
        "Answer with a whole number.",
        answer=one,
        form=WholeNumber(),
        wrong={depth + 1: "that counts only the nodes on the path to the differing leaf. To "
                          f"find which child differs, the comparison must look at all {fanout} "
                          "children of every node it opens.",
               fanout ** depth: "that compares every leaf. Children are opened only below a "
                                "node that differs, so only one group of leaves is looked at.",
               every_node: "that is every node of the tree. Subtrees whose hashes match are "
                           "never opened.",
               keys: "that is a full scan, one comparison per key. The tree's point is "
                     "that matching subtrees are skipped without looking at their keys."},
        hints=[f"Start with the root: 1 comparison. It differs, so its {fanout} children are "
               "compared.",
               f"On each level below the root, exactly one node differs, and its {fanout} "
               f"children are compared: 1 + {' + '.join([str(fanout)] * depth)}."],
        parameters=shape,
        solution_text=f"{one} = 1 (root) + {' + '.join([str(fanout)] * depth)}: on each level, "
                      f"the {fanout} children of the one differing node. The {keys:,} keys do "
                      "not matter.")

    q3 = ChoiceQuestion(
        "ex06.q3",
        "Why is anti-entropy necessary in addition to read repair? Answer with one letter from "
        "'a' to 'd'.",
        options=[
            "Read repair only works in blocking mode; asynchronous read repair never updates "
            "a stale replica.",
            "Only keys that are read get repaired; an unread key may keep fewer than N copies "
            "of its last write.",
            "Anti-entropy lets reads wait for fewer replicas, so it lowers the read latency of "
            "every key.",
            "Read repair cannot merge concurrent versions, so anti-entropy must resolve them "
            "with last-write-wins.",
        ],
        answer="b",
        explanations={
            "a": "asynchronous read repair does update stale replicas, just after the read "
                 "returns. The gap is elsewhere: which keys ever get read?",
            "c": "anti-entropy changes nothing about R. It repairs replicas in the "
                 "background, including keys no client ever reads.",
            "d": "both merge versions the same way (siblings are kept). The difference is "
                 "which keys each one ever looks at.",
        },
        hints=["In the lesson, which of the updated keys were still stale an hour later?",
               "Read repair is triggered by a read. What triggers a repair for a key that is "
               "never read?"],
        solution_text="(b) Read repair is driven by reads, so cold keys stay divergent until "
                      "anti-entropy compares the replicas; meanwhile the newest version has "
                      "fewer copies than N, and losing those copies loses an acknowledged "
                      "write.")

    quiet = quiet_round_messages()
    shortest = quiet * 60_000 / MESSAGE_BUDGET_PER_MINUTE
    q4 = ConfigQuestion(
        "ex06.q4",
        f"Choose how often background anti-entropy runs (interval_ms for "
        f"cluster.start_anti_entropy) in a 5-node cluster with N = 3. Targets: at most "
        f"{MESSAGE_BUDGET_PER_MINUTE} anti-entropy messages a minute when nothing differs, and "
        f"a node that missed writes while it was down must have every stale copy repaired "
        f"within {REPAIR_TARGET_MS / 1000:g} s of coming back, even if it comes back just after "
        f"a round started without it. Answer with {INTERVAL_FORM.description}.",
        evaluate=judge_interval,
        form=INTERVAL_FORM,
        reference=30_000,
        wrong=[(5_000, "over the budget"),
               (REPAIR_TARGET_MS, "waits a whole interval"),
               (120_000, "still stale")],
        hints=["A quiet round costs the same every time: measure it with "
               "cluster.anti_entropy().messages on a converged 5-node cluster (the lesson "
               "printed it). The budget gives the fewest milliseconds between rounds.",
               "In the worst case a returning node waits a whole interval for the next round, "
               "and the exchange itself takes a few milliseconds more. Pick an interval "
               "between the two bounds, not on one of them."],
        solution_text=(f"30_000 (anything from {shortest / 1000:g} s up to a little under "
                       f"{REPAIR_TARGET_MS / 1000:g} s works): a quiet round sends {quiet} "
                       f"messages (one hash request and one answer per replica pair of every "
                       f"range), so the budget needs at least {shortest / 1000:g} s between "
                       "rounds; in the worst case a returning node waits a whole interval, "
                       "plus the exchange, for its repair."))

    import dynamo_lab as dl

    pairs = dl.Cluster(nodes=6, n=3, vnodes=4, seed=0).anti_entropy().pairs_compared
    ranges = 6 * 4
    q5 = ValueQuestion(
        "ex06.q5",
        "A cluster has 6 nodes with 4 tokens each (vnodes=4, strategy 1) and N = 3. Without "
        "running it: how many replica-pair exchanges does one round of cluster.anti_entropy() "
        "run (its pairs_compared)? Answer with a whole number.",
        answer=pairs,
        form=WholeNumber(),
        wrong={ranges: "that is one exchange per range, but a range has N = 3 replicas and "
                       "every two of them compare their trees: 3 pairs per range.",
               15: "that is one exchange per pair of nodes. Trees are kept per key range, "
                   "and two nodes share several ranges: each shared range is compared "
                   "separately.",
               2 * ranges: "a range with 3 replicas has 3 pairs (AB, AC, BC), not 2: every "
                           "replica compares with every other one, not only with its "
                           "neighbour in the preference list.",
               2 * pairs: "each pair is compared once per range per round: one side starts "
                          "the exchange and both sides send what the other lacks."},
        hints=["Under strategy 1, how many ranges does the ring have? One per token.",
               "Each range has N home replicas, and each pair of them is one exchange: "
               "C(3, 2) = 3 per range."],
        solution_text=f"{pairs} = {ranges} ranges x 3 pairs (C(3, 2)) per range.")

    q6 = ChoiceQuestion(
        "ex06.q6",
        "A cluster with N = 3 and R = W = 2 deletes a key while one of the key's home replicas "
        "is down. The two replicas that acknowledged the delete purge its tombstone at once. "
        "Then the third replica comes back, and an anti-entropy round runs. What happens, and "
        "what would have prevented it? Answer with one letter from 'a' to 'd'.",
        options=[
            "Nothing goes wrong: the delete reached W = 2 replicas, so any read quorum of two "
            "still sees it.",
            "The deleted value comes back; reading with R = 3 (ALL) instead of R = 2 would "
            "have hidden it.",
            "The deleted value comes back; keep each tombstone until repair has reached every "
            "replica.",
            "Anti-entropy removes the returning copy, since two of the three replicas hold no "
            "value for it.",
        ],
        answer="c",
        explanations={
            "a": "W = 2 makes the delete visible to a read quorum only while the tombstone "
                 "exists. Once both replicas purge it they hold nothing, and the returning "
                 "replica's old value looks like a write they missed.",
            "b": "R = 3 makes the read hear from the returning replica, and its old value is "
                 "the only version left: the read returns it. The fix is on the purge side: "
                 "the tombstone must outlive the gap between repairs.",
            "d": "anti-entropy does not vote. A replica with no record looks like one that "
                 "missed a write, so the round copies the old value to the other two; only a "
                 "tombstone says that the key was deleted.",
        },
        hints=["In lesson 06, section 5, what did the two replicas that acknowledged the "
               "delete hold after the naive purge?",
               "Anti-entropy copies what one replica has to a replica that lacks it. What "
               "must the other two still hold for the round to copy the delete instead?"],
        solution_text=(
            "(c) Once the two replicas purge the tombstone they hold nothing, so the returning "
            "replica's old value looks like a write they missed, and anti-entropy (or read "
            "repair) copies it back: in the simulator a read then returns "
            f"{delete_while_down('naive')} with tombstones='naive' and "
            f"{delete_while_down('safe')} with tombstones='safe'. W replicas make a delete "
            "visible to read quorums, but a tombstone may be purged only once every replica "
            "holds it: keep it longer than the longest gap between repairs, as Cassandra's "
            "gc_grace_seconds asks."))
    return q1, q2, q3, q4, q5, q6
