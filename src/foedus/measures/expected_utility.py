"""Expected utility of war: Bueno de Mesquita's War Trap, as implemented in EUGene.

Coding rules (Bueno de Mesquita 1981, pp. 47, 56-59, 105, 108-109; Bennett & Stam 2000;
the full rules: docs/foundations.md, "Expected utility of war (War Trap)")
------------
For a directed pair (i, j) in year t, with utilities ``U`` from alliance-portfolio similarity
(tau-b by default; ``U_ii = 1``) and distance-discounted capabilities
``A[i, j] = adjcap(i at j) = CINC_i ** log10(miles(i, j) / mpd + (10 - e))`` (mpd = 250 miles
a day before 1918, 375 in 1918-1945, 500 after; see
:func:`foedus.measures.power.discounted_capability`):

* ``P_i = A[i, j] / (A[i, j] + A[j, j])`` (0.5 when both are 0);
* bilateral: ``(2 P_i - 1)(1 - U_ij)``;
* third parties k (k not i, j; skipped where U or CINC is missing):
  ``c_k = max(A[k, j], A[k, i])`` (k fights at the nearer of i or j),
  ``P_ik = (A[i, j] + c_k) / (A[i, j] + c_k + A[j, j])``,
  ``P_jk = (A[j, i] + c_k) / (A[j, i] + c_k + A[i, i])``, and the sum over k of
  ``(P_ik + P_jk - 1)(U_ki - U_kj)``;
* ``eu_war_trap`` = bilateral + third-party terms: i's expected utility of war against j.

Distances are great-circle miles between capitals (the capital in force on 1 January; see
:func:`foedus.panels.add_capital_distance`); land-contiguous states count as 0 miles, as in
EUGene (after COW contiguity's last year, 2016, the last year's land borders; after the
capitals' last year, each state's last capital). Third parties are all system members
(``scope="global"``) or, with ``scope="regional"``, the states involved in the pair's
relevant region (see :func:`war_trap`); "involved" means home region or major-power
status (EUGene's extra list of minor powers' regional involvements is not reproduced).
EUGene's special treatment of the US and USSR with several home cities is not reproduced;
no risk adjustment (as EUGene's War Trap output).
Pairs where either state lacks CINC or a capital are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from foedus import validate
from foedus.errors import InvalidArgumentError
from foedus.world import World, check_world

KM_PER_MILE = 1.609344
#: The similarity measures a War Trap utility can be built from.
UTILITIES = ("taub", "s_un", "s_wt", "kappa")


def _array(value: object, name: str, shape: tuple[int, ...] | None) -> np.ndarray:
    """``value`` as a float array of ``shape`` (None: any vector)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise InvalidArgumentError(
            name,
            f"{name} must be numbers, not {type(value).__name__}",
            "pass a NumPy array of floats (NaN = missing).",
        ) from None
    if (arr.ndim != 1) if shape is None else (arr.shape != shape):
        raise InvalidArgumentError(
            name,
            f"{name} must have shape {shape or '(N,)'}, not {arr.shape}",
            "cinc is (N,), miles and u are N x N, third is (N,), all in the same state order.",
        )
    return arr


