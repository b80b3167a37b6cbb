"""Expected utility of war: Bueno de Mesquita's War Trap, as implemented in EUGene.

Coding rules (Bueno de Mesquita 1981, pp. 47, 56-59, 105, 108-109; Bennett & Stam 2000;
transcribed in ../shared/docs/MODELS.md b.2)
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
EUGene. Simplifications, documented: third parties are all system members (EUGene's default is
the "relevant region" of the pair, not implemented yet); EUGene's special treatment of the
US and USSR with several home cities is not reproduced; no risk adjustment (as EUGene's War
Trap output). Pairs where either state lacks CINC or a capital are missing.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from foedus.errors import PanelError

KM_PER_MILE = 1.609344


def war_trap_matrix(cinc: np.ndarray, miles: np.ndarray, u: np.ndarray, year: int) -> np.ndarray:
    """E(U)_ij for every ordered pair of one year: an N x N matrix (diagonal NaN).

    ``cinc`` (N,), ``miles`` (N x N, 0 on the diagonal), ``u`` (N x N similarity, diagonal 1);
    NaN marks missing values.
    """
    from foedus.measures.power import discounted_capability

    cinc = np.asarray(cinc, dtype=np.float64)
    n = len(cinc)
    miles = np.asarray(miles, dtype=np.float64)
    u = np.array(u, dtype=np.float64)
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
    out = eu + term.sum(axis=0)
    out[~c_ok, :] = np.nan
    out[:, ~c_ok] = np.nan
    np.fill_diagonal(out, np.nan)
    return out


def war_trap(
    years: tuple[int, int], *, similarity: str = "taub", source: str = "atop"
) -> pl.DataFrame:
    """``ccode1, ccode2, year, eu_war_trap`` for every directed COW dyad-year in ``years``."""
    from foedus import loaders
    from foedus.measures.similarity import similarity as portfolio_similarity
    from foedus.panels import state_years
    from foedus.panels.capabilities import nmc
    from foedus.panels.geography import capital_years, contiguity_years, vincenty_sphere_km

    if similarity not in ("taub", "s_un", "s_wt", "kappa"):
        raise PanelError(f"unknown similarity {similarity!r}", "use taub, s_un, s_wt or kappa.")
    lo, hi = years
    sims = portfolio_similarity(source, years=(lo, hi), measures=[similarity])
    sy = state_years(years=(lo, hi))
    caps = capital_years(loaders.load("ps-cow-capitals"), "ccode")
    sy = (
        sy.join(nmc().select("ccode", "year", "cinc"), on=["ccode", "year"], how="left")
        .join(caps, on=["ccode", "year"], how="left")
        .sort("year", "ccode")
    )
    land = contiguity_years(loaders.load("ps-cow-contdir")).filter(pl.col("conttype") == 1)
    parts = []
    for (y,), g in sy.group_by(["year"], maintain_order=True):
        codes = g["ccode"].to_numpy()
        n = len(codes)
        pos = {c: i for i, c in enumerate(codes)}
        lat, lng = g["lat"].to_numpy(), g["lng"].to_numpy()
        km = vincenty_sphere_km(lat[:, None], lng[:, None], lat[None, :], lng[None, :])
        miles = km / KM_PER_MILE
        for a_, b_ in land.filter(pl.col("year") == y).select("ccode1", "ccode2").iter_rows():
            if a_ in pos and b_ in pos:
                miles[pos[a_], pos[b_]] = miles[pos[b_], pos[a_]] = 0.0
        np.fill_diagonal(miles, 0.0)
        u = np.full((n, n), np.nan)
        s = sims.filter(pl.col("year") == y)
        i = np.array([pos.get(c, -1) for c in s["ccode1"].to_list()], dtype=np.int64)
        j = np.array([pos.get(c, -1) for c in s["ccode2"].to_list()], dtype=np.int64)
        v = s[similarity].to_numpy()
        ok = (i >= 0) & (j >= 0)
        u[i[ok], j[ok]] = v[ok]
        u[j[ok], i[ok]] = v[ok]
        eu = war_trap_matrix(g["cinc"].to_numpy(), miles, u, int(y))
        ii, jj = np.nonzero(~np.eye(n, dtype=bool))
        parts.append(
            pl.DataFrame(
                {
                    "ccode1": codes[ii],
                    "ccode2": codes[jj],
                    "year": np.full(len(ii), y),
                    "eu_war_trap": eu[ii, jj],
                }
            )
        )
    out = pl.concat(parts).with_columns(
        pl.col("ccode1", "ccode2", "year").cast(pl.Int32), pl.col("eu_war_trap").fill_nan(None)
    )
    return out.sort("ccode1", "ccode2", "year")
