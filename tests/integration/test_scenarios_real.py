"""Scenarios on the real data: the example files run end to end, each consequence moves as it
should, and a scenario the world contradicts is refused with its line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from foedus.errors import InvalidArgumentError, ScenarioError
from foedus.scenarios.run import run_scenario
from foedus.scenarios.spec import build_world, parse_scenario, read_scenario

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).parents[2] / "examples" / "scenarios"
USA, RUS, CHN, JPN, ROK, FIN, SWE = 2, 365, 710, 740, 732, 375, 380


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "foedus", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture(scope="module")
def rus_chn():
    return run_scenario(EXAMPLES / "rus-chn-2021.toml", draws=200)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_the_examples_are_valid_and_apply(path):
    sc = read_scenario(path)
    w = build_world(sc)
    assert sc.changes and w.changes and not w.is_baseline and w.last_year >= sc.year


def test_a_russia_china_pact(rus_chn):
    s = rus_chn.sections
    net = s["network"]
    assert net["direct_gained"] == [[RUS, CHN]] and net["direct_lost"] == []
    assert list(net["same_community"]) == [False, True]
    blocs = s["blocs"]
    assert blocs["delta"]["parties_share"] > 0.2  # Russia's bloc gains China's capabilities
    rus = next(p for p in s["dependence"]["parties"] if p["ccode"] == RUS)
    assert rus["gain_scenario"] > rus["gain_baseline"]
    assert s["dependence"]["most_dependent"] == RUS and s["dependence"]["asymmetric"]
    eu = {(d["challenger"], d["target"]): d for d in s["war_trap"]["dyads"]}
    assert eu[(USA, CHN)]["delta"] != 0 and eu[(USA, CHN)]["third_parties"]
    th = {c["front"]: c for c in s["theatre"]["comparisons"]}
    assert th["Russia"]["secured"] and th["Russia"]["force_scenario"] == 0
    assert th["Taiwan"]["force_ratio_scenario"] > th["Taiwan"]["force_ratio_baseline"]
    assert s["theatre"]["illustration"] is True
    cr = s["conflict_risk"]
    risk = {(d["challenger"], d["target"]): d for d in cr["dyads"]}
    assert set(risk) == {(USA, CHN), (USA, RUS), (CHN, 713), (CHN, 750), (RUS, 369)}
    assert risk[(USA, CHN)]["changed"] and risk[(USA, CHN)]["delta_lo"] <= 0
    assert risk[(USA, CHN)]["baseline_lo"] < risk[(USA, CHN)]["baseline"]
    # North Korea against China: China gains its first defender other than North Korea
    top = cr["movers"][0]
    assert (top["challenger"], top["target"]) == (731, CHN)
    assert top["changed"]["target_defended"] == [0.0, 1.0]
    total = cr["total"]
    assert total["n_dyads"] + total["n_missing"] == cr["n_affected"] > 500
    assert total["delta_lo"] <= total["delta"] <= total["delta_hi"]
    assert "cow_mids: 2014" in cr["carried"]
    frame = rus_chn.frame()
    assert frame.height == len(rus_chn.rows) and set(frame["consequence"]) >= {
        "blocs",
        "war_trap",
        "dependence",
        "network",
        "conflict_risk",
    }
    json.dumps(rus_chn.to_dict())  # plain JSON types


def test_finland_and_sweden_join_nato():
    r = run_scenario(EXAMPLES / "fin-swe-nato-2023.toml", draws=100)
    gained = {tuple(p) for p in r.sections["network"]["direct_gained"]}
    # (with the EU members Finland and Sweden already share its mutual defence clause)
    assert {(USA, FIN), (USA, SWE), (20, FIN), (20, SWE), (FIN, 385), (SWE, 385)} <= gained


def test_the_united_states_leaves_east_asia():
    r = run_scenario(EXAMPLES / "usa-leaves-east-asia-2025.toml", draws=100)
    lost = {tuple(p) for p in r.sections["network"]["direct_lost"]}
    assert {(USA, ROK), (USA, JPN)} <= lost and (USA, 900) not in lost
    assert r.sections["blocs"]["delta"]["parties_share"] < 0


def test_a_tie_that_already_exists_names_its_line():
    text = """\
[scenario]
year = 2021

