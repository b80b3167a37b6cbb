"""Saving and loading fitted formation models as plain JSON: inspectable, diffable, and safe
(loading never runs code from the file, unlike pickle or joblib).

Contents
--------
A model file holds a format tag (``foedus.model/3``), the sha256 digest of its content, the
foedus version, the model kind and hyper-parameters, the specification (pledge, horizon,
outcome), the features in order, the training years and sizes, the data vintages (each
source's last year and the sha256 of each data set, as in
:func:`foedus.prospects.forecast.vintages`), and the learned state: for the logits the design
terms, coefficients (before and after the King-Zeng correction), the dyad-clustered covariance
and the training means; for the boosted model its trees and its bootstrap refits in
:class:`foedus.prospects.trees.TreeEnsemble`'s JSON form (with the feature names); and the
second stage (``calibration``: method, knot, slope, count size, history years; null when the
model has none) with its hyper-parameters in ``params``. Floats are written with ``repr``
precision, so a loaded model predicts exactly what the saved one did.

Formats: ``foedus.model/3`` (written now) adds the second stage to ``foedus.model/2``; files
of versions 1 and 2 are read as models without a second stage (which is what they were
fitted as), and refused if they carry any of version 3's keys. Loading checks the second
stage too: knot and slope on the grid of :mod:`foedus.prospects.calibration`, the count size
inside its range, the history's years inside the training years from ``calibration_start``
on and at least ``calibration_min_years`` of them.

Integrity digest
----------------
``sha256`` is the SHA-256 of the file's *canonical content*: the JSON object without the
``sha256`` key, written by ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
allow_nan=False, ensure_ascii=True)`` and encoded as ASCII (:func:`digest`). Whitespace, key
order and the indentation of the file do not enter it; every value does. :func:`load_model`
recomputes it and refuses a file whose digest differs: the file was changed after it was saved.
The digest detects accidental damage and hand edits; it is not a signature (whoever edits the
file can recompute it), so the checks below apply to every file as well. ``foedus.model/1``
files (written before the digest existed) are still read, after the same checks; without a
digest, a change that keeps every check satisfied (a coefficient moved a little, a threshold
shifted) cannot be noticed, nor, in a boosted model whose trees carry no feature names (as
version 1 wrote them), a reordered feature list. Saving such a model again writes version 3.

What loading checks
-------------------
Everything, before any of the file is used; anything wrong raises
:class:`~foedus.errors.ModelFileError` naming the file and the place (e.g. ``logit.coef[3]``):

* the file: a regular file of at most :data:`MAX_BYTES`, UTF-8, strict JSON (no ``NaN`` or
  ``Infinity`` tokens, no number beyond float range, no integer of more than 30 digits, no
  duplicate key, nesting at most :data:`MAX_DEPTH` deep);
* the structure (a pydantic schema, :class:`ModelFileSchema`): every key present and of its
  type, no unknown key, every number finite;
* the features: unique, each a formation feature (:data:`foedus.prospects.data.FEATURES`) or
  a positional name ``x0``, ``x1``, ... (what :meth:`FormationModel.fit_arrays` uses without
  names); for the logits, the missing-value groups, ``keep`` and the design ``columns`` exactly
  as :func:`foedus.prospects.models.design` builds them from ``features`` (so a reordered or
  renamed feature list no longer matches and is refused);
* the logits' numbers: coefficient, mean and covariance shapes; the intercept's training mean
  exactly 1 and each missing-value indicator's mean in [0, 1]; ``raw_coef`` equal to ``coef``
  for the logit and Firth, and within :data:`MAX_KING_ZENG_SE` standard errors of it for the
  relogit; covariance with a positive diagonal, correlations in [-1, 1], symmetric and
  positive semi-definite within tolerances (:data:`SYMMETRY_TOL`, :data:`PSD_TOL`, on the
  correlation scale, since the terms' units differ by eight orders of magnitude); the
  plausibility bounds below;
* the boosted model: every tree ensemble valid (:meth:`TreeEnsemble.from_dict`: feature
  indices within the feature count, child indices inside their tree and after their parent,
  so acyclic, one parent per node, finite values, consistent expected values), its feature
  count and names those of the file, as many bootstrap refits as ``n_bootstrap``, fitted with
  the stored hyper-parameters (at most ``max_iter`` trees of at most ``max_leaf_nodes``
  leaves), root counts at most ``n_train``;
* training: years ``first <= last`` between the state system's first year (1816) and the
  current year; ``1 <= n_events < n_train``; ``base_rate == n_events / n_train``;
* spec (pledge one of ATOP's, horizon a positive integer) and vintages (well-formed entries:
  source, title, last year, features, data sets with a 64-digit sha256).

Plausibility bounds, and where they come from
---------------------------------------------
Fitted on the real data (ATOP 5.1, every pledge; training windows 1946-1950 up to 1946-2018;
all four kinds), sound models have coefficients of at most 36 in absolute value (a
quasi-separated logit with 12 onsets; 12 or less with a few hundred onsets), standard errors
of at most 17.5 (9 onsets; 2 or less with a few hundred), a probability at the training means
between 3e-4 and 0.95 times the base rate (below it: the logistic is convex where onsets are
rare, so the probability at the mean log-odds is below the mean probability), leaf values of
at most 6.6, tree baselines within a factor 1.7 of the base rate (bootstrap refits of 20
onsets; 1.02 for the main ensemble), thresholds below 200. The bounds lie far outside that
but well inside the absurd:

* :data:`MAX_LOGODDS` = 100: no coefficient, standard error, tree leaf or tree baseline may
  move the log-odds by more than 100 (odds times e^100 = 3e43) per unit of a term or per
  tree;
* :data:`LOGIT_RATE_RANGE` = (1e-5, 10): the logit's probability at the stored training means
  over the stored base rate; :data:`TREE_RATE_FACTOR` = 10: each ensemble's baseline
  probability within a factor 10 of the base rate;
* :data:`MAX_KING_ZENG_SE` = 5: the relogit's bias correction is at most 0.8 standard errors
  in sound fits;
* :data:`MAX_MAGNITUDE` = 2**53: training means and finite thresholds stay below it (float64
  no longer holds every integer from there on; no feature foedus builds comes near).

The same real fits include degenerate ones, which the bounds refuse (also when saving): the
relogit on a pledge with a dozen onsets (coefficients of 1e5-1e9: the King-Zeng correction
diverges under separation), a logit fitted on one onset (coefficients of 1e3) and fits on
``formation_panel(years=(1946, 2018))`` itself, whose MID features are missing after 2014 and
give standard errors above 200, an asymmetric and indefinite covariance (Firth: negative
variances).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import reprlib
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from foedus import __version__, catalog, files, validate
from foedus.errors import FoedusError, InvalidArgumentError, ModelFileError
from foedus.prospects.calibration import KNOTS, SIZE_RANGE, SLOPES
from foedus.prospects.data import ALL_FEATURES, PLEDGES
from foedus.prospects.models import (
    CALIBRATION_MIN_YEARS,
    CALIBRATION_START,
    KINDS,
    LOGITS,
    FormationModel,
)
from foedus.prospects.trees import TreeEnsemble

__all__ = [
    "FORMAT",
    "FORMATS",
    "MAX_BYTES",
    "ModelFileError",
    "ModelFileSchema",
    "check_spec",
    "digest",
    "load_model",
    "model_from_dict",
    "model_to_dict",
    "save_model",
    "vintage_changes",
]

#: The format :func:`save_model` writes (with a digest and the second stage).
FORMAT = "foedus.model/3"
#: The format written before the second stage existed (with a digest); still read, as a
#: model without a second stage (which is what it was fitted as).
FORMAT_V2 = "foedus.model/2"
#: The format written before the digest existed; still read.
FORMAT_V1 = "foedus.model/1"
FORMATS = (FORMAT_V1, FORMAT_V2, FORMAT)

#: Files larger than this are refused unread. The default boosted model (150 trees of 15
#: leaves and 20 bootstrap refits) takes 10 MB; 256 MiB leaves room for 25 times that.
MAX_BYTES = 256 * 2**20
#: JSON nested deeper than this is refused (model files nest 6 levels deep).
MAX_DEPTH = 32
#: Integers in the file have at most this many digits.
MAX_INT_DIGITS = 30

#: Largest |coefficient|, standard error, tree leaf value or tree baseline, in log-odds per
#: unit of a term or per tree (sound real fits: 36, 17.5, 6.6 and 6.1 at most).
MAX_LOGODDS = 100.0
#: The logit's probability at the training means over the base rate (sound real fits: 3e-4 to
#: 0.95; the diverged relogits: 38 to 1e5).
LOGIT_RATE_RANGE = (1e-5, 10.0)
#: A tree ensemble's baseline probability within this factor of the base rate (sound real
#: fits: 1.7 at most, for bootstrap refits of 20 onsets).
TREE_RATE_FACTOR = 10.0
#: The relogit's King-Zeng correction, in standard errors (sound real fits: 0.8 at most).
MAX_KING_ZENG_SE = 5.0
#: Training means and finite thresholds stay below this (float64 holds every integer below).
MAX_MAGNITUDE = 2.0**53
#: Asymmetry |C_ij - C_ji| / sqrt(C_ii C_jj) allowed in the covariance (sound real fits:
#: 1.4e-3 at most, from an ill-conditioned 9-onset fit; 3e-13 with a few hundred onsets).
#: Only the symmetric part enters the forecasts' quadratic forms.
SYMMETRY_TOL = 1e-2
#: Smallest eigenvalue of the symmetric correlation matrix >= -PSD_TOL times its largest
#: (sound real fits: >= -1.5e-14 relative; the indefinite ones: -1.2e-6 and below).
PSD_TOL = 1e-8

_HINT = (
    "re-save the model (foedus forecast ... --save-model, or persist.save_model), or refit "
    "it; model files are not meant to be edited by hand."
)
_DIGEST_HINT = (
    "re-save the model from the fitted model (foedus forecast ... --save-model) or refit it; "
    "if the change was intended, the file is no longer the model that was saved."
)


# --- errors with a place ------------------------------------------------------------------------


class _Problem(Exception):
    """One problem found in a model document: where (a JSON path such as ``logit.coef[3]``;
    empty for the whole document), what, and optionally a specific hint."""

    def __init__(self, place: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.place, self.message, self.hint = place, message, hint


def _place(path: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _show(v: Any) -> str:
    """A short description of a value from a file (huge integers and long lists abridged)."""
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 64:
        return f"an integer of about {int(v.bit_length() * 0.30103) + 1} digits"
    text = reprlib.repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _error(source: str, p: _Problem, hint: str = _HINT) -> ModelFileError:
    where = f"{p.place}: " if p.place else ""
    return ModelFileError(f"{source}: {where}{p.message}", p.hint or hint)


# --- the structural schema ---------------------------------------------------------------------

_Name = Annotated[str, Field(min_length=1, max_length=200)]
_Text = Annotated[str, Field(max_length=2000)]
_Finite = Annotated[float, Field(allow_inf_nan=False)]
_Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
_Rate = Annotated[float, Field(gt=0, le=1)]


def _hyper_value(v: Any, depth: int = 0) -> Any:
    """A hyper-parameter value: a JSON scalar, or a (nested, at most 2 deep) list of them."""
    if v is None or isinstance(v, bool | int | str):
        if isinstance(v, str) and len(v) > 200:
            raise ValueError("a hyper-parameter string of more than 200 characters")
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**63:
            raise ValueError("a hyper-parameter integer out of range")
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("a non-finite hyper-parameter")
        return v
    if isinstance(v, list) and depth < 2 and len(v) <= 1000:
        for item in v:
            _hyper_value(item, depth + 1)
        return v
    raise ValueError("expected a number, string, boolean, null or a short list of them")


_Hyper = Annotated[Any, AfterValidator(_hyper_value)]


def _inf_token(v: Any) -> Any:
    """Thresholds are written as numbers, or as the strings "inf" / "-inf"."""
    return {"inf": math.inf, "-inf": -math.inf}.get(v, v) if isinstance(v, str) else v


_Threshold = Annotated[float, BeforeValidator(_inf_token)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Params(_Strict):
    max_iter: Annotated[int, Field(ge=1, le=1_000_000)]
    gbm_params: dict[_Name, _Hyper]
    negative_rate: _Rate | None
    n_bootstrap: Annotated[int, Field(ge=0, le=100_000)]
    random_state: Annotated[int, Field(ge=0, le=2**32 - 1)]
    # foedus.model/3 only (absent before: no second stage)
    calibration: Literal["tail"] | None = None
    calibration_start: Annotated[int, Field(ge=1817, le=10_000)] = None  # type: ignore[assignment]
    calibration_min_years: Annotated[int, Field(ge=1, le=200)] = None  # type: ignore[assignment]


class _Calibration(_Strict):
    """The fitted second stage (foedus.model/3): the tail recalibration's knot and slope,
    the yearly counts' negative binomial size, and the years of the out-of-sample forecasts
    they were learned from."""

    method: Literal["tail"]
    knot: _Finite
    slope: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    count_size: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    history_years: Annotated[list[int], Field(min_length=2, max_length=2)]


class _Spec(_Strict):
    pledge: _Name = None  # type: ignore[assignment]  # optional; null is refused
    horizon: Annotated[int, Field(ge=1, le=1000)] = None  # type: ignore[assignment]
    outcome: _Text = None  # type: ignore[assignment]


class _Training(_Strict):
    years: Annotated[list[int], Field(min_length=2, max_length=2)]
    n_train: Annotated[int, Field(ge=2, le=10**15)]
    n_events: Annotated[int, Field(ge=1, le=10**15)]
    base_rate: Annotated[float, Field(gt=0, lt=1)]


class _VintageDataset(_Strict):
    name: _Name
    version: _Text
    sha256: _Sha256


class _Vintage(_Strict):
    source: _Name
    title: _Text
    last_year: int | None
    features: Annotated[list[_Name], Field(max_length=1000)]
    datasets: Annotated[list[_VintageDataset], Field(max_length=1000)]


class _Logit(_Strict):
    columns: Annotated[list[_Name], Field(min_length=1)]
    keep: Annotated[list[bool], Field(min_length=1)]
    missing_groups: list[Annotated[list[_Name], Field(min_length=1)]]
    coef: list[_Finite]
    raw_coef: list[_Finite]
    cov: list[list[_Finite]]
    x_mean: list[_Finite]
    iterations: Annotated[int, Field(ge=0)]
    n_clusters: Annotated[int, Field(ge=2)]


class _Nodes(_Strict):
    feature: list[int]
    threshold: list[_Threshold]
    missing_left: list[bool]
    left: list[int]
    right: list[int]
    is_leaf: list[bool]
    value: list[_Finite]
    count: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]]


class _Trees(_Strict):
    format: Literal["foedus.trees/1"]
    n_features: Annotated[int, Field(ge=1, le=100_000)]
    feature_names: list[_Name] | None
    baseline: _Finite
    roots: Annotated[list[int], Field(min_length=1)]
    nodes: _Nodes


class _Gbm(_Strict):
    params: dict[_Name, _Hyper]
    negative_rate: _Rate
    trees: _Trees
    bootstrap: Annotated[list[_Trees], Field(max_length=100_000)]


class ModelFileSchema(_Strict):
    """The structure of a model file (both formats); :func:`load_model` adds the semantic
    checks of the module docstring."""

    format: Literal["foedus.model/1", "foedus.model/2", "foedus.model/3"]
    sha256: _Sha256 = None  # type: ignore[assignment]  # required in foedus.model/2 only
    foedus_version: Annotated[str, Field(min_length=1, max_length=100)]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    features: Annotated[list[_Name], Field(min_length=1, max_length=10_000)]
    params: _Params
    spec: _Spec
    training: _Training
    vintages: Annotated[list[_Vintage], Field(max_length=1000)]
    logit: _Logit = None  # type: ignore[assignment]  # the logits'
    # foedus.model/3: the fitted second stage, null when there was none (or too little history)
    calibration: _Calibration | None = None
    gbm: _Gbm = None  # type: ignore[assignment]  # the boosted model's


_EXPECTED = {
    "model_type": "expected a JSON object",
    "model_attributes_type": "expected a JSON object",
    "dict_type": "expected a JSON object",
    "list_type": "expected a list",
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "string_type": "expected a string",
    "bool_type": "expected true or false",
    "string_pattern_mismatch": "expected a sha256 (64 lowercase hexadecimal digits)",
    "finite_number": "expected a finite number",
}


def _schema_problem(e: ValidationError) -> _Problem:
    errors = e.errors(include_url=False)
    first = errors[0]
    loc = [p for p in first["loc"] if isinstance(p, int | str)]
    kind, msg = first["type"], first["msg"]
    if kind == "missing":
        text = "is missing (every key of a model file is required)"
    elif kind == "extra_forbidden":
        text = "is not a key of a foedus model file"
    else:
        msg = _EXPECTED.get(kind) or (
            msg.removeprefix("Value error, ").replace("Input should be ", "expected ")
        )
        text = f"{msg}; got {_show(first.get('input'))}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return _Problem(_place(loc), text)


# --- reading and parsing ------------------------------------------------------------------------


class _Bad:
    """What the JSON parser puts where the text holds something a model file may not."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what


