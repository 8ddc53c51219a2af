"""Exercises for lesson 09: case study, the Dynamo shopping cart.

>>> q1, q2, q3, q4, q5, q6 = questions()
>>> q2.check(lambda siblings: frozenset().union(*siblings))
Correct! (8 cases passed)
>>> q6.check("a").outcome
'incorrect'
"""

from __future__ import annotations

from functools import lru_cache

from ..experiments.cart import (LEFT, RIGHT, adds_through_partition, cart_through_partition,
                                one_version_share)
from ..crdt import ORSet, merge_all
from ..versions import VERSIONING_SCHEMES
from .answer_forms import Boolean, Collection, Dict, Number, OneOf, Text, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion

__all__ = ["questions", "always_writable", "PREDICTION", "SHARE_RUN", "CART_CONFIG_FORM"]

#: The partition scenario of question 3: each side removes a different item.
PREDICTION = {"left_ops": (("remove", "book"),), "right_ops": (("remove", "pen"),)}
#: The divergence study of question 5.
SHARE_RUN = {"shoppers": 24, "carts": 200, "operations": 2000, "seed": 0}

#: The form of question 1's answer.
CART_CONFIG_FORM = Dict({"sloppy_quorum": Boolean(), "w": WholeNumber(1, 3),
                         "versioning": OneOf(list(VERSIONING_SCHEMES))},
                        description="a dict {'sloppy_quorum': BOOL, 'w': W, 'versioning': "
                                    "SCHEME}, with BOOL True or False, W a whole number from 1 "
                                    "to 3 and SCHEME 'vector_clock', 'dvv' or 'lww'",
                        example="{'sloppy_quorum': False, 'w': 1, 'versioning': 'lww'}")


# -- question 1: a configuration for the always-writable cart -------------------------

def always_writable(config, carts: int = 6, adds_per_side: int = 2,
                    seed: int = 0) -> tuple[bool, str]:
    """Judge a cart configuration by running adds on both sides of a partition.

    The network splits into {A, B} and {C, D, E}; shoppers on each side add
    items to the same carts (:func:`dynamo_lab.experiments.cart.adds_through_partition`).
    The configuration passes when every add is acknowledged on both sides,
    every acknowledged add is still in its cart after the heal, and each
    acknowledgement means at least two nodes held the add (W >= 2).
    """
    if not CART_CONFIG_FORM.accepts(config):
        return False, CART_CONFIG_FORM.message()
    sloppy, w, versioning = bool(config["sloppy_quorum"]), int(config["w"]), config["versioning"]
    try:
        run = adds_through_partition(sloppy_quorum=sloppy, w=w, versioning=versioning,
                                     carts=carts, adds_per_side=adds_per_side, seed=seed)
    except ValueError as exc:
        return False, f"the cluster refused this configuration: {exc}"
    total = 2 * carts * adds_per_side
    left, right = (", ".join(side) for side in (LEFT, RIGHT))
    if sum(run.refused):
        refused = ", ".join(f"{n} on {{{side}}}" for n, side in zip(run.refused, (left, right))
                            if n)
        if not sloppy:
            return False, (f"the strict quorum refused adds ({refused}): only a cart's three "
                           "home replicas count, so the side holding just one of them cannot "
                           f"collect the R = 2 replies and W = {w} acknowledgements an add "
                           "needs. The cart must stay writable on both sides.")
        return False, (f"adds were refused ({refused}): only 2 nodes are on the {{{left}}} "
                       f"side, so no quorum there can collect W = {w} acknowledgements, even "
                       "with fallback nodes.")
    if run.lost:
        return False, (f"every add was acknowledged, but {len(run.lost)} of {total} were lost "
                       f"after the heal: under {versioning!r} one side's cart replaced the "
                       "other's, so there were no siblings to merge.")
    if w < 2:
        return False, ("every add survived this run, but with W = 1 an acknowledgement means "
                       "one node holds the add: lose that node's disk before it copies the add "
                       "and the customer's item is gone. Ask for one more acknowledgement.")
    return True, (f"Every add was acknowledged on both sides ({total} of {total}) and all of "
                  "them are in the carts after the heal.")


