"""Power: system shares of capabilities, coalition (bloc) capabilities, concentration, dyadic
capability ratios, distance-discounted capability and nuclear forces.

Coding rules
------------
* **Capabilities** are COW National Material Capabilities (NMC 7.0, 1816-2022, by default;
  Singer, Bremer & Stuckey 1972, bib key ``singer1972``; Singer 1987). ``cinc`` is NMC's
  Composite Index of National Capability; the six components are ``milex``, ``milper``,
  ``irst``, ``pec``, ``tpop`` and ``upop`` (see :mod:`foedus.panels.capabilities`). They are
  read as Float64 here: yearly system totals of ``milex`` (2.02e9 in 2022) are close to the
  Int32 limit, and Polars sums Int32 without widening.
* **CINC does not sum to 1.** NMC computes a state's CINC as the mean of its shares of the
  system totals over the components *it reports* (missing components are skipped, as in
  EUGene). A state with a missing component therefore gets the mean of its other shares,
  and the year's CINC total exceeds 1 by that reweighting, not by rounding: in NMC 7.0 the
  total is 1.0000 in every year without a missing component and ranges up to 1.0747 (1860;
  1.0021 in 1950, 1.0071 in 2022). ``cinc_share`` = cinc / (the year's CINC total) is the
  renormalised share, summing to exactly 1 per year; ``cinc_total`` is kept so the raw value
  can be recovered. ``{component}_share`` is the state's share of the system total of that
  component among the states that report it (null where the state does not).
* **Blocs** (any coalition): members are COW codes (ints, taken as given) or names, ISO3 codes
  or abbreviations resolved once, without a year, by :func:`foedus.countries.resolve` (so
  "Germany" is 255; ask for 260 to get West Germany 1955-1990). Per year: summed ``cinc``,
  ``cinc_share`` (the sum of the members' renormalised shares), summed components and their
  shares. A member with no NMC row (not a system member that year, or outside coverage) is
  listed in ``missing`` and the sums run over the others; ``complete`` says whether none was
  missing; the sums are null when no member is present. A present member that lacks a
  component is listed in ``gaps`` (``"ccode:component"``). Missing is never read as zero.
* **Concentration** (Ray & Singer 1973): with S_i the share of state i in the group's
  capabilities and N the number of states in the group,
  ``con = sqrt((sum S_i^2 - 1/N) / (1 - 1/N))`` (0 = parity, 1 = monopoly; null when N < 2),
  ``hhi = sum S_i^2``. The group is the COW major powers of the year (``among="majors"``,
  default; the list ends in 2016, so later years are empty unless ``carry_forward=True``)
  or all system members (``among="all"``). ``basis="cinc"`` (default) takes S_i = cinc_i /
  sum of the group's cinc; ``basis="components"`` rebuilds the shares inside the group, as
  Singer, Bremer & Stuckey (1972) did: each component's share of the group total, averaged
  over the components the state reports, renormalised to sum to 1. Among the majors in NMC
  7.0 the two bases give CONs 0.025 apart on average, at most 0.088 (1920).
  ``n_poles`` is **foedus's convention**, not Ray & Singer's: the number of states that hold
  at least ``pole_share`` (default 10%, with a 1e-9 tolerance) of the group's capabilities.
  ``leader`` is the state with the largest share, ``leader_share`` its share.
* **Dyadic ratio**: ``ratio`` = stronger / weaker CINC (null when either is missing or the
  weaker is 0), ``share_a`` = cinc_a / (cinc_a + cinc_b), ``stronger`` = the code of the
  stronger state (null on a tie). ``asymmetric`` is **foedus's convention**, the usual 3:1
  "preponderance" rule of thumb: ratio >= ``threshold`` (default 3, compared with a 1e-9
  tolerance so that 0.3 / 0.1 counts; also true when the weaker has CINC 0 and the stronger
  does not; null when either is missing). Morrow (1991) defines asymmetric
  alliances by what the partners trade (security for autonomy), between a strong and a weak
  state, not by a number; the flag is only a capability-based proxy for that distinction.
* **Loss-of-strength gradient** (Boulding 1962; operational form from Bueno de Mesquita 1981,
  *The War Trap*, p. 105, as coded in EUGene's ``adj_cap``):
  ``adjcap = cinc ** log10(miles / mpd + (10 - e))`` with mpd (miles per day) = 250 before
  1918, 375 in 1918-1945 and 500 after 1945. The exponent is 1 at miles = e * mpd (about
  1,359 miles after 1945); nearer states are boosted, farther ones discounted.
* **Nuclear forces** (Kristensen, Korda, Johns & Knight, FAS *Status of World Nuclear Forces*,
  bib key ``kristensen_fas``, via Our World in Data; 1945-2023): ``warheads`` is the military
  stockpile (deployed and reserve, retired warheads excluded) of the ten states the file lists
  (US, Russia/USSR as 365, UK, France, China, Israel, India, Pakistan, North Korea, South
  Africa); ``nuclear`` = warheads > 0. The file's ``World`` row is the FAS *total inventory*
  (retired warheads included), not a state and not the sum of the states; the loader drops
  it. In bloc sums a member the file does not list is counted as 0 (the FAS list covers
  every state known to hold warheads of its own; weapons hosted under NATO sharing are
  counted for the US) and is named in ``unlisted``. Values are FAS *estimates* as revised
  through 2023, not the figures published at the time: some year-on-year drops are revisions
  rather than disarmament (North Korea 35 -> 20 in 2020-2021, India 110 -> 100 in
  2013-2014), and recent values are often held flat between revisions (US 3,708 in
  2021-2023).

Years: ``years`` is one year, ``(first, last)`` (inclusive) or a list of years.

Citations: Singer, Bremer & Stuckey (1972); Singer (1987); Ray & Singer (1973), "Measuring the
Concentration of Power in the International System", *Sociological Methods & Research* 1(4):
403-437; Bueno de Mesquita (1981), *The War Trap* (Yale University Press); Boulding (1962),
*Conflict and Defense*; Morrow (1991), "Alliances and Asymmetry", *American Journal of
Political Science* 35(4): 904-933; Kristensen et al. (2023), FAS Status of World Nuclear
Forces; Correlates of War Project (2017), major powers v2016.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import polars as pl

from foedus import loaders, validate
from foedus.errors import InvalidArgumentError, PanelError
from foedus.world import World, resolve_world

COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")
#: foedus's pole convention: a state holding at least this share of the group's capabilities.
POLE_SHARE = 0.10
#: foedus's asymmetry convention: stronger / weaker CINC at or above this ratio.
ASYMMETRY_RATIO = 3.0
#: The catalog data set of each NMC version (coverage is the catalog's).
NMC_DATASETS = {"7.0": "ps-cow-nmc", "6.0": "cow-nmc"}
BASES = ("cinc", "components")
GROUPS = ("majors", "all")
MAJORS_DATASET = "cow-majors"
NUCLEAR_DATASET = "nuclear-warheads"

Years = int | tuple[int, int] | Sequence[int] | None
Members = int | str | Sequence[int | str]


# --- helpers ----------------------------------------------------------------------------------


def _year_list(
    years: Years,
    default: tuple[int, int],
    *,
    bounded: bool = False,
    name: str = "years",
) -> list[int]:
    """``None`` → the default range; an int → that year; a 2-tuple → the inclusive range;
    any other sequence → its distinct years, sorted. ``bounded``: every year from the state
    system's first year to :func:`foedus.validate.latest_year` (the public functions' rule;
    years a source does not cover give missing values, as documented)."""

    def one(y: object, label: str) -> int:
        if not bounded:
            return validate.integer(y, label, hint="give years as ints, e.g. 1950.")
        return validate.system_year(y, label)

    if years is None:
        lo, hi = default
        return list(range(lo, hi + 1))
    if isinstance(years, numbers.Real) and not isinstance(years, bool):
        return [one(years, name)]
    if isinstance(years, tuple) and len(years) == 2:
        lo, hi = one(years[0], f"{name}[0]"), one(years[1], f"{name}[1]")
        if lo > hi:
            raise InvalidArgumentError(
                name, f"{name}=({lo}, {hi}) is empty", "give (first, last), first <= last."
            )
        return list(range(lo, hi + 1))
    if isinstance(years, str | bytes | dict) or not isinstance(years, Iterable):
        raise InvalidArgumentError(
            name,
            f"{name} must be a year, (first, last) or a list of years, not "
            f"{type(years).__name__} {years!r:.60}",
            f"pass e.g. {name}=1950, {name}=(1950, 1960) or {name}=[1950, 1960].",
        )
    out = sorted({one(y, name) for y in years})
    if not out:
        raise InvalidArgumentError(
            name, "no years given", "give a year, (first, last) or a list of years."
        )
    return out


def _frame(frame: object, name: str, *columns: str) -> pl.DataFrame:
    return validate.frame(frame, name, columns=("ccode", "year", *columns))


def _year_seq(years: object, name: str = "years") -> list[int]:
    """The explicit years of a pure function (whole numbers, any the caller's frames hold, as
    long as they fit the panels' 32-bit year column), in the order given."""
    if isinstance(years, str | bytes | dict) or not isinstance(years, Iterable):
        raise InvalidArgumentError(
            name,
            f"{name} must be a sequence of years, not {type(years).__name__} {years!r:.60}",
            f"pass e.g. {name}=[1950, 1951].",
        )
    hint = "give years as ints, e.g. 1950."
    return [validate.integer(y, name, lo=-(2**31), hi=2**31 - 1, hint=hint) for y in years]


def _code_list(codes: object, name: str) -> list[int]:
    """COW codes (ints) as a list: one code or a sequence of them."""
    if isinstance(codes, numbers.Real) and not isinstance(codes, bool):
        codes = [codes]
    if isinstance(codes, str | bytes | dict) or not isinstance(codes, Iterable):
        raise InvalidArgumentError(
            name,
            f"{name} must be COW codes, not {type(codes).__name__} {codes!r:.60}",
            f"pass e.g. {name}=[2, 200].",
        )
    return [_code(c, name) for c in codes]


def _code(code: object, name: str) -> int:
    """A COW code: a whole number from 0 to 999."""
    return validate.integer(code, name, lo=0, hi=999, hint="give COW codes as ints, e.g. 365.")


def _years_frame(years: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"year": years}, schema={"year": pl.Int32})


