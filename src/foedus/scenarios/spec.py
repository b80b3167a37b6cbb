"""Scenario files: a what-if stated precisely, read from TOML and checked line by line.

A scenario names a base year, the changes to the world in that year (add, remove or upgrade
alliance pledges between states or groups, states joining or leaving an existing alliance,
a state's capabilities or nuclear arsenal), and which consequences to compute. Every problem
found is reported with its line and a fix (:class:`~foedus.errors.ScenarioError`), all of them
at once. :func:`build_world` applies the changes to today's world, so baseline and scenario
run through the same code. The format, with examples, is in docs/consequences.md, "Scenario
files".
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foedus import countries, validate
from foedus.consequences.conflict_design import DEFAULT_SPEC, SPECS
from foedus.countries import CountryIndex
from foedus.errors import (
    AmbiguousCountryError,
    FoedusError,
    NotASystemMemberError,
    ScenarioError,
    ScenarioProblem,
    UnknownCountryError,
    WorldError,
)
from foedus.world import (
    PLEDGE_ALIASES,
    PLEDGES,
    World,
    alliance_id,
    current_world,
    pledge_coverage,
)

#: The change kinds and the keys each takes (besides ``kind`` and ``note``).
CHANGE_KEYS: dict[str, tuple[str, ...]] = {
    "add": ("pledge", "between", "parties", "with"),
    "remove": ("pledge", "between", "parties", "with"),
    "upgrade": ("from", "to", "between", "parties", "with"),
    "join": ("alliance", "states"),
    "leave": ("alliance", "states"),
    "capabilities": ("state", "cinc", "scale"),
    "nuclear": ("state", "warheads"),
}
#: The consequences a scenario may ask for (docs/consequences.md has one section each).
CONSEQUENCES: tuple[str, ...] = (
    "blocs",
    "war_trap",
    "conflict_risk",
    "dependence",
    "network",
    "theatre",
)
SCENARIO_KEYS = ("name", "year", "description", "treaties")
CONSEQUENCE_KEYS = ("compute", "dyads", "opponents", "draws", "conflict_spec")
TOP_KEYS = ("scenario", "changes", "consequences", "theatre")
MAX_DRAWS = 100_000


@dataclass(frozen=True)
class Change:
    """One change of a scenario, its states resolved to COW codes for the base year.

    ``pairs``: the state pairs a pledge change applies to (``add``/``remove``/``upgrade``);
    ``states``: the states joining or leaving ``alliance`` (``join``/``leave``), or the one
    state of a ``capabilities``/``nuclear`` change; ``line``: where it is written (None when
    built in code)."""

    kind: str
    pledge: str | None = None
    to: str | None = None
    pairs: tuple[tuple[int, int], ...] = ()
    states: tuple[int, ...] = ()
    alliance: int | None = None
    cinc: float | None = None
    scale: float | None = None
    warheads: int | None = None
    note: str | None = None
    line: int | None = None

    def describe(self) -> str:
        if self.kind in ("add", "remove"):
            return f"{self.kind} {self.pledge} " + _pairs_text(self.pairs)
        if self.kind == "upgrade":
            return f"upgrade {_pairs_text(self.pairs)} from {self.pledge} to {self.to}"
        if self.kind in ("join", "leave"):
            return f"{', '.join(map(str, self.states))} {self.kind} alliance {self.alliance}"
        if self.kind == "capabilities":
            what = f"CINC {self.cinc:g}" if self.cinc is not None else f"x{self.scale:g}"
            return f"capabilities of {self.states[0]}: {what}"
        return f"warheads of {self.states[0]}: {self.warheads}"


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: base year, changes, consequences to compute and their settings."""

    name: str
    year: int
    changes: tuple[Change, ...]
    description: str = ""
    compute: tuple[str, ...] = CONSEQUENCES
    #: directed pairs whose expected utility of war and conflict risk are reported
    dyads: tuple[tuple[int, int], ...] = ()
    #: the states the new bloc is compared with (nuclear balance); default: none given
    opponents: tuple[int, ...] = ()
    draws: int = 1000
    #: the conflict-risk specification (a name of foedus.consequences.conflict_design.SPECS)
    conflict_spec: str = DEFAULT_SPEC
    treaties: Path | None = None
    theatre: dict[str, Any] = field(default_factory=dict)
    path: str = "<scenario>"

    @property
    def parties(self) -> tuple[int, ...]:
        """Every state a change names, in order of first mention."""
        seen: dict[int, None] = {}
        for ch in self.changes:
            for a, b in ch.pairs:
                seen.setdefault(a)
                seen.setdefault(b)
            for s in ch.states:
                seen.setdefault(s)
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "year": self.year,
            "description": self.description,
            "changes": [c.describe() for c in self.changes],
            "compute": list(self.compute),
            "dyads": [list(d) for d in self.dyads],
            "opponents": list(self.opponents),
            "draws": self.draws,
            "conflict_spec": self.conflict_spec,
            "treaties": str(self.treaties) if self.treaties else None,
        }


