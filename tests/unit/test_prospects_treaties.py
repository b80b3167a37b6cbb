"""The post-ATOP treaty file: reading, validation and dyad-year coding.

Unit tests have no data mirror, so the country resolver is a small synthetic
:class:`~foedus.countries.CountryIndex` (as in ``test_countries.py``): spells come from frames
built here, the packaged crosswalk supplies names and ISO3 codes. Like the real COW list, the
synthetic list ends on 2016-12-31, so spells that run to it are open (assumed ongoing). One test
at the end reads the real lists and is marked ``integration``.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from foedus import countries
from foedus.countries import CountryIndex
from foedus.errors import MAX_LISTED, FoedusError, TreatyFileError
from foedus.prospects.treaties import DATA_END, SCHEMA, read_treaties, treaty_ties
from tests.unit.test_countries import cow_states_frame

COW = [  # stateabb, ccode, statenme, start, end
    ("USA", 2, "United States of America", (1816, 1, 1), (2016, 12, 31)),
    ("UKG", 200, "United Kingdom", (1816, 1, 1), (2016, 12, 31)),
    ("FRN", 220, "France", (1816, 1, 1), (1942, 11, 11)),
    ("FRN", 220, "France", (1944, 8, 25), (2016, 12, 31)),
    ("GMY", 255, "Germany", (1816, 1, 1), (1945, 5, 8)),
    ("GMY", 255, "Germany", (1990, 10, 3), (2016, 12, 31)),
    ("AUS", 305, "Austria", (1918, 11, 12), (1938, 3, 13)),
    ("AUS", 305, "Austria", (1955, 7, 27), (2016, 12, 31)),
    ("CZE", 315, "Czechoslovakia", (1918, 11, 14), (1939, 3, 15)),
    ("CZE", 315, "Czechoslovakia", (1945, 5, 9), (1992, 12, 31)),
    ("CZR", 316, "Czech Republic", (1993, 1, 1), (2016, 12, 31)),
    ("SLO", 317, "Slovakia", (1993, 1, 1), (2016, 12, 31)),
    ("RUS", 365, "Russia", (1816, 1, 1), (2016, 12, 31)),
    ("YAR", 678, "Yemen Arab Republic", (1926, 9, 2), (1990, 5, 21)),
    ("YEM", 679, "Yemen", (1990, 5, 22), (2016, 12, 31)),
    ("KOR", 730, "Korea", (1887, 1, 1), (1905, 11, 17)),
    ("PRK", 731, "North Korea", (1948, 9, 9), (2016, 12, 31)),
    ("ROK", 732, "South Korea", (1949, 1, 1), (2016, 12, 31)),
    ("AUL", 900, "Australia", (1920, 1, 10), (2016, 12, 31)),
]

HEADER = "treaty,signed,parties,pledge,source,ended"
TODAY = date.today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def idx() -> CountryIndex:
    return CountryIndex(cow_states_frame(COW))


def write(tmp_path: Path, *lines: str, name: str = "treaties.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def problems_of(path: Path, idx: CountryIndex, **kw) -> TreatyFileError:
    with pytest.raises(TreatyFileError) as e:
        read_treaties(path, index=idx, **kw)
    return e.value


def only_problem(path: Path, idx: CountryIndex, **kw) -> tuple[TreatyFileError, str]:
    """The error for a file with exactly one problem, and its full text."""
    err = problems_of(path, idx, **kw)
    assert len(err.problems) == 1, str(err)
    return err, str(err)


# --- a valid file -----------------------------------------------------------------------------


def test_valid_file_multilateral_pledges_comments_and_ended(tmp_path, idx):
    p = write(
        tmp_path,
        "# Treaties signed after ATOP 5.1 (2018-12-31)",
        "   # an indented comment",
        HEADER,
        "# the Pacific pact: three parties, two pledges",
        "PAC-2021,2021-09-15,Australia;United Kingdom;USA,defense;consul,"
        '"Joint statement, 15 Sep 2021",',
        "",
        "RK-2024,2024-06-19,Russia;North Korea,defense,https://example.org/rk,",
        "CZ-2019,2019-03-01,CZR;317,Nonagg,Bratislava accord,2022-02-28",
        ",,,,,",
    )
    d = read_treaties(p, index=idx)
    assert d.schema == pl.Schema(SCHEMA)
    assert d.height == 3 * 2 + 1 + 1

    pac = d.filter(pl.col("treaty") == "PAC-2021")
    assert set(pac.select("ccode1", "ccode2").unique().iter_rows()) == {
        (2, 200),
        (2, 900),
        (200, 900),
    }
    assert sorted(pac["pledge"].unique()) == ["consul", "defense"]
    assert pac["line"].unique().to_list() == [5]  # physical line, comments counted
    assert pac["source"][0] == "Joint statement, 15 Sep 2021"
    assert pac["signed"][0] == date(2021, 9, 15) and pac["ended"].is_null().all()
    assert (d["ccode1"] < d["ccode2"]).all()

    rk = d.filter(pl.col("treaty") == "RK-2024").row(0, named=True)
    assert (rk["ccode1"], rk["ccode2"], rk["line"]) == (365, 731, 7)

    cz = d.filter(pl.col("treaty") == "CZ-2019").row(0, named=True)
    assert (cz["ccode1"], cz["ccode2"], cz["pledge"]) == (316, 317, "nonagg")
    assert cz["ended"] == date(2022, 2, 28) and cz["line"] == 8


def test_open_ended_spells_count_as_membership(tmp_path, idx):
    # the synthetic COW list, like the real one, ends on 2016-12-31
    p = write(tmp_path, HEADER, "T,2019-01-01,France;Germany,defense,src,")
    d = read_treaties(p, index=idx)
    assert d.select("ccode1", "ccode2").row(0) == (220, 255)


def test_ended_column_is_optional_and_header_is_case_insensitive(tmp_path, idx):
    p = write(tmp_path, " Treaty ,Signed,PARTIES,pledge,source", "T,2020-05-05,220;2,offense,s")
    d = read_treaties(p, index=idx)
    assert d.height == 1 and d["ended"].dtype == pl.Date and d["ended"].is_null().all()


def test_header_only_gives_empty_frame(tmp_path, idx):
    d = read_treaties(write(tmp_path, HEADER), index=idx)
    assert d.is_empty() and d.schema == pl.Schema(SCHEMA)


def test_utf8_bom_is_accepted(tmp_path, idx):
    p = tmp_path / "bom.csv"
    p.write_bytes(("\ufeff" + HEADER + "\nT,2020-01-02,FRA;GBR,defense,s,\n").encode("utf-8"))
    assert read_treaties(p, index=idx).height == 1


def test_after_can_move_the_cutoff(tmp_path, idx):
    p = write(tmp_path, HEADER, "T,2010-01-01,France;Russia,neutral,s,")
    assert read_treaties(p, after=date(2009, 12, 31), index=idx).height == 1


def test_default_index_is_the_countries_module(tmp_path, idx, monkeypatch):
    monkeypatch.setattr(countries, "index", lambda: idx)
    d = read_treaties(write(tmp_path, HEADER, "T,2020-01-02,FRA;GBR,defense,s,"))
    assert d.select("ccode1", "ccode2").row(0) == (200, 220)


def test_header_problems_need_no_country_data(tmp_path, monkeypatch):
    def no_data():
        raise AssertionError("the country index must not be loaded")

    monkeypatch.setattr(countries, "index", no_data)
    with pytest.raises(TreatyFileError, match="unknown column"):
        read_treaties(write(tmp_path, HEADER + ",notes", "T,2020-01-02,FRA;GBR,defense,s,,x"))


# --- file-level problems ----------------------------------------------------------------------


def test_missing_file(tmp_path, idx):
    err, text = only_problem(tmp_path / "nope.csv", idx)
    assert "nope.csv" in text and "file not found" in text and "Hint: check the path" in text
    assert err.line is None and err.path.endswith("nope.csv")


def test_directory_is_not_a_file(tmp_path, idx):
    _, text = only_problem(tmp_path, idx)
    assert "not a file" in text


def test_empty_file_has_no_header(tmp_path, idx):
    _, text = only_problem(write(tmp_path, "# only a comment", ""), idx)
    assert "no header line" in text and "treaty,signed,parties,pledge,source" in text


def test_not_utf8(tmp_path, idx):
    p = tmp_path / "latin1.csv"
    p.write_bytes((HEADER + "\nT,2020-01-02,Côte d'Ivoire;FRA,defense,s,\n").encode("latin-1"))
    err, text = only_problem(p, idx)
    assert err.line == 2 and "line 2" in text and "UTF-8" in text


def test_missing_required_columns(tmp_path, idx):
    err, text = only_problem(write(tmp_path, "treaty,signed,parties", "T,2020-01-02,A;B"), idx)
    assert err.line == 1 and "line 1" in text
    assert "missing required columns 'pledge', 'source'" in text
    assert "Hint:" in text and "ended is optional" in text


def test_unknown_column_suggests_and_lists_valid_columns(tmp_path, idx):
    p = write(tmp_path, "treaty,sigend,parties,pledge,source", "T,2020-01-02,FRA;GBR,defense,s")
    err = problems_of(p, idx)
    text = str(err)
    assert "line 1: unknown column 'sigend'" in text
    assert "did you mean 'signed'?" in text
    assert "treaty, signed, parties, pledge, source, ended" in text
    assert "missing required column 'signed'" in text


def test_duplicate_and_nameless_columns(tmp_path, idx):
    p = write(tmp_path, HEADER + ",source,", "T,2020-01-02,FRA;GBR,defense,s,,s,")
    text = str(problems_of(p, idx))
    assert "column 'source' appears twice" in text
    assert "column 8 of the header has no name" in text and "trailing comma" in text


def test_wrong_number_of_values(tmp_path, idx):
    p = write(tmp_path, HEADER, "T,2020-01-02,FRA;GBR,defense,Smith, J. (2020),", "U,2020-01-02")
    text = str(problems_of(p, idx))
    assert "line 2: 7 values, but the header has 6 columns" in text
    assert "double quotes" in text
    assert "line 3: 2 values, but the header has 6 columns" in text


def test_unterminated_quote(tmp_path, idx):
    p = write(tmp_path, HEADER, 'T,2020-01-02,FRA;GBR,defense,"oops,', "U,2020-01-02,FRA;GBR,x,s,")
    err = problems_of(p, idx)
    assert err.line == 2 and "not readable as CSV" in str(err)


# --- line-level problems ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message", "hint"),
    [
        (",2020-01-02,FRA;GBR,defense,s,", "empty 'treaty'", "unique in the file"),
        ("T,,FRA;GBR,defense,s,", "empty 'signed'", "YYYY-MM-DD"),
        ("T,2020-01-02,,defense,s,", "empty 'parties'", "two or more parties"),
        ("T,2020-01-02,FRA;GBR,,s,", "empty 'pledge'", "defense, offense"),
        ("T,2020-01-02,FRA;GBR,defense,  ,", "empty 'source'", "news report"),
        ("T,2021-02-30,FRA;GBR,defense,s,", "signed '2021-02-30' is not a date", "YYYY-MM-DD"),
        ("T,15/09/2021,FRA;GBR,defense,s,", "signed '15/09/2021' is not a date", "ISO form"),
        ("T,20210915,FRA;GBR,defense,s,", "signed '20210915' is not a date", "ISO form"),
        ("T,2020-01-02,FRA;GBR,defense,s,2021", "ended '2021' is not a date", "YYYY-MM-DD"),
        (
            "T,2018-12-31,FRA;GBR,defense,s,",
            "signed 2018-12-31 is not after 2018-12-31",
            "ATOP 5.1 already codes treaties signed up to its end (2018-12-31)",
        ),
        (
            "T,2005-06-01,FRA;GBR,defense,s,",
            "signed 2005-06-01 is not after 2018-12-31",
            "this file is for treaties signed later",
        ),
        (
            f"T,{TOMORROW},FRA;GBR,defense,s,",
            f"signed {TOMORROW} is in the future",
            "only treaties that have been signed",
        ),
        (
            f"T,2020-01-02,FRA;GBR,defense,s,{TOMORROW}",
            f"ended {TOMORROW} is in the future",
            "leave 'ended' empty while it is in force",
        ),
        (
            "T,2020-01-02,FRA;GBR,defense,s,2019-12-31",
            "ended 2019-12-31 is before signed 2020-01-02",
            "cannot end before it is signed",
        ),
        ("T,2020-01-02,France,defense,s,", "fewer than two parties ('France')", "two or more"),
        ("T,2020-01-02,France,GBR,defense,s", "fewer than two parties", "not ','"),
        ("T,2020-01-02,FRA;;GBR,defense,s,", "empty party in 'FRA;;GBR'", "single ';'"),
        (
            "T,2020-01-02,France;GBR;France,defense,s,",
            "party 'France' is listed twice (France, 220)",
            "list each party once",
        ),
        (
            "T,2020-01-02,France;GBR;FRN,defense,s,",
            "parties 'France' and 'FRN' are the same state, France (220)",
            "list each party once",
        ),
        (
            "T,2020-01-02,Russia;RUS;365,defense,s,",
            "fewer than two distinct parties: every party in 'Russia;RUS;365' is Russia (365)",
            "two or more different states",
        ),
        (
            "T,2020-01-02,Frnace;GBR,defense,s,",
            "party 'Frnace': unknown country 'Frnace'; did you mean France (220)?",
            "foedus country NAME --year 2020",
        ),
        (
            "T,2020-01-02,Korea;USA,defense,s,",
            "party 'Korea': 'Korea' is ambiguous; it could be: North Korea (731",
            "give the full name or the code",
        ),
        (
            "T,2020-01-02,AUS;USA,defense,s,",
            "'AUS' is ambiguous; it could be: Austria (305; COW abbreviation AUS); "
            "Australia (900; ISO3 code AUS)",
            "give the full name or the code",
        ),
        (
            "T,2020-01-02,Czechoslovakia;GBR,defense,s,",
            "party 'Czechoslovakia': Czechoslovakia (315) was not a member of the COW state "
            "system in 2020 (signed 2020-01-02)",
            "Czech Republic (316), Slovakia (317)",
        ),
        ("T,2020-01-02,FRA;GBR,defence,s,", "unknown pledge 'defence'", "did you mean 'defense'?"),
        ("T,2020-01-02,FRA;GBR,alliance,s,", "unknown pledge 'alliance'", "nonagg, consul"),
        ("T,2020-01-02,FRA;GBR,defense;,s,", "empty pledge in 'defense;'", "single ';'"),
        (
            "T,2020-01-02,FRA;GBR,defense;Defense,s,",
            "pledge 'defense' is listed twice",
            "list each pledge once",
        ),
    ],
)
def test_line_problem(tmp_path, idx, row, message, hint):
    p = write(tmp_path, "# comment", HEADER, "OK,2020-01-02,FRA;GBR,defense,s,", row)
    err = problems_of(p, idx)
    text = str(err)
    assert any(pr.line == 4 and message in pr.message for pr in err.problems), text
    assert hint in text, text
    for pr in err.problems:
        assert pr.hint


def test_single_problem_message_names_path_and_line(tmp_path, idx):
    p = write(tmp_path, HEADER, "T,2020-01-02,FRA;GBR,defence,s,")
    err, text = only_problem(p, idx)
    assert text.startswith(f"treaty file {p}, line 2: unknown pledge 'defence'")
    assert "\nHint: did you mean 'defense'?" in text
    assert err.line == 2 and err.path == str(p)


def test_not_a_member_on_the_signing_day(tmp_path, idx):
    # Yemen Arab Republic (678) was a member in 1990 until 21 May: the year passes, the day not
    p = write(tmp_path, HEADER, "T,1990-06-01,678;USA,defense,s,")
    err, text = only_problem(p, idx, after=date(1989, 12, 31))
    assert err.line == 2
    assert "Yemen Arab Republic (678) was not a member of the COW state system on 1990-06-01" in (
        text
    )
    assert "1926-09-02 to 1990-05-21" in text
    ok = write(tmp_path, HEADER, "T,1990-05-21,678;USA,defense,s,", name="ok.csv")
    assert read_treaties(ok, after=date(1989, 12, 31), index=idx).height == 1


def test_duplicate_treaty_id(tmp_path, idx):
    p = write(
        tmp_path,
        HEADER,
        "T,2020-01-02,FRA;GBR,defense,s,",
        "U,2020-01-02,FRA;USA,defense,s,",
        "T,2021-01-02,FRA;RUS,consul,s,",
    )
    err, text = only_problem(p, idx)
    assert err.line == 4 and "line 4: treaty 'T' is already listed on line 2" in text
    assert "unique id" in text


def test_all_problems_are_collected(tmp_path, idx):
    p = write(
        tmp_path,
        HEADER,
        "A,2020-01-02,FRA;GBR,defence,s,",
        "B,2020-01-02,FRA;GBR,defense,s,",
        "C,2017-01-02,Frnace;GBR,defense,,",
    )
    err = problems_of(p, idx)
    text = str(err)
    assert [pr.line for pr in err.problems] == [2, 4, 4, 4]
    assert text.startswith(f"treaty file {p} has 4 problems:")
    assert "line 2: unknown pledge 'defence'" in text
    assert "line 4: empty 'source'" in text
    assert "line 4: signed 2017-01-02 is not after 2018-12-31" in text
    assert "line 4: party 'Frnace'" in text
    assert text.count("      hint: ") == 4
    assert "\nHint: fix the lines listed above" in text and "docs/treaties.md" in text


def test_long_lists_are_truncated(tmp_path, idx):
    rows = [f"T{i},2020-01-02,FRA;GBR,defence,s," for i in range(MAX_LISTED + 5)]
    err = problems_of(write(tmp_path, HEADER, *rows), idx)
    text = str(err)
    assert len(err.problems) == MAX_LISTED + 5
    assert text.count("unknown pledge") == MAX_LISTED
    assert "... and 5 more" in text
    assert f"line {MAX_LISTED + 1}:" in text and f"line {MAX_LISTED + 2}:" not in text


def test_error_is_a_foedus_error(tmp_path, idx):
    with pytest.raises(FoedusError):
        read_treaties(tmp_path / "missing.csv", index=idx)


# --- treaty_ties ------------------------------------------------------------------------------


def frame(*rows: tuple) -> pl.DataFrame:
    """Treaty rows (treaty, c1, c2, pledge, signed, ended) in read_treaties' schema."""
    return pl.DataFrame(
        [
            {
                "treaty": t,
                "line": i + 2,
                "ccode1": c1,
                "ccode2": c2,
                "pledge": pl_,
                "signed": s,
                "ended": e,
                "source": "s",
            }
            for i, (t, c1, c2, pl_, s, e) in enumerate(rows)
        ],
        schema=SCHEMA,
    )


