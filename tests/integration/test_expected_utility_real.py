"""War Trap expected utility on the real data."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import PanelError
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
    with pytest.raises(PanelError, match="cover 1815-2018"):
        war_trap((2019, 2019))


def test_missing_capabilities_give_missing_utility():
    w = war_trap((1816, 1816))
    no_cinc = w.filter(pl.col("eu_war_trap").is_null())
    assert no_cinc.height < w.height  # most states have NMC values in 1816
