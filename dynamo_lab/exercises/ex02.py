"""Exercises for lesson 02: partitioning and the ring.

>>> q1, q2, q3, q4, q5, q6, q7, q8, q9 = questions()
>>> q1.check(walk_clockwise)
Correct! (14 cases passed)
>>> q3.check("a").outcome
'incorrect'
>>> q6.answer
Fraction(1, 11)
>>> q7.check(lambda user_id, created_at: (created_at[:10], created_at)).outcome
'incorrect'
>>> q8.check("b")
Correct!

Question 9's answer is measured on the model's Ring; N / (S + 1) is close enough:

>>> round(stale_map_share(), 3)
0.329
>>> q9.check(3 / 9)
Correct!
"""

from __future__ import annotations

from bisect import bisect_left
from fractions import Fraction

from ..hash_mod_n import expected_fraction_moved, sample_keys
from ..experiments.key_design import MAX_BUSIEST_SHARE, judge_key_design
from ..experiments.partitioning import (
    copies_moved, hot_key_weights, node_names, request_load, strategy_efficiency,
)
from ..ranges import key_position
from ..ring import Ring, load_balancing_efficiency
from .answer_forms import Function, Number
from .questions import (NOT_ATTEMPTED, CheckResult, ChoiceQuestion, ConfigQuestion,
                        FunctionQuestion, ThoughtQuestion, ValueQuestion)

__all__ = ["questions", "walk_clockwise", "join_share", "hot_key_efficiency",
           "event_key_design", "stale_map_share", "EVENT_KEY_FORM", "STALE_MAP_RING"]

#: The form of question 7's answer: a key function.
EVENT_KEY_FORM = Function("event_key", ("user_id", "created_at"))
#: Question 9: the ring a client's map describes before node K joins.
STALE_MAP_RING = {"nodes": 8, "n": 3, "vnodes": 256, "keys": 10_000}


def walk_clockwise(position: int, tokens: list[tuple[int, str]], n: int) -> list[str]:
    """The reference answer to q1: the first ``n`` distinct nodes clockwise.

    Start at the first token at or after ``position`` (a range ``(start, end]``
    includes its end), wrap past the last token to the first, and skip nodes
    already listed.

    >>> walk_clockwise(45, [(10, "A"), (20, "B"), (30, "C"), (40, "D")], 2)
    ['A', 'B']
    """
    start = bisect_left([p for p, _ in tokens], position)
    found: list[str] = []
    for step in range(len(tokens)):
        node = tokens[(start + step) % len(tokens)][1]
        if node not in found:
            found.append(node)
            if len(found) == n:
                break
    return found


def _no_skip(position, tokens, n):
    start = bisect_left([p for p, _ in tokens], position)
    return [tokens[(start + step) % len(tokens)][1] for step in range(n)]


def _no_wrap(position, tokens, n):
    start = bisect_left([p for p, _ in tokens], position)
    found: list[str] = []
    for _, node in tokens[start:]:
        if node not in found:
            found.append(node)
            if len(found) == n:
                break
    return found


def _strictly_after(position, tokens, n):
    return walk_clockwise(position + 1, tokens, n)


_FOUR = [(10, "A"), (20, "B"), (30, "C"), (40, "D")]
_BUNCHED = [(10, "A"), (20, "A"), (30, "B"), (40, "B"), (50, "C"), (60, "A")]


def _cases() -> list[tuple]:
    real = Ring(["A", "B", "C", "D", "E"], n=3, vnodes=8)
    cases = [
        (15, _FOUR, 2), (20, _FOUR, 2), (45, _FOUR, 2), (5, _FOUR, 1), (35, _FOUR, 4),
        (15, _BUNCHED, 2), (5, _BUNCHED, 3), (55, _BUNCHED, 3), (41, _BUNCHED, 2),
        (65, _BUNCHED, 2), (60, _BUNCHED, 1),
    ]
    cases += [(key_position(key), real.tokens, 3) for key in ("cart:bob", "cart:carol",
                                                              "cart:erin")]
    return cases


