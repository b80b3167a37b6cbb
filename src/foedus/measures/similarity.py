"""Alliance-portfolio similarity: Kendall's tau-b, Signorino & Ritter's S, Cohen's kappa and
Scott's pi, for every pair of states in a year at once.

Coding rules
------------
* **Portfolios.** In year *t* every system member *i* has a portfolio ``x_i = (x_i1 ... x_iN)``
  over the *N* members, *including itself* (a state is maximally allied with itself, as in
  EUGene and Bueno de Mesquita & Lalman 1992). Valued codings (4 categories):

  - ATOP 5.1 (``source="atop"``): 3 = defence or offence pledge of *i* to *k*; 2 = neutrality
    or consultation (no defence/offence); 1 = non-aggression only; 0 = none. ATOP pledges
    can be asymmetric, so ``x_ik`` is *i*'s pledge to *k* (the ``ccode1 -> ccode2`` row).
  - COW v4.1 (``source="cow"``): 3 = defence pact; 2 = neutrality or non-aggression; 1 =
    entente only; 0 = none (symmetric).

  ``coding="binary"`` uses 1 for any alliance, 0 for none.
* **Measures** for a pair (i, j), over the categories of their two portfolios:

  - ``taub``: Kendall's tau-b of the two portfolios (Bueno de Mesquita 1975): (n_c - n_d) /
    sqrt((n_0 - n_1)(n_0 - n_2)); missing when either portfolio has a single category.
  - ``s_un``: S with absolute distances, unweighted: 1 - 2 * sum_k |x_ik - x_jk| / (d_max N)
    (Signorino & Ritter 1999; d_max = 3 valued, 1 binary). ``s_un_sq``: squared distances,
    1 - 2 * sum_k (x_ik - x_jk)^2 / (d_max^2 N).
  - ``s_wt``: S weighted by each partner's share of capabilities (CINC, NMC 7.0),
    1 - 2 * sum_k w_k |x_ik - x_jk| / (d_max sum_k w_k), skipping partners with missing CINC
    (EUGene); missing when no partner has CINC.
  - ``kappa``: Cohen's weighted kappa with quadratic weights ((a - b)/d_max)^2 and the full
    category set in the marginals (Häge 2011): 1 - sum w o / sum w p q.
  - ``pi``: Scott's pi, nominal: (p_o - p_e) / (1 - p_e), p_e from the pooled marginals.
* Self-pairs are not reported. All measures are symmetric in (i, j); directed output repeats
  each value for (j, i).
* ``scope="regional"``: the comparison runs over the states of a member's home COW region
  (:data:`REGIONS`), the COW major powers of the year and the pair itself, as EUGene's
  regional variants do with its "involved in region" lists (whose extra-regional involvements
  of minor powers foedus does not have); ``_reg1`` uses the first member's region, ``_reg2``
  the second's.

How: the 4 x 4 contingency table of every pair in a year is a set of matrix products of the
category indicator matrices (``C_ab = A_a A_b'``), so a year costs 16 products of N x N
matrices instead of N^2 / 2 table builds.

Caveat (see docs/foundations.md): alliance-portfolio similarity is built from alliances, so it
is endogenous to alliance formation; do not use it to predict alliance onset without care.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from foedus import validate
from foedus.errors import InvalidArgumentError, PanelError
from foedus.world import PLEDGES, World, check_world, resolve_world

MEASURES = ("taub", "s_un", "s_un_sq", "s_wt", "kappa", "pi")
CODINGS = ("valued", "binary")
SCOPES = ("global", "regional")
#: The catalog data set behind each alliance source (its coverage bounds the years).
DATASETS = {"atop": "ps-atop-alliance", "cow": "cow-alliance-dyad"}


def check_source(source: object, coding: object = "valued") -> tuple[str, str]:
    """``source`` (``"atop"`` or ``"cow"``) and ``coding`` (``"valued"`` or ``"binary"``)."""
    return validate.choice(source, "source", tuple(DATASETS)), validate.choice(
        coding, "coding", CODINGS
    )


def check_years(
    years: object, source: str, name: str = "years", *, world: World | None = None
) -> tuple[int, int]:
    """``years`` (``(first, last)`` or one year; None: all) inside the years of the alliance
    data: the world's (ATOP; default today's data) or COW's catalog coverage. Portfolios
    outside them would look unallied."""
    if source == "atop":
        return resolve_world(world).check_years(years, name)
    lo, hi = validate.coverage(DATASETS[source])
    why = f"the {source.upper()} alliance data cover {lo}-{hi}"
    return validate.year_range(
        years, name, lo=lo, hi=hi, default=(lo, hi), lo_reason=why, hi_reason=why
    )


def pair_measures(
    x: np.ndarray,
    levels: int,
    weights: np.ndarray | None = None,
    measures: Sequence[str] = MEASURES,
    partners: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """All pairwise measures for one year's portfolio matrix.

    ``x`` is an N x N integer matrix of categories 0..levels-1 (row i = state i's portfolio,
    diagonal = its commitment to itself). ``weights`` (length N, NaN = missing) are needed for
    ``s_wt``. ``partners`` (boolean, length N) restricts the comparison to those states plus
    the two members of each pair (EUGene's regional variants); default: all N. Returns N x N
    float matrices (NaN where undefined).
    """
    measures = validate.names(measures, "measures", allowed=MEASURES, at_least=1)
    levels = validate.integer(levels, "levels", lo=2, hi=127)
    x = _matrix(x, "x", levels)
    n_states = x.shape[0]
    weights = _vector(weights, "weights", n_states, np.float64)
    partners = _vector(partners, "partners", n_states, bool)
    k_in = np.ones(n_states, dtype=bool) if partners is None else np.asarray(partners, bool)
    ind = np.stack([(x == a).astype(np.float64) for a in range(levels)])  # (L, N, N)
    sub = ind[:, :, k_in]
    c = np.einsum("aik,bjk->abij", sub, sub, optimize=True)  # contingency counts (L, L, N, N)
    out_k = (~k_in).astype(np.float64)  # members of a pair counted although outside K
    top = levels - 1  # a state's commitment to itself
    # partner k = i (outside K): the cell (x_ii, x_ji) = (top, x_ji)
    c[top] += ind.transpose(0, 2, 1) * out_k[None, :, None]
    # partner k = j (outside K): the cell (x_ij, x_jj) = (x_ij, top)
    c[:, top] += ind * out_k[None, None, :]
    n = k_in.sum() + out_k[:, None] + out_k[None, :]
    cw = wtot = None
    if "s_wt" in measures:
        if weights is None:
            raise InvalidArgumentError(
                "weights",
                "the measure s_wt needs weights",
                "pass each state's CINC as weights, or leave s_wt out of measures.",
            )
        w = np.where(np.isnan(weights), 0.0, np.asarray(weights, dtype=np.float64))
        cw = np.einsum("aik,bjk,k->abij", sub, sub, w[k_in], optimize=True)
        cw[top] += ind.transpose(0, 2, 1) * (out_k * w)[None, :, None]
        cw[:, top] += ind * (out_k * w)[None, None, :]
        wtot = w[k_in].sum() + (out_k * w)[:, None] + (out_k * w)[None, :]
    return _from_counts(c, n, cw, wtot, levels, measures)


def _vector(value: object, name: str, n: int, dtype: type) -> np.ndarray | None:
    """None, or one number (``dtype``) per state."""
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        arr = None
    if arr is None or arr.shape != (n,):
        raise InvalidArgumentError(
            name,
            f"{name} must hold one {np.dtype(dtype).name} per state ({n}), not "
            f"{type(value).__name__} {value!r:.40}",
            f"pass a vector of length {n}, in the order of x's rows.",
        )
    return arr


def _matrix(x: object, name: str, levels: int) -> np.ndarray:
    """A square integer matrix of categories 0 .. levels-1."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError, OverflowError):
        arr = np.asarray(None)
    if (
        arr.ndim != 2
        or arr.shape[0] != arr.shape[1]
        or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.bool_))
    ):
        raise InvalidArgumentError(
            name,
            f"{name} must be a square matrix of integer categories, not "
            f"{type(x).__name__} of shape {arr.shape} ({arr.dtype})",
            "pass an N x N integer array (row i: state i's portfolio).",
        )
    if arr.size and (arr.min() < 0 or arr.max() >= levels):
        raise InvalidArgumentError(
            name,
            f"{name} holds categories outside 0..{levels - 1}",
            f"code each tie 0 .. levels-1 (levels={levels}).",
        )
    return arr


