"""The design of the conflict-risk models: specifications, alliance terms and covariates.

One builder serves fitting and scenarios. For a world and a year, :func:`alliance_state` holds
the year's system members, their directed pledges as bit masks (``bits[k, j]``: the pledges of
``k`` to ``j``), the valued ATOP portfolio matrix and Signorino & Ritter's S over it
(:func:`foedus.measures.similarity.pair_measures`); :func:`alliance_values` reads the
alliance terms of any directed pairs from it:

* ``target_defended``: some third state k (k != i, j) pledged defence to the target j;
* ``challenger_defended``: some third state pledged defence to the challenger i;
* ``challenger_offense``: some third state pledged offence (support for i's attack) to i;
* ``challenger_neutral``: some third state pledged neutrality to i;
* ``allied``: a defence pledge between i and j, either way (Bremer's alliance term);
* ``s_un``: S over the valued portfolios (unweighted, absolute distances).

:func:`covariates` adds the other terms to any dyad-year keys, keeping the rows; past a
source's last year each value is the dyad's value of that year (*carried forward*), and
capability changes of the world apply to the carried values. The fitting panel
(:func:`training_data`) stacks the same per-year computation over the years; a scenario's
year (:func:`year_design`) gathers from the same matrices, so fit-time and scenario-time
features are identical by construction. Specifications, variables, sources and what is not
reproduced of the papers: docs/consequences.md, "Conflict risk".
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from foedus import catalog, validate
from foedus.errors import InvalidArgumentError, ModelFitError, WorldError
from foedus.measures.similarity import pair_measures
from foedus.world import PLEDGES, World, check_pledge, pledge_coverage, resolve_world

KEYS = ["ccode1", "ccode2", "year"]
#: Bit of each ATOP pledge type in :attr:`AllianceState.bits`.
BITS: dict[str, int] = {"defense": 1, "offense": 2, "neutral": 4, "nonagg": 8, "consul": 16}
#: Country codes are below this (array look-ups by code).
MAX_CODE = 1000
#: The alliance terms (read from the world's pledges); every other feature is a covariate.
ALLIANCE_FEATURES = (
    "target_defended",
    "challenger_defended",
    "challenger_offense",
    "challenger_neutral",
    "allied",
    "s_un",
)
PEACE = ("peace_years", "peace_years2", "peace_years3")


# --- specifications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A model specification: unit, outcome, features in order, published signs, sources."""

    name: str
    title: str
    directed: bool
    outcome: str
    outcome_text: str
    features: tuple[str, ...]
    #: training years (the outcome's coverage)
    years: tuple[int, int]
    #: the MID source of the outcome and the peace years ("cow" or "gml")
    mids: str
    relevant_only: bool
    #: feature -> (published sign "+", "-" or None, where the sign comes from)
    published: dict[str, tuple[str | None, str]]
    citation: str

    @property
    def alliance_terms(self) -> tuple[str, ...]:
        return tuple(f for f in self.features if f in ALLIANCE_FEATURES)

    @property
    def covariate_terms(self) -> tuple[str, ...]:
        return tuple(f for f in self.features if f not in ALLIANCE_FEATURES)

    @property
    def sources(self) -> tuple[str, ...]:
        """The covariate sources the specification reads, in order."""
        return tuple(dict.fromkeys(feature_source(self, f) for f in self.covariate_terms))

    @property
    def datasets(self) -> tuple[str, ...]:
        """Every catalog data set a fit of this specification reads (for cache keys)."""
        names = {"ps-atop-alliance", "cow-states", "gw-states", "cow-majors"}
        names |= {"ps-cow-mid-dirdisps"} if self.outcome == "initiation" else set()
        names |= {"ps-cow-contdir"} if self.relevant_only else set()
        for s in self.sources:
            names |= set(SOURCES[s]["datasets"])
        return tuple(sorted(names))


_LEEDS = "Leeds 2003 (abstract)"
_JL = "Johnson & Leeds 2011 (abstract)"
_NOT_READ = "control: no published sign read"
_VIGNETTE = "peacesciencer 1.2.0 vignette (printed estimate, p < .05)"
_VIGNETTE10 = "peacesciencer 1.2.0 vignette (printed estimate, p < .1)"

