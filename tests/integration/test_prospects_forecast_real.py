"""As-of forecasts on the real data: the extended panel, the treaty file, leakage, the CLI."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from foedus.cli import app
from foedus.prospects.data import FEATURES, KEYS, formation_panel
from foedus.prospects.forecast import forecast, forecast_panel
from foedus.prospects.persist import digest
from foedus.prospects.treaties import read_treaties
from tests.unit.test_cli import run

RUS, CHN, BLR = 365, 710, 370


@pytest.fixture(scope="module")
def extended():
    return forecast_panel((2015, 2023))


@pytest.fixture(scope="module")
def with_treaty(tmp_path_factory):
    path = tmp_path_factory.mktemp("treaties") / "t.csv"
    path.write_text(
        "treaty,signed,parties,pledge,source\n"
        "hypothetical pact,2021-07-01,Russia;China,defense,a test scenario\n",
        encoding="utf-8",
    )
    tr = read_treaties(path)
    return forecast_panel((2015, 2023), treaties=tr), tr


def test_rows_inside_the_data_are_the_formation_panels(extended):
    panel, last = extended
    ref = formation_panel(years=(1946, 2023))
    assert panel.height == ref.height  # every join kept the rows
    assert panel.select(KEYS).equals(ref.select(KEYS))
    # MIDs end in 2014: from 2016 on their features are carried forward, all else is equal
    mids = ["mid_ongoing", "mid_years_10", "common_mid_opponents"]
    inside = panel.filter(pl.col("year") <= 2019).drop("carried")
    assert inside.drop(mids).equals(ref.filter(pl.col("year") <= 2019).drop(mids))
    assert inside.filter(pl.col("year") <= 2015).equals(ref.filter(pl.col("year") <= 2015))
    assert last["atop"] == 2018 and last["mids"] == 2014 and last["unvotes"] >= 2019


def test_past_the_data_the_2018_alliance_state_is_carried_and_aged(extended):
    panel, _ = extended
    y19 = panel.filter(pl.col("year") == 2019)
    y23 = panel.filter(pl.col("year") == 2023)
    both = y19.join(y23, on=["ccode1", "ccode2"], suffix="_23")
    assert both.height > 15_000
    assert both["at_risk_23"].null_count() == 0
    assert (both["at_risk"] == both["at_risk_23"]).all()
    assert (both["allies1"] == both["allies1_23"]).all()
    assert (both["shared_allies"] == both["shared_allies_23"]).all()
    risk = both.filter(pl.col("at_risk"))
    assert (risk["years_since_pledge_23"] == risk["years_since_pledge"] + 4).all()
    assert (risk["ever_pledge_23"] == risk["ever_pledge"]).all()
    # carried-forward sources: MIDs take the value of 2014 (target year 2015), UN votes 2019
    y15 = panel.filter(pl.col("year") == 2015).select("ccode1", "ccode2", "mid_years_10")
    m = y23.join(y15, on=["ccode1", "ccode2"], suffix="_15")
    assert m["mid_years_10"].equals(m["mid_years_10_15"], check_names=False)
    assert (y23["carried"].str.contains("mids") & y23["carried"].str.contains("atop")).all()
    assert not panel.filter(pl.col("year") == 2015)["carried"].str.contains("mids").any()


def test_a_treaty_from_the_file_updates_the_alliance_state(extended, with_treaty):
    base, _ = extended
    (panel, _), _tr = with_treaty
    assert panel.height == base.height

    def row(p, a, b, year):
        return p.filter(
            (pl.col("ccode1") == a) & (pl.col("ccode2") == b) & (pl.col("year") == year)
        ).row(0, named=True)

    assert row(panel, RUS, CHN, 2021)["at_risk"] is True  # signed in 2021: tied from 2021
    assert row(panel, RUS, CHN, 2022)["at_risk"] is False
    assert row(panel, RUS, CHN, 2023)["years_since_pledge"] == 0
    b, t = row(base, RUS, CHN, 2022), row(panel, RUS, CHN, 2022)
    assert t["allies1"] == b["allies1"] + 1 and t["allies2"] == b["allies2"] + 1
    # Belarus, Russia's ally, now shares Russia with China
    assert (
        row(panel, BLR, CHN, 2022)["shared_allies"]
        == row(base, BLR, CHN, 2022)["shared_allies"] + 1
    )
    assert row(panel, BLR, CHN, 2021)["shared_allies"] == row(base, BLR, CHN, 2021)["shared_allies"]


def test_forecasts_carry_intervals_contributions_and_vintages(extended):
    res = forecast((2016, 2023), [(RUS, CHN)], panel=extended)
    fc = res.forecasts
    assert fc["year"].to_list() == list(range(2016, 2024))
    assert (fc["p_lo"] < fc["p"]).all() and (fc["p"] < fc["p_hi"]).all()
    assert fc.filter(pl.col("year") <= 2018)["onset"].null_count() == 0  # observed
    assert fc.filter(pl.col("year") >= 2019)["p_cum"].null_count() == 0
    cum = fc.filter(pl.col("year") >= 2019)["p_cum"].to_numpy()
    assert np.all(np.diff(cum) > 0)
    # each year inside the data has its own as-of model; later years share the last one
    assert [m["training_years"][1] for m in res.models] == [2015, 2016, 2017, 2018]
    names = {v["source"] for v in res.vintages}
    assert {"atop", "nmc", "mids", "unvotes"} <= names
    assert all(len(d["sha256"]) == 64 for v in res.vintages for d in v["datasets"])


def test_a_forecast_inside_the_data_is_the_backtests_prediction(extended):
    from foedus.prospects.backtest import backtest

    res = forecast((2012, 2012), top=100_000, panel=extended)
    bt = backtest(formation_panel(years=(1946, 2012)), 2012, 2012, baselines=False)
    both = res.forecasts.join(bt.predictions, on=KEYS, how="inner")
    assert both.height == res.forecasts.height == bt.predictions.height
    np.testing.assert_allclose(both["p"], both["p_model"], rtol=1e-9)
    np.testing.assert_allclose(both["p_lo"], both["p_model_lo"], rtol=1e-9)


def test_a_forecast_for_T_ignores_every_data_of_T_and_later(extended):
    panel, last = extended
    T = 2012
    res = forecast((T, T), top=50, panel=(panel, last))
    rng = np.random.default_rng(0)
    late = pl.col("year") > T
    noise = {f: pl.Series(rng.normal(size=panel.height)) for f in FEATURES}
    falsified = panel.with_columns(
        # outcomes of T and later flipped; every feature of later years replaced by noise
        onset=pl.when(pl.col("year") >= T).then(1 - pl.col("onset")).otherwise(pl.col("onset")),
        **{f: pl.when(late).then(noise[f]).otherwise(pl.col(f)) for f in FEATURES},
    )
    again = forecast((T, T), top=50, panel=(falsified, last))
    assert res.forecasts.select(*KEYS, "p", "p_lo", "p_hi").equals(
        again.forecasts.select(*KEYS, "p", "p_lo", "p_hi")
    )


def test_cli_forecast_json_and_bad_input(tmp_path):
    runner = CliRunner()
    saved = tmp_path / "model.json"
    r = runner.invoke(
        app,
        [
            "forecast",
            "Russia",
            "China",
            "--years",
            "2018-2020",
            "--json",
            "--save-model",
            str(saved),
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    # a saved model gives the same forecasts past the data; a changed vintage is warned about
    d = json.loads(saved.read_text())
    d["vintages"][0]["datasets"][0]["sha256"] = "0" * 64
    d["sha256"] = digest(d)  # a file as foedus would have written it from other data
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(d))
    r2 = run(
        "forecast", "RUS", "CHN", "--years", "2019-2020", "--json", "--model-file", str(tampered)
    )
    assert r2.returncode == 0, r2.stderr
    assert "other versions of ps-atop-alliance" in r2.stderr.replace("\n", " ")
    again = json.loads(r2.stdout)["forecasts"]
    assert [f["p"] for f in again] == [f["p"] for f in out["forecasts"][1:]]
    assert [f["year"] for f in out["forecasts"]] == [2018, 2019, 2020]
    assert out["forecasts"][0]["onset"] == 0 and out["forecasts"][-1]["onset"] is None
    assert set(out["forecasts"][1]["contributions"]) >= {"(base)", "years_since_pledge"}
    assert {"p_lo", "p_hi", "p_cum", "p_cum_lo", "carried"} <= set(out["forecasts"][2])
    bad = tmp_path / "bad.csv"
    bad.write_text("treaty,signed,parties,pledge,source\nx,2010-01-01,Russia;China,defense,s\n")
    r = run("forecast", "--year", "2021", "--treaties", str(bad))
    assert r.returncode == 2 and "line 2" in r.stderr and "Traceback" not in r.stderr
    r = run("forecast", "Russia", "Chian", "--year", "2021")
    assert r.returncode == 2 and "China" in r.stderr  # a suggestion
    r = run("forecast", "--year", "2031")
    assert r.returncode == 2 and "2026" in r.stderr


def test_a_forecast_past_the_data_for_allied_pairs_only_has_no_rows_at_risk():
    """The US and the UK are allied in 2018: past the data no year is at risk, and the
    cumulative probability is null instead of a crash (found by the claims ledger)."""
    r = forecast((2021, 2022), [(2, 200)], cache=False)
    f = r.forecasts
    assert f.height == 2 and not f["at_risk"].any()
    assert f["p"].is_null().all() and f["p_cum"].is_null().all()
