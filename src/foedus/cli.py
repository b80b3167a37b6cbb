"""The ``foedus`` command line (Typer + Rich)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from foedus import catalog, citations, countries
from foedus.errors import FoedusError

app = typer.Typer(
    help="foedus: quantitative analysis of military alliances between states.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(
    help="The data catalog: list, fetch, verify and cite data sets.", no_args_is_help=True
)
app.add_typer(data_app, name="data")

console = Console()
err = Console(stderr=True)


class _RichBar:
    """Adapts a Rich progress task to the tqdm-like interface pooch reports to."""

    def __init__(self, progress: Progress, description: str) -> None:
        self._p = progress
        self._task = progress.add_task(description, total=None)
        self.total = 0

    def update(self, n: int) -> None:
        if self.total and self._p.tasks[self._task].total != self.total:
            self._p.update(self._task, total=self.total)
        self._p.advance(self._task, n)

    def reset(self) -> None:
        self._p.reset(self._task, total=self.total or None)

    def close(self) -> None:
        self._p.update(self._task, completed=self.total or 0)


def _download_progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


# --- data -------------------------------------------------------------------------------------


@data_app.command("list")
def data_list(
    check: Annotated[bool, typer.Option(help="Verify the sha256 of local files.")] = True,
) -> None:
    """Every data set in the catalog with its coverage and local status."""
    table = Table(title="foedus data catalog", show_lines=False)
    table.add_column("name", no_wrap=True)
    table.add_column("version", max_width=16, overflow="ellipsis", no_wrap=True)
    table.add_column("coverage", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("local", no_wrap=True)
    table.add_column("verified", no_wrap=True)
    for ds in catalog.datasets().values():
        st = catalog.status(ds, check=check)
        cov = f"{ds.coverage[0]}-{ds.coverage[1]}" if ds.coverage else "-"
        verified = "-" if st.verified is None else ("yes" if st.verified else "[red]NO[/]")
        table.add_row(
            ds.name,
            ds.version,
            cov,
            f"{ds.rows:,}" if ds.rows else "-",
            _size(ds.size),
            st.location or "[dim]-[/]",
            verified,
        )
    Console(width=max(console.width, 110)).print(table)
    s = catalog.Settings.from_env()
    console.print(
        f"mirror ({catalog.ENV_DATA_DIR}): {s.data_dir or 'not set'}; "
        f"cache: {s.files_dir}; offline: {s.offline}"
    )


@data_app.command("fetch")
def data_fetch(
    names: Annotated[list[str] | None, typer.Argument(help="Data set names.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Fetch every data set.")] = False,
    force: Annotated[bool, typer.Option(help="Download cached files again.")] = False,
) -> None:
    """Download data sets into the cache (verified by sha256)."""
    if not names and not all_:
        raise FoedusError(
            "name at least one data set, or pass --all", "`foedus data list` shows the names."
        )
    targets = None if all_ else names
    with _download_progress() as progress:
        statuses = catalog.fetch(
            targets, force=force, progress=lambda ds: _RichBar(progress, ds.name)
        )
    for st in statuses:
        console.print(f"[green]ok[/] {st.dataset.name} ({st.location}: {st.path})")


@data_app.command("verify")
def data_verify(
    names: Annotated[
        list[str] | None, typer.Argument(help="Data set names (default: all).")
    ] = None,
) -> None:
    """Check the sha256 of every local file against the catalog."""
    dss = [catalog.get(n) for n in names] if names else list(catalog.datasets().values())
    table = Table(title="verification")
    for col in ("name", "location", "result"):
        table.add_column(col)
    bad = missing = 0
    for ds in dss:
        st = catalog.status(ds)
        if st.path is None:
            missing += 1
            table.add_row(ds.name, "-", "[yellow]missing[/]")
        elif st.verified:
            table.add_row(ds.name, str(st.location), "[green]verified[/]")
        else:
            bad += 1
            table.add_row(
                ds.name,
                str(st.path),
                f"[red]MISMATCH[/] expected {ds.sha256[:12]}… got {(st.actual_sha256 or '')[:12]}…",
            )
    console.print(table)
    ok = len(dss) - bad - missing
    console.print(f"{ok} verified, {bad} mismatched, {missing} missing (of {len(dss)})")
    if bad:
        raise FoedusError(
            f"{bad} file(s) differ from the catalog",
            "restore them from the source or delete the cached copies and fetch again.",
        )
    if missing:
        raise typer.Exit(1)


@data_app.command("cite")
def data_cite(
    names: Annotated[list[str], typer.Argument(help="Data set names.")],
    bibtex: Annotated[bool, typer.Option(help="Print BibTeX entries.")] = False,
) -> None:
    """How to cite data sets (plain text, or BibTeX with --bibtex)."""
    keys: list[str] = []
    for n in names:
        for k in catalog.get(n).cite:
            if k not in keys:
                keys.append(k)
    if bibtex:
        print("\n\n".join(citations.bibtex(k) for k in keys))
    else:
        for k in keys:
            console.print(citations.plain(k), highlight=False)


@data_app.command("path")
def data_path(name: Annotated[str, typer.Argument(help="Data set name.")]) -> None:
    """The verified local path of a data set (fetching it if needed)."""
    print(catalog.path(name))


@data_app.command("show")
def data_show(
    name: Annotated[str, typer.Argument(help="Data set name.")],
    head: Annotated[int, typer.Option(help="Rows to show.")] = 10,
) -> None:
    """Load a data set and show its schema and first rows."""
    import polars as pl

    from foedus import loaders

    df = loaders.load(name)
    ds = catalog.get(name)
    console.print(
        f"[bold]{ds.name}[/]: {ds.title} ({ds.version}); {df.height:,} rows x {df.width} columns"
    )
    with pl.Config(tbl_rows=head, tbl_cols=12, fmt_str_lengths=40, tbl_width_chars=160):
        print(df.head(head))


@data_app.command("info")
def data_info(name: Annotated[str, typer.Argument(help="Data set name.")]) -> None:
    """Everything the catalog knows about a data set."""
    ds = catalog.get(name)
    st = catalog.status(ds, check=False)
    table = Table(show_header=False, title=ds.name)
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")  # long URLs and hashes wrap, never "…"
    rows = [
        ("title", ds.title),
        ("version", ds.version),
        ("producer", ds.producer),
        ("coverage", f"{ds.coverage[0]}-{ds.coverage[1]}" if ds.coverage else "-"),
        ("rows x columns", f"{ds.rows:,} x {ds.columns}" if ds.rows else "-"),
        ("file", ds.file),
        ("reader", ds.reader + (f" (object {ds.object})" if ds.object else "")),
        ("sha256", ds.sha256),
        ("size", f"{ds.size:,} bytes"),
        ("urls", "\n".join(ds.urls)),
        ("homepage", ds.homepage),
        ("terms", ds.terms),
        ("cite", ", ".join(ds.cite)),
        ("notes", ds.notes or "-"),
        ("local", str(st.path) if st.path else "not cached"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)


def _size(n: int) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.0f} kB" if n >= 1e3 else f"{n} B"


# --- countries --------------------------------------------------------------------------------


@app.command("country")
def country(
    queries: Annotated[
        list[str], typer.Argument(help="Names, COW abbreviations, ISO3 or numeric codes.")
    ],
    year: Annotated[int | None, typer.Option(help="Resolve as of this year.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Resolve countries to COW codes, with membership and major-power spells."""
    idx = countries.index()
    out = []
    for q in queries:
        r = idx.resolve(q, year)
        s = r.state
        out.append(
            {
                "query": q,
                "ccode": s.ccode,
                "abb": s.abb,
                "name": s.name,
                "cow_name": s.cow_name,
                "iso3": s.iso3,
                "matched_by": r.matched,
                "note": r.note,
                "membership": [_spell_json(sp) for sp in s.spells],
                "major_power": [_spell_json(sp) for sp in s.major_spells],
                **(
                    {
                        "year": year,
                        "member": s.member_in(year),
                        "major": s.major_in(year),
                        "gwcode": idx.cow_to_gw(s.ccode, year),
                    }
                    if year is not None
                    else {}
                ),
            }
        )
    if as_json:
        print(json.dumps(out if len(out) > 1 else out[0], indent=2))
        return
    for o in out:
        t = Table(show_header=False, title=f"{o['query']} → {o['name']} ({o['ccode']})")
        t.add_row("COW code", str(o["ccode"]))
        t.add_row("COW abbreviation", o["abb"])
        t.add_row("COW name", o["cow_name"])
        t.add_row("ISO3", o["iso3"] or "-")
        t.add_row("matched by", o["matched_by"])
        t.add_row("system membership", "\n".join(map(_spell_text, o["membership"])))
        t.add_row("major power", "\n".join(map(_spell_text, o["major_power"])) or "never")
        if year is not None:
            t.add_row(
                f"in {year}",
                ("member" if o["member"] else "not a member")
                + (", major power" if o["major"] else "")
                + (f"; G-W code {o['gwcode']}" if o["gwcode"] is not None else "; no G-W code"),
            )
        if o["note"]:
            t.add_row("note", o["note"])
        console.print(t)


