"""The brief's content on the real data: every section present, the glance sentences drawn
from the section numbers, the default scenario and the ledger's claims about the parties."""

from __future__ import annotations

import json

import pytest

from foedus.brief.assemble import build_brief
from foedus.brief.markdown import render_markdown
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
    glance = {g["section"]: g["text"] for g in d["glance"]}
    assert f"{now['p']:.1%}" in glance["prospects"]
    assert (
        "percentage points" in glance["consequences"] and "2 published claims" in glance["record"]
    )
    assert d["foundations"]["pairs"][0]["a"]["ccode"] in (RUS, CHN)
    parties = d["parties"]
    assert [r["ccode"] for r in parties["rivals"][:3]] == [2, 750, 740]  # USA, India, Japan
    assert parties["ties"] == [{"pair": [RUS, CHN], "pledges": ["nonagg", "consul"], "as_of": 2021}]
    rus = next(s for s in parties["states"] if s["ccode"] == RUS)
    assert rus["capabilities"][-1]["year"] == parties["capabilities_through"]
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
    assert glance["prospects"] in md and md.count("Reproduce: `") == 5
    assert f"| 2021 | {now['p']:.2%} |" in md and "USA (rival of RUS, CHN)" in md


@pytest.mark.parametrize(
    ("states", "year", "text"),
    [
        (["Russia"], 2021, "two or more states"),
        (["Russia", "RUS"], 2021, "named twice"),
        (["Russia", "China"], 1900, "1947"),
        (["Russia", "China"], 2040, "forecasts reach"),
        (["Russia", "Narnia"], 2021, "Narnia"),
        (["Russia", "East Germany"], 2021, "not a member of the COW state system in 2021"),
    ],
)
def test_bad_requests(states, year, text):
    with pytest.raises(FoedusError, match=text):
        build_brief(states, year)