def _pairs(pairs: list[tuple[str, Any]]) -> Any:
    d: dict[str, Any] = {}
    for k, v in pairs:
        if k in d:
            return _Bad(f"holds the key {k!r} twice")
        d[k] = v
    return d


def _parse_float(text: str) -> Any:
    v = float(text)
    return v if math.isfinite(v) else _Bad(f"the number {text[:40]} is beyond float range")


def _parse_int(text: str) -> Any:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Bad(f"an integer of {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _parse_constant(token: str) -> Any:
    return _Bad(f"{token} is not a number in strict JSON (no NaN or infinity is allowed)")


def _read_text(path: Path) -> str:
    """The text of the model file at ``path``, refusing directories, special files, files over
    :data:`MAX_BYTES`, empty files and anything that is not UTF-8."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ModelFileError(
            f"no model file at {path}", "save one with foedus forecast --save-model."
        ) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        raise ModelFileError(
            f"cannot read the model file {path}: {getattr(e, 'strerror', None) or e}",
            "check the path and the file's permissions.",
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise ModelFileError(
            f"{path} is a directory, not a model file", "give the path of the model's .json file."
        )
    if not stat.S_ISREG(st.st_mode):
        raise ModelFileError(
            f"{path} is not a regular file", "give the path of a model file saved by foedus."
        )
    too_big = ModelFileError(
        f"the model file {path} is larger than {MAX_BYTES // 2**20} MiB",
        "this is not a model file foedus wrote (the default boosted model takes 10 MB).",
    )
    if st.st_size > MAX_BYTES:
        raise too_big
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ModelFileError(
            f"cannot read the model file {path}: {e.strerror or e}",
            "check the path and the file's permissions.",
        ) from None
    if len(data) > MAX_BYTES:  # it grew while we looked
        raise too_big
    if not data.strip():
        raise ModelFileError(f"the model file {path} is empty", _HINT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelFileError(
            f"the model file {path} is not UTF-8 text (byte {e.start}: {e.reason})",
            "this is not a model file foedus wrote; " + _HINT,
        ) from None


def _parse(text: str, source: str) -> Any:
    try:
        return json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as e:
        raise ModelFileError(
            f"{source} is not a JSON model file: {e.msg} at line {e.lineno}, column {e.colno}",
            "the file is damaged or truncated; " + _HINT,
        ) from None
    except RecursionError:
        raise ModelFileError(
            f"{source}: the JSON is nested too deeply (model files nest {MAX_DEPTH} levels at "
            "most)",
            _HINT,
        ) from None


def _scan(doc: Any) -> None:
    """Refuse what the schema cannot see: values the parser marked (:class:`_Bad`), objects
    nested deeper than :data:`MAX_DEPTH`, non-string keys, and (for dictionaries built in
    Python) anything that is not a JSON value. Iterative, so any nesting is safe."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            raise _Problem(_place(path), f"the JSON is nested more than {MAX_DEPTH} levels deep")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            if isinstance(node, dict) and not isinstance(k, str):
                raise _Problem(_place(path), f"has a key that is not a string: {_show(k)}")
            if isinstance(v, dict | list):
                stack.append((v, (*path, k)))
            elif isinstance(v, _Bad):
                raise _Problem(_place((*path, k)), v.what)
            elif isinstance(v, float):
                if not math.isfinite(v):
                    raise _Problem(_place((*path, k)), f"{v} is not a finite number")
            elif isinstance(v, int) and v.bit_length() > 3.33 * MAX_INT_DIGITS:
                raise _Problem(_place((*path, k)), f"{_show(v)} (at most {MAX_INT_DIGITS})")
            elif v is not None and not isinstance(v, str | int):  # bool is an int
                raise _Problem(
                    _place((*path, k)), f"a {type(v).__name__} is not a JSON value: {_show(v)}"
                )


def _canonical(d: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in d.items() if k != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("ascii")


def digest(d: Mapping[str, Any]) -> str:
    """The sha256 (hex) of a model document's canonical content: the JSON object without its
    ``sha256`` key, with sorted keys, no whitespace, strict JSON and ASCII escapes."""
    return hashlib.sha256(_canonical(d)).hexdigest()


# --- semantic checks ----------------------------------------------------------------------------

_POSITIONAL = re.compile(r"x\d{1,6}")


def _known_features() -> set[str]:

    return set(ALL_FEATURES)


def _check_features(features: list[str]) -> None:
    known = _known_features()
    seen: dict[str, int] = {}
    for i, f in enumerate(features):
        if f in seen:
            raise _Problem(f"features[{i}]", f"{f!r} is listed twice (also at features[{seen[f]}])")
        seen[f] = i
        if f not in known and not _POSITIONAL.fullmatch(f):
            raise _Problem(
                f"features[{i}]",
                f"{f!r} is not a feature foedus knows (the formation features of "
                "foedus.prospects.data.FEATURES, or positional names x0, x1, ...)",
            )


def _check_second_stage(doc: ModelFileSchema, raw: dict[str, Any]) -> None:
    """foedus.model/3: the second stage's hyper-parameters are stated, and the fitted stage
    is one the grid can give, inside the training years; older formats have neither (their
    models were fitted without a second stage)."""
    p = doc.params
    if doc.format != FORMAT:
        for key in ("calibration", "calibration_start", "calibration_min_years"):
            if key in raw["params"]:
                raise _Problem(f"params.{key}", f"a {doc.format} file has no second stage")
        if "calibration" in raw:
            raise _Problem("calibration", f"a {doc.format} file has no second stage")
        return
    for key in ("calibration", "calibration_start", "calibration_min_years"):
        if key not in raw["params"]:
            raise _Problem(f"params.{key}", f"is missing (every {FORMAT} file states it)")
    if "calibration" not in raw:
        raise _Problem("calibration", f"is missing (every {FORMAT} file has it, null or not)")
    cal = doc.calibration
    if cal is None:
        return
    if p.calibration is None:
        raise _Problem("calibration", "a fitted second stage, but params.calibration is null")
    if cal.method != p.calibration:
        raise _Problem("calibration.method", f"{cal.method!r} is not params.calibration")
    if not any(math.isclose(cal.slope, s, rel_tol=1e-12) for s in SLOPES):
        raise _Problem("calibration.slope", f"{cal.slope!r} is not one of {list(SLOPES)}")
    if not np.isclose(KNOTS, cal.knot, rtol=0, atol=1e-9).any():
        raise _Problem(
            "calibration.knot",
            f"{cal.knot!r} is not a knot of the grid ({KNOTS[0]:g} to {KNOTS[-1]:g} by 0.1)",
        )
    if not SIZE_RANGE[0] * (1 - 1e-6) <= cal.count_size <= SIZE_RANGE[1] * (1 + 1e-6):
        raise _Problem(
            "calibration.count_size", f"{cal.count_size!r} is outside {list(SIZE_RANGE)}"
        )
    first, last = cal.history_years
    t_first, t_last = doc.training.years
    if not (p.calibration_start or 0) <= first <= last <= t_last or first <= t_first:
        raise _Problem(
            "calibration.history_years",
            f"[{first}, {last}] is not inside the training years after "
            f"params.calibration_start ({p.calibration_start}; training {t_first}-{t_last})",
        )
    if last - first + 1 < (p.calibration_min_years or 1):
        raise _Problem(
            "calibration.history_years",
            f"[{first}, {last}] is fewer years than params.calibration_min_years "
            f"({p.calibration_min_years})",
        )


def _check_training(t: _Training) -> None:

    first, last = t.years
    lo, hi = validate.first_year(), validate.this_year()
    if first > last:
        raise _Problem("training.years", f"first year {first} is after the last {last}")
    if first < lo or last > hi:
        raise _Problem(
            "training.years",
            f"[{first}, {last}] lies outside the years a formation panel can have ({lo} to "
            f"this year, {hi})",
            "the training years are those of the rows the model was fitted on: pass "
            "years=(first, last) to FormationModel.fit_arrays (fit() records them itself).",
        )
    if t.n_events >= t.n_train:
        raise _Problem(
            "training.n_events",
            f"{t.n_events} onsets in {t.n_train} training rows: a model needs both outcomes",
        )
    rate = t.n_events / t.n_train
    if not math.isclose(t.base_rate, rate, rel_tol=1e-9):
        raise _Problem(
            "training.base_rate",
            f"{t.base_rate!r} is not n_events / n_train = {t.n_events} / {t.n_train} = {rate!r}",
        )


def _check_spec_block(s: _Spec) -> None:

    if s.pledge is not None and s.pledge not in PLEDGES:
        raise _Problem(
            "spec.pledge", f"{s.pledge!r} is not an ATOP pledge (one of {sorted(PLEDGES)})"
        )


def _check_vintages(vs: list[_Vintage]) -> None:

    lo, hi = validate.first_year(), validate.latest_year()
    for i, v in enumerate(vs):
        if v.last_year is not None and not lo <= v.last_year <= hi:
            raise _Problem(
                f"vintages[{i}].last_year", f"{v.last_year} is not a year from {lo} to {hi}"
            )


def _expected_design(
    features: list[str], groups: list[list[str]]
) -> tuple[list[str], dict[str, int]]:
    """The design terms :func:`foedus.prospects.models.design` builds for these features and
    missing-value groups, after checking that the groups are what it would have found: each
    feature in at most one group, the members of a group in feature order, and the groups in
    the order of their first members."""
    index = {f: i for i, f in enumerate(features)}
    owner: dict[str, int] = {}
    last_first = -1
    for g, members in enumerate(groups):
        at = -1
        for j, f in enumerate(members):
            place = f"logit.missing_groups[{g}][{j}]"
            if f not in index:
                raise _Problem(place, f"{f!r} is not one of the file's features")
            if f in owner:
                raise _Problem(place, f"{f!r} is already in missing_groups[{owner[f]}]")
            if index[f] <= at:
                raise _Problem(
                    place,
                    f"{f!r} comes before {members[j - 1]!r} in 'features' but after it in the "
                    "group (the groups follow the feature order: was 'features' reordered?)",
                )
            owner[f], at = g, index[f]
        if index[members[0]] <= last_first:
            raise _Problem(
                f"logit.missing_groups[{g}]",
                "the groups are not in the order of their first features",
            )
        last_first = index[members[0]]
    names = ["const", *features, *[f"{g[0]}_missing" for g in groups]]
    return names, index


def _check_logit(doc: ModelFileSchema) -> dict[str, np.ndarray]:
    lg = doc.logit
    features = doc.features
    names, _ = _expected_design(features, lg.missing_groups)
    if len(lg.keep) != len(names):
        raise _Problem(
            "logit.keep",
            f"{len(lg.keep)} entries, expected {len(names)} (the constant, {len(features)} "
            f"features and {len(lg.missing_groups)} missing-value indicators)",
        )
    if not lg.keep[0]:
        raise _Problem("logit.keep[0]", "the constant must be kept (true)")
    expected = [n for n, k in zip(names, lg.keep, strict=True) if k]
    k = len(expected)
    for j, (got, want) in enumerate(zip(lg.columns, expected, strict=False)):
        if got != want:
            raise _Problem(
                f"logit.columns[{j}]",
                f"is {got!r}, but 'features', 'missing_groups' and 'keep' give {want!r} (the "
                "design terms follow the features in order: a reordered or renamed feature "
                "list no longer matches the coefficients)",
            )
    if len(lg.columns) != k:
        raise _Problem("logit.columns", f"{len(lg.columns)} terms, expected {k}")
    arrays = {}
    for key in ("coef", "raw_coef", "x_mean"):
        a = np.asarray(getattr(lg, key), dtype=np.float64)
        if a.shape != (k,):
            raise _Problem(f"logit.{key}", f"{a.size} numbers, expected {k} (one per term)")
        arrays[key] = a
    for i, row in enumerate(lg.cov):
        if len(row) != k:
            raise _Problem(f"logit.cov[{i}]", f"{len(row)} numbers, expected {k}")
    if len(lg.cov) != k:
        raise _Problem("logit.cov", f"{len(lg.cov)} rows, expected {k} (a {k} x {k} matrix)")
    cov = np.asarray(lg.cov, dtype=np.float64).reshape(k, k)
    coef, raw, mean = arrays["coef"], arrays["raw_coef"], arrays["x_mean"]

    # training means: the intercept's is 1, an indicator's a share
    if mean[0] != 1.0:
        raise _Problem(
            "logit.x_mean[0]", f"the constant's training mean is {float(mean[0])!r}, not 1"
        )
    for j, name in enumerate(expected):
        if name.endswith("_missing") and not 0 <= mean[j] <= 1:
            raise _Problem(
                f"logit.x_mean[{j}]", f"{float(mean[j])!r}: the mean of an indicator lies in [0, 1]"
            )
    big = np.flatnonzero(np.abs(mean) >= MAX_MAGNITUDE)
    if big.size:
        raise _Problem(f"logit.x_mean[{big[0]}]", f"{float(mean[big[0]])!r} is implausibly large")

    # coefficients
    for key, a in (("coef", coef), ("raw_coef", raw)):
        bad = np.flatnonzero(np.abs(a) > MAX_LOGODDS)
        if bad.size:
            j = int(bad[0])
            raise _Problem(
                f"logit.{key}[{j}]",
                f"{float(a[j])!r} for {expected[j]!r}: a one-unit change would move the "
                f"log-odds by more than {MAX_LOGODDS:g}",
                "this is not a sound fit (separation, or an edited file); refit the model, "
                "with kind='firth' if the onsets are few.",
            )

    # covariance: positive variances, plausible standard errors, symmetric, PSD
    var = np.diag(cov)
    bad = np.flatnonzero(var <= 0)
    if bad.size:
        j = int(bad[0])
        raise _Problem(
            f"logit.cov[{j}][{j}]", f"the variance of {expected[j]!r} is {float(var[j])!r}"
        )
    se = np.sqrt(var)
    bad = np.flatnonzero(se > MAX_LOGODDS)
    if bad.size:
        j = int(bad[0])
        raise _Problem(
            f"logit.cov[{j}][{j}]",
            f"the standard error of {expected[j]!r} is {se[j]:.4g}, more than {MAX_LOGODDS:g} "
            "in log-odds per unit",
            "this is not a sound fit (a term that is nearly constant or collinear); refit "
            "without it.",
        )
    scale = np.outer(se, se)  # at most MAX_LOGODDS**2: no overflow below
    beyond = np.abs(cov) > (1 + 1e-6) * scale  # Cauchy-Schwarz, before dividing by the scale
    np.fill_diagonal(beyond, False)
    if beyond.any():
        i, j = np.argwhere(beyond)[0]
        with np.errstate(over="ignore"):
            r = float(cov[i, j] / scale[i, j])
        raise _Problem(
            f"logit.cov[{i}][{j}]",
            f"a correlation of {r:.6g} between {expected[i]!r} and {expected[j]!r}: the matrix "
            "is not a covariance",
        )
    corr = cov / scale
    asym = np.abs(corr - corr.T)
    i, j = np.unravel_index(int(np.argmax(asym)), asym.shape)
    if asym[i, j] > SYMMETRY_TOL:
        raise _Problem(
            f"logit.cov[{i}][{j}]",
            f"the covariance is not symmetric: {float(cov[i, j])!r} against "
            f"{float(cov[j, i])!r} at [{j}][{i}]",
        )
    sym = (corr + corr.T) / 2
    eig = np.linalg.eigvalsh(sym)
    if eig[0] < -PSD_TOL * eig[-1]:
        raise _Problem(
            "logit.cov",
            f"the covariance is not positive semi-definite (smallest eigenvalue of the "
            f"correlation matrix {eig[0]:.3g}, largest {eig[-1]:.3g})",
        )

    # the King-Zeng correction, and the fit's probability at the training means
    if doc.kind != "relogit":
        bad = np.flatnonzero(raw != coef)
        if bad.size:
            raise _Problem(
                f"logit.raw_coef[{bad[0]}]",
                f"differs from coef ({float(raw[bad[0]])!r} against "
                f"{float(coef[bad[0]])!r}); a {doc.kind} applies no correction",
            )
    else:
        shift = np.abs(coef - raw) / se
        bad = np.flatnonzero(shift > MAX_KING_ZENG_SE)
        if bad.size:
            j = int(bad[0])
            raise _Problem(
                f"logit.coef[{j}]",
                f"the King-Zeng correction moves {expected[j]!r} by {shift[j]:.3g} standard "
                f"errors (at most {MAX_KING_ZENG_SE:g})",
                "the correction diverged (separation); refit with kind='firth'.",
            )
    eta = float(mean @ coef)
    p = 1.0 / (1.0 + math.exp(-eta)) if eta > -700 else 0.0
    ratio = p / doc.training.base_rate
    lo, hi = LOGIT_RATE_RANGE
    if not lo <= ratio <= hi:
        raise _Problem(
            "logit.coef",
            f"at the training means the model gives a probability of {p:.3g}, {ratio:.3g} "
            f"times the base rate {doc.training.base_rate:.3g} (expected between {lo:g} and "
            f"{hi:g} times): the coefficients do not fit the training data",
        )
    if lg.iterations > doc.params.max_iter:
        raise _Problem(
            "logit.iterations",
            f"{lg.iterations} iterations, more than max_iter = {doc.params.max_iter}",
        )
    if lg.n_clusters > doc.training.n_train:
        raise _Problem(
            "logit.n_clusters",
            f"{lg.n_clusters} dyads (clusters) in {doc.training.n_train} training rows",
        )
    arrays["cov"] = cov
    return arrays


def _check_trees(doc: ModelFileSchema, raw: dict[str, Any], v2: bool) -> tuple[Any, list[Any]]:

    gb = doc.gbm
    features = doc.features
    p = gb.params
    user = {"random_state": doc.params.random_state, **doc.params.gbm_params}
    for key in ("max_iter", "learning_rate", "max_leaf_nodes", "min_samples_leaf"):
        if key not in p:
            raise _Problem(f"gbm.params.{key}", "is missing (the fitted hyper-parameters)")
    for key, value in user.items():
        if key not in p or p[key] != value:
            raise _Problem(
                f"gbm.params.{key}",
                f"is {_show(p.get(key))}, but the model's hyper-parameters give {_show(value)}",
            )
    if doc.params.negative_rate is not None and gb.negative_rate != doc.params.negative_rate:
        raise _Problem(
            "gbm.negative_rate",
            f"{gb.negative_rate!r}, but params.negative_rate is {doc.params.negative_rate!r}",
        )
    if len(gb.bootstrap) != doc.params.n_bootstrap:
        raise _Problem(
            "gbm.bootstrap",
            f"{len(gb.bootstrap)} refits, but params.n_bootstrap is {doc.params.n_bootstrap}",
        )
    max_iter, max_leaves = p["max_iter"], p["max_leaf_nodes"]
    rate = doc.training.base_rate
    ensembles = []
    places = ["gbm.trees", *[f"gbm.bootstrap[{i}]" for i in range(len(gb.bootstrap))]]
    sources = [raw["gbm"]["trees"], *raw["gbm"]["bootstrap"]]
    for place, src in zip(places, sources, strict=True):
        try:
            ens = TreeEnsemble.from_dict(src)
        except FoedusError as e:  # ModelFileError from the tree checks
            raise _Problem(place, e.message) from None
        if ens.n_features != len(features):
            raise _Problem(
                f"{place}.n_features",
                f"the trees use {ens.n_features} features, the file lists {len(features)}",
            )
        names = ens.feature_names
        if (v2 and names is None) or (names is not None and list(names) != features):
            raise _Problem(
                f"{place}.feature_names",
                f"{_show(None if names is None else list(names))} is not the file's feature "
                f"list {_show(features)} (the trees index the features by position: a "
                "reordered list would send every split to another feature)",
            )
        if isinstance(max_iter, int) and not isinstance(max_iter, bool) and ens.n_trees > max_iter:
            raise _Problem(f"{place}.roots", f"{ens.n_trees} trees, but max_iter is {max_iter}")
        leaves = np.add.reduceat(ens.is_leaf.astype(np.int64), ens.roots)
        if isinstance(max_leaves, int) and not isinstance(max_leaves, bool):
            bad = np.flatnonzero(leaves > max_leaves)
            if bad.size:
                raise _Problem(
                    f"{place}.roots[{bad[0]}]",
                    f"tree {bad[0]} has {leaves[bad[0]]} leaves, but max_leaf_nodes is "
                    f"{max_leaves}",
                )
        big = np.flatnonzero(ens.is_leaf & (np.abs(ens.value) > MAX_LOGODDS))
        if big.size:
            raise _Problem(
                f"{place}.nodes.value[{big[0]}]",
                f"a leaf value of {float(ens.value[big[0]])!r}: one tree would move the "
                f"log-odds by more than {MAX_LOGODDS:g}",
            )
        finite = np.isfinite(ens.threshold)
        big = np.flatnonzero(finite & (np.abs(ens.threshold) >= MAX_MAGNITUDE))
        if big.size:
            raise _Problem(
                f"{place}.nodes.threshold[{big[0]}]",
                f"{float(ens.threshold[big[0]])!r} is implausibly large",
            )
        over = np.flatnonzero(ens.count[ens.roots] > doc.training.n_train)
        if over.size:
            i = int(ens.roots[over[0]])
            raise _Problem(
                f"{place}.nodes.count[{i}]",
                f"the root of tree {over[0]} counts {ens.count[i]:.0f} rows, more than the "
                f"{doc.training.n_train} training rows",
            )
        if abs(ens.baseline) > MAX_LOGODDS:
            raise _Problem(f"{place}.baseline", f"{ens.baseline!r} is implausible log-odds")
        p0 = 1.0 / (1.0 + math.exp(-ens.baseline))
        if not 1 / TREE_RATE_FACTOR <= p0 / rate <= TREE_RATE_FACTOR:
            raise _Problem(
                f"{place}.baseline",
                f"the baseline probability {p0:.3g} is {p0 / rate:.3g} times the base rate "
                f"{rate:.3g} (the trees start from the training rate, within a factor "
                f"{TREE_RATE_FACTOR:g})",
            )
        ensembles.append(ens)
    return ensembles[0], ensembles[1:]


def _validate(d: Any, source: str, hint: str = _HINT) -> tuple[ModelFileSchema, dict[str, Any]]:
    """The validated document, or :class:`ModelFileError` (see the module docstring)."""
    try:
        if isinstance(d, _Bad):  # e.g. a duplicate key at the top, or a bare NaN
            raise _Problem("", d.what)
        if not isinstance(d, dict):
            raise _Problem(
                "", f"not a foedus model file: the JSON holds a {type(d).__name__}, not an object"
            )
        _scan(d)
        tag = d.get("format")
        if tag not in FORMATS:
            newer = isinstance(tag, str) and tag.startswith("foedus.model/")
            raise _Problem(
                "",
                f"not a foedus model file (format tag {_show(tag)}; this foedus reads "
                f"{', '.join(FORMATS)})",
                "it was written by a newer foedus: upgrade foedus, or refit the model."
                if newer
                else f'model files start with {{"format": "{FORMAT}"}}; save one with '
                "--save-model.",
            )
        try:
            doc = ModelFileSchema.model_validate(d)
        except ValidationError as e:
            raise _schema_problem(e) from None
        v2 = doc.format != FORMAT_V1  # a digest, and feature names in the trees
        if v2 and doc.sha256 is None:
            raise _Problem("sha256", f"is missing (every {doc.format} file carries its digest)")
        if not v2 and "sha256" in d:
            raise _Problem("sha256", f"a {FORMAT_V1} file carries no digest")
        if v2 and digest(d) != doc.sha256:
            raise _Problem(
                "sha256",
                "the content does not match the digest: the file was changed after it was saved",
                _DIGEST_HINT,
            )
        _check_features(doc.features)
        _check_second_stage(doc, d)
        _check_training(doc.training)
        _check_spec_block(doc.spec)
        _check_vintages(doc.vintages)
        built: dict[str, Any] = {}
        if doc.kind in LOGITS:
            if doc.logit is None:
                raise _Problem(
                    "logit", f"is missing (a {doc.kind} model keeps its estimates there)"
                )
            if "gbm" in d:
                raise _Problem("gbm", f"a {doc.kind} model has no 'gbm' block")
            built = _check_logit(doc)
        else:
            if doc.gbm is None:
                raise _Problem("gbm", "is missing (a gbm model keeps its trees there)")
            if "logit" in d:
                raise _Problem("logit", "a gbm model has no 'logit' block")
            built["trees"], built["bootstrap"] = _check_trees(doc, d, v2)
    except _Problem as p:
        raise _error(source, p, hint) from None
    return doc, built


# --- the public functions -----------------------------------------------------------------------


def model_to_dict(
    m: FormationModel, *, spec: dict[str, Any] | None = None, vintages: list | None = None
) -> dict[str, Any]:
    """The JSON-ready description of a fitted model (see the module docstring), without the
    digest (:func:`save_model` adds it)."""

    if not hasattr(m, "n_train_"):
        raise FoedusError("the model is not fitted", "fit it before saving.")
    d: dict[str, Any] = {
        "format": FORMAT,
        "foedus_version": __version__,
        "kind": m.kind,
        "features": list(m.features_),
        "params": {
            "max_iter": m.max_iter,
            "gbm_params": dict(m.gbm_params),
            "negative_rate": m.negative_rate,
            "n_bootstrap": m.n_bootstrap,
            "random_state": m.random_state,
            "calibration": m.calibration,
            "calibration_start": m.calibration_start,
            "calibration_min_years": m.calibration_min_years,
        },
        "spec": spec or {},
        "training": {
            "years": list(m.years_),
            "n_train": m.n_train_,
            "n_events": m.n_events_,
            "base_rate": m.base_rate_,
        },
        "vintages": vintages or [],
        "calibration": None,
    }
    cal = getattr(m, "calibration_", None)
    if cal is not None:
        d["calibration"] = {
            "method": m.calibration,
            "knot": float(cal[0]),
            "slope": float(cal[1]),
            "count_size": float(m.count_size_),
            "history_years": [int(v) for v in m.history_years_],
        }
    if m.kind in LOGITS:
        d["logit"] = {
            "columns": list(m.columns_),
            "keep": [bool(v) for v in m.keep_],
            "missing_groups": [list(g) for g in m.missing_groups_],
            "coef": m.coef_.tolist(),
            "raw_coef": m.raw_coef_.tolist(),
            "cov": m.cov_.tolist(),
            "x_mean": m.x_mean_.tolist(),
            "iterations": int(m.iterations_),
            "n_clusters": int(m.n_clusters_),
        }
    else:

        def trees(t: Any) -> dict[str, Any]:
            out = t.to_dict()
            if out["feature_names"] is None:  # the trees index features by position
                out["feature_names"] = list(m.features_)
            return out

        d["gbm"] = {
            "params": m.gbm_params_,
            "negative_rate": m.negative_rate_,
            "trees": trees(m.trees_),
            "bootstrap": [trees(t) for t in m.bootstrap_],
        }
    return d


def _sealed(m: FormationModel, spec: dict[str, Any] | None, vintages: list | None) -> dict:
    """:func:`model_to_dict` as it will be read back (a JSON round trip), validated, with its
    digest."""
    try:
        d = json.loads(json.dumps(model_to_dict(m, spec=spec, vintages=vintages), allow_nan=False))
    except (TypeError, ValueError) as e:  # NaN, or values JSON cannot hold
        raise ModelFileError(
            f"cannot save the model: it holds values JSON cannot represent ({e})",
            "pass spec and vintages of plain numbers, strings and lists; a model with "
            "non-finite estimates cannot be saved, refit it.",
        ) from None
    d["sha256"] = digest(d)
    _validate(
        d,
        "cannot save the model",
        "fix the spec or vintages passed to save_model, or refit the model if its estimates "
        "are at fault (the docstring of foedus.prospects.persist lists the checks).",
    )
    return d


def save_model(
    m: FormationModel,
    path: str | Path,
    *,
    spec: dict[str, Any] | None = None,
    vintages: list | None = None,
) -> Path:
    """Write ``m`` to ``path`` as JSON (``foedus.model/2``, with its digest); returns the
    path. The model is checked as :func:`load_model` checks a file, so a model that could not
    be loaded back (e.g. a degenerate fit) is refused with :class:`ModelFileError`."""
    path = Path(path)
    text = json.dumps(_sealed(m, spec, vintages), indent=1, allow_nan=False)
    return files.write_text(path, text)  # atomic: complete or not at all


def _build(doc: ModelFileSchema, d: dict[str, Any], built: dict[str, Any]) -> FormationModel:
    params = d["params"]
    m = FormationModel(
        kind=doc.kind,
        features=list(doc.features),
        max_iter=params["max_iter"],
        gbm_params=dict(params["gbm_params"]),
        negative_rate=params["negative_rate"],
        n_bootstrap=params["n_bootstrap"],
        random_state=params["random_state"],
        calibration=params.get("calibration"),
        calibration_start=params.get("calibration_start") or CALIBRATION_START,
        calibration_min_years=params.get("calibration_min_years") or CALIBRATION_MIN_YEARS,
    )
    cal = d.get("calibration")
    m.calibration_ = None if cal is None else (float(cal["knot"]), float(cal["slope"]))
    m.count_size_ = None if cal is None else float(cal["count_size"])
    m.history_years_ = (0, 0) if cal is None else (cal["history_years"][0], cal["history_years"][1])
    tr = d["training"]
    m.features_ = list(doc.features)
    m.years_ = (tr["years"][0], tr["years"][1])
    m.n_train_ = tr["n_train"]
    m.n_events_ = tr["n_events"]
    m.base_rate_ = float(tr["base_rate"])
    if doc.kind in LOGITS:
        lg = d["logit"]
        m.keep_ = np.asarray(lg["keep"], dtype=bool)
        m.missing_groups_ = [list(g) for g in lg["missing_groups"]]
        m.columns_ = list(lg["columns"])
        m.coef_ = built["coef"]
        m.raw_coef_ = built["raw_coef"]
        m.cov_ = built["cov"]
        m.x_mean_ = built["x_mean"]
        m.iterations_ = lg["iterations"]
        m.n_clusters_ = lg["n_clusters"]
    else:
        gb = d["gbm"]
        m.trees_ = built["trees"]
        m.bootstrap_ = built["bootstrap"]
        m.gbm_params_ = dict(gb["params"])
        m.negative_rate_ = float(gb["negative_rate"])
    return m


def model_from_dict(d: dict[str, Any], *, source: str = "model") -> FormationModel:
    """Rebuild a fitted :class:`FormationModel` from a model document (:func:`model_to_dict`'s
    output, or a parsed file), after every check of the module docstring; ``source`` names
    the document in errors."""
    doc, built = _validate(d, source)
    return _build(doc, d, built)


def load_model(path: str | Path) -> tuple[FormationModel, dict[str, Any]]:
    """The fitted model saved at ``path`` and the file's description: ``format``, ``sha256``
    (None in a ``foedus.model/1`` file), ``foedus_version``, ``spec``, ``training``,
    ``vintages`` and ``path``. Raises :class:`ModelFileError` for anything wrong with the
    file (see the module docstring)."""
    if not isinstance(path, str | Path):
        raise InvalidArgumentError(
            "path",
            f"path must be a file name, not {type(path).__name__}",
            "pass the model file's path as a string or pathlib.Path.",
        )
    path = Path(path)
    source = f"model file {path}"
    d = _parse(_read_text(path), source)
    doc, built = _validate(d, source)
    m = _build(doc, d, built)
    meta = {k: d.get(k) for k in ("format", "sha256", "foedus_version", "spec", "training")}
    meta["vintages"] = d["vintages"]
    meta["path"] = str(path)
    return m, meta


def check_spec(meta: Mapping[str, Any], *, pledge: str, horizon: int | None = None) -> None:
    """Refuse to use a loaded model (``meta`` from :func:`load_model`) for another pledge, or
    another horizon when ``horizon`` is given, than it was fitted for; a file without a
    recorded pledge or horizon passes. Raises :class:`ModelFileError`."""

    pledge = validate.choice(pledge, "pledge", sorted(PLEDGES))
    if horizon is not None:
        horizon = validate.integer(horizon, "horizon", lo=1)
    spec = meta.get("spec") or {}
    where = f"the model file {meta['path']}" if meta.get("path") else "the model file"
    saved = spec.get("pledge")
    if saved is not None and saved != pledge:
        raise ModelFileError(
            f"{where} forecasts {saved} pledges, not {pledge}",
            f"pass --pledge {saved} (pledge={saved!r} in Python), or fit a new model for "
            f"{pledge} pledges.",
        )
    saved_h = spec.get("horizon")
    if horizon is not None and saved_h is not None and saved_h != horizon:
        raise ModelFileError(
            f"{where} forecasts onsets within {saved_h} years, not {horizon}",
            f"use horizon {saved_h}, or fit a new model for horizon {horizon}.",
        )


def vintage_changes(meta: Mapping[str, Any]) -> list[str]:
    """Names of the data sets in a loaded model's vintages (``meta`` from
    :func:`load_model`) whose sha256 differs from the catalog's, or that the catalog no longer
    has, sorted: the model was fitted on other versions of them than this foedus reads."""

    changed: set[str] = set()
    for v in meta.get("vintages") or []:
        for ds in v.get("datasets") or []:
            name = ds.get("name")
            try:
                now = catalog.get(name).sha256
            except FoedusError:
                now = None
            if now is None or now != ds.get("sha256"):
                changed.add(str(name))
    return sorted(changed)
