"""Treaties signed after ATOP's end: read, validate and code a user-supplied treaty file.

ATOP 5.1 codes alliance pledges up to 2018-12-31 (:data:`DATA_END`). To forecast past that
date, users list the treaties signed since in a small CSV file (the format, with an example,
is in ``docs/treaties.md``). :func:`read_treaties` validates the whole file and returns one
row per treaty x undirected pair of parties x pledge; :func:`treaty_ties` turns those rows into
allied dyad-years, the form in which the alliance state (who is allied to whom, the network of
allies) is updated.

Coding rules
------------
* **Pledges** use ATOP's five types: ``defense``, ``offense``, ``neutral``, ``nonagg`` and
  ``consul``. A treaty may carry several; each becomes its own row.
* **Pairs.** A treaty between *n* distinct parties ties each of its n(n-1)/2 undirected pairs
  (``ccode1 < ccode2``) with every pledge it lists. Like ATOP's non-directed dyad coding
  (``ndir``), a pledge made by either side counts for the pair.
* **Parties** are resolved with :mod:`foedus.countries` in the signing year (names, ISO3
  codes, COW abbreviations or COW numbers; the resolver's rules apply, including its
  suggestions for unknown names). Each must be a member of the COW state system on the
  signing day. The COW list ends on 2016-12-31; membership spells that run to that end are
  open ("assumed ongoing") and count as membership on any later day.
* **Dates.** ``signed`` must fall after ``after`` (by default :data:`DATA_END`: ATOP already
  codes earlier treaties) and not after today; ``ended``, when given, must not precede
  ``signed`` nor lie after today (a treaty still in force has no end date).
* **Years in force** (:func:`treaty_ties`), as in ATOP's dyad-year coding, where a pair is
  allied in a year if the alliance is in force at any time in it: a treaty is in force in
  year *y* if ``signed.year <= y`` and (``ended`` is null or ``ended.year >= y``).

Every problem in the file is collected (with its 1-based line number) and reported at once in
one :class:`TreatyFileError`.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl

from foedus import countries
from foedus.countries import CountryIndex
from foedus.errors import (
    AmbiguousCountryError,
    FoedusError,
    NotASystemMemberError,
    TreatyFileError,
    TreatyProblem,
    UnknownCountryError,
)

#: The last day ATOP 5.1 codes: treaties signed up to it are in ATOP already.
DATA_END = date(2018, 12, 31)

#: ATOP's pledge types, in ATOP's order.
PLEDGES: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")

#: Columns every treaty file must have, in the documented order.
REQUIRED_COLUMNS: tuple[str, ...] = ("treaty", "signed", "parties", "pledge", "source")
#: Columns a treaty file may have besides the required ones.
OPTIONAL_COLUMNS: tuple[str, ...] = ("ended",)
COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

#: The frame :func:`read_treaties` returns.
SCHEMA: dict[str, pl.DataType] = {
    "treaty": pl.String(),
    "line": pl.Int32(),
    "ccode1": pl.Int32(),
    "ccode2": pl.Int32(),
    "pledge": pl.String(),
    "signed": pl.Date(),
    "ended": pl.Date(),
    "source": pl.String(),
}

_EMPTY_HINTS = {
    "treaty": "give every treaty an id or name, unique in the file.",
    "signed": "give the date of signature as YYYY-MM-DD.",
    "parties": "list two or more parties separated by ';', e.g. 'France;Germany'.",
    "pledge": "give one or more of " + ", ".join(PLEDGES) + ", separated by ';'.",
    "source": "cite the treaty text or a news report on it (a URL is fine).",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- reading ----------------------------------------------------------------------------------


def read_treaties(
    path: str | Path, *, after: date = DATA_END, index: CountryIndex | None = None
) -> pl.DataFrame:
    """Read and validate a file of treaties signed after ``after`` (ATOP's end by default).

    Returns one row per treaty x undirected pair of parties x pledge, with the columns of
    :data:`SCHEMA`: ``treaty``, ``line`` (the treaty's line in the file), ``ccode1 < ccode2``,
    ``pledge``, ``signed``, ``ended`` (null while in force) and ``source``; sorted by line, pair
    and pledge. ``index`` is the country resolver (default: :func:`foedus.countries.index`, the
    real COW lists; it is loaded only if some line has parties to resolve).

    Raises :class:`TreatyFileError` listing every problem in the file (see the module
    docstring and ``docs/treaties.md`` for the rules).
    """
    path = Path(path)
    text = _read_text(path)
    problems: list[TreatyProblem] = []
    records = _records(path, text)
    header = next(records, None)
    if header is None:
        raise TreatyFileError(
            path,
            [
                TreatyProblem(
                    None,
                    "the file has no header line",
                    "the first line that is not a comment must name the columns: "
                    + ",".join(COLUMNS)
                    + " (ended is optional).",
                )
            ],
        )
    header_line, header_fields = header
    columns = [c.strip().lower() for c in header_fields]
    problems += _check_header(header_line, columns)
    if problems:
        raise TreatyFileError(path, problems)

    today = date.today()
    resolver = _Resolver(index)
    rows: list[dict[str, object]] = []
    seen_ids: dict[str, int] = {}
    for line, fields in records:
        if len(fields) != len(columns):
            problems.append(_field_count_problem(line, len(fields), len(columns)))
            continue
        values = dict(zip(columns, (f.strip() for f in fields), strict=True))
        found: list[TreatyProblem] = []
        for col in REQUIRED_COLUMNS:
            if not values[col]:
                found.append(TreatyProblem(line, f"empty {col!r}", _EMPTY_HINTS[col]))

        treaty = values["treaty"]
        if treaty:
            if treaty in seen_ids:
                found.append(
                    TreatyProblem(
                        line,
                        f"treaty {treaty!r} is already listed on line {seen_ids[treaty]}",
                        "give each treaty one line with a unique id; list every party of a "
                        "multilateral treaty in that line's 'parties', and every pledge in "
                        "its 'pledge'.",
                    )
                )
            else:
                seen_ids[treaty] = line

        signed = _parse_date(line, "signed", values["signed"], found) if values["signed"] else None
        ended = (
            _parse_date(line, "ended", values.get("ended", ""), found)
            if values.get("ended")
            else None
        )
        if signed is not None:
            found += _check_signed(line, signed, after, today)
        if ended is not None:
            if ended > today:
                found.append(
                    TreatyProblem(
                        line,
                        f"ended {ended.isoformat()} is in the future (today is "
                        f"{today.isoformat()})",
                        "record an end date only once the treaty has ended; leave 'ended' "
                        "empty while it is in force, even if it is due to expire.",
                    )
                )
            if signed is not None and ended < signed:
                found.append(
                    TreatyProblem(
                        line,
                        f"ended {ended.isoformat()} is before signed {signed.isoformat()}",
                        "check both dates (YYYY-MM-DD); a treaty cannot end before it is signed.",
                    )
                )

        pledges = _parse_pledges(line, values["pledge"], found) if values["pledge"] else []
        ccodes = (
            _parse_parties(line, values["parties"], signed, resolver, found)
            if values["parties"]
            else []
        )

        problems += found
        if found:
            continue
        for (c1, c2), pledge in itertools.product(itertools.combinations(ccodes, 2), pledges):
            rows.append(
                {
                    "treaty": treaty,
                    "line": line,
                    "ccode1": c1,
                    "ccode2": c2,
                    "pledge": pledge,
                    "signed": signed,
                    "ended": ended,
                    "source": values["source"],
                }
            )
    if problems:
        raise TreatyFileError(path, problems)
    return pl.DataFrame(rows, schema=SCHEMA, orient="row").sort(
        "line", "ccode1", "ccode2", "pledge"
    )


def _read_text(path: Path) -> str:
    if not path.exists():
        raise TreatyFileError(
            path,
            [
                TreatyProblem(
                    None,
                    "file not found",
                    "check the path (relative paths are taken from the current directory).",
                )
            ],
        )
    if not path.is_file():
        raise TreatyFileError(
            path, [TreatyProblem(None, "not a file", "give the path of the CSV file itself.")]
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise TreatyFileError(
            path,
            [
                TreatyProblem(
                    line,
                    f"not valid UTF-8 (byte 0x{data[e.start]:02x})",
                    "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8').",
                )
            ],
        ) from None


def _records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the 1-based physical line each starts on; comment lines (first
    non-blank character ``#``), blank lines and lines of empty fields are skipped."""
    kept: list[int] = []  # physical line numbers of the lines handed to the CSV reader

    def lines() -> Iterator[str]:
        for number, raw in enumerate(io.StringIO(text, newline=""), start=1):
            if raw.lstrip().startswith("#"):
                continue
            kept.append(number)
            yield raw

    reader = csv.reader(lines(), strict=True)
    consumed = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            line = kept[consumed] if consumed < len(kept) else (kept[-1] if kept else 1)
            raise TreatyFileError(
                path,
                [
                    TreatyProblem(
                        line,
                        f"not readable as CSV ({e})",
                        "enclose values that hold commas or quotes in double quotes, and "
                        'double any quote inside them ("").',
                    )
                ],
            ) from None
        start = kept[consumed]
        consumed = reader.line_num
        if any(f.strip() for f in fields):
            yield start, fields


def _check_header(line: int, columns: list[str]) -> list[TreatyProblem]:
    problems: list[TreatyProblem] = []
    valid = ", ".join(COLUMNS)
    seen: set[str] = set()
    for i, c in enumerate(columns, start=1):
        if not c:
            problems.append(
                TreatyProblem(
                    line,
                    f"column {i} of the header has no name",
                    f"remove the empty column (a trailing comma?); the columns are: {valid}.",
                )
            )
        elif c in seen:
            problems.append(TreatyProblem(line, f"column {c!r} appears twice", "keep one of them."))
        elif c not in COLUMNS:
            close = difflib.get_close_matches(c, COLUMNS, n=1, cutoff=0.6)
            problems.append(
                TreatyProblem(
                    line,
                    f"unknown column {c!r}",
                    (f"did you mean {close[0]!r}? " if close else "")
                    + f"the valid columns are: {valid} (ended is optional).",
                )
            )
        seen.add(c)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        problems.append(
            TreatyProblem(
                line,
                "missing required column"
                + ("s " if len(missing) > 1 else " ")
                + ", ".join(repr(c) for c in missing),
                "the header (the first line that is not a comment) must name the columns "
                f"{', '.join(REQUIRED_COLUMNS)}; ended is optional.",
            )
        )
    return problems


def _field_count_problem(line: int, got: int, want: int) -> TreatyProblem:
    if got > want:
        hint = (
            "a value holds a comma: enclose it in double quotes, e.g. "
            '"Treaty of Friendship, Cooperation and Mutual Assistance".'
        )
    else:
        hint = "give every column a value (an empty one for a blank 'ended'), separated by commas."
    return TreatyProblem(line, f"{got} values, but the header has {want} columns", hint)


def _parse_date(line: int, col: str, value: str, found: list[TreatyProblem]) -> date | None:
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        found.append(
            TreatyProblem(
                line,
                f"{col} {value!r} is not a date",
                "write dates in ISO form, YYYY-MM-DD (e.g. 2021-09-15), with a real month and day.",
            )
        )
        return None


def _check_signed(line: int, signed: date, after: date, today: date) -> list[TreatyProblem]:
    if signed <= after:
        if after == DATA_END:
            hint = (
                f"ATOP 5.1 already codes treaties signed up to its end ({DATA_END.isoformat()}); "
                "this file is for treaties signed later. Remove the line."
            )
        else:
            hint = (
                "the file may only hold treaties signed after the cut-off date given with "
                f"after={after.isoformat()}."
            )
        return [
            TreatyProblem(
                line, f"signed {signed.isoformat()} is not after {after.isoformat()}", hint
            )
        ]
    if signed > today:
        return [
            TreatyProblem(
                line,
                f"signed {signed.isoformat()} is in the future (today is {today.isoformat()})",
                "list only treaties that have been signed; check the year (YYYY-MM-DD).",
            )
        ]
    return []


def _parse_pledges(line: int, value: str, found: list[TreatyProblem]) -> list[str]:
    out: list[str] = []
    for raw in value.split(";"):
        p = raw.strip().lower()
        if not p:
            found.append(
                TreatyProblem(
                    line,
                    f"empty pledge in {value!r}",
                    "separate pledges with a single ';' and no ';' at either end.",
                )
            )
        elif p not in PLEDGES:
            close = difflib.get_close_matches(p, PLEDGES, n=1, cutoff=0.6)
            found.append(
                TreatyProblem(
                    line,
                    f"unknown pledge {raw.strip()!r}",
                    (f"did you mean {close[0]!r}? " if close else "")
                    + "the pledges are ATOP's: "
                    + ", ".join(PLEDGES)
                    + ".",
                )
            )
        elif p in out:
            found.append(
                TreatyProblem(line, f"pledge {p!r} is listed twice", "list each pledge once.")
            )
        else:
            out.append(p)
    return out


class _Resolver:
    """The country index, loaded on first use (so header problems need no data)."""

    def __init__(self, index: CountryIndex | None) -> None:
        self._index = index

    def get(self) -> CountryIndex:
        if self._index is None:
            self._index = countries.index()
        return self._index


def _parse_parties(
    line: int,
    value: str,
    signed: date | None,
    resolver: _Resolver,
    found: list[TreatyProblem],
) -> list[int]:
    """The parties' COW codes, sorted; problems go to ``found``."""
    names = [n.strip() for n in value.split(";")]
    if any(not n for n in names):
        found.append(
            TreatyProblem(
                line,
                f"empty party in {value!r}",
                "separate parties with a single ';' and no ';' at either end.",
            )
        )
    names = [n for n in names if n]
    if len(names) < 2:
        found.append(
            TreatyProblem(
                line,
                f"fewer than two parties ({value!r})",
                "an alliance needs two or more parties, separated by ';' (not ','), "
                "e.g. 'France;Germany'.",
            )
        )
        return []
    if signed is None:  # without a valid signing date, parties cannot be resolved by year
        return []
    idx = resolver.get()
    by_code: dict[int, str] = {}
    duplicates: list[TreatyProblem] = []
    ok = True
    for name in names:
        try:
            res = idx.resolve(name, signed.year)
        except UnknownCountryError as e:
            ok = False
            did = f"; did you mean {', '.join(e.suggestions)}?" if e.suggestions else ""
            found.append(
                TreatyProblem(
                    line,
                    f"party {name!r}: {e.message}{did}",
                    "give a country name, ISO3 code, COW abbreviation or COW code; "
                    f"`foedus country NAME --year {signed.year}` shows how a name resolves.",
                )
            )
            continue
        except AmbiguousCountryError as e:
            ok = False
            found.append(
                TreatyProblem(line, f"party {name!r}: {e.message}", e.hint or "be specific.")
            )
            continue
        except NotASystemMemberError as e:
            ok = False
            found.append(
                TreatyProblem(
                    line,
                    f"party {name!r}: {e.message} (signed {signed.isoformat()})",
                    e.hint or "check the party and the date.",
                )
            )
            continue
        st = res.state
        if not st.member_on(signed):
            ok = False
            found.append(
                TreatyProblem(
                    line,
                    f"party {name!r}: {st.name} ({st.ccode}) was not a member of the COW state "
                    f"system on {signed.isoformat()}",
                    f"its membership spells are {', '.join(str(s) for s in st.spells)}.",
                )
            )
            continue
        if st.ccode in by_code:
            first = by_code[st.ccode]
            what = (
                f"party {name!r} is listed twice ({st.name}, {st.ccode})"
                if first == name
                else f"parties {first!r} and {name!r} are the same state, {st.name} ({st.ccode})"
            )
            duplicates.append(TreatyProblem(line, what, "list each party once."))
            continue
        by_code[st.ccode] = name
    if ok and len(by_code) < 2:
        (code,) = by_code
        found.append(
            TreatyProblem(
                line,
                f"fewer than two distinct parties: every party in {value!r} is "
                f"{idx.get(code).name} ({code})",
                "an alliance needs two or more different states.",
            )
        )
    else:
        found += duplicates
    return sorted(by_code)


# --- coding -----------------------------------------------------------------------------------


def treaty_ties(
    treaties: pl.DataFrame, years: tuple[int, int], pledge: str = "defense"
) -> pl.DataFrame:
    """Allied dyad-years from :func:`read_treaties` output: ``ccode1, ccode2, year`` (Int32),
    unique and sorted, for every year of the inclusive range ``years`` in which a treaty with
    ``pledge`` is in force between the pair (``"any"``: a treaty with any pledge).

    In force in year *y*: ``signed.year <= y`` and (``ended`` is null or ``ended.year >= y``),
    ATOP's rule that a pair is allied in a year if the alliance is in force at any time in it.
    """
    p = pledge.strip().lower() if isinstance(pledge, str) else pledge
    if p != "any" and p not in PLEDGES:
        close = difflib.get_close_matches(str(p), (*PLEDGES, "any"), n=1, cutoff=0.6)
        raise FoedusError(
            f"unknown pledge {pledge!r}",
            (f"did you mean {close[0]!r}? " if close else "")
            + "choose one of "
            + ", ".join(PLEDGES)
            + ", or 'any' for all of them.",
        )
    y0, y1 = (int(y) for y in years)
    if y0 > y1:
        raise FoedusError(
            f"empty year range {years!r}", "give (first, last) with first <= last, both included."
        )
    missing = [c for c in ("ccode1", "ccode2", "pledge", "signed", "ended") if c not in treaties]
    if missing:
        raise FoedusError(
            f"the treaties frame lacks the column(s) {', '.join(missing)}",
            "pass the frame that read_treaties returns.",
        )
    d = treaties if p == "any" else treaties.filter(pl.col("pledge") == p)
    first = pl.max_horizontal(pl.col("signed").dt.year().cast(pl.Int32), pl.lit(y0, pl.Int32))
    last = pl.min_horizontal(
        pl.col("ended").dt.year().cast(pl.Int32).fill_null(y1), pl.lit(y1, pl.Int32)
    )
    return (
        d.select(
            pl.col("ccode1").cast(pl.Int32),
            pl.col("ccode2").cast(pl.Int32),
            first.alias("_first"),
            last.alias("_last"),
        )
        .filter(pl.col("_first") <= pl.col("_last"))
        .select(
            "ccode1",
            "ccode2",
            pl.int_ranges("_first", pl.col("_last") + 1, dtype=pl.Int32).alias("year"),
        )
        .explode("year")
        .unique()
        .sort("ccode1", "ccode2", "year")
    )
