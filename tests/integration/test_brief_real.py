"""The brief's content on the real data: every section present, the glance sentences drawn
from the section numbers, the default scenario and the ledger's claims about the parties."""

from __future__ import annotations

import json

import pytest

from foedus.briefing.assemble import build_brief
from foedus.briefing.html import render_html
from foedus.briefing.markdown import render_markdown
from foedus.errors import FoedusError

RUS, CHN = 365, 710


def test_a_russia_china_brief(tmp_path):
    b = build_brief(
        ["Russia", "China"], 2021, ledger_url=f"sqlite:///{tmp_path / 'c.sqlite'}", draws=100
    )
    d = json.loads(json.dumps(b.to_dict()))  # plain JSON types
    assert [s["ccode"] for s in d["states"]] == [RUS, CHN]
    [pair] = d["prospects"]["pairs"]
    now = pair["year"]
    assert now["year"] == 2021 and 0 < now["p"] < 0.2 and now["p_lo"] <= now["p"] <= now["p_hi"]
    assert [p["year"] for p in pair["path"]] == list(range(2015, 2022))
    assert d["consequences"]["direction"] == "add"
    assert "blocs" in d["consequences"]["result"]["consequences"]
    assert {c["condition"]["event"] for c in d["record"]["claims"]} == {"new_pledge"}
    assert len(d["record"]["claims"]) == 2  # the example ledger's two Russia-China claims
    glance: dict[str, list[str]] = {}
    for g in d["glance"]:
        glance.setdefault(g["section"], []).append(g["text"])
    assert [g["section"] for g in d["glance"]] == sorted(
        (g["section"] for g in d["glance"]), key=["prospects", "consequences", "record"].index
    )
    assert f"{now['p']:.1%}" in glance["prospects"][0]
    assert "strongest reasons for" in glance["prospects"][1]
    assert "percentage points" in glance["consequences"][0]
    assert "2 published claims" in glance["record"][0]
    # each claim beside the model's probability for it, as of the claim's date
    scored = d["record"]["scores"]["claims"]
    assert all(0 < c["model_probability"] < 0.2 and c["model_brier"] < c["brier"] for c in scored)
    assert d["record"]["scores"]["head_to_head"]["n"] == 2
    assert "the model's, on the same 2" in glance["record"][0]
    # the reasons: log-odds contributions, largest first, the base apart
    contrib = pair["contributions"]
    assert contrib and all(c["term"] != "(base)" for c in contrib)
    assert [abs(c["value"]) for c in contrib] == sorted(
        (abs(c["value"]) for c in contrib), reverse=True
    )
    assert pair["base_log_odds"] < 0
    # the analogues: at-risk dyad-years whose next five years are known by 2021, nearest first
    sim = pair["similar"]
    assert len(sim) == 5 and all(s["year"] <= 2018 - 4 for s in sim)
    assert [s["distance"] for s in sim] == sorted(s["distance"] for s in sim)
    assert all((s["formed"] is None) == s["outcome"].startswith("no ") for s in sim)
    assert len({(s["ccode1"], s["ccode2"]) for s in sim}) == 5  # one year per dyad
    skill = d["prospects"]["skill"]
    assert skill["start"] == 1960 and skill["end"] == 2018 and 0.85 < skill["roc_auc"] < 0.95
    assert skill["n"] > 700_000 and skill["log_loss"] < skill["base_log_loss"]
    # interest similarity over 30 years: UN votes to their last year, portfolios throughout
    [series] = d["foundations"]["series"]
    rows = series["rows"]
    assert series["pair"] == [RUS, CHN] and [r["year"] for r in rows] == list(range(1991, 2022))
    assert all(r["portfolio_taub"] is not None for r in rows)
    assert rows[0]["un_agree"] is not None and rows[-1]["un_agree"] is None  # votes end 2019
    # references: the data sets' and the methods', as text and BibTeX
    keys = [c["key"] for c in d["data"]["citations"]]
    assert {"leeds2022atop", "singer1972", "king2001", "voeten2009"} <= set(keys)
    assert d["data"]["bibtex"].count("@") == len(keys)
    assert d["foundations"]["pairs"][0]["a"]["ccode"] in (RUS, CHN)
    parties = d["parties"]
    assert [r["ccode"] for r in parties["rivals"][:3]] == [2, 750, 740]  # USA, India, Japan
    assert parties["ties"] == [{"pair": [RUS, CHN], "pledges": ["nonagg", "consul"], "as_of": 2021}]
    rus = next(s for s in parties["states"] if s["ccode"] == RUS)
    assert rus["capabilities"][-1]["year"] == parties["capabilities_through"]
    # regime and wealth: null past each source's end, never carried forward
    assert [r["year"] for r in rus["regime"]][-1] == 2021
    assert rus["regime"][-1]["v2x_polyarchy"] < 0.5 and rus["regime"][-1]["polity2"] is None
    by_year = {r["year"]: r for r in rus["wealth"]}
    assert by_year[2019]["pwtrgdp"] > 0 and by_year[2021]["pwtrgdp"] is None
    # treaties with others: pledges in force, defence first; the network around the parties
    assert rus["treaties"][0]["pledges"][0] == "defense"
    assert all(t["partner"] not in (RUS, CHN) for t in rus["treaties"])
    assert {t["abb"] for t in rus["treaties"] if "defense" in t["pledges"]} >= {"BLR", "ARM"}
    assert rus["network"]["degree"] == sum("defense" in t["pledges"] for t in rus["treaties"])
    hood = parties["neighbourhood"]
    nodes = {n["ccode"]: n for n in hood["nodes"]}
    assert nodes[RUS]["party"] and nodes[CHN]["party"] and 731 in nodes  # China's ally PRK
    assert all(e["a"] in nodes and e["b"] in nodes and e["a"] < e["b"] for e in hood["edges"])
    assert rus["warheads"] and rus["warheads"][-1]["warheads"] > 1000
    assert d["consequences"]["result"]["scenario"]["opponents"] == [2, 750, 740]
    assert "theatre" in d["consequences"]["result"]["consequences"]
    md = render_markdown(d)
    for heading in (
        "## At a glance",
        "## The parties",
        "## Foundations",
        "## Prospects",
        "## Consequences",
        "## Record",
        "## Data",
    ):
        assert heading in md
    assert glance["prospects"][0] in md and md.count("Reproduce: `") == 5
    assert f"| 2021 | {now['p']:.2%} |" in md and "USA (rival of RUS, CHN)" in md