def _members(members: object, name: str = "members") -> list[int | str]:
    """``members`` checked (COW codes or names; one or a sequence), before any look-up."""
    if isinstance(members, str | numbers.Real) and not isinstance(members, bool):
        items: list = [members]
    elif isinstance(members, bytes | dict) or not isinstance(members, Iterable):
        raise InvalidArgumentError(
            name,
            f"{name} must be COW codes or country names, not {type(members).__name__} "
            f"{members!r:.60}",
            f"pass e.g. {name}=['France', 'GMY', 365].",
        )
    else:
        items = list(members)
    if not items:
        raise InvalidArgumentError(
            name, f"{name}: empty coalition", "give at least one COW code or country name."
        )
    out = [validate.state(m, name) for m in items]
    return [m if isinstance(m, str) else _code(m, name) for m in out]


def _codes(members: Members, name: str = "members") -> list[int]:
    """COW codes of ``members`` (ints as given; text resolved without a year), deduplicated."""
    out: list[int] = []
    for m in _members(members, name):
        if isinstance(m, int):
            code = m
        else:
            from foedus import countries

            code = countries.resolve(m).ccode
        if code not in out:
            out.append(code)
    return out


def _f64(frame: pl.DataFrame, cols: Sequence[str]) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).cast(pl.Float64) for c in cols if c in frame.columns)


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den).otherwise(None)