SPECS: dict[str, Spec] = {
    "leeds2003": Spec(
        name="leeds2003",
        title="MID initiation in directed dyad-years with alliance terms (Leeds 2003; "
        "Johnson & Leeds 2011)",
        directed=True,
        outcome="initiation",
        outcome_text="the challenger is a Side A originator, and the target a Side B "
        "originator, of a COW MID 5.0 that began that year",
        features=(
            "target_defended",
            "challenger_defended",
            "challenger_offense",
            "challenger_neutral",
            "log_capdist",
            "cap_share",
            "joint_democracy",
            "s_un",
            *PEACE,
        ),
        years=(1816, 2014),
        mids="cow",
        relevant_only=False,
        published={
            "target_defended": ("-", f"{_LEEDS}; {_JL}"),
            "challenger_defended": (
                None,
                f"{_JL}: no evidence that states with defensive allies initiate more",
            ),
            "challenger_offense": ("+", _LEEDS),
            "challenger_neutral": ("+", _LEEDS),
            "log_capdist": (None, _NOT_READ),
            "cap_share": (None, _NOT_READ),
            "joint_democracy": (None, _NOT_READ),
            "s_un": (None, _NOT_READ),
            "peace_years": (None, _NOT_READ),
            "peace_years2": (None, _NOT_READ),
            "peace_years3": (None, _NOT_READ),
        },
        citation="Leeds (2003), AJPS 47(3): 427-439; Johnson & Leeds (2011), Foreign Policy "
        "Analysis 7(1): 45-65",
    ),
    "bremer1992": Spec(
        name="bremer1992",
        title="MID onset in undirected politically relevant dyad-years (Bremer 1992, as in "
        "peacesciencer's vignette)",
        directed=False,
        outcome="onset",
        outcome_text="a GML MID 2.2.1 began between the two that year",
        features=(
            "land_contiguity",
            "cinc_prop",
            "either_major",
            "allied",
            "dem_weak_link",
            "gdppc_weak_link",
            "milit_weak_link",
            *PEACE,
        ),
        years=(1816, 2010),
        mids="gml",
        relevant_only=True,
        published={
            "land_contiguity": ("+", _VIGNETTE),
            "cinc_prop": ("+", _VIGNETTE),
            "either_major": ("+", _VIGNETTE10),
            "allied": ("-", _VIGNETTE),
            "dem_weak_link": ("-", _VIGNETTE),
            "gdppc_weak_link": ("+", _VIGNETTE10),
            "milit_weak_link": ("+", _VIGNETTE),
            "peace_years": ("-", _VIGNETTE),
            "peace_years2": ("+", _VIGNETTE),
            "peace_years3": (None, "peacesciencer 1.2.0 vignette: printed as 0.000"),
        },
        citation="Bremer (1992), JCR 36(2): 309-341; Miller (2022), peacesciencer, "
        "vignette 'Dyad-Year Example: A Basic Replication/Extension of Bremer (1992)'",
    ),
}
DEFAULT_SPEC = "leeds2003"


def check_spec(spec: object) -> Spec:
    """A specification by name (:data:`SPECS`), or the :class:`Spec` itself."""
    if isinstance(spec, Spec):
        return spec
    return SPECS[validate.choice(spec, "spec", tuple(SPECS))]


# --- covariate sources -------------------------------------------------------------------------


def _catalog_last(dataset: str, column: str | None = None) -> int:
    ds = catalog.get(dataset)
    cov = ds.coverage_of(column) if column else ds.coverage
    assert cov is not None  # every source below has coverage in the catalog
    return int(cov[1])


def _mid_last(source: str) -> int:
    from foedus.panels.conflict import MID_COVERAGE

    return MID_COVERAGE[source][1]


