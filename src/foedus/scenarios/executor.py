"""The sweep executor: one function evaluated over many items (scenarios), each with its own
Monte Carlo random stream, in this process or on a Dask cluster, with identical results.

The rules (for users: ``docs/consequences.md``, "Sweeps and scale-out"):

* **Seeding.** Item ``i`` of ``n`` draws from
  ``numpy.random.default_rng(numpy.random.SeedSequence(root_seed).spawn(n)[i])``, built on the
  spot as ``SeedSequence(root_seed, spawn_key=(i,))`` (the same seed: :func:`item_rng`). An
  item's result therefore depends only on the function, the item, ``root_seed``, its position
  ``i`` and the context — not on the batch size, the number of workers, the scheduler or the
  order in which tasks finish.
* **Batching.** Consecutive items are grouped into tasks of ``batch_size`` (Dask spends about
  1 ms on each task; one item's random stream costs some 30 µs). The default,
  :func:`default_batch_size`, aims at ``max(TARGET_TASKS, TASKS_PER_WORKER * workers)`` tasks,
  so with up to 25 workers it depends on the item count alone and even ``task_index`` is the
  same in-process and on a cluster.
* **Where.** In this process by default (a plain loop: nothing is pickled); ``n_workers > 1``
  starts a :class:`distributed.LocalCluster` of worker processes for the call and closes it;
  ``scheduler="tcp://host:port"`` connects to a running Dask scheduler (giving up after
  :data:`CONNECT_TIMEOUT` seconds); ``client=`` uses a :class:`distributed.Client` the caller
  owns (left open). ``distributed`` is imported only on those paths (it takes seconds).
* **Context.** Large shared read-only data (``context``) goes to every worker once
  (``client.scatter(..., broadcast=True)``), not with every task.
* **Results.** In input order, whatever order tasks finish in; each records ``root_seed``,
  ``item_index`` (its position in the input) and ``task_index`` (its batch).
* **Failure.** The first item whose function raises (or returns something that is not a
  mapping of field names to numbers or text) ends the run with
  :class:`~foedus.errors.SweepError` naming the item and the original error; the remaining
  tasks are cancelled. :class:`~foedus.errors.Interrupted` and ``KeyboardInterrupt``
  propagate unchanged. Results are written only after the whole run succeeded, atomically
  (:func:`write_parquet_atomic`, :func:`sweep_to_parquet`): a failed sweep leaves no file.
"""

from __future__ import annotations

import contextlib
import math
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import polars as pl

from foedus import files, validate
from foedus.errors import InvalidArgumentError, SweepError

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

Scalar: TypeAlias = bool | int | float | str | None
#: ``fn(item, rng, context) -> {field: value}``: what a sweep evaluates for every item.
ItemFunction: TypeAlias = Callable[[Any, np.random.Generator, Any], Mapping[str, Scalar]]
#: ``on_progress(done_items, total_items)``.
ProgressFunction: TypeAlias = Callable[[int, int], None]

#: Seconds to wait for a scheduler to answer, and then for it to have a worker.
CONNECT_TIMEOUT = 5.0
#: The default batch size aims at this many tasks at least ...
TARGET_TASKS = 100
#: ... and at this many tasks per worker (thread) on larger clusters.
TASKS_PER_WORKER = 4
#: The columns every result frame starts with; an item's function may not return them.
BOOKKEEPING = ("root_seed", "item_index", "task_index")
#: The largest root seed (it is stored as a 64-bit signed integer).
MAX_SEED = 2**63 - 1

_PLAIN = (bool, int, float, str, type(None))
_SUFFIXES = {".parquet": "Parquet"}


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What one item gave: its function's fields and where it came from."""

    root_seed: int
    item_index: int
    task_index: int
    values: dict[str, Scalar]


@dataclass(frozen=True, slots=True)
class _Failure:
    """A task's report of its first failing item (sent back instead of raising, so that an
    exception that cannot be pickled still arrives)."""

    item_index: int
    task_index: int
    what: str
    details: str
    error: BaseException | None  # kept in-process only: not every exception pickles


# --- seeds and batches ------------------------------------------------------------------------


