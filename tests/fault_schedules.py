"""Fault schedules for the property tests: what Hypothesis draws, and how a
drawn step is applied to a cluster. Shared so every property injects faults
the same way."""

from hypothesis import strategies as st


def fault_steps(nodes, *, lose_data: bool = False, waits: bool = False):
    """Strategies for crash, recover, partition and heal steps (and waits)."""
    crash = (st.tuples(st.just("crash"), st.sampled_from(nodes), st.booleans()) if lose_data
             else st.tuples(st.just("crash"), st.sampled_from(nodes)))
    steps = [crash,
             st.tuples(st.just("recover"), st.sampled_from(nodes)),
             st.tuples(st.just("partition"),
                       st.sets(st.sampled_from(nodes), min_size=1, max_size=len(nodes) - 1)),
             st.tuples(st.just("heal"))]
    if waits:
        steps.append(st.tuples(st.just("wait"), st.floats(0.1, 30.0)))
    return steps


def apply_fault(cluster, action) -> bool:
    """Apply one drawn fault step; return False if ``action`` is not one."""
    kind = action[0]
    if kind == "crash":
        if cluster.is_up(action[1]):
            cluster.crash(action[1], lose_data=len(action) > 2 and action[2])
    elif kind == "recover":
        if not cluster.is_up(action[1]):
            cluster.recover(action[1])
    elif kind == "partition":
        cluster.partition(sorted(action[1]))
    elif kind == "heal":
        cluster.heal()
    elif kind == "wait":
        cluster.run_for(action[1])
    else:
        return False
    return True


def end_faults(cluster) -> None:
    """The faults stop: heal, recover every node, and let what is in flight land."""
    cluster.heal()
    for node in cluster.down:
        cluster.recover(node)
    cluster.run_until_idle()


def settle(cluster, rounds: int = 10) -> None:
    """Deliver hints, then run anti-entropy until a round repairs nothing."""
    cluster.settle(max_rounds=rounds)