# --- panels -----------------------------------------------------------------------------------


def _parse_value(v: str) -> object:
    if v == "":  # keep= : an empty list
        return []
    if "|" in v:  # a list: keep=cinc|milex
        return [_parse_value(x) for x in v.split("|") if x]
    low = v.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    try:
        return int(v)
    except ValueError:
        return v


def _parse_adds(spec: str) -> list[tuple[str, dict[str, object]]]:
    """``atop,nmc:version=6.0,rivalries:source=td`` -> [(name, options), ...]."""
    from foedus.panels import ENRICHERS

    out = []
    for item in filter(None, (x.strip() for x in spec.split(","))):
        name, _, opts = item.partition(":")
        if name not in ENRICHERS:
            import difflib

            close = difflib.get_close_matches(name, list(ENRICHERS), n=3)
            raise FoedusError(
                f"unknown enricher {name!r}",
                (f"did you mean {', '.join(close)}? " if close else "")
                + "`foedus panel --list` shows them all.",
            )
        kw = {}
        for pair in filter(None, opts.split(";")):
            k, _, v = pair.partition("=")
            kw[k.strip()] = _parse_value(v.strip())
        out.append((name, kw))
    return out


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
) -> None:
    """Build a state-year or dyad-year panel, enrich it, and write it to a file."""
    import time

    from rich.progress import SpinnerColumn, TimeElapsedColumn

    from foedus import panels
    from foedus.panels import ENRICHERS
    from foedus.panels.io import write_panel

    if list_:
        Console(width=max(console.width, 120)).print(_enricher_table())
        return
    if kind not in ("state-years", "dyad-years"):
        raise FoedusError(
            f"unknown panel kind {kind!r}",
            "use `foedus panel state-years ...` or `foedus panel dyad-years ...`.",
        )
    if system not in ("cow", "gw"):
        raise FoedusError(f"unknown state system {system!r}", "use --system cow or --system gw.")
    steps = _parse_adds(add)
    years = (from_, to if to is not None else panels.ASSUMED_THROUGH)
    timings: list[tuple[str, float]] = []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"creating {kind}", total=len(steps) + 1 + bool(output))
        t = time.perf_counter()
        if kind == "state-years":
            df = panels.state_years(system, years)  # type: ignore[arg-type]
        else:
            df = panels.dyad_years(system, directed=directed, years=years)  # type: ignore[arg-type]
        timings.append((f"create {kind}", time.perf_counter() - t))
        progress.advance(task)
        for name, kw in steps:
            progress.update(task, description=f"adding {name}")
            t = time.perf_counter()
            try:
                df = ENRICHERS[name].func(df, **kw)
            except TypeError as e:
                raise FoedusError(
                    f"bad option for enricher {name!r}: {e}",
                    "see `foedus panel --list` and the enricher's docs.",
                ) from None
            timings.append((name, time.perf_counter() - t))
            progress.advance(task)
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
        console.print(f"wrote {output}")
    else:
        import polars as pl

        with pl.Config(tbl_rows=8, tbl_cols=14):
            print(df)