def _from_counts(
    c: np.ndarray,
    n: np.ndarray,
    cw: np.ndarray | None,
    wtot: np.ndarray | None,
    levels: int,
    measures: Sequence[str],
) -> dict[str, np.ndarray]:
    """The measures from each pair's contingency counts ``c`` (L, L, N, N) over ``n`` partners
    (and, for ``s_wt``, capability-weighted counts ``cw`` with total weight ``wtot``)."""
    dmax = levels - 1
    cat = np.arange(levels)
    dist = np.abs(cat[:, None] - cat[None, :]).astype(np.float64)
    rows = c.sum(axis=1)  # (L, N, N): categories of i's portfolio over the partners
    cols = c.sum(axis=0)  # (L, N, N): categories of j's portfolio
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        if "s_un" in measures:
            out["s_un"] = 1 - 2 * np.einsum("ab,abij->ij", dist, c) / (dmax * n)
        if "s_un_sq" in measures:
            out["s_un_sq"] = 1 - 2 * np.einsum("ab,abij->ij", dist**2, c) / (dmax**2 * n)
        if "s_wt" in measures:
            assert cw is not None and wtot is not None
            dw = np.einsum("ab,abij->ij", dist, cw)
            out["s_wt"] = np.where(wtot > 0, 1 - 2 * dw / (dmax * wtot), np.nan)
        if "taub" in measures:
            # pairs concordant / discordant: for each cell, the cells below-right / below-left
            nc = np.zeros(c.shape[2:])
            nd = np.zeros(c.shape[2:])
            for a in range(levels - 1):
                for b in range(levels):
                    if b + 1 < levels:
                        nc += c[a, b] * c[a + 1 :, b + 1 :].sum(axis=(0, 1))
                    if b > 0:
                        nd += c[a, b] * c[a + 1 :, :b].sum(axis=(0, 1))
            n0 = n * (n - 1) / 2
            tx = (rows * (rows - 1) / 2).sum(axis=0)
            ty = (cols * (cols - 1) / 2).sum(axis=0)
            denom = np.sqrt((n0 - tx) * (n0 - ty))
            out["taub"] = np.where(denom > 0, (nc - nd) / denom, np.nan)
        if "kappa" in measures:
            wq = (dist / dmax) ** 2
            obs = np.einsum("ab,abij->ij", wq, c) / n
            exp = np.einsum("ab,aij,bij->ij", wq, rows / n, cols / n, optimize=True)
            out["kappa"] = np.where(exp > 0, 1 - obs / exp, np.nan)
        if "pi" in measures:
            po = np.einsum("aaij->ij", c) / n
            m = (rows + cols) / (2 * n)
            pe = (m**2).sum(axis=0)
            out["pi"] = np.where(pe < 1, (po - pe) / (1 - pe), np.nan)
    return {k: out[k] for k in measures if k in out}