def _coverage(version: str) -> tuple[int, int]:
    return validate.coverage(NMC_DATASETS[validate.choice(version, "version", tuple(NMC_DATASETS))])


def _nuclear_coverage() -> tuple[int, int]:
    return validate.coverage(NUCLEAR_DATASET)


def _nmc(version: str, world: World | None = None) -> pl.DataFrame:
    """NMC state-years with the world's capability changes (default today's data: none)."""
    from foedus.panels.capabilities import nmc

    return resolve_world(world).apply_capabilities(nmc(version))


def _warheads(world: World | None = None) -> pl.DataFrame:
    """The warheads file with the world's nuclear changes (default: none)."""
    return resolve_world(world).apply_warheads(loaders.load(NUCLEAR_DATASET))


# --- 1. system shares -------------------------------------------------------------------------


def capability_shares(cap: pl.DataFrame) -> pl.DataFrame:
    """Shares of the system totals for a frame of state-years (pure; see the module docstring).

    ``cap`` holds ``ccode, year, cinc`` and any of the six components, one row per system
    member and year (the totals are taken over the rows of each year). Returns ``ccode, year,
    cinc, cinc_total, cinc_share, n_components``, the components (Float64) and
    ``{component}_share``, sorted by year and code.
    """
    cap = _frame(cap, "cap", "cinc")
    comps = [c for c in COMPONENTS if c in cap.columns]
    f = _f64(cap.select("ccode", "year", "cinc", *comps), ["cinc", *comps])
    total = pl.col("cinc").sum().over("year")
    return f.with_columns(
        total.alias("cinc_total"),
        _ratio(pl.col("cinc"), total).alias("cinc_share"),
        pl.sum_horizontal(pl.col(c).is_not_null() for c in comps)
        .cast(pl.Int8)
        .alias("n_components")
        if comps
        else pl.lit(0, dtype=pl.Int8).alias("n_components"),
        *(_ratio(pl.col(c), pl.col(c).sum().over("year")).alias(f"{c}_share") for c in comps),
    ).sort("year", "ccode")


