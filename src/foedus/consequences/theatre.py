"""Theatre illustration: Lanchester's laws for a state that fights on several fronts, and what
happens on the others when one front is secured (for instance by an alliance).

An ILLUSTRATION of the claim "a secure rear lets a state concentrate its forces on one front",
not a prediction. Two forces x (the state) and y (its opponent) wear each other down:

* square law (aimed fire): ``dx/dt = -a*y``, ``dy/dt = -b*x``; invariant ``b*x**2 - a*y**2``;
* linear law (area fire): ``dx/dt = -a*x*y``, ``dy/dt = -b*x*y``; invariant ``b*x - a*y``;

``a`` is the effectiveness of each y unit against x per unit of time, ``b`` that of each x unit
against y. Both laws are solved in closed form (no numerical integration): the winner is the
sign of the invariant, the fight ends when the loser falls to ``breakpoint`` times its initial
strength (square law default 0, annihilation; linear law default 0.1, since under the linear
law the loser only tends to 0), and the end time, the survivors and the attrition path follow
exactly. :func:`allocate` splits one state's total force over fronts (``"proportional"`` to the
opponents or ``"fixed"`` shares) and fights each front; :func:`reallocate` secures one front,
moves its forces to the others (pro rata or all to one front) and compares every front, baseline
against scenario. :data:`ENGEL_IWO_JIMA` holds the coefficients Engel (1954) reported for Iwo
Jima (Lanchester 1916 for the laws).

The rules, closed forms, defaults, sources and limits are in docs/consequences.md, "Theatre
illustration".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.errors import InvalidArgumentError

#: The two laws: ``"square"`` (aimed fire) and ``"linear"`` (area fire).
LAWS = ("square", "linear")

#: The fraction of its initial strength at which a side stops fighting, by law. The square
#: law's loser reaches 0 in finite time; the linear law's only tends to 0, so its default is
#: a breakpoint of 10 %.
DEFAULT_BREAKPOINT = {"square": 0.0, "linear": 0.1}

#: Points on an attrition path (from time 0 to the end time, both included).
DEFAULT_N_POINTS = 51

#: A square-law draw fought to annihilation never ends (both sides decay as ``exp(-r t)``);
#: its path then runs until both sides are down to this fraction of their initial strength.
DRAW_HORIZON_FRACTION = 0.01

#: An invariant within this fraction of its scale (``b*x0**2 + a*y0**2``, or ``b*x0 + a*y0``)
#: counts as an exact draw: what remains is rounding.
DRAW_RTOL = 1e-12

#: Largest force accepted (any unit): keeps every product of the closed forms finite.
MAX_FORCE = 1e12
#: Largest effectiveness coefficient accepted (per unit of time).
MAX_COEFFICIENT = 1e6

#: The allocation rules of :func:`allocate`.
RULES = ("proportional", "fixed")

#: How far fixed shares may sum away from 1.
SHARE_TOL = 1e-9

#: Stated on every result.
NOTE = (
    "Illustration, not a prediction: Lanchester attrition with homogeneous forces, constant "
    "battle-specific coefficients, no reinforcement, manoeuvre or will to fight; see "
    "docs/consequences.md, 'Theatre illustration'."
)


# --- small helpers ----------------------------------------------------------------------------


def _num(value: float | None) -> float | None:
    """A float for JSON: ``None`` for a missing, infinite or NaN value."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _ratio(x: float, y: float) -> float | None:
    """``x / y``; ``inf`` when only y is 0, ``None`` when both are 0."""
    if y > 0:
        return x / y
    return math.inf if x > 0 else None


def _force(value: Any, name: str, hint: str | None = None) -> float:
    return validate.number(
        value,
        name,
        lo=0.0,
        hi=MAX_FORCE,
        hint=hint or f"give a force size from 0 to {MAX_FORCE:g} (any unit, e.g. troops).",
    )


def _coefficient(value: Any, name: str, hint: str | None = None) -> float:
    return validate.number(
        value,
        name,
        lo=0.0,
        open_lo=True,
        hi=MAX_COEFFICIENT,
        hint=hint
        or (
            f"give a positive effectiveness (casualties per enemy unit per unit of time), at "
            f"most {MAX_COEFFICIENT:g}, e.g. {name}=0.01."
        ),
    )


def _law(value: Any) -> str:
    return validate.choice(value, "law", LAWS)