# -- question 2: the union merge ------------------------------------------------------

def _union(siblings):
    return frozenset().union(*siblings)


def _latest(siblings):
    return frozenset(siblings[-1]) if siblings else frozenset()


def _intersection(siblings):
    return frozenset.intersection(*map(frozenset, siblings)) if siblings else frozenset()


_ITEMS = ("mug", "lamp", "sock", "tea", "kettle", "scarf", "cable", "atlas", "vase", "soap")


def _held_out_sibling_carts(rng) -> list[tuple]:
    """16 lists of 1 to 6 sibling carts of up to 5 items: overlapping, disjoint, some empty."""
    cases = []
    for number in range(16):
        count = 1 if number % 5 == 1 else rng.randint(2, 5)
        shared = rng.sample(_ITEMS, rng.randint(0, 2)) if number % 3 else []
        siblings = []
        for _ in range(count):
            own = rng.sample(_ITEMS, rng.randint(0, 3)) if rng.random() < 0.85 else []
            siblings.append(frozenset(shared + own))
        if number % 4 == 0:                 # two replicas returned the same cart
            siblings.append(rng.choice(siblings))
        cases.append((siblings,))
    return cases


@lru_cache(maxsize=1)
def _siblings_from_a_run() -> tuple:
    """The siblings a read returns after lesson 09's resurrection run."""
    run = cart_through_partition("union")
    return tuple(run.cluster.get(run.key).values)


# -- question 3: what comes back? ------------------------------------------------------

@lru_cache(maxsize=1)
def _predicted_carts() -> dict:
    return {merge: cart_through_partition(merge, **PREDICTION).after
            for merge in ("union", "orset")}


def _canonical(answer):
    """A dict of carts as a hashable, order-free tuple; anything else unchanged."""
    if isinstance(answer, dict):
        try:
            return tuple(sorted((key, tuple(sorted(items))) for key, items in answer.items()))
        except TypeError:
            return answer
    return answer


class _CartsQuestion(ValueQuestion):
    """A value question whose answer is a dict {merge: items}, in any order."""

    def __init__(self, qid, prompt, *, answer: dict, wrong: list[tuple[dict, str]], **kw):
        super().__init__(qid, prompt, answer=answer, normalise=_canonical,
                         wrong={_canonical(carts): message for carts, message in wrong}, **kw)
        self._wrong_dicts = list(wrong)

    def wrong_answers(self):
        return list(self._wrong_dicts)


# -- question 4: the OR-Set merge ------------------------------------------------------

def _orset_items(siblings):
    if not siblings:
        return frozenset()
    return frozenset(merge_all([ORSet(adds, removed) for adds, removed in siblings]).value)


def _ignore_tombstones(siblings):
    return frozenset(item for adds, _ in siblings for item, _ in adds)


def _merge_visible_carts(siblings):
    return frozenset(item for adds, removed in siblings for item, tag in adds
                     if (item, tag) not in removed)


def _remove_by_name(siblings):
    added = {item for adds, _ in siblings for item, _ in adds}
    removed = {item for _, gone in siblings for item, _ in gone}
    return frozenset(added - removed)


def _orset_cases() -> list[tuple]:
    book1, pen1, lamp1 = ("book", ("alice", 1)), ("pen", ("alice", 2)), ("lamp", ("laptop", 1))
    book2 = ("book", ("laptop", 2))
    base, none = frozenset({book1, pen1}), frozenset()
    book_gone, pen_gone = frozenset({book1}), frozenset({pen1})
    return [
        ([],),
        ([(base, none)],),
        ([(base, book_gone)],),                                   # one cart, book removed
        ([(base, book_gone), (base | {lamp1}, none)],),           # the resurrection run
        ([(base, book_gone), (base, pen_gone)],),                 # each side removes one
        ([(base, book_gone), (base | {book2}, none)],),           # a concurrent re-add
        ([(base | {book2}, frozenset({book1, book2})), (base, none)],),  # both adds removed
        ([(base, none), (base, book_gone), (base | {lamp1}, frozenset({lamp1}))],),
    ]