# --- all dyad-years ---------------------------------------------------------------------------


def portfolio_ties(
    source: str = "atop", coding: str = "valued", *, world: World | None = None
) -> pl.DataFrame:
    """Directed ties ``ccode1, ccode2, year, tie`` (tie > 0) under the portfolio coding (ATOP:
    the pledges of ``world``, default today's data)."""
    check_source(source, coding)
    w = check_world(source, world)
    if w is not None:
        a = w.directed()
        p = {k: pl.col(c) > 0 for k, c in PLEDGES.items()}
        tie = (
            pl.when(p["defense"] | p["offense"])
            .then(3)
            .when(p["neutral"] | p["consul"])
            .then(2)
            .when(p["nonagg"])
            .then(1)
            .otherwise(0)
        )
        t = a.select("ccode1", "ccode2", "year", tie.alias("tie"))
    elif source == "cow":
        from foedus.panels.alliances import cow_alliance_dyad_years

        d = cow_alliance_dyad_years()
        tie = (
            pl.when(pl.col("cow_defense") > 0)
            .then(3)
            .when((pl.col("cow_neutrality") > 0) | (pl.col("cow_nonaggression") > 0))
            .then(2)
            .when(pl.col("cow_entente") > 0)
            .then(1)
            .otherwise(0)
        )
        t = d.select("ccode1", "ccode2", "year", tie.alias("tie"))
        t = pl.concat(
            [
                t,
                t.select(
                    pl.col("ccode2").alias("ccode1"),
                    pl.col("ccode1").alias("ccode2"),
                    "year",
                    "tie",
                ),
            ]
        )
    else:
        raise PanelError(f"unknown alliance source {source!r}", "use source='atop' or 'cow'.")
    if coding == "binary":
        t = t.with_columns(pl.col("tie").clip(0, 1))
    elif coding != "valued":
        raise PanelError(f"unknown coding {coding!r}", "use coding='valued' or 'binary'.")
    return t.filter(pl.col("tie") > 0).with_columns(pl.col("tie").cast(pl.Int8))