#: Each covariate source: title, catalog data sets, and its last data year (read when asked).
SOURCES: dict[str, dict[str, Any]] = {
    "capitals": {
        "title": "capital distance (Miller 2022, peacesciencer's capitals)",
        "datasets": ["ps-cow-capitals"],
        "last": lambda: _catalog_last("ps-cow-capitals"),
    },
    "nmc": {
        "title": "COW National Material Capabilities 7.0",
        "datasets": ["ps-cow-nmc"],
        "last": lambda: _catalog_last("ps-cow-nmc"),
    },
    "democracy": {
        "title": "democracy: V-Dem polyarchy and extended UDS (isard 0.2.0)",
        "datasets": ["isard-cw-democracy"],
        "last": lambda: min(
            _catalog_last("isard-cw-democracy", "v2x_polyarchy"),
            _catalog_last("isard-cw-democracy", "aeuds"),
        ),
    },
    "contiguity": {
        "title": "COW direct contiguity 3.2",
        "datasets": ["ps-cow-contdir"],
        "last": lambda: _catalog_last("ps-cow-contdir"),
    },
    "majors": {
        "title": "COW major powers (v2016)",
        "datasets": ["cow-majors"],
        "last": lambda: _catalog_last("cow-majors"),
    },
    "wealth": {
        "title": "simulated GDP per capita (isard 0.2.0)",
        "datasets": ["isard-cw-gdppop"],
        "last": lambda: _catalog_last("isard-cw-gdppop", "mrgdppc"),
    },
    "cow_mids": {
        "title": "peace years since the last COW MID 5.0",
        "datasets": ["ps-cow-mid-ddydisps"],
        "last": lambda: _mid_last("cow"),
    },
    "gml_mids": {
        "title": "peace years since the last GML MID 2.2.1",
        "datasets": ["ps-gml-mid-ddydisps"],
        "last": lambda: _mid_last("gml"),
    },
}
_FEATURE_SOURCE = {
    "log_capdist": "capitals",
    "cap_share": "nmc",
    "cinc_prop": "nmc",
    "milit_weak_link": "nmc",
    "joint_democracy": "democracy",
    "dem_weak_link": "democracy",
    "land_contiguity": "contiguity",
    "either_major": "majors",
    "gdppc_weak_link": "wealth",
}


def feature_source(spec: Spec, feature: str) -> str:
    """The source a feature is read from (``atop`` for the alliance terms)."""
    if feature in ALLIANCE_FEATURES:
        return "atop"
    if feature in PEACE:
        return f"{spec.mids}_mids"
    return _FEATURE_SOURCE[feature]


def last_years(spec: Spec) -> dict[str, int]:
    """Each source's last data year (``atop``: ATOP's; ``states``: the COW list's)."""
    out = {"atop": pledge_coverage()[1], "states": _catalog_last("cow-states")}
    out |= {s: int(SOURCES[s]["last"]()) for s in spec.sources}
    return out


def carried_sources(spec: Spec, year: int) -> tuple[str, ...]:
    """The sources whose values a row of ``year`` carries forward from their last year."""
    return tuple(s for s, last in last_years(spec).items() if year > last)


# --- alliance state of a year ------------------------------------------------------------------


@dataclass(frozen=True)
class AllianceState:
    """One year's system members and pledges as arrays (see the module docstring)."""

    year: int
    codes: np.ndarray  # (N,) COW codes, ascending
    pos: np.ndarray  # (MAX_CODE,) index of each code in ``codes``, -1 if not a member
    bits: np.ndarray  # (N, N) uint8: the pledges of row state to column state
    x: np.ndarray  # (N, N) int8 valued portfolio categories, diagonal 3
    s_un: np.ndarray  # (N, N) float64
    #: pledges received: number of states that pledged defence / offence / neutrality to j
    received: dict[str, np.ndarray] = field(default_factory=dict)


def _categorise(b: np.ndarray) -> np.ndarray:
    return np.where(
        b & (BITS["defense"] | BITS["offense"]),
        3,
        np.where(b & (BITS["neutral"] | BITS["consul"]), 2, np.where(b & BITS["nonagg"], 1, 0)),
    ).astype(np.int8)


def categories(bits: np.ndarray) -> np.ndarray:
    """ATOP's valued portfolio coding of pledge bits (as :mod:`foedus.measures.similarity`):
    3 defence or offence, 2 neutrality or consultation, 1 non-aggression only, 0 none; the
    diagonal is 3 (a state's commitment to itself)."""
    x = _categorise(np.asarray(bits))
    np.fill_diagonal(x, 3)
    return x


def _received(bits: np.ndarray) -> dict[str, np.ndarray]:
    return {
        p: ((bits & BITS[p]) != 0).sum(axis=0).astype(np.int32)
        for p in ("defense", "offense", "neutral")
    }


def _positions(codes: np.ndarray) -> np.ndarray:
    pos = np.full(MAX_CODE, -1, dtype=np.int64)
    pos[codes] = np.arange(len(codes))
    return pos


def state_from_bits(
    year: int, codes: Sequence[int] | np.ndarray, bits: np.ndarray
) -> AllianceState:
    """The alliance state of members ``codes`` (ascending) with pledge ``bits``: categories,
    S by :func:`~foedus.measures.similarity.pair_measures`, pledges received."""
    codes = np.asarray(codes, dtype=np.int64)
    bits = np.array(bits, dtype=np.uint8)
    np.fill_diagonal(bits, 0)
    x = categories(bits)
    s = pair_measures(x, 4, None, ["s_un"])["s_un"]
    return AllianceState(year, codes, _positions(codes), bits, x, s, _received(bits))


