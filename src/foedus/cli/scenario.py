"""``foedus scenario``: check a scenario file, run it, sweep families of scenarios. The
commands only render what :mod:`foedus.scenarios` computes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from foedus.cli.app import app
from foedus.cli.console import err, out, wide
from foedus.errors import InvalidArgumentError
from foedus.jsonout import strict_json

scenario_app = typer.Typer(
    help="What-if scenarios: a changed world against the baseline, and its consequences.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(scenario_app, name="scenario")

FileArg = Annotated[Path, typer.Argument(help="A scenario file (TOML; docs/consequences.md).")]


def _name(ccode: int | str) -> str:
    from foedus import countries

    try:
        st = countries.index().states.get(int(ccode))
    except (ValueError, TypeError):
        return str(ccode)
    return st.abb if st else str(ccode)


def _item(item: str) -> str:
    if "->" in item:
        a, b = item.split("->")
        return f"{_name(a)} -> {_name(b)}"
    return _name(item) if item.isdigit() else item


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


@scenario_app.command("check")
def check_cmd(file: FileArg) -> None:
    """Check a scenario file: every problem with its line and a fix, or what it will do."""
    from foedus.scenarios.spec import build_world, read_scenario

    sc = read_scenario(file)
    with err.status("applying the changes to the world..."):
        w = build_world(sc)
    out.print(f"{file}: {sc.name}, base year {sc.year}: valid")
    for c in w.changes:
        out.print(f"  change: {c}")
    out.print("  consequences: " + ", ".join(sc.compute))


@scenario_app.command("run")
def run_cmd(
    file: FileArg,
    draws: Annotated[
        int | None, typer.Option(help="Monte Carlo draws (default: the scenario's, 1000).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Root seed of the draws.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="Also write the result table to this file.")
    ] = None,
) -> None:
    """Run a scenario: every consequence it lists, baseline against scenario."""
    from foedus import files
    from foedus.scenarios.run import run_scenario
    from foedus.scenarios.spec import read_scenario

    if as_json and parquet is not None:
        raise InvalidArgumentError(
            "--json", "--json and --parquet are exclusive", "give one of them."
        )
    if parquet is not None:
        files.check_output_file(parquet, suffixes={".parquet": "Parquet"}, what="the table")
    sc = read_scenario(file)
    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("building the worlds", total=len(sc.compute) + 1)

        def step(name: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=f"computed {name}")

        res = run_scenario(sc, draws=draws, seed=seed, on_step=step)
    if parquet is not None:
        frame = res.frame()
        files.write_with(parquet, lambda tmp: frame.write_parquet(tmp))
    if as_json:
        out.print(strict_json(res.to_dict()), soft_wrap=True)
        return
    out.print(f"{sc.name}, {sc.year}")
    for c in res.world["scenario"]["changes"]:
        out.print(f"  change: {c}")
    t = Table(title="consequences: baseline against scenario")
    for col in ("consequence", "item", "measure", "baseline", "scenario", "change", "interval"):
        t.add_column(col, overflow="fold")
    for r in res.rows:
        lo, hi = r.get("lo"), r.get("hi")
        t.add_row(
            r["consequence"],
            _item(r["item"]),
            r["measure"],
            _num(r["baseline"]),
            _num(r["scenario"]),
            _num(r["delta"]),
            "exact" if lo is None and hi is None else f"[{_num(lo)}, {_num(hi)}]",
        )
    wide(120).print(t)
    for name, sec in res.sections.items():
        note = sec.get("note") if isinstance(sec, dict) else None
        if note:
            out.print(f"{name}: {note}")
        carried = sec.get("carried") if isinstance(sec, dict) else None
        if carried:
            out.print(f"{name}: carried forward past the data's end: " + "; ".join(carried))
    if "not_computed" in res.sections:
        out.print("not computed: " + ", ".join(res.sections["not_computed"]["consequences"]))
    out.print(f"{sum(res.timings.values()):.1f} s; seed {res.seed}, {res.draws} draws")
    if parquet is not None:
        out.print(f"wrote {parquet}")


@scenario_app.command("sweep")
def sweep_cmd(
    family: Annotated[
        str,
        typer.Argument(
            help="pacts (new pledges among the top powers), join (every "
            "state joining an alliance) or grid (a scenario over base years)."
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Results file (.parquet).")],
    year: Annotated[int | None, typer.Option(help="Base year (pacts, join).")] = None,
    top: Annotated[int, typer.Option(help="pacts: among this many top powers by CINC.")] = 10,
    alliance: Annotated[
        str | None, typer.Option(help="join: the alliance (NATO or an ATOP id).")
    ] = None,
    pledge: Annotated[str, typer.Option(help="pacts: the pledge type.")] = "defense",
    scenario: Annotated[Path | None, typer.Option(help="grid: the scenario file.")] = None,
    years: Annotated[str | None, typer.Option(help="grid: base years FIRST-LAST.")] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws per scenario.")] = 1000,
    seed: Annotated[int, typer.Option(help="Root seed (each scenario's own stream).")] = 0,
    conflict_risk: Annotated[
        bool,
        typer.Option(
            "--conflict-risk/--no-conflict-risk",
            help="pacts, join: add the conflict-risk columns (fits the model once if needed).",
        ),
    ] = True,
    scheduler: Annotated[
        str | None, typer.Option(help="A Dask scheduler address (tcp://host:port).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Start a local Dask cluster of this many workers.")
    ] = None,
) -> None:
    """Sweep a family of scenarios; results (one row per scenario) to Parquet."""
    from foedus.scenarios.sweep import run_family

    span = None
    if years is not None:
        parts = years.split("-")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise InvalidArgumentError(
                "--years", f"--years must be FIRST-LAST, not {years!r}", "e.g. --years 2000-2018."
            )
        span = (int(parts[0]), int(parts[1]))
    with Progress(
        TextColumn("sweep", style="bold"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} scenarios"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("sweep", total=None)
        frame = run_family(
            family,
            year=year,
            top=top,
            alliance=alliance,
            scenario=scenario,
            years=span,
            pledge=pledge,
            root_seed=seed,
            draws=draws,
            conflict_risk=conflict_risk,
            scheduler=scheduler,
            n_workers=workers,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            output=output,
        )
    out.print(f"{frame.height} scenarios ({family}), root seed {seed}: wrote {output}")