def war_trap_matrix(
    cinc: np.ndarray,
    miles: np.ndarray,
    u: np.ndarray,
    year: int,
    third: np.ndarray | None = None,
) -> np.ndarray:
    """E(U)_ij for every ordered pair of one year: an N x N matrix (diagonal NaN).

    ``cinc`` (N,), ``miles`` (N x N, 0 on the diagonal), ``u`` (N x N similarity, diagonal 1);
    NaN marks missing values. ``third`` (boolean, N) limits the third parties (default: all).
    """
    from foedus.measures.power import discounted_capability

    cinc = _array(cinc, "cinc", None)
    n = len(cinc)
    miles = _array(miles, "miles", (n, n))
    u = _array(u, "u", (n, n)).copy()
    year = validate.system_year(year, "year")
    if third is not None:
        third = _array(third, "third", (n,))
    np.fill_diagonal(u, 1.0)
    c_ok = ~np.isnan(cinc)
    m = np.where(np.isnan(miles), 0.0, miles)
    a = np.where(
        c_ok[:, None], discounted_capability(np.nan_to_num(cinc)[:, None], m, year), np.nan
    )
    a = np.where(np.isnan(miles), np.nan, a)
    home = np.diag(a)  # A[j, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        den = a + home[None, :]
        p = np.where(den > 0, a / den, 0.5)
        eu = (2 * p - 1) * (1 - u)
        # third parties: axis 0 is k
        ck = np.maximum(a[:, None, :], a[:, :, None])  # c[k, i, j] = max(A[k, j], A[k, i])
        aij, ajj = a[None, :, :], home[None, None, :]
        aji, aii = a.T[None, :, :], home[None, :, None]
        pik = (aij + ck) / (aij + ck + ajj)
        pjk = (aji + ck) / (aji + ck + aii)
        du = u[:, :, None] - u[:, None, :]  # U[k, i] - U[k, j]
        term = (pik + pjk - 1) * du
    k = np.arange(n)
    term[k, k, :] = 0.0  # k == i
    term[k, :, k] = 0.0  # k == j
    term = np.where(np.isnan(term), 0.0, term)  # skip third parties without U or CINC
    if third is not None:
        term[~np.asarray(third, dtype=bool)] = 0.0
    out = eu + term.sum(axis=0)
    out[~c_ok, :] = np.nan
    out[:, ~c_ok] = np.nan
    np.fill_diagonal(out, np.nan)
    return out