def _held_out_rings(rng) -> list[tuple]:
    """16 walks: drawn toy rings (bunched tokens, keys on/before/after them) and real rings."""
    cases = []
    for number in range(13):
        names = rng.sample("ABCDEFGHJK", rng.randint(2, 6))
        count = rng.randint(len(names) + 1, 3 * len(names))
        owners = names + [rng.choice(names) for _ in range(count - len(names))]
        rng.shuffle(owners)
        if number % 3 == 0:                     # bunched: runs of one node's tokens
            owners = sorted(owners, key=names.index)
        positions = sorted(rng.sample(range(5, 2000), count))
        tokens = list(zip(positions, owners))
        where = number % 4
        if where == 0:                          # exactly on a token
            position = rng.choice(positions)
        elif where == 1:                        # past the last token: wraps
            position = rng.randint(positions[-1] + 1, positions[-1] + 60)
        elif where == 2:                        # before the first token
            position = rng.randint(0, positions[0] - 1)
        else:                                   # between two tokens
            position = rng.randint(positions[0], positions[-1])
        cases.append((position, tokens, rng.randint(1, len(names))))
    for _ in range(3):
        real = Ring(rng.sample("ABCDEFGH", rng.randint(3, 6)), n=3, vnodes=rng.randint(3, 10))
        key = f"{rng.choice(['cart', 'user', 'order'])}:{rng.randrange(10 ** 6)}"
        cases.append((key_position(key), real.tokens, rng.randint(1, 3)))
    return cases


def _describe(case) -> str:
    position, tokens, n = case
    shown = tokens if len(tokens) <= 8 else f"the {len(tokens)} tokens of a real ring"
    return f"position={position}, tokens={shown}, n={n}"


def join_share(vnodes: int = 256) -> float:
    """Share of keys that change owner when E joins A-D (N = 1) on the model's ring.

    >>> 0.15 < join_share() < 0.25
    True
    """
    return copies_moved(Ring(["A", "B", "C", "D"], n=1, vnodes=vnodes).add_node("E"), n=1)


def hot_key_efficiency(hot_share: float = 0.3, nodes: int = 10, n: int = 3) -> float:
    """Efficiency on a balanced strategy-3 ring when one key gets ``hot_share`` of requests.

    >>> round(hot_key_efficiency(0.0), 2)
    0.97
    """
    ring = Ring(node_names(nodes), n=n, vnodes=32, strategy=3)
    return load_balancing_efficiency(request_load(ring, hot_key_weights(sample_keys(5000),
                                                                        hot_share)))


class _KeyDesignQuestion(ConfigQuestion):
    """A configuration question whose answer is a key function."""

    def _judge(self, answer):
        if callable(answer):
            try:
                answer("user0001", "2024-05-02T08:00:00")
            except NotImplementedError:
                return CheckResult(NOT_ATTEMPTED, "your function still raises "
                                   "NotImplementedError; replace that line with your code.")
            except Exception:   # judged (and reported) below
                pass
        return super()._judge(answer)

    def stub_answer(self):
        def event_key(user_id, created_at):
            raise NotImplementedError("replace this line with your code")
        return event_key


def event_key_design(key_fn) -> tuple[bool, str]:
    """Judge a key function by placing a day of events with it.

    See :mod:`dynamo_lab.experiments.key_design` for the two placements.
    """
    if not EVENT_KEY_FORM.accepts(key_fn):
        return False, EVENT_KEY_FORM.message()
    try:
        report = judge_key_design(key_fn)
    except ValueError as exc:
        return False, str(exc)
    if report.ok:
        return True, (f"the busiest node coordinated at most {report.hash_share:.0%} of an "
                      f"hour's writes on the hash ring, the busiest range took at most "
                      f"{report.range_share:.0%} on range partitions, and each user's day is "
                      f"one scan.")
    return False, "; ".join(report.problems) + "."


