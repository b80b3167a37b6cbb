"""Backtest reports: Markdown for people, JSON for machines."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from foedus.prospects.backtest import BacktestResult

LABELS = {
    "p_model": "model",
    "p_base": "base rate (climatology)",
    "p_heur": "heuristic (contiguity x major power cells)",
    "p_lit": "literature logit (reduced specification)",
}


def _md_table(df: pl.DataFrame, floats: int = 4) -> str:
    cols = df.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.iter_rows():
        cells = [f"{v:.{floats}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(res: BacktestResult, out: Path, *, pledge: str = "defense") -> list[Path]:
    """Write ``report.md``, ``results.json`` and ``predictions.parquet`` into ``out``."""
    from foedus.prospects.metrics import calibration_table

    out.mkdir(parents=True, exist_ok=True)
    pooled = res.pooled.with_columns(pl.col("model").replace(LABELS))
    y = res.predictions["onset"].to_numpy().astype(int)
    calib = calibration_table(y, res.predictions["p_model"].to_numpy(), bins=10)
    md = [
        f"# Backtest: onset of ATOP {pledge} pledges, {res.years[0]}-{res.years[1]}",
        "",
        f"Model: `{res.kind}`; horizon {res.horizon} year(s); rolling origin (fit on years "
        "before T, predict T); {n:,} scored at-risk dyad-years; {s:.1f} s.".format(
            n=res.predictions.height, s=res.seconds
        ),
        "",
        "## Pooled scores",
        "",
        _md_table(pooled),
        "",
        "## Calibration of the model (pooled, deciles of the forecast)",
        "",
        _md_table(calib),
        "",
        "## By year (model)",
        "",
        _md_table(res.per_year.filter(pl.col("model") == "p_model").drop("model")),
        "",
    ]
    paths = [out / "report.md", out / "results.json", out / "predictions.parquet"]
    paths[0].write_text("\n".join(md))
    paths[1].write_text(
        json.dumps(
            {
                "kind": res.kind,
                "years": list(res.years),
                "horizon": res.horizon,
                "seconds": res.seconds,
                "pooled": res.pooled.to_dicts(),
                "per_year": res.per_year.to_dicts(),
                "calibration": calib.to_dicts(),
            },
            indent=1,
            default=float,
        )
    )
    res.predictions.write_parquet(paths[2])
    return paths