def system_shares(
    year: Years = None, *, version: str = "7.0", world: World | None = None
) -> pl.DataFrame:
    """Every state-year's CINC, renormalised share and component shares (NMC ``version``;
    ``world``'s capability changes applied, default none)."""
    cov = _coverage(version)
    yrs = None if year is None else _year_list(year, cov, bounded=True, name="year")
    cap = _nmc(version, world)
    if yrs is not None:
        cap = cap.filter(pl.col("year").is_in(yrs))
    return capability_shares(cap)


# --- 2. blocs ---------------------------------------------------------------------------------


def bloc_totals(shares: pl.DataFrame, members: Sequence[int], years: Sequence[int]) -> pl.DataFrame:
    """A coalition's capabilities per year from a :func:`capability_shares` frame (pure).

    Returns ``year, n_members, n_present, missing, complete, cinc, cinc_share``, each
    component's sum and share, and ``gaps`` (see the module docstring).
    """
    shares = _frame(shares, "shares", "cinc", "cinc_share")
    members = _code_list(members, "members")
    years = _year_seq(years)
    comps = [c for c in COMPONENTS if c in shares.columns]
    grid = _years_frame(list(years)).join(
        pl.DataFrame({"ccode": list(members)}, schema={"ccode": pl.Int32}), how="cross"
    )
    j = grid.join(shares, on=["ccode", "year"], how="left")
    present = pl.col("cinc").is_not_null()
    j = j.with_columns(
        pl.concat_list(
            pl.when(present & pl.col(c).is_null()).then(pl.format("{}:" + c, pl.col("ccode")))
            for c in comps
        )
        .list.drop_nulls()
        .alias("_gaps")
        if comps
        else pl.lit([], dtype=pl.List(pl.String)).alias("_gaps")
    )

    def total(c: str) -> pl.Expr:  # null, not 0, when no member has a value
        return pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).alias(c)

    out = j.group_by("year").agg(
        pl.len().cast(pl.Int32).alias("n_members"),
        present.sum().cast(pl.Int32).alias("n_present"),
        pl.col("ccode").filter(~present).sort().alias("missing"),
        total("cinc"),
        total("cinc_share"),
        *(total(c) for c in comps),
        *(total(f"{c}_share") for c in comps),
        pl.col("_gaps").list.explode(keep_nulls=False, empty_as_null=False).alias("gaps"),
    )
    cols = ["cinc", "cinc_share", *comps, *(f"{c}_share" for c in comps)]
    return (
        out.with_columns((pl.col("missing").list.len() == 0).alias("complete"))
        .select("year", "n_members", "n_present", "missing", "complete", *cols, "gaps")
        .sort("year")
    )