def _breakpoint(value: Any, law: str) -> float:
    if value is None:
        return DEFAULT_BREAKPOINT[law]
    if law == "linear":
        return validate.number(
            value,
            "breakpoint",
            lo=0.0,
            open_lo=True,
            hi=1.0,
            open_hi=True,
            hint=(
                "under the linear law the loser never reaches 0, so give a fraction strictly "
                f"between 0 and 1 (default {DEFAULT_BREAKPOINT['linear']})."
            ),
        )
    return validate.number(
        value,
        "breakpoint",
        lo=0.0,
        hi=1.0,
        open_hi=True,
        hint="give the fraction of its initial strength at which a side stops: 0 <= f < 1.",
    )


def _n_points(value: Any) -> int:
    return validate.integer(
        value, "n_points", lo=2, hi=100_000, hint="give a whole number of path points, 2 to 100000."
    )


def _finite_time(t: float) -> float:
    if not math.isfinite(t):
        raise InvalidArgumentError(
            "a, b",
            "the battle would outlast the largest representable time (the forces, coefficients "
            "or breakpoint are vanishingly small)",
            "rescale: measure time in a longer unit (larger a, b) or forces in a smaller one.",
        )
    return t


# --- the closed forms -------------------------------------------------------------------------


def _square_state(
    t: np.ndarray, x0: float, y0: float, a: float, b: float, draw: bool
) -> tuple[np.ndarray, np.ndarray]:
    """x(t), y(t) of the square law: ``x0 cosh(rt) - sqrt(a/b) y0 sinh(rt)`` and its mirror,
    written with exponentials (exactly ``x0 exp(-rt)``, ``y0 exp(-rt)`` in a draw)."""
    r = math.sqrt(a) * math.sqrt(b)
    em = np.exp(-r * t)
    if draw:
        return x0 * em, y0 * em
    ep = np.exp(r * t)
    s = math.sqrt(a) / math.sqrt(b)  # sqrt(a/b)
    x = 0.5 * ((x0 - s * y0) * ep + (x0 + s * y0) * em)
    y = 0.5 * ((y0 - x0 / s) * ep + (y0 + x0 / s) * em)
    return x, y


def _phi(c: float, t: np.ndarray) -> np.ndarray:
    """``(1 - exp(-c t)) / c`` without cancellation; ``t`` when ``c == 0``."""
    if c == 0:
        return np.asarray(t, dtype=float)
    return -np.expm1(-c * t) / c


def _linear_state(
    t: np.ndarray, x0: float, y0: float, a: float, b: float, c: float
) -> tuple[np.ndarray, np.ndarray]:
    """x(t), y(t) of the linear law with ``c = b x0 - a y0`` (0 in a draw):
    ``x = c x0 / (b x0 - a y0 exp(-ct))``, ``y = c y0 exp(-ct) / (b x0 - a y0 exp(-ct))``,
    rearranged so that it holds at ``c = 0`` (``x0 / (1 + b x0 t)``) and never overflows."""
    if c >= 0:  # x holds: x = x0 / (1 + a y0 phi), y = y0 exp(-ct) / (1 + a y0 phi)
        d = 1.0 + a * y0 * _phi(c, t)
        return x0 / d, y0 * np.exp(-c * t) / d
    cy = -c  # y holds: the mirror image
    d = 1.0 + b * x0 * _phi(cy, t)
    return x0 * np.exp(-cy * t) / d, y0 / d


def _square_end(p0: float, q0: float, k: float, m: float, beta: float) -> tuple[float, float]:
    """End time and the holder's survivors when the loser p (``dp/dt = -k q``) falls to
    ``beta * p0`` facing the holder q (``dq/dt = -m p``), with ``k q0**2 > m p0**2``.

    ``p(t) = p0 cosh(rt) - s sinh(rt)`` with ``s = sqrt(k/m) q0``; ``p(t) = beta p0`` is the
    quadratic ``(s - p0) u**2 + 2 beta p0 u - (s + p0) = 0`` in ``u = exp(rt)``, whose positive
    root is ``(s + p0) / (beta p0 + sqrt(beta**2 p0**2 + s**2 - p0**2))``."""
    r = math.sqrt(k) * math.sqrt(m)
    if p0 == 0:
        t = 0.0
    else:
        s = math.sqrt(k) / math.sqrt(m) * q0
        if beta == 0:
            t = math.atanh(p0 / s) / r
        else:
            disc = (beta * p0) ** 2 + (s - p0) * (s + p0)
            t = math.log((s + p0) / (beta * p0 + math.sqrt(disc))) / r
    survivors = math.sqrt(max(0.0, q0 * q0 - (m / k) * p0 * p0 * (1.0 - beta * beta)))
    return _finite_time(t), survivors