def similarity(
    source: str = "atop",
    coding: str = "valued",
    years: tuple[int, int] | None = None,
    *,
    directed: bool = False,
    measures: Sequence[str] = MEASURES,
    scope: str = "global",
    world: World | None = None,
) -> pl.DataFrame:
    """Portfolio similarity for every COW dyad-year (see the module docstring).

    Returns ``ccode1, ccode2, year`` and one column per measure; non-directed
    (``ccode1 < ccode2``) unless ``directed=True``. Years default to the source's coverage.
    ``scope="regional"`` gives ``<measure>_reg1`` and ``<measure>_reg2`` instead: the
    comparison restricted to the states of ``ccode1``'s (resp. ``ccode2``'s) home region, the
    COW major powers and the pair itself (:data:`REGIONS`). ``world`` (ATOP only; default
    today's data) supplies the pledges and any capability changes; ``years`` must lie inside
    its years, or COW's catalog coverage (:func:`check_years`); every argument is checked
    before anything is loaded.
    """
    source, coding = check_source(source, coding)
    world = check_world(source, world)
    lo, hi = check_years(years, source, world=world)
    scope = validate.choice(scope, "scope", SCOPES)
    directed = validate.flag(directed, "directed")
    measures = list(
        dict.fromkeys(validate.names(measures, "measures", allowed=MEASURES, at_least=1))
    )
    levels = 4 if coding == "valued" else 2
    parts: list[dict[str, np.ndarray]] = []
    for year, codes, x, w, is_major in yearly_portfolios(
        source, coding, (lo, hi), "s_wt" in measures, world=world
    ):
        n = len(codes)
        iu, ju = np.triu_indices(n, k=1)
        part = {"ccode1": codes[iu], "ccode2": codes[ju], "year": np.full(len(iu), year)}
        if scope == "global":
            m = pair_measures(x, levels, w, measures)
            part.update({k: v[iu, ju] for k, v in m.items()})
        else:
            region = region_of(codes)
            reg1 = {k: np.full(len(iu), np.nan) for k in measures}
            reg2 = {k: np.full(len(iu), np.nan) for k in measures}
            for r in np.unique(region):
                m = pair_measures(x, levels, w, measures, partners=(region == r) | is_major)
                in1, in2 = region[iu] == r, region[ju] == r
                for k, v in m.items():
                    reg1[k][in1] = v[iu[in1], ju[in1]]
                    reg2[k][in2] = v[iu[in2], ju[in2]]
            part.update({f"{k}_reg1": v for k, v in reg1.items()})
            part.update({f"{k}_reg2": v for k, v in reg2.items()})
        parts.append(part)
    names = (
        list(measures) if scope == "global" else [f"{k}_reg{i}" for k in measures for i in (1, 2)]
    )
    cols = ["ccode1", "ccode2", "year", *names]
    data = {c: np.concatenate([p[c] for p in parts]) if parts else np.array([]) for c in cols}
    out = pl.DataFrame(data).with_columns(
        pl.col("ccode1", "ccode2", "year").cast(pl.Int32),
        pl.col(names).fill_nan(None),
    )
    if directed:
        swap = {"ccode1": pl.col("ccode2"), "ccode2": pl.col("ccode1")}
        if scope == "regional":  # the first state's region is the other one's now
            swap.update({f"{k}_reg1": pl.col(f"{k}_reg2") for k in measures})
            swap.update({f"{k}_reg2": pl.col(f"{k}_reg1") for k in measures})
        out = pl.concat([out, out.with_columns(**swap)])
    return out.sort("ccode1", "ccode2", "year")


