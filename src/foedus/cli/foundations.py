"""``foedus foundations``: every foundations measure for a pair of states in a year."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from foedus.cli.app import app
from foedus.cli.console import err, out, styled, wide
from foedus.jsonout import strict_json


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
        out.print(strict_json(res), soft_wrap=True)
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
            styled(m["year"], "yellow") if late else str(m["year"]),
            m["source"],
            m["explanation"],
        )
    wide(140).print(t)
    for n in res["notes"]:
        out.print(f"note: {n}")
    out.print(
        "as of: the year each value comes from (yellow: the source ends earlier)."
        + (" Not yet measured: " + "; ".join(res["not_yet"]) + "." if res["not_yet"] else "")
    )
