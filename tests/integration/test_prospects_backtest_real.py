"""The backtest and its command on the real data (a short range to keep the suite quick)."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from foedus.prospects.backtest import backtest
from foedus.prospects.data import formation_panel


def test_backtest_scores_every_at_risk_row_and_beats_the_base_rate():
    panel = formation_panel(years=(1946, 1975))
    res = backtest(panel, 1960, 1975)
    scored = panel.filter(
        pl.col("at_risk") & pl.col("onset").is_not_null() & pl.col("year").is_between(1960, 1975)
    )
    assert res.predictions.height == scored.height
    pooled = {r["model"]: r for r in res.pooled.iter_rows(named=True)}
    assert pooled["p_model"]["roc_auc"] > pooled["p_base"]["roc_auc"] + 0.2
    assert pooled["p_model"]["log_loss"] < pooled["p_base"]["log_loss"]
    assert set(res.per_year["year"].to_list()) <= set(range(1960, 1976))
    # top-20 watch lists: pooled recall = the onsets on the yearly lists / all onsets
    m = res.per_year.filter(pl.col("model") == "p_model")
    on_lists = (m["precision_at_k"] * m["n"].clip(upper_bound=20)).sum()
    assert pooled["p_model"]["recall_at_k"] == pytest.approx(
        on_lists / res.predictions["onset"].sum()
    )
    assert 0 < pooled["p_model"]["precision_at_k"] < 1
    assert pooled["p_model"]["recall_at_k"] > pooled["p_base"]["recall_at_k"]


def test_backtest_command_writes_the_report(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "foedus",
            "backtest",
            "--from",
            "1970",
            "--to",
            "1972",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["years"] == [1970, 1972] and len(res["pooled"]) == 5  # + the first stage
    assert len(res["counts"]) == 3 and 0 <= res["count_coverage"] <= 1
    assert "## Yearly number of onsets" in (tmp_path / "report.md").read_text()
    assert "## Pooled scores" in (tmp_path / "report.md").read_text()
    pred = pl.read_parquet(tmp_path / "predictions.parquet")
    assert pred.height > 0
    assert (pred["p_model_lo"] <= pred["p_model"]).all()
    assert (pred["p_model"] <= pred["p_model_hi"]).all()
    html = (tmp_path / "report.html").read_text()
    assert "Reliability" in html and "<script src='plotly.min.js'>" in html
    assert "cdn" not in html.lower() and (tmp_path / "plotly.min.js").stat().st_size > 1e6