def _linear_end(p0: float, q0: float, k: float, m: float, beta: float) -> tuple[float, float]:
    """End time and the holder's survivors when the loser p (``dp/dt = -k p q``) falls to
    ``beta * p0`` facing q (``dq/dt = -m p q``), with ``c = k q0 - m p0 >= 0``:
    ``t = log(1 + c (1 - beta) / (beta k q0)) / c``, ``(1 - beta) / (beta k q0)`` at ``c = 0``."""
    c = max(0.0, k * q0 - m * p0)
    if p0 == 0:
        t = 0.0
    elif beta * k * q0 == 0:  # forces so small their product underflows: no finite end
        t = math.inf
    elif c == 0:
        t = (1.0 - beta) / (beta * k * q0)
    else:
        t = math.log1p(c * (1.0 - beta) / (beta * k * q0)) / c
    survivors = max(0.0, q0 - (m / k) * p0 * (1.0 - beta))
    return _finite_time(t), survivors


# --- one battle -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Battle:
    """One battle between x and y under one of Lanchester's laws (an illustration).

    ``winner`` is ``"x"``, ``"y"`` or ``"draw"``; ``end_time`` is when the loser falls to
    ``breakpoint`` times its initial strength (``math.inf`` for a square-law draw fought to
    annihilation: both sides then only tend to 0). ``survivors_x``/``survivors_y`` are the
    forces at the end (their limits, 0, when the end is infinite). The path runs from 0 to
    ``horizon``: the end time, or for an infinite end the time at which both sides are down to
    :data:`DRAW_HORIZON_FRACTION` of their initial strength."""

    law: str
    x0: float
    y0: float
    a: float
    b: float
    breakpoint: float
    winner: str
    end_time: float
    horizon: float
    survivors_x: float
    survivors_y: float
    #: ``b*x0**2 - a*y0**2`` (square) or ``b*x0 - a*y0`` (linear): positive when x wins
    invariant: float
    force_ratio_start: float | None
    force_ratio_end: float | None
    path_t: tuple[float, ...] = field(repr=False)
    path_x: tuple[float, ...] = field(repr=False)
    path_y: tuple[float, ...] = field(repr=False)
    illustration: bool = True
    note: str = NOTE

    @property
    def end_time_infinite(self) -> bool:
        return math.isinf(self.end_time)

    def state_at(self, t: Any) -> tuple[float, float]:
        """x and y at time ``t >= 0`` from the closed form; after the end time the forces stay
        where the fight stopped."""
        tt = validate.number(t, "t", lo=0.0, hint="give a time from 0 on, in the law's unit.")
        tt = min(tt, self.end_time)
        arr = np.array([tt])
        if self.law == "square":
            x, y = _square_state(arr, self.x0, self.y0, self.a, self.b, self.winner == "draw")
        else:
            c = 0.0 if self.winner == "draw" else self.invariant
            x, y = _linear_state(arr, self.x0, self.y0, self.a, self.b, c)
        return max(0.0, float(x[0])), max(0.0, float(y[0]))

    def path_frame(self) -> pl.DataFrame:
        """The attrition path: columns ``t``, ``x``, ``y``."""
        return pl.DataFrame(
            {"t": list(self.path_t), "x": list(self.path_x), "y": list(self.path_y)},
            schema={"t": pl.Float64, "x": pl.Float64, "y": pl.Float64},
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: infinite values are ``None`` and listed in ``infinite_fields``;
        an undefined force ratio (both sides 0) is ``None`` too."""
        scalars = {
            "law": self.law,
            "x0": self.x0,
            "y0": self.y0,
            "a": self.a,
            "b": self.b,
            "breakpoint": self.breakpoint,
            "winner": self.winner,
            "end_time": self.end_time,
            "horizon": self.horizon,
            "survivors_x": self.survivors_x,
            "survivors_y": self.survivors_y,
            "invariant": self.invariant,
            "force_ratio_start": self.force_ratio_start,
            "force_ratio_end": self.force_ratio_end,
        }
        infinite = sorted(k for k, v in scalars.items() if isinstance(v, float) and math.isinf(v))
        out: dict[str, Any] = {
            k: (_num(v) if isinstance(v, float) else v) for k, v in scalars.items()
        }
        out["end_time_infinite"] = self.end_time_infinite
        out["infinite_fields"] = infinite
        out["path"] = {
            "t": [float(v) for v in self.path_t],
            "x": [float(v) for v in self.path_x],
            "y": [float(v) for v in self.path_y],
        }
        out["illustration"] = self.illustration
        out["note"] = self.note
        return out


def battle(
    x0: Any,
    y0: Any,
    a: Any,
    b: Any,
    *,
    law: str = "square",
    breakpoint: Any = None,
    n_points: Any = DEFAULT_N_POINTS,
) -> Battle:
    """A battle between forces ``x0`` and ``y0`` under ``law`` (``"square"`` or ``"linear"``);
    ``a``: effectiveness of each y unit against x, ``b``: of each x unit against y (per unit
    of time); ``breakpoint``: the fraction of its initial strength at which a side stops
    (``None``: the law's :data:`DEFAULT_BREAKPOINT`)."""
    law = _law(law)
    x0 = _force(x0, "x0")
    y0 = _force(y0, "y0")
    a = _coefficient(a, "a")
    b = _coefficient(b, "b")
    beta = _breakpoint(breakpoint, law)
    n = _n_points(n_points)
    return _battle(law, x0, y0, a, b, beta, n)


def square_law(
    x0: Any, y0: Any, a: Any, b: Any, *, breakpoint: Any = 0.0, n_points: Any = DEFAULT_N_POINTS
) -> Battle:
    """Lanchester's square law (aimed fire), ``dx/dt = -a y``, ``dy/dt = -b x``, in closed
    form; by default fought to annihilation (``breakpoint=0``)."""
    return battle(x0, y0, a, b, law="square", breakpoint=breakpoint, n_points=n_points)


def linear_law(
    x0: Any,
    y0: Any,
    a: Any,
    b: Any,
    *,
    breakpoint: Any = DEFAULT_BREAKPOINT["linear"],
    n_points: Any = DEFAULT_N_POINTS,
) -> Battle:
    """Lanchester's linear law (area fire), ``dx/dt = -a x y``, ``dy/dt = -b x y``, in closed
    form; the loser only tends to 0, so the fight ends at ``breakpoint`` (0 < f < 1)."""
    return battle(x0, y0, a, b, law="linear", breakpoint=breakpoint, n_points=n_points)


def _battle(law: str, x0: float, y0: float, a: float, b: float, beta: float, n: int) -> Battle:
    """The battle from checked arguments."""
    if law == "square":
        inv = b * x0 * x0 - a * y0 * y0
        scale = b * x0 * x0 + a * y0 * y0
    else:
        inv = b * x0 - a * y0
        scale = b * x0 + a * y0
    draw = abs(inv) <= DRAW_RTOL * scale
    ratio0 = _ratio(x0, y0)
    if x0 == 0 and y0 == 0:  # nothing to fight
        return Battle(
            law, x0, y0, a, b, beta, "draw", 0.0, 0.0, 0.0, 0.0, 0.0, None, None,
            (0.0,) * n, (0.0,) * n, (0.0,) * n,
        )  # fmt: skip
    if x0 == 0 or y0 == 0:  # one side has no force: the other holds the field at once
        winner = "x" if y0 == 0 else "y"
        return Battle(
            law, x0, y0, a, b, beta, winner, 0.0, 0.0, x0, y0, inv, ratio0, ratio0,
            (0.0,) * n, (x0,) * n, (y0,) * n,
        )  # fmt: skip
    if draw:
        winner = "draw"
        if law == "square":
            r = math.sqrt(a) * math.sqrt(b)
            end = math.inf if beta == 0 else _finite_time(math.log(1.0 / beta) / r)
            horizon = math.log(1.0 / DRAW_HORIZON_FRACTION) / r if beta == 0 else end
        else:
            # b x0 = a y0: x = x0 / (1 + b x0 t), y = y0 / (1 + a y0 t), the same factor
            den = beta * b * x0
            end = _finite_time((1.0 - beta) / den if den > 0 else math.inf)
            horizon = end
        sx, sy = beta * x0, beta * y0
        ratio1 = ratio0  # both sides shrink by the same factor
    else:
        solve = _square_end if law == "square" else _linear_end
        if inv > 0:  # y is the loser: dy = -b x (.. y), dx = -a y (.. x)
            winner = "x"
            end, sx = solve(y0, x0, b, a, beta)
            sy = beta * y0
        else:
            winner = "y"
            end, sy = solve(x0, y0, a, b, beta)
            sx = beta * x0
        horizon = end
        ratio1 = _ratio(sx, sy)
    t = np.linspace(0.0, horizon, n)
    if law == "square":
        px, py = _square_state(t, x0, y0, a, b, draw)
    else:
        px, py = _linear_state(t, x0, y0, a, b, 0.0 if draw else inv)
    px, py = np.maximum(px, 0.0), np.maximum(py, 0.0)
    if math.isfinite(end):  # the last point is the end state exactly
        px[-1], py[-1] = sx, sy
    return Battle(
        law=law,
        x0=x0,
        y0=y0,
        a=a,
        b=b,
        breakpoint=beta,
        winner=winner,
        end_time=float(end),
        horizon=float(horizon),
        survivors_x=float(sx),
        survivors_y=float(sy),
        invariant=float(inv),
        force_ratio_start=ratio0,
        force_ratio_end=ratio1,
        path_t=tuple(t.tolist()),
        path_x=tuple(px.tolist()),
        path_y=tuple(py.tolist()),
    )


# --- fronts and allocation --------------------------------------------------------------------


@dataclass(frozen=True)
class Front:
    """One front of the allocating state (x) against one opponent (y): the opponent's force,
    ``a`` (each opponent unit's effectiveness against the state's units), ``b`` (each state
    unit's against the opponent's), the law and its breakpoint (``None``: the default)."""

    name: str
    opponent_force: float
    a: float
    b: float
    law: str = "square"
    breakpoint: float | None = None

    def __post_init__(self) -> None:
        name = validate.text(self.name, "name")
        where = f"front {name!r}: "
        law = _law(self.law)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "law", law)
        object.__setattr__(
            self,
            "opponent_force",
            _force(
                self.opponent_force, "opponent_force", where + "give the opponent's force, >= 0."
            ),
        )
        object.__setattr__(
            self, "a", _coefficient(self.a, "a", where + "give a positive effectiveness <= 1e6.")
        )
        object.__setattr__(
            self, "b", _coefficient(self.b, "b", where + "give a positive effectiveness <= 1e6.")
        )
        object.__setattr__(self, "breakpoint", _breakpoint(self.breakpoint, law))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "opponent_force": self.opponent_force,
            "a": self.a,
            "b": self.b,
            "law": self.law,
            "breakpoint": self.breakpoint,
        }