def bloc_capabilities(
    members: Members, years: Years = None, *, version: str = "7.0", world: World | None = None
) -> pl.DataFrame:
    """Summed capabilities of a coalition per year (see :func:`bloc_totals`).

    ``members``: COW codes or names (resolved by :func:`foedus.countries.resolve`); ``years``
    default to NMC's coverage; ``world``: capability changes (default none).
    """
    cov = _coverage(version)
    yrs = _year_list(years, cov, bounded=True)
    codes = _codes(members)
    return bloc_totals(system_shares(yrs, version=version, world=world), codes, yrs)


# --- 3. concentration -------------------------------------------------------------------------


def concentration_index(
    cap: pl.DataFrame,
    group: pl.DataFrame | None = None,
    *,
    basis: str = "cinc",
    pole_share: float = POLE_SHARE,
    years: Sequence[int] | None = None,
) -> pl.DataFrame:
    """Ray & Singer's CON, HHI and foedus's pole count per year (pure).

    ``cap``: ``ccode, year, cinc`` (and the components for ``basis="components"``). ``group``:
    ``ccode, year`` rows of the states to compare (None = every row of ``cap``). ``years``:
    the years to report (default: those in ``cap``); a year without states gets
    ``n_states = 0`` and null measures. Returns ``year, n_states, con, hhi, n_poles, leader,
    leader_share``.
    """
    basis = validate.choice(basis, "basis", BASES)
    cap = _frame(cap, "cap", *(("cinc",) if basis == "cinc" else ()))
    if group is not None:
        group = _frame(group, "group")
    pole_share = validate.number(pole_share, "pole_share", lo=0.0, hi=1.0, open_lo=True)
    if years is not None:
        years = _year_seq(years)
    f = cap if group is None else cap.join(group.select("ccode", "year"), on=["ccode", "year"])
    if basis == "cinc":
        f = _f64(f.select("ccode", "year", "cinc"), ["cinc"]).drop_nulls("cinc")
        f = f.with_columns(s=_ratio(pl.col("cinc"), pl.col("cinc").sum().over("year")))
    elif basis == "components":
        comps = [c for c in COMPONENTS if c in f.columns]
        if not comps:
            raise PanelError("basis='components' needs NMC components", f"give {COMPONENTS}.")
        f = _f64(f.select("ccode", "year", *comps), comps)
        f = f.with_columns(
            pl.mean_horizontal(
                _ratio(pl.col(c), pl.col(c).sum().over("year")) for c in comps
            ).alias("raw")
        ).drop_nulls("raw")
        f = f.with_columns(s=_ratio(pl.col("raw"), pl.col("raw").sum().over("year")))
    else:
        raise PanelError(f"unknown basis {basis!r}", "use basis='cinc' or 'components'.")
    f = f.drop_nulls("s")
    n = pl.len()
    hhi = (pl.col("s") ** 2).sum()
    agg = f.group_by("year").agg(
        n.cast(pl.Int32).alias("n_states"),
        hhi.alias("hhi"),
        pl.when(n > 1)
        .then(((hhi - 1 / n) / (1 - 1 / n)).clip(lower_bound=0.0).sqrt())
        .otherwise(None)
        .alias("con"),
        (pl.col("s") >= pole_share - 1e-9).sum().cast(pl.Int32).alias("n_poles"),
        pl.col("ccode").sort_by("s").last().alias("leader"),
        pl.col("s").max().alias("leader_share"),
    )
    yrs = sorted(cap.get_column("year").unique().to_list()) if years is None else list(years)
    return (
        _years_frame(yrs)
        .join(agg.with_columns(pl.col("year").cast(pl.Int32)), on="year", how="left")
        .with_columns(pl.col("n_states").fill_null(0))
        .select("year", "n_states", "con", "hhi", "n_poles", "leader", "leader_share")
        .sort("year")
    )


