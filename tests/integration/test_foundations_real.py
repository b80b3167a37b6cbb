"""`foedus foundations A B --year Y` on the real data."""

from __future__ import annotations

import json
import subprocess
import sys

from foedus.foundations import foundations


def test_russia_china_2021():
    res = foundations("Russia", "China", 2021)
    m = {x["measure"]: x for x in res["measures"]}
    assert (res["a"]["ccode"], res["b"]["ccode"]) == (365, 710)
    # no source is extrapolated: each value says the year it comes from
    assert m["atop_defense"]["value"] == 0 and m["atop_defense"]["year"] == 2018
    assert m["atop_nonagg"]["value"] == 1  # the 2001 treaty of good-neighbourliness
    assert m["warheads_a"]["value"] == 4495 and m["warheads_a"]["year"] == 2021
    assert m["un_agree"]["year"] == 2019 and 0.5 < m["un_agree"]["value"] < 1
    assert m["shared_rivals"]["value"] == 1 and m["shared_rivals"]["year"] == 2020
    assert m["conttype"]["value"] == 1 and m["conttype"]["year"] == 2016
    assert m["capability_ratio"]["value"] > 5
    assert any("assumed" in n for n in res["notes"])
    # regime: V-Dem's electoral democracy of each and the weak link, both autocracies
    a, b = m["polyarchy_a"]["value"], m["polyarchy_b"]["value"]
    assert 0 < b < a < 0.5 and m["polyarchy_min"]["value"] == b
    assert {m[k]["year"] for k in ("polyarchy_a", "polyarchy_b", "polyarchy_min")} == {2021}
    assert res["not_yet"] == []


def test_cli_json_and_a_historical_pair():
    r = subprocess.run(
        [sys.executable, "-m", "foedus", "foundations", "GMY", "AUH", "--year", "1914", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    m = {x["measure"]: x for x in json.loads(r.stdout)["measures"]}
    assert m["atop_defense"]["value"] == 1 and m["atop_defense"]["year"] == 1914
    assert "un_agree" not in m  # no UN before 1946: omitted, not invented
    assert m["polyarchy_min"]["value"] == min(m["polyarchy_a"]["value"], m["polyarchy_b"]["value"])