def test_a_brief_before_the_model_s_years(tmp_path):
    """1910: every section but the forecast, which says why it is missing."""
    b = build_brief(
        ["United Kingdom", "France"],
        1910,
        ledger_url=f"sqlite:///{tmp_path / 'c.sqlite'}",
        draws=50,
    )
    d = json.loads(json.dumps(b.to_dict()))
    pr = d["prospects"]
    assert "forecasts from 1947" in pr["unavailable"] and pr["skill"] is None
    assert [p["year"] for p in pr["pairs"]] == [None] and pr["pairs"][0]["path"] == []
    assert [v["last_year"] for v in pr["vintages"]] == [None] * len(pr["vintages"])
    assert d["glance"][0] == {
        "section": "prospects",
        "text": "No formation forecast for 1910: the model forecasts from 1947.",
    }
    assert [r["ccode"] for r in d["parties"]["rivals"][:1]] == [255]  # Germany
    assert d["foundations"]["pairs"][0]["measures"]
    assert "blocs" in d["consequences"]["result"]["consequences"]
    md = render_markdown(d)
    assert pr["unavailable"] in md and "| year | probability |" not in md
    assert pr["unavailable"] in render_html(d)


@pytest.mark.parametrize(
    ("states", "year", "text"),
    [
        (["Russia"], 2021, "two or more states"),
        (["Russia", "RUS"], 2021, "named twice"),
        (["Russia", "China"], 1800, "1816"),
        (["Russia", "China"], 2040, "forecasts reach"),
        (["Russia", "Narnia"], 2021, "Narnia"),
        (["Russia", "East Germany"], 2021, "not a member of the COW state system in 2021"),
    ],
)
def test_bad_requests(states, year, text):
    with pytest.raises(FoedusError, match=text):
        build_brief(states, year)


def test_the_command_and_the_function_write_each_format(tmp_path, capsys):
    import foedus
    from foedus.cli import run

    md = tmp_path / "b.md"
    assert run(["brief", "RUS", "CHN", "--year", "2021", "-o", str(md), "--draws", "100"]) == 0
    out = capsys.readouterr().out
    assert "Russia – China, 2021" in out and "RUS-CHN" in out and f"wrote {md}" in out
    assert md.read_text().startswith("# Russia – China: an alliance in 2021?")
    js = tmp_path / "b.json"
    b = foedus.brief(["USA", "Japan"], 1960, output=js, draws=100)
    d = json.loads(js.read_text())
    assert d["year"] == 1960 and d["states"] == b.to_dict()["states"]
    # the HTML page, by its extension: one file, its charts' data inline
    page = tmp_path / "b.html"
    assert run(["brief", "USA", "JPN", "--year", "1960", "-o", str(page), "--draws", "100"]) == 0
    assert f"wrote {page}" in capsys.readouterr().out
    html = page.read_text()
    assert html.startswith("<!doctype html>") and 'id="foedus-figures"' in html
    assert "<title>" in html and "United States of America" in html and "Japan" in html
    # --format without --output: the document on standard output, nothing else
    assert run(["brief", "USA", "JPN", "--year", "1960", "--format", "json", "--draws", "100"]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == 1960


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["RUS", "--year", "2021"], "two or more states"),
        (["RUS", "CHN", "--year", "2021", "-o", "x.pdf"], "unknown extension"),
        (["RUS", "CHN", "--year", "2021", "--format", "docx"], "format"),
        (["RUS", "UKR", "--year", "1980"], "not a member"),
    ],
)
def test_the_command_refuses_bad_requests(args, text, capsys, tmp_path, monkeypatch):
    from foedus.cli import run

    monkeypatch.chdir(tmp_path)
    assert run(["brief", *args]) == 2
    got = capsys.readouterr()
    assert text in got.err and "Traceback" not in got.err and not list(tmp_path.iterdir())
