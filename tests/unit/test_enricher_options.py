"""Enricher options: the schemas derived from the signatures, check_options, parse_spec (the
``--add`` syntax) and the enrichers refusing bad options before they load anything (unit tests
run with no data, so a check that came after a load would raise DataNotAvailableError)."""

from __future__ import annotations

import difflib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import foedus.panels as panels
from foedus.errors import DataNotAvailableError, EnricherOptionError, InvalidArgumentError
from foedus.panels.registry import ENRICHERS, Option, check_options, get, parse_spec

I32 = pl.Int32
DYADS = pl.DataFrame(
    {"ccode1": [2, 20], "ccode2": [20, 2], "year": [2000, 2000]},
    schema={"ccode1": I32, "ccode2": I32, "year": I32},
)
STATES = pl.DataFrame({"ccode": [2], "year": [2000]}, schema={"ccode": I32, "year": I32})


def panel_for(name: str) -> pl.DataFrame:
    return DYADS if "dyad" in ENRICHERS[name].kinds else STATES


# --- the reference: the command line's parser before parse_spec (foedus/cli.py, 7d7821b) -------


def old_parse_value(v: str) -> object:
    if v == "":
        return []
    if "|" in v:
        return [old_parse_value(x) for x in v.split("|") if x]
    low = v.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    try:
        return int(v)
    except ValueError:
        return v


def old_parse_adds(spec: str) -> list[tuple[str, dict[str, object]]]:
    out = []
    for item in filter(None, (x.strip() for x in spec.split(","))):
        name, _, opts = item.partition(":")
        if name not in ENRICHERS:
            raise AssertionError(f"unknown enricher {name!r}")
        kw = {}
        for pair in filter(None, opts.split(";")):
            k, _, v = pair.partition("=")
            kw[k.strip()] = old_parse_value(v.strip())
        out.append((name, kw))
    return out


# --- schemas ------------------------------------------------------------------------------------


def test_every_enricher_has_a_schema_matching_its_signature():
    import inspect

    for e in ENRICHERS.values():
        # ``world`` is a Python-only argument (a foedus World), not a command-line option
        params = [p for p in list(inspect.signature(e.func).parameters)[1:] if p != "world"]
        assert [o.name for o in e.options] == params, e.name
        for o in e.options:
            assert o.type in ("bool", "int", "str", "names")
            assert o.check(o.default, f"{e.name}:{o.name}") == o.default  # defaults are valid


def test_schemas_know_the_allowed_values():
    nmc = get("nmc")
    assert nmc.option("keep").allowed() == tuple(panels.capabilities.NMC_COLS)
    assert nmc.option("version").allowed() == ("7.0", "6.0")
    assert get("rivalries").option("source").allowed() == ("tss", "td")  # from Literal[...]
    assert get("contiguity").option("zero_spells").allowed() == ("gaps", "as_filed")
    assert get("atop").option("ndir").type == "bool"
    assert get("threat").option("window").upper() == 2014 - 1816 + 1  # the MID data's span
    mids = get("cow_mids").option("keep").allowed()
    assert "dispnum" in mids and "cowmidonset" in mids and "init1" not in mids
    assert "init1" in get("gml_mids").option("keep").allowed()
    assert get("similarity").option("measures").allowed() == (
        "taub",
        "s_un",
        "s_un_sq",
        "s_wt",
        "kappa",
        "pi",
    )
    assert get("cow_alliance").options == ()


def test_a_hint_the_schema_cannot_read_is_refused_at_registration():
    from foedus.panels.registry import enricher

    with pytest.raises(TypeError, match="option schema"):

        @enricher("_bad", kinds=("dyad",), coverage=None, sources=(), adds="")
        def _bad(df: pl.DataFrame, *, x: dict | None = None) -> pl.DataFrame:  # pragma: no cover
            return df

    with pytest.raises(TypeError, match="keyword-only"):

        @enricher("_bad2", kinds=("dyad",), coverage=None, sources=(), adds="")
        def _bad2(df: pl.DataFrame, x: int = 1) -> pl.DataFrame:  # pragma: no cover
            return df

    assert "_bad" not in ENRICHERS and "_bad2" not in ENRICHERS