def _held_out_orset_siblings(rng) -> list[tuple]:
    """16 lists of 1 to 4 OR-Set siblings: shared adds, re-adds under fresh tags, removes."""
    cases = []
    for number in range(16):
        counters = {"phone": 0, "tablet": 0, "desk": 0}
        pool = []                           # every add: (item, (replica, counter)), tags unique
        for _ in range(rng.randint(2, 7)):
            replica = rng.choice(sorted(counters))
            counters[replica] += 1
            pool.append((rng.choice(_ITEMS[:6]), (replica, counters[replica])))
        base = rng.sample(pool, rng.randint(1, len(pool)))
        siblings = []
        for _ in range(1 if number % 4 == 0 else rng.randint(2, 4)):
            adds = set(base) | set(rng.sample(pool, rng.randint(0, 2)))
            if number % 4 == 1:             # everything it holds removed on one side
                removed = set(adds) if not siblings else set()
            else:
                removed = set(rng.sample(sorted(adds), rng.randint(0, len(adds))))
            siblings.append((frozenset(adds), frozenset(removed)))
        cases.append((siblings,))
    return cases


def _describe_orset_case(case) -> str:
    (siblings,) = case
    shown = [f"(adds={sorted(a)}, removed={sorted(r)})" for a, r in siblings]
    return "siblings [" + ", ".join(shown) + "]"


# -- question 5: how often one version? ---------------------------------------------------

@lru_cache(maxsize=1)
def _share() -> float:
    from ..experiments.cart import divergence_study

    return one_version_share(divergence_study(**SHARE_RUN))