def concentration(
    years: Years = None,
    among: str = "majors",
    *,
    carry_forward: bool = False,
    basis: str = "cinc",
    pole_share: float = POLE_SHARE,
    version: str = "7.0",
    world: World | None = None,
) -> pl.DataFrame:
    """Concentration of capabilities among the COW major powers or all states, per year.

    ``years`` default to NMC's coverage (for majors: through the list's last year, 2016, or
    through NMC's end with ``carry_forward=True``, which assumes the last majors stay majors).
    ``world``: capability changes (default none).
    """
    lo, hi = _coverage(version)
    among = validate.choice(among, "among", GROUPS)
    carry_forward = validate.flag(carry_forward, "carry_forward")
    basis = validate.choice(basis, "basis", BASES)
    pole_share = validate.number(pole_share, "pole_share", lo=0.0, hi=1.0, open_lo=True)
    majors_last = validate.coverage(MAJORS_DATASET)[1]
    default = (lo, hi if carry_forward or among == "all" else min(hi, majors_last))
    yrs = _year_list(years, default, bounded=True)
    group = None
    if among == "majors":
        from foedus.panels.powers import major_power_years

        group = major_power_years(carry_forward=carry_forward, through=hi)
    cap = _nmc(version, world).filter(pl.col("year").is_in(yrs))
    return concentration_index(cap, group, basis=basis, pole_share=pole_share, years=yrs)


# --- 4. dyadic capability ratio ---------------------------------------------------------------


def dyad_ratio(
    cap: pl.DataFrame,
    a: int,
    b: int,
    years: Sequence[int],
    *,
    threshold: float = ASYMMETRY_RATIO,
) -> pl.DataFrame:
    """Capability ratio of states ``a`` and ``b`` per year from ``ccode, year, cinc`` (pure).

    Returns ``year, ccode_a, ccode_b, cinc_a, cinc_b, ratio, share_a, stronger, asymmetric``.
    """
    cap = _frame(cap, "cap", "cinc")
    a, b = _code(a, "a"), _code(b, "b")
    years = _year_seq(years)
    threshold = _threshold(threshold)
    if a == b:
        raise PanelError(f"a dyad needs two states; got {a} twice", "give two different states.")
    c = _f64(cap.select("ccode", "year", "cinc"), ["cinc"])
    out = _years_frame(list(years))
    for code, tag in ((a, "a"), (b, "b")):
        side = c.filter(pl.col("ccode") == code).select("year", pl.col("cinc").alias(f"cinc_{tag}"))
        out = out.join(side, on="year", how="left").with_columns(
            pl.lit(code, dtype=pl.Int32).alias(f"ccode_{tag}")
        )
    ca, cb = pl.col("cinc_a"), pl.col("cinc_b")
    lo, hi = pl.min_horizontal(ca, cb), pl.max_horizontal(ca, cb)
    both = ca.is_not_null() & cb.is_not_null()
    return out.with_columns(
        pl.when(both & (lo > 0)).then(hi / lo).otherwise(None).alias("ratio"),
        pl.when(both).then(_ratio(ca, ca + cb)).otherwise(None).alias("share_a"),
        pl.when(both & (ca > cb))
        .then(pl.col("ccode_a"))
        .when(both & (cb > ca))
        .then(pl.col("ccode_b"))
        .otherwise(None)
        .alias("stronger"),
        pl.when(~both)
        .then(None)
        .when(lo > 0)
        .then(hi / lo >= threshold - 1e-9)  # 0.3 / 0.1 is 2.9999999999999996
        .otherwise(hi > 0)
        .alias("asymmetric"),
    ).select(
        "year",
        "ccode_a",
        "ccode_b",
        "cinc_a",
        "cinc_b",
        "ratio",
        "share_a",
        "stronger",
        "asymmetric",
    )