@dataclass(frozen=True)
class Theatre:
    """A state's total force split over fronts, and the battle on each (an illustration).
    ``allocation[i]`` is the force sent to ``fronts[i]``; ``shares[i]`` its share of the
    total under ``rule``."""

    total: float
    rule: str
    fronts: tuple[Front, ...]
    shares: tuple[float, ...]
    allocation: tuple[float, ...]
    battles: tuple[Battle, ...]
    n_points: int
    illustration: bool = True
    note: str = NOTE

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fronts)

    def battle(self, name: str) -> Battle:
        """The battle on the front called ``name``."""
        i = self.names.index(validate.choice(name, "name", self.names))
        return self.battles[i]

    def frame(self) -> pl.DataFrame:
        """One row per front: force, opponent, share, ratios, winner, survivors, end time
        (``None`` where infinite)."""
        rows = [
            {
                "front": f.name,
                "law": f.law,
                "force": x,
                "opponent_force": f.opponent_force,
                "share": s,
                "force_ratio_start": _num(bt.force_ratio_start),
                "winner": bt.winner,
                "survivors": bt.survivors_x,
                "opponent_survivors": bt.survivors_y,
                "force_ratio_end": _num(bt.force_ratio_end),
                "end_time": _num(bt.end_time),
            }
            for f, s, x, bt in zip(
                self.fronts, self.shares, self.allocation, self.battles, strict=True
            )
        ]
        return pl.DataFrame(rows, schema=_THEATRE_SCHEMA)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "rule": self.rule,
            "n_points": self.n_points,
            "fronts": [
                {**f.to_dict(), "share": s, "force": x, "battle": bt.to_dict()}
                for f, s, x, bt in zip(
                    self.fronts, self.shares, self.allocation, self.battles, strict=True
                )
            ],
            "illustration": self.illustration,
            "note": self.note,
        }


