"""The brief's charts: Plotly figures (plain ``{"data", "layout"}`` dicts in Plotly's JSON
schema) drawn from the numbers of :func:`foedus.briefing.assemble.build_brief`'s result. No
analysis here: every value plotted is in the brief's dict; the only thing computed is where to
draw the alliance neighbourhood's nodes (a seeded spring layout, so the page is the same on
every run). docs/brief.md, "Charts"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["PALETTE", "Chart", "brief_charts"]

#: One colour per state, in the brief's order (then cycled).
PALETTE = ("#1f4e79", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b")
_GREY = "#9aa5b1"
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12}

#: The CINC components in the parties' capability rows, and how the chart names them.
COMPONENTS = {
    "cinc_share": "CINC (composite)",
    "milex_share": "military spending",
    "milper_share": "military personnel",
    "irst_share": "iron and steel",
    "pec_share": "primary energy",
    "tpop_share": "total population",
    "upop_share": "urban population",
}


@dataclass(frozen=True)
class Chart:
    """One figure of the brief: ``key`` names the kind (``data-chart`` in the page), ``id``
    is unique in the page, ``section`` is where it goes, ``caption`` says what it shows."""

    key: str
    id: str
    section: str
    title: str
    caption: str
    figure: dict[str, Any]


def _layout(title: str, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}},
        "font": _FONT,
        "height": 340,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 45},
        "legend": {"orientation": "h", "y": -0.18},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {"gridcolor": "#e5e8ec", "zeroline": False},
        "yaxis": {"gridcolor": "#e5e8ec", "zeroline": False},
    }
    for k, v in more.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _names(brief: dict[str, Any]) -> dict[int, str]:
    """Every state code the brief mentions, with its abbreviation."""
    names: dict[int, str] = {}
    p = brief.get("parties") or {}
    for n in (p.get("neighbourhood") or {}).get("nodes", []):
        names[n["ccode"]] = n["abb"]
    for r in p.get("rivals") or []:
        names[r["ccode"]] = r["abb"]
    for s in brief["states"]:
        names[s["ccode"]] = s["abb"]
    return names


def _series(rows: list[dict[str, Any]], col: str) -> tuple[list[int], list[Any]]:
    return [r["year"] for r in rows], [r.get(col) for r in rows]


def _has(rows: Iterable[dict[str, Any]], col: str) -> bool:
    return any(r.get(col) is not None for r in rows)


def _line(
    rows: list[dict[str, Any]], col: str, name: str, i: int, hover: str | None, **extra: Any
) -> dict[str, Any]:
    """One state's series ``col`` over the years as a line in the state's colour; ``hover``
    formats the value (``%{y:.2%}``), after the name and year. ``extra``: more trace keys
    (``line`` entries merge with the colour and width)."""
    x, y = _series(rows, col)
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": x,
        "y": y,
        "line": {"color": _colour(i), "width": 2, **extra.pop("line", {})},
        **extra,
    }
    if hover is not None:
        trace["hovertemplate"] = f"{name} %{{x}}: {hover}<extra></extra>"
    return trace


def _capabilities(brief: dict[str, Any], states: list[dict[str, Any]]) -> Chart | None:
    present = [c for c in COMPONENTS if any(_has(s.get("capabilities", []), c) for s in states)]
    if "cinc_share" not in present:
        return None
    traces, visible = [], []
    for comp in present:
        for i, s in enumerate(states):
            rows = s.get("capabilities", [])
            traces.append(_line(rows, comp, s["abb"], i, "%{y:.2%}", visible=comp == "cinc_share"))
            visible.append(comp)
    buttons = [
        {
            "label": COMPONENTS[comp],
            "method": "update",
            "args": [{"visible": [v == comp for v in visible]}],
        }
        for comp in present
    ]
    layout = _layout(
        "Share of the system's capabilities",
        yaxis={"tickformat": ".0%", "rangemode": "tozero"},
        hovermode="x unified",
        updatemenus=[
            {"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.18, "showactive": True}
        ],
    )
    return Chart(
        "capabilities",
        "chart-capabilities",
        "parties",
        "Capabilities",
        "Each party's share of the system's capabilities (COW National Material Capabilities); "
        "the menu switches between the composite index (CINC) and its six components.",
        {"data": traces, "layout": layout},
    )


def _warheads(states: list[dict[str, Any]]) -> Chart | None:
    traces = []
    for i, s in enumerate(states):
        rows = s.get("warheads", [])
        if any(r.get("warheads") for r in rows):  # only the states that have any
            traces.append(_line(rows, "warheads", s["abb"], i, "%{y:,} warheads"))
    if not traces:
        return None
    return Chart(
        "warheads",
        "chart-warheads",
        "parties",
        "Nuclear forces",
        "Nuclear warhead stockpiles of the parties that have any.",
        {
            "data": traces,
            "layout": _layout(
                "Nuclear warheads", yaxis={"rangemode": "tozero"}, hovermode="x unified"
            ),
        },
    )


def _regime(states: list[dict[str, Any]]) -> Chart | None:
    traces = []
    for i, s in enumerate(states):
        rows = s.get("regime") or []
        for col, dash, axis, label in (
            ("v2x_polyarchy", "solid", "y", "V-Dem polyarchy"),
            ("polity2", "dot", "y2", "Polity2"),
        ):
            if _has(rows, col):
                name = f"{s['abb']} {label}"
                traces.append(_line(rows, col, name, i, None, yaxis=axis, line={"dash": dash}))
    if not traces:
        return None
    layout = _layout(
        "Regime",
        yaxis={"title": {"text": "V-Dem polyarchy (0-1)"}, "range": [0, 1]},
        yaxis2={
            "title": {"text": "Polity2 (-10 to 10), dotted"},
            "range": [-10, 10],
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "zeroline": False,
        },
        hovermode="x unified",
        margin={"r": 60},
    )
    return Chart(
        "regime",
        "chart-regime",
        "parties",
        "Regime",
        "Electoral democracy (V-Dem polyarchy, solid, left axis) and Polity2 (dotted, right "
        "axis); gaps where a source has no value.",
        {"data": traces, "layout": layout},
    )


def _wealth(states: list[dict[str, Any]]) -> Chart | None:
    traces = []
    for i, s in enumerate(states):
        rows = s.get("wealth") or []
        if _has(rows, "mrgdppc"):
            traces.append(_line(rows, "mrgdppc", s["abb"], i, "$%{y:,.0f}"))
    if not traces:
        return None
    return Chart(
        "wealth",
        "chart-wealth",
        "parties",
        "Wealth",
        "GDP per capita (Maddison Project, 2011 dollars, log scale).",
        {
            "data": traces,
            "layout": _layout(
                "GDP per capita", yaxis={"type": "log", "tickprefix": "$"}, hovermode="x unified"
            ),
        },
    )


def _layout_components(g: nx.Graph) -> dict[int, tuple[float, float]]:
    """Node positions: each connected component by a seeded spring layout, the components
    side by side, largest first, each as wide as the square root of its size."""
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    pos: dict[int, tuple[float, float]] = {}
    left = 0.0
    for comp in comps:
        width = max(1, len(comp)) ** 0.5
        sub = g.subgraph(sorted(comp))
        local = (
            nx.spring_layout(sub, seed=0, center=(0, 0))
            if len(comp) > 1
            else {next(iter(comp)): (0.0, 0.0)}
        )
        for n, (x, y) in local.items():
            pos[n] = (left + width / 2 + float(x) * width / 2, float(y) * width / 2)
        left += width + 0.4
    return pos


def _network(brief: dict[str, Any]) -> Chart | None:
    hood = (brief.get("parties") or {}).get("neighbourhood") or {}
    nodes = hood.get("nodes") or []
    if len(nodes) < 2:
        return None
    g = nx.Graph()
    g.add_nodes_from(sorted(n["ccode"] for n in nodes))
    g.add_edges_from(sorted((min(e["a"], e["b"]), max(e["a"], e["b"])) for e in hood["edges"]))
    pos = _layout_components(g)
    ex: list[float | None] = []
    ey: list[float | None] = []
    for a, b in g.edges():
        ex += [round(float(pos[a][0]), 4), round(float(pos[b][0]), 4), None]
        ey += [round(float(pos[a][1]), 4), round(float(pos[b][1]), 4), None]
    order = {s["ccode"]: i for i, s in enumerate(brief["states"])}
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": ex,
            "y": ey,
            "line": {"color": "#c5ccd4", "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    for party in (False, True):
        group = [n for n in nodes if n["party"] == party]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": "parties" if party else "their defence allies",
                "x": [round(float(pos[n["ccode"]][0]), 4) for n in group],
                "y": [round(float(pos[n["ccode"]][1]), 4) for n in group],
                "text": [n["abb"] for n in group],
                "textposition": "top center",
                "customdata": [g.degree(n["ccode"]) for n in group],
                "hovertemplate": "%{text}: %{customdata} defence ties shown<extra></extra>",
                "marker": {
                    "size": 16 if party else 8,
                    "color": [_colour(order.get(n["ccode"], 0)) for n in group] if party else _GREY,
                    "line": {"color": "white", "width": 1},
                },
            }
        )
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    return Chart(
        "network",
        "chart-network",
        "parties",
        "Alliance neighbourhood",
        f"The parties and their direct defence allies in {hood.get('year')}, with the defence "
        "pledges among them (ATOP); the layout is a seeded spring layout and carries no meaning "
        "beyond who is tied to whom.",
        {
            "data": traces,
            "layout": _layout(
                "Defence ties around the parties", xaxis=axis, yaxis=axis, height=440
            ),
        },
    )


def _similarity(brief: dict[str, Any], names: dict[int, str]) -> list[Chart]:
    out = []
    dashes = ("solid", "dash", "dot", "dashdot")
    for series in (brief.get("foundations") or {}).get("series") or []:
        a, b = series["pair"]
        label = f"{names.get(a, a)}-{names.get(b, b)}"
        rows = series["rows"]
        traces = []
        for j, (col, name) in enumerate(series["columns"].items()):
            if not _has(rows, col):
                continue
            x, y = _series(rows, col)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": name,
                    "x": x,
                    "y": y,
                    "line": {"color": _colour(j + 3), "width": 2, "dash": dashes[j % 4]},
                    "hovertemplate": f"{name} %{{x}}: %{{y:.3f}}<extra></extra>",
                }
            )
        if traces:
            out.append(
                Chart(
                    "similarity",
                    f"chart-similarity-{label}",
                    "foundations",
                    f"Interest similarity, {label}",
                    f"How alike {label}'s alliance portfolios and UN votes are, year by year "
                    "(1 = identical).",
                    {
                        "data": traces,
                        "layout": _layout(
                            f"Interest similarity, {label}",
                            yaxis={"range": [-1, 1]},
                            hovermode="x unified",
                        ),
                    },
                )
            )
    return out


def _probability(brief: dict[str, Any], names: dict[int, str]) -> list[Chart]:
    out = []
    for i, item in enumerate((brief.get("prospects") or {}).get("pairs") or []):
        path = [r for r in item.get("path", []) if r.get("p") is not None]
        if not path:
            continue
        a, b = item["pair"]
        label = f"{names.get(a, a)}-{names.get(b, b)}"
        x = [r["year"] for r in path]
        colour = _colour(i)
        traces = [
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": [r["p_hi"] for r in path],
                "line": {"width": 0},
                "hoverinfo": "skip",
                "showlegend": False,
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "90% interval",
                "x": x,
                "y": [r["p_lo"] for r in path],
                "fill": "tonexty",
                "fillcolor": "rgba(31,78,121,0.18)",
                "line": {"width": 0},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "probability",
                "x": x,
                "y": [r["p"] for r in path],
                "line": {"color": colour, "width": 2},
                "customdata": [[r["p_lo"], r["p_hi"]] for r in path],
                "hovertemplate": "%{x}: %{y:.2%} (90% interval %{customdata[0]:.2%}-"
                "%{customdata[1]:.2%})<extra></extra>",
            },
        ]
        onsets = [r for r in path if r.get("onset")]
        if onsets:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": "a pact formed",
                    "x": [r["year"] for r in onsets],
                    "y": [r["p"] for r in onsets],
                    "marker": {"symbol": "star", "size": 14, "color": "#c0392b"},
                }
            )
        out.append(
            Chart(
                "probability",
                f"chart-probability-{label}",
                "prospects",
                f"Probability of a defence pact, {label}",
                "The model's yearly probability that the pair forms a defence pact, given none "
                "the year before, with its 90% interval (shaded).",
                {
                    "data": traces,
                    "layout": _layout(
                        f"Probability of a defence pact, {label}",
                        yaxis={"tickformat": ".1%", "rangemode": "tozero"},
                        xaxis={"dtick": 1},
                    ),
                },
            )
        )
    return out


def _reasons(brief: dict[str, Any], names: dict[int, str]) -> list[Chart]:
    out = []
    for item in (brief.get("prospects") or {}).get("pairs") or []:
        cs = item.get("contributions") or []
        if not cs:
            continue
        a, b = item["pair"]
        label = f"{names.get(a, a)}-{names.get(b, b)}"
        cs = list(reversed(cs))  # largest at the top of a horizontal bar chart
        out.append(
            Chart(
                "reasons",
                f"chart-reasons-{label}",
                "prospects",
                f"Reasons, {label}",
                "Each feature's contribution to the log-odds of a pact in the year: to the "
                "right, raising the probability; to the left, lowering it.",
                {
                    "data": [
                        {
                            "type": "bar",
                            "orientation": "h",
                            "x": [c["value"] for c in cs],
                            "y": [c["term"] for c in cs],
                            "customdata": [c.get("label", c["term"]) for c in cs],
                            "marker": {
                                "color": ["#2e7d32" if c["value"] > 0 else "#c0392b" for c in cs]
                            },
                            "hovertemplate": "%{customdata}: %{x:+.2f}<extra></extra>",
                            "showlegend": False,
                        }
                    ],
                    "layout": _layout(
                        f"Reasons for and against, {label} (log-odds)",
                        margin={"l": 150},
                        xaxis={"zeroline": True, "zerolinecolor": "#555"},
                    ),
                },
            )
        )
    return out


def _blocs(brief: dict[str, Any]) -> Chart | None:
    table = ((brief.get("consequences") or {}).get("result") or {}).get("table") or []
    rows = {
        r["measure"]: r
        for r in table
        if r["consequence"] == "blocs"
        and r["measure"] in ("parties_share", "opponents_share", "largest_share")
    }
    if not rows:
        return None
    labels = {
        "parties_share": "the parties' bloc",
        "opponents_share": "their rivals' bloc",
        "largest_share": "the largest bloc",
    }
    order = [m for m in labels if m in rows]
    traces = [
        {
            "type": "bar",
            "name": which,
            "x": [labels[m] for m in order],
            "y": [rows[m][which] for m in order],
            "marker": {"color": colour},
            "hovertemplate": f"{which} %{{x}}: %{{y:.1%}}<extra></extra>",
        }
        for which, colour in (("baseline", _GREY), ("scenario", PALETTE[0]))
    ]
    return Chart(
        "blocs",
        "chart-blocs",
        "consequences",
        "Bloc power",
        "Shares of world capabilities (CINC) of the blocs, without and with the scenario's "
        "change: exact accounting on the data, no sampling interval.",
        {
            "data": traces,
            "layout": _layout(
                "Bloc shares of world capabilities",
                barmode="group",
                yaxis={"tickformat": ".0%", "rangemode": "tozero"},
            ),
        },
    )


def _deltas(
    brief: dict[str, Any],
    names: dict[int, str],
    consequence: str,
    measure: str,
    *,
    key: str,
    title: str,
    caption: str,
    scale: float = 1.0,
    unit: str = "",
) -> Chart | None:
    table = ((brief.get("consequences") or {}).get("result") or {}).get("table") or []
    rows = [
        r
        for r in table
        if r["consequence"] == consequence and r["measure"] == measure and r["delta"] is not None
    ]
    if not rows:
        return None

    def item(it: str) -> str:
        parts = str(it).split("->")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return " → ".join(names.get(int(p), p) for p in parts)
        return str(it)

    rows = list(reversed(rows))
    x = [r["delta"] * scale for r in rows]
    lo = [(r["delta"] - r["lo"]) * scale if r.get("lo") is not None else 0 for r in rows]
    hi = [(r["hi"] - r["delta"]) * scale if r.get("hi") is not None else 0 for r in rows]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": x,
        "y": [item(r["item"]) for r in rows],
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": hi,
            "arrayminus": lo,
            "color": "#555",
        },
        "marker": {"color": PALETTE[0], "size": 9},
        "hovertemplate": f"%{{y}}: %{{x:+.3g}}{unit}<extra></extra>",
        "showlegend": False,
    }
    return Chart(
        key,
        f"chart-{key}",
        "consequences",
        title,
        caption,
        {
            "data": [trace],
            "layout": _layout(
                title,
                height=max(300, 40 + 26 * len(rows)),
                margin={"l": 110},
                xaxis={"zeroline": True, "zerolinecolor": "#555", "ticksuffix": unit},
            ),
        },
    )


def brief_charts(brief: dict[str, Any]) -> list[Chart]:
    """The brief's figures, in the order of the page; a figure whose numbers the brief lacks
    (no warheads, no forecast for a pair already allied, ...) is left out."""
    names = _names(brief)
    states = (brief.get("parties") or {}).get("states") or []
    abb = {s["ccode"]: s["abb"] for s in brief["states"]}
    states = [{**s, "abb": abb.get(s["ccode"], str(s["ccode"]))} for s in states]
    charts: list[Chart | None] = [
        _capabilities(brief, states),
        _warheads(states),
        _regime(states),
        _wealth(states),
        _network(brief),
        *_similarity(brief, names),
        *_probability(brief, names),
        *_reasons(brief, names),
        _blocs(brief),
        _deltas(
            brief,
            names,
            "conflict_risk",
            "p_initiation",
            key="conflict-risk",
            title="Change in the yearly probability of a dispute initiation",
            caption="For each directed dyad of a party and a principal rival: the change in the "
            "probability that the first initiates a militarised dispute against the second in "
            "the year, in percentage points, with its 90% interval over the model's sampling "
            "draws.",
            scale=100.0,
            unit=" pp",
        ),
        _deltas(
            brief,
            names,
            "war_trap",
            "eu_war_trap",
            key="war-trap",
            title="Change in the expected utility of war (War Trap)",
            caption="For each directed dyad: the change in the challenger's expected utility "
            "of war against the target (Bueno de Mesquita 1981), with its interval.",
        ),
    ]
    return [c for c in charts if c is not None]
