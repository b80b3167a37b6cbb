"""The brief as one self-contained HTML page: the sections of
:func:`foedus.briefing.assemble.build_brief`'s result as in the Markdown, with the charts of
:mod:`foedus.briefing.charts` drawn by Plotly, whose script is inlined once, so the page opens
offline from disk and asks no server for anything. Every text is escaped; the same brief gives
the same page byte for byte. No computation here. docs/brief.md, "The HTML page"."""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import quote

import jinja2
from plotly.offline import get_plotlyjs

from foedus.briefing.charts import PALETTE, brief_charts
from foedus.briefing.formatting import interval, num, pct
from foedus.jsonout import strict_json

__all__ = ["render_html"]

#: Plotly's configuration for every chart: no logo, no MathJax, no link to Plotly's servers.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "svg"},
}


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("foedus.briefing", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=pct, num=num, interval=interval)
    env.tests["contains"] = lambda seq, item: item in (seq or ())
    return env


@cache
def _plotly_js() -> str:
    return get_plotlyjs()


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</`` can close it early."""
    return (
        strict_json(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_html(brief: dict[str, Any]) -> str:
    """The brief (``Brief.to_dict()``) as one HTML document (str), charts included."""
    charts = brief_charts(brief)
    by_section: dict[str, list[Any]] = {}
    for c in charts:
        by_section.setdefault(c.section, []).append(c)
    figures = {c.id: c.figure for c in charts}
    names = {s["ccode"]: s["abb"] for s in brief["states"]}
    for n in ((brief.get("parties") or {}).get("neighbourhood") or {}).get("nodes", []):
        names.setdefault(n["ccode"], n["abb"])
    for r in (brief.get("parties") or {}).get("rivals") or []:
        names.setdefault(r["ccode"], r["abb"])
    bibtex = (brief.get("data") or {}).get("bibtex") or ""
    colours = {s["ccode"]: PALETTE[i % len(PALETTE)] for i, s in enumerate(brief["states"])}
    page = _environment().get_template("brief.html.j2")
    return page.render(
        b=brief,
        names=names,
        colours=colours,
        charts=by_section,
        title=" – ".join(s["name"] for s in brief["states"]),
        figures_json=_script_json(figures),
        config_json=json.dumps(PLOTLY_CONFIG, sort_keys=True),
        plotly_js=_plotly_js(),
        bibtex_uri="data:application/x-bibtex;charset=utf-8," + quote(bibtex) if bibtex else "",
        bibtex_name="foedus-brief-"
        + "-".join(s["abb"] for s in brief["states"])
        + f"-{brief['year']}.bib",
    )