# --- check_options --------------------------------------------------------------------------


def test_check_options_accepts_and_normalises_valid_values():
    import numpy as np

    assert check_options("nmc", {"keep": ("cinc", "milex")}) == {"keep": ["cinc", "milex"]}
    assert check_options("nmc", {"keep": "cinc"}) == {"keep": "cinc"}
    assert check_options("atop", {"ndir": np.bool_(False)}) == {"ndir": False}
    assert check_options("threat", {"window": np.int64(3)}) == {"window": 3}
    assert check_options("cow_mids", {"keep": []}) == {"keep": []}  # onset and ongoing only
    assert check_options("unvotes", {"issue": None}) == {"issue": None}


@pytest.mark.parametrize(
    ("name", "options", "match"),
    [
        ("nmc", {"keep": []}, "nmc:keep is empty: add_nmc would add no column"),
        ("nmc", {"keep": ["gdp"]}, "unknown entry 'gdp'"),
        ("nmc", {"keep": ["cinc", 3]}, "non-text"),
        ("nmc", {"keep": 5}, "list of names"),
        ("nmc", {"keep": [["cinc"]]}, "non-text"),
        ("nmc", {"version": 7.0}, "not one of"),
        ("nmc", {"version": "8.0"}, "not one of"),
        ("nmc", {"kep": ["cinc"]}, "has no option 'kep'"),
        ("atop", {"ndir": 1}, "True or False"),
        ("atop", {"ndir": "true"}, "True or False"),
        ("atop", {"ndir": None}, "cannot be None"),
        ("atop", {"foo": 1}, "atop' has no option 'foo'"),
        ("cow_alliance", {"ndir": True}, "has no option"),
        ("threat", {"window": 0}, "between 1 and 199"),
        ("threat", {"window": 10**12}, "between 1 and 199"),
        ("threat", {"window": 2.5}, "whole number"),
        ("threat", {"window": True}, "whole number"),
        ("gml_mids", {"init": "everyone"}, "not one of"),
        ("similarity", {"measures": []}, "would add no measure"),
        ("similarity", {"measures": ["tau"]}, "did you mean 'taub'"),
        ("unvotes", {"issue": []}, "no roll call would be counted"),
        ("peace_years", {"event": ""}, "not one of 'ongoing', 'onset'"),
        ("contiguity", {"zero_spells": ["gaps"]}, "not one of"),
    ],
)
def test_check_options_refuses_bad_options(name, options, match):
    with pytest.raises(EnricherOptionError, match=match) as e:
        check_options(name, options)
    assert e.value.hint  # always says what to do
    assert e.value.argument.startswith(name)


def test_unknown_option_names_close_matches_and_lists_the_options():
    with pytest.raises(EnricherOptionError) as e:
        check_options("atop", {"ndr": True})
    assert "did you mean 'ndir'" in e.value.hint and "ndir: true or false" in e.value.hint
    with pytest.raises(EnricherOptionError) as e:
        check_options("cow_alliance", {"x": 1})
    assert "takes no options" in e.value.hint


def test_check_options_refuses_an_unknown_enricher_or_non_dict():
    with pytest.raises(EnricherOptionError, match="unknown enricher 'nmcc'") as e:
        check_options("nmcc", {})
    assert "did you mean nmc" in e.value.hint and "foedus panel --list" in e.value.hint
    with pytest.raises(EnricherOptionError, match="must be text"):
        check_options(3, {})  # type: ignore[arg-type]
    with pytest.raises(EnricherOptionError, match="must be a dict"):
        check_options("nmc", [("keep", "cinc")])  # type: ignore[arg-type]
    with pytest.raises(EnricherOptionError, match="has no option"):
        check_options("nmc", {3: "cinc"})  # type: ignore[dict-item]


# --- the enrichers themselves ------------------------------------------------------------------


def test_nmc_keep_empty_is_refused_before_any_load():
    # no data in unit tests: a load would raise DataNotAvailableError instead
    with pytest.raises(EnricherOptionError, match="empty"):
        panels.add_nmc(STATES, keep=[])
    with pytest.raises(EnricherOptionError, match="empty"):
        panels.add_nmc(DYADS, keep=())


