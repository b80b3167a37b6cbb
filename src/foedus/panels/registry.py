"""The enrichers, by name: what ``foedus panel --add`` and ``--list`` know about.

Every enricher has an option schema (:class:`Option`), derived from its signature and type
hints when it is registered: ``bool``, ``int``, ``str``, ``Literal[...]`` (a ``str`` with those
choices) and ``Sequence[str]`` (names: one name or a list of them), ``| None`` where None is
allowed; the registration adds what the hints cannot say (the allowed values of a ``str`` or of
a list's entries, bounds, the fewest entries). :func:`check_options` checks options against
the schema, and every registered enricher runs it on its own options before it looks at the
panel or loads anything, so the Python API and the command line refuse the same mistakes with
the same :class:`~foedus.errors.EnricherOptionError`. An enricher whose result depends on the
alliances in force also takes ``world=`` (a :class:`foedus.world.World`, from Python only;
default today's data). :func:`parse_spec` reads the command
line's ``--add`` syntax (``atop,nmc:version=6.0;keep=cinc|milex,rivalries:source=td``) and
checks it the same way.
"""

from __future__ import annotations

import collections.abc
import difflib
import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from foedus import validate
from foedus.errors import EnricherOptionError, InvalidArgumentError
from foedus.panels.base import Kind, System

OptionType = Literal["bool", "int", "str", "names"]

_LIST_HINT = "`foedus panel --list` shows them all."


@dataclass(frozen=True)
class Option:
    """One keyword option of an enricher.

    ``type`` is ``"bool"``, ``"int"``, ``"str"`` or ``"names"`` (one name or a sequence of
    names). ``choices`` are the allowed values of a ``str`` or the allowed entries of
    ``names`` (a tuple, or a function returning one, for values known only in another module);
    ``lo`` / ``hi`` bound an ``int`` (``hi`` may be a function, e.g. of a catalog coverage);
    ``at_least`` is the fewest entries of ``names``, and ``empty`` says what fewer would mean
    (for the error); ``nullable``: None is allowed (it means the default behaviour).
    """

    name: str
    type: OptionType
    default: Any
    choices: Sequence[str] | Callable[[], Sequence[str]] | None = None
    nullable: bool = False
    lo: int | None = None
    hi: int | Callable[[], int] | None = None
    at_least: int = 0
    empty: str = "nothing would be added"

    def allowed(self) -> tuple[str, ...] | None:
        """The allowed values (``str``) or entries (``names``), or None if any are."""
        c = self.choices() if callable(self.choices) else self.choices
        return None if c is None else tuple(c)

    def upper(self) -> int | None:
        return self.hi() if callable(self.hi) else self.hi

    def describe(self) -> str:
        """One line for listings and hints, e.g. ``keep: names from milex, ... (default:
        all)``."""
        allowed = self.allowed()
        if self.type == "bool":
            what = "true or false"
        elif self.type == "int":
            lo, hi = self.lo, self.upper()
            what = "a whole number" + (
                f" from {lo} to {hi}"
                if lo is not None and hi is not None
                else (f" >= {lo}" if lo is not None else (f" <= {hi}" if hi is not None else ""))
            )
        elif self.type == "str":
            what = "one of " + ", ".join(allowed) if allowed else "text"
        else:
            what = "a name or a list of names" + (f" from {', '.join(allowed)}" if allowed else "")
            if self.at_least:
                what += f", at least {self.at_least}"
        default = "all" if self.default is None and self.type == "names" else repr(self.default)
        return f"{self.name}: {what} (default {default})"

    def check(self, value: Any, label: str) -> Any:
        """``value`` checked (and, for ``bool``/``int``, as the Python type); the error's
        argument is ``label`` (``nmc:keep``)."""
        if value is None:
            if self.nullable:
                return None
            raise EnricherOptionError(
                label, f"{label} cannot be None", f"give {self.describe()}, or leave it out."
            )
        try:
            if self.type == "bool":
                return validate.flag(value, label)
            if self.type == "int":
                return validate.integer(value, label, lo=self.lo, hi=self.upper())
            allowed = self.allowed()
            if self.type == "str":
                return (
                    validate.choice(value, label, allowed)
                    if allowed
                    else validate.text(value, label)
                )
            items = validate.names(value, label, allowed=allowed)
            if len(items) < self.at_least:
                some = f" of {', '.join(allowed)}" if allowed else ""
                raise EnricherOptionError(
                    label,
                    f"{label} is empty: {self.empty}"
                    if not items
                    else f"{label} needs at least {self.at_least} entries",
                    f"give at least {self.at_least}{some}, or leave {self.name} out "
                    + ("for all of them." if self.default is None else "for the default."),
                )
            return value if isinstance(value, str) else items
        except EnricherOptionError:
            raise
        except InvalidArgumentError as e:
            hint = e.hint
            if self.type == "int":  # the bounds and the default, whatever was wrong
                hint = f"{label.split(':')[0]} takes {self.describe()}."
            raise EnricherOptionError(label, e.message, hint) from None


