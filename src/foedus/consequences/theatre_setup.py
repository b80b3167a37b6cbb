"""A scenario's theatre: the fronts of one state, their forces from the data, the front a pact
secures, and the Lanchester illustration of moving its forces elsewhere
(:mod:`foedus.consequences.theatre`).

From the scenario's ``[theatre]`` table: ``state`` (whose forces move), ``fronts`` (a list of
``{name, opponent, force}``; default one front per opponent: the scenario's other parties and
opponents and the targets and challengers of its dyads involving the state), ``secured`` (the
front freed; default every front whose opponent becomes a defence ally of the state in the
scenario), ``law`` (``"square"`` default, or ``"linear"``) and ``a``/``b`` (the effectiveness
coefficients, default 0.01 per day on both sides: an assumption, equal effectiveness). Forces
are NMC military personnel (thousands) in the base year (the last NMC year past its end); a
front's opponent commits its whole force unless ``force`` says otherwise. An illustration,
not a prediction: docs/consequences.md, "Theatre illustration (Lanchester)".
"""

from __future__ import annotations

from typing import Any

from foedus import countries, validate
from foedus.consequences import theatre as th
from foedus.errors import FoedusError, InvalidArgumentError
from foedus.measures import power
from foedus.world import World

DEFAULT_COEFFICIENT = 0.01
KEYS = ("state", "fronts", "secured", "law", "a", "b")


def _code(value: object, year: int, what: str) -> int:
    try:
        return countries.resolve(value, year).ccode  # type: ignore[arg-type]
    except FoedusError as e:
        raise InvalidArgumentError(
            f"theatre.{what}", f"[theatre] {what}: {e.message}", e.hint
        ) from None


def theatre_consequence(
    config: dict[str, Any],
    baseline: World,
    scenario: World,
    year: int,
    parties: tuple[int, ...],
    opponents: tuple[int, ...],
    dyads: tuple[tuple[int, int], ...],
) -> dict[str, Any]:
    """The reallocation illustration of a scenario (see the module docstring), as a dict."""
    from foedus.measures import network as net

    unknown = [k for k in config if k not in KEYS]
    if unknown:
        raise InvalidArgumentError(
            "theatre", f"[theatre] has unknown keys {unknown}", "allowed: " + ", ".join(KEYS)
        )
    state = _code(config.get("state", parties[0] if parties else None), year, "state")
    law = validate.choice(config.get("law", "square"), "theatre.law", th.LAWS)
    a = config.get("a", DEFAULT_COEFFICIENT)
    b = config.get("b", DEFAULT_COEFFICIENT)
    nmc_year = min(year, validate.coverage(power.NMC_DATASETS["7.0"])[1])
    cap = power.system_shares(nmc_year, world=scenario)
    milper = dict(zip(cap["ccode"].to_list(), cap["milper"].to_list(), strict=True))
    if config.get("fronts"):
        fronts_cfg = config["fronts"]
        if not isinstance(fronts_cfg, list):
            raise InvalidArgumentError(
                "theatre.fronts",
                "[theatre] fronts must be a list",
                'e.g. fronts = [{name = "north", opponent = "Russia"}]',
            )
        specs = []
        for f in fronts_cfg:
            if not isinstance(f, dict) or "opponent" not in f:
                raise InvalidArgumentError(
                    "theatre.fronts",
                    "each front needs an opponent",
                    'e.g. {name = "north", opponent = "Russia"}',
                )
            opp = _code(f["opponent"], year, "fronts.opponent")
            specs.append((str(f.get("name", countries.index().get(opp).name)), opp, f.get("force")))
    else:
        opps: dict[int, None] = {}
        for c in (*parties, *opponents):
            if c != state:
                opps.setdefault(c)
        for x, y in dyads:
            if x == state and y != state:
                opps.setdefault(y)
            if y == state and x != state:
                opps.setdefault(x)
        specs = [(countries.index().get(c).name, c, None) for c in opps]
    if len(specs) < 2:
        raise InvalidArgumentError(
            "theatre.fronts",
            "the theatre needs at least two fronts (one to secure, one to reinforce)",
            "list them: fronts = [{name = ..., opponent = ...}, ...].",
        )
    gb = net.alliance_graph(year, "defense", world=baseline)
    gs = net.alliance_graph(year, "defense", world=scenario)
    if "secured" in config:
        secured = [str(config["secured"])]
        names = [s[0] for s in specs]
        if secured[0] not in names:
            raise InvalidArgumentError(
                "theatre.secured",
                f"no front named {secured[0]!r}",
                "name one of: " + ", ".join(names) + ".",
            )
    else:
        secured = [n for n, c, _ in specs if gs.has_edge(state, c) and not gb.has_edge(state, c)]
        if not secured:
            raise InvalidArgumentError(
                "theatre.secured",
                "no front's opponent becomes the state's defence ally in this scenario",
                'name the front the scenario secures: secured = "...".',
            )
    fronts = []
    for name, opp, force in specs:
        f = milper.get(opp) if force is None else force
        if f is None:
            raise InvalidArgumentError(
                "theatre.fronts",
                f"NMC has no military personnel of {name} in {nmc_year}",
                "give the front a force = ...",
            )
        fronts.append(th.Front(name, float(f), a, b, law=law))
    total = milper.get(state)
    if total is None:
        raise InvalidArgumentError(
            "theatre.state",
            f"NMC has no military personnel of COW {state} in {nmc_year}",
            "name another state.",
        )
    base = th.allocate(float(total), fronts)
    r = th.reallocate(base, secured[0])
    out = r.to_dict()
    out.update(
        {
            "state": state,
            "secured": secured[0],
            "forces": "NMC military personnel (thousands), " + str(nmc_year),
            "coefficients": {
                "a": a,
                "b": b,
                "law": law,
                "source": "assumed equal effectiveness" if "a" not in config else "the scenario's",
            },
        }
    )
    return out


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for c in result.get("comparisons", []):
        if not isinstance(c, dict) or "front" not in c:
            continue
        out.append(
            {
                "consequence": "theatre",
                "item": c["front"],
                "measure": "force_ratio",
                "baseline": c.get("force_ratio_baseline"),
                "scenario": c.get("force_ratio_scenario"),
                "delta": None
                if c.get("force_ratio_scenario") is None or c.get("force_ratio_baseline") is None
                else c["force_ratio_scenario"] - c["force_ratio_baseline"],
                "lo": None,
                "hi": None,
            }
        )
    return out
