"""Real systems as presets: Dynamo, Cassandra, Riak, DynamoDB and Voldemort.

Each function returns a :class:`Preset`: the :class:`~dynamo_lab.cluster.Cluster`
options that reproduce that system's documented replication semantics as far
as the model allows, the background anti-entropy it runs, the consistency
levels its clients name, and two honest lists: what the preset reproduces and
what it does not. ``preset.cluster(seed=...)`` builds a ready cluster.

The five differ in a handful of knobs, which is the point of comparing them:

=========== ============ ============== =================== ============ ==============
preset      versions     when a replica  hints kept by       reads ask    background
                         is unreachable                                   anti-entropy
=========== ============ ============== =================== ============ ==============
dynamo      vector clock fallback node   the fallback        all N        Merkle trees
cassandra   LWW stamps   (none)          the coordinator     all N        none (repair
                                                                          is manual)
riak        DVV          fallback node   the fallback        all N        Merkle trees
dynamodb    LWW stamps   (none)          (no hints)          R at random  catch-up
voldemort   vector clock (none)          the coordinator     first R      none
=========== ============ ============== =================== ============ ==============

:func:`dynamo_lab.experiments.preset_runs.compare_presets` runs one workload and one
fault schedule on each and returns a table of latency, availability, stale reads and
lost writes.

Examples
--------
>>> from dynamo_lab import presets
>>> cassandra = presets.cassandra()
>>> cassandra.options["versioning"], cassandra.options["vnodes"]
('lww', 16)
>>> cluster = cassandra.cluster(seed=1)
>>> cluster.put("k", "v", w="QUORUM").ok
True
>>> sorted(presets.PRESETS)
['cassandra', 'dynamo', 'dynamodb', 'riak', 'voldemort']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .consistency import LEVELS

__all__ = ["Preset", "dynamo", "cassandra", "riak", "dynamodb", "voldemort", "PRESETS",
           "resolve_preset"]

#: How often the presets that run anti-entropy in the background start a round (ms).
ANTI_ENTROPY_MS = 10_000.0


@dataclass(frozen=True)
class Preset:
    """One real system's replication settings, as :class:`Cluster` options.

    Attributes
    ----------
    name : str
    options : dict
        Keyword arguments for :class:`~dynamo_lab.cluster.Cluster`.
    anti_entropy_ms : float or None
        Interval of background Merkle anti-entropy, or None when the system
        leaves repair to an operator (call ``cluster.anti_entropy()`` to model it).
    levels : dict
        Names the system's clients use for read and write levels, mapped to
        what ``get(r=...)`` / ``put(w=...)`` accept.
    reproduces, differs : tuple of str
        What the preset models faithfully, and where the model falls short.
    """

    name: str
    options: dict[str, Any]
    anti_entropy_ms: float | None = None
    levels: dict[str, Any] = field(default_factory=dict)
    reproduces: tuple[str, ...] = ()
    differs: tuple[str, ...] = ()

    def cluster(self, seed: int = 0, nodes: int = 5, **overrides):
        """A ready cluster with these settings (``overrides`` win), anti-entropy started."""
        from .cluster import Cluster

        unknown = sorted(set(overrides) - _CLUSTER_OPTIONS)
        if unknown:
            raise ValueError(f"unknown cluster option(s) {', '.join(map(repr, unknown))}; the "
                             f"options are {', '.join(sorted(_CLUSTER_OPTIONS))}")
        cluster = Cluster(nodes=nodes, seed=seed, **{**self.options, **overrides})
        if self.anti_entropy_ms is not None:
            cluster.start_anti_entropy(self.anti_entropy_ms)
        return cluster

    def describe(self) -> str:
        """The options and the two lists, as plain text."""
        lines = [f"{self.name}: " + ", ".join(f"{k}={v!r}" for k, v in self.options.items())]
        if self.anti_entropy_ms is not None:
            lines.append(f"  background anti-entropy every {self.anti_entropy_ms:g} ms")
        lines += ["  reproduces:"] + [f"    - {item}" for item in self.reproduces]
        lines += ["  does not:"] + [f"    - {item}" for item in self.differs]
        return "\n".join(lines)


_CLUSTER_OPTIONS = {"n", "r", "w", "vnodes", "strategy", "partitions", "latency", "loss",
                    "versioning", "sloppy_quorum", "hinted_handoff", "read_repair",
                    "read_fanout", "timeout_ms", "failure_detector", "clock_threshold",
                    "hint_interval_ms", "tombstones", "gossip_period_ms", "phi_threshold"}


def dynamo() -> Preset:
    """Amazon's Dynamo with the paper's defaults (DeCandia et al., SOSP 2007).

    Reproduces: N = 3, R = W = 2 (§6); vector clocks with siblings the
    application reconciles (§4.4), truncated at 10 entries; sloppy quorums
    over the first N healthy nodes of the preference list and hinted handoff
    (§4.6); read repair (§5); Merkle-tree anti-entropy per key range (§4.7);
    partitioning strategy 3, equal-sized partitions (§6.2).

    Does not reproduce: the coordinator is not chosen from the fastest
    replicas of a previous read (§6.4), there are no client-side
    coordinators, and failure detection is by time-outs only (§4.8.3's local
    detection, without gossiped membership). Client buffering of writes in
    memory (the "durable write" trade-off of §6.1) is not modelled.
    """
    return Preset(
        "dynamo",
        dict(n=3, r=2, w=2, versioning="vector_clock", strategy=3, partitions=60,
             sloppy_quorum=True, hinted_handoff=True, read_repair="async",
             failure_detector="timeouts", clock_threshold=10),
        anti_entropy_ms=ANTI_ENTROPY_MS,
        levels={"default read": 2, "default write": 2},
        reproduces=("N=3, R=2, W=2", "vector clocks and siblings", "sloppy quorum with hinted "
                    "handoff to fallback nodes", "asynchronous read repair",
                    "Merkle anti-entropy per range", "strategy 3: Q equal partitions"),
        differs=("no choice of coordinator by past read latency", "failure detection by "
                 "time-outs only", "no in-memory write buffering"))


def cassandra() -> Preset:
    """Apache Cassandra (4.x) with replication factor 3.

    Reproduces: last-write-wins by write timestamp, so concurrent writes keep
    only the highest stamp; the consistency levels ONE, TWO, THREE, QUORUM,
    ALL and ANY per request (``put(w="ANY")`` succeeds on a hint alone, with
    every replica down); writes go to every home replica and never to a
    fallback: the coordinator keeps a hint for a replica it cannot reach, or
    that does not answer in time, and replays it later; blocking read repair
    on a mismatch; 16 tokens per node (``num_tokens``);
    phi-accrual failure detection over gossip, threshold 8; Merkle-tree repair
    when an operator asks for it (``cluster.anti_entropy()``, like
    ``nodetool repair``), none in the background.

    Does not reproduce: timestamps come from the coordinator's clock, not the
    client's; tokens sit at random positions, where Cassandra 4 allocates
    them to balance load for the replication factor; a read asks all three replicas, where Cassandra asks only as
    many as the level needs (plus a speculative retry) and gets digests from
    all but one; phi is computed from a normal fit of the gaps, where
    Cassandra assumes exponential gaps, so the same threshold convicts a
    silent node after a few seconds here and after about 18 s of 1 s gossip
    there; no lightweight transactions (Paxos), no per-datacenter levels
    (LOCAL_QUORUM, EACH_QUORUM), no hint window (hints are kept until
    delivered).
    """
    return Preset(
        "cassandra",
        dict(n=3, r=2, w=2, versioning="lww", vnodes=16, strategy=1, sloppy_quorum=False,
             hinted_handoff="coordinator", read_repair="blocking", failure_detector="phi",
             phi_threshold=8.0),
        anti_entropy_ms=None,
        levels={level: level for level in LEVELS},   # Cassandra's names are the model's
        reproduces=("last-write-wins timestamps", "levels ONE/TWO/THREE/QUORUM/ALL/ANY",
                    "hints kept by the coordinator, no fallback replicas", "blocking read repair",
                    "Merkle repair on demand", "16 tokens per node",
                    "phi-accrual failure detection"),
        differs=("coordinator clocks rather than client timestamps", "token positions random, "
                 "not allocated for balance", "reads ask every replica: "
                 "no digest reads, no speculative retry", "phi from a normal fit, so it "
                 "convicts sooner than Cassandra's", "no lightweight transactions",
                 "no per-datacenter levels", "no hint window"))


def riak() -> Preset:
    """Riak KV (2.x) with ``allow_mult`` and dotted version vectors.

    Reproduces: dotted version vectors, so concurrent writes become siblings
    and stale contexts do not multiply them; sloppy quorums with fallback
    vnodes and hinted handoff; asynchronous read repair; active anti-entropy
    (Merkle trees exchanged in the background); 64 equal partitions
    (``ring_creation_size``); N = 3 with R = W = quorum. Values that are
    :mod:`dynamo_lab.crdt` types (counters, sets, maps of them) merge on read
    like Riak's data types.

    Does not reproduce: PR/PW (primary-only quorums) and DW (durable writes)
    are not separate knobs; vnodes are per partition rather than
    per process; no strong-consistency buckets.
    """
    return Preset(
        "riak",
        dict(n=3, r=2, w=2, versioning="dvv", strategy=3, partitions=64, sloppy_quorum=True,
             hinted_handoff=True, read_repair="async", failure_detector="timeouts"),
        anti_entropy_ms=ANTI_ENTROPY_MS,
        levels={"one": 1, "quorum": "QUORUM", "all": "ALL"},
        reproduces=("dotted version vectors and siblings", "sloppy quorum with fallback "
                    "vnodes and hinted handoff", "active anti-entropy", "64 partitions",
                    "CRDT values merged on read"),
        differs=("no PR/PW/DW knobs", "no strong-consistency buckets"))


def dynamodb() -> Preset:
    """Amazon DynamoDB, as its documentation describes reads and writes.

    Reproduces: three replicas of every item; a write is acknowledged once
    two of them have it; an *eventually consistent* read asks one replica at
    random (``r=1``, the default here) and may return an older value; a
    *strongly consistent* read (``r=levels["strong"]``) overlaps every
    acknowledged write; no sloppy quorum and no hints; replicas that missed
    a write catch up in the background; concurrent writes keep the last
    timestamp.

    Does not reproduce: DynamoDB orders writes through a leader per partition
    (Multi-Paxos), so it has no write conflicts and its strong reads are
    served by the leader; here the strong read is a quorum read, which
    overlaps the latest acknowledged write but is not linearizable under
    concurrency. Log-based catch-up is modelled by periodic anti-entropy.
    Transactions, conditional writes and global tables are out of scope.
    """
    return Preset(
        "dynamodb",
        dict(n=3, r=1, w=2, versioning="lww", strategy=3, partitions=60, sloppy_quorum=False,
             hinted_handoff=False, read_repair=False, read_fanout="random_r",
             failure_detector="timeouts"),
        anti_entropy_ms=ANTI_ENTROPY_MS,
        levels={"eventual": 1, "strong": 2},
        reproduces=("3 replicas, write acknowledged by 2", "eventually consistent read from "
                    "one random replica", "strongly consistent read overlapping the write",
                    "no sloppy quorum, no hints", "background catch-up"),
        differs=("no leader: writes can conflict and the last stamp wins", "strong reads are "
                 "quorum reads, not the leader's", "no transactions or conditional writes"))


def voldemort() -> Preset:
    """Project Voldemort (LinkedIn), as its design documentation describes it.

    Reproduces: vector clocks with siblings resolved by the client; required
    reads and writes R = W = 2 of N = 3, with a get sent to only the first R
    replicas of the preference list (``preferred-reads = required-reads``);
    hinted handoff of failed writes ("slops") that do not count towards W;
    read repair; no Merkle-tree anti-entropy at all; a fixed set of
    partitions.

    Does not reproduce: a slop is stored by the coordinator here rather than
    on another live node; a read whose R preferred replicas do not all
    answer times out here, where Voldemort goes on to ask the remaining
    replicas; there is no zone-aware routing and no client-side routing
    (every request goes through a server coordinator).
    """
    return Preset(
        "voldemort",
        dict(n=3, r=2, w=2, versioning="vector_clock", strategy=3, partitions=60,
             sloppy_quorum=False, hinted_handoff="coordinator", read_repair="async",
             read_fanout="r", failure_detector="timeouts"),
        anti_entropy_ms=None,
        levels={"required-reads": 2, "required-writes": 2},
        reproduces=("vector clocks and siblings", "reads sent to only R replicas",
                    "hinted handoff not counted towards W", "read repair",
                    "no Merkle repair", "fixed partitions"),
        differs=("slops kept by the coordinator, not another node", "a read does not go on to "
                 "the other replicas when one of its R fails", "no zone-aware or client-side "
                 "routing"))


#: Every preset, by name.
PRESETS: dict[str, Callable[[], Preset]] = {
    "dynamo": dynamo, "cassandra": cassandra, "riak": riak, "dynamodb": dynamodb,
    "voldemort": voldemort,
}


def resolve_preset(preset) -> Preset:
    """A :class:`Preset` itself, or the preset of that name."""
    if isinstance(preset, Preset):
        return preset
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    return PRESETS[preset]()