def _takes(who: str, options: Sequence[Option]) -> str:
    """``"nmc takes: version: ...; keep: ...."`` for hints."""
    if not options:
        return f"{who} takes no options."
    return f"{who} takes: " + "; ".join(o.describe() for o in options) + "."


@dataclass(frozen=True)
class Enricher:
    """An enricher's name, function and the facts a user needs to choose it."""

    name: str
    func: Callable[..., pl.DataFrame]
    kinds: tuple[Kind, ...]
    systems: tuple[System, ...]
    #: the years the enricher covers, or the catalog data set whose coverage they are
    covers: tuple[int, int] | str | None
    sources: tuple[str, ...]
    adds: str
    summary: str
    options: tuple[Option, ...] = ()

    @property
    def coverage(self) -> tuple[int, int] | None:
        """The years the enricher covers (a data set's from the catalog, read once)."""
        if isinstance(self.covers, str):
            return validate.coverage(self.covers)
        return self.covers

    def option(self, name: str) -> Option:
        """The option called ``name``, or an :class:`EnricherOptionError` naming the close
        matches and every option the enricher takes."""
        for o in self.options:
            if o.name == name:
                return o
        label = f"{self.name}:{name}"
        takes = [o.name for o in self.options]
        close = difflib.get_close_matches(name, takes, n=2) if isinstance(name, str) else []
        raise EnricherOptionError(
            label,
            f"enricher {self.name!r} has no option {name!r}",
            (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "")
            + _takes(self.name, self.options),
        )

    def describe_options(self) -> str:
        """The options, one per line (empty when there are none)."""
        return "\n".join(o.describe() for o in self.options)


ENRICHERS: dict[str, Enricher] = {}


def get(name: str) -> Enricher:
    """The enricher registered as ``name``; an unknown name's error lists the close ones."""
    if not isinstance(name, str):
        raise EnricherOptionError(
            "name",
            f"an enricher name must be text, not {type(name).__name__} {name!r:.60}",
            "pass a name such as 'nmc'; " + _LIST_HINT,
        )
    if name in ENRICHERS:
        return ENRICHERS[name]
    close = difflib.get_close_matches(name.strip().lower(), list(ENRICHERS), n=3)
    raise EnricherOptionError(
        name,
        f"unknown enricher {name!r}",
        (f"did you mean {', '.join(close)}? " if close else "") + _LIST_HINT,
    )


