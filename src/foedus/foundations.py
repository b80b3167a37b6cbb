"""Everything foedus measures about why two states might ally, for one pair and year.

Each measure is taken in the requested year when its source covers it, otherwise in the
latest year the source covers (never a later one), and says which year and which source
vintage it used. Nothing is extrapolated: a value from an earlier year is labelled as such.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import polars as pl

from foedus import catalog, countries, loaders, validate
from foedus.errors import InvalidArgumentError
from foedus.measures.expected_utility import war_trap


def _regional_war_trap(year: int) -> pl.DataFrame:
    """Every directed dyad's War Trap expected utility in the year (relevant-region third
    parties, today's data): the same for every pair, so one computation serves a brief's
    pairs and repeated calls with the same data (:func:`foedus.loaders.data_key`)."""
    return _regional_war_trap_for(year, loaders.data_key())


@functools.lru_cache(maxsize=4)
def _regional_war_trap_for(year: int, key: tuple[object, ...]) -> pl.DataFrame:
    return war_trap((year, year), scope="regional")


@dataclass
class Item:
    group: str
    measure: str
    value: object
    year: int | None
    source: str
    explanation: str

    @property
    def as_of(self) -> str:
        return "-" if self.year is None else str(self.year)


_SHORT = {
    "atop-members": "ATOP 5.1",
    "unvotes-votes": "UNGA votes (Voeten; unvotes 0.3.0)",
    "ps-cow-nmc": "COW NMC 7.0",
    "nuclear-warheads": "FAS via OWID (2023 export)",
    "ps-tss-rivalries": "Thompson-Sakuwa-Suhas rivalries",
    "ps-cow-mid-ddydisps": "COW MID 5.0",
    "ps-cow-contdir": "COW direct contiguity 3.2",
    "ps-cow-capitals": "peacesciencer capitals",
    "isard-cw-democracy": "V-Dem via isard 0.2.0",
}


def _vintage(name: str) -> str:
    catalog.get(name)  # the source must be in the catalog
    return _SHORT[name]


_PLEDGE = {
    "defense": "defence",
    "offense": "offence",
    "neutral": "neutrality",
    "nonagg": "non-aggression",
    "consul": "consultation",
}


def _year_in(year: int, lo: int, hi: int) -> int | None:
    return min(year, hi) if year >= lo else None


def _covered(year: int, dataset: str) -> int | None:
    """The year a measure from ``dataset`` is taken in: ``year``, or the data set's last year
    (catalog coverage) if it ends earlier; None before it starts."""
    return _year_in(year, *validate.coverage(dataset))


def _pair_value(frame: pl.DataFrame, a: int, b: int, cols: list[str]) -> dict[str, object]:
    lo, hi = min(a, b), max(a, b)
    row = frame.filter((pl.col("ccode1") == lo) & (pl.col("ccode2") == hi))
    return {c: (row[c].item() if row.height else None) for c in cols}


def foundations(a: str | int, b: str | int, year: int) -> dict[str, object]:
    """Measures for the pair (a, b) in ``year``: identity, alliance ties, interests, power,
    threat, network and geography, each with the year and source it comes from.

    ``a`` and ``b`` are names or COW codes of two different states; ``year`` runs from the
    state system's first year to :func:`foedus.validate.latest_year` (a measure whose source
    ends earlier is taken in its last year, and says so). Checked before anything is loaded."""
    from foedus.measures import network, power, similarity, threat, unvotes
    from foedus.panels import (
        add_atop_alliance,
        add_capital_distance,
        add_contiguity,
        add_democracy,
    )

    a, b = validate.state(a, "a"), validate.state(b, "b")
    year = validate.system_year(year, "year")
    ra, rb = countries.resolve(a, year), countries.resolve(b, year)
    ca, cb = ra.ccode, rb.ccode
    if ca == cb:
        raise InvalidArgumentError(
            "b",
            f"{a!r} and {b!r} are the same state ({ra.state.name}, {ca})",
            "name two different states.",
        )
    items: list[Item] = []
    notes = list(dict.fromkeys(n for n in (ra.note, rb.note) if n))

    def add(group: str, measure: str, value: object, yr: int | None, source: str, why: str) -> None:
        if isinstance(value, float):
            value = round(value, 4)
        items.append(Item(group, measure, value, yr, source, why))

    pair = pl.DataFrame(
        {"ccode1": [ca], "ccode2": [cb]}, schema={"ccode1": pl.Int32, "ccode2": pl.Int32}
    )

    # alliance ties between them
    y = _covered(year, "atop-members")
    if y is not None:
        at = pair.with_columns(year=pl.lit(y, pl.Int32)).pipe(add_atop_alliance).row(0, named=True)
        for k in ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"):
            add(
                "alliance",
                k,
                at[k],
                y,
                _vintage("atop-members"),
                f"1 if an alliance in force commits {ra.state.name} to "
                f"{_PLEDGE[k.removeprefix('atop_')]} towards {rb.state.name}",
            )
    # interests: portfolio similarity and UN votes
    if y is not None:
        s = similarity("atop", years=(y, y))
        v = _pair_value(s, ca, cb, ["taub", "s_un", "s_wt", "kappa"])
        for k, why in (
            ("taub", "Kendall's tau-b of the two ATOP alliance portfolios"),
            ("s_un", "Signorino-Ritter S of the portfolios (1 = identical)"),
            ("s_wt", "S weighted by each partner's share of capabilities"),
            ("kappa", "Cohen's kappa of the portfolios (chance-corrected)"),
        ):
            add(
                "interests",
                f"portfolio_{k}",
                v[k],
                y,
                _vintage("atop-members"),
                why + "; built from alliances, so endogenous to them",
            )
    if y is not None:
        r = similarity("atop", years=(y, y), measures=["taub"], scope="regional")
        lo_, hi_ = min(ca, cb), max(ca, cb)
        row = r.filter((pl.col("ccode1") == lo_) & (pl.col("ccode2") == hi_))
        if row.height:
            first_is_a = lo_ == ca
            add(
                "interests",
                "portfolio_taub_regional_a",
                row["taub_reg1" if first_is_a else "taub_reg2"].item(),
                y,
                _vintage("atop-members"),
                f"tau-b over {ra.state.name}'s home region, the major powers and the pair",
            )
            add(
                "interests",
                "portfolio_taub_regional_b",
                row["taub_reg2" if first_is_a else "taub_reg1"].item(),
                y,
                _vintage("atop-members"),
                f"tau-b over {rb.state.name}'s home region, the major powers and the pair",
            )
    yu = _year_in(year, *unvotes.COVERAGE)
    if yu is not None:
        u = unvotes.vote_agreement(years=(yu, yu), states=[ca, cb])
        v = _pair_value(u, ca, cb, ["agree", "kappa", "n_joint"])
        add(
            "interests",
            "un_agree",
            v["agree"],
            yu,
            _vintage("unvotes-votes"),
            f"share of {v['n_joint']} joint UNGA roll calls on which both voted the same",
        )
        add(
            "interests",
            "un_kappa",
            v["kappa"],
            yu,
            _vintage("unvotes-votes"),
            "Cohen's kappa of their UNGA votes (chance-corrected agreement)",
        )
    # expected utility of war (War Trap, global third parties)
    ye = min(y, validate.coverage("ps-cow-nmc")[1]) if y is not None else None
    if ye is not None:
        w = _regional_war_trap(ye)
        for x, z, tag in ((ca, cb, "ab"), (cb, ca, "ba")):
            val = w.filter((pl.col("ccode1") == x) & (pl.col("ccode2") == z))["eu_war_trap"]
            name_x = ra.state.name if x == ca else rb.state.name
            name_z = rb.state.name if x == ca else ra.state.name
            add(
                "expected utility",
                f"eu_war_trap_{tag}",
                val.item() if val.len() else None,
                ye,
                "War Trap (ATOP 5.1, NMC 7.0)",
                f"{name_x}'s expected utility of war against {name_z} (Bueno de Mesquita 1981; "
                "relevant-region third parties, as EUGene)",
            )
    # power
    yp = _covered(year, "ps-cow-nmc")
    if yp is not None:
        r = power.capability_ratio(ca, cb, (yp, yp)).row(0, named=True)
        add(
            "power",
            "cinc_a",
            r["cinc_a"],
            yp,
            _vintage("ps-cow-nmc"),
            f"{ra.state.name}'s CINC (share of world material capabilities)",
        )
        add("power", "cinc_b", r["cinc_b"], yp, _vintage("ps-cow-nmc"), f"{rb.state.name}'s CINC")
        add(
            "power",
            "capability_ratio",
            r["ratio"],
            yp,
            _vintage("ps-cow-nmc"),
            "stronger / weaker CINC (asymmetric alliances trade autonomy for security)",
        )
    yn = _covered(year, "nuclear-warheads")
    if yn is not None:
        nf = power.nuclear_forces((yn, yn))
        for c, name, tag in ((ca, ra.state.name, "a"), (cb, rb.state.name, "b")):
            w = nf.filter(pl.col("ccode") == c)["warheads"]
            add(
                "power",
                f"warheads_{tag}",
                int(w.item()) if w.len() else 0,
                yn,
                _vintage("nuclear-warheads"),
                f"{name}'s nuclear warheads (FAS estimate)",
            )
    # threat
    yt = _covered(year, "ps-tss-rivalries")
    if yt is not None:
        sr = (
            _pair_value(
                threat.shared_rivals().filter(pl.col("year") == yt), ca, cb, ["shared_rivals"]
            )["shared_rivals"]
            or 0
        )
        add(
            "threat",
            "shared_rivals",
            sr,
            yt,
            _vintage("ps-tss-rivalries"),
            "number of states that are a strategic rival of both",
        )
    ym = _covered(year, "ps-cow-mid-ddydisps")
    if ym is not None:
        cm = (
            _pair_value(
                threat.common_mid_opponents().filter(pl.col("year") == ym),
                ca,
                cb,
                ["common_mid_opponents"],
            )["common_mid_opponents"]
            or 0
        )
        add(
            "threat",
            "common_mid_opponents",
            cm,
            ym,
            _vintage("ps-cow-mid-ddydisps"),
            "third states both fought in militarized disputes in the 5 years to then",
        )
    # network
    if y is not None:
        g = network.alliance_graph(y)
        add(
            "network",
            "defence_allies_a",
            g.degree[ca] if ca in g else None,
            y,
            _vintage("atop-members"),
            f"{ra.state.name}'s number of defence allies",
        )
        add(
            "network",
            "defence_allies_b",
            g.degree[cb] if cb in g else None,
            y,
            _vintage("atop-members"),
            f"{rb.state.name}'s number of defence allies",
        )
        shared = len(set(g[ca]) & set(g[cb])) if ca in g and cb in g else None
        add(
            "network",
            "shared_defence_allies",
            shared,
            y,
            _vintage("atop-members"),
            "third states with a defence pledge to or from both",
        )
    # regime: V-Dem's electoral democracy index of each and the lower of the two (weak link)
    yv = _year_in(year, *catalog.get("isard-cw-democracy").coverage_of("v2x_polyarchy"))
    if yv is not None:
        dem = (
            pair.with_columns(year=pl.lit(yv, pl.Int32))
            .pipe(add_democracy, keep="v2x_polyarchy")
            .row(0, named=True)
        )
        va, vb = dem["v2x_polyarchy1"], dem["v2x_polyarchy2"]
        src = _vintage("isard-cw-democracy")
        add("regime", "polyarchy_a", va, yv, src, f"V-Dem electoral democracy of {ra.state.name}")
        add("regime", "polyarchy_b", vb, yv, src, f"V-Dem electoral democracy of {rb.state.name}")
        add(
            "regime",
            "polyarchy_min",
            None if va is None or vb is None else min(va, vb),
            yv,
            src,
            "the less democratic of the two (the weak link, 0 .. 1)",
        )
    # geography
    yc = _covered(year, "ps-cow-contdir")
    if yc is not None:
        ct = pair.with_columns(year=pl.lit(yc, pl.Int32)).pipe(add_contiguity).row(0, named=True)
        add(
            "geography",
            "conttype",
            ct["conttype"],
            yc,
            _vintage("ps-cow-contdir"),
            "COW direct contiguity: 0 none, 1 land, 2-5 water up to 400 miles",
        )
    yd = _covered(year, "ps-cow-capitals")
    if yd is not None:
        cd = pair.with_columns(year=pl.lit(yd, pl.Int32)).pipe(add_capital_distance)
        add(
            "geography",
            "capital_distance_km",
            cd["capdist"].item(),
            yd,
            _vintage("ps-cow-capitals"),
            "great-circle distance between the capitals",
        )
    return {
        "a": {"ccode": ca, "name": ra.state.name},
        "b": {"ccode": cb, "name": rb.state.name},
        "year": year,
        "notes": notes,
        "measures": [{**asdict(i)} for i in items],
        "not_yet": [],
    }
