"""``foedus country``: resolve names and codes to states."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from foedus.cli.app import app
from foedus.cli.console import out
from foedus.jsonout import strict_json

if TYPE_CHECKING:
    from foedus import countries


def _spell_json(sp: countries.Spell) -> dict[str, object]:
    # "ongoing": the spell runs to the last day of the source list and is assumed to continue
    return {"start": sp.start.isoformat(), "end": sp.end.isoformat(), "ongoing": sp.open_ended}


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
    from foedus import countries  # polars: loaded when the command runs, not at start-up

    idx = countries.index()
    results = []
    for q in queries:
        r = idx.resolve(q, year)
        s = r.state
        results.append(
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
