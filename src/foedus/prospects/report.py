"""Backtest reports: Markdown for people, JSON for machines."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus import files
from foedus.jsonout import strict_json
from foedus.prospects.backtest import BacktestResult

LABELS = {
    "p_model": "model",
    "p_first": "model, first stage (before the tail recalibration)",
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


def _figures(res: BacktestResult, calib: pl.DataFrame, lit: pl.DataFrame | None) -> list:
    """The reliability diagram and the yearly scores, as Plotly figures."""
    import plotly.graph_objects as go

    rel = go.Figure()
    for name, c in (("model", calib), ("literature logit", lit)):
        if c is None:
            continue
        rel.add_trace(
            go.Scatter(
                x=c["mean_forecast"].to_list(),
                y=c["observed_rate"].to_list(),
                mode="markers+lines",
                name=name,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (c["upper"] - c["observed_rate"]).to_list(),
                    "arrayminus": (c["observed_rate"] - c["lower"]).to_list(),
                },
                text=[f"n = {n:,}" for n in c["n"]],
            )
        )
    lo = max(1e-6, float(calib["mean_forecast"].min()) / 2)
    hi = min(1.0, float(calib["upper"].max()) * 2)
    rel.add_trace(
        go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="perfect", line={"dash": "dot"})
    )
    rel.update_layout(
        title="Reliability (deciles of the forecast; Wilson 95% intervals)",
        xaxis={"title": "mean forecast", "type": "log"},
        yaxis={"title": "observed onset rate", "type": "log"},
        height=480,
    )
    yearly = go.Figure()
    for m in res.per_year["model"].unique(maintain_order=True):
        g = res.per_year.filter(pl.col("model") == m)
        yearly.add_trace(
            go.Scatter(x=g["year"].to_list(), y=g["brier_skill"].to_list(), name=LABELS[m])
        )
    yearly.update_layout(
        title="Brier skill against the training base rate, by forecast year",
        xaxis={"title": "year"},
        yaxis={"title": "Brier skill (1 - Brier / Brier of the base rate)"},
        height=420,
    )
    return [rel, yearly]


def _html(title: str, intro: str, pooled: pl.DataFrame, figs: list) -> str:
    from html import escape

    head = "".join(f"<th>{escape(c)}</th>" for c in pooled.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{v:.4f}</td>" if isinstance(v, float) else f"<td>{escape(str(v))}</td>" for v in r
        )
        + "</tr>"
        for r in pooled.iter_rows()
    )
    body = "".join(f.to_html(full_html=False, include_plotlyjs=False) for f in figs)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><script src='plotly.min.js'></script>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:3px 6px;text-align:right}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(intro)}</p><h2>Pooled scores</h2>"
        f"<table><tr>{head}</tr>{rows}</table>{body}</body></html>"
    )


def _count_section(res: BacktestResult) -> list[str]:
    """The yearly count calibration: observed against expected onsets, the negative binomial
    interval of the model's second stage and the independent-dyads interval."""
    if res.counts is None or res.counts.height == 0:
        return []
    c = res.counts
    has = c["inside"].drop_nulls()
    line = (
        f"{int(has.sum())} of {has.len()} years ({res.count_coverage():.0%}) have their observed "
        "number of onsets inside the model's interval (negative binomial around the sum of the "
        "year's probabilities, overdispersion fitted on the earlier years' out-of-sample counts); "
        f"{int(c['indep_inside'].sum())} of {c.height} "
        f"({float(c['indep_inside'].mean()):.0%}) inside the interval that treats every dyad as "  # type: ignore[arg-type]
        "independent."
        if has.len()
        else "No year has a count interval (the model has no second stage)."
    )
    return ["## Yearly number of onsets (count calibration)", "", line, "", _md_table(c, 3), ""]


def write_report(res: BacktestResult, out: Path, *, pledge: str = "defense") -> list[Path]:
    """Write ``report.md``, ``report.html`` (with a reliability diagram and yearly scores;
    Plotly's script is written beside it, so the page works offline), ``results.json`` and
    ``predictions.parquet`` into ``out``."""
    from plotly.offline import get_plotlyjs

    from foedus.prospects.metrics import calibration_table

    files.check_output_dir(out)
    pooled = res.pooled.with_columns(pl.col("model").replace(LABELS))
    y = res.predictions["onset"].to_numpy().astype(int)
    calib = calibration_table(y, res.predictions["p_model"].to_numpy(), bins=10)
    md = [
        f"# Backtest: onset of ATOP {pledge} pledges, {res.years[0]}-{res.years[1]}",
        "",
        f"Model: `{res.kind}`; horizon {res.horizon} year(s); rolling origin (fit on years "
        "before T, predict T); {n:,} scored at-risk dyad-years; {s:.1f} s in all, {m:.1f} s "
        "fitting and predicting the model.".format(
            n=res.predictions.height, s=res.seconds, m=res.model_seconds
        ),
        "",
        *(
            [
                "Years in the range with no scorable at-risk dyad-year, not scored: "
                + ", ".join(map(str, res.skipped_years))
                + ".",
                "",
            ]
            if res.skipped_years
            else []
        ),
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
        *_count_section(res),
    ]
    paths = [out / "report.md", out / "results.json", out / "predictions.parquet"]
    files.write_text(paths[0], "\n".join(md))
    lit = (
        calibration_table(y, res.predictions["p_lit"].to_numpy(), bins=10)
        if "p_lit" in res.predictions.columns
        else None
    )
    title = md[0].removeprefix("# ")
    html = _html(title, md[2], pooled, _figures(res, calib, lit))
    paths.append(out / "report.html")
    files.write_text(paths[-1], html)
    files.write_text(out / "plotly.min.js", get_plotlyjs())
    files.write_text(
        paths[1],
        strict_json(
            {
                "kind": res.kind,
                "years": list(res.years),
                "skipped_years": list(res.skipped_years),
                "horizon": res.horizon,
                "seconds": res.seconds,
                "model_seconds": res.model_seconds,
                "pooled": res.pooled.to_dicts(),
                "per_year": res.per_year.to_dicts(),
                "calibration": calib.to_dicts(),
                "counts": None if res.counts is None else res.counts.to_dicts(),
                "count_coverage": res.count_coverage(),
            },
            indent=1,
        ),
    )
    files.write_with(paths[2], res.predictions.write_parquet)
    return paths