@pytest.mark.parametrize("name", sorted(ENRICHERS))
def test_every_enricher_refuses_an_unknown_option_before_loading(name):
    with pytest.raises(EnricherOptionError, match="has no option 'colour'"):
        ENRICHERS[name].func(panel_for(name), colour="red")


@pytest.mark.parametrize("name", sorted(ENRICHERS))
def test_every_enricher_refuses_positional_options(name):
    with pytest.raises(EnricherOptionError, match="by keyword"):
        ENRICHERS[name].func(panel_for(name), "x")


def _wrong_values(o: Option) -> list[object]:
    """Values of the wrong type (or not allowed) for an option."""
    common: list[object] = [{"a": 1}, object(), b"x", [[1]]]
    if o.type == "bool":
        return [*common, 1, 0, "true", 2.0, None]
    if o.type == "int":
        return [*common, "5", 2.5, True, -(10**20), 10**20, float("nan"), None]
    if o.type == "str":
        return [*common, 1, True, "", "no such value", ["x"], None]
    bad = [*common, 1, 2.5, True, ["ok", 3], "no_such_column" if o.allowed() else 3]
    return bad if o.nullable else [*bad, None]


@pytest.mark.parametrize(
    ("name", "option"),
    [(e.name, o.name) for e in ENRICHERS.values() for o in e.options],
)
def test_every_option_refuses_wrong_values_before_loading(name, option):
    e = ENRICHERS[name]
    for value in _wrong_values(e.option(option)):
        with pytest.raises(EnricherOptionError) as err:
            e.func(panel_for(name), **{option: value})
        assert err.value.argument == f"{name}:{option}", value


# --- parse_spec -------------------------------------------------------------------------------


def test_parse_spec_reads_the_documented_example():
    assert parse_spec("atop,nmc:version=6.0;keep=cinc|milex,rivalries:source=td") == [
        ("atop", {}),
        ("nmc", {"version": "6.0", "keep": ["cinc", "milex"]}),
        ("rivalries", {"source": "td"}),
    ]
    assert parse_spec("majors:carry_forward=yes, peace_years:source=gml;event=onset") == [
        ("majors", {"carry_forward": True}),
        ("peace_years", {"source": "gml", "event": "onset"}),
    ]
    assert parse_spec("cow_mids:keep=") == [("cow_mids", {"keep": []})]
    assert parse_spec("threat:window=3;land_only=false") == [
        ("threat", {"window": 3, "land_only": False})
    ]
    assert parse_spec("") == [] and parse_spec(" atop , ,") == [("atop", {})]


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("nmc:", "no option after ':'"),
        ("nmc:;", "no option after ':'"),
        (":x=1", "names no enricher"),
        ("nmc:keep", "has no '=' and value"),
        ("nmc:keep=cinc;keep=milex", "given twice"),
        ("nmc:=cinc", "names no option"),
        ("nmc:keep=", "empty"),
        ("nmcc", "unknown enricher 'nmcc'"),
        ("atop:foo=1", "has no option 'foo'"),
        ("atop:ndir=maybe", "not true or false"),
        ("atop:ndir=", "has no value"),
        ("atop:ndir=true|false", "takes one value"),
        ("threat:window=five", "not a whole number"),
        ("threat:window=500", "between 1 and 199"),
        ("nmc:version=7", "not one of '7.0', '6.0'"),
        ("nmc:keep=cinc|gdp", "unknown entry 'gdp'"),
        ("gml_mids:init=sidea", "not one of"),
    ],
)
def test_parse_spec_refuses_malformed_items(spec, match):
    with pytest.raises(EnricherOptionError, match=match) as e:
        parse_spec(spec)
    assert e.value.hint


def test_parse_spec_names_the_close_enrichers_and_the_listing():
    with pytest.raises(EnricherOptionError) as e:
        parse_spec("atop,rivalry")
    assert "did you mean rivalries" in e.value.hint
    assert "`foedus panel --list` shows them all" in e.value.hint
    with pytest.raises(EnricherOptionError, match="must be text"):
        parse_spec(None)  # type: ignore[arg-type]


