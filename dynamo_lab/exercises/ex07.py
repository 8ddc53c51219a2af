"""Exercises for lesson 07: concurrent writes and version vectors.

>>> q1, q2, q3, q4, q5, q6, q7 = questions()
>>> q2.check(lambda a, b: {node: max(a.get(node, 0), b.get(node, 0)) for node in {**a, **b}})
Correct! (9 cases passed)
>>> q4.check("a")
Incorrect: last-write-wins never looks at who acknowledged what: ...
"""

from __future__ import annotations

from ..experiments.concurrent_writes import lww_clock_skew, sibling_explosion
from ..versions import DEFAULT_CLOCK_THRESHOLD, VERSIONING_SCHEMES, VectorClock
from .answer_forms import OneOf, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion

__all__ = ["questions", "siblings_after_context_less_writes", "keeps_adds_without_explosion",
           "write_after_wipe", "coordinators_until_false_sibling", "SCHEME_FORM"]

#: The form of q5's answer: the name of a versioning scheme.
SCHEME_FORM = OneOf(list(VERSIONING_SCHEMES), ignore_case=True, noun="one of the names",
                    example="'lww'")


# -- q1: comparing two clocks ---------------------------------------------------------

def _clock(counters: dict) -> VectorClock:
    """The model's clock for a dict of counters; a counter of 0 is the same as no entry."""
    return VectorClock({node: count for node, count in counters.items() if count})


def _compare(a: dict, b: dict) -> str:
    ca, cb = _clock(a), _clock(b)
    if ca == cb:
        return "equal"
    if cb.descends(ca):
        return "before"
    if ca.descends(cb):
        return "after"
    return "concurrent"


def _compare_by_sums(a, b):
    sa, sb = sum(a.values()), sum(b.values())
    if sa < sb:
        return "before"
    if sa > sb:
        return "after"
    return "equal" if a == b else "concurrent"


def _compare_common_nodes_only(a, b):
    common = a.keys() & b.keys()
    le = all(a[n] <= b[n] for n in common)
    ge = all(a[n] >= b[n] for n in common)
    if le and ge:
        return "equal"
    return "before" if le else "after" if ge else "concurrent"


def _compare_zero_is_not_missing(a, b):
    if a == b:
        return "equal"
    if set(a) <= set(b) and all(a[n] <= b[n] for n in a):
        return "before"
    if set(b) <= set(a) and all(b[n] <= a[n] for n in b):
        return "after"
    return "concurrent"


def _compare_swapped(a, b):
    return {"before": "after", "after": "before"}.get(_compare(a, b), _compare(a, b))


def _compare_without_equal(a, b):
    nodes = a.keys() | b.keys()
    if all(a.get(n, 0) <= b.get(n, 0) for n in nodes):
        return "before"
    if all(a.get(n, 0) >= b.get(n, 0) for n in nodes):
        return "after"
    return "concurrent"


_COMPARE_CASES = [
    ({}, {}),
    ({"A": 1}, {"A": 1}),
    ({"A": 1}, {}),
    ({}, {"A": 1}),
    ({"A": 1}, {"A": 1, "B": 1}),
    ({"A": 1, "B": 1}, {"A": 1}),
    ({"A": 2, "B": 1}, {"A": 1, "B": 1}),
    ({"B": 1}, {"A": 1, "B": 2}),
    ({"A": 1, "B": 3}, {"A": 2, "B": 3, "C": 1}),
    ({"A": 1}, {"B": 1}),
    ({"A": 3}, {"B": 1}),
    ({"A": 2}, {"A": 1, "B": 1}),
    ({"A": 1, "B": 2}, {"A": 2, "B": 1}),
    ({"A": 5}, {"A": 4, "B": 9}),
    ({"A": 1, "B": 0}, {"A": 1}),
    ({"A": 0}, {}),
    ({"A": 0}, {"B": 1}),
    ({"A": 2, "C": 0}, {"A": 2, "B": 0}),
    ({"A": 1, "B": 1, "C": 1}, {"A": 1, "B": 1, "C": 1}),
    ({"A": 2, "B": 2, "C": 1}, {"A": 2, "B": 1, "C": 2}),
]


def _drawn_clock(rng, nodes, low: int = 1, high: int = 9) -> dict:
    """A clock over a drawn subset of ``nodes`` with counters from ``low`` to ``high``."""
    return {node: rng.randint(low, high) for node in nodes if rng.random() < 0.6}


