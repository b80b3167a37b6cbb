"""``foedus backtest`` and ``foedus forecast``: the prospects of alliance formation."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from foedus.cli import console
from foedus.cli.app import app
from foedus.cli.console import err, line, wide
from foedus.jsonout import strict_json


@app.command("backtest")
def backtest_cmd(
    from_: Annotated[int, typer.Option("--from", help="First forecast year.")] = 1960,
    to: Annotated[int, typer.Option("--to", help="Last forecast year.")] = 2018,
    model: Annotated[str, typer.Option(help="relogit, logit, firth or gbm.")] = "relogit",
    pledge: Annotated[str, typer.Option(help="ATOP pledge whose onset is forecast.")] = "defense",
    horizon: Annotated[int, typer.Option(help="Onset within this many years.")] = 1,
    out: Annotated[str, typer.Option(help="Directory for report.md and results.json.")] = (
        "backtest"
    ),
) -> None:
    """Rolling-origin backtest of alliance-onset forecasts, scored against baselines."""
    from foedus.operations.prospects import BacktestRequest, run_backtest

    req = BacktestRequest(from_, to, model, pledge, horizon, out)
    status = err.status("building the formation panel...")
    progress = Progress(
        TextColumn("backtest {task.fields[year]}", style="bold", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} years"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task("bt", total=max(1, to - from_ + 1), year="")
    started = False

    def on_year(y: int) -> None:
        nonlocal started
        if not started:
            status.stop()
            progress.start()
            started = True
        progress.update(task, advance=1, year=y)

    status.start()
    try:
        got = run_backtest(req, progress=on_year)
    finally:
        status.stop()
        progress.stop()
    res, paths, from_, to = got.result, got.paths, got.first, got.last
    t = Table(
        title=f"{model} backtest {from_}-{to}, onset of {pledge} pledges "
        f"(within {horizon} year{'s' if horizon > 1 else ''}); {res.seconds:.1f} s "
        f"(the model's fits and forecasts {res.model_seconds:.1f} s)"
    )
    cols = ("model", "n", "brier", "brier_skill", "log_loss", "roc_auc", "pr_auc")
    for col in (*cols, "top-20 precision", "top-20 recall"):
        t.add_column(col, justify="right" if col != "model" else "left")
    for r in res.pooled.iter_rows(named=True):
        t.add_row(
            r["model"],
            f"{r['n']:,}",
            f"{r['brier']:.5f}",
            f"{r['brier_skill']:.3f}",
            f"{r['log_loss']:.4f}",
            f"{r['roc_auc']:.3f}",
            f"{r['pr_auc']:.3f}",
            f"{r['precision_at_k']:.3f}",
            f"{r['recall_at_k']:.3f}",
        )
    wide(130).print(t)
    if res.skipped_years:
        err.print(
            line(
                ("note: ", "bold yellow"),
                "no scorable dyad-years in "
                + ", ".join(map(str, res.skipped_years))
                + "; those years are not in the scores",
            )
        )
    console.out.print("wrote " + ", ".join(str(p) for p in paths), soft_wrap=True)


@app.command("forecast")
def forecast_cmd(
    states: Annotated[
        list[str] | None,
        typer.Argument(help="Two states for one dyad's path; none to rank every dyad at risk."),
    ] = None,
    year: Annotated[int | None, typer.Option(help="One forecast year.")] = None,
    years: Annotated[str | None, typer.Option(help="A range of years, e.g. 2015-2026.")] = None,
    top: Annotated[int, typer.Option(help="Without states: the N most likely dyads.")] = 20,
    model: Annotated[str, typer.Option(help="relogit, logit, firth or gbm.")] = "relogit",
    pledge: Annotated[str, typer.Option(help="ATOP pledge whose onset is forecast.")] = "defense",
    treaties: Annotated[
        str | None, typer.Option(help="CSV of treaties signed after 2018 (docs/treaties.md).")
    ] = None,
    level: Annotated[float, typer.Option(help="Coverage of the intervals.")] = 0.9,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap refits for gbm intervals.")] = 20,
    model_file: Annotated[
        str | None, typer.Option(help="Use this saved model (JSON) at the data's end.")
    ] = None,
    save_model: Annotated[
        str | None, typer.Option(help="Save the model fitted at the data's end (JSON).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit",
            help="Ignore the cached panel and fitted models: rebuild and refit, and cache anew.",
        ),
    ] = False,
) -> None:
    """Forecasts of alliance-pledge onset, with intervals, explanations and data vintages.

    The formation panel and the fitted models are kept in the user cache (docs/prospects.md,
    "Model cache"): the first run builds and fits them, later runs read them."""
    from foedus.operations.prospects import ForecastRequest, run_forecast

    req = ForecastRequest(
        tuple(states or ()),
        year,
        years,
        top,
        model,
        pledge,
        treaties,
        level,
        bootstrap,
        model_file,
        save_model,
        refit,
    )
    with _ForecastProgress(model) as bar:
        got = run_forecast(req, progress=bar.step, on_fit=bar.fit)
    for w in got.warnings:
        err.print(line(("warning: ", "bold yellow"), w))
    if got.saved is not None:
        err.print(f"saved the model to {got.saved}")
    res = got.result
    if as_json:
        console.out.print(strict_json(res.to_dict()), soft_wrap=True)
        return
    _print_forecast(res, got.pair is not None)


class _ForecastProgress:
    """Progress of a forecast on standard error: a line for each slow step (building the
    formation panel) and a bar over the model fits the cache could not serve. Nothing is shown
    when everything comes from the cache."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _ForecastProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def _start(self, description: str, total: int | None) -> None:
        if self.progress is None:
            self.progress = Progress(
                console.description_column(),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=False,
            )
            self.progress.start()
        self._finish()
        self.task = self.progress.add_task(description, total=total)

    def _finish(self) -> None:
        if self.progress is not None and self.task is not None:
            t = self.progress.tasks[self.task]
            if t.total is None:
                self.progress.update(self.task, total=1, completed=1)

    def step(self, message: str) -> None:
        if message.startswith("building"):
            self._start(message + " (kept in the cache for the next forecasts)", None)

    def fit(self, i: int, n: int, what: str) -> None:
        if i == 0 and n:
            self._start(
                f"fitting {n} {self.kind} model{'s' if n > 1 else ''} (first run for this "
                "data and specification; kept in the cache)",
                n,
            )
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=i)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.2f}%"


