"""The forecast cache on the real data: a cached forecast is the fresh one bit for bit, the
command line reads the cache and refits on --refit, and the panel reads only the data sets
whose sha256s are in the keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from foedus import catalog
from foedus.prospects.forecast import PANEL_DATASETS, forecast

RUS, CHN = 365, 710
COLUMNS = ["p", "p_lo", "p_hi", "p_cum", "p_cum_lo", "p_cum_hi"]


def foedus_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "foedus", *args],
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def test_a_cached_forecast_is_the_fresh_one_and_the_cli_reads_it():
    fits: list[str] = []

    def go(**kw):
        return forecast((2019, 2021), [(RUS, CHN)], on_fit=lambda i, n, w: fits.append(w), **kw)

    fresh = go(cache=False)
    cold = go()
    n_cold = len([f for f in fits if f])
    fits.clear()
    warm = go()
    assert n_cold == 2 and [f for f in fits if f] == []  # fresh and cold fitted; warm did not
    for res in (cold, warm):
        for c in COLUMNS:
            assert res.forecasts[c].to_numpy().tobytes() == fresh.forecasts[c].to_numpy().tobytes()
        assert res.forecasts.equals(fresh.forecasts)
        assert res.contributions.equals(fresh.contributions)
        assert res.models == fresh.models and res.last_years == fresh.last_years
    cache_dir = catalog.Settings.from_env().cache_dir
    assert len(list((cache_dir / "panels").glob("panel-*.parquet"))) == 1
    assert len(list((cache_dir / "models").glob("model-*.model"))) == 1
    # the command line: the same forecasts from the cache, without fitting; --refit refits
    r = foedus_cli("forecast", "RUS", "CHN", "--years", "2019-2021", "--json")
    assert r.returncode == 0, r.stderr
    assert "fitting" not in r.stderr and "building" not in r.stderr
    got = json.loads(r.stdout)["forecasts"]
    assert [f["p"] for f in got] == fresh.forecasts["p"].to_list()
    assert [f["p_cum_hi"] for f in got] == fresh.forecasts["p_cum_hi"].to_list()
    r = foedus_cli("forecast", "RUS", "CHN", "--years", "2019-2021", "--json", "--refit")
    assert r.returncode == 0, r.stderr
    assert "fitting 1 relogit model" in r.stderr and "building the formation panel" in r.stderr
    assert [f["p"] for f in json.loads(r.stdout)["forecasts"]] == [f["p"] for f in got]
    r = foedus_cli("data", "verify")
    assert "model-" in r.stdout and "panel-" in r.stdout


def test_the_panel_reads_only_data_sets_whose_vintages_are_in_the_keys(tmp_path):
    """Every data set the forecast panel loads leaves a parsed frame in a fresh cache."""
    code = "from foedus.prospects.forecast import forecast_panel; forecast_panel((2019, 2019))"
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "FOEDUS_CACHE_DIR": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    loaded = {
        json.loads(p.read_text(encoding="utf-8"))["source"]["name"]
        for p in Path(tmp_path, "frames").glob("*.json")
    }
    assert loaded and loaded <= set(PANEL_DATASETS), sorted(loaded - set(PANEL_DATASETS))
    assert np.all([catalog.get(n).sha256 for n in PANEL_DATASETS])