def item_rng(root_seed: int, item_index: int) -> np.random.Generator:
    """The random generator of item ``item_index`` of a sweep seeded with ``root_seed``:
    ``default_rng(SeedSequence(root_seed).spawn(n)[item_index])`` for any ``n`` greater than
    ``item_index``. Use it to re-run one item on its own."""
    root_seed = validate.integer(root_seed, "root_seed", lo=0, hi=MAX_SEED)
    item_index = validate.integer(item_index, "item_index", lo=0)
    return _rng(root_seed, item_index)


def _rng(root_seed: int, item_index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(item_index,)))


def default_batch_size(n_items: int, n_workers: int = 1) -> int:
    """Items per task when none is given: enough tasks to keep every worker busy and the
    progress bar moving (``max(TARGET_TASKS, TASKS_PER_WORKER * n_workers)``), as few as that
    allows (each costs Dask about 1 ms)."""
    n_items = validate.integer(n_items, "n_items", lo=0)
    n_workers = validate.integer(n_workers, "n_workers", lo=1)
    tasks = max(TARGET_TASKS, TASKS_PER_WORKER * n_workers)
    return max(1, math.ceil(n_items / tasks))


def _spans(n_items: int, batch_size: int) -> list[tuple[int, int]]:
    return [(start, min(start + batch_size, n_items)) for start in range(0, n_items, batch_size)]


# --- one task ---------------------------------------------------------------------------------


def _clean(values: object) -> tuple[dict[str, Scalar] | None, str | None]:
    """The function's result as plain Python scalars, or why it cannot be one."""
    if not isinstance(values, Mapping):
        return None, (
            f"returned {type(values).__name__}, not a mapping of field names to values "
            "(e.g. {'mean': 0.5})"
        )
    out: dict[str, Scalar] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            return None, f"returned the field name {key!r}; field names must be non-empty text"
        if key in BOOKKEEPING:
            return None, f"returned the field {key!r}, which the executor records itself"
        if type(value) in _PLAIN:
            out[key] = value
            continue
        if isinstance(value, np.generic):
            value = value.item()  # NumPy scalars become Python ones
            if type(value) in _PLAIN:
                out[key] = value
                continue
        return None, (
            f"returned {type(value).__name__} for the field {key!r}; values must be numbers, "
            "text, True/False or None"
        )
    return out, None


def _run_batch(
    items: Sequence[Any],
    start: int,
    task_index: int,
    *,
    fn: ItemFunction,
    root_seed: int,
    context: Any,
    keep_error: bool,
) -> list[dict[str, Scalar]] | _Failure:
    """Evaluate one task's items; stop at the first failure and report it."""
    out = []
    for offset, item in enumerate(items):
        index = start + offset
        try:
            values = fn(item, _rng(root_seed, index), context)
        except Exception as e:
            what = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            return _Failure(
                index, task_index, what, traceback.format_exc(), e if keep_error else None
            )
        clean, problem = _clean(values)
        if clean is None:
            return _Failure(index, task_index, f"the function {problem}", "", None)
        out.append(clean)
    return out


def _failure_error(failure: _Failure, fn: ItemFunction, where: str) -> SweepError:
    name = getattr(fn, "__qualname__", None) or repr(fn)
    i = failure.item_index
    error = SweepError(
        f"item {i} of the sweep failed{where}: {failure.what}",
        f"{name} failed on input {i} (task {failure.task_index}); the sweep stopped there "
        "and no results were written. Re-run that item alone to debug it: "
        f"fn(items[{i}], foedus.scenarios.executor.item_rng(root_seed, {i}), context).",
    )
    error.item_index = i  # type: ignore[attr-defined]
    error.details = failure.details  # type: ignore[attr-defined]
    return error


# --- the sweep --------------------------------------------------------------------------------