def _print_forecast(res, path: bool) -> None:  # res: ForecastResult
    import polars as pl

    pc = round(100 * res.level)
    t = Table(
        title=f"Onset of an ATOP {res.pledge} pledge ({res.kind}; {pc}% intervals)",
        caption="p: probability of a new pledge in the year given none the year before; "
        "observed: the outcome where ATOP codes it; carried: sources carried forward.",
    )
    cols = ["year", "dyad", "at risk", "p", f"{pc}% interval"]
    cols += ["by this year", f"{pc}% interval "] if path else []
    cols += ["observed", "carried forward"]
    for c in cols:
        t.add_column(c, overflow="fold")
    for r in res.forecasts.iter_rows(named=True):
        row = [
            str(r["year"]),
            f"{r['abb1']}-{r['abb2']}",
            "yes" if r["at_risk"] else ("allied" if r["at_risk"] is False else "-"),
            _pct(r["p"]),
            "-" if r["p"] is None else f"{_pct(r['p_lo'])} - {_pct(r['p_hi'])}",
        ]
        if path:
            pcum = r.get("p_cum")
            row += [
                _pct(pcum),
                "-" if pcum is None else f"{_pct(r['p_cum_lo'])} - {_pct(r['p_cum_hi'])}",
            ]
        row += ["-" if r["onset"] is None else str(r["onset"]), r["carried"] or ""]
        t.add_row(*row)
    wide(120).print(t)
    # explanations of the latest forecast row(s)
    last = res.forecasts.filter(pl.col("p").is_not_null())
    if last.height:
        r = last.sort("year", "p", descending=[True, True]).row(0, named=True)
        c = res.contributions.filter(
            (pl.col("ccode1") == r["ccode1"])
            & (pl.col("ccode2") == r["ccode2"])
            & (pl.col("year") == r["year"])
        )
        base = c.filter(pl.col("term") == "(base)")["value"].sum()
        parts = c.filter(pl.col("term") != "(base)").sort(pl.col("value").abs(), descending=True)
        e = Table(
            title=f"Why: log-odds contributions for {r['abb1']}-{r['abb2']} {r['year']} "
            f"(base {base:+.2f})"
        )
        e.add_column("feature")
        e.add_column("contribution", justify="right")
        for term, v in parts.head(8).select("term", "value").iter_rows():
            e.add_row(term, f"{v:+.3f}")
        console.out.print(e)
    for m in res.models:
        yrs = m["forecast_years"]
        console.out.print(
            f"model for {yrs[0]}{'-' + str(yrs[-1]) if len(yrs) > 1 else ''}: {m['kind']} fitted "
            f"on {m['training_years'][0]}-{m['training_years'][1]} "
            f"({m['n_train']:,} dyad-years, {m['n_events']:,} onsets)"
        )
    console.out.print(
        "data vintages: "
        + "; ".join(
            f"{v['source']} through {v['last_year']}"
            for v in res.vintages
            if v["last_year"] is not None
        )
    )
    for n in res.notes:
        console.out.print(f"note: {n}")
