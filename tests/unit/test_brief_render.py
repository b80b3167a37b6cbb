"""The brief's renderers on a synthetic brief: the HTML page (sections, links, charts,
escaping, no external loads, byte-for-byte determinism), its charts (valid Plotly figures,
left out when the numbers are missing), the Markdown, and the format choice."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from foedus.briefing.charts import brief_charts
from foedus.briefing.html import render_html
from foedus.briefing.markdown import render_markdown
from foedus.errors import FoedusError
from foedus.operations.brief import BriefRequest, check_request, render

A, B, C = 1, 2, 3
EVIL = "<script>alert('x')</script> & </script>"
SECTIONS = ["glance", "parties", "foundations", "prospects", "consequences", "record", "data"]


def _years(lo: int, hi: int, f) -> list[dict[str, Any]]:
    return [{"year": y, **f(y)} for y in range(lo, hi + 1)]


def synthetic_brief() -> dict[str, Any]:
    """Every key the renderers read, with made-up numbers and one hostile string."""

    def state(code: int, share: float, warheads: int) -> dict[str, Any]:
        return {
            "ccode": code,
            "capabilities": _years(
                2000,
                2004,
                lambda y: {
                    "cinc_share": share + (y - 2000) / 1000,
                    "milex_share": share,
                    "milper_share": share / 2,
                    "irst_share": share,
                    "pec_share": share,
                    "tpop_share": share,
                    "upop_share": share,
                },
            ),
            "warheads": _years(2000, 2004, lambda y: {"warheads": warheads}),
            "regime": _years(
                2000, 2004, lambda y: {"v2x_polyarchy": 0.5, "polity2": None if y > 2002 else 3.0}
            ),
            "wealth": _years(
                2000,
                2004,
                lambda y: {"mrgdppc": 1000.0 * (y - 1999), "pwtrgdp": None, "pwtpop": None},
            ),
            "network": {"year": 2004, "pledge": "defense", "degree": 1, "betweenness": 0.0},
            "treaties": [
                {"partner": C, "abb": "CCC", "pledges": ["defense", "consul"], "since": 1990},
                {"partner": 9, "abb": "NNN", "pledges": ["nonagg"], "since": 1995},
            ],
        }

    path = _years(
        2000,
        2004,
        lambda y: {"p": 0.01, "p_lo": 0.005, "p_hi": 0.02, "at_risk": True, "onset": 0},
    )
    return {
        "states": [
            {"ccode": A, "abb": "AAA", "name": "Aland"},
            {"ccode": B, "abb": "BBB", "name": f"Bland {EVIL}"},
        ],
        "year": 2004,
        "glance": [
            {"section": "prospects", "text": f"The model gives 1.0% {EVIL}."},
            {"section": "consequences", "text": "A pact would raise the bloc share."},
            {"section": "record", "text": "The ledger holds 1 claim."},
        ],
        "notes": ["a note"],
        "parties": {
            "states": [state(A, 0.1, 100), state(B, 0.05, 0)],
            "ties": [{"pair": [A, B], "pledges": [], "as_of": 2004}],
            "rivals": [
                {"ccode": 7, "abb": "RRR", "rival_of": [A], "cinc_share": 0.2, "as_of": 2004}
            ],
            "neighbourhood": {
                "year": 2004,
                "pledge": "defense",
                "nodes": [
                    {"ccode": A, "abb": "AAA", "party": True},
                    {"ccode": B, "abb": "BBB", "party": True},
                    {"ccode": C, "abb": "CCC", "party": False},
                ],
                "edges": [{"a": A, "b": C}, {"a": B, "b": C}],
            },
            "capabilities_through": 2004,
            "warheads_through": 2004,
            "how": "foedus.measures.power.system_shares",
        },
        "foundations": {
            "pairs": [
                {
                    "a": {"ccode": A, "name": "Aland"},
                    "b": {"ccode": B, "name": "Bland"},
                    "year": 2004,
                    "notes": [],
                    "not_yet": [],
                    "measures": [
                        {
                            "group": "power",
                            "measure": "cinc_a",
                            "value": 0.1,
                            "year": 2004,
                            "source": "COW NMC",
                            "explanation": EVIL,
                        }
                    ],
                }
            ],
            "series": [
                {
                    "pair": [A, B],
                    "columns": {"portfolio_taub": "alliance portfolios, tau-b", "un_agree": "UN"},
                    "rows": _years(2000, 2004, lambda y: {"portfolio_taub": 0.2, "un_agree": None}),
                }
            ],
            "how": "foedus.foundations.foundations(a, b, year)",
        },
        "prospects": {
            "pairs": [
                {
                    "pair": [A, B],
                    "year": path[-1],
                    "path": path,
                    "contributions": [
                        {"term": "cinc_total", "value": 1.2, "label": "the pair's share"},
                        {"term": "major2", "value": -0.7, "label": "B is a major power"},
                    ],
                    "base_log_odds": -7.0,
                    "similar": [
                        {
                            "ccode1": 5,
                            "ccode2": 6,
                            "abb1": "EEE",
                            "abb2": "FFF",
                            "year": 1980,
                            "distance": 1.5,
                            "formed": None,
                            "outcome": "no defence pact within 5 years",
                        }
                    ],
                }
            ],
            "model": "relogit",
            "question": "onset of a defense pledge in the year",
            "skill": {"text": "ROC-AUC 0.9.", "how": "foedus.prospects.skill.backtest_skill()"},
            "how": "foedus.prospects.forecast.forecast",
            "vintages": [],
        },
        "consequences": {
            "scenario": "AAA, BBB: a defense pact in 2004",
            "direction": "add",
            "result": {
                "consequences": {"blocs": {"note": "exact accounting"}},
                "table": [
                    {
                        "consequence": "blocs",
                        "item": "parties",
                        "measure": "parties_share",
                        "baseline": 0.1,
                        "scenario": 0.15,
                        "delta": 0.05,
                        "lo": None,
                        "hi": None,
                    },
                    {
                        "consequence": "conflict_risk",
                        "item": f"{A}->7",
                        "measure": "p_initiation",
                        "baseline": 0.01,
                        "scenario": 0.011,
                        "delta": 0.001,
                        "lo": -0.001,
                        "hi": 0.003,
                    },
                    {
                        "consequence": "war_trap",
                        "item": f"7->{B}",
                        "measure": "eu_war_trap",
                        "baseline": 1.0,
                        "scenario": 0.5,
                        "delta": -0.5,
                        "lo": -0.9,
                        "hi": -0.1,
                    },
                ],
            },
            "how": "foedus.scenarios.run.run_scenario",
        },
        "record": {
            "claims": [
                {
                    "id": 1,
                    "author": f"A. Pundit {EVIL}",
                    "outlet": "The Daily",
                    "url": "https://example.org/claim?a=1&b=2",
                    "published": "2003-01-01",
                    "paraphrase": "A pact is near.",
                    "probability": 0.9,
                    "resolution": {"status": "no"},
                }
            ],
            "scores": {
                "claims": [
                    {"id": 1, "brier": 0.81, "model_probability": 0.02, "model_brier": 0.0004}
                ]
            },
            "how": "foedus.claims.scoring.score_claims",
        },
        "data": {
            "vintages": [
                {
                    "title": "COW NMC",
                    "last_year": 2016,
                    "datasets": [{"name": "nmc", "version": "6.0", "sha256": "ab" * 32}],
                }
            ],
            "world": {},
            "citations": [{"key": "singer1972", "text": "Singer et al. (1972)."}],
            "bibtex": "@article{singer1972,\n  title = {Capability & 50% {D}istribution}\n}\n",
        },
    }


class _Page(HTMLParser):
    """What a browser would load or link: ids, hrefs, srcs, scripts, chart divs."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.charts: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.bibtex: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if "src" in a:
            self.srcs.append(a["src"] or "")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
            if a.get("id") == "bibtex":
                self.bibtex = a["href"]
        if tag == "link":
            self.links.append(a)
        if tag == "script":
            self.scripts.append(a)
        if tag == "div" and "foedus-chart" in (a.get("class") or "").split():
            self.charts.append((a.get("id") or "", a.get("data-chart") or ""))


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _figures(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="foedus-figures">(.*?)</script>', html, re.S)
    assert m, "the figures' JSON block is missing"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(synthetic_brief())


def test_the_page_has_every_section_and_its_links_resolve(page):
    p = _parse(page)
    assert [i for i in p.ids if i in SECTIONS] == SECTIONS
    internal = [h[1:] for h in p.hrefs if h.startswith("#")]
    assert {"prospects", "consequences", "record"} <= set(internal)
    assert set(internal) <= set(p.ids)


def test_the_page_loads_nothing_from_outside(page):
    p = _parse(page)
    assert p.srcs == [] and p.links == []  # no <script src>, <img src>, stylesheet links
    own = page.replace(get_plotlyjs(), "")  # Plotly's bundle names URLs it never loads here
    assert page.count(get_plotlyjs()) == 1
    assert "cdn." not in own.lower() and "@import" not in own and "url(" not in own
    # the only external address is the claim's source, as a link the reader may follow
    external = [h for h in p.hrefs if h.startswith(("http:", "https:", "//"))]
    assert external == ["https://example.org/claim?a=1&b=2"]
    assert page.count("Plotly.newPlot") == 1 and "MathJaxConfig" in page


def test_every_text_is_escaped(page):
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;/script&gt;" in page
    # the figures' JSON cannot close its script element early
    m = re.search(r'id="foedus-figures">(.*?)</script>', page, re.S)
    assert m and "<" not in m.group(1)


def test_each_chart_div_has_its_figure_and_the_figures_are_valid(page):
    p = _parse(page)
    figs = _figures(page)
    ids = [i for i, _k in p.charts]
    assert len(ids) == len(set(ids)) and set(ids) == set(figs)
    assert {k for _i, k in p.charts} == {
        "capabilities",
        "warheads",
        "regime",
        "wealth",
        "network",
        "similarity",
        "probability",
        "reasons",
        "blocs",
        "conflict-risk",
        "war-trap",
    }
    for f in figs.values():
        go.Figure(data=f["data"], layout=f["layout"])  # raises on anything Plotly rejects
    config = json.loads(re.search(r"var config = (\{.*?\});", page).group(1))
    assert config["displaylogo"] is False


def test_the_page_is_the_same_on_every_render(page):
    assert render_html(synthetic_brief()) == page


def test_the_bibtex_link_carries_the_references(page):
    p = _parse(page)
    assert p.bibtex is not None and p.bibtex.startswith("data:application/x-bibtex")
    assert unquote(p.bibtex.split(",", 1)[1]) == synthetic_brief()["data"]["bibtex"]


def test_the_numbers_on_the_page_are_the_briefs():
    b = synthetic_brief()
    html = render_html(b)
    assert "10.40%" in html  # AAA's CINC share in the last year, 0.1 + 4/1000
    assert "0.50%–2.00%" in html  # the interval of the path
    assert "+1.20" in html and "-0.70" in html
    assert "EEE-FFF" in html and "no defence pact within 5 years" in html
    assert "2.0%" in html  # the model's probability of the claim


def test_charts_are_left_out_when_their_numbers_are_missing():
    b = synthetic_brief()
    for s in b["parties"]["states"]:
        s["warheads"] = [{"year": r["year"], "warheads": 0} for r in s["warheads"]]
        s["regime"] = [{**r, "v2x_polyarchy": None, "polity2": None} for r in s["regime"]]
    b["prospects"]["pairs"][0]["path"] = [
        {**r, "p": None, "p_lo": None, "p_hi": None} for r in b["prospects"]["pairs"][0]["path"]
    ]
    b["prospects"]["pairs"][0]["contributions"] = []
    keys = {c.key for c in brief_charts(b)}
    assert not keys & {"warheads", "regime", "probability", "reasons"}
    assert {"capabilities", "wealth", "network", "similarity"} <= keys


def test_older_briefs_without_the_newer_keys_still_render():
    b = synthetic_brief()
    for s in b["parties"]["states"]:
        for k in ("regime", "wealth", "network", "treaties"):
            del s[k]
    del b["parties"]["neighbourhood"]
    del b["foundations"]["series"]
    for k in ("contributions", "base_log_odds", "similar"):
        del b["prospects"]["pairs"][0][k]
    del b["prospects"]["skill"]
    del b["data"]["citations"]
    del b["data"]["bibtex"]
    html = render_html(copy.deepcopy(b))
    p = _parse(html)
    assert [i for i in p.ids if i in SECTIONS] == SECTIONS and p.bibtex is None
    assert {k for _i, k in p.charts} == {
        "capabilities",
        "warheads",
        "probability",
        "blocs",
        "conflict-risk",
        "war-trap",
    }
    assert "## Prospects" in render_markdown(b)


def test_the_network_layout_is_seeded():
    one = next(c for c in brief_charts(synthetic_brief()) if c.key == "network")
    two = next(c for c in brief_charts(synthetic_brief()) if c.key == "network")
    assert one.figure == two.figure
    xs = one.figure["data"][1]["x"] + one.figure["data"][2]["x"]
    assert len(xs) == 3 and len(set(xs)) == 3


def test_the_markdown_has_the_same_sections():
    md = render_markdown(synthetic_brief())
    for s in SECTIONS[1:]:
        assert f'<a id="{s}"></a>' in md
    assert "(#prospects)" in md.split("## The parties")[0]


@pytest.mark.parametrize(
    ("output", "fmt", "expected"),
    [
        ("b.html", None, "html"),
        ("b.HTM", None, "html"),
        ("b.md", None, "md"),
        ("b.json", None, "json"),
        ("b.txt", "html", "html"),
        (None, "html", "html"),
    ],
)
def test_the_format_comes_from_the_flag_or_the_extension(tmp_path, output, fmt, expected):
    out = None if output is None else tmp_path / output
    if output == "b.txt":
        with pytest.raises(FoedusError, match=r"\.html"):
            check_request(BriefRequest(("A", "B"), 2004, out, fmt))
        return
    got, path = check_request(BriefRequest(("A", "B"), 2004, out, fmt))
    assert got == expected and path == out


def test_render_dispatches_on_the_format():
    b = synthetic_brief()
    assert render(b, "html").startswith("<!doctype html>")
    assert render(b, "md").startswith("# Aland")
    assert json.loads(render(b, "json"))["year"] == 2004
    with pytest.raises(FoedusError, match="format"):
        render(b, "pdf")
