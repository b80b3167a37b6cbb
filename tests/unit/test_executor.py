"""The sweep executor: seeding, batching, order, scale-out on a real 2-process Dask cluster,
failures and atomic output."""

from __future__ import annotations

import errno
import signal
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from foedus.errors import DiskFullError, Interrupted, InvalidArgumentError, SweepError
from foedus.scenarios import executor as ex

ITEMS = [{"name": f"s{i}", "mu": i / 10} for i in range(40)]
SEED = 20240101


def draws(item, rng, context):
    """1,000 normal draws per item: their mean and 90 % quantile (and the context's shift)."""
    shift = 0.0 if context is None else float(context["shift"][int(item["mu"] > 1)])
    x = rng.normal(loc=item["mu"] + shift, scale=1.0, size=1000)
    return {"name": item["name"], "mean": float(x.mean()), "q90": np.quantile(x, 0.9)}


def slow_first(item, rng, context):
    """Item 0 takes longest, so its task finishes last."""
    if item == 0:
        time.sleep(0.5)
    return {"u": rng.random()}


def fails_on_three(item, rng, context):
    if item == 3:
        raise ValueError("no such alliance: item three")
    return {"u": rng.random()}


def returns_list(item, rng, context):
    return [item]


def returns_reserved(item, rng, context):
    return {"item_index": 1}


def interrupts(item, rng, context):
    raise Interrupted(signal.SIGINT)


