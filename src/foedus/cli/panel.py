"""``foedus panel``: build, enrich and write state-year and dyad-year panels."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from foedus.cli.app import app
from foedus.cli.console import err, out, wide
from foedus.errors import FoedusError


def _enricher_table() -> Table:
    from foedus.panels import ENRICHERS

    t = Table(
        title="panel enrichers (--add NAME[:option=value;...]); coverage is that of "
        "the default source"
    )
    for col in ("name", "panels", "coverage", "adds", "sources"):
        t.add_column(col, overflow="fold")
    for e in ENRICHERS.values():
        cov = f"{e.coverage[0]}-{e.coverage[1]}" if e.coverage else "-"
        t.add_row(
            e.name, "/".join(e.kinds) + " " + "/".join(e.systems), cov, e.adds, ", ".join(e.sources)
        )
    return t


@app.command("panel")
def panel(
    kind: Annotated[str | None, typer.Argument(help="state-years or dyad-years.")] = None,
    system: Annotated[str, typer.Option(help="State system: cow or gw.")] = "cow",
    from_: Annotated[int, typer.Option("--from", help="First year.")] = 1816,
    to: Annotated[
        int | None,
        typer.Option(
            "--to",
            help="Last year (default: the year open membership spells are assumed to run to).",
        ),
    ] = None,
    directed: Annotated[
        bool,
        typer.Option(
            "--directed/--undirected", help="Dyad-years in both orders, or ccode1 < ccode2."
        ),
    ] = True,
    add: Annotated[
        str, typer.Option(help="Enrichers, comma-separated, e.g. atop,nmc,majors.")
    ] = "",
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="File to write (.parquet, .csv, .dta, .arrow, .feather)."
        ),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the enrichers and exit.")] = False,
    politically_relevant: Annotated[
        bool,
        typer.Option(
            "--politically-relevant",
            help="Dyad-years: keep only politically relevant dyads (contiguous of any type, or "
            "either side a major power), right after the panel is created.",
        ),
    ] = False,
) -> None:
    """Build a state-year or dyad-year panel, enrich it, and write it to a file."""
    import polars as pl

    from foedus import panels, validate
    from foedus.panels.build import build_panel
    from foedus.panels.io import check_panel_path, write_panel
    from foedus.panels.registry import parse_spec

    if list_:
        wide(120).print(_enricher_table())
        return
    if kind not in ("state-years", "dyad-years"):
        raise FoedusError(
            f"unknown panel kind {kind!r}",
            "use `foedus panel state-years ...` or `foedus panel dyad-years ...`.",
        )
    system = validate.choice(system, "--system", ("cow", "gw"))
    steps = parse_spec(add)  # every enricher and option checked before anything is built
    years = (
        validate.system_year(from_, "--from", system),
        validate.system_year(to if to is not None else panels.ASSUMED_THROUGH, "--to", system),
    )
    if years[0] > years[1]:
        raise FoedusError(
            f"--from {years[0]} is after --to {years[1]}", "give --from <= --to, e.g. --to 2014."
        )
    if politically_relevant and (kind != "dyad-years" or system != "cow"):
        raise FoedusError(
            f"--politically-relevant filters COW dyad-years, not {kind} of {system.upper()}",
            "build `foedus panel dyad-years --system cow ...`, or leave the flag out.",
        )
    if output:
        check_panel_path(output)  # before minutes of computing, not after
    n_steps = 1 + bool(politically_relevant) + len(steps) + bool(output)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"creating {kind}", total=n_steps)
        started = [False]

        def on_step(name: str) -> None:
            if started[0]:
                progress.advance(task)
            started[0] = True
            progress.update(task, description=name)

        built = build_panel(
            kind,
            system=system,  # type: ignore[arg-type]
            years=years,
            directed=directed,
            steps=steps,
            relevant_only=politically_relevant,
            on_step=on_step,
        )
        progress.advance(task)
        df, timings = built.frame, built.timings
        if output:
            progress.update(task, description=f"writing {output}")
            t = time.perf_counter()
            write_panel(df, output)
            timings.append(("write", time.perf_counter() - t))
            progress.advance(task)
    summary = Table(
        title=f"{kind}, {system.upper()}, {years[0]}-{years[1]}: "
        f"{df.height:,} rows x {df.width} columns"
    )
    summary.add_column("step")
    summary.add_column("seconds", justify="right")
    for step, secs in timings:
        summary.add_row(step, f"{secs:.3f}")
    err.print(summary)
    if output:
        out.print(f"wrote {output}", soft_wrap=True)
    else:
        with pl.Config(tbl_rows=8, tbl_cols=14):
            out.print(str(df), soft_wrap=True)