def capability_ratio(
    a: int | str,
    b: int | str,
    years: Years = None,
    *,
    threshold: float = ASYMMETRY_RATIO,
    version: str = "7.0",
) -> pl.DataFrame:
    """Dyadic capability ratio of ``a`` and ``b`` (codes or names) per year (NMC CINC)."""
    a, b = validate.state(a, "a"), validate.state(b, "b")
    yrs = _year_list(years, _coverage(version), bounded=True)
    threshold = _threshold(threshold)
    (ca,), (cb,) = _codes([a], "a"), _codes([b], "b")
    return dyad_ratio(_nmc(version), ca, cb, yrs, threshold=threshold)


def _threshold(threshold: object) -> float:
    return validate.number(
        threshold,
        "threshold",
        lo=1.0,
        hint="a stronger / weaker ratio is at least 1; use e.g. threshold=3.",
    )


# --- 5. loss-of-strength gradient -------------------------------------------------------------


def miles_per_day(year: int | np.ndarray | Sequence[int]) -> np.ndarray:
    """Bueno de Mesquita's miles per day: 250 before 1918, 375 in 1918-1945, 500 after."""
    y = np.asarray(year)
    return np.where(y < 1918, 250.0, np.where(y <= 1945, 375.0, 500.0))


def discounted_capability(cinc, miles, year) -> np.ndarray | float:
    """Distance-discounted capability ``cinc ** log10(miles / mpd(year) + 10 - e)``.

    Vectorised: ``cinc``, ``miles`` and ``year`` broadcast against each other (scalars,
    NumPy arrays, lists or Polars Series); NaN propagates. A scalar result is a float.
    """
    try:
        c = np.asarray(cinc, dtype=np.float64)
        m = np.asarray(miles, dtype=np.float64)
        yr = np.asarray(year, dtype=np.float64)
        np.broadcast(c, m, yr)
    except (TypeError, ValueError, OverflowError) as e:
        raise InvalidArgumentError(
            "cinc, miles, year",
            f"discounted_capability needs numbers that broadcast together: {e}",
            "pass scalars or arrays of the same (or broadcastable) shape.",
        ) from None
    if np.any(m < 0):
        raise PanelError("negative distance", "give miles >= 0 (contiguous states count as 0).")
    if np.any((c < 0) | (c > 1)):
        raise PanelError("CINC outside [0, 1]", "give CINC values (shares of the system).")
    out = c ** np.log10(m / miles_per_day(year) + (10.0 - np.e))
    return float(out) if out.ndim == 0 else out


# --- 6. nuclear forces ------------------------------------------------------------------------


def nuclear_status(warheads: pl.DataFrame) -> pl.DataFrame:
    """Add ``nuclear`` (warheads > 0) to a frame with ``ccode, year, warheads`` (pure)."""
    warheads = _frame(warheads, "warheads", "warheads")
    return warheads.with_columns((pl.col("warheads") > 0).alias("nuclear")).sort("ccode", "year")


def nuclear_forces(years: Years = None, *, world: World | None = None) -> pl.DataFrame:
    """Warheads per state-year (FAS estimates, 1945-2023) with ``nuclear`` status.

    Returns ``ccode, entity, iso3, year, warheads, nuclear``; the ``World`` row is not a state
    and is not included.
    """
    yrs = None if years is None else _year_list(years, _nuclear_coverage(), bounded=True)
    w = _warheads(world).select("ccode", "entity", "iso3", "year", "warheads")
    if yrs is not None:
        w = w.filter(pl.col("year").is_in(yrs))
    return nuclear_status(w)