_THEATRE_SCHEMA = {
    "front": pl.String,
    "law": pl.String,
    "force": pl.Float64,
    "opponent_force": pl.Float64,
    "share": pl.Float64,
    "force_ratio_start": pl.Float64,
    "winner": pl.String,
    "survivors": pl.Float64,
    "opponent_survivors": pl.Float64,
    "force_ratio_end": pl.Float64,
    "end_time": pl.Float64,
}


def _fronts(value: Any) -> tuple[Front, ...]:
    if isinstance(value, Front):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise InvalidArgumentError(
            "fronts",
            f"fronts must be a list of Front, not {type(value).__name__}",
            "pass e.g. fronts=[Front('north', 60, 0.01, 0.01), Front('east', 40, 0.01, 0.01)].",
        )
    fronts = tuple(value)
    if not fronts:
        raise InvalidArgumentError("fronts", "fronts is empty", "give at least one Front.")
    bad = [type(f).__name__ for f in fronts if not isinstance(f, Front)]
    if bad:
        raise InvalidArgumentError(
            "fronts",
            f"fronts holds entries that are not Front: {', '.join(bad)}",
            "build each front with Front(name, opponent_force, a, b, law=...).",
        )
    names = [f.name for f in fronts]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidArgumentError(
            "fronts",
            f"fronts has repeated names: {', '.join(repr(d) for d in dup)}",
            "give every front its own name.",
        )
    return fronts