def _text(o: Option, draw) -> tuple[str, object]:
    """A valid command-line value for ``o`` and the value it means."""
    if o.type == "bool":
        word = draw(st.sampled_from(["true", "yes", "True", "false", "no", "NO"]))
        return word, word.lower() in ("true", "yes")
    if o.type == "int":
        n = draw(st.integers(o.lo if o.lo is not None else 0, o.upper() or 50))
        return str(n), n
    allowed = o.allowed()
    if o.type == "str":
        v = draw(st.sampled_from(allowed))
        return v, v
    pool = list(allowed) if allowed else ["hr", "me", "Human rights", "nu"]
    items = draw(st.lists(st.sampled_from(pool), min_size=max(o.at_least, 0), max_size=3))
    if len(items) == 1:  # one name, or a list of one (a trailing '|')
        return (items[0], items[0]) if draw(st.booleans()) else (items[0] + "|", items)
    return "|".join(items), items


@st.composite
def valid_specs(draw):
    names = draw(st.lists(st.sampled_from(sorted(ENRICHERS)), min_size=1, max_size=4))
    items, want = [], []
    for n in names:
        e = ENRICHERS[n]
        chosen = (
            draw(st.lists(st.sampled_from(e.options), unique_by=lambda o: o.name))
            if e.options
            else []
        )
        pairs, kw = [], {}
        for o in chosen:
            text, value = _text(o, draw)
            pairs.append(f"{o.name}={text}")
            kw[o.name] = value
        items.append(n + (":" + ";".join(pairs) if pairs else ""))
        want.append((n, kw))
    return ",".join(items), want


@settings(max_examples=200, deadline=None)
@given(valid_specs())
def test_parse_spec_reads_valid_specs_as_the_old_cli_parser_did(case):
    spec, want = case
    got = parse_spec(spec)
    assert got == want
    assert got == old_parse_adds(spec)  # the command line's parser, for every valid spec
    for name, kw in got:  # checking again changes nothing
        assert check_options(name, kw) == kw


SPEC_CHARS = st.sampled_from(list(",:;=|  ") + list("nmcatopkeepvrsiowd_0123456789") + ["nmc"])


@settings(max_examples=300, deadline=None)
@given(st.lists(SPEC_CHARS, max_size=30).map("".join) | st.text(max_size=30))
def test_parse_spec_of_any_text_parses_or_says_why(spec):
    try:
        out = parse_spec(spec)
    except EnricherOptionError as e:
        assert e.message and e.hint
        return
    assert all(n in ENRICHERS and isinstance(kw, dict) for n, kw in out)


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.binary(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(ENRICHERS)),
    options=st.dictionaries(
        st.sampled_from(["keep", "version", "ndir", "source", "window", "init", "x"])
        | st.text(max_size=6),
        JUNK,
        max_size=3,
    ),
)
def test_enrichers_with_any_options_raise_only_foedus_errors(name, options):
    """Valid options reach the data (DataNotAvailableError here); the others never do."""
    try:
        ENRICHERS[name].func(panel_for(name), **options)
    except EnricherOptionError as e:
        assert e.argument.startswith(name) and e.hint
    except DataNotAvailableError:  # the options were valid: it went on to load its data
        check_options(name, options)
    else:  # pragma: no cover - no enricher runs without its data
        raise AssertionError("an enricher ran without data")


def test_option_errors_are_invalid_argument_errors():
    assert issubclass(EnricherOptionError, InvalidArgumentError)
    with pytest.raises(ValueError):  # and, like every argument error, ValueErrors
        check_options("nmc", {"keep": []})


def test_close_matches_cover_every_option_name():
    # every option of every enricher is found from a one-letter typo
    for e in ENRICHERS.values():
        for o in e.options:
            typo = o.name[:-1]
            with pytest.raises(EnricherOptionError) as err:
                e.option(typo)
            if difflib.get_close_matches(typo, [x.name for x in e.options], n=2):
                assert o.name in err.value.hint