TREATIES = frame(
    ("A", 2, 200, "defense", date(2019, 11, 30), None),
    ("A", 2, 200, "consul", date(2019, 11, 30), None),
    ("B", 220, 255, "defense", date(2020, 1, 1), date(2021, 1, 1)),
    ("C", 220, 255, "defense", date(2023, 12, 31), None),
    ("D", 365, 731, "nonagg", date(2019, 3, 1), date(2019, 4, 1)),
)


def ties(d: pl.DataFrame) -> set[tuple[int, int, int]]:
    return set(d.iter_rows())


def test_ties_year_coding(tmp_path):
    t = treaty_ties(TREATIES, (2019, 2024))
    assert t.schema == pl.Schema({"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32})
    assert ties(t) == {
        # signed in late November: allied in 2019 already (in force at some time in the year)
        *((2, 200, y) for y in range(2019, 2025)),
        # in force 2020-01-01 .. 2021-01-01: both years; a gap in 2022; signed 31 Dec 2023
        (220, 255, 2020),
        (220, 255, 2021),
        (220, 255, 2023),
        (220, 255, 2024),
    }
    assert t.equals(t.sort("ccode1", "ccode2", "year"))


def test_ties_clip_to_the_range():
    assert ties(treaty_ties(TREATIES, (2021, 2021))) == {(2, 200, 2021), (220, 255, 2021)}
    assert ties(treaty_ties(TREATIES, (2022, 2022))) == {(2, 200, 2022)}
    assert treaty_ties(TREATIES, (2010, 2018)).is_empty()


def test_ties_pledge_filter_and_any():
    assert ties(treaty_ties(TREATIES, (2019, 2020), "nonagg")) == {(365, 731, 2019)}
    assert ties(treaty_ties(TREATIES, (2019, 2019), "consul")) == {(2, 200, 2019)}
    both = treaty_ties(TREATIES, (2019, 2020), "any")
    assert ties(both) == {
        (2, 200, 2019),
        (2, 200, 2020),
        (220, 255, 2020),
        (365, 731, 2019),
    }
    assert both.height == 4  # defense and consul of treaty A give one row per year
    assert treaty_ties(TREATIES, (2019, 2024), "offense").is_empty()


def test_ties_overlapping_treaties_are_unique():
    d = frame(
        ("A", 2, 200, "defense", date(2019, 1, 5), date(2022, 6, 1)),
        ("B", 2, 200, "defense", date(2021, 1, 5), None),
    )
    t = treaty_ties(d, (2019, 2023))
    assert t["year"].to_list() == [2019, 2020, 2021, 2022, 2023]


def test_ties_from_read_treaties(tmp_path, idx):
    p = write(
        tmp_path,
        HEADER,
        "P,2021-09-15,Australia;United Kingdom;USA,defense,s,",
        "Q,2020-02-01,FRA;GMY,offense,s,2020-12-01",
    )
    d = read_treaties(p, index=idx)
    assert ties(treaty_ties(d, (2020, 2021))) == {(2, 200, 2021), (2, 900, 2021), (200, 900, 2021)}
    assert ties(treaty_ties(d, (2020, 2021), "any")) == {
        (2, 200, 2021),
        (2, 900, 2021),
        (200, 900, 2021),
        (220, 255, 2020),
    }


def test_ties_of_an_empty_frame():
    t = treaty_ties(frame(), (2019, 2030), "any")
    assert t.is_empty() and t.columns == ["ccode1", "ccode2", "year"]


def test_ties_unknown_pledge_and_bad_range():
    with pytest.raises(FoedusError, match="unknown pledge 'defence'") as e:
        treaty_ties(TREATIES, (2019, 2020), "defence")
    assert "did you mean 'defense'?" in str(e.value) and "'any'" in str(e.value)
    with pytest.raises(FoedusError, match="empty year range"):
        treaty_ties(TREATIES, (2021, 2019))


def test_data_end_is_atop_5_1s_last_day():
    assert date(2018, 12, 31) == DATA_END


# --- the real COW lists -----------------------------------------------------------------------


@pytest.mark.integration
def test_real_country_lists(tmp_path):
    p = write(
        tmp_path,
        HEADER,
        "P,2021-09-15,Australia;United Kingdom;United States,defense,s,",
        "Q,2024-06-19,Russian Federation;PRK,defense;consul,s,",
    )
    d = read_treaties(p)
    assert set(d.select("ccode1", "ccode2").unique().iter_rows()) == {
        (2, 200),
        (2, 900),
        (200, 900),
        (365, 731),
    }