def run_sweep(
    fn: ItemFunction,
    items: Sequence[Any],
    *,
    root_seed: int,
    batch_size: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    n_workers: int | None = None,
    context: Any = None,
    on_progress: ProgressFunction | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> list[ItemResult]:
    """Evaluate ``fn(item, rng, context)`` for every item; the results in input order.

    ``fn`` must be picklable for a cluster (a module-level function, importable on the
    workers) and return a small mapping of field names to numbers, text, booleans or None.
    Item ``i`` gets ``rng = item_rng(root_seed, i)``. Runs in this process unless
    ``n_workers > 1`` (a local cluster of that many processes for this call), ``scheduler``
    (the address of a Dask scheduler) or ``client`` (a ``distributed.Client``) is given.
    ``batch_size`` items make one task (default :func:`default_batch_size`).
    ``on_progress(done, total)`` is called with 0 first and again whenever a task completes.

    Raises :class:`~foedus.errors.SweepError` when an item fails (naming it), when a task is
    lost, or when the scheduler cannot be reached within ``connect_timeout`` seconds or has no
    workers; :class:`~foedus.errors.InvalidArgumentError` for a bad argument. An item's
    error carries ``item_index`` and ``details`` (its traceback, from the worker).
    """
    fn, items, root_seed, batch_size, scheduler, n_workers, on_progress, connect_timeout = _check(
        fn, items, root_seed, batch_size, scheduler, client, n_workers, on_progress, connect_timeout
    )
    if scheduler is None and client is None and n_workers in (None, 1):
        return _run_in_process(fn, items, root_seed, batch_size, context, on_progress)

    import distributed

    run = (fn, items, root_seed, batch_size, context, on_progress, connect_timeout)
    if client is not None:
        if not isinstance(client, distributed.Client):
            raise InvalidArgumentError(
                "client",
                f"client must be a distributed.Client, not {type(client).__name__}",
                "pass distributed.Client(address), or give scheduler='tcp://host:port' instead.",
            )
        return _run_on_client(client, *run, where=f" on the Dask cluster at {_address(client)}")
    if scheduler is not None:
        own = _connect(distributed, scheduler, connect_timeout)
        try:
            return _run_on_client(own, *run, where=f" on the Dask cluster at {scheduler}")
        finally:
            _close(own)
    assert n_workers is not None
    try:
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # no fixed port (8787) to clash over
        )
    except Exception as e:
        raise SweepError(
            f"could not start a local Dask cluster of {n_workers} worker processes: {e}",
            "run with fewer workers (n_workers=1 runs in this process), or start a scheduler "
            "and workers yourself and pass its address (scheduler='tcp://host:port').",
        ) from e
    try:
        own = distributed.Client(cluster, set_as_default=False)
        try:
            return _run_on_client(own, *run, where=f" on a local cluster of {n_workers} workers")
        finally:
            _close(own)
    finally:
        _close(cluster)


def _check(
    fn: Any,
    items: Any,
    root_seed: Any,
    batch_size: Any,
    scheduler: Any,
    client: Any,
    n_workers: Any,
    on_progress: Any,
    connect_timeout: Any,
) -> tuple[Any, ...]:
    if fn is None or validate.callback(fn, "fn") is None:
        raise InvalidArgumentError(
            "fn", "fn is required", "pass a function fn(item, rng, context) -> dict."
        )
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Sequence):
        raise InvalidArgumentError(
            "items",
            f"items must be a sequence (a list or tuple), not {type(items).__name__}",
            "pass the items as a list, e.g. items=list(scenarios).",
        )
    if not isinstance(items, list | tuple | range):
        items = list(items)  # slicing must work and be cheap
    root_seed = validate.integer(
        root_seed,
        "root_seed",
        lo=0,
        hi=MAX_SEED,
        hint=f"pass a whole number from 0 to {MAX_SEED}, e.g. root_seed=20240101; "
        "the same root seed gives the same results.",
    )
    if batch_size is not None:
        batch_size = validate.integer(batch_size, "batch_size", lo=1)
    if scheduler is not None:
        scheduler = validate.text(scheduler, "scheduler").strip()
    if scheduler is not None and client is not None:
        raise InvalidArgumentError(
            "scheduler",
            "give scheduler or client, not both",
            "scheduler is an address to connect to; client an open connection.",
        )
    if n_workers is not None:
        n_workers = validate.integer(n_workers, "n_workers", lo=1)
        if n_workers > 1 and (scheduler is not None or client is not None):
            raise InvalidArgumentError(
                "n_workers",
                "n_workers starts a local cluster and cannot be combined with scheduler or client",
                "leave n_workers out: the cluster's workers are used.",
            )
    on_progress = validate.callback(on_progress, "on_progress")
    connect_timeout = validate.number(connect_timeout, "connect_timeout", lo=0, open_lo=True)
    return fn, items, root_seed, batch_size, scheduler, n_workers, on_progress, connect_timeout