# --- reading -----------------------------------------------------------------------------------


def read_scenario(path: str | Path, *, index: CountryIndex | None = None) -> Scenario:
    """Read and check a scenario file (see the module docstring); raises
    :class:`~foedus.errors.ScenarioError` listing every problem with its line. ``index``: the
    country index states are resolved with (default foedus's)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(
            p, [ScenarioProblem(None, "no such file", "check the path (relative to here).")]
        ) from None
    except IsADirectoryError:
        raise ScenarioError(
            p, [ScenarioProblem(None, "is a directory", "give a scenario file (.toml).")]
        ) from None
    except OSError as e:
        raise ScenarioError(
            p, [ScenarioProblem(None, f"cannot be read ({e.strerror})", "check its permissions.")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ScenarioError(
            p, [ScenarioProblem(line, "is not UTF-8 text", "save the file as UTF-8.")]
        ) from None
    return parse_scenario(text, str(p), base_dir=p.parent, index=index)


def parse_scenario(
    text: str,
    path: str = "<scenario>",
    *,
    base_dir: Path | None = None,
    index: CountryIndex | None = None,
) -> Scenario:
    """Check the TOML ``text`` of a scenario (``path`` names it in errors; ``base_dir``
    resolves a relative treaty file)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        line = int(m.group(1)) if m else None
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise ScenarioError(
            path,
            [
                ScenarioProblem(
                    line,
                    f"not valid TOML: {msg}",
                    "check quotes, brackets and '=' on that line (strings need double quotes; "
                    "each change is a [[changes]] table).",
                )
            ],
        ) from None
    return _Checker(text, path, base_dir, index).check(doc)


# --- checking ----------------------------------------------------------------------------------


