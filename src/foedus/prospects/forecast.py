"""As-of forecasts of pledge onset, including years past the data's end.

What a forecast for year T is
-----------------------------
The probability that an undirected dyad that had no pledge (ATOP defence by default) in T-1
forms one in T: the discrete-time hazard of :mod:`foedus.prospects.data`, from the lagged
features of T (values of T-1) and a model fitted on the years whose outcome was known at the
end of T-1:

* **T inside the data** (T <= 2018, ATOP's last year): the model is fitted on the rows of
  years < T, exactly as in the rolling backtest, and the observed outcome is reported beside
  the forecast, so any case can be checked as it would have been forecast at the time.
* **T past the data** (T >= 2019): the model is fitted on every year with a known outcome
  (through 2018): the data's last vintage.

Covariates past a source's end
------------------------------
Each source ends in its own year (:func:`vintages` lists them: NMC 2016, COW-MID 2014, UN
votes 2019, TSS rivalries 2020, ATOP 2018, COW major powers and contiguity 2016). A feature
whose value for year T-1 lies past its source's end takes the dyad's value from the source's
last year (*carried forward*); ``carried`` names the sources carried in each forecast row. A
dyad absent from the source's last year keeps a missing value (the models' missing-value
rule applies). The COW major-power list and land contiguity are carried forward already in
the formation panel.

The alliance state past ATOP's end
----------------------------------
After 2018 the pledges in force are ATOP's pledges of 2018, assumed to stay in force,
together with the treaties of the user's treaty file (:mod:`foedus.prospects.treaties`) in
force in a year. From that state, for each year T-1 >= 2019: ``at_risk`` (no pledge in T-1),
the numbers of allies, shared allies, and the pledge-history terms (years since the dyad's
last pledge: counting on from 2018 when no pledge intervenes, else from the last year a
treaty of the file tied the pair; ``ever_pledge`` likewise). Without a treaty file every dyad
keeps its 2018 state, aged year by year: a forecast for 2022 is then the hazard for a dyad
that stayed unallied through 2021.

Uncertainty and explanations
----------------------------
Every forecast carries a central interval (default 90 %) from the model's sampling
uncertainty (:meth:`FormationModel.predict_interval_arrays`): exact logistic-normal quantiles
for the logits; the spread over ``n_bootstrap`` cluster-bootstrap refits for the boosted
model. Per-feature log-odds contributions come from :meth:`FormationModel.contributions`;
the three duration terms are summed into ``years_since_pledge``. For a dyad's path, the
probability of at least one onset over the years past the data's end (``p_cum``: one minus
the product of the yearly non-onset probabilities along the carried-forward covariate path)
has an interval from coefficient draws or the bootstrap refits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.errors import FoedusError, InvalidArgumentError
from foedus.panels.base import ASSUMED_THROUGH
from foedus.prospects.cache import (
    CHECK_ROWS,
    ForecastCache,
    key_digest,
    model_key,
    panel_key,
    training_digests,
    treaties_digest,
)
from foedus.prospects.data import (
    ATOP_LAST,
    CONTIGUITY_LAST,
    DYAD,
    FEATURES,
    KEYS,
    OUTCOME_DATASET,
    REGIME_FEATURES,
    WEALTH_FEATURES,
    check_pledge,
    regime_last_year,
    wealth_last_year,
)
from foedus.prospects.models import (
    DEFAULT_KIND,
    KINDS,
    LOGITS,
    MAX_BOOTSTRAP,
    FormationModel,
    TrainingRows,
    _raw,
    training_rows,
)
from foedus.world import current_world

#: The first year of the models' training rows (the post-1945 system).
FIRST_TRAINING_YEAR = 1946
#: The columns of a treaty frame (:func:`foedus.prospects.treaties.read_treaties`) a forecast
#: uses.
TREATY_COLUMNS = ("treaty", "ccode1", "ccode2", "pledge", "signed", "ended")


def forecast_horizon() -> int:
    """The last year a forecast may ask for (see :func:`forecast_years`)."""
    return min(ASSUMED_THROUGH + 1, validate.latest_year())


def forecast_years(years: object, name: str = "years") -> tuple[int, int]:
    """``years`` of a forecast, ``(first, last)`` or one year: from the year after
    :data:`FIRST_TRAINING_YEAR` (a forecast needs a training year before it) to the year
    after :data:`~foedus.panels.base.ASSUMED_THROUGH` (the last year the state system is
    assumed to continue into, whose members are the next year's dyads at risk)."""
    return validate.year_range(
        years,
        name,
        lo=FIRST_TRAINING_YEAR + 1,
        hi=forecast_horizon(),
        lo_reason=f"the models are fitted from {FIRST_TRAINING_YEAR}, and a forecast needs a "
        "training year before it",
        hi_reason=f"the state system is assumed to continue only through {ASSUMED_THROUGH}",
    )


def _treaties(treaties: object) -> pl.DataFrame | None:
    if treaties is None:
        return None
    return validate.frame(treaties, "treaties", columns=TREATY_COLUMNS)


#: Sources of the features: label, catalog data sets, and the features they feed.
SOURCES: dict[str, dict[str, Any]] = {
    "atop": {
        "title": "ATOP 5.1 alliance pledges (+ treaty file after 2018)",
        "datasets": ["ps-atop-alliance"],
        "features": [
            "allies1",
            "allies2",
            "shared_allies",
            "log_allies1",
            "log_allies2",
            "log_shared_allies",
            "years_since_pledge",
            "years_since_pledge2",
            "years_since_pledge3",
            "ever_pledge",
        ],
    },
    "nmc": {
        "title": "COW National Material Capabilities 7.0",
        "datasets": ["ps-cow-nmc"],
        "features": ["log_cinc_ratio", "cinc_total"],
    },
    "majors": {
        "title": "COW major powers (2016)",
        "datasets": ["cow-majors"],
        "features": ["major1", "major2", "either_major"],
    },
    "contiguity": {
        "title": "COW direct contiguity 3.2",
        "datasets": ["ps-cow-contdir"],
        "features": ["land_contiguity"],
    },
    "capitals": {
        "title": "Capitals (Miller 2022)",
        "datasets": ["ps-cow-capitals"],
        "features": ["log_capdist"],
    },
    "mids": {
        "title": "COW-MID 5.0 (whittled dyad-years)",
        "datasets": ["ps-cow-mid-ddydisps"],
        "features": ["mid_ongoing", "mid_years_10", "common_mid_opponents"],
    },
    "rivalries": {
        "title": "TSS strategic rivalries",
        "datasets": ["ps-tss-rivalries"],
        "features": ["rivalry", "shared_rivals"],
    },
    "unvotes": {
        "title": "UN General Assembly votes (Voeten)",
        "datasets": ["unvotes-votes", "unvotes-roll-calls"],
        "features": ["un_agree"],
    },
    "democracy": {
        "title": "Democracy: extended UDS and V-Dem polyarchy (isard 0.2.0)",
        "datasets": ["isard-cw-democracy"],
        "features": list(REGIME_FEATURES),
    },
    "wealth": {
        "title": "Simulated GDP and GDP per capita (isard 0.2.0)",
        "datasets": ["isard-cw-gdppop"],
        "features": list(WEALTH_FEATURES),
    },
    "states": {
        "title": "COW state system membership (2016; open spells assumed to continue)",
        "datasets": ["cow-states"],
        "features": [],
    },
}
FEATURE_SOURCE = {f: s for s, d in SOURCES.items() for f in d["features"]}
#: Every data set the forecast panel (and so every training row) is read from: the sources'
#: data sets and the G-W state list, which the state system's membership reads. Their sha256s
#: (the data vintages) enter the keys of the model and panel caches (:mod:`.cache`).
PANEL_DATASETS = tuple(sorted({n for d in SOURCES.values() for n in d["datasets"]} | {"gw-states"}))
#: Sources whose last year is fixed by the formation panel's own carry-forward rules.
#: Sources whose last year is fixed by the catalog; the formation panel carries their values
#: forward itself (contiguity, democracy, wealth), so _carry_forward leaves them alone.
FIXED_LAST = {
    "majors": 2016,
    "contiguity": CONTIGUITY_LAST,
    "atop": ATOP_LAST,
    "democracy": regime_last_year(),
    "wealth": wealth_last_year(),
}


# --- the alliance state past ATOP's end ----------------------------------------------------------


def alliance_state(
    years: tuple[int, int], pledge: str = "defense", treaties: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Undirected ties ``ccode1, ccode2, year`` with the pledge for ``years`` after 2018: the
    ATOP ties of 2018 carried forward plus the treaty file's ties in force (see the module
    docstring). Years up to 2018 are ATOP's own. ``years`` run from ATOP's first year (the
    catalog's coverage) to :func:`foedus.validate.latest_year`. The ties of
    :func:`foedus.world.current_world` through ``years[1]``."""
    atop_first = validate.coverage(OUTCOME_DATASET)[0]
    lo, hi = validate.year_range(
        years,
        "years",
        lo=atop_first,
        lo_reason=f"ATOP's pledges start in {atop_first}",
    )
    pledge = check_pledge(pledge)
    treaties = _treaties(treaties)
    world = current_world(through=max(hi, ATOP_LAST), treaties=treaties)
    return (
        world.ties(pledge)
        .filter(pl.col("year").is_between(lo, hi))
        .with_columns(pl.col(c).cast(pl.Int32) for c in KEYS)
        .sort(KEYS)
    )


def _last_years(panel: pl.DataFrame) -> dict[str, int]:
    """Each source's last data year: fixed for ATOP, majors and contiguity; otherwise the year
    before the last target year in which any of its features has a value, or, for a source
    that reaches the panel's last year, the last year of its catalog coverage."""
    from foedus import catalog

    hi = int(panel["year"].max())
    last: dict[str, int] = {}
    for src, d in SOURCES.items():
        if src in FIXED_LAST:
            last[src] = FIXED_LAST[src]
            continue
        known = [
            panel.filter(pl.col(f).is_not_null())["year"].max()
            for f in d["features"]
            if f in panel.columns
        ]
        known = [int(k) for k in known if k is not None]  # type: ignore[arg-type]
        if not known:
            continue
        if max(known) < hi:  # the source ends inside the panel: its last year is data-driven
            last[src] = max(known) - 1
        else:  # it reaches the panel's end: report the catalog's coverage
            cov = catalog.get(d["datasets"][0]).last_year
            last[src] = max(hi - 1, cov or hi - 1)
    return last


def _carry_forward(panel: pl.DataFrame, last: dict[str, int]) -> pl.DataFrame:
    """Features whose T-1 lies past their source's last year take the dyad's value of that
    year (target year last + 1); adds ``carried`` (comma-separated source names)."""
    out = panel
    hi = int(panel["year"].max())
    for src, year in last.items():
        feats = [f for f in SOURCES.get(src, {}).get("features", []) if f in panel.columns]
        if src in FIXED_LAST or not feats or year + 1 >= hi:
            continue
        ref = panel.filter(pl.col("year") == year + 1).select(
            *DYAD, *[pl.col(f).alias(f"_ref_{f}") for f in feats]
        )
        out = out.join(ref, on=list(DYAD), how="left", maintain_order="left")
        past = pl.col("year") > year + 1
        out = out.with_columns(
            pl.when(past).then(pl.col(f"_ref_{f}")).otherwise(pl.col(f)).alias(f) for f in feats
        ).drop([f"_ref_{f}" for f in feats])
    carried = [
        pl.when(pl.col("year") - 1 > year).then(pl.lit(src)).otherwise(None)
        for src, year in last.items()
        if src != "states"
    ]
    return out.with_columns(
        pl.concat_str(carried, separator=",", ignore_nulls=True).alias("carried")
    )


def forecast_panel(
    years: tuple[int, int],
    pledge: str = "defense",
    treaties: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """The formation panel from 1946 through ``years[1]`` with the years past the data's end
    filled as the module docstring says, and each source's last data year. Rows of years
    <= 2019 are :func:`foedus.prospects.data.formation_panel`'s, except that features past
    their source's end are carried forward there too (the MID features from 2016 on).
    ``years`` as :func:`forecast_years` allows; checked before anything is loaded."""
    from foedus.prospects.data import formation_panel

    _, hi = forecast_years(years)
    pledge = check_pledge(pledge)
    treaties = _treaties(treaties)
    world = current_world(through=hi - 1, treaties=treaties) if hi - 1 > ATOP_LAST else None
    panel = formation_panel(years=(FIRST_TRAINING_YEAR, hi), pledge=pledge, world=world)
    last = _last_years(panel)
    return _carry_forward(panel, last), last


def question(pledge: str = "defense") -> str:
    """What a forecast's probability is the probability of."""
    return (
        f"onset of an ATOP {pledge} pledge between the two states in the year, given none in "
        "the year before"
    )


def vintages(last: dict[str, int]) -> list[dict[str, Any]]:
    """Each source: title, catalog data sets (version, sha256), last data year, features."""
    from foedus import catalog

    out = []
    for src, d in SOURCES.items():
        ds = [catalog.get(n) for n in d["datasets"]]
        out.append(
            {
                "source": src,
                "title": d["title"],
                "last_year": last.get(src),
                "features": d["features"],
                "datasets": [
                    {"name": x.name, "version": x.version, "sha256": x.sha256} for x in ds
                ],
            }
        )
    return out


# --- forecasts ---------------------------------------------------------------------------


def _term_groups(names: Sequence[str]) -> list[str]:
    return [
        "years_since_pledge" if n.startswith("years_since_pledge") and "missing" not in n else n
        for n in names
    ]


@dataclass
class ForecastResult:
    """Forecast rows, their contributions, the models used, and the data vintages."""

    forecasts: pl.DataFrame
    contributions: pl.DataFrame  # ccode1, ccode2, year, term, value (log-odds)
    models: list[dict[str, Any]]
    vintages: list[dict[str, Any]]
    level: float
    kind: str
    pledge: str
    treaties: int = 0
    notes: list[str] = field(default_factory=list)
    final_model: FormationModel | None = None  # the model at the data's end, if used
    last_years: dict[str, int] = field(default_factory=dict)
    #: the formation panel the forecasts were read from (not serialised)
    panel: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def question(self) -> str:
        return question(self.pledge)

    def to_dict(self) -> dict[str, Any]:
        contrib: dict[tuple[int, int, int], dict[str, float]] = {}
        for r in self.contributions.iter_rows(named=True):
            contrib.setdefault((r["ccode1"], r["ccode2"], r["year"]), {})[r["term"]] = r["value"]
        rows = []
        for r in self.forecasts.iter_rows(named=True):
            key = (r["ccode1"], r["ccode2"], r["year"])
            rows.append({**r, "contributions": contrib.get(key, {})})
        return {
            "question": self.question,
            "model": self.kind,
            "level": self.level,
            "treaties_from_file": self.treaties,
            "forecasts": rows,
            "models": self.models,
            "vintages": self.vintages,
            "notes": self.notes,
        }


def _model_info(m: FormationModel, serves: list[int]) -> dict[str, Any]:
    return {
        "kind": m.kind,
        "training_years": list(m.years_),
        "n_train": m.n_train_,
        "n_events": m.n_events_,
        "forecast_years": serves,
    }


def _draws(model: FormationModel, raw: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Probabilities (rows x draws) under coefficient draws or bootstrap refits."""
    if model.kind in LOGITS:
        from foedus.prospects.models import _sigmoid

        rng = np.random.default_rng(seed)
        betas = rng.multivariate_normal(model.coef_, model.cov_, size=n, method="eigh")
        # the second stage acts on the probability: the same tail under every draw
        return model.transform_proba(_sigmoid(model._x(raw) @ betas.T))
    if not model.bootstrap_:
        raise FoedusError("no bootstrap refits", "fit the boosted model with n_bootstrap > 0.")
    return model.transform_proba(np.column_stack([t.predict_proba(raw) for t in model.bootstrap_]))


def forecast(
    years: tuple[int, int],
    pairs: Sequence[tuple[int, int]] | None = None,
    *,
    kind: str = DEFAULT_KIND,
    pledge: str = "defense",
    treaties: pl.DataFrame | None = None,
    level: float = 0.9,
    n_bootstrap: int = 20,
    top: int | None = None,
    model: FormationModel | None = None,
    progress: Callable[[str], None] | None = None,
    panel: tuple[pl.DataFrame, dict[str, int]] | None = None,
    cache: bool = True,
    refit: bool = False,
    on_fit: Callable[[int, int, str], None] | None = None,
) -> ForecastResult:
    """Forecasts for ``years`` (inclusive): for ``pairs`` (COW codes, any order) or, without
    them, for every dyad at risk. ``top`` keeps the ``top`` most likely dyads of each year.
    ``model`` (e.g. loaded with :func:`foedus.prospects.persist.load_model`) replaces the fit
    at the data's end; years inside the data are still fitted as of their time. ``panel``
    (:func:`forecast_panel`'s result, covering ``years``) skips rebuilding it.

    With ``cache`` (the default) the fitted models and the forecast panel are kept in the user
    cache (:mod:`foedus.prospects.cache`, keyed by everything that enters them) and reused
    when nothing has changed; the forecasts are bit for bit those of a fresh fit. ``refit``
    ignores what is cached (rebuilds the panel, refits every model) and stores the new results.
    ``on_fit(i, n, what)`` is called before each of the ``n`` fits the cache cannot serve
    (``i`` from 0) and with ``(n, n, "")`` after the last; ``progress(message)`` reports each
    step in words.

    Every argument is checked before anything is loaded: ``years`` as :func:`forecast_years`
    allows, ``pairs`` two different COW codes each, ``level`` in (0, 1), ``n_bootstrap`` from 0
    to :data:`~foedus.prospects.models.MAX_BOOTSTRAP`, ``top`` at least 1, ``model`` a fitted
    :class:`~foedus.prospects.models.FormationModel`, ``cache`` and ``refit`` booleans,
    ``progress`` and ``on_fit`` functions."""
    lo, hi = forecast_years(years)
    pairs = _pairs(pairs)
    kind = validate.choice(kind, "kind", KINDS)
    pledge = check_pledge(pledge)
    treaties = _treaties(treaties)
    level = validate.number(
        level, "level", lo=0.0, hi=1.0, open_lo=True, open_hi=True, hint="e.g. level=0.9."
    )
    n_bootstrap = validate.integer(
        n_bootstrap, "n_bootstrap", lo=0, hi=MAX_BOOTSTRAP, hint="e.g. n_bootstrap=20."
    )
    if top is not None:
        top = validate.integer(top, "top", lo=1, hint="list at least one dyad, e.g. top=20.")
    if model is not None:
        _fitted_model(model)
    progress = validate.callback(progress, "progress")
    on_fit = validate.callback(on_fit, "on_fit")
    cache = validate.flag(cache, "cache")
    refit = validate.flag(refit, "refit")
    if panel is not None:
        panel = _given_panel(panel, lo, hi)
    say = progress or (lambda _msg: None)
    store = ForecastCache(enabled=cache, refit=refit)
    panel_sha = None  # the key digest of the panel built here (None for a panel given)
    if panel is None:
        panel, panel_sha = _cached_panel((lo, hi), pledge, treaties, store, say)
    panel, last = panel
    feats = list(model.features_) if model is not None else list(FEATURES)
    rows = panel.filter(pl.col("year").is_between(lo, hi))
    if pairs is not None:
        want = pl.DataFrame(
            {
                "ccode1": [min(a, b) for a, b in pairs],
                "ccode2": [max(a, b) for a, b in pairs],
            },
            schema={"ccode1": pl.Int32, "ccode2": pl.Int32},
        ).unique()
        rows = rows.join(want, on=list(DYAD), how="semi")
        if rows.height == 0:
            raise FoedusError(
                f"no dyad-years for {len(pairs)} pair(s) in {lo}-{hi}",
                "check that both states were system members in those years.",
            )
    else:
        rows = rows.filter(pl.col("at_risk").fill_null(False))
    out, contribs, infos = [], [], []
    final: FormationModel | None = None
    as_of = rows["year"].clip(upper_bound=ATOP_LAST + 1)
    rows = rows.with_columns(_as_of=as_of)
    cuts = [int(c) for c in rows["_as_of"].unique(maintain_order=True)]
    fitted = _models(
        [c for c in cuts if model is None or c != ATOP_LAST + 1],
        panel,
        panel_sha,
        FormationModel(kind=kind, features=feats, n_bootstrap=n_bootstrap),
        pledge,
        store,
        say,
        on_fit,
    )
    for (cut,), g in rows.group_by(["_as_of"], maintain_order=True):
        cut = int(cut)  # type: ignore[call-overload]
        serves = sorted({int(v) for v in g["year"]})
        m = model if model is not None and cut == ATOP_LAST + 1 else fitted[cut]
        infos.append(_model_info(m, serves))
        if cut == ATOP_LAST + 1:
            final = m
        risk = g.filter(pl.col("at_risk").fill_null(False)).sort(KEYS)
        raw = _raw(risk, feats)
        p = m.predict_proba_arrays(raw)
        plo, phi = m.predict_interval_arrays(raw, level=level)
        res = risk.select(*KEYS).with_columns(
            p=pl.Series(p), p_lo=pl.Series(plo), p_hi=pl.Series(phi)
        )
        if top is not None and pairs is None:
            res = res.sort("p", descending=True).group_by("year", maintain_order=True).head(top)
        out.append(g.select(*KEYS, "at_risk", "onset", "carried").join(res, on=KEYS, how="left"))
        keep = risk.select(*KEYS).with_row_index("_i").join(res.select(KEYS), on=KEYS, how="semi")
        idx = keep["_i"].to_numpy()
        base, parts, names = m.contributions(raw[idx])
        groups = _term_groups(names)
        uniq = list(dict.fromkeys(groups))
        summed = np.column_stack(
            [parts[:, [i for i, gname in enumerate(groups) if gname == u]].sum(1) for u in uniq]
        )
        keys = keep.select(KEYS)
        contribs.append(
            pl.concat(
                [
                    keys.with_columns(
                        term=pl.lit("(base)"), value=pl.Series(base, dtype=pl.Float64)
                    ),
                    *[
                        keys.with_columns(
                            term=pl.lit(u), value=pl.Series(summed[:, j], dtype=pl.Float64)
                        )
                        for j, u in enumerate(uniq)
                    ],
                ]
            )
        )
        if pairs is not None and serves[-1] > ATOP_LAST:
            out[-1] = _cumulative(out[-1], m, risk, raw, p, level)  # risk: sorted by keys
    fc = pl.concat(out, how="diagonal_relaxed")
    if pairs is None:
        fc = fc.filter(pl.col("p").is_not_null())
    fc = _names(fc.sort("year", pl.col("p").fill_null(-1.0), descending=[False, True]))
    notes = []
    if hi > ATOP_LAST:
        notes.append(
            f"ATOP ends in {ATOP_LAST}: later pledges are ATOP's {ATOP_LAST} pledges assumed in "
            "force"
            + (f", plus {treaties.height} treaty-file ties" if treaties is not None else "")
            + "; years since pledge count on without new pledges."
        )
    return ForecastResult(
        forecasts=fc.drop("_as_of", strict=False),
        contributions=pl.concat(contribs).sort(KEYS),
        models=infos,
        vintages=vintages(last),
        level=level,
        kind=model.kind if model is not None else kind,
        pledge=pledge,
        treaties=0 if treaties is None else treaties["treaty"].n_unique(),
        notes=notes,
        final_model=final,
        last_years=last,
        panel=panel,
    )


def _cached_panel(
    years: tuple[int, int],
    pledge: str,
    treaties: pl.DataFrame | None,
    store: ForecastCache,
    say: Callable[[str], None],
) -> tuple[tuple[pl.DataFrame, dict[str, int]], str | None]:
    """:func:`forecast_panel` through the panel cache, and the panel's key digest (None when
    the cache is not used)."""
    key = sha = None
    if store.enabled:
        key = panel_key(
            years=(FIRST_TRAINING_YEAR, years[1]),
            pledge=pledge,
            horizon=1,
            treaties=treaties_digest(treaties, TREATY_COLUMNS),
            datasets=PANEL_DATASETS,
        )
        sha = key_digest(key)
        hit = store.get_panel(key)
        if hit is not None:
            say("read the formation panel from the cache")
            return hit, sha
    say("building the formation panel")
    built = forecast_panel(years, pledge, treaties)
    if key is not None:
        store.put_panel(key, *built)
    return built, sha


def _models(
    cuts: Sequence[int],
    panel: pl.DataFrame,
    panel_sha: str | None,
    spec: FormationModel,
    pledge: str,
    store: ForecastCache,
    say: Callable[[str], None],
    on_fit: Callable[[int, int, str], None] | None,
) -> dict[int, FormationModel]:
    """The model fitted on the training rows of ``panel`` of the years before each cut (a
    forecast year; 2019 for every year past the data), from the model cache when it holds it.
    ``spec`` is the unfitted model whose hyper-parameters every fit takes. The training rows
    enter a model's key as ``panel_sha`` (the key of the panel they come from) or, for a panel
    given by the caller, as the digest of the rows themselves."""
    years = (  # the training rows' years, sorted, as training_rows sorts them
        panel.filter(pl.col("at_risk").fill_null(False) & pl.col("onset").is_not_null())
        .get_column("year")
        .sort()
        .to_numpy()
    )
    ends = {}
    for cut in cuts:
        k = int(np.searchsorted(years, cut))
        if k == 0:
            raise FoedusError(f"no training years before {cut}", "forecast later years.")
        ends[cut] = k
    t: TrainingRows | None = None
    keys: dict[int, dict[str, Any]] = {}
    out: dict[int, FormationModel] = {}
    if store.enabled:
        if panel_sha is not None:
            rows = {k: f"panel {panel_sha}, first {k} training rows" for k in ends.values()}
        else:
            t = training_rows(panel, list(spec.features or FEATURES))
            rows = training_digests(t.raw, t.y, t.dyads, list(ends.values()))
        for cut, k in ends.items():
            keys[cut] = model_key(
                spec,
                pledge=pledge,
                horizon=1,
                years=(int(years[0]), int(years[k - 1])),
                training=rows[k],
                datasets=PANEL_DATASETS,
            )
            hit = store.get_model(keys[cut])
            if hit is not None:
                out[cut] = hit
        if out:
            say(f"read {len(out)} fitted model(s) from the cache")
    todo = [c for c in cuts if c not in out]
    if todo and t is None:
        t = training_rows(panel, list(spec.features or FEATURES))
    for i, cut in enumerate(todo):
        assert t is not None
        k = ends[cut]
        first, last = int(t.years[0]), int(t.years[k - 1])
        what = f"fitting the {spec.kind} model on {first}-{last}"
        say(what)
        if on_fit is not None:
            on_fit(i, len(todo), what)
        m = FormationModel(**{f.name: getattr(spec, f.name) for f in fields(spec)})
        m = m.fit_arrays(
            t.raw[:k], t.y[:k], t.dyads[:k], years=(first, last), row_years=t.years[:k]
        )
        if cut in keys:
            step = max(1, k // CHECK_ROWS)
            store.put_model(keys[cut], m, check=t.raw[:k:step])
        out[cut] = m
    if todo and on_fit is not None:
        on_fit(len(todo), len(todo), "")
    return out


def _pairs(pairs: object) -> list[tuple[int, int]] | None:
    """None, or a non-empty list of pairs of two different COW codes."""
    if pairs is None:
        return None
    hint = "pass pairs of COW codes, e.g. pairs=[(365, 710)], or None to rank every dyad."
    if isinstance(pairs, str | bytes | dict) or not isinstance(pairs, Iterable):
        raise InvalidArgumentError(
            "pairs", f"pairs must be a list of pairs, not {type(pairs).__name__}", hint
        )
    items = list(pairs)
    if not items:
        raise InvalidArgumentError("pairs", "pairs is empty", hint)
    out = []
    for pair in items:
        both = (
            tuple(pair) if isinstance(pair, Iterable) and not isinstance(pair, str | bytes) else ()
        )
        if len(both) != 2:
            raise InvalidArgumentError(
                "pairs", f"pairs holds {pair!r:.40}, which is not a pair of COW codes", hint
            )
        a, b = (validate.integer(c, "pairs", lo=0, hi=999, hint=hint) for c in both)
        if a == b:
            raise InvalidArgumentError(
                "pairs", f"the pair ({a}, {b}) names one state twice", "name two different states."
            )
        out.append((a, b))
    return out


def _fitted_model(model: object) -> FormationModel:
    if not isinstance(model, FormationModel):
        raise InvalidArgumentError(
            "model",
            f"model must be a FormationModel, not {type(model).__name__}",
            "load one with foedus.prospects.persist.load_model(path), or leave it out.",
        )
    if not hasattr(model, "n_train_"):
        raise InvalidArgumentError(
            "model", "the model is not fitted", "fit it (or load a saved one) first."
        )
    return model


def _given_panel(panel: object, lo: int, hi: int) -> tuple[pl.DataFrame, dict[str, int]]:
    """:func:`forecast_panel`'s result, with rows for ``lo`` and ``hi``."""
    hint = f"pass forecast_panel(({lo}, {hi})), or leave panel out to build it."
    if not (isinstance(panel, tuple) and len(panel) == 2 and isinstance(panel[1], dict)):
        raise InvalidArgumentError(
            "panel", "panel must be forecast_panel's (frame, last years) pair", hint
        )
    frame = validate.frame(panel[0], "panel", columns=(*KEYS, "at_risk", "onset", "carried"))
    years = frame["year"]
    if frame.height == 0 or years.min() > lo or years.max() < hi:  # type: ignore[operator]
        raise InvalidArgumentError(
            "panel",
            f"the panel covers {years.min()}-{years.max()}, not the years asked ({lo}-{hi})",
            hint,
        )
    return frame, panel[1]


def _cumulative(
    frame: pl.DataFrame,
    m: FormationModel,
    keys: pl.DataFrame,
    raw: np.ndarray,
    point: np.ndarray,
    level: float,
) -> pl.DataFrame:
    """``p_cum``: probability of at least one onset from the first year past the data through
    each year, per dyad, with an interval over draws (see the module docstring). ``keys``,
    ``raw`` and ``point`` are the at-risk rows, their features and forecasts, sorted by dyad
    and year."""
    if keys.height == 0:  # no dyad at risk (e.g. every pair asked for is allied)
        return frame.with_columns(
            *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("p_cum", "p_cum_lo", "p_cum_hi")]
        )
    draws = _draws(m, raw, 2000 if m.kind in LOGITS else 0)
    q = [(1 - level) / 2, (1 + level) / 2]
    out = []
    for (_c1, _c2), g in (
        keys.select(KEYS).with_row_index("_i").group_by(list(DYAD), maintain_order=True)
    ):
        idx = g["_i"].to_numpy()
        surv = np.cumprod(1 - point[idx])
        lo, hi = np.quantile(1 - np.cumprod(1 - draws[idx], axis=0), q, axis=1)
        out.append(
            g.select(KEYS).with_columns(
                p_cum=pl.Series(1 - surv), p_cum_lo=pl.Series(lo), p_cum_hi=pl.Series(hi)
            )
        )
    return frame.join(pl.concat(out), on=KEYS, how="left")


def _names(fc: pl.DataFrame) -> pl.DataFrame:
    from foedus import countries

    idx = countries.index()
    codes = sorted(set(fc["ccode1"].to_list()) | set(fc["ccode2"].to_list()))
    abb = {c: idx.get(c).abb for c in codes}
    name = {c: idx.get(c).name for c in codes}
    return fc.with_columns(
        abb1=pl.col("ccode1").replace_strict(abb, return_dtype=pl.String),
        abb2=pl.col("ccode2").replace_strict(abb, return_dtype=pl.String),
        name1=pl.col("ccode1").replace_strict(name, return_dtype=pl.String),
        name2=pl.col("ccode2").replace_strict(name, return_dtype=pl.String),
    )
