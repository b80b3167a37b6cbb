"""Wealth: simulated GDP, GDP per capita and population by state-year (isard 0.2.0).

Coding rules
------------
* Source: isard's ``cw_gdppop`` (COW state-years) or ``gw_gdppop`` (Gleditsch-Ward), the
  tables peacesciencer's ``add_sim_gdp_pop()`` joins since version 1.2 (it replaced
  ``add_sdp_gdp()``), picked by the panel's system and matched on ``(code, year)``.
* Columns (the simulation approach of Anders, Fariss & Markowitz 2020): ``mrgdppc`` (GDP per
  capita, Maddison Project, constant 2011 international dollars), ``pwtrgdp`` (real GDP, Penn
  World Table, millions of 2017 international dollars), ``pwtpop`` (population, PWT,
  millions), and ``sd_mrgdppc``, ``sd_pwtrgdp``, ``sd_pwtpop``, the standard deviations of
  the simulated estimates. ``keep`` chooses among the six.
* Dyad-years get each column with suffix ``1`` (the first state) and ``2``.
* The estimates end in 2019: later years are null, never 0 or carried forward. The
  simulations follow the G-W universe of cases, so COW state-years G-W does not list are null
  (Serbia 1916-17, Morocco 1905-12, Egypt 1856-82, Saudi Arabia 1927-31, Laos 1953).

See ``docs/panels.md`` ("Regime type and wealth") for coverage and citations.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from foedus import catalog
from foedus.panels.base import add_catalog_state_values, require
from foedus.panels.registry import enricher

GDP_COLS = ("mrgdppc", "sd_mrgdppc", "pwtrgdp", "sd_pwtrgdp", "pwtpop", "sd_pwtpop")
GDP_SOURCES = {"cow": "isard-cw-gdppop", "gw": "isard-gw-gdppop"}


@enricher(
    "gdp",
    kinds=("state", "dyad"),
    systems=("cow", "gw"),
    coverage=catalog.get(GDP_SOURCES["cow"]).coverage,
    sources=tuple(GDP_SOURCES.values()),
    adds="mrgdppc, pwtrgdp, pwtpop and sd_mrgdppc, sd_pwtrgdp, sd_pwtpop (dyads: ...1, ...2)",
    options={"keep": {"choices": GDP_COLS, "at_least": 1, "empty": "add_gdp would add no column"}},
)
def add_gdp(df: pl.DataFrame, *, keep: Sequence[str] | None = None) -> pl.DataFrame:
    """Simulated GDP per capita (Maddison), GDP and population (PWT), with their SDs.

    ``keep``: one name or a list from :data:`GDP_COLS` (default: all six). COW panels read
    ``isard-cw-gdppop``, G-W panels ``isard-gw-gdppop``. See the module docstring.
    """
    info = require(df, "add_gdp")
    cols = list(GDP_COLS) if keep is None else [keep] if isinstance(keep, str) else keep
    return add_catalog_state_values(df, info, GDP_SOURCES[info.system], cols, "add_gdp")