def check_options(name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` for enricher ``name`` checked against its schema: the same dict (booleans
    and whole numbers as Python ``bool``/``int``; a sequence of names as a list, one name as
    given). Raises :class:`EnricherOptionError` for an unknown option (with close matches and
    what the enricher takes), a value of the wrong type or a value it does not allow."""
    e = get(name)
    if not isinstance(options, Mapping):
        raise EnricherOptionError(
            e.name,
            f"the options of {e.name!r} must be a dict, not {type(options).__name__}",
            "pass e.g. {'keep': ['cinc']}.",
        )
    return {k: e.option(k).check(v, f"{e.name}:{k}") for k, v in options.items()}


# --- the --add syntax -------------------------------------------------------------------------


def _parse_value(opt: Option, text: str, label: str) -> Any:
    """A command-line value for ``opt``: booleans ``true/yes/1`` and ``false/no/0``, whole
    numbers, names as ``a|b`` (empty: an empty list; one name: the name), text as written."""
    if opt.type == "names":
        if text == "":
            return []
        if "|" in text:
            return [x.strip() for x in text.split("|") if x.strip()]
        return text
    if text == "":
        raise EnricherOptionError(
            label, f"{label} has no value", f"write {label.split(':')[0]}:{opt.describe()}."
        )
    if "|" in text:
        raise EnricherOptionError(
            label, f"{label} takes one value, not a list ({text!r})", f"{opt.describe()}."
        )
    if opt.type == "bool":
        low = text.lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise EnricherOptionError(
            label, f"{label}={text!r} is not true or false", f"write {opt.name}=true or false."
        )
    if opt.type == "int":
        try:
            return int(text)
        except ValueError:
            raise EnricherOptionError(
                label,
                f"{label}={text!r} is not a whole number",
                f"write e.g. {opt.name}={opt.default}.",
            ) from None
    return text


def parse_spec(spec: str) -> list[tuple[str, dict[str, Any]]]:
    """The enrichers of a ``--add`` value, in order, with their checked options.

    ``atop,nmc:version=6.0;keep=cinc|milex,rivalries:source=td`` →
    ``[("atop", {}), ("nmc", {"version": "6.0", "keep": ["cinc", "milex"]}), ("rivalries",
    {"source": "td"})]``. Enrichers are separated by ``,``, a name from its options by ``:``,
    options by ``;``; a value is read by the option's type: ``true/yes`` and ``false/no`` for
    booleans, whole numbers, ``a|b`` for names (``keep=`` is an empty list, ``keep=cinc`` one
    name). Empty items (``atop,,nmc``) are skipped. Raises :class:`EnricherOptionError` for an
    unknown enricher or option, an item without a name (``:x=1``), a ``:`` without options
    (``nmc:``), an option without ``=`` (``nmc:keep``), an option given twice, or a value the
    option does not allow.
    """
    if not isinstance(spec, str):
        raise EnricherOptionError(
            "add",
            f"the enricher list must be text, not {type(spec).__name__}",
            "write e.g. 'atop,nmc:keep=cinc'.",
        )
    out = []
    for item in (x.strip() for x in spec.split(",")):
        if not item:
            continue
        name, colon, opts = item.partition(":")
        name = name.strip()
        if not name:
            raise EnricherOptionError(
                item,
                f"{item!r} names no enricher before ':'",
                "write NAME or NAME:option=value, e.g. nmc:keep=cinc; " + _LIST_HINT,
            )
        e = get(name)
        kw: dict[str, Any] = {}
        if colon:
            pairs = [p.strip() for p in opts.split(";") if p.strip()]
            if not pairs:
                raise EnricherOptionError(
                    item,
                    f"{item!r} has no option after ':'",
                    f"write {name}:option=value"
                    + (f" ({e.describe_options().replace(chr(10), '; ')})" if e.options else "")
                    + f", or just {name}.",
                )
            for pair in pairs:
                key, eq, value = pair.partition("=")
                key = key.strip()
                label = f"{name}:{key}"
                if not key:
                    raise EnricherOptionError(
                        item,
                        f"{name}:{pair!r} names no option before '='",
                        f"write {name}:option=value.",
                    )
                opt = e.option(key)
                if not eq:
                    raise EnricherOptionError(
                        label,
                        f"{label} has no '=' and value",
                        f"write {key}=value ({opt.describe()})"
                        + ("; keep= is an empty list." if opt.type == "names" else "."),
                    )
                if key in kw:
                    raise EnricherOptionError(
                        label,
                        f"{label} is given twice",
                        f"give each option once; several names go in one value, e.g. {key}=a|b."
                        if opt.type == "names"
                        else "give each option once.",
                    )
                kw[key] = _parse_value(opt, value.strip(), label)
        out.append((name, check_options(name, kw)))
    return out


# --- registration -----------------------------------------------------------------------------


def _option_type(hint: Any, where: str) -> tuple[OptionType, tuple[str, ...] | None, bool]:
    """The option type, choices (of a ``Literal``) and nullability of a type hint."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        parts = [a for a in args if a is not type(None)]
        nullable = len(parts) < len(args)
    else:
        parts, nullable = [hint], False

    def is_names(p: Any) -> bool:
        origin = typing.get_origin(p)
        return origin in (collections.abc.Sequence, list, tuple) and typing.get_args(p)[:1] == (
            str,
        )

    if any(is_names(p) for p in parts) and all(is_names(p) or p is str for p in parts):
        return "names", None, nullable
    if len(parts) == 1:
        p = parts[0]
        if typing.get_origin(p) is Literal:
            return "str", tuple(typing.get_args(p)), nullable
        for t, kind in ((bool, "bool"), (int, "int"), (str, "str")):
            if p is t:
                return kind, None, nullable  # type: ignore[return-value]
    raise TypeError(f"{where}: cannot derive an option schema from the type hint {hint!r}")


def _schema(name: str, func: Callable[..., Any], extra: Mapping[str, Mapping[str, Any]]):
    hints = typing.get_type_hints(func)
    # after the panel; ``world`` (a :class:`foedus.world.World`) is a Python-only argument,
    # not an option of the command line
    params = [p for p in list(inspect.signature(func).parameters.values())[1:] if p.name != "world"]
    unknown = set(extra) - {p.name for p in params}
    if unknown:
        raise TypeError(f"enricher {name!r}: options {sorted(unknown)} are not parameters")
    out = []
    for p in params:
        where = f"enricher {name!r}, option {p.name!r}"
        if p.kind is not inspect.Parameter.KEYWORD_ONLY or p.default is inspect.Parameter.empty:
            raise TypeError(f"{where}: options must be keyword-only with a default")
        kind, choices, nullable = _option_type(hints[p.name], where)
        fields: dict[str, Any] = {"choices": choices, **extra.get(p.name, {})}
        out.append(Option(p.name, kind, p.default, nullable=nullable, **fields))
    return tuple(out)


def enricher(
    name: str,
    *,
    kinds: tuple[Kind, ...],
    systems: tuple[System, ...] = ("cow",),
    coverage: tuple[int, int] | str | None,
    sources: tuple[str, ...],
    adds: str,
    options: Mapping[str, Mapping[str, Any]] | None = None,
):
    """Register an enricher (its docstring's first line is its summary). ``coverage``: the
    name of the catalog data set whose coverage the enricher has (stated once, in the
    catalog), or the years when they are the intersection of several.

    ``options`` adds to the schema derived from the signature, by option name, the fields of
    :class:`Option` the type hints cannot give (``choices``, ``lo``, ``hi``, ``at_least``).
    The registered function checks its options (:func:`check_options`) before it runs."""

    def wrap(func: Callable[..., pl.DataFrame]) -> Callable[..., pl.DataFrame]:
        schema = _schema(name, func, options or {})
        takes_world = "world" in inspect.signature(func).parameters

        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> pl.DataFrame:
            if "df" in kwargs and not args:  # the panel by keyword
                args = (kwargs.pop("df"),)
            if not args:
                raise EnricherOptionError(
                    name,
                    f"{func.__name__} needs a panel",
                    f"pass one, e.g. {func.__name__}(foedus.dyad_years(years=2000)).",
                )
            df, args = args[0], args[1:]
            if args or "df" in kwargs:
                raise EnricherOptionError(
                    name,
                    f"{func.__name__} takes one panel and its options by keyword, not "
                    f"{len(args)} more positional argument(s)"
                    + (" and df again" if "df" in kwargs else ""),
                    f"write e.g. {func.__name__}(df"
                    + (f", {schema[0].name}=...)" if schema else ")")
                    + "; "
                    + _takes("it", schema),
                )
            world = kwargs.pop("world", None) if takes_world else None
            if world is not None:
                from foedus.world import resolve_world

                kwargs = {**check_options(name, kwargs), "world": resolve_world(world)}
                return func(df, **kwargs)
            return func(df, **check_options(name, kwargs))

        doc = (func.__doc__ or "").strip().splitlines()
        ENRICHERS[name] = Enricher(
            name, checked, kinds, systems, coverage, sources, adds, doc[0] if doc else "", schema
        )
        return checked

    return wrap