class _Lines:
    """Where tables and keys are written, so each problem can name its line."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []
        for i, ln in enumerate(self.lines, start=1):
            m = re.match(r"\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?", ln)
            if m:
                self.headers.append((i, m.group(2)))

    def table(self, name: str, nth: int = 0) -> int | None:
        found = [i for i, n in self.headers if n == name]
        return found[nth] if nth < len(found) else None

    def key(self, table: str | None, key: str, nth: int = 0) -> int | None:
        """The line of ``key = ...`` inside the ``nth`` table ``table`` (None: top level)."""
        start = 0 if table is None else self.table(table, nth)
        if start is None:
            return None
        ends = [i for i, _ in self.headers if i > start]
        end = ends[0] if ends else len(self.lines) + 1
        pat = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for i in range(start + 1 if table is not None else 1, end):
            if pat.match(self.lines[i - 1]):
                return i
        return start or None


class _Checker:
    def __init__(
        self, text: str, path: str, base_dir: Path | None, index: CountryIndex | None
    ) -> None:
        self.index = index
        self.at = _Lines(text)
        self.path = path
        self.base_dir = base_dir
        self.problems: list[ScenarioProblem] = []

    def problem(self, line: int | None, message: str, hint: str) -> None:
        self.problems.append(ScenarioProblem(line, message, hint))

    def unknown_keys(self, table: dict, allowed: Sequence[str], where: str, line_of) -> None:
        for k in table:
            if k not in allowed:
                close = difflib.get_close_matches(k, allowed, n=1, cutoff=0.6)
                self.problem(
                    line_of(k),
                    f"unknown key {k!r} in {where}",
                    (f"did you mean {close[0]!r}? " if close else "")
                    + "allowed: "
                    + ", ".join(allowed)
                    + ".",
                )

    # -- the parts --------------------------------------------------------------------------

    def check(self, doc: dict[str, Any]) -> Scenario:
        self.unknown_keys(
            doc, TOP_KEYS, "the file", lambda k: self.at.table(k) or self.at.key(None, k)
        )
        head = doc.get("scenario")
        if not isinstance(head, dict):
            self.problem(
                None,
                "no [scenario] table",
                'start the file with [scenario], its name = "..." and year = YYYY.',
            )
            raise ScenarioError(self.path, self.problems)
        self.unknown_keys(head, SCENARIO_KEYS, "[scenario]", lambda k: self.at.key("scenario", k))
        name = head.get("name", Path(self.path).stem)
        if not isinstance(name, str) or not name.strip():
            self.problem(
                self.at.key("scenario", "name"),
                "name must be text",
                'e.g. name = "Russia-China pact".',
            )
            name = "scenario"
        year = self.year(head)
        description = head.get("description", "")
        if not isinstance(description, str):
            self.problem(
                self.at.key("scenario", "description"),
                "description must be text",
                'use quotes: description = "..."',
            )
            description = ""
        treaties = self.treaties(head.get("treaties"))
        changes = self.changes(doc.get("changes"), year)
        compute, dyads, opponents, draws, conflict_spec = self.consequences(
            doc.get("consequences", {}), year
        )
        theatre = doc.get("theatre", {})
        if not isinstance(theatre, dict):
            self.problem(
                self.at.key(None, "theatre"),
                "theatre must be a table",
                "write [theatre] and its keys.",
            )
            theatre = {}
        if self.problems:
            raise ScenarioError(self.path, self.problems)
        assert year is not None
        sc = Scenario(
            name=name.strip(),
            year=year,
            changes=tuple(changes),
            description=description.strip(),
            compute=compute,
            dyads=dyads,
            opponents=opponents,
            draws=draws,
            conflict_spec=conflict_spec,
            treaties=treaties,
            theatre=theatre,
            path=self.path,
        )
        self.contradictions(sc)
        if self.problems:
            raise ScenarioError(self.path, self.problems)
        return sc

    def year(self, head: dict) -> int | None:
        line = self.at.key("scenario", "year")
        if "year" not in head:
            self.problem(
                self.at.table("scenario"),
                "[scenario] has no year",
                "add year = YYYY, the base year.",
            )
            return None
        y = head["year"]
        first, _ = pledge_coverage()
        lo, hi = max(first, validate.first_year()), validate.latest_year()
        if isinstance(y, bool) or not isinstance(y, int):
            self.problem(
                line,
                f"year must be a whole number, not {y!r}",
                "write e.g. year = 2021 (no quotes).",
            )
            return None
        if not lo <= y <= hi:
            self.problem(
                line,
                f"year {y} is outside {lo}-{hi}",
                f"the base year must lie between the state system's first year ({lo}) and "
                f"{hi}; {validate.future_reason()}",
            )
            return None
        return y

    def treaties(self, value: object) -> Path | None:
        if value is None:
            return None
        line = self.at.key("scenario", "treaties")
        if not isinstance(value, str) or not value.strip():
            self.problem(line, "treaties must be a file name", 'e.g. treaties = "../treaties.csv".')
            return None
        p = Path(value)
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir / p
        if not p.is_file():
            self.problem(
                line,
                f"treaty file {value!r} not found",
                "give a path relative to the scenario file.",
            )
            return None
        return p

    def state(self, value: object, year: int | None, line: int | None) -> int | None:
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(
                line,
                f"a state is a name or a COW code, not {value!r}",
                'e.g. "Russia", "RUS" or 365.',
            )
            return None
        try:
            idx = self.index if self.index is not None else countries.index()
            return idx.resolve(value, year).ccode
        except UnknownCountryError as e:
            self.problem(
                line, str(e.message), e.hint or "check the spelling (foedus country NAME)."
            )
        except (AmbiguousCountryError, NotASystemMemberError) as e:
            self.problem(
                line,
                f"{value!r}: {e.message}" if year is None else f"{value!r} in {year}: {e.message}",
                e.hint or "name another state.",
            )
        return None

    def states(self, value: object, year: int | None, line: int | None, what: str) -> list[int]:
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not value:
            self.problem(
                line, f"{what} must be a list of states", f'e.g. {what} = ["Russia", "China"].'
            )
            return []
        out = [self.state(v, year, line) for v in value]
        codes = [c for c in out if c is not None]
        if len(set(codes)) < len(codes):
            dup = sorted({c for c in codes if codes.count(c) > 1})
            self.problem(
                line, f"{what} names the same state twice (COW {dup})", "name each state once."
            )
            return []
        return codes if len(codes) == len(out) else []

    def pledge(self, value: object, line: int | None, key: str = "pledge") -> str | None:
        if isinstance(value, str):
            p = value.strip().lower()
            p = PLEDGE_ALIASES.get(p, p)
            if p in PLEDGES:
                return p
        names = [*PLEDGES, *PLEDGE_ALIASES]
        close = difflib.get_close_matches(str(value).lower(), names, n=1, cutoff=0.6)
        self.problem(
            line,
            f"unknown pledge type {value!r}",
            (f"did you mean {PLEDGE_ALIASES.get(close[0], close[0])!r}? " if close else "")
            + f"write {key} = one of "
            + ", ".join(f'"{p}"' for p in PLEDGES)
            + " (defence, offence, neutrality, non-aggression, consultation).",
        )
        return None

    def pairs(self, ch: dict, year: int | None, nth: int) -> tuple[tuple[int, int], ...]:
        line = lambda k: self.at.key("changes", k, nth)  # noqa: E731
        has_between = "between" in ch
        has_parties = "parties" in ch or "with" in ch
        if has_between == has_parties:
            self.problem(
                self.at.table("changes", nth),
                "a pledge change needs either between = [...] or parties = [...] with with = [...]",
                'between = ["Russia", "China"] ties every pair of them (a multilateral pact); '
                'parties = ["United States"] with with = ["Japan", "Philippines"] ties each '
                "party to each of with.",
            )
            return ()
        if has_between:
            group = self.states(ch["between"], year, line("between"), "between")
            if len(group) == 1:
                self.problem(
                    line("between"),
                    "between names one state",
                    "an alliance needs two or more states.",
                )
            return tuple((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
        if "parties" not in ch or "with" not in ch:
            missing = "with" if "parties" in ch else "parties"
            self.problem(
                self.at.table("changes", nth),
                f"parties and with go together: {missing} is missing",
                f"add {missing} = [...].",
            )
            return ()
        a = self.states(ch["parties"], year, line("parties"), "parties")
        b = self.states(ch["with"], year, line("with"), "with")
        both = sorted(set(a) & set(b))
        if both:
            self.problem(
                line("with"),
                f"COW {both} are both in parties and with",
                "a state cannot ally with itself.",
            )
            return ()
        return tuple((x, y) for x in a for y in b)

    def changes(self, value: object, year: int | None) -> list[Change]:
        if value is None:
            self.problem(
                None,
                "the scenario has no changes",
                "add at least one [[changes]] table (see docs/consequences.md).",
            )
            return []
        if not isinstance(value, list):
            self.problem(
                self.at.key(None, "changes"),
                "changes must be [[changes]] tables",
                "write each change as a [[changes]] table.",
            )
            return []
        out = []
        for nth, ch in enumerate(value):
            head = self.at.table("changes", nth)
            if not isinstance(ch, dict):
                self.problem(head, "a change must be a table", "write [[changes]] and its keys.")
                continue
            kind = ch.get("kind")
            if kind not in CHANGE_KEYS:
                close = difflib.get_close_matches(str(kind), list(CHANGE_KEYS), n=1, cutoff=0.5)
                self.problem(
                    self.at.key("changes", "kind", nth) if "kind" in ch else head,
                    f"change {nth + 1}: "
                    + (f"unknown kind {kind!r}" if "kind" in ch else "no kind"),
                    (f"did you mean {close[0]!r}? " if close else "")
                    + "kind is one of "
                    + ", ".join(f'"{k}"' for k in CHANGE_KEYS)
                    + ".",
                )
                continue
            allowed = ("kind", "note", *CHANGE_KEYS[kind])
            self.unknown_keys(
                ch, allowed, f"a {kind} change", lambda k, n=nth: self.at.key("changes", k, n)
            )
            note = ch.get("note") if isinstance(ch.get("note"), str) else None
            line = lambda k, n=nth: self.at.key("changes", k, n)  # noqa: E731
            made = None
            if kind in ("add", "remove"):
                p = self.pledge(ch.get("pledge"), line("pledge")) if "pledge" in ch else None
                if "pledge" not in ch:
                    self.problem(
                        head, f'a {kind} change needs pledge = "..."', 'e.g. pledge = "defense".'
                    )
                pairs = self.pairs(ch, year, nth)
                if p and pairs:
                    made = Change(kind, pledge=p, pairs=pairs, note=note, line=head)
            elif kind == "upgrade":
                old = self.pledge(ch.get("from"), line("from"), "from") if "from" in ch else None
                new = self.pledge(ch.get("to"), line("to"), "to") if "to" in ch else None
                if "from" not in ch or "to" not in ch:
                    self.problem(
                        head,
                        'an upgrade needs from = "..." and to = "..."',
                        'e.g. from = "consul", to = "defense".',
                    )
                pairs = self.pairs(ch, year, nth)
                if old and new and old == new:
                    self.problem(
                        line("to"),
                        f"an upgrade from {old} to {new} changes nothing",
                        "give two different pledge types.",
                    )
                elif old and new and pairs:
                    made = Change(kind, pledge=old, to=new, pairs=pairs, note=note, line=head)
            elif kind in ("join", "leave"):
                aid = None
                if "alliance" not in ch:
                    self.problem(
                        head,
                        f"a {kind} change needs alliance = ...",
                        'e.g. alliance = "NATO" (or its ATOP id, 3180).',
                    )
                else:
                    try:
                        aid = alliance_id(ch["alliance"])
                    except FoedusError as e:
                        self.problem(line("alliance"), e.message, e.hint or "")
                sts = self.states(
                    ch.get("states"), year, line("states") if "states" in ch else head, "states"
                )
                if aid is not None and sts:
                    made = Change(kind, alliance=aid, states=tuple(sts), note=note, line=head)
            elif kind == "capabilities":
                st = self.state(ch.get("state"), year, line("state") if "state" in ch else head)
                cinc, scale = ch.get("cinc"), ch.get("scale")
                if (cinc is None) == (scale is None):
                    self.problem(
                        head,
                        "a capabilities change needs cinc = ... or scale = ... (one of them)",
                        "cinc = 0.2 sets the CINC share; scale = 1.5 multiplies the state's "
                        "capabilities.",
                    )
                elif cinc is not None and (
                    isinstance(cinc, bool) or not isinstance(cinc, int | float) or not 0 < cinc < 1
                ):
                    self.problem(
                        line("cinc"),
                        f"cinc must be a share between 0 and 1, not {cinc!r}",
                        "CINC is the state's share of the system's capabilities, e.g. cinc = 0.25.",
                    )
                elif scale is not None and (
                    isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0
                ):
                    self.problem(
                        line("scale"),
                        f"scale must be a positive number, not {scale!r}",
                        "e.g. scale = 1.5 for half as much again.",
                    )
                elif st is not None:
                    made = Change(
                        kind,
                        states=(st,),
                        cinc=None if cinc is None else float(cinc),
                        scale=None if scale is None else float(scale),
                        note=note,
                        line=head,
                    )
            else:  # nuclear
                st = self.state(ch.get("state"), year, line("state") if "state" in ch else head)
                n = ch.get("warheads")
                if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                    self.problem(
                        line("warheads") if "warheads" in ch else head,
                        f"warheads must be a whole number >= 0, not {n!r}",
                        "e.g. warheads = 1000.",
                    )
                elif st is not None:
                    made = Change(kind, states=(st,), warheads=n, note=note, line=head)
            if made is not None:
                out.append(made)
        return out

    def consequences(self, value: object, year: int | None):
        compute, dyads, opponents, draws, spec = CONSEQUENCES, (), (), 1000, DEFAULT_SPEC
        if not isinstance(value, dict):
            self.problem(
                self.at.key(None, "consequences"),
                "consequences must be a table",
                "write [consequences] and its keys.",
            )
            return compute, dyads, opponents, draws, spec
        self.unknown_keys(
            value, CONSEQUENCE_KEYS, "[consequences]", lambda k: self.at.key("consequences", k)
        )
        line = lambda k: self.at.key("consequences", k)  # noqa: E731
        if "compute" in value:
            c = value["compute"]
            names = [c] if isinstance(c, str) else c
            if (
                not isinstance(names, list)
                or not names
                or not all(isinstance(n, str) for n in names)
            ):
                self.problem(
                    line("compute"),
                    "compute must be a list of consequence names",
                    'e.g. compute = ["blocs", "conflict_risk"].',
                )
            else:
                bad = [n for n in names if n not in CONSEQUENCES]
                for n in bad:
                    close = difflib.get_close_matches(n, CONSEQUENCES, n=1, cutoff=0.5)
                    self.problem(
                        line("compute"),
                        f"unknown consequence {n!r}",
                        (f"did you mean {close[0]!r}? " if close else "")
                        + "choose from "
                        + ", ".join(CONSEQUENCES)
                        + ".",
                    )
                if not bad:
                    compute = tuple(dict.fromkeys(names))
        if "dyads" in value:
            d = value["dyads"]
            ok = isinstance(d, list) and all(isinstance(x, list) and len(x) == 2 for x in d)
            if not ok:
                self.problem(
                    line("dyads"),
                    "dyads must be a list of [challenger, target] pairs",
                    'e.g. dyads = [["USA", "CHN"], ["CHN", "TWN"]].',
                )
            else:
                got = []
                for a, b in d:
                    ca, cb = self.state(a, year, line("dyads")), self.state(b, year, line("dyads"))
                    if ca is not None and cb is not None:
                        if ca == cb:
                            self.problem(
                                line("dyads"),
                                f"dyad [{a!r}, {b!r}] names one state twice",
                                "give two different states.",
                            )
                        else:
                            got.append((ca, cb))
                dyads = tuple(dict.fromkeys(got))
        if "opponents" in value:
            opponents = tuple(self.states(value["opponents"], year, line("opponents"), "opponents"))
        if "draws" in value:
            n = value["draws"]
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_DRAWS:
                self.problem(
                    line("draws"),
                    f"draws must be a whole number from 1 to {MAX_DRAWS:,}, not {n!r}",
                    "e.g. draws = 1000.",
                )
            else:
                draws = n
        if "conflict_spec" in value:
            c = value["conflict_spec"]
            if c not in SPECS:
                close = difflib.get_close_matches(str(c), SPECS, n=1, cutoff=0.5)
                self.problem(
                    line("conflict_spec"),
                    f"unknown conflict-risk specification {c!r}",
                    (f"did you mean {close[0]!r}? " if close else "")
                    + "choose from "
                    + ", ".join(SPECS)
                    + ".",
                )
            else:
                spec = c
        return compute, dyads, opponents, draws, spec

    def contradictions(self, sc: Scenario) -> None:
        """Changes that undo or repeat each other."""
        seen: dict[tuple[str, int, int], Change] = {}
        for ch in sc.changes:
            if ch.kind in ("add", "remove"):
                for a, b in ch.pairs:
                    key = (ch.pledge or "", min(a, b), max(a, b))
                    prev = seen.get(key)
                    if prev is not None:
                        what = "repeats" if prev.kind == ch.kind else "contradicts"
                        self.problem(
                            ch.line,
                            f"this change {what} the one on line {prev.line}: "
                            f"{ch.pledge} between COW {a} and {b}",
                            "keep one of them.",
                        )
                    seen[key] = ch
        members: dict[tuple[int, int], Change] = {}
        for ch in sc.changes:
            if ch.kind in ("join", "leave"):
                for s in ch.states:
                    prev = members.get((ch.alliance or 0, s))
                    if prev is not None:
                        self.problem(
                            ch.line,
                            f"COW {s} already {prev.kind}s alliance {ch.alliance} "
                            f"on line {prev.line}",
                            "keep one of the two changes.",
                        )
                    members[(ch.alliance or 0, s)] = ch
        caps: dict[tuple[str, int], Change] = {}
        for ch in sc.changes:
            if ch.kind in ("capabilities", "nuclear"):
                prev = caps.get((ch.kind, ch.states[0]))
                if prev is not None:
                    self.problem(
                        ch.line,
                        f"{ch.kind} of COW {ch.states[0]} are already set on line {prev.line}",
                        "give one change per state.",
                    )
                caps[(ch.kind, ch.states[0])] = ch


def _pairs_text(pairs: Sequence[tuple[int, int]]) -> str:
    shown = ", ".join(f"{a}-{b}" for a, b in pairs[:6])
    return shown + (f" (+{len(pairs) - 6} pairs)" if len(pairs) > 6 else "")


# --- the scenario's world ----------------------------------------------------------------------


def baseline_world(scenario: Scenario) -> World:
    """Today's world through the scenario's base year (with its treaty file, if any)."""
    treaties = None
    if scenario.treaties is not None:
        from foedus.prospects.treaties import read_treaties

        treaties = read_treaties(scenario.treaties)
    last = pledge_coverage()[1]
    return current_world(
        through=max(scenario.year, last) if treaties is not None or scenario.year > last else None,
        treaties=treaties,
    )


def build_world(scenario: Scenario, base: World | None = None) -> World:
    """The scenario's world: ``base`` (default :func:`baseline_world`) with every change
    applied in the base year. A change the world contradicts (a tie that already exists, a
    state not in the alliance it leaves) is a :class:`~foedus.errors.ScenarioError` naming the
    change's line."""
    w = baseline_world(scenario) if base is None else base
    y = scenario.year
    problems: list[ScenarioProblem] = []
    for ch in scenario.changes:
        try:
            w = apply_change(w, ch, y)
        except WorldError as e:
            problems.append(ScenarioProblem(ch.line, e.message, e.hint or ""))
    if problems:
        raise ScenarioError(scenario.path, problems)
    return w


def apply_change(world: World, ch: Change, year: int) -> World:
    """``world`` with one change applied from ``year`` on."""
    if ch.kind == "add":
        return world.with_pledge(ch.pairs, ch.pledge or "", year, note=ch.note)
    if ch.kind == "remove":
        return world.without_pledge(ch.pairs, ch.pledge or "", year, note=ch.note)
    if ch.kind == "upgrade":
        return world.with_upgrade(ch.pairs, ch.pledge or "", ch.to or "", year, note=ch.note)
    if ch.kind in ("join", "leave"):
        for s in ch.states:
            if ch.kind == "join":
                world = world.with_member(s, ch.alliance or 0, year, note=ch.note)
            else:
                world = world.without_member(s, ch.alliance or 0, year, note=ch.note)
        return world
    if ch.kind == "capabilities":
        return world.with_capabilities(
            ch.states[0], (year, year), cinc=ch.cinc, scale=ch.scale, note=ch.note
        )
    return world.with_warheads(ch.states[0], (year, year), ch.warheads or 0, note=ch.note)