def _shares(value: Any, fronts: tuple[Front, ...]) -> tuple[float, ...]:
    names = [f.name for f in fronts]
    if value is None:
        raise InvalidArgumentError(
            "shares",
            "rule='fixed' needs shares",
            f"pass one share per front, summing to 1, e.g. shares={{{names[0]!r}: 1.0}}.",
        )
    if isinstance(value, Mapping):
        keys = list(value)
        missing = [n for n in names if n not in value]
        extra = [k for k in keys if k not in names]
        if missing or extra:
            raise InvalidArgumentError(
                "shares",
                "shares must name every front once"
                + (f"; missing {missing}" if missing else "")
                + (f"; unknown {extra}" if extra else ""),
                "give one share per front name: " + ", ".join(repr(n) for n in names) + ".",
            )
        items = [value[n] for n in names]
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = list(value)
        if len(items) != len(names):
            raise InvalidArgumentError(
                "shares",
                f"shares has {len(items)} value(s) for {len(names)} front(s)",
                "give one share per front, in the fronts' order, or a mapping by name.",
            )
    else:
        raise InvalidArgumentError(
            "shares",
            f"shares must be a list or a mapping, not {type(value).__name__}",
            "give one share per front, e.g. shares=[0.5, 0.5].",
        )
    out = tuple(
        validate.number(s, "shares", lo=0.0, hi=1.0, hint="each share is a fraction from 0 to 1.")
        for s in items
    )
    total = math.fsum(out)
    if abs(total - 1.0) > SHARE_TOL:
        raise InvalidArgumentError(
            "shares",
            f"shares sum to {total!r}, not 1",
            f"make the shares sum to 1 (within {SHARE_TOL:g}).",
        )
    return out


def allocate(
    total: Any,
    fronts: Any,
    *,
    rule: str = "proportional",
    shares: Any = None,
    n_points: Any = DEFAULT_N_POINTS,
) -> Theatre:
    """Split the state's ``total`` force over ``fronts`` and fight each front.

    ``rule="proportional"``: each front gets the share of the opponents' total force that its
    opponent holds; ``rule="fixed"``: ``shares`` (one per front, in order, or a mapping by
    front name; each 0..1, summing to 1). The allocations sum to ``total``."""
    total = _force(total, "total", "give the state's total force, from 0 to 1e12.")
    fr = _fronts(fronts)
    rule = validate.choice(rule, "rule", RULES)
    n = _n_points(n_points)
    if rule == "proportional":
        if shares is not None:
            raise InvalidArgumentError(
                "shares",
                "shares are only used with rule='fixed'",
                "drop shares, or pass rule='fixed'.",
            )
        opp = math.fsum(f.opponent_force for f in fr)
        if opp == 0:
            raise InvalidArgumentError(
                "fronts",
                "every opponent force is 0: there is nothing to allocate in proportion to",
                "give a front a positive opponent_force, or use rule='fixed' with shares.",
            )
        sh = tuple(f.opponent_force / opp for f in fr)
    else:
        sh = _shares(shares, fr)
    return _theatre(total, rule, fr, sh, _split(total, sh), n)


def _split(total: float, shares: Sequence[float]) -> tuple[float, ...]:
    """``total * share`` per front; the largest share takes the rounding remainder, so the
    parts add up to ``total``."""
    parts = [total * s for s in shares]
    k = max(range(len(parts)), key=lambda i: shares[i])
    parts[k] = max(0.0, total - math.fsum(p for i, p in enumerate(parts) if i != k))
    return tuple(parts)


