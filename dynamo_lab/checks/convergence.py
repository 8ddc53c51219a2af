"""Convergence: do all home replicas of every key hold the same thing?

>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=1, w=1, seed=2)
>>> _ = cluster.put("k", 1)
>>> converged(cluster)          # the other two copies are still on their way
False
>>> _ = cluster.run_until_idle()
>>> converged(cluster), divergent_keys(cluster)
(True, [])
"""

from __future__ import annotations

from dynamo_lab.cluster import Cluster
from dynamo_lab.validation import instance_of

__all__ = ["converged", "divergent_keys"]


def divergent_keys(cluster) -> list[str]:
    """Keys whose home replicas do not all hold identical records (hints pending count too)."""
    # A history cannot say whether replicas agree: only the cluster's stores can.
    instance_of("cluster", cluster, Cluster, "a dl.Cluster (its replicas are compared)")
    found = []
    for key in cluster.keys():
        replicas = cluster.replicas(key)
        records = {replicas.get(node) for node in replicas.home}
        if len(records) > 1 or replicas.hints:
            found.append(key)
    return found


def converged(cluster) -> bool:
    """True when every key's home replicas agree and no hint is waiting."""
    return not divergent_keys(cluster)
