"""``foedus brief``: the alliance brief, written as an HTML page, Markdown or JSON, with its
summary in the terminal."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from foedus.briefing.formatting import pct
from foedus.cli import console
from foedus.cli.app import app
from foedus.cli.console import err, line, wide


def summary(data: dict[str, Any]) -> None:
    """The brief's glance, its forecasts and its largest consequences, in the terminal."""
    title = " – ".join(s["name"] for s in data["states"]) + f", {data['year']}"
    out = console.out
    out.print(line((title, "bold")))
    for g in data.get("glance", []):
        out.print(line(("• ", "cyan"), g["text"]))
    names = {s["ccode"]: s["abb"] for s in data["states"]}
    t = Table(title="formation forecast (defence pact in the year, given none the year before)")
    for c in ("pair", "p", "90% interval", "status"):
        t.add_column(c, justify="left" if c in ("pair", "status") else "right")
    for p in data["prospects"]["pairs"]:
        a, b = p["pair"]
        now = p["year"] or {}
        if now.get("p") is None:
            status = "has a pledge" if now and not now.get("at_risk") else "no forecast"
            t.add_row(f"{names[a]}-{names[b]}", "–", "–", status)
        else:
            t.add_row(
                f"{names[a]}-{names[b]}",
                pct(now["p"]),
                f"{pct(now['p_lo'])}–{pct(now['p_hi'])}",
                "at risk",
            )
    wide(90).print(t)
    for n in data.get("notes", []):
        err.print(line(("note: ", "bold yellow"), n))


@app.command("brief")
def brief_cmd(
    states: Annotated[list[str], typer.Argument(help="Two or more states (names or codes).")],
    year: Annotated[int, typer.Option(help="The year of the brief.")],
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", help="Write the brief here (.html, .md or .json)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="html, md or json (default: from the file's extension)."),
    ] = None,
    treaties: Annotated[
        str | None, typer.Option(help="CSV of treaties signed after 2018 (docs/treaties.md).")
    ] = None,
    draws: Annotated[int, typer.Option(help="Draws for the consequences' intervals.")] = 1000,
) -> None:
    """The alliance brief: foundations, prospects, consequences and the record of claims.

    Without --output the summary is printed; with --format and no --output the document goes
    to standard output. docs/brief.md."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from foedus.operations.brief import BriefRequest, run_brief

    req = BriefRequest(tuple(states), year, output, fmt, treaties, draws)
    progress = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task("brief", total=None)
    years_task: list[Any] = []

    def on_step(what: str) -> None:
        progress.update(task, description=f"brief: {what}")

    def on_year(y: int) -> None:
        if not years_task:
            years_task.append(progress.add_task("backtest (once)", total=59))
        progress.update(years_task[0], advance=1, description=f"backtest {y} (once)")

    with progress:
        got = run_brief(req, on_step=on_step, on_year=on_year)
    if got.written is None and got.document is not None:
        console.out.print(got.document, end="", markup=False, highlight=False, soft_wrap=True)
        return
    summary(got.brief.to_dict())
    if got.written is not None:
        console.out.print(f"wrote {got.written}", soft_wrap=True)
