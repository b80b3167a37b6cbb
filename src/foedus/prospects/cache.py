"""The forecast cache: fitted models and formation panels kept in the user cache, so that a
forecast refits nothing and rebuilds nothing unless what enters it has changed.

Where it lives
--------------
Two :class:`~foedus.derived.DerivedStore` directories under the user cache
(:class:`foedus.catalog.Settings`; ``FOEDUS_CACHE_DIR`` honoured):

* ``<cache>/models/model-<key digest>.model``: one fitted :class:`FormationModel` per entry, in
  the safe JSON model format (``foedus.model/2``, :mod:`foedus.prospects.persist`) wrapped with
  its key;
* ``<cache>/panels/panel-<key digest>.parquet``: the forecast panel
  (:func:`foedus.prospects.forecast.forecast_panel`), with each source's last year and its key
  in the Parquet metadata.

Every entry has a manifest beside it (its size, sha256, key digest, entry version) and is
checked on every read; a damaged entry (bytes that differ from the manifest, a document that
is not what its key says, a model that fails the model-file checks) is removed with a
:class:`~foedus.errors.FoedusWarning` and refitted or rebuilt. ``foedus data verify`` lists
the entries and ``foedus data clean`` removes damaged and stale ones
(:func:`foedus.maintenance.clean_cache` with ``models=True``: all of them).

The key
-------
A canonical JSON object whose sha256 names the entry (:func:`key_digest`). For a model
(:func:`model_key`): the model's hyper-parameters as given (kind, features in order, every
other field of :class:`FormationModel`), the pledge, horizon and outcome, the training years,
the training rows (the key of the panel they come from and their number, or a digest of the
rows themselves, :func:`training_digests`, for a panel the caller built), the sha256 of every
data set the training panel reads (the catalog's pins: the data vintages), and the
environment (:func:`environment`): foedus's version, a digest of foedus's source code and
registry files, the versions of Python, NumPy, SciPy, Polars and scikit-learn, the model-file
format and the entry version. For a panel (:func:`panel_key`): its years, pledge, horizon, a
digest of the treaty file's rows, the data vintages and the environment. Anything that
changes a fit or a panel changes its key, and an entry under another key is never read.

A read-only or full cache never stops a forecast: the work is done, and one
:class:`~foedus.errors.FoedusWarning` per store says that it could not be kept.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import platform
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

import foedus
from foedus import catalog
from foedus.derived import DerivedStore, Entry
from foedus.errors import FoedusError, FoedusWarning, ModelFileError
from foedus.prospects.models import FormationModel
from foedus.prospects.persist import FORMAT as MODEL_FORMAT
from foedus.prospects.persist import digest, model_from_dict, model_to_dict

__all__ = [
    "ENTRY_VERSION",
    "ForecastCache",
    "data_vintages",
    "environment",
    "key_digest",
    "model_is_current",
    "model_key",
    "model_store",
    "panel_is_current",
    "panel_key",
    "panel_store",
    "stores",
    "training_digests",
    "treaties_digest",
]

#: The layout of the entries (the stores' ``version``); bump it when it changes.
ENTRY_VERSION = 1
MODEL_ENTRY = "foedus.model-cache/1"
PANEL_ENTRY = "foedus.panel-cache/1"
#: The Parquet metadata key holding a panel entry's key and last years.
PANEL_META = "foedus"
#: Libraries whose version enters every key (a new version may change a fit's last bits).
LIBRARIES = ("numpy", "scipy", "polars", "scikit-learn")
#: Rows of the training data a fresh fit is checked on after its JSON round trip.
CHECK_ROWS = 2000


# --- the stores ---------------------------------------------------------------------------------


def model_store(settings: catalog.Settings | None = None) -> DerivedStore:
    """The fitted-model cache, ``<cache>/models``."""
    s = settings or catalog.Settings.from_env()
    return DerivedStore(s.cache_dir / "models", "model")


def panel_store(settings: catalog.Settings | None = None) -> DerivedStore:
    """The forecast-panel cache, ``<cache>/panels``."""
    s = settings or catalog.Settings.from_env()
    return DerivedStore(s.cache_dir / "panels", "panel")


def model_name(key_sha: str) -> str:
    return f"model-{key_sha[:32]}.model"  # JSON; not *.json, the manifests' suffix


def panel_name(key_sha: str) -> str:
    return f"panel-{key_sha[:32]}.parquet"


# --- keys ---------------------------------------------------------------------------------------


def _canonical(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=True
    ).encode("ascii")


def _plain(obj: Any) -> Any:
    """``obj`` as JSON gives it back (tuples become lists), so keys compare after a read."""
    return json.loads(json.dumps(obj, allow_nan=False, default=repr))


def key_digest(key: Mapping[str, Any]) -> str:
    """The sha256 of a key's canonical JSON: the entry's name and its manifest's source hash."""
    return hashlib.sha256(_canonical(key)).hexdigest()