@pytest.fixture(scope="module")
def cluster():
    """A real cluster: 2 worker processes of 1 thread, started once for the module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # no fixed port (8787) to clash over
    ) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    import distributed

    with distributed.Client(cluster, set_as_default=False) as c:
        yield c


def values(results):
    return [r.values for r in results]


# --- seeding and batching (in-process) -----------------------------------------------------


def test_item_rng_is_the_spawned_seed():
    children = np.random.SeedSequence(SEED).spawn(50)
    for i in (0, 1, 17, 49):
        expected = np.random.default_rng(children[i]).random(5)
        assert np.array_equal(ex.item_rng(SEED, i).random(5), expected)


@pytest.mark.parametrize("batch_size", [1, 7, len(ITEMS)])
def test_batch_size_does_not_change_results(batch_size):
    reference = ex.run_sweep(draws, ITEMS, root_seed=SEED)
    batched = ex.run_sweep(draws, ITEMS, root_seed=SEED, batch_size=batch_size)
    assert values(batched) == values(reference)  # exact equality
    assert [r.task_index for r in batched] == [i // batch_size for i in range(len(ITEMS))]


def test_results_match_a_hand_rolled_loop_and_record_their_origin():
    results = ex.run_sweep(draws, ITEMS, root_seed=SEED, batch_size=6)
    children = np.random.SeedSequence(SEED).spawn(len(ITEMS))
    for i, r in enumerate(results):
        assert (r.root_seed, r.item_index, r.task_index) == (SEED, i, i // 6)
        assert r.values == draws(ITEMS[i], np.random.default_rng(children[i]), None)
        assert r.values["name"] == f"s{i}"
        assert type(r.values["q90"]) is float  # NumPy scalars become Python ones


def test_another_root_seed_changes_results():
    a = ex.run_sweep(draws, ITEMS, root_seed=1)
    b = ex.run_sweep(draws, ITEMS, root_seed=2)
    assert all(x["mean"] != y["mean"] for x, y in zip(values(a), values(b), strict=True))
    assert {r.root_seed for r in b} == {2}


def test_context_is_passed_to_every_item():
    context = {"shift": np.array([0.0, 100.0])}
    results = ex.run_sweep(draws, ITEMS, root_seed=SEED, context=context)
    assert all((r.values["mean"] > 50) == (ITEMS[r.item_index]["mu"] > 1) for r in results)


def test_progress_in_process():
    calls = []
    ex.run_sweep(
        draws, ITEMS, root_seed=SEED, batch_size=15, on_progress=lambda *a: calls.append(a)
    )
    assert calls == [(0, 40), (15, 40), (30, 40), (40, 40)]


def test_default_batch_size():
    assert ex.default_batch_size(0) == 1
    assert ex.default_batch_size(40) == 1
    assert ex.default_batch_size(10_000) == 100
    assert ex.default_batch_size(10_000, 2) == 100  # same as in-process up to 25 workers
    assert ex.default_batch_size(10_000, 50) == 50
    assert ex.run_sweep(draws, [], root_seed=SEED) == []


# --- a real cluster of 2 worker processes --------------------------------------------------


def test_process_cluster_gives_identical_results(cluster):
    local = ex.results_frame(ex.run_sweep(draws, ITEMS, root_seed=SEED))
    calls = []
    remote = ex.results_frame(
        ex.run_sweep(
            draws,
            ITEMS,
            root_seed=SEED,
            scheduler=cluster.scheduler_address,  # the --scheduler path: connect, run, close
            on_progress=lambda *a: calls.append(a),
        )
    )
    assert remote.equals(local)  # every column, task_index included, bit for bit
    assert calls[0] == (0, 40) and calls[-1] == (40, 40)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_process_cluster_batches_and_context(client):
    context = {"shift": np.array([0.0, 100.0])}
    local = ex.run_sweep(draws, ITEMS, root_seed=SEED, context=context)
    scattered = []
    real_scatter = client.scatter

    def spy(data, **kwargs):
        scattered.append(kwargs)
        return real_scatter(data, **kwargs)

    client.scatter = spy
    try:
        remote = ex.run_sweep(
            draws, ITEMS, root_seed=SEED, batch_size=7, client=client, context=context
        )
    finally:
        del client.scatter
    assert values(remote) == values(local)
    assert [r.task_index for r in remote] == [i // 7 for i in range(40)]
    assert len(scattered) == 1 and scattered[0]["broadcast"] is True  # sent once, to all


def test_process_cluster_keeps_input_order(client):
    items = list(range(12))
    results = ex.run_sweep(slow_first, items, root_seed=SEED, batch_size=1, client=client)
    assert [r.item_index for r in results] == items
    assert values(results) == values(ex.run_sweep(slow_first, items, root_seed=SEED))


def test_process_cluster_failure_names_the_item(client, tmp_path):
    out = tmp_path / "sweep.parquet"
    with pytest.raises(SweepError) as info:
        ex.sweep_to_parquet(fails_on_three, list(range(10)), out, root_seed=SEED, client=client)
    assert "item 3" in info.value.message and "no such alliance: item three" in info.value.message
    assert info.value.item_index == 3 and "ValueError" in info.value.details
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_interrupt_on_a_cluster_propagates_and_cancels(client):
    def stop(done, total):
        if done:
            raise Interrupted(signal.SIGINT)

    with pytest.raises(Interrupted):
        ex.run_sweep(draws, ITEMS, root_seed=SEED, batch_size=1, client=client, on_progress=stop)
    assert values(ex.run_sweep(draws, ITEMS[:4], root_seed=SEED, client=client)) == values(
        ex.run_sweep(draws, ITEMS[:4], root_seed=SEED)
    )


def test_local_cluster_of_two_workers():
    items = ITEMS[:6]
    results = ex.run_sweep(draws, items, root_seed=SEED, n_workers=2, batch_size=2)
    assert values(results) == values(ex.run_sweep(draws, items, root_seed=SEED))


# --- failures ------------------------------------------------------------------------------


def test_failing_item_in_process_leaves_no_output(tmp_path):
    out = tmp_path / "sub" / "sweep.parquet"
    with pytest.raises(SweepError) as info:
        ex.sweep_to_parquet(fails_on_three, list(range(10)), out, root_seed=SEED)
    e = info.value
    assert e.message.startswith("item 3 of the sweep failed: ValueError: no such alliance")
    assert "fails_on_three" in e.hint and "item_rng(root_seed, 3)" in e.hint
    assert isinstance(e.__cause__, ValueError) and e.item_index == 3
    assert not out.exists() and list(out.parent.iterdir()) == []


@pytest.mark.parametrize(
    ("fn", "words"),
    [(returns_list, "returned list, not a mapping"), (returns_reserved, "'item_index'")],
)
def test_bad_return_value(fn, words):
    with pytest.raises(SweepError, match=words):
        ex.run_sweep(fn, [0, 1], root_seed=SEED)


def test_interrupted_propagates_in_process():
    with pytest.raises(Interrupted):
        ex.run_sweep(interrupts, [0, 1], root_seed=SEED)


def test_unreachable_scheduler():
    start = time.perf_counter()
    with pytest.raises(SweepError) as info:
        ex.run_sweep(draws, ITEMS, root_seed=SEED, scheduler="tcp://127.0.0.1:1", connect_timeout=1)
    assert time.perf_counter() - start < 10
    assert "tcp://127.0.0.1:1" in info.value.message and "dask scheduler" in info.value.hint


def test_malformed_scheduler_address():
    with pytest.raises(InvalidArgumentError, match="not a Dask scheduler address") as info:
        ex.run_sweep(draws, ITEMS, root_seed=SEED, scheduler="localhost")
    assert info.value.argument == "scheduler"


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"fn": None}, "fn"),
        ({"fn": 3}, "fn"),
        ({"items": "abc"}, "items"),
        ({"items": {"a": 1}}, "items"),
        ({"items": 5}, "items"),
        ({"root_seed": -1}, "root_seed"),
        ({"root_seed": 1.5}, "root_seed"),
        ({"root_seed": "1"}, "root_seed"),
        ({"root_seed": True}, "root_seed"),
        ({"root_seed": 2**63}, "root_seed"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"scheduler": ""}, "scheduler"),
        ({"scheduler": 8786}, "scheduler"),
        ({"n_workers": 0}, "n_workers"),
        ({"n_workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "n_workers"),
        ({"on_progress": "bar"}, "on_progress"),
        ({"connect_timeout": 0}, "connect_timeout"),
        ({"client": object()}, "client"),
    ],
)
def test_invalid_arguments(kwargs, argument):
    call = {"fn": draws, "items": ITEMS, "root_seed": SEED, **kwargs}
    with pytest.raises(InvalidArgumentError) as info:
        ex.run_sweep(call.pop("fn"), call.pop("items"), **call)
    assert info.value.argument == argument and info.value.hint


def test_root_seed_is_required():
    with pytest.raises(TypeError):
        ex.run_sweep(draws, ITEMS)  # type: ignore[call-arg]


# --- results and files ---------------------------------------------------------------------


def test_results_frame():
    frame = ex.results_frame(ex.run_sweep(draws, ITEMS, root_seed=SEED, batch_size=10))
    assert frame.columns == ["root_seed", "item_index", "task_index", "name", "mean", "q90"]
    assert frame.schema["root_seed"] == pl.Int64 and frame.schema["mean"] == pl.Float64
    assert frame["item_index"].to_list() == list(range(40))
    assert frame["task_index"].to_list() == [i // 10 for i in range(40)]
    empty = ex.results_frame([])
    assert empty.columns == ["root_seed", "item_index", "task_index"] and empty.height == 0


def test_results_frame_mixed_fields():
    rows = [ex.ItemResult(1, 0, 0, {"x": 1, "y": "a"}), ex.ItemResult(1, 1, 0, {"x": 2.5})]
    frame = ex.results_frame(rows)
    assert frame["x"].to_list() == [1.0, 2.5] and frame["y"].to_list() == ["a", None]
    with pytest.raises(InvalidArgumentError, match="both text and numbers"):
        ex.results_frame([*rows, ex.ItemResult(1, 2, 0, {"y": 3.0})])
    with pytest.raises(InvalidArgumentError, match="not an ItemResult"):
        ex.results_frame([{"x": 1}])


def test_write_parquet_atomic_round_trip(tmp_path):
    frame = ex.sweep_to_parquet(draws, ITEMS, tmp_path / "out.parquet", root_seed=SEED)
    assert pl.read_parquet(tmp_path / "out.parquet").equals(frame)
    with pytest.raises(Exception, match="unknown extension"):
        ex.write_parquet_atomic(frame, tmp_path / "out.csv")


def test_write_failure_leaves_nothing(tmp_path, monkeypatch):
    frame = ex.results_frame(ex.run_sweep(draws, ITEMS, root_seed=SEED))

    def half_written(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", half_written)
    with pytest.raises(DiskFullError):
        ex.write_parquet_atomic(frame, tmp_path / "out.parquet")
    assert list(tmp_path.iterdir()) == []
