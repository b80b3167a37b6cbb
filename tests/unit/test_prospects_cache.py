"""The forecast cache (fitted models and forecast panels) on a synthetic formation panel:
cached forecasts equal fresh ones bit for bit, every part of the key matters, damaged entries
are never used, and a cache that cannot be written never stops a forecast."""

from __future__ import annotations

import dataclasses
import errno
import json
import warnings

import numpy as np
import polars as pl
import pytest

import foedus
from foedus import catalog, files, maintenance
from foedus.errors import FoedusWarning
from foedus.prospects import cache
from foedus.prospects import forecast as fc
from foedus.prospects.data import FEATURES, KEYS
from foedus.prospects.models import FormationModel, training_rows

YEARS = (2017, 2020)  # three as-of models: 2017, 2018 and the one for 2019-2020
PAIRS = [(2, 20), (200, 365)]


def synthetic_panel(n_dyads: int = 150, seed: int = 0) -> pl.DataFrame:
    """A formation panel 1946-2020: every feature, onsets from a logit of two of them, outcomes
    unknown after 2018 (as past ATOP's end), a few missing UN votes."""
    rng = np.random.default_rng(seed)
    codes = [(2, 20), (200, 365), *[(300 + i, 700 + i) for i in range(n_dyads - 2)]]
    years = np.arange(1946, 2021)
    c1 = np.repeat([a for a, _ in codes], years.size)
    c2 = np.repeat([b for _, b in codes], years.size)
    yr = np.tile(years, len(codes))
    n = yr.size
    cols: dict[str, object] = {"ccode1": c1, "ccode2": c2, "year": yr}
    for f in FEATURES:
        cols[f] = rng.normal(size=n)
    cols["un_agree"] = np.where(rng.random(n) < 0.1, np.nan, cols["un_agree"])
    eta = -3.5 + 0.6 * cols["cinc_total"] - 0.4 * cols["log_capdist"]  # type: ignore[operator]
    onset = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int8)
    return (
        pl.DataFrame(cols)
        .with_columns(
            pl.col("ccode1", "ccode2", "year").cast(pl.Int32),
            pl.col("un_agree").fill_nan(None),
            at_risk=pl.lit(True),
            onset=pl.when(pl.col("year") <= 2018).then(pl.lit(onset)).otherwise(None),
            carried=pl.when(pl.col("year") > 2019).then(pl.lit("atop")).otherwise(pl.lit("")),
        )
        .select(*KEYS, "at_risk", "onset", *FEATURES, "carried")
        .sort(KEYS)
    )


@pytest.fixture(scope="module")
def panel() -> tuple[pl.DataFrame, dict[str, int]]:
    return synthetic_panel(), {"atop": 2018}


@pytest.fixture(autouse=True)
def _no_country_names(monkeypatch):
    # the country index needs the real state lists; the unit tests have no data
    monkeypatch.setattr(fc, "_names", lambda frame: frame)


def run(panel, **kw) -> tuple[fc.ForecastResult, list[tuple[int, int, str]]]:
    fits: list[tuple[int, int, str]] = []
    res = fc.forecast(
        YEARS, PAIRS, panel=panel, on_fit=lambda i, n, w: fits.append((i, n, w)), **kw
    )
    return res, [f for f in fits if f[2]]


def same(a: fc.ForecastResult, b: fc.ForecastResult) -> bool:
    cols = ["p", "p_lo", "p_hi", "p_cum", "p_cum_lo", "p_cum_hi"]
    bits = all(
        a.forecasts[c].to_numpy().tobytes() == b.forecasts[c].to_numpy().tobytes() for c in cols
    )
    return (
        bits
        and a.forecasts.equals(b.forecasts)
        and a.contributions.equals(b.contributions)
        and a.models == b.models
    )


def entries(kind: str = "models") -> list:
    d = catalog.Settings.from_env().cache_dir / kind
    return sorted(p for p in d.iterdir() if not p.name.endswith(".json")) if d.is_dir() else []


# --- hits, misses, refits -------------------------------------------------------------------


def test_a_cached_forecast_equals_the_uncached_one_bit_for_bit(panel):
    fresh, fits = run(panel, cache=False)
    assert len(fits) == 3 and entries() == []  # nothing kept without the cache
    cold, fits = run(panel)
    assert [f[:2] for f in fits] == [(0, 3), (1, 3), (2, 3)]
    assert len(entries()) == 3
    warm, fits = run(panel)
    assert fits == []  # every model came from the cache
    assert same(fresh, cold) and same(fresh, warm)
    ranked = fc.forecast((2019, 2019), top=5, panel=panel)  # a ranking reuses the final model
    again = fc.forecast((2019, 2019), top=5, panel=panel, cache=False)
    assert ranked.forecasts.equals(again.forecasts) and len(entries()) == 3


