"""Runs that measure: sweeps, workloads, service targets, and each lesson's experiments.

Everything here drives the simulator and reports what it measured; nothing
here is part of the simulated protocol, and no mechanism imports it.

=========================  ==================================================
:mod:`.sweeps`             :func:`sweep`: a grid of configurations times seeds
:mod:`.workload`           many clients, many keys, faults; latency, success
                           and staleness metrics (also ``dl.workload``)
:mod:`.service_targets`    judge a configuration against latency, staleness
                           and availability targets (lesson 11's capstone)
:mod:`.preset_runs`        the real-system presets on one workload (lesson 12
                           and its deep dive)
:mod:`.partitioning`       lesson 02: strategies, data moved, hot keys
:mod:`.quorums`            lesson 03: overlap, the k-th reply, Eq. 1 measured
:mod:`.read_repair`        lesson 04: read repair and monotonic reads
:mod:`.sloppy_quorums`     lesson 05: strict against sloppy quorums
:mod:`.anti_entropy`       lesson 06: cold keys, Merkle trees against a scan
:mod:`.concurrent_writes`  lesson 07: sibling explosion, last-write-wins skew
:mod:`.session_guarantees` lesson 08: read-your-writes and monotonic reads
:mod:`.cart`               lesson 09: the shopping cart through a partition
:mod:`.rebalance`          lesson 10: joins and leaves under load
:mod:`.key_design`         lesson 02: the sequential hot spot of a time key
=========================  ==================================================

The submodules load on first use (``dl.experiments.quorums``); the sweep's
own names are here at once.

>>> import dynamo_lab as dl
>>> table = dl.experiments.sweep({"r": [1, 2], "w": [2], "ops": [50]}, seeds=[0], processes=1)
>>> table[["r", "w", "seed"]].values.tolist()
[[1, 2, 0], [2, 2, 0]]
>>> dl.experiments.quorums.__name__
'dynamo_lab.experiments.quorums'
"""

from importlib import import_module

from .sweeps import (CLUSTER_OPTIONS, DEFAULT_OPS, WORKLOAD_OPTIONS, configurations, run_config,
                     sweep)

__all__ = ["sweep", "configurations", "run_config", "CLUSTER_OPTIONS", "WORKLOAD_OPTIONS",
           "DEFAULT_OPS"]

_SUBMODULES = {"sweeps", "workload", "service_targets", "preset_runs", "partitioning", "quorums",
               "read_repair", "sloppy_quorums", "anti_entropy", "concurrent_writes", "cart",
               "rebalance", "key_design", "session_guarantees"}


def __getattr__(name):
    if name in _SUBMODULES:
        module = import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dynamo_lab.experiments' has no attribute {name!r}")
