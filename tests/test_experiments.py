"""Experiment sweeps: the same table serially, in processes and on Dask."""

import pandas as pd
import pytest

from dynamo_lab.experiments import configurations, run_config, sweep

GRID = {"n": [3], "r": [1, 2], "w": [2], "ops": [150], "keys": [20]}
SEEDS = [0, 1, 2]


def tiny_run(config, seed):
    """A picklable run_one that needs no cluster."""
    return {"total": config["a"] * 10 + seed, "label": f"{config['a']}/{seed}"}


def test_grid_forms():
    assert configurations({"r": [1, 2], "w": [1]}) == [{"r": 1, "w": 1}, {"r": 2, "w": 1}]
    assert configurations([{"r": 1}, {"r": 3, "w": 2}]) == [{"r": 1}, {"r": 3, "w": 2}]
    with pytest.raises(ValueError, match="list of values"):
        configurations({"r": 2})
    with pytest.raises(ValueError, match="empty"):
        configurations({"r": []})
    with pytest.raises(ValueError, match="dict of parameter"):
        configurations("r=1")


def test_serial_sweep_table():
    table = sweep(GRID, SEEDS, processes=1)
    assert list(table.columns[:6]) == ["n", "r", "w", "ops", "keys", "seed"]
    assert table[["r", "seed"]].values.tolist() == [[1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2]]
    assert {"read_p99_ms", "write_p999_ms", "read_success_rate", "stale_read_pct",
            "duration_ms"} <= set(table.columns)
    assert (table["read_success_rate"] == 1.0).all()
    # The default run is exactly run_config.
    config = {"n": 3, "r": 2, "w": 2, "ops": 150, "keys": 20}
    assert table.iloc[4]["read_p99_ms"] == run_config(config, 1)["read_p99_ms"]


def test_list_grid_and_custom_run_one():
    table = sweep([{"a": 2}, {"a": 1}], seeds=[5, 3], run_one=tiny_run, processes=1)
    assert table.to_dict("list") == {"a": [2, 2, 1, 1], "seed": [5, 3, 5, 3],
                                     "total": [25, 23, 15, 13],
                                     "label": ["2/5", "2/3", "1/5", "1/3"]}


def test_serial_and_local_processes_agree():
    serial = sweep(GRID, SEEDS, processes=1)
    parallel = sweep(GRID, SEEDS, processes=2)
    pd.testing.assert_frame_equal(serial, parallel)
    custom = sweep([{"a": 1}, {"a": 2}], [0, 1], run_one=tiny_run, processes=2)
    pd.testing.assert_frame_equal(custom, sweep([{"a": 1}, {"a": 2}], [0, 1], run_one=tiny_run,
                                                processes=1))


def test_dask_cluster_gives_the_same_table():
    distributed = pytest.importorskip(
        "dask.distributed", reason="dask[distributed] is not installed: "
        "pip install 'dynamo-lab[scale]' to test sweeps on a Dask cluster")
    serial = sweep(GRID, SEEDS, processes=1)
    cluster = client = None
    try:
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
        on_dask = sweep(GRID, SEEDS, client=client)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    pd.testing.assert_frame_equal(serial, on_dask)


@pytest.mark.parametrize("args, message", [
    (({"r": [1]}, []), "seeds is empty"),
    (({"r": [1]}, [0, 0]), "seeds repeat"),
    (({"r": [1]}, ["0"]), "integers"),
    (({"r": [1], "seed": [1]}, [0]), "'seed' cannot be a grid parameter"),
    (({"colour": ["red"]}, [0]), "unknown configuration key"),
])
def test_invalid_sweeps(args, message):
    with pytest.raises(ValueError, match=message):
        sweep(*args, processes=1)
    with pytest.raises(ValueError, match="processes"):
        sweep({"r": [1]}, [0], processes=0)
    with pytest.raises(ValueError, match="run_one"):
        sweep({"r": [1]}, [0], run_one="run")


def test_result_named_like_a_configuration_column():
    with pytest.raises(ValueError, match="'total'"):
        sweep([{"total": 1, "a": 1}], [0], run_one=tiny_run, processes=1)