#: Sub-packages downstream of every model (products), left out of :func:`code_digest`.
PRODUCTS = ("cli", "briefing", "operations")


@functools.cache
def code_digest() -> str:
    """sha256 over foedus's Python sources and registry files (the catalog's pins, the country
    list), paths and bytes, the products' excepted (the command line, the brief's renderers and
    the operations: nothing flows from them into a model): a change to any module or data pin
    that could enter a fit or a panel, even without a new version number, gives new keys."""
    root = Path(foedus.__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.suffix not in (".py", ".toml") or p.relative_to(root).parts[0] in PRODUCTS:
            continue
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def environment() -> dict[str, Any]:
    """What every key holds about the software: foedus's version and a digest of its code, the
    versions of Python and the numerical libraries, the model-file format and the entry
    version."""
    return {
        "foedus_version": foedus.__version__,
        "code": code_digest(),
        "python": platform.python_version(),
        "libraries": {lib: _version(lib) for lib in LIBRARIES},
        "model_format": MODEL_FORMAT,
        "entry_version": ENTRY_VERSION,
    }


def data_vintages(datasets: Iterable[str]) -> dict[str, str]:
    """``{data set: sha256}`` of the catalog's pins for ``datasets``."""
    return {n: catalog.get(n).sha256 for n in sorted(set(datasets))}


def treaties_digest(treaties: pl.DataFrame | None, columns: Sequence[str]) -> str | None:
    """sha256 of the treaty rows' ``columns`` (schema and values, in order); None without a
    treaty file."""
    if treaties is None:
        return None
    frame = treaties.select(list(columns))
    h = hashlib.sha256(_canonical({c: str(t) for c, t in frame.schema.items()}))
    h.update(frame.write_csv().encode("utf-8"))
    return h.hexdigest()


def training_digests(
    raw: np.ndarray, y: np.ndarray, dyads: np.ndarray, ends: Sequence[int]
) -> dict[int, str]:
    """For each ``end``, the sha256 of the first ``end`` training rows (features, outcomes and
    dyad ids, with their shapes): one pass over the rows whatever the number of ends."""
    width = raw.shape[1] if raw.ndim == 2 else 0
    parts = [  # one running hash per array, so the result does not depend on the ends asked
        (hashlib.sha256(), raw, np.float64),
        (hashlib.sha256(), y, np.float64),
        (hashlib.sha256(), dyads, np.int64),
    ]
    out: dict[int, str] = {}
    done = 0
    for end in sorted({int(e) for e in ends}):
        for a in range(done, end, 65_536):  # in blocks: a copy of a block, not of everything
            b = min(end, a + 65_536)
            for h, arr, dtype in parts:
                h.update(np.ascontiguousarray(arr[a:b], dtype=dtype).tobytes())
        done = end
        head = f"{end} rows x {width} float64 features, float64 outcomes, int64 dyads"
        out[end] = hashlib.sha256(
            "|".join([head, *(h.hexdigest() for h, _, _ in parts)]).encode("ascii")
        ).hexdigest()
    return out


def model_params(model: FormationModel) -> dict[str, Any]:
    """Every constructor field of ``model`` (its hyper-parameters, as given)."""
    out = {}
    for f in fields(model):
        v = getattr(model, f.name)
        out[f.name] = list(v) if f.name == "features" and v is not None else v
    return _plain(out)


def model_key(
    model: FormationModel,
    *,
    pledge: str,
    horizon: int,
    years: tuple[int, int],
    training: str,
    datasets: Iterable[str],
    outcome: str = "onset",
) -> dict[str, Any]:
    """The key of a fit of the (unfitted) ``model`` on the training rows whose digest is
    ``training`` (:func:`training_digests`), of ``years``, read from ``datasets``."""
    return _plain(
        {
            "entry": MODEL_ENTRY,
            "spec": {
                "params": model_params(model),
                "pledge": pledge,
                "horizon": horizon,
                "outcome": outcome,
                "training_years": [int(years[0]), int(years[1])],
            },
            "training": training,
            "data": data_vintages(datasets),
            "environment": environment(),
        }
    )


def panel_key(
    *,
    years: tuple[int, int],
    pledge: str,
    horizon: int,
    treaties: str | None,
    datasets: Iterable[str],
) -> dict[str, Any]:
    """The key of a forecast panel of ``years`` for ``pledge`` and ``horizon``, with the treaty
    file whose digest is ``treaties`` (:func:`treaties_digest`), read from ``datasets``."""
    return _plain(
        {
            "entry": PANEL_ENTRY,
            "spec": {
                "years": [int(years[0]), int(years[1])],
                "pledge": pledge,
                "horizon": horizon,
                "treaties": treaties,
            },
            "data": data_vintages(datasets),
            "environment": environment(),
        }
    )


# --- is an entry current? (foedus data verify / clean) -------------------------------------------


def key_is_current(manifest: Mapping[str, Any], entry: str) -> str | None:
    key = manifest.get("key")
    if not isinstance(key, dict) or key.get("entry") != entry:
        return "its manifest holds no key"
    if key_digest(key) != manifest["source"]["sha256"]:
        return "its key does not match its manifest"
    if manifest.get("version") != ENTRY_VERSION:
        return f"entry version {manifest.get('version')}, now {ENTRY_VERSION}"
    env = key.get("environment")
    now = environment()
    if not isinstance(env, dict):
        return "its key names no environment"
    if env.get("foedus_version") != now["foedus_version"]:
        return f"made by foedus {env.get('foedus_version')}, now {now['foedus_version']}"
    if env.get("code") != now["code"]:
        return "made by another build of foedus (its code has changed)"
    if env != now:
        changed = sorted(k for k in now if env.get(k) != now[k])
        return "made with other " + ", ".join(changed)
    data = key.get("data")
    if not isinstance(data, dict):
        return "its key names no data"
    for name, sha in sorted(data.items()):
        try:
            pinned = catalog.get(name).sha256
        except FoedusError:
            return f"its data set {name!r} is no longer in the catalog"
        if pinned != sha:
            return f"made from another version of {name}"
    return None


def model_is_current(manifest: dict[str, Any]) -> str | None:
    """None if a cached model could be served today, else why not."""
    return key_is_current(manifest, MODEL_ENTRY)


def panel_is_current(manifest: dict[str, Any]) -> str | None:
    """None if a cached panel could be served today, else why not."""
    return key_is_current(manifest, PANEL_ENTRY)


def stores(settings: catalog.Settings | None = None) -> list[tuple[str, DerivedStore, Any]]:
    """``(what, store, is_current)`` for the model and panel caches (for ``foedus data``)."""
    s = settings or catalog.Settings.from_env()
    return [
        ("fitted model", model_store(s), model_is_current),
        ("forecast panel", panel_store(s), panel_is_current),
    ]


def scan(settings: catalog.Settings | None = None) -> list[tuple[str, Entry]]:
    """Every entry of both caches, checked: ``(what, entry)``."""
    return [(what, e) for what, store, current in stores(settings) for e in store.scan(current)]


# --- reading and writing ------------------------------------------------------------------------


def _same_predictions(a: FormationModel, b: FormationModel, raw: np.ndarray) -> bool:
    """True if ``a`` and ``b`` give bit-identical forecasts, intervals and contributions."""
    if a.kind != b.kind or list(a.features_) != list(b.features_):
        return False
    pairs = [(a.predict_proba_arrays(raw), b.predict_proba_arrays(raw))]
    if a.kind != "gbm" or a.bootstrap_:
        pairs += list(
            zip(a.predict_interval_arrays(raw), b.predict_interval_arrays(raw), strict=True)
        )
    ca, cb = a.contributions(raw), b.contributions(raw)
    pairs += [(ca[0], cb[0]), (ca[1], cb[1])]
    return ca[2] == cb[2] and all(
        np.asarray(x).tobytes() == np.asarray(y).tobytes() for x, y in pairs
    )


class ForecastCache:
    """One forecast's use of the caches: ``enabled=False`` neither reads nor writes;
    ``refit=True`` ignores what is cached and stores the new results over it."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        refit: bool = False,
        settings: catalog.Settings | None = None,
    ) -> None:
        self.enabled = enabled
        self.refit = refit
        if enabled:
            s = settings or catalog.Settings.from_env()
            self.models = model_store(s)
            self.panels = panel_store(s)
        self._warned: set[str] = set()

    @property
    def reads(self) -> bool:
        return self.enabled and not self.refit

    def _warn_once(self, what: str, message: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            warnings.warn(message, FoedusWarning, stacklevel=3)

    def _read(
        self, store: str, name_of: Callable[[str], str], key: dict[str, Any]
    ) -> tuple[str, bytes] | None:
        """The entry name and verified bytes under ``key`` in the store ``store`` (``"models"``
        or ``"panels"``; a disabled cache has none), or None (not reading, absent, or damaged:
        the store removes and reports damage)."""
        if not self.reads:
            return None
        sha = key_digest(key)
        name = name_of(sha)
        data = getattr(self, store).read(name, source_sha256=sha, version=ENTRY_VERSION)
        return None if data is None else (name, data)

    # -- models --------------------------------------------------------------------------------

    def get_model(self, key: dict[str, Any]) -> FormationModel | None:
        """The cached fit under ``key``, or None (a damaged entry is removed, with a warning)."""
        got = self._read("models", model_name, key)
        if got is None:
            return None
        name, data = got
        try:
            doc = json.loads(data.decode("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != MODEL_ENTRY:
                raise ValueError("it is not a model-cache entry")
            if doc.get("key") != key:
                raise ValueError("it holds a model of another key")
            m = model_from_dict(doc["model"], source=f"the cached model {self.models.path(name)}")
            spec = key["spec"]
            if model_params(m) != spec["params"] or list(m.years_) != list(spec["training_years"]):
                raise ValueError("its model is not the one its key describes")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            self.models.damaged(name, str(e).splitlines()[0][:300])
            return None
        return m

    def put_model(
        self, key: dict[str, Any], model: FormationModel, check: np.ndarray | None = None
    ) -> Path | None:
        """Keep ``model`` under ``key``. It is kept only if its JSON form reads back into a
        model that gives bit-identical results on the rows ``check``; otherwise a warning says
        it is not cached. A cache that cannot be written warns once (see the store)."""
        if not self.enabled:
            return None
        spec = key["spec"]
        what = f"the {model.kind} model fitted on {spec['training_years'][0]}-"
        what += f"{spec['training_years'][1]}"
        try:
            doc = _plain(
                model_to_dict(model, spec={"pledge": spec["pledge"], "horizon": spec["horizon"]})
            )
            doc["sha256"] = digest(doc)
            back = model_from_dict(doc, source="the fitted model")
            if check is not None and not _same_predictions(model, back, check):
                raise ModelFileError("read back, it does not forecast exactly as fitted")
        except (ModelFileError, ValueError, TypeError) as e:
            msg = e.message if isinstance(e, FoedusError) else str(e)
            self._warn_once(
                "model-refused",
                f"{what} is not kept in the model cache ({msg.splitlines()[0][:300]}); it is "
                "refitted next time",
            )
            return None
        data = _canonical({"format": MODEL_ENTRY, "key": key, "model": doc})
        sha = key_digest(key)
        return self.models.write(
            model_name(sha),
            data,
            source=what.removeprefix("the "),
            source_sha256=sha,
            version=ENTRY_VERSION,
            key=key,
        )

    # -- panels --------------------------------------------------------------------------------

    def get_panel(self, key: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, int]] | None:
        """The cached panel and last years under ``key``, or None (a damaged entry is removed,
        with a warning)."""
        got = self._read("panels", panel_name, key)
        if got is None:
            return None
        name, data = got
        try:
            info = json.loads(pl.read_parquet_metadata(io.BytesIO(data))[PANEL_META])
            if not isinstance(info, dict) or info.get("format") != PANEL_ENTRY:
                raise ValueError("it is not a panel-cache entry")
            if info.get("key") != key:
                raise ValueError("it holds a panel of another key")
            last = info.get("last_years")
            if not isinstance(last, dict) or not all(
                isinstance(k, str) and type(v) is int for k, v in last.items()
            ):
                raise ValueError("its last years are not a table of years")
            frame = pl.read_parquet(io.BytesIO(data))
        except (Exception, pl.exceptions.PanicException) as e:  # verified yet unreadable
            self.panels.damaged(name, f"{type(e).__name__}: {str(e).splitlines()[0][:300]}")
            return None
        return frame, last

    def put_panel(
        self, key: dict[str, Any], panel: pl.DataFrame, last: Mapping[str, int]
    ) -> Path | None:
        """Keep ``panel`` and its sources' ``last`` years under ``key``."""
        if not self.enabled:
            return None
        info = {"format": PANEL_ENTRY, "key": key, "last_years": dict(last)}
        buf = io.BytesIO()
        panel.write_parquet(buf, metadata={PANEL_META: json.dumps(info)})
        sha = key_digest(key)
        spec = key["spec"]
        return self.panels.write(
            panel_name(sha),
            buf.getvalue(),
            source=f"forecast panel {spec['years'][0]}-{spec['years'][1]} ({spec['pledge']})",
            source_sha256=sha,
            version=ENTRY_VERSION,
            key=key,
        )