def _held_out_clock_pairs(rng) -> list[tuple]:
    """18 clock pairs, each relation (equal, before, after, concurrent), zeros and empties."""
    cases = []
    for number in range(18):
        nodes = rng.sample("ABCDEFG", rng.randint(1, 5))
        a = _drawn_clock(rng, nodes)
        b = dict(a)                         # kind 0: the same clock
        kind = number % 6
        if kind in (1, 2):                  # b has seen more
            for node in rng.sample(nodes, rng.randint(1, len(nodes))):
                b[node] = b.get(node, 0) + rng.randint(1, 5)
        elif kind == 3:                     # each has a write the other lacks
            first, *others = rng.sample("ABCDEFG", rng.randint(2, 4))
            a[first] = a.get(first, 0) + rng.randint(1, 3)
            for node in others:
                b[node] = b.get(node, 0) + rng.randint(1, 3)
        elif kind == 4:                     # a larger sum that has not seen the other
            a = {nodes[0]: rng.randint(5, 12)}
            b = {node: rng.randint(1, 2) for node in nodes[1:] or ["Z"]}
        else:                               # anything
            b = _drawn_clock(rng, nodes)
        if rng.random() < 0.4:              # a counter of 0 means no entry
            (a if rng.random() < 0.5 else b)[rng.choice("HJK")] = 0
        if number % 3 == 1:                 # swap sides: a has seen more
            a, b = b, a
        cases.append((a, b))
    return cases


# -- q2: merging two clocks ------------------------------------------------------------

def _merge(a: dict, b: dict) -> dict:
    return _clock(a).merge(_clock(b)).counters()


_MERGE_CASES = [
    ({}, {}),
    ({"A": 1}, {}),
    ({}, {"B": 2}),
    ({"A": 1, "B": 1}, {"A": 1, "B": 1}),
    ({"A": 2, "B": 1}, {"A": 1, "B": 3}),
    ({"A": 1}, {"B": 1}),
    ({"A": 3, "C": 1}, {"A": 3, "B": 2}),
    ({"A": 5}, {"A": 2, "B": 1, "C": 4}),
    ({"A": 1, "B": 4}, {"A": 2}),
]


def _held_out_merge_pairs(rng) -> list[tuple]:
    """16 clock pairs (counters >= 1): empty, equal, dominated, disjoint and crossing."""
    cases = []
    for number in range(16):
        nodes = rng.sample("ABCDEFG", rng.randint(2, 6))
        a = _drawn_clock(rng, nodes)
        kind = number % 5
        if kind == 0:                       # one side empty
            b = {}
        elif kind == 1:                     # the same clock
            b = dict(a)
        elif kind == 2:                     # b has seen everything a has, and more
            b = {node: a.get(node, 0) + rng.randint(0, 4) for node in nodes}
            b = {node: count for node, count in b.items() if count}
        elif kind == 3:                     # no node in common
            b = {node: rng.randint(1, 9) for node in nodes if node not in a} or {"Z": 1}
        else:                               # crossing counters
            b = _drawn_clock(rng, nodes)
        if number % 2:
            a, b = b, a
        cases.append((a, b))
    return cases


def _describe_pair(case) -> str:
    a, b = case
    return f"a={a}, b={b}"


# -- q3: a prediction the simulator judges ---------------------------------------------

def siblings_after_context_less_writes(versioning: str = "vector_clock", seed: int = 0) -> list:
    """Run question 3's schedule and return what a final read with R = N returns.

    Two clients, x and y, write one key of a 3-node cluster (N = 3, R = W = 2)
    and never pass a context to a put:

    1. x puts "x1" through A;
    2. y puts "y1" through B;
    3. x puts "x2" through A;
    4. y gets the key through B, then puts "y2" through B (without the read's context);
    5. x puts "x3" through C.

    Examples
    --------
    >>> sorted(siblings_after_context_less_writes())
    ['x1', 'x2', 'x3', 'y1', 'y2']
    >>> siblings_after_context_less_writes("lww")
    ['x3']
    """
    import dynamo_lab as dl

    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=seed, versioning=versioning)
    x, y = cluster.client("x"), cluster.client("y")
    x.put("note", "x1", coordinator="A")
    y.put("note", "y1", coordinator="B")
    x.put("note", "x2", coordinator="A")
    y.get("note", coordinator="B")
    y.put("note", "y2", coordinator="B")
    x.put("note", "x3", coordinator="C")
    cluster.run_until_idle()
    return cluster.get("note", r=3).values


# -- q5: a configuration the simulator judges ------------------------------------------