def _run_in_process(
    fn: ItemFunction,
    items: Sequence[Any],
    root_seed: int,
    batch_size: int | None,
    context: Any,
    on_progress: ProgressFunction | None,
) -> list[ItemResult]:
    total = len(items)
    spans = _spans(total, batch_size or default_batch_size(total, 1))
    if on_progress is not None:
        on_progress(0, total)
    results: list[ItemResult] = []
    for task, (start, stop) in enumerate(spans):
        out = _run_batch(
            items[start:stop],
            start,
            task,
            fn=fn,
            root_seed=root_seed,
            context=context,
            keep_error=True,
        )
        if isinstance(out, _Failure):
            raise _failure_error(out, fn, "") from out.error
        results.extend(ItemResult(root_seed, start + k, task, v) for k, v in enumerate(out))
        if on_progress is not None:
            on_progress(stop, total)
    return results


def _address(client: Any) -> str:
    try:
        return str(client.scheduler.address)
    except Exception:  # pragma: no cover - a client without a scheduler connection
        return "(unknown address)"


def _close(thing: Any) -> None:
    with contextlib.suppress(Exception):  # never hide the error that is on its way out
        thing.close()


def _connect(distributed: Any, address: str, timeout: float) -> Client:
    try:
        return distributed.Client(address, timeout=timeout, set_as_default=False)
    except ValueError as e:  # no port, an unknown scheme
        raise InvalidArgumentError(
            "scheduler",
            f"{address!r} is not a Dask scheduler address: {e}",
            "give it as tcp://HOST:PORT, as `dask scheduler` prints it (port 8786 by default).",
        ) from e
    except Exception as e:
        raise SweepError(
            f"cannot reach the Dask scheduler at {address}: {e}",
            f"check that a scheduler runs there (`dask scheduler` prints its address) and that "
            f"this machine can reach that host and port (waited {timeout:g} s); or leave out "
            "the scheduler to run on this machine.",
        ) from e


def _workers(client: Client, timeout: float, where: str) -> int:
    """The number of worker threads, after waiting for at least one."""
    try:
        client.wait_for_workers(1, timeout=timeout)
        threads = sum(client.nthreads().values())
    except Exception as e:
        raise SweepError(
            f"no Dask workers joined{where} within {timeout:g} s",
            f"start workers on each machine: `dask worker {_address(client)}`.",
        ) from e
    return max(1, threads)


def _run_on_client(
    client: Client,
    fn: ItemFunction,
    items: Sequence[Any],
    root_seed: int,
    batch_size: int | None,
    context: Any,
    on_progress: ProgressFunction | None,
    connect_timeout: float,
    *,
    where: str,
) -> list[ItemResult]:
    from distributed import as_completed

    total = len(items)
    spans = _spans(
        total, batch_size or default_batch_size(total, _workers(client, connect_timeout, where))
    )
    if on_progress is not None:
        on_progress(0, total)
    if not spans:
        return []
    token = uuid.uuid4().hex[:12]
    shared = None
    futures: list[Any] = []
    try:
        if context is not None:  # a list of one: scatter would split a list or dict context
            [shared] = client.scatter([context], broadcast=True, hash=False)
        # one graph update for all tasks (client.submit would send one each), and results
        # fetched in the background as tasks finish (future.result() is a round trip each)
        futures = client.map(
            _run_batch,
            [items[start:stop] for start, stop in spans],
            [start for start, _ in spans],
            range(len(spans)),
            key=[f"foedus-sweep-{token}-{task}" for task in range(len(spans))],
            retries=0,
            fn=fn,
            root_seed=root_seed,
            context=shared,
            keep_error=False,
        )
        task_of = {f.key: task for task, f in enumerate(futures)}
        outputs: list[list[dict[str, Scalar]] | None] = [None] * len(spans)
        done = 0
        finished = as_completed(futures, loop=client.loop, with_results=True, raise_errors=False)
        for future, out in finished:
            task = task_of[future.key]
            _check_task(future, out, task, spans[task], where)
            if isinstance(out, _Failure):
                raise _failure_error(out, fn, where)
            outputs[task] = out
            done += len(out)
            if on_progress is not None:
                on_progress(done, total)
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            with contextlib.suppress(Exception):
                client.cancel(pending)
        if shared is not None:
            with contextlib.suppress(Exception):
                shared.release()
    results: list[ItemResult] = []
    for task, ((start, _), out) in enumerate(zip(spans, outputs, strict=True)):
        assert out is not None
        results.extend(ItemResult(root_seed, start + k, task, v) for k, v in enumerate(out))
    return results