def stale_map_share(nodes: int = 8, n: int = 3, vnodes: int = 256,
                    keys: int = 10_000) -> float:
    """Share of keys whose home replicas an old map gets wrong once node K joins.

    A partition-aware client routes with its own copy of the ring (its map).
    Node ``"K"`` joins a ring of ``nodes`` nodes before the client hears of
    it; for each of ``keys`` sample keys, the old map is wrong when its set of
    ``n`` home replicas differs from the new ring's.

    >>> 0.3 < stale_map_share() < 3 / 8
    True
    """
    old_map = Ring(node_names(nodes), n=n, vnodes=vnodes)
    new_map = old_map.copy()
    new_map.add_node("K")
    sample = sample_keys(keys)
    wrong = sum(set(old_map.home_replicas(key)) != set(new_map.home_replicas(key))
                for key in sample)
    return wrong / len(sample)


def questions():
    """The questions of exercise notebook 02, in order."""
    q1 = FunctionQuestion(
        "ex02.q1",
        "Write a function preference_list(position, tokens, n): given a key's ring position "
        "and the ring's tokens as a sorted list of (position, node) pairs, return the key's n "
        "home replicas, the first n distinct nodes met walking clockwise.",
        reference=walk_clockwise,
        name="preference_list",
        cases=_cases(),
        misconceptions=[
            (_no_skip,
             "your list names the same physical node twice: a node owns several tokens, so "
             "the walk must skip tokens of nodes already listed, or a key's N copies could "
             "sit on fewer than N machines."),
            (_no_wrap,
             "keys after the last token got too few nodes: the ring wraps around, so after "
             "the last token the walk continues from the first one."),
            (_strictly_after,
             "a key exactly at a token's position belongs to that token: each range is "
             "(start, end], including its end, so start at the first token >= position."),
        ],
        describe=_describe,
        held_out=_held_out_rings,
        hints=["Find the index of the first token whose position is >= the key's position "
               "(bisect.bisect_left on the positions does it). If there is none, start at 0.",
               "Walk on from there with index (start + step) % len(tokens), appending each node "
               "not yet in your list, and stop when the list has n nodes."],
        solution_text=(
            "from bisect import bisect_left\n\n"
            "def preference_list(position, tokens, n):\n"
            "    start = bisect_left([p for p, _ in tokens], position)\n"
            "    found = []\n"
            "    for step in range(len(tokens)):\n"
            "        node = tokens[(start + step) % len(tokens)][1]\n"
            "        if node not in found:\n"
            "            found.append(node)\n"
            "            if len(found) == n:\n"
            "                break\n"
            "    return found\n"
            "Skipping repeats is what makes the N copies land on N different machines."))

    share = join_share()
    mod_n = float(expected_fraction_moved(4))
    q2 = ValueQuestion(
        "ex02.q2",
        "A ring of 4 nodes (A to D), N = 1, 256 tokens per node. Node E joins. What share "
        "of the keys changes owner on the model's Ring, as the lesson measured it? Answer "
        "with a number from 0 to 1, to three decimals (within 0.002 counts).",
        answer=share,
        form=Number(0, 1),
        wrong={0.2: "1/5 is E's fair share of five nodes, which only perfectly even tokens "
                    "would give. E's 256 tokens sit at random positions, so the ranges they cut "
                    "off add up to a little less than a fifth: measure it on the Ring, as the "
                    "lesson's table does.",
               0.25: "1/4 is each node's share before the join. E ends up with its share of "
                     "the new cluster of five, and only those keys move.",
               mod_n: "that is what hash mod N moves (4/5). On the ring only the keys E takes "
                      "over change owner.",
               1.0: "nothing forces the other keys to move: a key changes owner only if one of "
                    "E's tokens now comes first clockwise from it."},
        rel_tol=0.002,
        hints=["Only the keys E takes over change owner: about a fifth, but E's tokens are "
               "random, so not exactly 1/5. The lesson's table has a row for 256 tokens.",
               "Measure it: Ring(['A', 'B', 'C', 'D'], n=1, vnodes=256).add_node('E')"
               ".fraction_moved (Ring is in dynamo_lab.ring)."],
        solution_text=f"{share:.3f}, as the model's Ring measures it (the lesson's table): E's "
                      "random tokens take a little less than a fifth of the ring, a little "
                      "from each of A to D, and no other key moves. Hash mod N would move "
                      "4/5.")

    lumpy = strategy_efficiency(1, 128)
    q3 = ChoiceQuestion(
        "ex02.q3",
        "S = 30 nodes, N = 3, and every node keeps a table of the same size. Which of "
        "Dynamo's partitioning strategies balances the share of the ring best? Answer with "
        "one letter from 'a' to 'd'.",
        options=["Strategy 1: T random tokens per node, ranges between tokens.",
                 "Strategy 2: Q equal partitions, placed by T random tokens per node.",
                 "Strategy 3: Q equal partitions, handed out Q/S to each node.",
                 "All are equal once T is large enough for the luck to average out."],
        answer="c",
        explanations={
            "a": "random tokens leave ranges of random sizes; the luck evens out only slowly "
                 f"as T grows (efficiency {lumpy:.2f} at 128 tokens per node, S = 30).",
            "b": "with Q fixed, more tokens per node soon means fewer partitions than tokens, "
                 "and each partition lands on whichever node's token follows it: random "
                 "again. It peaks and then gets worse.",
            "d": "strategy 3 is exactly even by construction (equal partitions, equal counts); "
                 "the random strategies only approach it.",
        },
        hints=["Which strategy leaves nothing to chance in the size of what a node holds?"])

    eff = hot_key_efficiency()
    mean = 3 / 10
    q4 = ValueQuestion(
        "ex02.q4",
        "S = 10 nodes, N = 3, a perfectly balanced ring (strategy 3). One key gets 30% of all "
        "requests; the rest are spread evenly over thousands of keys. Each request counts at "
        "the key's 3 home replicas. What is the load-balancing efficiency (mean load / the "
        "hottest node's load)? Answer with a number from 0 to 1, to two decimals (within 0.02 "
        "counts).",
        answer=eff,
        form=Number(0, 1),
        wrong={1.0: "the ring's shares are even, but requests are not: the hot key's 3 "
                    "replicas serve every one of its requests.",
               mean / (0.3 / 3 + 0.7 * mean):
                   "the hot key's requests are not split three ways: each of them reaches "
                   "all 3 home replicas, so each replica carries the full 30%.",
               (1 / 10) / (0.3 + 0.7 * mean):
                   "the mean load is N/S = 0.3, not 1/S: every request counts at N nodes, "
                   "so the loads add up to N."},
        rel_tol=0.02,
        hints=["Loads add up to N = 3, so the mean load per node is 3/10.",
               "The hottest node is a replica of the hot key: 0.3 from it, plus its even "
               "share (3/10) of the other 70% of requests."],
        solution_text=f"about 0.59 (the model measures {eff:.3f}): mean 0.3, hottest node "
                      "0.3 + 0.7 * 0.3 = 0.51, and 0.3 / 0.51 = 0.59. More tokens cannot fix "
                      "this: one key lives on one range.")

    q5 = ThoughtQuestion(
        "ex02.q5",
        "Adding virtual nodes did not help with the hot key of q4. Why not, and what would "
        "spread its load? Name one cost of your fix. Answer with a sentence or two in a string "
        "(at least 5 words).",
        model_answer="A key is hashed to one position, so all its requests land on the same N "
                     "home replicas however the ring is cut; tokens balance ranges, not single "
                     "keys. Splitting the key (appending a suffix 0..k-1, e.g. a random one per "
                     "write) puts its parts on different ranges and nodes. The cost: a read "
                     "must now fetch all k parts and combine them, and the application has to "
                     "know the key was split.",
        hints=["Where on the ring does one key sit, and how many nodes hold it?",
               "Seed 003 fixes a hot timestamp partition by prefixing a high-cardinality "
               "value. What is the same trick for a single key?"])

    kept = 1 - expected_fraction_moved(10)
    q6 = ValueQuestion(
        "ex02.q6",
        "Under hash mod N, node number md5(key) mod S owns a key. The cluster grows from "
        "S = 10 to S = 11 nodes. What share of the keys keeps its owner? Compare it with the "
        "ring, where about 1/11 of the keys change owner. Answer with a number from 0 to 1 "
        "(a Fraction or a float).",
        answer=kept,
        form=Number(0, 1, description="a number from 0 to 1 (a Fraction or a float)",
                    example="Fraction(1, 2)"),
        wrong={1 - kept: "10/11 is the share that changes owner under mod N, S / (S + 1), "
                         "and about the share the ring keeps. The question asks for the share "
                         "that keeps its owner under mod N.",
               Fraction(1, 10): "close: a key keeps its owner when h mod 10 equals h mod 11. "
                                "Count how often that happens in 110 consecutive hash values."},
        rel_tol=1e-9,
        hints=["A key keeps its owner only if h mod 10 == h mod 11.",
               "Over 110 consecutive values of h (the least common multiple), count the h "
               "with h mod 10 == h mod 11: those are h = 0 to 9."],
        solution_text="1/11: only the h with h mod 110 < 10 keep their owner, 10 of every 110. "
                      "So 10/11 of the keys move, while on the ring only the keys the new node "
                      "takes over move, about 1/11.")
    q7 = _KeyDesignQuestion(
        "ex02.q7",
        "Events are stored under the key (partition_key, sort_key). Keys that start with "
        "the time make the time-range hot spot of lesson 02: on a range-partitioned store, "
        "created_at as the partition key sends every new write to the last range, and on a "
        "hash ring, the hour of created_at sends all of an hour's writes to one node. Write a "
        "function event_key(user_id, created_at) -> (partition_key, sort_key), both strings, "
        f"so that (1) at every hour of the day, no node of a 5-node hash ring and no range of "
        f"a store with 5 sorted ranges takes more than {MAX_BUSIEST_SHARE:.0%} of that hour's "
        "writes, and (2) one user's events of a day can be read as one range scan in time "
        "order: they share one partition key, and their sort keys are distinct and follow "
        "created_at.",
        evaluate=event_key_design,
        form=EVENT_KEY_FORM,
        reference=lambda user_id, created_at: (user_id, created_at),
        wrong=[(lambda user_id, created_at: (created_at[:10], created_at), "hot spot"),
               (lambda user_id, created_at: (created_at, user_id), "last range"),
               (lambda user_id, created_at: (user_id, "event"), "sort keys must be distinct")],
        hints=["Diagnose first: at any moment the writes have nearly the same created_at. On "
               "a hash ring only equal partition keys share a node, so an hour or a day as "
               "partition key puts a whole hour's writes on one node. On sorted ranges, keys "
               "that are merely close share a range, so even a full timestamp sends every new "
               "write to the last one.",
               "Put something with many distinct values at every moment first (the user id, or "
               "a hash of it) in the partition key, and keep created_at as the sort key."],
        solution_text=(
            "def event_key(user_id, created_at):\n"
            "    return user_id, created_at\n"
            "# A sequential hot spot: at any moment every write has nearly the same created_at. "
            "On a hash ring an hour or a day as partition key sends that hour's (day's) writes "
            "to one node; on range partitions even a full timestamp does, since new keys sort "
            "after all old ones. The user id spreads writes at every moment, and created_at "
            "as sort key keeps each user's events in one partition, in time order."))
    q8 = ChoiceQuestion(
        "ex02.q8",
        "A secondary index finds records by a field other than the partition key. A *local* "
        "index keeps, on each partition, entries for that partition's own records only; a "
        "*global* index is partitioned on its own, by the indexed value. Products are "
        "partitioned by product id, and an index on colour answers 'all red products'. What "
        "does each design cost when a product is added, and when a query asks for all red "
        "products? Answer with one letter from 'a' to 'd'.",
        options=[
            "Global: the entry is written atomically with the product, so a query is never "
            "stale. Local: a write stays on one partition; a query asks every one.",
            "Global: a write usually updates a second partition; a query reads one. Local: "
            "a write stays on one partition; a query asks every partition.",
            "Global: a write stays on one partition; a query asks every partition. Local: "
            "a write usually updates a second partition; a query reads one.",
            "Global: a write usually updates a second partition; a query reads one. Local: "
            "a write stays on one; a query asks the partitions holding red products.",
        ],
        answer="b",
        explanations={
            "a": "the 'red' entry usually sits on another partition than the product, and "
                 "writing both atomically would take a distributed transaction. DynamoDB, for "
                 "one, updates its global indexes asynchronously, so a query by colour can "
                 "miss a recent write.",
            "c": "that is the two designs the other way round. A local index keeps its "
                 "entries beside their products, so a write stays put but nobody knows which "
                 "partitions hold red products; a global index places the entry by colour.",
            "d": "a local index knows only its own partition's products, so no one can tell "
                 "which partitions hold red products without asking them all. Products are "
                 "spread by id, so red ones sit on nearly every partition anyway.",
        },
        hints=["Ask where the index entry for 'red' lives in each design, and where the product "
               "lives.",
               "Local: entry beside the product, so a query by colour does not know which "
               "partitions hold red products. Global: the entry is placed by the colour, "
               "wherever that hashes."],
        solution_text=(
            "(b). A global index is partitioned by the indexed term, so the entry for 'red' "
            "usually lives on another partition than the product: every product write is also "
            "a write elsewhere (a distributed write; DynamoDB does it asynchronously, so "
            "queries can be stale). A local index keeps entries beside their products, so "
            "writes stay on one partition, but a query by colour must ask all partitions and "
            "wait for the slowest one (scatter-gather)."))

    stale = stale_map_share(**STALE_MAP_RING)
    nodes, n = STALE_MAP_RING["nodes"], STALE_MAP_RING["n"]
    q9 = ValueQuestion(
        "ex02.q9",
        f"A ring of {nodes} nodes, N = {n}, {STALE_MAP_RING['vnodes']} tokens per node. A "
        "partition-aware client keeps its own copy of the ring (its map) and sends each "
        "request straight to the key's home replicas. Node K joins, and the client has not "
        "heard of it yet. For what share of the keys does the client's old map name the "
        "wrong set of home replicas, so that its writes miss K? Answer with a number from 0 "
        "to 1 (within 0.02 counts).",
        answer=stale,
        form=Number(0, 1),
        wrong={n / nodes: f"{n}/{nodes} divides by the nodes before the join. After it there "
                          f"are {nodes + 1}, and K becomes one of the N home replicas of about "
                          f"{n}/{nodes + 1} of the ring: those are the keys the old map gets "
                          "wrong.",
               1 / (nodes + 1): f"1/{nodes + 1} is K's share as a key's first home replica, "
                                "which is all that moves with N = 1. With N = 3, K also "
                                "becomes the second or third home replica of other keys, and "
                                "the old map is wrong for those too.",
               1 - n / nodes: f"1 - {n}/{nodes} is the share of requests a node picked at "
                              "random must forward, because it is not a home replica. The "
                              "question asks how often a client's own map is out of date "
                              "after a join.",
               1 - n / (nodes + 1): "that is the share of keys for which the old map is "
                                    "still right: K is not among their home replicas.",
               1.0: "a join on the ring does not reshuffle every key: a key's home replicas "
                    "change only if K is now among the first N distinct nodes of its "
                    "clockwise walk, and the old map stays right for every other key."},
        rel_tol=0.02,
        hints=["A key's set of home replicas changes only when K becomes one of them. For how "
               "much of the ring is K among the first N distinct nodes clockwise?",
               f"K takes about 1/{nodes + 1} of the ring as first home replica, and about as "
               "much as second and as third. Or measure it: copy the Ring, add_node('K') to "
               "the copy, and compare set(home_replicas(key)) on both rings for many keys."],
        solution_text=f"{stale:.3f} as the model's Ring measures it over "
                      f"{STALE_MAP_RING['keys']:,} keys, about N / (S + 1) = {n}/{nodes + 1}: "
                      "K becomes one of the N home replicas of that share of the ring. For "
                      "those keys the client sends writes to the node that dropped out "
                      "instead of K, until gossip (or a coordination service) brings it the "
                      "new map. The node that drops out is always the old third home replica, "
                      "so the other two still get every write; it is K that misses them.")
    return q1, q2, q3, q4, q5, q6, q7, q8, q9