def test_refit_ignores_the_cache_and_stores_anew(panel):
    first, _ = run(panel)
    before = {p.name: p.read_bytes() for p in entries()}
    again, fits = run(panel, refit=True)
    assert len(fits) == 3 and same(first, again)
    assert {p.name: p.read_bytes() for p in entries()} == before  # the same fits, re-stored


def test_another_specification_or_data_vintage_misses_the_cache(panel, monkeypatch):
    run(panel)
    _, fits = run(panel, n_bootstrap=5)  # a hyper-parameter
    assert len(fits) == 3
    shifted = panel[0].with_columns(pl.col("cinc_total") * 1.0001)
    _, fits = run((shifted, panel[1]))  # other training rows (a panel given by the caller)
    assert len(fits) == 3
    get = catalog.get

    def other_vintage(name):
        ds = get(name)
        return dataclasses.replace(ds, sha256="0" * 64) if ds.name == "ps-cow-nmc" else ds

    monkeypatch.setattr(catalog, "get", other_vintage)
    _, fits = run(panel)
    assert len(fits) == 3


# --- the key --------------------------------------------------------------------------------


def test_every_part_of_the_key_changes_it(panel, monkeypatch):
    t = training_rows(panel[0], FEATURES)
    rows = cache.training_digests(t.raw, t.y, t.dyads, [100, 200])
    assert rows[100] != rows[200]
    assert cache.training_digests(t.raw, t.y, t.dyads, [200]) == {200: rows[200]}
    spec = FormationModel(kind="relogit", features=list(FEATURES), n_bootstrap=20)
    base = {
        "pledge": "defense",
        "horizon": 1,
        "years": (1946, 2016),
        "training": rows[100],
        "datasets": fc.PANEL_DATASETS,
    }

    def key(model=spec, **kw):
        return cache.key_digest(cache.model_key(model, **{**base, **kw}))

    k0 = key()
    assert key() == k0  # deterministic
    variants = {
        "kind": key(dataclasses.replace(spec, kind="logit")),
        "features": key(dataclasses.replace(spec, features=list(FEATURES)[::-1])),
        "fewer features": key(dataclasses.replace(spec, features=list(FEATURES)[:-1])),
        "max_iter": key(dataclasses.replace(spec, max_iter=100)),
        "n_bootstrap": key(dataclasses.replace(spec, n_bootstrap=10)),
        "random_state": key(dataclasses.replace(spec, random_state=1)),
        "gbm_params": key(dataclasses.replace(spec, gbm_params={"max_iter": 10})),
        "pledge": key(pledge="offense"),
        "horizon": key(horizon=2),
        "training years": key(years=(1946, 2017)),
        "training rows": key(training=rows[200]),
        "data sets": key(datasets=fc.PANEL_DATASETS[:-1]),
    }
    get = catalog.get
    with monkeypatch.context() as m:
        m.setattr(
            catalog,
            "get",
            lambda n: dataclasses.replace(get(n), sha256="1" * 64) if n == "cow-states" else get(n),
        )
        variants["a data set's sha256"] = key()
    with monkeypatch.context() as m:
        m.setattr(foedus, "__version__", "99.0")
        variants["foedus version"] = key()
    with monkeypatch.context() as m:
        m.setattr(cache, "MODEL_FORMAT", "foedus.model/99")
        variants["model-file format"] = key()
    with monkeypatch.context() as m:
        m.setattr(cache, "code_digest", lambda: "f" * 64)
        variants["foedus code"] = key()
    assert key() == k0
    assert k0 not in variants.values()
    assert len(set(variants.values())) == len(variants)
    p0 = cache.panel_key(
        years=(1946, 2026), pledge="defense", horizon=1, treaties=None, datasets=["cow-states"]
    )
    tr = pl.DataFrame({"treaty": ["t"], "ccode1": [2], "ccode2": [20], "pledge": ["defense"]})
    d1 = cache.treaties_digest(tr, ["treaty", "ccode1", "ccode2", "pledge"])
    d2 = cache.treaties_digest(tr.with_columns(ccode2=pl.lit(200)), ["treaty", "ccode1", "ccode2"])
    assert d1 is not None and d1 != d2
    for other in (
        {"years": (1946, 2025)},
        {"pledge": "any"},
        {"horizon": 3},
        {"treaties": d1},
        {"datasets": ["cow-states", "gw-states"]},
    ):
        kw = {
            "years": (1946, 2026),
            "pledge": "defense",
            "horizon": 1,
            "treaties": None,
            "datasets": ["cow-states"],
            **other,
        }
        assert cache.key_digest(cache.panel_key(**kw)) != cache.key_digest(p0)


# --- damaged entries ------------------------------------------------------------------------


def _damage(how: str) -> None:
    path = entries()[0]
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flipped":
        i = len(data) // 3
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :])
    elif how == "manifest":
        cache.model_store().manifest_of(path).write_text("{not json", encoding="utf-8")


