"""Coverage is stated once, from the catalog: the modules' coverage constants equal the catalog's
coverage of their data sets, and no module re-types the years."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from foedus import catalog, validate
from foedus.measures import threat, unvotes
from foedus.panels import conflict, economy, geography, interests, powers, rivalries
from foedus.panels.registry import ENRICHERS

SRC = Path(__file__).resolve().parents[2] / "src" / "foedus"
EDITED = [
    "panels/conflict.py",
    "panels/geography.py",
    "panels/powers.py",
    "panels/rivalries.py",
    "panels/economy.py",
    "panels/interests.py",
    "measures/threat.py",
    "measures/unvotes.py",
]
#: The one coverage year the catalog cannot give: COW war v4.0 ends in 2007, but its last war
#: (the catalog's last year of ps-cow-war-inter) is in 2003 and the war-free years leave no rows.
EXCEPTIONS = {("panels/conflict.py", "WAR_COVERAGE = (validate.first_year(), 2007)")}

YEAR = re.compile(r"(?<!\d)(1[4-9]\d\d|20\d\d)(?!\d)")
COVERAGE_ARG = re.compile(r"\bcoverage\s*=")


@pytest.mark.parametrize(
    ("value", "dataset"),
    [
        (conflict.MID_COVERAGE["cow"], "ps-cow-mid-ddydisps"),
        (conflict.MID_COVERAGE["gml"], "ps-gml-mid-ddydisps"),
        (conflict.SPELL_COVERAGE["cow"], "ps-cow-mid-ddydisps"),
        (conflict.SPELL_COVERAGE["gml"], "ps-gml-mid-ddydisps"),
        (geography.CONTIGUITY_COVERAGE, "ps-cow-contdir"),
        (geography.MINDIST_COVERAGE, "ps-cow-mindist"),
        (geography.MINDIST_COVERAGE, "ps-gw-mindist"),
        (geography.CAPITALS_COVERAGE, "ps-cow-capitals"),
        (geography.CAPITALS_COVERAGE, "ps-gw-capitals"),
        (powers.COW_MAJORS_COVERAGE, "cow-majors"),
        (powers.MAOZ_COVERAGE, "ps-maoz-powers"),
        (threat.MID_COVERAGE, "ps-cow-mid-ddydisps"),
        (threat.CONTIGUITY_COVERAGE, "ps-cow-contdir"),
    ],
)
def test_a_coverage_constant_is_its_data_sets_catalog_coverage(value, dataset):
    assert value == validate.coverage(dataset) == catalog.get(dataset).coverage


@pytest.mark.parametrize(
    ("source", "dataset"), [("tss", "ps-tss-rivalries"), ("td", "ps-td-rivalries")]
)
def test_rivalries_are_coded_from_the_state_systems_first_year(source, dataset):
    first, last = validate.coverage(dataset)
    expected = (max(first, validate.first_year()), last)
    assert rivalries.COVERAGE[source] == expected
    assert threat.RIVALRY_COVERAGE[source] == expected


def test_the_wars_start_with_the_state_system_and_contain_the_catalogs_war_years():
    first, last = validate.coverage("ps-cow-war-inter")
    assert conflict.WAR_COVERAGE[0] == validate.first_year()
    assert conflict.WAR_COVERAGE[0] <= first and last <= conflict.WAR_COVERAGE[1]
    assert conflict.SPELL_COVERAGE["cowinter"] == conflict.WAR_COVERAGE


def test_the_unvotes_default_is_the_catalogs_years_but_the_last():
    first, last = validate.coverage("unvotes-votes")
    assert (first, last - 1) == unvotes.COVERAGE
    assert interests.UN_COVERAGE == unvotes.COVERAGE


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cow_mids", lambda: validate.coverage("ps-cow-mid-ddydisps")),
        ("gml_mids", lambda: validate.coverage("ps-gml-mid-ddydisps")),
        ("peace_years", lambda: validate.coverage("ps-cow-mid-ddydisps")),
        ("cow_wars", lambda: conflict.WAR_COVERAGE),
        ("trade", lambda: validate.coverage("ps-cow-trade-sy")),
        ("igos", lambda: validate.coverage("ps-cow-igo-sy")),
        ("igos", lambda: validate.coverage("ps-cow-igo-ndy")),
        ("contiguity", lambda: validate.coverage("ps-cow-contdir")),
        ("mindist", lambda: validate.coverage("ps-cow-mindist")),
        ("capdist", lambda: validate.coverage("ps-cow-capitals")),
        ("majors", lambda: validate.coverage("cow-majors")),
        ("maoz", lambda: validate.coverage("ps-maoz-powers")),
        ("rivalries", lambda: rivalries.COVERAGE["tss"]),
        ("threat", lambda: rivalries.COVERAGE["tss"]),
        ("unvotes", lambda: unvotes.COVERAGE),
    ],
)
def test_an_enrichers_coverage_comes_from_the_catalog(name, expected):
    assert ENRICHERS[name].coverage == expected()


def test_the_published_years_are_unchanged():
    """The values the integration tests pin, as they were before they came from the catalog."""
    assert conflict.MID_COVERAGE == {"cow": (1816, 2014), "gml": (1816, 2010)}
    assert conflict.WAR_COVERAGE == (1816, 2007)
    assert geography.CONTIGUITY_COVERAGE == (1816, 2016)
    assert geography.MINDIST_COVERAGE == (1886, 2019)
    assert geography.CAPITALS_COVERAGE == (1816, 2024)
    assert (powers.COW_MAJORS_COVERAGE, powers.MAOZ_COVERAGE) == ((1816, 2016), (1816, 2019))
    assert (
        rivalries.COVERAGE == threat.RIVALRY_COVERAGE == {"tss": (1816, 2020), "td": (1816, 2010)}
    )
    assert threat.MID_COVERAGE == (1816, 2014)
    assert unvotes.COVERAGE == (1946, 2019)
    assert ENRICHERS["trade"].coverage == (1870, 2014)
    assert ENRICHERS["igos"].coverage == (1816, 2014)
    assert ENRICHERS["threat"].coverage == (1816, 2020)
    assert economy.add_igos is ENRICHERS["igos"].func


def _typed_years(rel: str) -> list[str]:
    """Lines of ``rel`` with a year literal on a line naming a coverage (a ``*COVERAGE``
    constant or a ``coverage=`` argument), comments and the documented exceptions left out."""
    out = []
    for i, line in enumerate((SRC / rel).read_text().splitlines(), 1):
        code = line.split("#", 1)[0]
        if (
            ("COVERAGE" in code or COVERAGE_ARG.search(code))
            and YEAR.search(code)
            and (rel, code.strip()) not in EXCEPTIONS
        ):
            out.append(f"{rel}:{i}: {line.strip()}")
    return out


def _typed_constants(rel: str) -> list[str]:
    """Integer year literals inside a ``*COVERAGE`` assignment or a ``coverage=`` keyword, from
    the syntax tree (so a value spread over several lines is caught too)."""
    tree = ast.parse((SRC / rel).read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not any(isinstance(t, ast.Name) and "COVERAGE" in t.id for t in targets):
                continue
            value = node.value
        elif isinstance(node, ast.keyword) and node.arg == "coverage":
            value = node.value
        else:
            continue
        if value is None:
            continue
        years = [
            n.value
            for n in ast.walk(value)
            if isinstance(n, ast.Constant) and type(n.value) is int and 1400 <= n.value <= 2100
        ]
        source = ast.get_source_segment((SRC / rel).read_text(), node) or ""
        if years and (rel, source.split("#", 1)[0].strip()) not in EXCEPTIONS:
            found.append(f"{rel}:{node.lineno}: {years}")
    return found


@pytest.mark.parametrize("rel", EDITED)
def test_no_year_is_typed_on_a_coverage_line(rel):
    bad = _typed_years(rel) + _typed_constants(rel)
    assert not bad, "coverage years re-typed instead of read from the catalog:\n" + "\n".join(bad)


def test_the_guard_catches_a_re_typed_year(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text(
        'MID_COVERAGE = {\n    "cow": (1816, 2014),\n}\n@enricher("x", coverage=(1870, 2014))\n'
        "def f(): ...\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    assert [b.split(":")[1] for b in _typed_years("m.py")] == ["4"]
    assert [b.split(":")[1] for b in _typed_constants("m.py")] == ["1", "4"]
