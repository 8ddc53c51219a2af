"""Experiment sweeps: one run per configuration and seed, gathered into a table.

:func:`sweep` takes a grid of parameters (say N, R, W and the latency model)
and a list of seeds, runs every configuration with every seed, and returns
one tidy :class:`pandas.DataFrame`: the configuration's columns, ``seed``,
then the results. The runs can go one after another, in local processes,
or on a Dask cluster (``pip install dynamo-lab[scale]``); the table is the
same whichever way they ran, because every run is seeded and the rows are
put in grid order, then seed order.

By default each run builds ``Cluster(**options, seed=seed)`` from the
configuration's cluster options and drives it with
:func:`dynamo_lab.experiments.workload.run` (see :func:`run_config`).

Examples
--------
>>> from dynamo_lab.experiments import sweep
>>> table = sweep({"r": [1, 2], "w": [1, 2], "ops": [100]}, seeds=[0, 1], processes=1)
>>> table[["r", "w", "seed"]].values.tolist()
[[1, 1, 0], [1, 1, 1], [1, 2, 0], [1, 2, 1], [2, 1, 0], [2, 1, 1], [2, 2, 0], [2, 2, 1]]
>>> list(table.columns[4:8])
['read_p50_ms', 'read_p99_ms', 'read_p999_ms', 'write_p50_ms']
"""

from __future__ import annotations

import inspect
import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = ["sweep", "configurations", "run_config", "CLUSTER_OPTIONS", "WORKLOAD_OPTIONS",
           "DEFAULT_OPS"]

#: Operations per run when the configuration does not say (``ops``).
DEFAULT_OPS = 2000


def _parameters(function, skip: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in inspect.signature(function).parameters if name not in skip)


def _cluster_options() -> tuple[str, ...]:
    from ..cluster import Cluster

    # The class, not its __init__: a compiled build's __init__ shows only *args, **kwargs.
    return _parameters(Cluster, ("seed",))


def _workload_options() -> tuple[str, ...]:
    from . import workload

    return _parameters(workload.run, ("cluster", "seed", "progress"))


#: Configuration keys :func:`run_config` passes to :class:`~dynamo_lab.cluster.Cluster`.
CLUSTER_OPTIONS = _cluster_options()
#: Configuration keys :func:`run_config` passes to :func:`dynamo_lab.experiments.workload.run`.
WORKLOAD_OPTIONS = _workload_options()


def configurations(grid) -> list[dict[str, Any]]:
    """The configurations a grid stands for, in order.

    Parameters
    ----------
    grid : dict or list of dict
        parameter -> list of values (every combination, the last parameter
        varying fastest), or the configurations themselves.

    Examples
    --------
    >>> configurations({"n": [3], "r": [1, 2]})
    [{'n': 3, 'r': 1}, {'n': 3, 'r': 2}]
    """
    if isinstance(grid, Mapping):
        names = list(grid)
        for name in names:
            if not isinstance(name, str):
                raise ValueError(f"grid parameters must be names (strings), got {name!r}")
            values = grid[name]
            if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
                raise ValueError(f"grid[{name!r}] must be a list of values to try, got "
                                 f"{values!r}; write [{values!r}] for a single value")
        lists = [list(grid[name]) for name in names]
        empty = [name for name, values in zip(names, lists) if not values]
        if empty:
            raise ValueError(f"grid[{empty[0]!r}] is empty; give at least one value")
        return [dict(zip(names, combo)) for combo in itertools.product(*lists)]
    if isinstance(grid, Sequence) and not isinstance(grid, (str, bytes)):
        configs = []
        for config in grid:
            if not isinstance(config, Mapping) or not all(isinstance(k, str) for k in config):
                raise ValueError(f"a list grid holds configurations (dicts of parameter -> "
                                 f"value), got {config!r}")
            configs.append(dict(config))
        if not configs:
            raise ValueError("the grid is empty; give at least one configuration")
        return configs
    raise ValueError(f"grid must be a dict of parameter -> list of values, or a list of dicts; "
                     f"got {grid!r}")