def _bits_of(directed: pl.DataFrame, pos: np.ndarray, n: int) -> np.ndarray:
    """(N, N) pledge bits from directed pledge rows (``ccode1 -> ccode2``) of one year."""
    bits = np.zeros((n, n), dtype=np.uint8)
    if directed.height == 0:
        return bits
    a = pos[np.clip(directed["ccode1"].to_numpy().astype(np.int64), 0, MAX_CODE - 1)]
    b = pos[np.clip(directed["ccode2"].to_numpy().astype(np.int64), 0, MAX_CODE - 1)]
    ok = (a >= 0) & (b >= 0) & (a != b)
    for p, col in PLEDGES.items():
        v = directed[col].to_numpy() > 0
        m = ok & v
        bits[a[m], b[m]] |= np.uint8(BITS[p])
    return bits


def _members(years: tuple[int, int]) -> dict[int, np.ndarray]:
    from foedus.panels import state_years

    sy = state_years(years=years).sort("year", "ccode")
    out: dict[int, np.ndarray] = {}
    for (y,), g in sy.group_by(["year"], maintain_order=True):
        out[int(y)] = g["ccode"].to_numpy().astype(np.int64)
    return out


def iter_alliance_states(
    world: World, years: tuple[int, int], members: dict[int, Sequence[int]] | None = None
) -> Iterator[AllianceState]:
    """The alliance state of each year of ``years`` (the COW system's members, or
    ``members[year]``), from the world's directed pledges."""
    lo, hi = world.check_years(years)
    if members is None:
        members = _members((max(lo, validate.first_year()), hi))
    d = world.directed().filter(pl.col("year").is_between(lo, hi)).sort("year")
    yrs = d["year"].to_numpy()
    for year in range(lo, hi + 1):
        if year not in members:
            continue
        codes = np.sort(np.asarray(members[year], dtype=np.int64))
        pos = _positions(codes)
        a, b = np.searchsorted(yrs, [year, year + 1])
        bits = _bits_of(d.slice(int(a), int(b - a)), pos, len(codes))
        yield state_from_bits(year, codes, bits)


def alliance_state(world: World, year: int, members: Sequence[int] | None = None) -> AllianceState:
    """The alliance state of one year (computed once per world and year; see
    :func:`iter_alliance_states`)."""
    year = world.check_year(year)

    def make() -> AllianceState:
        m = None if members is None else {year: members}
        return next(iter_alliance_states(world, (year, year), m))

    if members is not None:
        return make()
    return world.cached(f"conflict_risk:alliances:{year}", make)