def bloc_nuclear(
    warheads: pl.DataFrame, members: Sequence[int], years: Sequence[int] | None = None
) -> pl.DataFrame:
    """A coalition's warheads per year from ``ccode, year, warheads`` (pure).

    Members the frame never lists count as 0 (and are named in ``unlisted``) inside its year
    range; outside it, and for a listed member without a row, the value is missing (named in
    ``missing``; ``warheads`` is then the sum over the others, null if none). Returns
    ``year, warheads, n_nuclear, nuclear_members, unlisted, missing, complete``.
    """
    warheads = _frame(warheads, "warheads", "warheads")
    members = _code_list(members, "members")
    if years is not None:
        years = _year_seq(years)
    w = warheads.select("ccode", "year", "warheads").drop_nulls("ccode")
    if w.is_empty():
        raise PanelError("no warhead rows", "give ccode, year, warheads rows (nuclear_forces()).")
    first, last = int(w.get_column("year").min()), int(w.get_column("year").max())
    yrs = list(range(first, last + 1)) if years is None else list(years)
    listed = w.get_column("ccode").unique().to_list()
    grid = _years_frame(yrs).join(
        pl.DataFrame({"ccode": list(members)}, schema={"ccode": pl.Int32}), how="cross"
    )
    j = grid.join(w, on=["ccode", "year"], how="left")
    is_listed = pl.col("ccode").is_in(listed)
    covered = pl.col("year").is_between(first, last)
    j = j.with_columns(
        pl.when(~is_listed & covered).then(0).otherwise(pl.col("warheads")).alias("warheads")
    )
    known = pl.col("warheads").is_not_null()
    out = j.group_by("year").agg(
        pl.when(known.any()).then(pl.col("warheads").sum()).alias("warheads"),
        (pl.col("warheads") > 0).sum().cast(pl.Int32).alias("n_nuclear"),
        pl.col("ccode").filter(pl.col("warheads") > 0).sort().alias("nuclear_members"),
        pl.col("ccode").filter(~is_listed).sort().alias("unlisted"),
        pl.col("ccode").filter(~known).sort().alias("missing"),
    )
    return out.with_columns((pl.col("missing").list.len() == 0).alias("complete")).sort("year")


def bloc_warheads(
    members: Members, year: Years = None, *, world: World | None = None
) -> pl.DataFrame:
    """Summed warheads of a coalition (codes or names) per year (see :func:`bloc_nuclear`);
    ``world``: nuclear changes (default none)."""
    yrs = None if year is None else _year_list(year, _nuclear_coverage(), bounded=True, name="year")
    _members(members)
    w = _warheads(world)
    return bloc_nuclear(w, _codes(members), yrs)


def nuclear_balance(
    bloc: Members, opponent: Members, year: Years = None, *, world: World | None = None
) -> pl.DataFrame:
    """Warheads of ``bloc`` against ``opponent`` (a state or a coalition) per year.

    Returns ``year, bloc_warheads, opponent_warheads, ratio`` (bloc / opponent; null when the
    opponent has none), ``bloc_share`` (bloc / (bloc + opponent); null when neither has any)
    and ``complete`` (no member of either side missing). ``world``: nuclear changes.
    """
    yrs = None if year is None else _year_list(year, _nuclear_coverage(), bounded=True, name="year")
    _members(bloc, "bloc"), _members(opponent, "opponent")
    a, b = _codes(bloc, "bloc"), _codes(opponent, "opponent")
    both = sorted(set(a) & set(b))
    if both:
        raise PanelError(f"states {both} are on both sides", "give disjoint bloc and opponent.")
    w = _warheads(world)
    x = bloc_nuclear(w, a, yrs).select("year", "warheads", "complete")
    y = bloc_nuclear(w, b, yrs).select("year", "warheads", "complete")
    j = x.join(y, on="year", suffix="_opp")
    bw, ow = pl.col("warheads").cast(pl.Float64), pl.col("warheads_opp").cast(pl.Float64)
    return j.select(
        "year",
        pl.col("warheads").alias("bloc_warheads"),
        pl.col("warheads_opp").alias("opponent_warheads"),
        _ratio(bw, ow).alias("ratio"),
        _ratio(bw, bw + ow).alias("bloc_share"),
        (pl.col("complete") & pl.col("complete_opp")).alias("complete"),
    ).sort("year")
