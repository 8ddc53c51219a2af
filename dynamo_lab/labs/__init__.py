"""Build your own Dynamo: labs where the learner writes the protocol and the checks judge it.

Each lab gives an interface (:mod:`dynamo_lab.labs.protocol`), asks for a
class, and runs it through the lab's scenarios with :func:`check`:

- lab 1 (:mod:`.lab1`), quorum replication: the coordinator's put and get,
  N, R and W, versions, and fail against info. Do it after lesson 03.
- lab 2 (:mod:`.lab2`), when nodes are down: a sloppy quorum over fallbacks,
  hints held and handed off, read repair (async, then blocking). Do it after
  lesson 05.
- lab 3 (:mod:`.lab3`), concurrent writes: vector clocks, siblings and
  contexts, and a shopping cart merged by union, then as an OR-Set. Do it
  after lesson 07.
- lab 4 (:mod:`.lab4`), anti-entropy: Merkle trees over a replica's keys, and
  an exchange that repairs only the keys that differ. Do it after lesson 06.
  Its answer is a replica class.

A coordinator names the replica class it needs in its ``replica`` attribute
(lab 2's learners write one).

The labs plug learner classes into the cluster, which only the interpreted
package allows (``make compiled`` builds run their own classes only).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..cluster import _COMPILED

if not _COMPILED:
    # A compiled build's classes take no Python subclasses, so there the labs'
    # base classes cannot even be defined: LABS stays empty and check says why.
    from . import lab1, lab2, lab3, lab4
    from .harness import LabReport, run_lab
    from .protocol import LabCoordinator, LabProtocolError, LabReplica, Reply, Request

__all__ = ["check", "answer_base", "LABS", "QUICK_SEEDS", "FULL_SEEDS", "LabCoordinator",
           "LabReplica",
           "Request", "Reply", "LabProtocolError", "LabReport"]

#: The labs by name (none in a compiled build).
LABS = {} if _COMPILED else {"lab1": lab1, "lab2": lab2, "lab3": lab3, "lab4": lab4}
#: Seeds of a quick check while working (a few seconds) and of the full check.
QUICK_SEEDS = range(3)
FULL_SEEDS = range(30)


def answer_base(module) -> type:
    """The class a lab's answer derives from: LabCoordinator, or LabReplica for lab 4."""
    return LabReplica if getattr(module, "ANSWER", "coordinator") == "replica" else LabCoordinator


def check(lab: str, implementation: type, seeds: Iterable[int] | None = None, *,
          quick: bool = False) -> LabReport:
    """Run ``implementation`` through the scenarios of ``lab`` and report.

    Parameters
    ----------
    lab : str
        ``"lab1"`` to ``"lab4"``.
    implementation : type
        The learner's class: a subclass of :class:`LabCoordinator`, or for
        lab 4 of :class:`LabReplica`.
    seeds : iterable of int, optional
        The seeds each scenario runs on; :data:`FULL_SEEDS` by default, or
        :data:`QUICK_SEEDS` with ``quick=True``.

    Returns
    -------
    LabReport
        Each scenario passed or failed; for the first failure, the broken
        property in words, the shrunk schedule and history, a hint, and
        ``draw()`` for its message diagram. ``score`` counts the scenarios
        passed. A class that still raises NotImplementedError is *not
        attempted*.

    Examples
    --------
    >>> class Nothing(LabCoordinator):
    ...     pass
    >>> print(check("lab1", Nothing, quick=True).text())  # doctest: +NORMALIZE_WHITESPACE
    Lab 1, quorum replication: not attempted (Nothing.start_put still raises
    NotImplementedError: write start_put: send the write to the key's replicas)
    >>> check("lab9", Nothing)
    Traceback (most recent call last):
    ...
    ValueError: unknown lab 'lab9'; the labs are lab1, lab2, lab3, lab4
    """
    if _COMPILED:
        raise ValueError("the labs plug your classes into the cluster, which only the "
                         "interpreted package allows; run them without `make compiled`")
    module = LABS.get(lab) if isinstance(lab, str) else None
    if module is None:
        raise ValueError(f"unknown lab {lab!r}; the labs are {', '.join(LABS)}")
    base = answer_base(module)
    if not (isinstance(implementation, type) and issubclass(implementation, base)):
        raise ValueError(f"implementation must be your class, a subclass of "
                         f"dl.labs.{base.__name__}, got {implementation!r}")
    replica = getattr(implementation, "replica", None) if base is LabCoordinator else None
    if replica is not None and not (isinstance(replica, type) and issubclass(replica, LabReplica)):
        raise ValueError(f"{implementation.__name__}.replica must be a subclass of "
                         f"dl.labs.LabReplica (or None for the lab's own), got {replica!r}")
    if seeds is None:
        seeds = QUICK_SEEDS if quick else FULL_SEEDS
    elif isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise ValueError(f"seeds must be an iterable of integers such as range(10), got "
                         f"{seeds!r}")
    chosen = list(seeds)
    if not chosen or not all(isinstance(s, int) and not isinstance(s, bool) for s in chosen):
        raise ValueError(f"seeds must be a non-empty iterable of integers, got {seeds!r}")
    return run_lab(module, implementation, chosen)