def questions():
    """The questions of exercise notebook 09, in order."""
    q1 = ConfigQuestion(
        "ex09.q1",
        "Five nodes, N = 3, R = 2. The network splits into {A, B} and {C, D, E}, and shoppers "
        "on both sides keep adding items to the same carts. Choose sloppy_quorum, W and the "
        "versioning so that every add is acknowledged on both sides, no acknowledged add is "
        "missing after the heal, and each acknowledgement means at least two nodes hold the "
        f"add. Answer with {CART_CONFIG_FORM.description}.",
        evaluate=always_writable,
        form=CART_CONFIG_FORM,
        reference={"sloppy_quorum": True, "w": 2, "versioning": "vector_clock"},
        wrong=[({"sloppy_quorum": False, "w": 2, "versioning": "vector_clock"},
                "strict quorum refused"),
               ({"sloppy_quorum": True, "w": 3, "versioning": "vector_clock"},
                "only 2 nodes"),
               ({"sloppy_quorum": True, "w": 2, "versioning": "lww"}, "were lost"),
               ({"sloppy_quorum": True, "w": 1, "versioning": "vector_clock"}, "W = 1")],
        hints=["On the {A, B} side only two nodes are reachable. Which kind of quorum lets "
               "them stand in for the home replicas they cannot reach, and how large can W "
               "be there?",
               "A sloppy quorum with W = 2 keeps both sides writable. To keep both sides' "
               "adds after the heal, the store must keep concurrent carts as siblings for a "
               "union merge: which versioning does that?"],
        solution_text="{'sloppy_quorum': True, 'w': 2, 'versioning': 'vector_clock'} "
                      "('dvv' works too). A strict quorum lets only the side with two home "
                      "replicas write; W = 3 needs three reachable nodes; 'lww' keeps one "
                      "side's cart and drops the other's adds.")

    run_siblings = _siblings_from_a_run()
    q2 = FunctionQuestion(
        "ex09.q2",
        "Write a function merge_carts(siblings): given the sibling carts a read returned (a list "
        "of sets of items), return the merged cart as a set, the way Dynamo's shopping cart "
        "merges them.",
        reference=_union,
        name="merge_carts",
        cases=[([],), ([frozenset({"book"})],),
               ([frozenset({"book", "pen"}), frozenset({"pen"})],),
               ([frozenset({"book"}), frozenset({"lamp"})],),
               ([frozenset({"book", "pen"}), frozenset({"pen", "lamp"}), frozenset({"cup"})],),
               ([frozenset({"pen"}), frozenset({"pen"})],),
               ([frozenset(), frozenset({"book"})],),
               (list(run_siblings),)],
        misconceptions=[
            (_latest, "taking one sibling (the latest) is last-write-wins: the adds only the "
                      "other siblings hold are lost. Siblings are concurrent, so none of them "
                      "is 'the latest'."),
            (_intersection, "an intersection keeps only the items every sibling agrees on, so "
                            "an item added on one side of a partition disappears. The cart "
                            "must never lose an add."),
        ],
        describe=lambda case: f"siblings {[sorted(s) for s in case[0]]}",
        held_out=_held_out_sibling_carts,
        hints=["An item belongs in the merged cart if any sibling holds it.",
               "frozenset().union(*siblings) handles any number of siblings, even none."],
        solution_text="def merge_carts(siblings):\n    return frozenset().union(*siblings)   "
                      "# what Cart(merge='union') does")

    carts = _predicted_carts()
    q3 = _CartsQuestion(
        "ex09.q3",
        "Lesson 09's cart holds a book and a pen. A partition splits the cluster; on one side "
        "the shopper removes the book, on the other side removes the pen. After the heal a "
        "read merges the siblings. What does the cart hold under each merge? Answer with "
        "a dict {'union': ITEMS, 'orset': ITEMS}, each ITEMS a list of item names.",
        answer=carts,
        form=Dict({"union": Collection(Text()), "orset": Collection(Text())},
                  description="a dict {'union': ITEMS, 'orset': ITEMS}, each ITEMS a list of "
                              "item names",
                  example="{'union': ['book'], 'orset': []}"),
        wrong=[
            ({"union": [], "orset": []},
             "under a union merge both removed items come back: each side's sibling still "
             "holds the item the other side removed, and a union cannot tell 'removed' from "
             "'never there'."),
            ({"union": ["book", "pen"], "orset": ["book", "pen"]},
             "the OR-Set merge unites the tombstones as well as the adds, so each remove "
             "still deletes the tag it saw, and nobody added the book or the pen again."),
            ({"union": ["pen"], "orset": ["pen"]},
             "neither side's cart wins: that would be last-write-wins. Both siblings are "
             "merged."),
        ],
        hints=["Each side's sibling still holds the item the other side removed.",
               "A union cannot tell 'removed' from 'never there'; an OR-Set keeps tombstones "
               "for the tags each remove saw, and nobody added either item again."],
        solution_text=f"{carts}: the union merge brings both removed items back, because each "
                      "sibling still holds the item the other side removed; the OR-Set merge "
                      "unites the tombstones too, so both removals stand.")

    q4 = FunctionQuestion(
        "ex09.q4",
        "Write a function orset_items(siblings). Each sibling is a pair (adds, removed): adds is "
        "the set of (item, tag) pairs ever added to that cart, removed the set of pairs it "
        "removed (its tombstones). Merge the siblings as an OR-Set and return the set of items in "
        "the merged cart.",
        reference=_orset_items,
        name="orset_items",
        cases=_orset_cases(),
        misconceptions=[
            (_ignore_tombstones, "you ignored the tombstones: that is the union cart again, "
                                 "which brings back every removed item."),
            (_merge_visible_carts, "you merged what each sibling shows: a sibling that never "
                                   "saw the remove still shows the item, so it comes back. "
                                   "Unite the adds and the tombstones first, then compute "
                                   "what is live."),
            (_remove_by_name, "you removed items by name: a remove deletes only the tags it "
                              "saw. An add with a fresh tag that the remover never saw must "
                              "survive (add wins)."),
        ],
        describe=_describe_orset_case,
        held_out=_held_out_orset_siblings,
        hints=["Merge first: the merged adds are the union of every sibling's adds, the "
               "merged tombstones the union of every sibling's removed pairs.",
               "An item is in the cart when at least one of its (item, tag) pairs is among "
               "the merged adds and not among the merged tombstones."],
        solution_text="def orset_items(siblings):\n"
                      "    adds = set().union(*(a for a, _ in siblings))\n"
                      "    removed = set().union(*(r for _, r in siblings))\n"
                      "    return {item for item, tag in adds - removed}")

    share = _share()
    q5 = ValueQuestion(
        "ex09.q5",
        "In the divergence study (the deep dive after lesson 09, "
        "notebooks/deep_dives/09_divergent_versions.ipynb), 24 shoppers read, add and write "
        "back carts picked "
        "at random from 200, for 2000 operations (seed 0, no failures). What share of reads "
        "saw exactly one version? Answer with a number from 0 to 1 (a share, not a percent); "
        "within 0.01 counts.",
        answer=share,
        form=Number(0, 1, description="a number from 0 to 1 (a share, not a percent)"),
        wrong={0.9994: "99.94% is what Amazon measured for its cart (Dynamo §6.3), where two "
                       "writers rarely changed one cart at the same moment. Here 24 shoppers "
                       "share 200 carts and write nonstop, so that happens far more often.",
               1 - share: "that is the share of reads that saw more than one version; the "
                          "question asks for exactly one."},
        rel_tol=0.01,
        hints=["The lesson's sweep measured 16 and 32 shoppers on the same 200 carts.",
               "The share falls as shoppers are added; 24 lies between 16 and 32. Or run "
               "divergence_study(shoppers=24, carts=200, operations=2000, seed=0)."],
        solution_text=f"{share:.4f}, measured by divergence_study(shoppers=24, carts=200, "
                      "operations=2000, seed=0): between the lesson's values for 16 and 32 "
                      "shoppers.")

    q6 = ChoiceQuestion(
        "ex09.q6",
        "When is multi-leader replication worth its conflict cost, and when is a single "
        "leader per region, with each user's requests routed to their home region, strictly "
        "better? Answer with one letter from 'a' to 'd'.",
        options=[
            "Multi-leader is always better once you run more than one datacenter: every "
            "region accepts writes locally.",
            "Multi-leader pays off when the same data is written in several places at once; "
            "otherwise, home routing wins.",
            "A leader per region is better only while the regions are close; with high "
            "latency you need multi-leader.",
            "They are equivalent as long as conflicts are resolved by last-write-wins, which "
            "makes every replica converge.",
        ],
        answer="b",
        explanations={
            "a": "local writes alone do not need multi-leader: if each user writes from one "
                 "region, routing them to a leader there gives the same local latency and no "
                 "conflicts to resolve.",
            "c": "home routing keeps writes local however far apart the regions are; what "
                 "decides is whether the same data is written concurrently from several "
                 "places, not the latency between regions.",
            "d": "last-write-wins does not remove the conflicts, it silently drops one of the "
                 "writes (lesson 07): that is lost data, not equivalence.",
        },
        hints=["Multi-leader's cost is conflicts. When does a workload create concurrent "
               "writes to the same data in different places?",
               "Think of a phone calendar edited offline, versus a user who always shops "
               "from one country."],
        solution_text="(b) Multi-leader earns its conflict cost only when writes to the same "
                      "data really happen in several places at once (offline clients, truly "
                      "active-active regions). If users mostly write in one region, a leader "
                      "per region with home routing gives local writes and no conflicts.")
    return q1, q2, q3, q4, q5, q6

