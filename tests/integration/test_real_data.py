"""Integration tests on the real data sets (the local mirror, ../shared/data in CI)."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from foedus import catalog, loaders
from foedus.errors import ChecksumMismatchError

ALL = list(catalog.datasets())

#: For each data set, the columns whose range is the coverage measured in MANIFEST.md
#: (first column's minimum year .. last column's maximum year).
RANGE_COLUMNS: dict[str, tuple[str, str]] = {
    "cow-states": ("styear", "endyear"),
    "cow-majors": ("styear", "endyear"),
    "cow-mida": ("styear", "endyear"),
    "cow-midb": ("styear", "endyear"),
    "cow-alliance-dyad": ("dyad_st_year", "dyad_end_year"),
    "cow-alliance-directed": ("dyad_st_year", "dyad_end_year"),
    "cow-alliance-member": ("mem_st_year", "mem_end_year"),
    "atop-alliances": ("begyr", "endyr"),
    "atop-alliances-nna": ("begyr", "endyr"),
    "atop-phases": ("begyr", "endyr"),
    "atop-phases-nna": ("begyr", "endyr"),
    "atop-members": ("yrent", "yrexit"),
    "atop-members-nna": ("yrent", "yrexit"),
    "gw-states": ("startdate", "enddate"),
    "ps-gw-states": ("startdate", "enddate"),
    "ps-cow-states": ("styear", "endyear"),
    "ps-cow-majors": ("styear", "endyear"),
    "ps-cow-capitals": ("stdate", "enddate"),
    "ps-gw-capitals": ("stdate", "enddate"),
    "ps-cow-contdir": ("stdate", "enddate"),
    "ps-maoz-powers": ("regstdate", "globenddate"),
    "ps-archigos": ("startdate", "enddate"),
    "ps-capitals-raw": ("styear", "endyear"),
    "ps-td-rivalries": ("styear", "endyear"),
    "ps-tss-rivalries": ("start", "end"),
    "ps-grh-arms-races": ("styear", "endyear"),
    "ps-gml-part": ("styear", "endyear"),
    "ps-cow-mid-disps": ("styear", "styear"),
    "ps-gml-mid-disps": ("styear", "styear"),
    "unvotes-roll-calls": ("date", "date"),
}
#: Coverage measured through another table (leader tenures, roll-call dates): rows only.
NO_YEAR_COLUMN = {
    "ps-lead",
    "ps-leader-codes",
    "ps-lwuf",
    "ps-ps-bib",
    "ps-ps-data-version",
    "ps-rugged",
    "unvotes-votes",
    "unvotes-roll-call-issues",
}


def _year(s: pl.Series, how: str) -> int:
    v = s.drop_nulls()
    v = v.dt.year() if v.dtype == pl.Date else v
    return int(v.min() if how == "min" else v.max())


def test_every_registered_file_in_the_mirror_is_verified():
    statuses = [catalog.status(n) for n in ALL]
    assert all(s.location == "mirror" for s in statuses)
    assert [s.dataset.name for s in statuses if not s.verified] == []


@pytest.mark.parametrize("name", ALL)
def test_loader_rows_columns_and_years_match_the_manifest(name):
    ds = catalog.get(name)
    df = loaders.load(name)
    if name == "nuclear-warheads":
        df = loaders.read_nuclear_csv(catalog.path(name), include_world=True)
        assert df.height == ds.rows and df.width == ds.columns + 1  # + ccode
    else:
        assert (df.height, df.width) == (ds.rows, ds.columns)
    if name in NO_YEAR_COLUMN or ds.coverage is None:
        return
    lo, hi = RANGE_COLUMNS.get(name, ("year", "year"))
    end = df[hi]
    if name.startswith("atop-") and hi in ("endyr", "yrexit"):
        # ATOP codes "still in force at the end of coverage" as 0 (see docs/data.md)
        assert (end == 0).any()
        end = end.replace(0, ds.coverage[1])
    assert (_year(df[lo], "min"), _year(end, "max")) == ds.coverage


def test_key_columns_are_integers_and_missing_codes_are_null():
    nmc = loaders.load("cow-nmc")
    assert nmc.schema["ccode"] == pl.Int32 and nmc.schema["year"] == pl.Int32
    # counts of -9 in the raw file (MANIFEST.md): milex 2,217, milper 426, pec 448, upop 68, irst 26
    nulls = nmc.null_count().row(0, named=True)
    assert (nulls["milex"], nulls["milper"], nulls["pec"], nulls["upop"], nulls["irst"]) == (
        2217,
        426,
        448,
        68,
        26,
    )
    mida = loaders.load("cow-mida")
    assert mida["fatality"].null_count() == 268 and mida["stday"].null_count() == 271
    assert mida.select(pl.all().is_in([-9]).any()).row(0) == (False,) * mida.width


def test_atop_in_force_codes_are_kept():
    a = loaders.load("atop-alliances")
    assert (a["endyr"] == 0).sum() == 372
    m = loaders.load("atop-members")
    assert (m["yrexit"] == 0).sum() == 1146
    assert a.height - loaders.load("atop-alliances-nna").height == 200


def test_nuclear_world_row_is_not_a_country():
    df = loaders.load("nuclear-warheads")
    assert df["ccode"].null_count() == 0 and "OWID_WRL" not in df["iso3"].to_list()
    assert sorted(df["ccode"].unique().to_list()) == [
        2,
        200,
        220,
        365,
        560,
        666,
        710,
        731,
        750,
        770,
    ]
    y2023 = df.filter(pl.col("year") == 2023)["warheads"].sum()
    assert y2023 == 9576  # the ten states' military stockpiles, not the World row's 12,512
    sa = df.filter((pl.col("ccode") == 560) & (pl.col("warheads") > 0))["year"]
    assert (sa.min(), sa.max()) == (1982, 1989)


def test_unvotes_gap_and_vote_levels():
    rc = loaders.load("unvotes-roll-calls")
    assert 1964 not in rc["date"].dt.year().unique().to_list()
    votes = loaders.load("unvotes-votes")
    counts = dict(votes["vote"].cast(pl.String).value_counts().iter_rows())
    assert counts == {"yes": 693664, "no": 65548, "abstain": 110897}


# --- the same data in two files agree ----------------------------------------------------------


def test_cow_states_raw_equals_peacesciencer_rda():
    raw = loaders.load("cow-states")
    rda = loaders.load("ps-cow-states").select(raw.columns)
    assert raw.cast(rda.schema).equals(rda)


def test_gw_raw_equals_peacesciencer_rda():
    raw = loaders.load("gw-states")
    rda = loaders.load("ps-gw-states").select(raw.columns)
    # codes, abbreviations and dates agree cell for cell
    assert raw.drop("statename").equals(rda.drop("statename"))
    # names too, except the two non-ASCII ones, which the .rda spells in ASCII
    differ = raw.with_columns(rda["statename"].alias("rda")).filter(
        pl.col("statename") != pl.col("rda")
    )
    assert sorted(differ.select("statename", "rda").rows()) == [
        ("Cote D’Ivoire", "Cote D'Ivoire"),
        ("Württemberg", "Wuerttemberg"),
    ]


def test_cow_majors_raw_equals_peacesciencer_rda():
    raw = loaders.load("cow-majors")
    rda = loaders.load("ps-cow-majors")
    cols = [c for c in rda.columns if c != "version"]
    assert raw.select(cols).cast(rda.select(cols).schema).equals(rda.select(cols))


def test_nmc_60_raw_agrees_with_nmc_70_rda_on_overlapping_years():
    raw = loaders.load("cow-nmc")
    rda = loaders.load("ps-cow-nmc")
    j = raw.join(rda, on=["ccode", "year"], how="inner", suffix="_70")
    assert j.height == raw.height == 15951  # every NMC 6.0 state-year is in NMC 7.0
    assert j.select(pl.corr("cinc", "cinc_70")).item() > 0.999
    # With -9 read as missing, five components are identical on every shared state-year; only
    # primary energy (pec) was revised, from 1974 on (measured; MANIFEST.md's "86% of milex
    # identical" compared the raw -9 codes with NA).
    for c in ("milex", "milper", "irst", "tpop", "upop"):
        assert j.filter(pl.col(c).ne_missing(pl.col(f"{c}_70"))).height == 0, c
    revised = j.filter(pl.col("pec").ne_missing(pl.col("pec_70")))
    assert revised.height == 2585 and revised["year"].min() == 1974
    assert j.select((pl.col("cinc") - pl.col("cinc_70")).abs().max()).item() < 0.002


def test_system_state_years_follow_from_the_spells():
    """cow-system lists exactly the years in which each state was a member at some point."""
    from foedus import countries

    idx = countries.index()
    system = loaders.load("cow-system")
    derived = {
        (c, y)
        for c, s in idx.states.items()
        for sp in s.spells
        for y in range(sp.start.year, sp.end.year + 1)
    }
    listed = set(zip(system["ccode"].to_list(), system["year"].to_list(), strict=True))
    assert derived == listed and len(listed) == 15951


# --- a changed byte never gives a table -------------------------------------------------------


def test_mirror_copy_with_one_changed_byte_fails(tmp_path, monkeypatch):
    src = catalog.Settings.from_env().data_dir
    mirror = tmp_path / "mirror"
    shutil.copytree(src, mirror)
    target = mirror / "cow" / "states2016.csv"
    target.chmod(0o644)
    b = bytearray(target.read_bytes())
    b[200] = ord("7") if b[200] != ord("7") else ord("8")
    target.write_bytes(bytes(b))
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(mirror))
    with pytest.raises(ChecksumMismatchError) as e:
        loaders.load("cow-states", use_cache=False)
    assert e.value.expected == catalog.get("cow-states").sha256 != e.value.actual
    assert not catalog.status("cow-states").verified
    assert catalog.status("cow-system").verified
