"""War Trap expected utility on the real data."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import YearOutOfRangeError
from foedus.measures.expected_utility import war_trap
from foedus.panels import dyad_years


def test_war_trap_covers_the_dyad_years_within_its_bounds():
    w = war_trap((1992, 1992))
    d = dyad_years(years=1992)
    assert w.select("ccode1", "ccode2", "year").equals(d)
    assert w["eu_war_trap"].null_count() == 0
    n = d["ccode1"].n_unique()
    # |bilateral| <= 2 and each of the n - 2 third-party terms is at most 2 in size
    assert w["eu_war_trap"].abs().max() <= 2 + 2 * (n - 2)


def test_years_outside_the_alliance_data_are_refused():
    with pytest.raises(YearOutOfRangeError, match="cover 1815-2018"):
        war_trap((2019, 2019))


def test_missing_capabilities_give_missing_utility():
    w = war_trap((1816, 1816))
    no_cinc = w.filter(pl.col("eu_war_trap").is_null())
    assert no_cinc.height < w.height  # most states have NMC values in 1816


def test_regional_war_trap_uses_the_relevant_region():
    g = war_trap((1914, 1914))
    r = war_trap((1914, 1914), scope="regional")
    assert r.select("ccode1", "ccode2", "year").equals(g.select("ccode1", "ccode2", "year"))
    assert r["eu_war_trap"].null_count() == 0
    differs = (r["eu_war_trap"] - g["eu_war_trap"]).abs() > 1e-9
    assert differs.mean() > 0.9  # third parties and utilities change with the region
    # France (Europe) vs a Latin American minor power: France is a major power, so the
    # target's region (the Americas) is relevant; Argentina vs France uses Argentina's own
    fr_arg = r.filter((pl.col("ccode1") == 220) & (pl.col("ccode2") == 160))["eu_war_trap"]
    assert fr_arg.item() is not None