_ROUNDS = 20


def keeps_adds_without_explosion(config, rounds: int = _ROUNDS) -> tuple[bool, str]:
    """Judge a versioning scheme on the sibling-explosion workload.

    Two clients alternate read, add an item, write with the context of their
    own previous read (always one write behind the other client), ``rounds``
    times each (:func:`dynamo_lab.experiments.concurrent_writes.sibling_explosion`). The scheme
    passes when the final read holds every item added and has at most 2
    siblings.
    """
    if not SCHEME_FORM.accepts(config):
        return False, SCHEME_FORM.message()
    name = config.strip().lower()
    result = sibling_explosion(name, rounds=rounds)
    final = result.cluster.get("cart", r=3).values
    kept = frozenset().union(*final)
    added = {f"{who}{i}" for i in range(rounds) for who in "xy"}
    missing = len(added - kept)
    if missing:
        return False, (f"with {name!r} the final read holds {len(final)} value(s) and {missing} "
                       f"of the {len(added)} added items are lost: a write from a stale context "
                       "replaced the other client's write it had never seen.")
    if result.siblings > 2:
        return False, (f"with {name!r} nothing is lost, but the final read returns "
                       f"{result.siblings} siblings: one clock per key cannot say which siblings "
                       "a stale context had seen, so every write is kept beside all of them.")
    return True, (f"with {name!r} all {len(added)} items survive in {result.siblings} siblings "
                  "(checked on the simulator): each write removes exactly the siblings whose "
                  "dots its context covers.")


# -- q6: a wiped node that keeps its clock identity (Riak kv679) ---------------------

def write_after_wipe(reuse_identity: bool = True, seed: int = 0) -> list:
    """Run question 6's schedule and return what a final read with R = N returns.

    A 3-node cluster (N = 3, R = W = 2). A client puts "v1" through A, reads
    it and puts "v2" through A with the read's context, so every replica holds
    "v2" under the clock {A:2}. Then A crashes, loses its data and recovers
    (``reuse_identity`` says whether it keeps its old clock identity), and
    another client puts "v3" through A without a context.

    Examples
    --------
    >>> write_after_wipe(reuse_identity=True)
    ['v2']
    >>> sorted(write_after_wipe(reuse_identity=False))
    ['v2', 'v3']
    """
    import dynamo_lab as dl

    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=seed)
    first, second = cluster.client("first"), cluster.client("second")
    first.put("note", "v1", coordinator="A")
    cluster.run_until_idle()
    read = first.get("note", coordinator="A")
    first.put("note", "v2", context=read.context, coordinator="A")
    cluster.run_until_idle()
    cluster.crash("A", lose_data=True, reuse_identity=reuse_identity)
    cluster.recover("A")
    second.put("note", "v3", coordinator="A")
    cluster.run_until_idle()
    return cluster.get("note", r=3).values


# -- q7: Dynamo's clock truncation ----------------------------------------------------

def coordinators_until_false_sibling(clock_threshold: int = DEFAULT_CLOCK_THRESHOLD,
                                     seed: int = 3, most: int = 15) -> int | None:
    """The fewest coordinators after which a stale replica keeps a false sibling.

    Lesson 07's schedule, with ``clock_threshold`` pairs kept per clock: in a
    16-node cluster (N = 3, R = W = 2, no sloppy quorum) the key's first home
    replica writes ["book"]; the third home replica crashes; a client then
    reads and adds an item through one node outside the preference list after
    another, and the crashed replica recovers just before the last of these
    writes. Returns the number of coordinators in all (the first one
    included) for which the recovered replica holds ["book"] beside the last
    write, or None if no run up to ``most`` coordinators does.

    Examples
    --------
    >>> coordinators_until_false_sibling(4)
    5
    """
    import dynamo_lab as dl

    for outsiders in range(1, most):
        cluster = dl.Cluster(nodes=16, n=3, r=2, w=2, seed=seed, sloppy_quorum=False,
                             clock_threshold=clock_threshold)
        home = cluster.ring.preference_list("cart")[:3]
        outside = [node for node in cluster.ring.nodes if node not in home][:outsiders]
        client = cluster.client("shopper")
        client.put("cart", ["book"], coordinator=home[0])
        cluster.run_until_idle()
        cluster.crash(home[2])
        for node in outside:
            read = client.get("cart", coordinator=node)
            if node == outside[-1]:
                cluster.recover(home[2])
            client.put("cart", read.values[0] + [node], context=read.context, coordinator=node)
            cluster.run_until_idle()
        if len(cluster.replicas("cart").values_at(home[2])) > 1:
            return 1 + outsiders
    return None