def run_config(config: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The default run of a sweep: one cluster, one workload, flat metrics.

    Builds ``Cluster(**cluster_options, seed=seed)`` from the keys of
    ``config`` in :data:`CLUSTER_OPTIONS`, runs
    ``workload.run(cluster, ops=config.get("ops", 2000), ..., seed=seed)``
    with the keys in :data:`WORKLOAD_OPTIONS`, and returns the metrics:
    ``read_p50_ms``, ``read_p99_ms``, ``read_p999_ms`` (the p99.9), the
    same for writes, ``read_success_rate``, ``write_success_rate``,
    ``stale_read_pct`` and ``duration_ms``.

    Examples
    --------
    >>> result = run_config({"n": 3, "r": 2, "w": 2, "ops": 100}, seed=0)
    >>> result["read_success_rate"], result["stale_read_pct"]
    (1.0, 0.0)
    """
    from . import workload
    from ..cluster import Cluster

    _check_config_keys(config)
    cluster = Cluster(**{k: v for k, v in config.items() if k in CLUSTER_OPTIONS}, seed=seed)
    options = {k: v for k, v in config.items() if k in WORKLOAD_OPTIONS}
    if "duration_ms" not in options:
        options.setdefault("ops", DEFAULT_OPS)
    report = workload.run(cluster, seed=seed, progress=False, **options)
    metrics = report.metrics
    flat: dict[str, Any] = {}
    for kind in ("read", "write"):
        latencies = metrics[f"quorum_{kind}_latency_ms"]
        for label, value in latencies.items():
            flat[f"{kind}_{label.replace('.', '')}_ms"] = value
    for name in ("read_success_rate", "write_success_rate", "stale_read_pct", "duration_ms"):
        flat[name] = metrics[name]
    return flat


def _check_config_keys(config: Mapping[str, Any]) -> None:
    unknown = [k for k in config if k not in CLUSTER_OPTIONS and k not in WORKLOAD_OPTIONS]
    if unknown:
        raise ValueError(f"unknown configuration key(s) {', '.join(map(repr, unknown))}: the "
                         f"default run accepts Cluster options ({', '.join(CLUSTER_OPTIONS)}) "
                         f"and workload options ({', '.join(WORKLOAD_OPTIONS)}); the seed "
                         "comes from seeds")


def _run_task(task: tuple[Callable, dict, int]) -> dict[str, Any]:
    run_one, config, seed = task
    result = run_one(dict(config), seed)
    if not isinstance(result, Mapping):
        raise ValueError(f"run_one must return a dict of results, got {result!r}")
    return dict(result)


def sweep(grid, seeds, run_one: Callable[[dict, int], Mapping] | None = None, client=None,
          processes: int | None = None):
    """Run every configuration of ``grid`` with every seed; return one table.

    Parameters
    ----------
    grid : dict or list of dict
        parameter -> list of values (their cartesian product, see
        :func:`configurations`) or a list of configurations.
    seeds : iterable of int
        Each configuration runs once per seed.
    run_one : callable, optional
        ``run_one(config, seed) -> dict`` of results; :func:`run_config` by
        default. To run in other processes or on Dask it must be picklable:
        a function defined at the top level of a module.
    client : dask.distributed.Client, optional
        Run on this Dask cluster (``client.map`` then ``client.gather``).
    processes : int, optional
        Without ``client``: how many local worker processes
        (``concurrent.futures.ProcessPoolExecutor``; default: one per CPU, at
        most one per run). 1 runs everything here, one run after another.

    Returns
    -------
    pandas.DataFrame
        One row per configuration and seed, in grid order then seed order:
        the configuration's columns, ``seed``, then the result columns (in
        the order the first run returned them). The same whichever way it ran.

    Raises
    ------
    ValueError
        For a malformed grid or seeds, a configuration key the default run
        does not accept (checked before anything runs), or a result column
        that repeats a configuration key.
    """
    import pandas as pd

    configs = configurations(grid)
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise ValueError(f"seeds must be a list of integers, got {seeds!r}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty; give at least one seed")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seeds must be integers, got {seed!r}")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds repeat: {seeds!r}; each seed gives one run per configuration")
    for config in configs:
        if "seed" in config:
            raise ValueError("'seed' cannot be a grid parameter: pass the seeds as seeds=[...]")
    if run_one is None:
        run_one = run_config
        for config in configs:
            _check_config_keys(config)
    elif not callable(run_one):
        raise ValueError(f"run_one must be a function run_one(config, seed) -> dict, "
                         f"got {run_one!r}")
    if processes is not None and (isinstance(processes, bool) or not isinstance(processes, int)
                                  or processes < 1):
        raise ValueError(f"processes must be None (one per CPU) or a whole number >= 1, "
                         f"got {processes!r}")
    if client is not None and not (hasattr(client, "map") and hasattr(client, "gather")):
        raise ValueError(f"client must be a dask.distributed.Client, got {client!r}")

    tasks = [(run_one, config, seed) for config in configs for seed in seeds]
    if client is not None:
        futures = client.map(_run_task, tasks, pure=False)
        results = client.gather(futures)
    elif processes == 1 or len(tasks) == 1:
        results = [_run_task(task) for task in tasks]
    else:
        from concurrent.futures import ProcessPoolExecutor

        workers = min(processes or os.cpu_count() or 1, len(tasks))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_run_task, tasks))
    return _table(tasks, results, pd)


def _table(tasks, results, pd):
    config_columns: list[str] = []
    for _, config, _ in tasks:
        config_columns.extend(k for k in config if k not in config_columns)
    result_columns: list[str] = []
    for result in results:
        result_columns.extend(k for k in result if k not in result_columns)
    clash = [k for k in result_columns if k in config_columns or k == "seed"]
    if clash:
        raise ValueError(f"run_one returned result(s) named like configuration columns: "
                         f"{', '.join(map(repr, clash))}; rename them")
    rows = []
    for (_, config, seed), result in zip(tasks, results):
        row = {k: config.get(k) for k in config_columns}
        row["seed"] = seed
        row.update({k: result.get(k) for k in result_columns})
        rows.append(row)
    return pd.DataFrame(rows, columns=[*config_columns, "seed", *result_columns])