@pytest.mark.parametrize("how", ["truncated", "flipped", "manifest"])
def test_a_damaged_model_is_removed_and_refitted(panel, how):
    first, _ = run(panel)
    victim = entries()[0].name
    _damage(how)
    if how == "manifest":  # an entry without a valid manifest is simply not served
        again, fits = run(panel)
    else:
        with pytest.warns(FoedusWarning, match="damaged"):
            again, fits = run(panel)
    assert len(fits) == 1 and same(first, again)
    assert victim in {p.name for p in entries()}  # refitted and stored again
    _, fits = run(panel)
    assert fits == []


def test_an_entry_of_another_key_is_never_used(panel):
    """A valid entry (with a consistent manifest) of one key stored under another key's name:
    a wrong specification. It is removed with a warning and the model refitted."""
    first, _ = run(panel)
    store = cache.model_store()
    a, b = entries()[:2]
    mb = json.loads(store.manifest_of(b).read_text(encoding="utf-8"))
    store.write(
        b.name,
        a.read_bytes(),
        source=mb["source"]["name"],
        source_sha256=mb["source"]["sha256"],
        version=mb["version"],
        key=mb["key"],
    )
    with pytest.warns(FoedusWarning, match="another key"):
        again, fits = run(panel)
    assert len(fits) == 1 and same(first, again)
    # a plain copy (file and manifest) under another name is not served either
    store.manifest_of(b).write_bytes(store.manifest_of(a).read_bytes())
    b.write_bytes(a.read_bytes())
    again, fits = run(panel)
    assert len(fits) == 1 and same(first, again)


def test_a_cached_panel_round_trips_and_a_damaged_one_is_not_served(panel):
    frame, _ = panel
    last = {"atop": 2018, "mids": 2014}
    key = cache.panel_key(
        years=(1946, 2020), pledge="defense", horizon=1, treaties=None, datasets=["cow-states"]
    )
    store = cache.ForecastCache()
    assert store.get_panel(key) is None
    assert store.put_panel(key, frame, last) is not None
    got = store.get_panel(key)
    assert got is not None and got[0].equals(frame) and got[1] == last
    assert got[0].schema == frame.schema
    other = {**key, "spec": {**key["spec"], "years": [1946, 2019]}}
    assert store.get_panel(other) is None
    assert cache.ForecastCache(refit=True).get_panel(key) is None
    assert cache.ForecastCache(enabled=False).get_panel(key) is None
    (path,) = entries("panels")
    data = path.read_bytes()
    path.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    with pytest.warns(FoedusWarning, match="damaged"):
        assert store.get_panel(key) is None
    assert entries("panels") == []


# --- a cache that cannot be written ---------------------------------------------------------


def test_a_cache_that_is_a_file_does_not_stop_the_forecast(panel, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(blocker))
    ref, _ = run(panel, cache=False)
    with pytest.warns(FoedusWarning, match="could not keep the model cache") as caught:
        res, fits = run(panel)
    assert len(fits) == 3 and same(ref, res)
    assert sum("could not keep" in str(w.message) for w in caught) == 1  # one warning


def test_a_full_disk_does_not_stop_the_forecast(panel, monkeypatch):
    ref, _ = run(panel, cache=False)

    def full(target, data, *, role="output"):
        raise files.translate(OSError(errno.ENOSPC, "No space left on device"), target, role=role)

    monkeypatch.setattr(files, "write_bytes", full)
    with pytest.warns(FoedusWarning, match="No space left"):
        res, fits = run(panel)
    assert len(fits) == 3 and same(ref, res) and entries() == []


def test_a_model_that_could_not_be_read_back_is_not_kept(panel, monkeypatch):
    def broken(d, *, source="model"):
        raise cache.ModelFileError("the document is refused")

    monkeypatch.setattr(cache, "model_from_dict", broken)
    with pytest.warns(FoedusWarning, match="not kept in the model cache"):
        run(panel)
    assert entries() == []


# --- foedus data verify / clean -------------------------------------------------------------


def test_verify_and_clean_know_the_model_cache(panel, monkeypatch):
    run(panel)
    report = maintenance.check_cache()
    models = [e for e in report.entries if e.path.parent.name == "models"]
    assert len(models) == 3 and {e.state for e in models} == {"verified"}
    assert maintenance.clean_cache().items == []  # current entries stay
    with monkeypatch.context() as m:
        m.setattr(cache, "code_digest", lambda: "e" * 64)  # as after an upgrade
        stale = [e for e in maintenance.check_cache().entries if e.path.parent.name == "models"]
        assert {e.state for e in stale} == {"stale"} and "code" in stale[0].reason
        assert len(maintenance.clean_cache(dry_run=True).items) == 3
    gone = maintenance.clean_cache(models=True)
    assert len(gone.items) == 3 and entries() == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing damaged: no warning
        run(panel)