def questions():
    """The questions of exercise notebook 07, in order."""
    q1 = FunctionQuestion(
        "ex07.q1",
        "Write a function compare(a, b) for two vector clocks given as dicts node -> counter. "
        "Return 'before' if a happened before b, 'after' if b happened before a, 'equal' if they "
        "are the same clock, and 'concurrent' otherwise. A node missing from a dict has counter "
        "0.",
        reference=_compare,
        name="compare",
        cases=_COMPARE_CASES,
        held_out=_held_out_clock_pairs,
        misconceptions=[
            (_compare_by_sums,
             "comparing the sums of the counters cannot detect concurrency: {A:3} has a larger "
             "sum than {B:1}, yet neither clock has seen the other's write. Compare node by "
             "node."),
            (_compare_common_nodes_only,
             "you compared only the nodes both clocks name. A node missing from a clock has "
             "counter 0: {A:1} and {B:1} are concurrent, not equal, because each has seen a "
             "write the other has not."),
            (_compare_zero_is_not_missing,
             "a counter of 0 is the same as a missing entry: {A:1, B:0} and {A:1} are the "
             "same clock ('equal'). Read a missing node as 0 instead of comparing key sets."),
            (_compare_swapped,
             "you swapped the directions: 'before' means a happened before b, so b has seen "
             "everything a has (every counter of b is at least a's)."),
            (_compare_without_equal,
             "identical clocks are the same version, so they are 'equal', not 'before': "
             "check for equality first."),
        ],
        describe=_describe_pair,
        hints=["Walk over every node named in either dict, reading a missing node as 0. "
               "Keep two flags: does a have a larger counter somewhere, and does b?",
               "Neither larger anywhere: 'equal'. Only b larger somewhere: 'before'. Only a "
               "larger somewhere: 'after'. Both: 'concurrent'."],
        solution_text=(
            "def compare(a, b):\n"
            "    nodes = set(a) | set(b)\n"
            "    a_ahead = any(a.get(n, 0) > b.get(n, 0) for n in nodes)\n"
            "    b_ahead = any(b.get(n, 0) > a.get(n, 0) for n in nodes)\n"
            "    if a_ahead and b_ahead:\n"
            "        return 'concurrent'\n"
            "    return 'after' if a_ahead else 'before' if b_ahead else 'equal'"))
    q2 = FunctionQuestion(
        "ex07.q2",
        "Write a function merge(a, b): the vector clock (a dict node -> counter, counters >= 1) "
        "that has seen exactly what a and b together have seen.",
        reference=_merge,
        name="merge",
        cases=_MERGE_CASES,
        held_out=_held_out_merge_pairs,
        misconceptions=[
            (lambda a, b: {n: a.get(n, 0) + b.get(n, 0) for n in {**a, **b}},
             "adding the counters counts a write both clocks have seen twice: {A:1} merged "
             "with {A:1} is still {A:1}. Take the larger counter of each node."),
            (lambda a, b: {**a, **b},
             "a dict update keeps b's counter even when a's is larger, which forgets writes "
             "a had seen. Take the larger counter of each node."),
            (lambda a, b: {n: max(a[n], b[n]) for n in a.keys() & b.keys()},
             "you kept only the nodes both clocks name, which forgets every write only one "
             "side has seen. A node missing from one clock still belongs in the merge."),
            (lambda a, b: {n: min(a[n], b[n]) for n in a.keys() & b.keys()},
             "the smallest counters give what both clocks have seen (the greatest lower "
             "bound), not what either has seen. Take the larger counter of each node."),
        ],
        describe=_describe_pair,
        hints=["Every node named in either clock appears in the result.",
               "For each node, keep the larger of the two counters (a missing one counts "
               "as 0)."],
        solution_text=("def merge(a, b):\n"
                       "    return {n: max(a.get(n, 0), b.get(n, 0)) for n in set(a) | set(b)}"
                       "   # pointwise maximum: the least upper bound"))
    survivors = siblings_after_context_less_writes()
    count = len(survivors)
    q3 = ValueQuestion(
        "ex07.q3",
        "A 3-node cluster (N = 3, R = W = 2, versioning='vector_clock'). Clients x and y "
        "write one key and never pass a context to a put: x puts 'x1' through A; y puts "
        "'y1' through B; x puts 'x2' through A; y gets the key through B, then puts 'y2' "
        "through B; x puts 'x3' through C. Once everything has settled, how many siblings "
        "does a read with R = 3 return? Answer with a whole number.",
        answer=count,
        form=WholeNumber(),
        wrong={
            1: "that is what last-write-wins would keep. Vector clocks never pick a winner "
               "among concurrent writes: a put without a context is concurrent with "
               "everything stored.",
            2: "the cluster does not know which client wrote a value, so x's second put does "
               "not replace x's first. Without a context a put replaces nothing.",
            3: "a coordinator does not replace its own earlier write either: one sibling per "
               "coordinator would need the put to carry a context that covers the old one.",
            count - 1: "y read the key before writing 'y2', but reading is not enough: only "
                       "a put that carries the read's context replaces what the read saw.",
        },
        hints=["Which of these puts carries a context? Which siblings can a put without a "
               "context replace?",
               "A put replaces only the siblings its context covers. No put here has a "
               "context, and all writes reach all three replicas."],
        solution_text=(f"{count}: every put was made without a context, so each is kept "
                       f"beside all the others ({', '.join(map(repr, sorted(survivors)))}). "
                       "Only a put with a read's context replaces what that read returned."))
    skew = lww_clock_skew()
    early, later = "early (skewed clock)", "later (correct clock)"
    outcomes = {"a": [later], "b": [early], "c": sorted([early, later])}
    answer = next((letter for letter, values in outcomes.items()
                   if sorted(skew.final_values) == values), "d")
    issued = next(op.time for op in skew.cluster.history
                  if op.type == "invoke" and op.f == "put" and op.value == later)
    q4 = ChoiceQuestion(
        "ex07.q4",
        "Versioning is last-write-wins; N = 3, W = 3. Node A's clock runs 50 ms ahead. A "
        "client writes 'early' through A. 10 ms later another client reads it and writes "
        "'later' through B, whose clock is right, and all three replicas acknowledge. Once "
        "everything has settled, what does a read return? Answer with one letter from 'a' to "
        "'d'.",
        options=["'later': every replica acknowledged it, and it came after 'early'.",
                 "'early': it has the larger timestamp, so 'later' is silently dropped.",
                 "Both, as siblings: the two writes conflict, so neither one is dropped.",
                 "Nothing useful: the write through B fails because its timestamp is older."],
        answer=answer,
        explanations={
            "a": "last-write-wins never looks at who acknowledged what: each replica keeps "
                 "the value with the larger timestamp, and A's clock stamped 'early' 50 ms "
                 "in the future.",
            "c": "last-write-wins keeps one value per key. Siblings need a causal clock, "
                 "such as a vector clock, to see that two writes conflict.",
            "d": "the write is acknowledged, so the client is told it succeeded: the loss is "
                 "silent, which is what makes it dangerous.",
        },
        hints=["Under last-write-wins a replica compares only the two timestamps.",
               "Which timestamp did A's clock put on 'early', and which did B's put on "
               "'later'?"],
        solution_text=(f"(b) 'early' wins everywhere: A's clock stamped it at "
                       f"{skew.skew_ms:g} ms, while B's correct clock stamped 'later' at "
                       f"{issued:.1f} ms. The acknowledged write is lost, and a "
                       "linearizability checker flags the history."))
    q5 = ConfigQuestion(
        "ex07.q5",
        f"Two clients alternate read, add one item, write with the context of their own "
        f"previous read, {_ROUNDS} times each, so every write misses the other client's "
        f"latest write. Choose the versioning scheme for which the final read keeps every "
        f"added item in at most 2 siblings. Answer with {SCHEME_FORM.description}.",
        evaluate=keeps_adds_without_explosion,
        form=SCHEME_FORM,
        reference="dvv",
        wrong=[("lww", "are lost"), ("vector_clock", "siblings")],
        hints=["One scheme drops writes, one keeps every write beside every sibling, and "
               "one knows which siblings a context had seen.",
               "Which scheme gives each sibling its own dot?"],
        solution_text=("'dvv': each sibling keeps the dot of the write that made it, so a "
                       "write removes exactly the siblings its context covers. 'lww' loses "
                       f"adds and 'vector_clock' ends with {2 * _ROUNDS} siblings."))
    wiped = sorted(write_after_wipe(reuse_identity=True))
    wipe_outcomes = {"a": ["v2", "v3"], "b": ["v3"], "c": ["v2"]}
    wipe_answer = next((letter for letter, values in wipe_outcomes.items() if wiped == values),
                       "d")
    q6 = ChoiceQuestion(
        "ex07.q6",
        "A 3-node cluster (N = 3, R = W = 2, versioning='vector_clock'). A client puts 'v1' "
        "through A, reads it, and puts 'v2' through A with the read's context, so every "
        "replica holds 'v2' under the clock {A:2}. Then A crashes, loses its data and "
        "recovers under its old clock identity (reuse_identity=True). Another client puts "
        "'v3' through A without a context, and W = 2 replicas acknowledge it. Once everything "
        "has settled, what does a read with R = 3 return? Answer with one letter from 'a' to "
        "'d'.",
        options=["'v2' and 'v3' as siblings, since 'v3' had no context.",
                 "'v3' only, since it is the newest acknowledged write.",
                 "'v2' only: the acknowledged 'v3' is silently lost.",
                 "Nothing new: the replicas refuse the put of 'v3'."],
        answer=wipe_answer,
        explanations={
            "a": "that is what happens when A comes back under a new identity (the "
                 "simulator's default, and Riak's fix). With its old identity, A's counter "
                 "starts again: 'v3' gets the pair (A, 1), which the stored clock {A:2} "
                 "already covers.",
            "b": "the replicas do not compare real time. To them, 'v3' carries the pair "
                 "(A, 1), an old write of A's that {A:2} has already seen, so 'v2' wins and "
                 "read repair overwrites A's copy.",
            "d": "the put succeeds: the replicas acknowledge it and quietly keep what they "
                 "had. The loss is silent, which is what made Riak's kv679 dangerous.",
        },
        hints=["After the wipe A stores nothing for the key. Which counter does it give "
               "its next write?",
               "'v3' gets the pair (A, 1). Does the clock {A:2} that B and C hold cover it?"],
        solution_text=(f"({wipe_answer}) A read returns {wiped}. A came back empty under its "
                       "old identity, so its counter started again and 'v3' got the pair "
                       "(A, 1), which {A:2} already covers: B and C took it for an old write, "
                       "and the acknowledged 'v3' was lost. A new identity per incarnation "
                       "(Riak's fix: a new actor id, or epoch, for a vnode that lost its "
                       "data) makes 'v3' a sibling of 'v2'."))
    threshold = 4
    needed = coordinators_until_false_sibling(threshold)
    truncation_wrong = {
        threshold: f"a clock keeps up to {threshold} pairs, so with {threshold} coordinators "
                   "nothing is dropped yet. The oldest pair goes only when one more "
                   "coordinator adds its own.",
        3: "N limits the replicas, not the clock: every coordinator, home replica or not, "
           "adds its own pair.",
        DEFAULT_CLOCK_THRESHOLD: f"{DEFAULT_CLOCK_THRESHOLD} is the paper's threshold and the "
                                 f"simulator's default; this cluster keeps {threshold} pairs.",
        DEFAULT_CLOCK_THRESHOLD + 1: f"that is the count with the default threshold of "
                                     f"{DEFAULT_CLOCK_THRESHOLD}; this cluster keeps "
                                     f"{threshold} pairs.",
    }
    truncation_wrong.pop(needed, None)
    q7 = ValueQuestion(
        "ex07.q7",
        f"Lesson 07's truncation schedule with clock_threshold={threshold}: in a 16-node "
        f"cluster (N = 3, R = W = 2, no sloppy quorum) the key's first home replica writes "
        f"['book'], the "
        f"third home replica crashes, and a client reads and adds an item through one node "
        f"outside the preference list after another; the crashed replica recovers just "
        f"before the last write. How many coordinators in all (the first one included) does "
        f"it take before the recovered replica keeps ['book'] as a false sibling? Answer with "
        f"a whole number.",
        answer=needed,
        form=WholeNumber(example="7"),
        wrong=truncation_wrong,
        hints=["Count the pairs in the last write's clock: one per coordinator, the first "
               "one included. When does it hold more than the threshold?",
               f"Once a clock would hold {threshold} + 1 pairs, the oldest, the pair of "
               f"['book'], is dropped, and the last write no longer descends ['book']."],
        solution_text=(f"{needed}: each coordinator adds a pair, so the clock of the last write "
                       f"would hold {needed} pairs, one more than the threshold of {threshold}. "
                       "The oldest pair, the one of the first write, is dropped, and the "
                       "recovered replica keeps ['book'] beside the last write (checked on "
                       "the simulator, ex07.coordinators_until_false_sibling)."))
    return q1, q2, q3, q4, q5, q6, q7