@app.command("foundations")
def foundations_cmd(
    a: Annotated[str, typer.Argument(help="First state (name, code or abbreviation).")],
    b: Annotated[str, typer.Argument(help="Second state.")],
    year: Annotated[int, typer.Option(help="Year of interest.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every foundations measure for a pair of states in a year, with its source year."""
    from foedus.foundations import foundations

    with err.status("measuring..."):
        res = foundations(a, b, year)
    if as_json:
        print(json.dumps(res, indent=2, default=str))
        return
    t = Table(
        title=f"{res['a']['name']} ({res['a']['ccode']}) and {res['b']['name']} "
        f"({res['b']['ccode']}), {year}"
    )
    for col in ("group", "measure", "value", "as of", "source", "what it means"):
        t.add_column(col, overflow="fold")
    for m in res["measures"]:
        late = m["year"] is not None and m["year"] < year
        t.add_row(
            m["group"],
            m["measure"],
            "-" if m["value"] is None else str(m["value"]),
            f"[yellow]{m['year']}[/]" if late else str(m["year"]),
            m["source"],
            m["explanation"],
        )
    Console(width=max(console.width, 140)).print(t)
    for n in res["notes"]:
        console.print(f"note: {n}")
    console.print(
        "as of: the year each value comes from (yellow: the source ends earlier). "
        "Not yet measured: " + "; ".join(res["not_yet"]) + "."
    )


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
    from pathlib import Path

    from foedus.prospects.backtest import backtest
    from foedus.prospects.data import formation_panel
    from foedus.prospects.report import write_report

    with err.status("building the formation panel..."):
        panel = formation_panel(years=(1946, to), pledge=pledge, horizon=horizon)
    with Progress(
        TextColumn("[bold]backtest {task.fields[year]}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} years"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("bt", total=to - from_ + 1, year="")
        res = backtest(
            panel,
            from_,
            to,
            kind=model,
            horizon=horizon,
            progress=lambda y: progress.update(task, advance=1, year=y),
        )
    paths = write_report(res, Path(out), pledge=pledge)
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
    Console(width=max(console.width, 130)).print(t)
    console.print("wrote " + ", ".join(str(p) for p in paths))


def _year_range(text: str) -> tuple[int, int]:
    parts = text.replace("..", "-").split("-")
    try:
        if len(parts) == 1:
            return int(parts[0]), int(parts[0])
        if len(parts) == 2:
            return int(parts[0]), int(parts[1])
    except ValueError:
        pass
    raise FoedusError(f"cannot read years {text!r}", "write a year or a range, e.g. 2015-2026.")


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
) -> None:
    """Forecasts of alliance-pledge onset, with intervals, explanations and data vintages."""
    from foedus.prospects.forecast import forecast
    from foedus.prospects.persist import load_model
    from foedus.prospects.persist import save_model as save

    if (year is None) == (years is None):
        raise FoedusError("give exactly one of --year and --years", "e.g. --year 2021.")
    if top < 1:
        raise FoedusError(f"--top {top}: at least one dyad must be listed", "e.g. --top 20.")
    lo, hi = (year, year) if year is not None else _year_range(years or "")
    pairs = None
    if states:
        if len(states) != 2:
            raise FoedusError(
                f"{len(states)} states given", "name two states, or none to rank all dyads."
            )
        a, b = (countries.ccode(s_, hi) for s_ in states)
        if a == b:
            raise FoedusError("the two states are the same", "name two different states.")
        pairs = [(a, b)]
    tr = None
    if treaties:
        from foedus.prospects.treaties import read_treaties

        tr = read_treaties(treaties)
    loaded = None
    if model_file:
        loaded, meta = load_model(model_file)
        spec = meta.get("spec") or {}
        if spec.get("pledge", pledge) != pledge:
            raise FoedusError(
                f"the model file forecasts {spec.get('pledge')} pledges, not {pledge}",
                f"pass --pledge {spec.get('pledge')} or fit a new model.",
            )
        model = loaded.kind
        changed = []
        for v in meta.get("vintages") or []:
            for d in v.get("datasets", []):
                try:
                    now = catalog.get(d["name"]).sha256
                except FoedusError:
                    now = None
                if now != d.get("sha256"):
                    changed.append(d["name"])
        if changed:
            err.print(
                f"[yellow]warning:[/] the model file was fitted on other versions of "
                f"{', '.join(sorted(set(changed)))} than this foedus uses; its forecasts "
                "combine those coefficients with today's covariates.",
                highlight=False,
            )
    with err.status("forecasting...") as status:
        res = forecast(
            (lo, hi),
            pairs,
            kind=model,
            pledge=pledge,
            treaties=tr,
            level=level,
            n_bootstrap=bootstrap,
            top=None if pairs else top,
            model=loaded,
            progress=lambda msg: status.update(msg + "..."),
        )
    if save_model:
        from foedus.prospects.forecast import vintages

        if res.final_model is None:
            raise FoedusError(
                "no model at the data's end was fitted for these years",
                "include a year after 2018 to save the final model.",
            )
        path = save(
            res.final_model,
            save_model,
            spec={"pledge": pledge, "horizon": 1, "outcome": "onset (ATOP 5.1, ndir)"},
            vintages=vintages(res.last_years),
        )
        err.print(f"saved the model to {path}")
    if as_json:
        print(json.dumps(res.to_dict(), indent=2, default=str))
        return
    _print_forecast(res, pairs is not None)


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
    Console(width=max(console.width, 120)).print(t)
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
        console.print(e)
    for m in res.models:
        yrs = m["forecast_years"]
        console.print(
            f"model for {yrs[0]}{'-' + str(yrs[-1]) if len(yrs) > 1 else ''}: {m['kind']} fitted "
            f"on {m['training_years'][0]}-{m['training_years'][1]} "
            f"({m['n_train']:,} dyad-years, {m['n_events']:,} onsets)"
        )
    console.print(
        "data vintages: "
        + "; ".join(
            f"{v['source']} through {v['last_year']}"
            for v in res.vintages
            if v["last_year"] is not None
        )
    )
    for n in res.notes:
        console.print(f"note: {n}")


def _spell_json(sp: countries.Spell) -> dict[str, object]:
    # "ongoing": the spell runs to the last day of the source list and is assumed to continue
    return {"start": sp.start.isoformat(), "end": sp.end.isoformat(), "ongoing": sp.open_ended}


def _spell_text(sp: dict[str, object]) -> str:
    end = f"{sp['end']} (end of list; ongoing)" if sp["ongoing"] else sp["end"]
    return f"{sp['start']} to {end}"


def main() -> None:
    """Entry point: typed foedus errors become a message and a hint, not a traceback."""
    try:
        app()
    except FoedusError as e:
        err.print(f"[bold red]error:[/] {e.message}", highlight=False)
        if e.hint:
            err.print(f"[yellow]hint:[/] {e.hint}", highlight=False)
        sys.exit(2)