def _theatre(
    total: float,
    rule: str,
    fronts: tuple[Front, ...],
    shares: tuple[float, ...],
    allocation: tuple[float, ...],
    n: int,
) -> Theatre:
    battles = tuple(
        _battle(f.law, x, f.opponent_force, f.a, f.b, f.breakpoint, n)
        for f, x in zip(fronts, allocation, strict=True)
    )
    return Theatre(total, rule, fronts, shares, allocation, battles, n)


# --- reallocation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FrontComparison:
    """One front, baseline against scenario. On the secured front the scenario has no battle
    (its scenario fields are ``None``)."""

    front: str
    secured: bool
    force_baseline: float
    force_scenario: float
    opponent_force: float
    force_ratio_baseline: float | None
    force_ratio_scenario: float | None
    winner_baseline: str
    winner_scenario: str | None
    survivors_baseline: float
    survivors_scenario: float | None
    opponent_survivors_baseline: float
    opponent_survivors_scenario: float | None
    end_time_baseline: float
    end_time_scenario: float | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            out[k] = _num(v) if isinstance(v, float) else v
        return out


@dataclass(frozen=True)
class Reallocation:
    """A front secured, its forces moved to the other fronts: the baseline theatre, the
    scenario theatre (without the secured front) and one comparison per front."""

    baseline: Theatre
    scenario: Theatre
    secured: str
    #: the force moved off the secured front
    moved: float
    #: the front that received it all, or ``None`` for pro rata
    to: str | None
    comparisons: tuple[FrontComparison, ...]
    illustration: bool = True
    note: str = NOTE

    def frame(self) -> pl.DataFrame:
        """One row per front (``None`` where undefined or infinite)."""
        return pl.DataFrame([c.to_dict() for c in self.comparisons], schema=_COMPARISON_SCHEMA)

    def to_dict(self) -> dict[str, Any]:
        return {
            "secured": self.secured,
            "moved": self.moved,
            "to": self.to,
            "total": self.baseline.total,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "baseline": self.baseline.to_dict(),
            "scenario": self.scenario.to_dict(),
            "illustration": self.illustration,
            "note": self.note,
        }


_COMPARISON_SCHEMA = {
    "front": pl.String,
    "secured": pl.Boolean,
    "force_baseline": pl.Float64,
    "force_scenario": pl.Float64,
    "opponent_force": pl.Float64,
    "force_ratio_baseline": pl.Float64,
    "force_ratio_scenario": pl.Float64,
    "winner_baseline": pl.String,
    "winner_scenario": pl.String,
    "survivors_baseline": pl.Float64,
    "survivors_scenario": pl.Float64,
    "opponent_survivors_baseline": pl.Float64,
    "opponent_survivors_scenario": pl.Float64,
    "end_time_baseline": pl.Float64,
    "end_time_scenario": pl.Float64,
}


