"""The brief as Markdown: the sections of :func:`foedus.briefing.assemble.build_brief`'s result,
laid out as headings, sentences and tables, each section ending with the function that
reproduces its numbers. No computation here."""

from __future__ import annotations

from typing import Any

from foedus.briefing.formatting import interval, num, pct

__all__ = ["render_markdown"]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [*out, ""]


def render_markdown(brief: dict[str, Any]) -> str:
    """The brief (``Brief.to_dict()``) as a Markdown document."""
    names = {s["ccode"]: s["abb"] for s in brief["states"]}
    title = " – ".join(s["name"] for s in brief["states"])
    year = brief["year"]
    md = [f"# {title}: an alliance in {year}?", ""]
    md += ["## At a glance", ""]
    md += [f"* {g['text']} ([{g['section']}](#{g['section']}))" for g in brief["glance"]] + [""]

    p = brief["parties"]
    md += ['<a id="parties"></a>', "## The parties", ""]
    rows = []
    for s in p["states"]:
        cap = s["capabilities"][-1] if s["capabilities"] else {}
        war = s["warheads"][-1] if s["warheads"] else {}
        rows.append(
            [
                names[s["ccode"]],
                pct(cap.get("cinc_share"), 2),
                pct(cap.get("milex_share"), 2),
                pct(cap.get("milper_share"), 2),
                num(war.get("warheads")),
            ]
        )
    md += [
        f"Capabilities in {p['capabilities_through']} (shares of the system), warheads in "
        f"{p['warheads_through']}:",
        "",
    ]
    md += _table(["state", "CINC", "military spending", "military personnel", "warheads"], rows)
    econ = []
    for s in p["states"]:
        reg = next((r for r in reversed(s.get("regime", [])) if r["v2x_polyarchy"] is not None), {})
        gdp = next((r for r in reversed(s.get("wealth", [])) if r["mrgdppc"] is not None), {})
        net = s.get("network", {})
        econ.append(
            [
                names[s["ccode"]],
                f"{num(reg.get('v2x_polyarchy'))} ({num(reg.get('year'))})",
                f"{num(gdp.get('mrgdppc'))} ({num(gdp.get('year'))})",
                num(net.get("degree")),
                num(net.get("betweenness")),
                str(len(s.get("treaties", []))),
            ]
        )
    if any(s.get("regime") is not None for s in p["states"]):
        md += _table(
            [
                "state",
                "V-Dem polyarchy (year)",
                "GDP per capita, 2011 $ (year)",
                "defence allies",
                "betweenness",
                "partners with pledges",
            ],
            econ,
        )
    for s in p["states"]:
        defence = [t for t in s.get("treaties", []) if "defense" in t["pledges"]]
        if defence:
            md.append(
                f"* {names[s['ccode']]}'s defence pledges with others: "
                + ", ".join(f"{t['abb']} (since {t['since']})" for t in defence[:12])
                + (f" and {len(defence) - 12} more" if len(defence) > 12 else "")
                + "."
            )
    for t in p["ties"]:
        a, b = t["pair"]
        held = ", ".join(t["pledges"]) or "none"
        md.append(f"* Pledges between {names[a]} and {names[b]} in {t['as_of']}: {held}.")
    rivals = ", ".join(
        f"{r['abb']} (rival of {', '.join(names.get(c, str(c)) for c in r['rival_of'])})"
        for r in p["rivals"][:5]
    )
    md += [
        f"* Principal rivals (TSS, {p['rivals'][0]['as_of'] if p['rivals'] else year}): "
        f"{rivals or 'none'}.",
        "",
        f"Reproduce: `{p['how']}`.",
        "",
    ]

    f = brief["foundations"]
    md += ['<a id="foundations"></a>', "## Foundations", ""]
    for pair in f["pairs"]:
        md += [f"### {pair['a']['name']} and {pair['b']['name']}", ""]
        md += _table(
            ["group", "measure", "value", "as of", "source"],
            [
                [m["group"], m["measure"], num(m["value"]), num(m["year"]), m["source"]]
                for m in pair["measures"]
            ],
        )
    md += [f"Reproduce: `{f['how']}`.", ""]

    pr = brief["prospects"]
    md += ['<a id="prospects"></a>', "## Prospects", "", f"{pr['question'].capitalize()}.", ""]
    if pr.get("unavailable"):
        md += [pr["unavailable"], ""]
    for item in [] if pr.get("unavailable") else pr["pairs"]:
        a, b = item["pair"]
        md += [f"### {names[a]} and {names[b]}", ""]
        md += _table(
            ["year", "probability", "90% interval", "at risk", "observed onset"],
            [
                [
                    str(r["year"]),
                    pct(r["p"], 2),
                    "–" if r["p"] is None else f"{pct(r['p_lo'], 2)}–{pct(r['p_hi'], 2)}",
                    "yes" if r["at_risk"] else "no",
                    num(r["onset"]),
                ]
                for r in item["path"]
            ],
        )
        if item.get("contributions"):
            md += [
                "Reasons (log-odds contributions in the year): "
                + ", ".join(f"{c['term']} {c['value']:+.2f}" for c in item["contributions"])
                + ".",
                "",
            ]
        if item.get("similar"):
            md += ["The historical dyad-years most like this one:", ""]
            md += _table(
                ["dyad", "year", "distance", "what became of it"],
                [
                    [
                        f"{r['abb1']}-{r['abb2']}",
                        str(r["year"]),
                        f"{r['distance']:.2f}",
                        r["outcome"],
                    ]
                    for r in item["similar"]
                ],
            )
    if pr.get("skill"):
        md += [pr["skill"]["text"], ""]
    md += [f"Model: {pr['model']}. Reproduce: `{pr['how']}`.", ""]

    c = brief["consequences"]
    md += ['<a id="consequences"></a>', "## Consequences", "", f"Scenario: {c['scenario']}.", ""]
    md += _table(
        ["consequence", "item", "measure", "baseline", "scenario", "change", "interval"],
        [
            [
                r["consequence"],
                str(r["item"]),
                r["measure"],
                num(r["baseline"]),
                num(r["scenario"]),
                num(r["delta"]),
                interval(r.get("lo"), r.get("hi")),
            ]
            for r in c["result"]["table"]
        ],
    )
    md += [f"Reproduce: `{c['how']}`.", ""]

    rec = brief["record"]
    md += ['<a id="record"></a>', "## Record", ""]
    if rec["claims"]:
        scores = {s["id"]: s for s in rec["scores"]["claims"]}
        md += _table(
            ["published", "author", "claim", "p", "outcome", "Brier"],
            [
                [
                    cl["published"],
                    cl["author"],
                    cl["paraphrase"],
                    pct(cl["probability"], 0),
                    cl["resolution"]["status"],
                    num(scores.get(cl["id"], {}).get("brier")),
                ]
                for cl in rec["claims"]
            ],
        )
    else:
        md += ["The ledger holds no claim about these parties.", ""]
    md += [f"Reproduce: `{rec['how']}`.", ""]

    md += ['<a id="data"></a>', "## Data", ""]
    md += _table(
        ["source", "last year", "data sets"],
        [
            [
                v["title"],
                num(v["last_year"]),
                ", ".join(f"{d['name']} {d['version']}" for d in v["datasets"]),
            ]
            for v in brief["data"]["vintages"]
        ],
    )
    for n in brief.get("notes", []):
        md.append(f"* Note: {n}")
    if brief["data"].get("citations"):
        md += ["", "References:", ""]
        md += [f"* {c['text']}" for c in brief["data"]["citations"]]
    return "\n".join(md).rstrip() + "\n"