def third_party_terms(
    cinc: np.ndarray, miles: np.ndarray, u: np.ndarray, year: int, i: int, j: int
) -> tuple[float, np.ndarray]:
    """The bilateral term and every third party's term of E(U)_ij (positions ``i``, ``j`` in
    the year's state order; the same formulas as :func:`war_trap_matrix`, whose sum over the
    terms they reproduce). A third party without CINC, distance or utility contributes 0."""
    from foedus.measures.power import discounted_capability

    cinc = _array(cinc, "cinc", None)
    n = len(cinc)
    miles = _array(miles, "miles", (n, n))
    u = _array(u, "u", (n, n)).copy()
    np.fill_diagonal(u, 1.0)
    m = np.where(np.isnan(miles), 0.0, miles)
    c_ok = ~np.isnan(cinc)
    a = np.where(
        c_ok[:, None], discounted_capability(np.nan_to_num(cinc)[:, None], m, year), np.nan
    )
    a = np.where(np.isnan(miles), np.nan, a)
    if not (c_ok[i] and c_ok[j]):
        return float("nan"), np.full(n, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = a[i, j] + a[j, j]
        p = a[i, j] / den if den > 0 else 0.5
        bilateral = (2 * p - 1) * (1 - u[i, j])
        ck = np.maximum(a[:, j], a[:, i])
        pik = (a[i, j] + ck) / (a[i, j] + ck + a[j, j])
        pjk = (a[j, i] + ck) / (a[j, i] + ck + a[i, i])
        term = (pik + pjk - 1) * (u[:, i] - u[:, j])
    term = np.where(np.isnan(term), 0.0, term)
    term[[i, j]] = 0.0
    return float(bilateral), term


@dataclass(frozen=True)
class YearInputs:
    """What a year's War Trap needs: members' COW codes, CINC (NaN = missing), capital miles
    (land neighbours 0), the utility matrix, and which members are COW major powers."""

    year: int
    codes: np.ndarray
    cinc: np.ndarray
    miles: np.ndarray
    u: np.ndarray
    is_major: np.ndarray
    x: np.ndarray  # the valued portfolio matrix the utilities come from


def year_inputs(
    years: tuple[int, int],
    *,
    similarity: str = "taub",
    source: str = "atop",
    world: World | None = None,
) -> Iterator[YearInputs]:
    """:class:`YearInputs` for every year of ``years`` (global utilities), from ``world``
    (ATOP; default today's data). Past the last year of COW's contiguity, of the capitals or
    of NMC, each state's last known value is carried forward (docs/foundations.md)."""
    from foedus import loaders
    from foedus.measures.similarity import (
        check_source,
        check_years,
        pair_measures,
        yearly_portfolios,
    )
    from foedus.panels.geography import capital_years, contiguity_years, vincenty_sphere_km

    similarity = validate.choice(similarity, "similarity", UTILITIES)
    source, _ = check_source(source)
    world = check_world(source, world)
    lo, hi = check_years(years, source, world=world)
    caps = capital_years(loaders.load("ps-cow-capitals"), "ccode")
    coords: dict[int, dict[int, tuple[float, float]]] = {}
    for c, y, la, ln in caps.select("ccode", "year", "lat", "lng").iter_rows():
        coords.setdefault(c, {})[y] = (la, ln)
    land = contiguity_years(loaders.load("ps-cow-contdir")).filter(pl.col("conttype") == 1)
    land_last = int(land.get_column("year").max())
    land = land.filter(pl.col("year").is_between(min(lo, land_last), min(hi, land_last)))
    land_by_year: dict[int, list[tuple[int, int]]] = {}
    for a_, b_, y_ in land.select("ccode1", "ccode2", "year").iter_rows():
        land_by_year.setdefault(y_, []).append((a_, b_))
    for year, codes, x, w, is_major in yearly_portfolios(source, "valued", (lo, hi), world=world):
        pos = {int(c): i for i, c in enumerate(codes)}
        ll = np.array([_latest(coords.get(int(c), {}), year) for c in codes])
        km = vincenty_sphere_km(ll[:, :1], ll[:, 1:], ll[None, :, 0], ll[None, :, 1])
        miles = km / KM_PER_MILE
        for a_, b_ in land_by_year.get(min(year, land_last), ()):
            if a_ in pos and b_ in pos:
                miles[pos[a_], pos[b_]] = miles[pos[b_], pos[a_]] = 0.0
        np.fill_diagonal(miles, 0.0)
        u = pair_measures(x, 4, w, [similarity])[similarity]
        yield YearInputs(year, codes, w, miles, u, is_major, x)


def _latest(by_year: dict[int, tuple[float, float]], year: int) -> tuple[float, float]:
    """The capital of ``year``, or of the latest earlier year once the capitals data end."""
    if year in by_year:
        return by_year[year]
    earlier = [y for y in by_year if y < year]
    last = max(by_year) if by_year else None
    if earlier and last is not None and year > last:
        return by_year[max(earlier)]
    return (np.nan, np.nan)


def war_trap(
    years: tuple[int, int],
    *,
    similarity: str = "taub",
    source: str = "atop",
    scope: str = "global",
    world: World | None = None,
) -> pl.DataFrame:
    """``ccode1, ccode2, year, eu_war_trap`` for every directed COW dyad-year in ``years``.

    ``world`` (ATOP; default today's data) supplies the alliance portfolios the utilities come
    from and any capability changes, so a scenario's pact changes the expected utilities.

    ``scope="regional"`` follows EUGene's relevant region (War Trap pp. 97-98): the target's
    home region if the initiator is involved there (same region, or a major power), else the
    initiator's; utilities are the portfolio similarity over the states involved in that
    region (home region plus major powers) and the pair, and only those states are third
    parties.
    """
    from foedus.measures.similarity import SCOPES, pair_measures, region_of

    scope = validate.choice(scope, "scope", SCOPES)
    levels = 4
    parts = []
    for yi in year_inputs(years, similarity=similarity, source=source, world=world):
        codes, w, miles, year, is_major = yi.codes, yi.cinc, yi.miles, yi.year, yi.is_major
        n = len(codes)
        if scope == "global":
            eu = war_trap_matrix(w, miles, yi.u, year)
        else:
            region = region_of(codes)
            # relevant region: the target's if the initiator is involved there, else its own
            involved = (region[:, None] == region[None, :]) | is_major[:, None]
            rel = np.where(involved, region[None, :], region[:, None])
            eu = np.full((n, n), np.nan)
            for r in np.unique(region):
                inv = (region == r) | is_major
                u = pair_measures(yi.x, levels, w, [similarity], partners=inv)[similarity]
                e_r = war_trap_matrix(w, miles, u, year, third=inv)
                eu = np.where(rel == r, e_r, eu)
        ii, jj = np.nonzero(~np.eye(n, dtype=bool))
        parts.append(
            pl.DataFrame(
                {
                    "ccode1": codes[ii],
                    "ccode2": codes[jj],
                    "year": np.full(len(ii), year),
                    "eu_war_trap": eu[ii, jj],
                }
            )
        )
    out = pl.concat(parts).with_columns(
        pl.col("ccode1", "ccode2", "year").cast(pl.Int32), pl.col("eu_war_trap").fill_nan(None)
    )
    return out.sort("ccode1", "ccode2", "year")