def reallocate(baseline: Any, secured: Any, *, to: Any = None) -> Reallocation:
    """Secure the front ``secured`` of the ``baseline`` theatre (its threat removed, e.g. by an
    alliance) and move the force held there to the other fronts: pro rata to their baseline
    allocation, or all to the front ``to``. Returns both theatres and a per-front comparison;
    the total force is unchanged."""
    if not isinstance(baseline, Theatre):
        raise InvalidArgumentError(
            "baseline",
            f"baseline must be a Theatre, not {type(baseline).__name__}",
            "build it with allocate(total, fronts, rule=...).",
        )
    names = baseline.names
    if len(names) < 2:
        raise InvalidArgumentError(
            "secured",
            "the baseline has a single front: there is no other front to move forces to",
            "give the baseline at least two fronts.",
        )
    secured = validate.choice(secured, "secured", names)
    others = [i for i, n in enumerate(names) if n != secured]
    k = names.index(secured)
    moved = baseline.allocation[k]
    base = [baseline.allocation[i] for i in others]
    if to is not None:
        to = validate.choice(to, "to", [names[i] for i in others])
        weights = [1.0 if names[i] == to else 0.0 for i in others]
    else:
        held = math.fsum(base)
        if held == 0 and moved > 0:
            raise InvalidArgumentError(
                "to",
                "the other fronts hold no force, so there is no pro rata split",
                "name the front that receives the forces: to='...'.",
            )
        weights = [x / held if held > 0 else 0.0 for x in base]
    new = [x + moved * w for x, w in zip(base, weights, strict=True)]
    if moved > 0:  # conservation: the rounding remainder goes to the front receiving most
        j = max(range(len(new)), key=lambda i: weights[i])
        held_before = math.fsum(baseline.allocation)
        new[j] = held_before - math.fsum(v for i, v in enumerate(new) if i != j)
    fronts = tuple(baseline.fronts[i] for i in others)
    total = baseline.total
    shares = tuple(x / total if total > 0 else 0.0 for x in new)
    rule = f"reallocated from {secured!r} " + (f"to {to!r}" if to is not None else "pro rata")
    scenario = _theatre(total, rule, fronts, shares, tuple(new), baseline.n_points)
    comparisons = []
    for i, (f, xb, bb) in enumerate(
        zip(baseline.fronts, baseline.allocation, baseline.battles, strict=True)
    ):
        # the secured front's threat is removed: no battle there in the scenario
        j = None if i == k else others.index(i)
        bs = None if j is None else scenario.battles[j]
        comparisons.append(
            FrontComparison(
                front=f.name,
                secured=i == k,
                force_baseline=xb,
                force_scenario=0.0 if j is None else scenario.allocation[j],
                opponent_force=f.opponent_force,
                force_ratio_baseline=bb.force_ratio_start,
                force_ratio_scenario=None if bs is None else bs.force_ratio_start,
                winner_baseline=bb.winner,
                winner_scenario=None if bs is None else bs.winner,
                survivors_baseline=bb.survivors_x,
                survivors_scenario=None if bs is None else bs.survivors_x,
                opponent_survivors_baseline=bb.survivors_y,
                opponent_survivors_scenario=None if bs is None else bs.survivors_y,
                end_time_baseline=bb.end_time,
                end_time_scenario=None if bs is None else bs.end_time,
            )
        )
    return Reallocation(baseline, scenario, secured, moved, to, tuple(comparisons))


# --- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanchesterParameters:
    """A documented coefficient set: which side is x and which y, ``a`` (each y unit's
    effectiveness against x) and ``b`` (each x unit's against y), the forces, the time unit
    and the source. See docs/consequences.md, "Theatre illustration", for what was checked."""

    key: str
    name: str
    law: str
    x_label: str
    y_label: str
    a: float
    b: float
    x0: float
    y0: float
    time_unit: str
    #: (day, troops landed): x's reinforcements in the source; the closed forms ignore them
    x_reinforcements: tuple[tuple[int, float], ...]
    source: str
    note: str

    def battle(self, *, breakpoint: Any = None, n_points: Any = DEFAULT_N_POINTS) -> Battle:
        """The battle of these parameters under their law, all of x present from time 0."""
        return battle(
            self.x0, self.y0, self.a, self.b, law=self.law, breakpoint=breakpoint,
            n_points=n_points,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["x_reinforcements"] = [[d, n] for d, n in self.x_reinforcements]
        return out


#: Engel (1954), Iwo Jima, February-March 1945: x = United States, y = Japan. ``a`` = 0.0544
#: US casualties per Japanese man-day (Japanese effectiveness), ``b`` = 0.0106 Japanese
#: casualties per US man-day (US effectiveness); time in days. ``x0`` is the 73,000 US troops
#: Engel's reinforcement schedule lands in all (54,000 on day 1, 6,000 on day 3, 13,000 on day
#: 6), put ashore at once here; ``y0`` the 21,500 Japanese defenders (no reinforcement).
ENGEL_IWO_JIMA = LanchesterParameters(
    key="engel-iwo-jima",
    name="Iwo Jima, 1945 (Engel 1954)",
    law="square",
    x_label="United States",
    y_label="Japan",
    a=0.0544,
    b=0.0106,
    x0=73_000.0,
    y0=21_500.0,
    time_unit="day",
    x_reinforcements=((1, 54_000.0), (3, 6_000.0), (6, 13_000.0)),
    source=(
        'J. H. Engel (1954), "A verification of Lanchester\'s law", Journal of the '
        "Operations Research Society of America 2(2):163-171"
    ),
    note=(
        "Engel fitted dM/dt = P(t) - aN, dN/dt = -bM (M US, N Japanese, P(t) US landings); "
        "here all 73,000 US troops are present from day 0, which overstates US strength in "
        "the first days. Coefficients are specific to this battle."
    ),
)

#: Every shipped parameter set, by key.
PARAMETER_SETS: dict[str, LanchesterParameters] = {ENGEL_IWO_JIMA.key: ENGEL_IWO_JIMA}
