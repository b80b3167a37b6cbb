"""Scenario files: every bad scenario gives a clear error that names its line."""

from __future__ import annotations

import pytest

from foedus.countries import CountryIndex
from foedus.errors import ScenarioError
from foedus.scenarios.spec import CONSEQUENCES, parse_scenario, read_scenario
from tests.unit.test_countries import cow_states_frame

COW = [  # stateabb, ccode, statenme, start, end (open spells carried past the list's end)
    ("USA", 2, "United States of America", (1816, 1, 1), (2016, 12, 31)),
    ("GDR", 265, "German Democratic Republic", (1954, 3, 25), (1990, 10, 2)),
    ("RUS", 365, "Russia", (1816, 1, 1), (2016, 12, 31)),
    ("FIN", 375, "Finland", (1917, 12, 6), (2016, 12, 31)),
    ("SWD", 380, "Sweden", (1816, 1, 1), (2016, 12, 31)),
    ("CHN", 710, "China", (1860, 1, 1), (2016, 12, 31)),
]
IDX = CountryIndex(cow_states_frame(COW))

GOOD = """\
[scenario]
name = "pact"
year = 2021

[[changes]]
kind = "add"
pledge = "defence"
between = ["Russia", "China"]

[consequences]
dyads = [["USA", "CHN"]]
draws = 500
"""


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text, "s.toml", index=IDX)
    return [(p.line, p.message) for p in e.value.problems]


def test_a_good_scenario():
    s = parse_scenario(GOOD, index=IDX)
    assert s.year == 2021 and s.name == "pact" and s.draws == 500
    assert s.changes[0].kind == "add" and s.changes[0].pledge == "defense"
    assert s.changes[0].pairs == ((365, 710),) and s.changes[0].line == 5
    assert s.dyads == ((2, 710),) and s.compute == CONSEQUENCES
    assert s.parties == (365, 710)
    assert s.to_dict()["changes"] == ["add defense 365-710"]


def test_malformed_toml_names_the_line():
    [(line, msg)] = problems(GOOD.replace('pledge = "defence"', "pledge = defence"))
    assert line == 7 and "not valid TOML" in msg


def test_a_multi_problem_file_lists_every_problem_with_its_line():
    text = GOOD.replace('"Russia", "China"', '"Rusia", "China"').replace("draws = 500", "drawz = 5")
    got = problems(text)
    assert (8, "unknown country 'Rusia'") in [(ln, m[:23]) for ln, m in got] or any(
        ln == 8 and "Rusia" in m for ln, m in got
    )
    assert any(ln == 12 and "unknown key 'drawz'" in m for ln, m in got)
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text, "s.toml", index=IDX)
    assert "did you mean 'draws'" in str(e.value) and "2 problems" in str(e.value)


def test_a_state_outside_the_system_that_year():
    [(line, msg)] = problems(
        GOOD.replace('"Russia", "China"', '"German Democratic Republic", "China"')
    )
    assert line == 8 and "not a member of the COW state system in 2021" in msg


@pytest.mark.parametrize(
    ("year", "what"),
    [("3000", "outside"), ("1700", "outside"), ('"2021"', "whole number"), ("2021.5", "whole")],
)
def test_impossible_years(year, what):
    [(line, msg)] = problems(GOOD.replace("year = 2021", f"year = {year}"))
    assert line == 3 and what in msg


def test_unknown_kind_and_pledge_suggest_the_fix():
    with pytest.raises(ScenarioError) as e:
        parse_scenario(GOOD.replace('kind = "add"', 'kind = "ad"'), "s.toml", index=IDX)
    assert e.value.line == 6 and "did you mean 'add'" in str(e.value)
    with pytest.raises(ScenarioError) as e:
        parse_scenario(GOOD.replace('"defence"', '"defenc"'), "s.toml", index=IDX)
    assert e.value.line == 7 and "did you mean 'defense'" in str(e.value)