def _check_task(future: Any, out: Any, task: int, span: tuple[int, int], where: str) -> None:
    """Raise if a task did not run to its end (``out`` is then the error or cancellation)."""
    if future.status == "finished":
        return
    items = f"items {span[0]} to {span[1] - 1}" if span[1] - span[0] > 1 else f"item {span[0]}"
    if future.status == "error" and isinstance(out, BaseException):
        raise SweepError(
            f"task {task} ({items}) failed{where}: {type(out).__name__}: {out}",
            "the function never ran or its worker died: every worker needs the same "
            "environment (foedus and the module defining the function importable); "
            "KilledWorker means worker processes kept dying (out of memory?).",
        ) from out
    raise SweepError(
        f"task {task} ({items}) was cancelled{where} before it finished",
        "the scheduler or its workers went away, or another client cancelled the task; "
        "run the sweep again.",
    )


# --- results ----------------------------------------------------------------------------------


def results_frame(results: Sequence[ItemResult]) -> pl.DataFrame:
    """One row per item: ``root_seed``, ``item_index``, ``task_index`` (Int64), then the
    function's fields in the order they first appear (null where an item lacks one)."""
    if isinstance(results, str | bytes) or not isinstance(results, Sequence):
        raise InvalidArgumentError(
            "results",
            f"results must be a list of ItemResult, not {type(results).__name__}",
            "pass what run_sweep returned.",
        )
    bad = next((r for r in results if not isinstance(r, ItemResult)), None)
    if bad is not None:
        raise InvalidArgumentError(
            "results",
            f"results holds a {type(bad).__name__}, not an ItemResult",
            "pass what run_sweep returned.",
        )
    columns = [
        pl.Series(name, [getattr(r, name) for r in results], dtype=pl.Int64) for name in BOOKKEEPING
    ]
    fields = dict.fromkeys(k for r in results for k in r.values)
    for name in fields:
        values = [r.values.get(name) for r in results]
        try:
            columns.append(pl.Series(name, values))
        except (TypeError, pl.exceptions.PolarsError) as e:
            kinds = {type(v) is str for v in values if v is not None}
            if len(kinds) > 1:
                raise InvalidArgumentError(
                    "results",
                    f"the field {name!r} holds both text and numbers",
                    "make the function return one kind of value for each field.",
                ) from e
            columns.append(pl.Series(name, values, strict=False))  # ints and floats: Float64
    return pl.DataFrame(columns)


def check_output_path(path: str | Path) -> Path:
    """Check a results path (``.parquet``, writable) before the sweep starts; returns it."""
    return files.check_output_file(path, suffixes=_SUFFIXES, what="the sweep results")


def write_parquet_atomic(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` (``.parquet``) atomically: a partial file beside it,
    renamed over it once complete; on any failure no file and no partial file remain."""
    frame = validate.frame(frame, "frame")
    target = check_output_path(path)
    files.write_with(target, lambda tmp: frame.write_parquet(tmp))
    return target


def sweep_to_parquet(
    fn: ItemFunction, items: Sequence[Any], path: str | Path, **options: Any
) -> pl.DataFrame:
    """:func:`run_sweep` (``options`` are its keyword arguments) and write its
    :func:`results_frame` to ``path``. The path is checked before anything runs, and nothing
    is written unless every item succeeded. Returns the frame."""
    target = check_output_path(path)
    frame = results_frame(run_sweep(fn, items, **options))
    write_parquet_atomic(frame, target)
    return frame