[[changes]]
kind = "add"
pledge = "defense"
between = ["United States", "Japan"]
"""
    with pytest.raises(ScenarioError) as e:
        build_world(parse_scenario(text, "dup.toml"))
    assert e.value.line == 4 and "already have a defense pledge in 2021" in str(e.value)


def test_the_command_line(tmp_path):
    r = cli("scenario", "check", str(EXAMPLES / "rus-chn-2021.toml"))
    assert r.returncode == 0 and "valid" in r.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nyear = 2021\n\n[[changes]]\nkind = "ad"\n')
    r = cli("scenario", "check", str(bad))
    assert r.returncode == 2 and "line 5" in r.stderr and "did you mean 'add'" in r.stderr
    out = tmp_path / "r.parquet"
    r = cli(
        "scenario",
        "run",
        str(EXAMPLES / "rus-chn-2021.toml"),
        "--draws",
        "100",
        "--parquet",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert "war_trap" in r.stdout and out.exists()
    t = pl.read_parquet(out)
    assert {"consequence", "item", "measure", "baseline", "scenario", "delta"} <= set(t.columns)
    r = cli("scenario", "run", str(EXAMPLES / "rus-chn-2021.toml"), "--json", "--draws", "100")
    assert r.returncode == 0 and json.loads(r.stdout)["scenario"]["year"] == 2021
    r = cli("scenario", "run", str(tmp_path / "none.toml"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_a_pact_sweep_equals_the_scenario_consequences(tmp_path, rus_chn):
    from foedus.scenarios.sweep import run_family

    out = tmp_path / "sweep.parquet"
    f = run_family("pacts", year=2021, top=8, output=out, draws=200)
    assert pl.read_parquet(out).equals(f)
    row = f.filter(
        ((pl.col("a") == RUS) & (pl.col("b") == CHN))
        | ((pl.col("a") == CHN) & (pl.col("b") == RUS))
    ).row(0, named=True)
    s = rus_chn.sections
    first = next(p for p in s["blocs"]["scenario"]["party_blocs"] if p["ccode"] == row["a"])
    assert row["a_bloc_share_after"] == pytest.approx(first["share"], rel=1e-9)
    dep = {p["ccode"]: p for p in s["dependence"]["parties"]}
    assert row["a_gain_after"] == pytest.approx(dep[row["a"]]["gain_scenario"], rel=1e-9)
    net = s["network"]
    assert row["indirect_after"] - row["indirect_before"] == (
        net["n_indirect_gained"] - net["n_indirect_lost"]
    )
    # the sweep's fast path gives the scenario's conflict risk (same seed, same draws)
    total = s["conflict_risk"]["total"]
    assert row["cr_dyads"] == s["conflict_risk"]["n_affected"]
    assert row["cr_expected"] == pytest.approx(total["baseline"], rel=1e-9)
    assert row["cr_expected_delta"] == pytest.approx(total["delta"], rel=1e-6)
    assert row["cr_expected_delta_lo"] == pytest.approx(total["delta_lo"], rel=1e-6)
    assert row["cr_top_dyad"] == "731->710"
    # a failed sweep writes nothing
    bad = tmp_path / "bad.parquet"
    with pytest.raises(InvalidArgumentError, match="top=1"):
        run_family("pacts", year=2021, top=1, output=bad)
    assert not bad.exists()


def test_a_pact_sweep_gives_the_same_rows_on_a_local_cluster():
    """Seeded sweeps give identical rows in this process and on a 2-worker Dask cluster (the
    context is pickled to the workers; sums over sets must not depend on their order: among
    the top 60 powers' pacts, unordered sums of allies' shares differed in the last bit)."""
    from foedus.scenarios.sweep import run_family

    kw = {"year": 2021, "top": 60, "root_seed": 3, "conflict_risk": False}
    here = run_family("pacts", **kw)
    there = run_family("pacts", **kw, n_workers=2)
    assert here.height > 1000 and here.equals(there)
    kw = {"year": 2021, "top": 6, "root_seed": 3, "draws": 100}
    here = run_family("pacts", **kw)
    there = run_family("pacts", **kw, n_workers=2)
    assert here.height > 5 and "cr_expected_delta" in here.columns and here.equals(there)


def test_the_default_pact_scenario_adds_a_new_pact_or_removes_one_in_force():
    from foedus.scenarios.pact import pact_scenario

    p = pact_scenario(["Russia", "China"], 2021, opponents=["United States"])
    assert p.direction == "add" and p.new_pairs == ((RUS, CHN),) and not p.existing_pairs
    assert "theatre" in p.scenario.compute and p.scenario.opponents == (USA,)
    res = run_scenario(p.scenario, draws=50)
    assert res.sections["network"]["direct_gained"] == [[RUS, CHN]]
    q = pact_scenario(["USA", "Japan"], 1960)
    assert q.direction == "remove" and q.existing_pairs == ((USA, JPN),)
    assert "theatre" not in q.scenario.compute and "without" in q.scenario.name
    assert run_scenario(q.scenario, draws=50).sections["network"]["direct_lost"] == [[USA, JPN]]
    three = pact_scenario(["Russia", "China", "Iran"], 2021)
    assert len(three.new_pairs) == 3
    with pytest.raises(InvalidArgumentError, match="two or more"):
        pact_scenario(["Russia"], 2021)
    with pytest.raises(InvalidArgumentError, match="named twice"):
        pact_scenario(["Russia", "RUS"], 2021)
    with pytest.raises(InvalidArgumentError, match="both a party and an opponent"):
        pact_scenario(["Russia", "China"], 2021, opponents=["China"])