def yearly_portfolios(
    source: str,
    coding: str,
    years: tuple[int, int],
    weights: bool = True,
    *,
    world: World | None = None,
):
    """For each year: ``(year, codes, x, w, is_major)`` — the members' COW codes, their N x N
    portfolio matrix (diagonal = the top category), CINC weights (NaN = missing; None unless
    ``weights``; the world's capability changes applied; past NMC's last year, each state's
    CINC of that year) and which members are COW major
    powers (spells carried past the list's end)."""
    from foedus.panels import state_years
    from foedus.panels.capabilities import nmc
    from foedus.panels.powers import major_power_years

    source, coding = check_source(source, coding)
    world = check_world(source, world)
    lo, hi = check_years(years, source, world=world)
    weights = validate.flag(weights, "weights")
    levels = 4 if coding == "valued" else 2
    sy = state_years(years=(max(lo, 1816), hi)).sort("year", "ccode")
    ties = (
        portfolio_ties(source, coding, world=world)
        .filter(pl.col("year").is_between(lo, hi))
        .sort("year")
    )
    sy_years = sy.get_column("year").to_numpy()
    sy_codes = sy.get_column("ccode").to_numpy()
    bounds = np.flatnonzero(np.diff(sy_years)) + 1
    starts, ends = np.r_[0, bounds], np.r_[bounds, len(sy_years)]
    t_year = ties.get_column("year").to_numpy()
    t_a, t_b = ties.get_column("ccode1").to_numpy(), ties.get_column("ccode2").to_numpy()
    t_v = ties.get_column("tie").to_numpy()
    w_all = None
    if weights:
        cap = nmc("7.0") if world is None else world.apply_capabilities(nmc("7.0"))
        cinc = cap.select("ccode", "year", "cinc")
        cinc_last = int(cinc.get_column("year").max())
        if hi > cinc_last:  # past NMC's end: each state's CINC of its last year
            later = pl.DataFrame(
                {"year": pl.int_range(cinc_last + 1, hi + 1, eager=True)},
                schema={"year": cinc.schema["year"]},
            )
            last_rows = cinc.filter(pl.col("year") == cinc_last).drop("year")
            cinc = pl.concat([cinc, last_rows.join(later, how="cross").select(cinc.columns)])
        w_all = sy.join(cinc, on=["ccode", "year"], how="left", maintain_order="left")
        w_all = w_all.get_column("cinc").fill_null(np.nan).to_numpy()
    majors = set(major_power_years(carry_forward=True).select("ccode", "year").iter_rows())
    pos = np.full(1000, -1, dtype=np.int64)
    for s, e in zip(starts, ends, strict=True):
        year = int(sy_years[s])
        codes = sy_codes[s:e]
        n = len(codes)
        pos[:] = -1
        pos[codes] = np.arange(n)
        x = np.zeros((n, n), dtype=np.int8)
        np.fill_diagonal(x, levels - 1)
        k0, k1 = np.searchsorted(t_year, [year, year + 1])
        i, j = pos[t_a[k0:k1]], pos[t_b[k0:k1]]
        ok = (i >= 0) & (j >= 0) & (i != j)
        x[i[ok], j[ok]] = np.maximum(x[i[ok], j[ok]], t_v[k0:k1][ok])
        w = w_all[s:e] if w_all is not None else None
        is_major = np.array([(int(c), year) in majors for c in codes])
        yield year, codes, x, w, is_major


#: COW's regions by state code (EUGene's five; Oceania counted with Asia).
REGIONS = {
    "americas": (1, 199),
    "europe": (200, 399),
    "africa": (400, 599),
    "middle_east": (600, 699),
    "asia": (700, 999),
}


def region_of(codes: np.ndarray) -> np.ndarray:
    """The index (0-4, in :data:`REGIONS` order) of each COW code's home region."""
    codes = np.asarray(codes)
    out = np.full(codes.shape, -1, dtype=np.int64)
    for i, (lo, hi) in enumerate(REGIONS.values()):
        out[(codes >= lo) & (codes <= hi)] = i
    return out
