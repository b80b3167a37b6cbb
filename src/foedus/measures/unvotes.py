"""UN General Assembly voting agreement: share of identical votes, abstention-as-half agreement
and Cohen's kappa, for every pair of COW states voting in a year at once.

Data: Voeten's UNGA roll-call votes (Voeten, Strezhnev & Bailey 2009; Voeten 2013), as
released in the unvotes R package 0.3.0 (Robinson 2021): 870,109 recorded votes on 6,203 roll
calls, 1946-01-01 to 2020-01-14.

Coding rules
------------
* **Votes.** Only ``yes`` / ``abstain`` / ``no`` are recorded; absences (and non-membership,
  suspension, non-participation) are simply absent. Every measure for a pair is therefore over
  their *joint votes*: the roll calls on which both cast one of the three votes. Absence is
  neither agreement nor disagreement.
* **Year.** The calendar year of the roll call's date, not the session. COW state-years and
  dyad-years are calendar years, and a session (opening in September) runs into the next year
  through resumed and special sessions, so session-years would put a state's spring votes in
  the previous year of a panel (and session 1 spans London, Jan-Feb 1946, and New York, Oct-Dec
  1946). Consequences: **1964 has no rows** (Article 19 crisis; session 19's single vote is
  dated 1965-02 and counts for 1965); 2020 holds one roll call (resumed session 74, 2020-01-14),
  so the default years are 1946-2019 (ask for 2020 explicitly). Scores built on session-years
  (year = session + 1945, a common convention) differ slightly from these.
* **Dates are month-precise only.** Before 1997 the day of the month in these data never
  exceeds 7 (Res. 30/3379, adopted 10 Nov 1975, is dated 1975-11-01; Res. 46/86 of 16 Dec 1991
  is dated 1991-12-02), so nothing here depends on the day: countries are placed by year, and
  the two splits inside a year (below) fall months away from any vote.
* **Countries** (:func:`unvote_ccodes`). Each unvotes country name is resolved year by year with
  :func:`foedus.countries.index` (names are era-specific in these data: "Federal Republic of
  Germany" 1973-90 → 260, "German Democratic Republic" → 265, "Germany" from 1991 → 255,
  "Yemen Arab Republic" → 678, "Yemen People's Republic" → 680, "Yemen" → 679, "Russia" (the
  USSR seat throughout) → 365, "Yugoslavia" (also Serbia and Montenegro's and Serbia's seat
  to 2019) → 345, "Czechoslovakia" → 315, "Zanzibar" (1963) → 511). A state is placed in every
  year in which it was a COW member at any point (the panel rule; e.g. Ukraine's and Belarus's
  1991 votes count for COW 369/370, which enter on 1991-12-26). Explicit rules, each listed
  with its reason in the mapping frame:

  - :data:`IDENTITY_OVERRIDES`: "Taiwan" 1946-1948 is the Republic of China's seat, which COW
    codes as China (710) until Taiwan (713) enters on 1949-12-08 (1949-71 → 713 by the year
    rule; the People's Republic votes as "China", 710, from November 1971).
  - :data:`DATE_SPLITS`: the "Federal Republic of Germany" votes of Nov-Dec 1990 are unified
    Germany's (255 from 1990-10-03); the "Yemen Arab Republic" votes of Nov-Dec 1990 are
    unified Yemen's (679 from 1990-05-22).
  - :data:`NOT_COW_STATES`: votes cast by UN members that were not COW system members, kept
    out of the dyad-years on purpose (the Byelorussian and Ukrainian SSRs 1946-90, British India
    in 1946). Any other country-year the resolver cannot place is an error, never a silent drop.

* **Measures** for a pair (i, j), with ``C_ab`` = number of joint votes on which i voted *a*
  and j voted *b* (a, b in yes, abstain, no) and ``n = n_joint = sum C_ab``:

  - ``n_joint``: the number of joint votes (pairs with no joint vote have null measures).
  - ``agree``: share of joint votes on which both voted the same, ``sum_a C_aa / n``.
  - ``agree3``: yes = 1, abstain = 0.5, no = 0; ``1 - mean |v_i - v_j|`` over the joint votes,
    i.e. an abstention against a yes or a no is half an agreement (the agreement index common
    in studies of UN voting; Voeten 2013). It equals Signorino & Ritter's S (absolute
    distances, unweighted) over the joint votes, rescaled from [-1, 1] to [0, 1].
  - ``kappa``: Cohen's kappa, **nominal** (unweighted) over the three categories, each state's
    marginals taken over the joint votes: ``(p_o - p_e) / (1 - p_e)`` with ``p_o = agree`` and
    ``p_e = sum_a r_a c_a / n^2`` (r, c: how often i, j cast *a* on the joint votes). It
    corrects ``agree`` for the agreement two states with those voting propensities would
    reach by chance (Häge 2011), which matters in the UNGA, where most votes are lopsided
    "yes" majorities. Null when ``p_e = 1`` (both cast one and the same category on every
    joint vote, e.g. always yes). Nominal, because the ordinal distance is already in
    ``agree3``; negative values mean less agreement than chance. Kappa's known paradox bites
    on lopsided issues: when one state casts the same vote on every joint roll call, ``p_o =
    p_e`` and kappa is 0 however often the other joins it (US-Israel on the Palestinian
    conflict in 2005: ``agree`` 0.93, ``kappa`` 0).

* Self-pairs are not reported; pairs are the COW states that both voted at least once in the
  year (on the chosen issues). All measures are symmetric; directed output repeats each value
  for (j, i).

How: with the vote indicator matrices ``V_a`` (N states x R roll calls, 1 where the state voted
*a*) stacked into one 3N x R matrix ``V``, ``V V'`` holds all nine N x N count matrices
``C_ab = V_a V_b'``, so a year costs one matrix product instead of N^2 / 2 pair loops.

Caveats: only recorded roll calls count; most UNGA resolutions are adopted without a vote
and are absent, so agreement over roll calls understates consensus. Agreement
measures mix preferences with agenda changes over time; for comparisons across years Voeten
recommends ideal-point estimates (Bailey, Strezhnev & Voeten 2017), which are not computed here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import polars as pl

from foedus import countries, loaders, validate
from foedus.errors import FoedusError, InvalidArgumentError, PanelError

#: Vote categories, in code order (0, 1, 2), and their scores for ``agree3``.
VOTES = ("yes", "abstain", "no")
SCORES = np.array([1.0, 0.5, 0.0])
MEASURES = ("n_joint", "agree", "agree3", "kappa")
#: The catalog data set of the votes.
VOTES_DATASET = "unvotes-votes"


def _full_years() -> tuple[int, int]:
    """The catalog's coverage of the votes without its last year: the data end on 2020-01-14,
    so the last calendar year holds one roll call (a resumed session) and is left out of the
    default (ask for it explicitly)."""
    first, last = validate.coverage(VOTES_DATASET)
    return first, last - 1


#: Default years: the calendar years with full sessions (the catalog's years but the last).
COVERAGE = _full_years()


def pair_agreement(x: np.ndarray) -> dict[str, np.ndarray]:
    """All pairwise agreement measures for one year's vote matrix.

    ``x`` is an N x R integer matrix (N states, R roll calls): 0 yes, 1 abstain, 2 no, any other
    value (e.g. -1) no recorded vote. Returns N x N matrices: ``n_joint`` (integers) and
    ``agree``, ``agree3``, ``kappa`` (floats, NaN where undefined). Diagonals are included.
    """
    try:
        x = np.asarray(x)
    except (TypeError, ValueError, OverflowError):
        x = np.asarray(None)
    if x.ndim != 2 or not np.issubdtype(x.dtype, np.integer):
        raise InvalidArgumentError(
            "x",
            f"x must be an N x R integer matrix of vote codes, not shape {x.shape} ({x.dtype})",
            "code 0 yes, 1 abstain, 2 no, -1 no recorded vote (states x roll calls).",
        )
    n_states = x.shape[0]
    v = (x[None, :, :] == np.arange(3)[:, None, None]).astype(np.float64)  # (3, N, R)
    g = v.reshape(3 * n_states, x.shape[1])
    c = (g @ g.T).reshape(3, n_states, 3, n_states).transpose(0, 2, 1, 3)  # C[a, b, i, j]
    n = c.sum(axis=(0, 1))
    same = np.einsum("aaij->ij", c)
    dist = np.abs(SCORES[:, None] - SCORES[None, :])
    d = np.einsum("ab,abij->ij", dist, c)
    r = c.sum(axis=1)  # (3, N, N): how often i cast a on the votes joint with j
    s = c.sum(axis=0)  # (3, N, N): how often j cast a
    pe_n2 = (r * s).sum(axis=0)  # p_e * n^2, exact in floating point (integer counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        agree = np.where(n > 0, same / n, np.nan)
        agree3 = np.where(n > 0, 1 - d / n, np.nan)
        den = n * n - pe_n2
        kappa = np.where((n > 0) & (den > 0), (n * same - pe_n2) / den, np.nan)
    return {"n_joint": n.astype(np.int64), "agree": agree, "agree3": agree3, "kappa": kappa}


def agreement(votes: pl.DataFrame, *, directed: bool = False) -> pl.DataFrame:
    """Agreement for every pair of states voting in each year of a vote-level frame.

    ``votes`` has ``rcid, year, ccode, vote`` (vote: ``yes``/``abstain``/``no`` as text or Enum,
    or the codes 0/1/2), one row per state and roll call. Returns ``ccode1, ccode2, year,
    n_joint, agree, agree3, kappa`` with ``ccode1 < ccode2`` (both orders if ``directed``),
    sorted by ``ccode1, ccode2, year``.
    """
    need = {"rcid", "year", "ccode", "vote"}
    directed = validate.flag(directed, "directed")
    if not isinstance(votes, pl.DataFrame):
        raise InvalidArgumentError(
            "votes",
            f"votes must be a Polars DataFrame, not {type(votes).__name__}",
            "pass one row per state and roll call with rcid, year, ccode and vote.",
        )
    if not need <= set(votes.columns):
        raise PanelError(
            f"agreement needs columns {sorted(need)}; got {votes.columns}",
            "pass one row per state and roll call.",
        )
    vote, dtype = pl.col("vote"), votes.schema["vote"]
    if dtype.is_integer():
        code = vote.cast(pl.Int8)
    elif dtype == pl.Enum(VOTES):
        code = vote.to_physical().cast(pl.Int8)
    else:
        code = vote.cast(pl.String).replace_strict(
            {k: i for i, k in enumerate(VOTES)}, default=None, return_dtype=pl.Int8
        )
    v = votes.select("rcid", "year", "ccode", code.alias("code"))
    bad = v.filter(pl.col("code").is_null() | ~pl.col("code").is_between(0, 2))
    if bad.height:
        raise PanelError(
            f"{bad.height} votes are not yes/abstain/no", "drop them or recode them first."
        )
    key = pl.col("rcid").cast(pl.Int64) * 4096 + pl.col("ccode")
    if v.select(key.n_unique()).item() != v.height:
        dup = v.filter(pl.struct("rcid", "ccode").is_duplicated())
        ex = dup.head(3).to_dicts()
        raise PanelError(
            f"{dup.height} rows give a state two votes on one roll call, e.g. {ex}",
            "two countries were mapped to one COW state; fix the country mapping.",
        )
    v = v.sort("year", "rcid")
    yr = v.get_column("year").to_numpy()
    rc = v.get_column("rcid").to_numpy()
    cc = v.get_column("ccode").to_numpy()
    vc = v.get_column("code").to_numpy()
    bounds = np.flatnonzero(np.diff(yr)) + 1
    starts, ends = np.r_[0, bounds], np.r_[bounds, len(yr)]
    parts: list[dict[str, np.ndarray]] = []
    for s, e in zip(starts, ends, strict=True):
        if s == e:
            continue
        codes, si = np.unique(cc[s:e], return_inverse=True)
        calls, ri = np.unique(rc[s:e], return_inverse=True)
        x = np.full((len(codes), len(calls)), -1, dtype=np.int8)
        x[si, ri] = vc[s:e]
        m = pair_agreement(x)
        iu, ju = np.triu_indices(len(codes), k=1)
        part = {"ccode1": codes[iu], "ccode2": codes[ju], "year": np.full(len(iu), yr[s])}
        part.update({k: val[iu, ju] for k, val in m.items()})
        parts.append(part)
    cols = ["ccode1", "ccode2", "year", *MEASURES]
    data = {c: np.concatenate([p[c] for p in parts]) if parts else np.array([]) for c in cols}
    out = pl.DataFrame(data).with_columns(
        pl.col("ccode1", "ccode2", "year", "n_joint").cast(pl.Int32),
        pl.col("agree", "agree3", "kappa").cast(pl.Float64).fill_nan(None),
    )
    if directed:
        out = pl.concat([out, out.with_columns(ccode1=pl.col("ccode2"), ccode2=pl.col("ccode1"))])
    return out.sort("ccode1", "ccode2", "year")


# --- unvotes countries -> COW codes ----------------------------------------------------------

#: Votes by UN members that were not COW system members: (country, first year, last year) and
#: the reason. These votes are accounted for in :func:`unvote_ccodes` but enter no dyad-year.
NOT_COW_STATES: dict[tuple[str, int, int], str] = {
    ("Belarus", 1946, 1990): (
        "Byelorussian SSR: a founding UN member while a republic of the USSR (COW 365, which "
        "votes as 'Russia'); not a COW system member until Belarus (370) enters on 1991-12-26."
    ),
    ("Ukraine", 1946, 1990): (
        "Ukrainian SSR: a founding UN member while a republic of the USSR (COW 365, which "
        "votes as 'Russia'); not a COW system member until Ukraine (369) enters on 1991-12-26."
    ),
    ("India", 1946, 1946): (
        "British India: a founding UN member before independence; COW India (750) enters on "
        "1947-08-15 (its 1947 votes count by the year rule)."
    ),
}

#: Identities the resolver cannot derive from the name: (country, first year, last year) ->
#: (COW code, reason).
IDENTITY_OVERRIDES: dict[tuple[str, int, int], tuple[int, str]] = {
    ("Taiwan", 1946, 1948): (
        710,
        "the Republic of China's seat; COW codes its government as China (710) until Taiwan "
        "(713) enters on 1949-12-08.",
    ),
}

#: Identity changes inside a year: (country, COW code before, COW code after, reason). Votes
#: on or after the first day of the later state's COW spell go to it.
DATE_SPLITS: tuple[tuple[str, int, int, str], ...] = (
    (
        "Federal Republic of Germany",
        260,
        255,
        "votes after unification (1990-10-03) are unified Germany's (255).",
    ),
    (
        "Yemen Arab Republic",
        678,
        679,
        "votes after unification (1990-05-22) are unified Yemen's (679).",
    ),
)


def _listed(table: dict, country: str, year: int):
    for (c, lo, hi), val in table.items():
        if c == country and lo <= year <= hi:
            return val
    return None


def _resolve_country_years(pairs: pl.DataFrame) -> pl.DataFrame:
    """``country, year`` → ``ccode`` (null if not a COW state) and ``note``."""

    idx = countries.index()
    rows = []
    last: dict[str, countries.Resolution] = {}  # a plain name match, reused while a member
    for country, year in pairs.iter_rows():
        if (reason := _listed(NOT_COW_STATES, country, year)) is not None:
            rows.append((country, year, None, f"not a COW state: {reason}"))
            continue
        if (over := _listed(IDENTITY_OVERRIDES, country, year)) is not None:
            rows.append((country, year, over[0], over[1]))
            continue
        prev = last.get(country)
        if prev is not None and prev.state.member_in(year):  # what resolve() would return
            rows.append((country, year, prev.ccode, None))
            continue
        try:
            res = idx.resolve(country, year)
        except FoedusError as err:
            raise PanelError(
                f"unvotes country {country!r} in {year} has no COW code: {err.message}",
                "add it to foedus.measures.unvotes.NOT_COW_STATES (with the reason) or "
                "IDENTITY_OVERRIDES; no vote may be dropped silently.",
            ) from err
        note = res.note
        if note and res.state.assumed_in(year):  # the post-2016 assumption is not a mapping note
            note = note[: note.find("the COW list ends")].strip() or None
        if note is None and res.matched == "name":
            last[country] = res
        rows.append((country, year, res.ccode, note))
    return pl.DataFrame(
        rows,
        schema={"country": pl.String, "year": pl.Int32, "ccode": pl.Int32, "note": pl.String},
        orient="row",
    )


def mapped_votes() -> pl.DataFrame:
    """Every recorded UNGA vote with its roll call's ``date``, ``year`` and the voter's COW
    ``ccode`` (null for the votes of :data:`NOT_COW_STATES`) and mapping ``note``.

    Columns ``rcid, country, country_code, vote, date, year, ccode, note``; one row per row of
    the unvotes votes table. Built once per process and data source
    (:func:`foedus.loaders.data_key`): a brief's pairs and years share it.
    """
    return _mapped_votes_for(loaders.data_key())


@functools.lru_cache(maxsize=2)
def _mapped_votes_for(key: tuple[object, ...]) -> pl.DataFrame:
    votes = loaders.load(VOTES_DATASET)
    calls = loaders.load("unvotes-roll-calls").select("rcid", "date")
    v = votes.join(calls, on="rcid", how="left", maintain_order="left").with_columns(
        year=pl.col("date").dt.year().cast(pl.Int32)
    )
    if v.get_column("date").null_count():
        raise PanelError("some votes have no roll call", "check the unvotes data files.")
    cy = _resolve_country_years(v.select("country", "year").unique().sort("country", "year"))
    v = v.join(cy, on=["country", "year"], how="left", maintain_order="left")
    idx = countries.index()
    for country, before, after, reason in DATE_SPLITS:
        start = max(sp.start for sp in idx.get(after).spells)
        hit = (
            (pl.col("country") == country)
            & (pl.col("ccode") == before)
            & (pl.col("date") >= pl.lit(start))
        )
        v = v.with_columns(
            ccode=pl.when(hit).then(pl.lit(after, pl.Int32)).otherwise("ccode"),
            note=pl.when(hit).then(pl.lit(reason)).otherwise("note"),
        )
    return v


def unvote_ccodes() -> pl.DataFrame:
    """The unvotes countries and their COW codes, as spells of votes.

    One row per country and run of votes with the same COW code and note: ``country,
    country_code`` (as in the data; ISO2, null for three historical names), ``ccode`` (null:
    not a COW state then, with the reason in ``note``), ``first``, ``last`` (dates of the
    first and last vote in the run), ``votes`` (rows of the votes table) and ``note``. The
    ``votes`` column sums to all 870,109 recorded votes. See the module docstring.
    """
    v = mapped_votes().sort("country", "date", "rcid")
    changed = (
        (pl.col("country") != pl.col("country").shift())
        | pl.col("ccode").ne_missing(pl.col("ccode").shift())
        | pl.col("note").ne_missing(pl.col("note").shift())
    ).fill_null(True)
    return (
        v.with_columns(run=changed.cum_sum())
        .group_by("run", maintain_order=True)
        .agg(
            pl.col("country", "country_code", "ccode").first(),
            pl.col("date").min().alias("first"),
            pl.col("date").max().alias("last"),
            pl.len().cast(pl.Int64).alias("votes"),
            pl.col("note").first(),
        )
        .drop("run")
    )


def issue_rcids(issue: str | Sequence[str]) -> pl.Series:
    """Roll calls (``rcid``) classified under any of ``issue``: unvotes issue names
    ("Human rights", case-insensitive) or their short codes (``me`` Palestinian conflict,
    ``nu`` nuclear weapons, ``di`` arms control, ``hr`` human rights, ``co`` colonialism,
    ``ec`` economic development)."""
    wanted = validate.names(issue, "issue", at_least=1)
    iss = loaders.load("unvotes-roll-call-issues").with_columns(pl.col("issue").cast(pl.String))
    known = dict(iss.select("short_name", "issue").unique().sort("short_name").iter_rows())
    by_key = {k.casefold(): v for k, v in known.items()} | {v.casefold(): v for v in known.values()}
    names = []
    for w in wanted:
        if str(w).strip().casefold() not in by_key:
            raise PanelError(
                f"unknown UN vote issue {w!r}",
                "choose from " + ", ".join(f"{v!r} ({k})" for k, v in known.items()) + ".",
            )
        names.append(by_key[str(w).strip().casefold()])
    return iss.filter(pl.col("issue").is_in(names)).get_column("rcid").unique().sort()


def vote_agreement(
    years: tuple[int, int] | int | None = None,
    *,
    issue: str | Sequence[str] | None = None,
    directed: bool = False,
    states: Sequence[int] | None = None,
) -> pl.DataFrame:
    """UNGA voting agreement for every pair of COW states voting in a year (module docstring).

    Returns ``ccode1, ccode2, year, n_joint, agree, agree3, kappa``; non-directed
    (``ccode1 < ccode2``) unless ``directed=True``. ``years`` (calendar years of the roll-call
    dates, an int or ``(first, last)``) default to 1946-2019. ``issue`` keeps the roll calls
    classified under any of the given unvotes issues (see :func:`issue_rcids`). ``states``
    (COW codes) keeps the pairs among those states only, with the same values: a pair's
    agreement depends on its own two votes alone. Years run from the state system's first
    year to :func:`foedus.validate.latest_year` (years without votes give no rows); the
    arguments are checked before anything is loaded.
    """
    lo, hi = validate.system_years(years, "years", default=COVERAGE)
    if issue is not None:
        validate.names(issue, "issue", at_least=1)
    directed = validate.flag(directed, "directed")
    keep = None
    if states is not None:
        if isinstance(states, str | bytes) or not isinstance(states, Sequence | set | frozenset):
            raise InvalidArgumentError(
                "states", f"states must be a list of COW codes, not {states!r}", "e.g. [365, 710]."
            )
        keep = sorted({validate.integer(c, "states", lo=1, hi=999) for c in states})
    v = mapped_votes().filter(pl.col("ccode").is_not_null() & pl.col("year").is_between(lo, hi))
    if keep is not None:
        v = v.filter(pl.col("ccode").is_in(keep))
    if issue is not None:
        v = v.filter(pl.col("rcid").is_in(issue_rcids(issue).implode()))
    return agreement(v.select("rcid", "year", "ccode", "vote"), directed=directed)