def alliance_values(st: AllianceState, name: str, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """The alliance term ``name`` (:data:`ALLIANCE_FEATURES`) for the directed pairs at
    positions ``(ii, jj)`` (challenger, target), as float64."""
    b = st.bits
    if name == "s_un":
        return st.s_un[ii, jj].astype(np.float64)
    if name == "allied":
        d = BITS["defense"]
        return (((b[ii, jj] & d) | (b[jj, ii] & d)) != 0).astype(np.float64)
    if name == "target_defended":  # defenders of j other than i
        own = (b[ii, jj] & BITS["defense"]) != 0
        return ((st.received["defense"][jj] - own) > 0).astype(np.float64)
    pledge = {
        "challenger_defended": "defense",
        "challenger_offense": "offense",
        "challenger_neutral": "neutral",
    }[name]
    own = (b[jj, ii] & BITS[pledge]) != 0  # the target's own pledge to i does not count
    return ((st.received[pledge][ii] - own) > 0).astype(np.float64)


# --- pledge edits on an alliance state (the fast path) ------------------------------------------


@dataclass(frozen=True)
class PactEdit:
    """A pledge added (``"add"``) or removed (``"remove"``) between two states, both ways, as
    :meth:`World.with_pledge` and :meth:`World.without_pledge` do it in one year."""

    a: int
    b: int
    pledge: str = "defense"
    action: str = "add"


def check_edits(edits: Iterable[PactEdit | Sequence[Any]]) -> list[PactEdit]:
    """Edits as :class:`PactEdit`: ``(a, b)``, ``(a, b, pledge)`` or ``(a, b, pledge,
    action)`` tuples are accepted."""
    out = []
    for e in edits:
        if not isinstance(e, PactEdit):
            if isinstance(e, str | bytes) or not isinstance(e, Sequence) or not 2 <= len(e) <= 4:
                raise InvalidArgumentError(
                    "edits",
                    f"an edit is (a, b[, pledge[, action]]), not {e!r:.60}",
                    "e.g. edits=[(365, 710, 'defense')].",
                )
            e = PactEdit(*e)
        a = validate.integer(e.a, "edits", hint="give COW codes, e.g. (365, 710, 'defense').")
        b = validate.integer(e.b, "edits", hint="give COW codes, e.g. (365, 710, 'defense').")
        action = validate.choice(e.action, "action", ("add", "remove"))
        pledge = "any" if action == "remove" and e.pledge == "any" else check_pledge(e.pledge)
        if a == b:
            raise WorldError(f"a state cannot ally with itself (COW {a})", "give two states.")
        out.append(PactEdit(a, b, pledge, action))
    if not out:
        raise InvalidArgumentError("edits", "no edit given", "give at least one pact edit.")
    return out


def apply_edits(st: AllianceState, edits: Sequence[PactEdit]) -> tuple[AllianceState, np.ndarray]:
    """The alliance state after ``edits`` (refused as the world refuses them: adding a pledge a
    pair has, removing one it lacks), and the positions of the states whose pledges changed.
    S is recomputed only for the pairs that involve one of them; the other pairs keep the
    baseline's value, which is exact (S of a pair depends only on the two portfolios)."""
    bits = st.bits.copy()
    touched: list[int] = []
    for e in edits:
        i, j = (int(st.pos[c]) if 0 <= c < MAX_CODE else -1 for c in (e.a, e.b))
        if i < 0 or j < 0:
            bad = e.a if i < 0 else e.b
            raise InvalidArgumentError(
                "edits",
                f"COW {bad} is not a system member in {st.year}",
                "give pact edits between states that exist in the year.",
            )
        if e.action == "add":
            bit = np.uint8(BITS[e.pledge])
            if (bits[i, j] | bits[j, i]) & bit:
                raise WorldError(
                    f"COW {e.a} and COW {e.b} already have a {e.pledge} pledge in {st.year}",
                    "leave that pair out, or use an 'upgrade' or 'remove' change for it.",
                )
            bits[i, j] |= bit
            bits[j, i] |= bit
        else:
            mask = np.uint8(sum(BITS.values()) if e.pledge == "any" else BITS[e.pledge])
            if not (bits[i, j] | bits[j, i]) & mask:
                raise WorldError(
                    f"COW {e.a} and COW {e.b} have no {e.pledge} pledge in {st.year} to remove",
                    "check the pair and the year, or leave that change out.",
                )
            bits[i, j] &= ~mask
            bits[j, i] &= ~mask
        touched += [i, j]
    rows = np.unique(np.asarray(touched, dtype=np.int64))
    x = st.x.copy()
    x[rows] = _categorise(bits[rows])
    x[rows, rows] = 3
    s = st.s_un.copy()
    n = float(len(st.codes))
    for r in rows:
        d = np.abs(x.astype(np.int64) - x[r].astype(np.int64)).sum(axis=1).astype(np.float64)
        v = 1 - 2 * d / (3 * n)  # pair_measures' arithmetic: an integer sum over 3N
        s[r, :] = v
        s[:, r] = v
    return replace(st, bits=bits, x=x, s_un=s, received=_received(bits)), rows


# --- covariates ---------------------------------------------------------------------------------


def _weak_link(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """The smaller of two values; null if either is null (R's ``ifelse(a > b, b, a)``)."""
    return pl.when(a.is_null() | b.is_null()).then(None).when(a > b).then(b).otherwise(a)


@functools.cache
def _nmc_base() -> pl.DataFrame:
    from foedus.panels.capabilities import NMC_COLS, nmc

    return nmc("7.0").select("ccode", "year", *NMC_COLS)


def nmc_table(world: World, through: int) -> pl.DataFrame:
    """NMC 7.0 state-years with each state's values of NMC's last year carried to every year
    through ``through``, then the world's capability changes applied (so a change in a year
    past NMC's end acts on the carried values)."""
    cap = _nmc_base()
    last = int(cap["year"].max())  # type: ignore[arg-type]
    if through > last:
        later = pl.DataFrame(
            {"year": pl.int_range(last + 1, through + 1, eager=True)},
            schema={"year": cap.schema["year"]},
        )
        rows = cap.filter(pl.col("year") == last).drop("year").join(later, how="cross")
        cap = pl.concat([cap, rows.select(cap.columns)])
    return world.apply_capabilities(cap)


def _clipped(keys: pl.DataFrame, last: int) -> pl.DataFrame:
    y = pl.col("year")
    return keys.select("ccode1", "ccode2", pl.when(y > last).then(last).otherwise(y).alias("year"))


def covariates(keys: pl.DataFrame, spec: Spec | str, world: World | None = None) -> pl.DataFrame:
    """``keys`` (``ccode1, ccode2, year``: directed or undirected COW dyad-years, as the
    specification is) with the specification's covariates, rows and order kept. A row past a
    source's last year takes the dyad's value of that year; NMC's values are carried first and
    the world's capability changes (default: none) applied to them."""
    spec = check_spec(spec)
    world = resolve_world(world)
    keys = keys.select(KEYS)
    cols: dict[str, pl.Series] = {}
    last = last_years(spec)
    for src in spec.sources:
        cols |= _source_values(src, keys, spec, world, last[src])
    return keys.with_columns(cols[f].alias(f) for f in spec.covariate_terms)


def _source_values(
    src: str, keys: pl.DataFrame, spec: Spec, world: World, last: int
) -> dict[str, pl.Series]:
    from foedus import panels
    from foedus.panels.base import add_state_values, inspect

    k = _clipped(keys, last)
    if src == "capitals":
        d = panels.add_capital_distance(k)
        return {"log_capdist": d.select(pl.col("capdist").log()).to_series()}
    if src == "democracy":
        d = panels.add_democracy(k, keep=["v2x_polyarchy", "aeuds"])
        v1, v2 = pl.col("v2x_polyarchy1"), pl.col("v2x_polyarchy2")
        jd = pl.when(v1.is_null() | v2.is_null()).then(None).otherwise((v1 > 0.5) & (v2 > 0.5))
        return {
            "joint_democracy": d.select(jd.cast(pl.Float64)).to_series(),
            "dem_weak_link": d.select(_weak_link(pl.col("aeuds1"), pl.col("aeuds2"))).to_series(),
        }
    if src == "contiguity":
        d = panels.add_contiguity(k)
        return {"land_contiguity": d["landcontig"].cast(pl.Float64)}
    if src == "majors":
        d = panels.add_cow_majors(k)
        either = (pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)
        return {"either_major": d.select(either.cast(pl.Float64)).to_series()}
    if src == "wealth":
        d = panels.add_gdp(k, keep=["mrgdppc"])
        w = _weak_link(pl.col("mrgdppc1"), pl.col("mrgdppc2")) / 1000.0
        return {"gdppc_weak_link": d.select(w).to_series()}
    if src in ("cow_mids", "gml_mids"):
        source = src.removesuffix("_mids")
        d = panels.add_peace_years(k, source=source)
        t = d[f"{source}midspell"].cast(pl.Float64)
        return {"peace_years": t, "peace_years2": t**2 / 100.0, "peace_years3": t**3 / 10_000.0}
    if src == "nmc":  # the actual years: the table is carried forward and changed already
        hi = int(keys["year"].max() or 0)  # type: ignore[arg-type]
        cap = nmc_table(world, max(hi, last)).select(
            "ccode", "year", "cinc", (pl.col("milper") / pl.col("tpop")).alias("milit")
        )
        d = add_state_values(keys, inspect(keys), cap, ["cinc", "milit"], "conflict_risk")
        c1, c2 = pl.col("cinc1"), pl.col("cinc2")
        lo, hi_ = _weak_link(c1, c2), pl.max_horizontal(c1, c2)
        m1, m2 = pl.col("milit1").fill_nan(None), pl.col("milit2").fill_nan(None)
        out = d.select(
            pl.when((c1 + c2) > 0).then(c1 / (c1 + c2)).alias("cap_share"),
            pl.when(hi_ > 0).then(lo / hi_).alias("cinc_prop"),
            _weak_link(m1, m2).alias("milit_weak_link"),
        )
        return {c: out[c] for c in out.columns}
    raise AssertionError(f"unknown covariate source {src!r}")  # pragma: no cover


# --- outcomes -----------------------------------------------------------------------------------


@functools.cache
def initiations() -> pl.DataFrame:
    """Directed dyad-years ``ccode1, ccode2, year`` in which ``ccode1`` initiated a MID against
    ``ccode2``: a COW MID 5.0 dispute (``ps-cow-mid-dirdisps``, every dispute, before any
    whittling) began that year with ``ccode1`` a Side A originator and ``ccode2`` a Side B
    originator."""
    from foedus import loaders

    d = loaders.load("ps-cow-mid-dirdisps")
    hit = (
        (pl.col("disponset") == 1)
        & (pl.col("sidea1") == 1)
        & (pl.col("orig1") == 1)
        & (pl.col("sidea2") == 0)
        & (pl.col("orig2") == 1)
    )
    return (
        d.filter(hit)
        .select(pl.col(c).cast(pl.Int32) for c in KEYS)
        .unique()
        .with_columns(pl.lit(1, pl.Int8).alias("initiation"))
    )


def outcome(keys: pl.DataFrame, spec: Spec) -> pl.Series:
    """The specification's outcome for ``keys`` (0/1 inside the MID data's years, null
    outside), rows kept."""
    from foedus import panels
    from foedus.panels.conflict import MID_COVERAGE

    lo, hi = MID_COVERAGE[spec.mids]
    inside = pl.col("year").is_between(lo, hi)
    if spec.outcome == "initiation":
        k = keys.select(pl.col(c).cast(pl.Int32) for c in KEYS)
        d = k.join(initiations(), on=KEYS, how="left", maintain_order="left")
        assert d.height == keys.height
        e = pl.when(inside).then(pl.col("initiation").fill_null(0))
        return d.select(e.cast(pl.Int8).alias("initiation")).to_series()
    d = panels.add_gml_mids(keys.select(KEYS), keep=[])
    return d["gmlmidonset"].cast(pl.Int8).alias("onset")


# --- the fitting panel --------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingData:
    """The fitting panel of a specification: every row with its features and outcome
    (``frame``), and the complete rows as arrays (``x`` in the specification's feature
    order, ``y``, the undirected dyad of each row as ``groups``, ``years``)."""

    spec: Spec
    years: tuple[int, int]
    frame: pl.DataFrame
    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    row_years: np.ndarray
    #: the ``frame`` row of each complete row (the arrays are sorted by year)
    index: np.ndarray

    @property
    def n_rows(self) -> int:
        return self.frame.height


def dyad_ids(c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """The undirected dyad of each pair, ``min * 1000 + max``: the cluster of a row."""
    a, b = np.minimum(c1, c2).astype(np.int64), np.maximum(c1, c2).astype(np.int64)
    return a * MAX_CODE + b


def check_training_years(spec: Spec, years: object) -> tuple[int, int]:
    lo, hi = spec.years
    why = f"the {spec.mids.upper()} MID data, the outcome, cover {lo}-{hi}"
    return validate.year_range(
        years, "years", lo=lo, hi=hi, default=(lo, hi), lo_reason=why, hi_reason=why
    )


def training_data(
    spec: Spec | str = DEFAULT_SPEC,
    years: tuple[int, int] | None = None,
    *,
    world: World | None = None,
) -> TrainingData:
    """The fitting panel: the specification's dyad-years of ``years`` (default its outcome's
    coverage; politically relevant ones only for ``bremer1992``), the outcome, the
    covariates (:func:`covariates`) and the alliance terms of each year (:func:`alliance_state`
    of ``world``, default today's data), stacked. Every join keeps the panel's rows."""
    from foedus import panels
    from foedus.panels.relevance import politically_relevant

    spec = check_spec(spec)
    lo, hi = check_training_years(spec, years)
    world = resolve_world(world, (lo, hi))
    keys = panels.dyad_years("cow", directed=spec.directed, years=(lo, hi))
    if spec.relevant_only:
        keys = politically_relevant(keys)
    n = keys.height
    frame = covariates(keys, spec, world)
    frame = frame.with_columns(outcome(keys, spec))
    frame = frame.with_columns(stacked_alliance_terms(keys, spec, world, (lo, hi)))
    assert frame.height == n  # every step keeps the rows
    feats = list(spec.features)
    x_all = frame.select(pl.col(feats).cast(pl.Float64).fill_null(np.nan)).to_numpy()
    y_all = frame[spec.outcome].to_numpy()
    ok = np.isfinite(x_all).all(axis=1) & frame[spec.outcome].is_not_null().to_numpy()
    c1, c2 = keys["ccode1"].to_numpy(), keys["ccode2"].to_numpy()
    groups = dyad_ids(c1, c2)
    years_arr = keys["year"].to_numpy().astype(np.int64)
    order = np.argsort(years_arr[ok], kind="stable")  # by year: rolling origins slice it
    idx = np.flatnonzero(ok)[order]
    if not idx.size or np.unique(y_all[idx]).size < 2:
        raise ModelFitError(
            f"the {spec.name} panel of {lo}-{hi} has no complete rows with both outcomes",
            "give a wider range of years.",
        )
    return TrainingData(
        spec,
        (lo, hi),
        frame,
        np.ascontiguousarray(x_all[idx]),
        y_all[idx].astype(np.float64),
        groups[idx],
        years_arr[idx],
        idx,
    )


def stacked_alliance_terms(
    keys: pl.DataFrame,
    spec: Spec | str,
    world: World,
    years: tuple[int, int],
    members: dict[int, Sequence[int]] | None = None,
) -> list[pl.Series]:
    """The alliance terms of every row of ``keys`` (rows kept), year by year from the year's
    alliance state (:func:`iter_alliance_states`; ``members`` as there)."""
    spec = check_spec(spec)
    names = spec.alliance_terms
    out = {f: np.full(keys.height, np.nan) for f in names}
    yr = keys["year"].to_numpy()
    c1 = keys["ccode1"].to_numpy().astype(np.int64)
    c2 = keys["ccode2"].to_numpy().astype(np.int64)
    order = np.argsort(yr, kind="stable")
    sorted_years = yr[order]
    for st in iter_alliance_states(world, years, members):
        a, b = np.searchsorted(sorted_years, [st.year, st.year + 1])
        rows = order[a:b]
        if not rows.size:
            continue
        ii, jj = st.pos[c1[rows]], st.pos[c2[rows]]
        if (ii < 0).any() or (jj < 0).any():  # pragma: no cover - both from the COW list
            raise AssertionError(f"dyad-years of {st.year} with a state not in the system")
        for f in names:
            out[f][rows] = alliance_values(st, f, ii, jj)
    return [pl.Series(f, out[f]) for f in names]


# --- one year's design (scenarios) --------------------------------------------------------------


@dataclass(frozen=True)
class YearDesign:
    """Everything a scenario needs of one year: the alliance state and the covariates of every
    dyad of the year as N x N matrices (NaN: missing; an undirected specification's matrices
    are symmetric), and the sources carried forward into the year."""

    spec: Spec
    year: int
    alliances: AllianceState
    covariates: dict[str, np.ndarray]
    carried: tuple[str, ...] = ()

    def positions(self, dyads: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the dyads' states (refused if one is not a system member)."""
        pos = self.alliances.pos
        ii, jj = [], []
        for a, b in dyads:
            for c in (a, b):
                if not 0 <= c < MAX_CODE or pos[c] < 0:
                    raise InvalidArgumentError(
                        "dyads",
                        f"COW {c} is not a system member in {self.year}",
                        "give dyads of states that exist in the year (foedus country shows "
                        "a state's years of membership).",
                    )
            ii.append(pos[a])
            jj.append(pos[b])
        return np.asarray(ii, dtype=np.int64), np.asarray(jj, dtype=np.int64)

    def rows(
        self, ii: np.ndarray, jj: np.ndarray, alliances: AllianceState | None = None
    ) -> np.ndarray:
        """The design rows (features in the specification's order) of the pairs at ``(ii,
        jj)``, with ``alliances`` in place of the year's (a scenario's edited state)."""
        st = self.alliances if alliances is None else alliances
        if not self.spec.directed:  # undirected: the pair in ascending order
            ii, jj = np.minimum(ii, jj), np.maximum(ii, jj)
        cols = [
            alliance_values(st, f, ii, jj) if f in ALLIANCE_FEATURES else self.covariates[f][ii, jj]
            for f in self.spec.features
        ]
        return np.column_stack(cols) if cols else np.empty((len(ii), 0))


def year_design(world: World, year: int, spec: Spec | str = DEFAULT_SPEC) -> YearDesign:
    """The design of ``year`` under ``world`` (computed once per world, year and
    specification): the alliance state, and the covariates of every dyad of the year from
    :func:`covariates`, with the world's capability changes."""
    from foedus import panels

    spec = check_spec(spec)
    year = world.check_year(year)
    key = f"conflict_risk:design:{spec.name}:{year}"

    def make() -> YearDesign:
        st = alliance_state(world, year)
        keys = panels.dyad_years("cow", directed=spec.directed, years=(year, year))
        cov = covariates(keys, spec, world)
        ii = st.pos[keys["ccode1"].to_numpy().astype(np.int64)]
        jj = st.pos[keys["ccode2"].to_numpy().astype(np.int64)]
        n = len(st.codes)
        mats = {}
        for f in spec.covariate_terms:
            m = np.full((n, n), np.nan)
            v = cov[f].cast(pl.Float64).fill_null(np.nan).to_numpy()
            m[ii, jj] = v
            if not spec.directed:
                m[jj, ii] = v
            mats[f] = m
        return YearDesign(spec, year, st, mats, carried_sources(spec, year))

    return world.cached(key, make)