def test_contradictory_and_repeated_changes():
    remove = '\n[[changes]]\nkind = "remove"\npledge = "defense"\nbetween = ["China", "Russia"]\n'
    text = GOOD.replace("[consequences]", remove + "\n[consequences]")
    [(line, msg)] = problems(text)
    assert line == 11 and "contradicts the one on line 5" in msg
    again = remove.replace('"remove"', '"add"')
    [(line, msg)] = problems(GOOD.replace("[consequences]", again + "\n[consequences]"))
    assert "repeats the one on line 5" in msg


def test_pledge_changes_need_their_parties():
    [(line, msg)] = problems(GOOD.replace('between = ["Russia", "China"]', 'with = ["China"]'))
    assert line == 5 and "parties and with go together" in msg
    [(line, msg)] = problems(GOOD.replace('"Russia", "China"', '"Russia"'))
    assert "one state" in msg
    [(line, msg)] = problems(GOOD.replace('"Russia", "China"', '"Russia", "RUS"'))
    assert "same state twice" in msg


def test_other_change_kinds():
    text = """\
[scenario]
year = 2023

[[changes]]
kind = "join"
alliance = "NATO"
states = ["Finland", "Sweden"]

[[changes]]
kind = "capabilities"
state = "China"
scale = 1.5

[[changes]]
kind = "nuclear"
state = "China"
warheads = 1000

[[changes]]
kind = "upgrade"
from = "consultation"
to = "defense"
parties = ["Russia"]
with = ["China"]
"""
    s = parse_scenario(text, "x.toml", index=IDX)
    kinds = [c.kind for c in s.changes]
    assert kinds == ["join", "capabilities", "nuclear", "upgrade"]
    assert s.changes[0].alliance == 3180 and s.changes[0].states == (375, 380)
    assert s.changes[1].scale == 1.5 and s.changes[2].warheads == 1000
    assert s.name == "x"
    bad = text.replace("scale = 1.5", "cinc = 2").replace("warheads = 1000", "warheads = -1")
    got = problems(bad)
    assert [ln for ln, _ in got] == [12, 17]
    got = problems(text.replace('alliance = "NATO"', 'alliance = "NATA"'))
    assert got[0][0] == 6 and "unknown alliance" in got[0][1]


def test_missing_parts():
    assert problems("")[0][1] == "no [scenario] table"
    assert "no changes" in problems("[scenario]\nyear = 2021\n")[0][1]
    got = problems('[scenario]\nname = "x"\n[[changes]]\nkind = "add"\n')
    assert got[0] == (1, "[scenario] has no year")


def test_consequence_settings_are_checked():
    got = problems(GOOD.replace("draws = 500", 'compute = ["bloc"]\ndraws = 0'))
    assert any("unknown consequence 'bloc'" in m for _, m in got)
    assert any(ln == 13 and "draws" in m for ln, m in got)
    got = problems(GOOD.replace('[["USA", "CHN"]]', '[["USA", "USA"]]'))
    assert "names one state twice" in got[0][1]
    [(line, msg)] = problems(GOOD.replace("draws = 500", 'conflict_spec = "bremer"'))
    assert line == 12 and "unknown conflict-risk specification 'bremer'" in msg
    assert parse_scenario(GOOD, index=IDX).conflict_spec == "leeds2003"
    s = parse_scenario(GOOD.replace("draws = 500", 'conflict_spec = "bremer1992"'), index=IDX)
    assert s.conflict_spec == "bremer1992" and s.to_dict()["conflict_spec"] == "bremer1992"


def test_files_that_cannot_be_read(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        read_scenario(tmp_path / "none.toml", index=IDX)
    (tmp_path / "bin.toml").write_bytes(b'[scenario]\nname = "\xff"\n')
    with pytest.raises(ScenarioError, match="line 2: is not UTF-8"):
        read_scenario(tmp_path / "bin.toml", index=IDX)
    p = tmp_path / "t.toml"
    p.write_text(GOOD.replace("year = 2021", 'year = 2021\ntreaties = "missing.csv"'))
    with pytest.raises(ScenarioError, match=r"treaty file .missing\.csv. not found"):
        read_scenario(p, index=IDX)
