"""``foedus country``: resolve names and codes to states."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from foedus.cli.app import app
from foedus.cli.console import out
from foedus.jsonout import strict_json


def _spell_text(sp: dict[str, object]) -> str:
    end = f"{sp['end']} (end of list; ongoing)" if sp["ongoing"] else sp["end"]
    return f"{sp['start']} to {end}"


@app.command("country")
def country(
    queries: Annotated[
        list[str], typer.Argument(help="Names, COW abbreviations, ISO3 or numeric codes.")
    ],
    year: Annotated[int | None, typer.Option(help="Resolve as of this year.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Resolve countries to COW codes, with membership and major-power spells."""
    from foedus.operations.country import look_up  # polars: loaded when the command runs

    results = look_up(queries, year)
    if as_json:
        out.print(strict_json(results if len(results) > 1 else results[0]), soft_wrap=True)
        return
    for o in results:
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
        out.print(t)
