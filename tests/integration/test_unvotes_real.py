"""UN voting agreement on the real unvotes data: every vote accounted for, identities placed
right, and values equal to a slow pair-by-pair build."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from foedus import countries, loaders
from foedus.errors import InvalidArgumentError, NotASystemMemberError, PanelError
from foedus.measures import unvotes
from foedus.measures.unvotes import (
    DATE_SPLITS,
    IDENTITY_OVERRIDES,
    NOT_COW_STATES,
    VOTES,
    mapped_votes,
    unvote_ccodes,
    vote_agreement,
)
from foedus.panels import state_years

from ..unit.test_unvotes import close, slow

N_VOTES = 870_109


@pytest.fixture(scope="module")
def mapping() -> pl.DataFrame:
    return unvote_ccodes()


@pytest.fixture(scope="module")
def votes() -> pl.DataFrame:
    return mapped_votes()


@pytest.fixture(scope="module")
def agree() -> pl.DataFrame:
    return vote_agreement()


def pair(df: pl.DataFrame, a: int, b: int, year: int) -> dict:
    lo, hi = min(a, b), max(a, b)
    return df.filter(
        (pl.col("ccode1") == lo) & (pl.col("ccode2") == hi) & (pl.col("year") == year)
    ).row(0, named=True)


# --- the country mapping ----------------------------------------------------------------------


def test_every_vote_is_mapped_or_documented(mapping, votes):
    raw = loaders.load("unvotes-votes")
    assert raw.height == N_VOTES == votes.height
    assert mapping["votes"].sum() == N_VOTES
    mapped = mapping.filter(pl.col("ccode").is_not_null())["votes"].sum()
    unmapped = mapping.filter(pl.col("ccode").is_null())
    assert mapped + unmapped["votes"].sum() == N_VOTES
    assert unmapped["note"].str.starts_with("not a COW state: ").all()
    assert set(mapping["country"]) == set(raw["country"])  # all 200 countries
    got = {(r["country"], r["first"].year, r["last"].year) for r in unmapped.iter_rows(named=True)}
    assert got == set(NOT_COW_STATES)  # exactly the documented ones, over their whole span
    assert unmapped["votes"].sum() == 7_250


def test_documented_exceptions_are_needed():
    """Each listed non-state and override really fails the resolver (not a member then)."""
    idx = countries.index()
    for (country, lo, hi), _ in [*NOT_COW_STATES.items(), *IDENTITY_OVERRIDES.items()]:
        for year in (lo, hi):
            with pytest.raises(NotASystemMemberError):
                idx.resolve(country, year)


def test_no_cow_state_year_has_two_countries(votes):
    m = votes.filter(pl.col("ccode").is_not_null())
    per = m.group_by("ccode", "year").agg(pl.col("country").n_unique().alias("n"))
    assert per["n"].max() == 1
    assert m.select("rcid", "ccode").is_duplicated().sum() == 0


def test_mapped_state_years_are_cow_members(votes):
    m = votes.filter(pl.col("ccode").is_not_null()).select("ccode", "year").unique()
    sy = state_years(years=(1946, 2020))
    assert m.join(sy, on=["ccode", "year"], how="anti").height == 0


@pytest.mark.parametrize(
    ("country", "year", "ccode"),
    [
        ("Russia", 1950, 365),
        ("Russia", 2019, 365),
        ("Federal Republic of Germany", 1980, 260),
        ("Federal Republic of Germany", 1990, 255),
        ("German Democratic Republic", 1980, 265),
        ("Germany", 2000, 255),
        ("Yemen Arab Republic", 1980, 678),
        ("Yemen Arab Republic", 1990, 679),
        ("Yemen People's Republic", 1980, 680),
        ("Yemen", 2000, 679),
        ("Yugoslavia", 1960, 345),
        ("Yugoslavia", 2015, 345),
        ("Montenegro", 2015, 341),
        ("Czechoslovakia", 1980, 315),
        ("Czechia", 2000, 316),
        ("Slovakia", 2000, 317),
        ("Taiwan", 1947, 710),
        ("Taiwan", 1960, 713),
        ("China", 1980, 710),
        ("Zanzibar", 1963, 511),
        ("Belarus", 1991, 370),
        ("Ukraine", 1995, 369),
        ("India", 1947, 750),
        ("Congo - Kinshasa", 1970, 490),
        ("Congo - Brazzaville", 1970, 484),
        ("North Korea", 2000, 731),
        ("South Korea", 2000, 732),
        ("Vietnam", 1990, 816),
    ],
)
def test_identities(votes, country, year, ccode):
    got = votes.filter((pl.col("country") == country) & (pl.col("year") == year))
    assert got.height > 0
    assert got["ccode"].unique().to_list() == [ccode]


def test_date_splits_do_not_depend_on_the_day(votes):
    """The within-year splits fall in months without votes by that country."""
    idx = countries.index()
    for country, _, after, _ in DATE_SPLITS:
        start = max(sp.start for sp in idx.get(after).spells)
        own = votes.filter(pl.col("country") == country)
        same_month = own.filter(
            (pl.col("date").dt.year() == start.year) & (pl.col("date").dt.month() == start.month)
        )
        assert same_month.height == 0, country


def test_days_before_1997_are_not_days_of_the_month():
    """The documented data quirk: before 1997 no roll call is dated after the 7th."""
    rc = loaders.load("unvotes-roll-calls")
    early = rc.filter(pl.col("date") < date(1997, 1, 1))
    assert early["date"].dt.day().max() == 7
    assert rc.filter(pl.col("date") >= date(1997, 1, 1))["date"].dt.day().max() == 31


# --- the agreement scores --------------------------------------------------------------------


def test_years_and_row_counts(agree, votes):
    years = set(agree["year"])
    assert years == set(range(1946, 2020)) - {1964}
    m = votes.filter(pl.col("ccode").is_not_null() & (pl.col("year") <= 2019))
    voters = m.group_by("year").agg(pl.col("ccode").n_unique().alias("n"))
    per_year = agree.group_by("year").len().join(voters, on="year")
    assert (per_year["len"] == per_year["n"] * (per_year["n"] - 1) // 2).all()
    n = dict(voters.iter_rows())
    assert n[1946] == 51 and n[1990] == 152 and n[2019] == 193
    assert agree.height == sum(k * (k - 1) // 2 for k in n.values())
    assert (agree["ccode1"] < agree["ccode2"]).all()
    assert agree.select("ccode1", "ccode2", "year").is_duplicated().sum() == 0
    for c in ("agree", "agree3"):
        assert agree[c].min() >= 0 and agree[c].max() <= 1
    assert agree["kappa"].min() >= -1 and agree["kappa"].max() <= 1


def test_random_dyad_years_equal_the_slow_build(agree, votes):
    code = {v: i for i, v in enumerate(VOTES)}
    sample = agree.sample(30, seed=11)
    for r in sample.iter_rows(named=True):
        y = votes.filter((pl.col("year") == r["year"]) & pl.col("ccode").is_not_null())
        calls = sorted(set(y["rcid"]))
        by = {
            c: dict(zip(g["rcid"], g["vote"].cast(pl.String), strict=True))
            for c, g in ((c, y.filter(pl.col("ccode") == c)) for c in (r["ccode1"], r["ccode2"]))
        }
        xa = [code.get(by[r["ccode1"]].get(rc), -1) for rc in calls]
        xb = [code.get(by[r["ccode2"]].get(rc), -1) for rc in calls]
        for k, v in slow(xa, xb).items():
            assert close(r[k], v), (k, r, v)


def test_known_facts(agree):
    us_isr, us_cub = pair(agree, 2, 666, 1990), pair(agree, 2, 40, 1990)
    for k in ("agree", "agree3", "kappa"):
        assert us_isr[k] > us_cub[k], k
    for year in (1970, 1975, 1980, 1985):
        assert pair(agree, 365, 40, year)["agree"] > 0.8  # USSR-Cuba
        us_uk, us_su = pair(agree, 2, 200, year), pair(agree, 2, 365, year)
        assert us_uk["agree"] > us_su["agree"] and us_uk["kappa"] > us_su["kappa"]
    assert pair(agree, 260, 265, 1980)["agree"] < pair(agree, 260, 200, 1980)["agree"]
    # Taiwan (713) held the seat until October 1971; the PRC (710) voted from November
    assert pair(agree, 710, 713, 1971)["n_joint"] == 0


def test_issue_filter(agree):
    me = vote_agreement((1990, 2005), issue="me")
    named = vote_agreement((1990, 2005), issue="palestinian conflict")
    assert me.equals(named)
    both = vote_agreement((1990, 2005), issue=["me", "Human rights"])
    assert both["n_joint"].sum() > me["n_joint"].sum()
    j = me.join(agree, on=["ccode1", "ccode2", "year"], suffix="_all")
    assert (j["n_joint"] <= j["n_joint_all"]).all()
    for year in (1995, 2000):  # on the Middle East the US sides with Israel, not the UK
        us_isr = pair(me, 2, 666, year)
        assert us_isr["agree3"] > 0.85
        assert us_isr["agree"] > 3 * max(pair(me, 2, c, year)["agree"] for c in (200, 651))
    # kappa's paradox: the US votes "no" on every such roll call in 2005, so kappa is 0
    # however often Israel votes with it (p_o = p_e)
    assert pair(me, 2, 666, 2005)["kappa"] == 0 and pair(me, 2, 666, 2005)["agree"] > 0.9
    with pytest.raises(PanelError, match="unknown UN vote issue"):
        vote_agreement(1990, issue="trade")


def test_directed_years_and_2020():
    und = vote_agreement(1985)
    d = vote_agreement((1985, 1985), directed=True)
    assert d.height == 2 * und.height
    assert (d["ccode1"] != d["ccode2"]).all()
    assert vote_agreement(1964).height == 0
    late = vote_agreement(2020)  # one roll call (resumed 74th session), only on request
    assert late.height > 0 and late["n_joint"].max() == 1
    with pytest.raises(InvalidArgumentError, match="empty"):
        vote_agreement((2000, 1990))


def test_the_states_filter_keeps_their_pairs_with_the_same_values(agree):
    states = [2, 365, 710, 731]
    some = vote_agreement((1990, 2019), states=[710, 2, 731, 365, 365])
    full = agree.filter(
        pl.col("ccode1").is_in(states) & pl.col("ccode2").is_in(states) & (pl.col("year") >= 1990)
    )
    assert some.height == full.height > 6 * 25  # six pairs, North Korea votes from 1991
    assert some.equals(full)
    for bad in ("RUS", [365, "CHN"], 365):
        with pytest.raises(InvalidArgumentError, match="states"):
            vote_agreement(1990, states=bad)


def test_nothing_is_silently_dropped_when_the_resolver_fails(monkeypatch):
    """A country-year the resolver cannot place and nobody documented is an error."""
    monkeypatch.setattr(unvotes, "NOT_COW_STATES", {})
    with pytest.raises(PanelError, match="has no COW code"):
        unvotes.mapped_votes()
