"""Boosted trees as plain arrays: save, load, predict and explain a fitted binary
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` without pickle.

Representation
--------------
A :class:`TreeEnsemble` holds every node of every tree in one set of parallel NumPy arrays
(one entry per node, the trees one after another; ``roots[t]`` is the index of tree ``t``'s
root and tree ``t`` occupies indices ``roots[t]`` up to ``roots[t + 1]``, exclusive):

* ``feature`` -- the column an internal node splits on (``-1`` at leaves);
* ``threshold`` -- a row goes to the left child if its value is ``<= threshold``, else right;
  the threshold may be ``+inf``, which scikit-learn uses for a split that sends every
  non-missing value left and every missing value right;
* ``missing_left`` -- where a missing value (NaN) goes: left if true, right if false. For a
  feature that had no missing values in training, scikit-learn sends NaN to the child that
  received more training samples, and this flag records that choice;
* ``left``, ``right`` -- indices of the children in the same arrays (``-1`` at leaves);
* ``is_leaf``;
* ``value`` -- at a leaf, the leaf's contribution to the log-odds (learning rate already
  applied); at an internal node, the node's *expected value*: the mean of its children's
  expected values weighted by their training-sample counts, computed from the leaves up. It
  is what the tree predicts on average for training rows that reach the node.
* ``count`` -- the number of training rows that reached the node (unweighted, even when the
  model was fitted with sample weights; rows held out for early stopping are not counted).

``baseline`` is the model's starting log-odds (scikit-learn's ``_baseline_prediction``). The
log-odds of a row are ``baseline`` plus the value of the leaf the row reaches in each tree,
added tree by tree in the same order as scikit-learn, so predictions agree with
``decision_function`` and ``predict_proba`` to the last bit. Nodes are stored in
scikit-learn's depth-first order, so a child's index is always larger than its parent's.

Note that scikit-learn's own ``value`` field at internal nodes is *not* an expected value: it
is the Newton step computed when the node was created, before the learning rate is applied
(0 at the root). It is therefore discarded and recomputed from the leaves and counts.

Contributions
-------------
:meth:`TreeEnsemble.contributions` explains a row's log-odds by Saabas path attribution
(Saabas 2014, the "treeinterpreter" method): in each tree, follow the row's path from the
root to its leaf; at each split, the change in expected value from the node to the child the
row takes, ``value[child] - value[node]``, is credited to the feature the node splits on.
Because those changes telescope, each tree's credits add up to its leaf value minus its root's
expected value, so ``bias + contrib.sum(axis=1)`` equals the log-odds, where ``bias`` is
``baseline`` plus the sum of the roots' expected values (the same for every row). Missing
values are credited like any other value: a row sent down a branch because its value is NaN
credits the change to that feature. The method is cheap and exact in sum, but the credit
depends on the order of the splits: for a tree computing "A and B" on balanced, independent
binary features (split on A, then B), a row with both true credits 0.25 to A and 0.5 to B,
where SHAP values give 0.375 to each. It is also not consistent: a model can come to rely
more on a feature while that feature's attribution falls (Lundberg, Erion & Lee 2018,
"Consistent individualized feature attribution for tree ensembles").

Serialisation
-------------
:meth:`TreeEnsemble.to_dict` gives a dictionary of plain lists, numbers, strings and
booleans, tagged ``"format": "foedus.trees/1"``, that :func:`json.dumps` writes as strict
JSON (an infinite threshold is written as the string ``"inf"``) and
:meth:`TreeEnsemble.from_dict` reads back exactly (Python writes floats with ``repr``, which
round-trips). Loading validates the structure, so a damaged or hand-edited file is rejected
with an explanation rather than producing wrong predictions.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from foedus.errors import FoedusError, ModelFileError

FORMAT = "foedus.trees/1"

#: Node columns of the serialised form, in order.
_NODE_FIELDS = (
    "feature",
    "threshold",
    "missing_left",
    "left",
    "right",
    "is_leaf",
    "value",
    "count",
)

_LOAD_HINT = (
    "the tree ensemble data are malformed; re-export the model with "
    "TreeEnsemble.from_sklearn(model).to_dict() instead of editing the file."
)


def _bad(message: str, hint: str = _LOAD_HINT) -> FoedusError:
    return FoedusError(message, hint)


def expected_values(
    left: np.ndarray,
    right: np.ndarray,
    is_leaf: np.ndarray,
    leaf_value: np.ndarray,
    count: np.ndarray,
    roots: np.ndarray,
) -> np.ndarray:
    """Each node's expected value: the leaf value at leaves, and at internal nodes the mean of
    the children's expected values weighted by their counts (the plain mean if both children
    have a count of 0), computed level by level from the deepest nodes up. Assumes a
    well-formed structure (see :class:`TreeEnsemble`)."""
    n = is_leaf.shape[0]
    value = np.where(is_leaf, leaf_value, 0.0).astype(np.float64)
    levels: list[np.ndarray] = []
    frontier = np.asarray(roots, dtype=np.intp)
    while frontier.size:
        internal = frontier[~is_leaf[frontier]]
        if internal.size == 0:
            break
        levels.append(internal)
        frontier = np.concatenate([left[internal], right[internal]]).astype(np.intp)
        if sum(level.size for level in levels) > n:  # a cycle; validation forbids it
            raise _bad("the trees contain a cycle")
    for internal in reversed(levels):
        lo, ro = left[internal], right[internal]
        cl, cr = count[lo], count[ro]
        total = cl + cr
        safe = np.where(total > 0, total, 1.0)
        weighted = (cl * value[lo] + cr * value[ro]) / safe
        value[internal] = np.where(total > 0, weighted, 0.5 * (value[lo] + value[ro]))
    return value


@dataclass(eq=False)
class TreeEnsemble:
    """The trees of a fitted binary gradient-boosting classifier as parallel node arrays (see
    the module docstring for the meaning of each field). Construction validates the
    structure and raises :class:`~foedus.errors.FoedusError` if it is malformed."""

    baseline: float
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    count: np.ndarray
    roots: np.ndarray
    n_features: int
    feature_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        self.feature = np.asarray(self.feature, dtype=np.int32)
        self.threshold = np.asarray(self.threshold, dtype=np.float64)
        self.missing_left = np.asarray(self.missing_left, dtype=bool)
        self.left = np.asarray(self.left, dtype=np.int32)
        self.right = np.asarray(self.right, dtype=np.int32)
        self.is_leaf = np.asarray(self.is_leaf, dtype=bool)
        self.value = np.asarray(self.value, dtype=np.float64)
        self.count = np.asarray(self.count, dtype=np.float64)
        self.roots = np.asarray(self.roots, dtype=np.int64)
        if self.feature_names is not None:
            self.feature_names = tuple(self.feature_names)
        self._validate()

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def from_sklearn(cls, est: Any) -> TreeEnsemble:
        """The trees of a fitted binary ``HistGradientBoostingClassifier`` trained on numeric
        features. Raises :class:`~foedus.errors.FoedusError` for anything else."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted

        if not isinstance(est, HistGradientBoostingClassifier):
            raise FoedusError(
                f"expected a HistGradientBoostingClassifier, got {type(est).__name__}",
                "TreeEnsemble supports binary scikit-learn HistGradientBoostingClassifier "
                "models only.",
            )
        try:
            check_is_fitted(est)
        except NotFittedError:
            raise FoedusError(
                "the HistGradientBoostingClassifier is not fitted",
                "call fit(X, y) on it before converting it.",
            ) from None
        if len(est.classes_) != 2 or est.n_trees_per_iteration_ != 1:
            raise FoedusError(
                f"the classifier has {len(est.classes_)} classes; TreeEnsemble supports "
                "binary classifiers only",
                "fit one binary model per class (one against the rest) and convert each.",
            )
        from sklearn._loss.loss import HalfBinomialLoss

        if not isinstance(getattr(est, "_loss", None), HalfBinomialLoss):
            raise FoedusError(
                "the classifier does not use the binary log loss",
                "fit it with loss='log_loss' (the default).",
            )
        categorical = getattr(est, "is_categorical_", None)
        if categorical is not None and np.any(categorical):
            raise FoedusError(
                "the classifier uses categorical features "
                f"(columns {np.flatnonzero(categorical).tolist()}); TreeEnsemble supports "
                "numeric features only",
                "encode the categories as numbers (e.g. one-hot or ordinal columns) and fit "
                "with categorical_features=None.",
            )
        if getattr(est, "_preprocessor", None) is not None:
            raise FoedusError(
                "the classifier transforms its input before the trees",
                "fit it on a numeric array with categorical_features=None.",
            )

        n_features = int(est.n_features_in_)
        columns: dict[str, list[np.ndarray]] = {k: [] for k in _NODE_FIELDS}
        roots: list[int] = []
        offset = 0
        for iteration in est._predictors:
            (predictor,) = iteration
            nodes = predictor.nodes
            if np.any(nodes["is_categorical"]):
                raise FoedusError(
                    "a tree of the classifier splits on a categorical feature",
                    "fit it with categorical_features=None on numeric features.",
                )
            leaf = nodes["is_leaf"].astype(bool)
            roots.append(offset)
            columns["feature"].append(np.where(leaf, -1, nodes["feature_idx"]))
            columns["threshold"].append(np.where(leaf, 0.0, nodes["num_threshold"]))
            columns["missing_left"].append(~leaf & nodes["missing_go_to_left"].astype(bool))
            # sklearn's child indices are local to the tree (0 at leaves): make them global.
            columns["left"].append(np.where(leaf, -1, nodes["left"].astype(np.int64) + offset))
            columns["right"].append(np.where(leaf, -1, nodes["right"].astype(np.int64) + offset))
            columns["is_leaf"].append(leaf)
            columns["value"].append(nodes["value"].astype(np.float64))
            columns["count"].append(nodes["count"].astype(np.float64))
            offset += len(nodes)
        if not roots:
            raise FoedusError("the classifier has no trees", "fit it with max_iter >= 1.")
        arrays = {k: np.concatenate(v) for k, v in columns.items()}
        root_index = np.asarray(roots, dtype=np.int64)
        arrays["value"] = expected_values(
            arrays["left"],
            arrays["right"],
            arrays["is_leaf"],
            arrays["value"],
            arrays["count"],
            root_index,
        )
        names = getattr(est, "feature_names_in_", None)
        return cls(
            baseline=float(np.asarray(est._baseline_prediction).reshape(-1)[0]),
            roots=root_index,
            n_features=n_features,
            feature_names=None if names is None else tuple(str(s) for s in names),
            **arrays,
        )

    # --- structure ----------------------------------------------------------------------------

    @property
    def n_trees(self) -> int:
        return int(self.roots.shape[0])

    @property
    def n_nodes(self) -> int:
        return int(self.is_leaf.shape[0])

    def _validate(self) -> None:
        n = self.n_nodes
        for name in _NODE_FIELDS:
            arr = getattr(self, name)
            if arr.ndim != 1 or arr.shape[0] != n:
                raise _bad(
                    f"node field {name!r} has shape {arr.shape}; expected ({n},) like 'is_leaf'"
                )
        if n == 0:
            raise _bad("the ensemble has no nodes")
        if isinstance(self.n_features, bool) or not isinstance(self.n_features, int | np.integer):
            raise _bad(f"n_features must be an integer, got {self.n_features!r}")
        self.n_features = int(self.n_features)
        if self.n_features < 1:
            raise _bad(f"n_features must be at least 1, got {self.n_features}")
        self.baseline = float(self.baseline)
        if not np.isfinite(self.baseline):
            raise _bad(f"the baseline must be finite, got {self.baseline}")
        if self.feature_names is not None and (
            len(self.feature_names) != self.n_features
            or not all(isinstance(s, str) for s in self.feature_names)
        ):
            raise _bad(f"feature_names must be None or {self.n_features} strings")

        roots = self.roots
        if roots.ndim != 1 or roots.size == 0:
            raise _bad("'roots' must be a non-empty list of node indices")
        if roots[0] != 0 or np.any(np.diff(roots) <= 0) or roots[-1] >= n:
            raise _bad(
                "'roots' must start at 0 and strictly increase below the number of nodes "
                f"({n}), so that each tree is a contiguous block of nodes"
            )
        tree_end = np.repeat(np.append(roots[1:], n), np.diff(np.append(roots, n)))

        leaf = self.is_leaf
        bad_leaf = np.flatnonzero(leaf & ((self.left != -1) | (self.right != -1)))
        if bad_leaf.size:
            raise _bad(f"leaf node {bad_leaf[0]} has children; leaves must have left = right = -1")
        bad_leaf = np.flatnonzero(leaf & (self.feature != -1))
        if bad_leaf.size:
            raise _bad(f"leaf node {bad_leaf[0]} has a split feature; leaves must have -1")
        idx = np.arange(n)
        internal = ~leaf
        for side in ("left", "right"):
            child = getattr(self, side)
            bad = np.flatnonzero(internal & ((child <= idx) | (child >= tree_end)))
            if bad.size:
                raise _bad(
                    f"node {bad[0]} has {side} child {child[bad[0]]}, outside its tree "
                    "(a child's index must be larger than its parent's and below the next "
                    "tree's root)"
                )
        children = np.concatenate([self.left[internal], self.right[internal]])
        parents = np.bincount(children, minlength=n)
        is_root = np.zeros(n, dtype=bool)
        is_root[roots] = True
        wrong = np.flatnonzero(parents != np.where(is_root, 0, 1))
        if wrong.size:
            i = wrong[0]
            raise _bad(
                f"node {i} is the child of {parents[i]} nodes; every node except a tree's "
                "root must have exactly one parent"
            )
        bad = np.flatnonzero(internal & ((self.feature < 0) | (self.feature >= self.n_features)))
        if bad.size:
            raise _bad(
                f"node {bad[0]} splits on feature {self.feature[bad[0]]}, outside 0..."
                f"{self.n_features - 1}"
            )
        bad = np.flatnonzero(internal & np.isnan(self.threshold))
        if bad.size:
            raise _bad(f"node {bad[0]} has a NaN threshold")
        bad = np.flatnonzero(~np.isfinite(self.value))
        if bad.size:
            raise _bad(f"node {bad[0]} has a non-finite value {self.value[bad[0]]}")
        bad = np.flatnonzero(~np.isfinite(self.count) | (self.count < 0))
        if bad.size:
            raise _bad(f"node {bad[0]} has an invalid count {self.count[bad[0]]}")
        expected = expected_values(self.left, self.right, leaf, self.value, self.count, self.roots)
        bad = np.flatnonzero(~np.isclose(self.value, expected, rtol=1e-9, atol=1e-12))
        if bad.size:
            raise _bad(
                f"node {bad[0]} has value {self.value[bad[0]]!r}, but the count-weighted mean "
                f"of its children's values is {expected[bad[0]]!r}"
            )

    # --- prediction ---------------------------------------------------------------------------

    def _as_matrix(self, X: Any) -> np.ndarray:
        try:
            arr = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise FoedusError(
                f"could not read the input as a numeric matrix: {e}",
                "pass a 2-D array of numbers (NaN for missing values).",
            ) from None
        if arr.ndim != 2 or arr.shape[1] != self.n_features:
            raise FoedusError(
                f"the input has shape {arr.shape}; expected (n_rows, {self.n_features})",
                "pass the same feature columns, in the same order, as in training.",
            )
        return np.ascontiguousarray(arr)

    def _leaves(self, X: np.ndarray, contrib: np.ndarray | None = None) -> Iterator[np.ndarray]:
        """For each tree in turn, the leaf each row of ``X`` reaches, shape (n_rows,).

        Tree by tree, all rows descend together, one depth level per iteration, and rows that
        reach a leaf drop out. If ``contrib`` (a flat n_rows * n_features array) is given,
        each step also adds value[child] - value[node] to the entry of its row and the
        node's feature (a row takes at most one step per level, so the indices are unique)."""
        n_rows, n_features = X.shape
        flat = X.reshape(-1)
        row_start = np.arange(n_rows, dtype=np.intp) * n_features
        feature = self.feature.astype(np.intp)
        # children[2 * i] is node i's left child, children[2 * i + 1] its right child
        children = np.stack([self.left, self.right], axis=1).reshape(-1).astype(np.intp)
        for root in self.roots.tolist():
            node = np.full(n_rows, root, dtype=np.intp)
            active = np.arange(n_rows, dtype=np.intp) if not self.is_leaf[root] else None
            while active is not None and active.size:
                at = node[active]
                cell = row_start[active] + feature[at]
                x = flat[cell]
                # NaN <= threshold is False: NaN goes left only where missing_left says so.
                go_right = ~((x <= self.threshold[at]) | (np.isnan(x) & self.missing_left[at]))
                child = children[2 * at + go_right]
                node[active] = child
                if contrib is not None:
                    contrib[cell] += self.value[child] - self.value[at]
                active = active[~self.is_leaf[child]]
            yield node

    def raw_predict(self, X: Any) -> np.ndarray:
        """The log-odds of class 1 for each row of ``X`` (n_rows x n_features, NaN for
        missing), equal to the classifier's ``decision_function``."""
        X = self._as_matrix(X)
        out = np.zeros(X.shape[0], dtype=np.float64)
        out += self.baseline
        for leaf in self._leaves(X):  # tree by tree, in the order scikit-learn sums them
            out += self.value[leaf]
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of class 1 (the classifier's ``classes_[1]``) for each row, 1-D."""
        return expit(self.raw_predict(X))

    def contributions(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Saabas path attributions of each row's log-odds: ``(bias, contrib)`` with ``bias``
        of shape (n_rows,), the same for every row, and ``contrib`` of shape (n_rows,
        n_features), such that ``bias + contrib.sum(axis=1)`` equals :meth:`raw_predict` up to
        rounding. See the module docstring for the method and its caveats."""
        X = self._as_matrix(X)
        n_rows, n_features = X.shape
        contrib = np.zeros(n_rows * n_features, dtype=np.float64)
        for _ in self._leaves(X, contrib):
            pass
        bias = np.full(n_rows, self.baseline + float(self.value[self.roots].sum()))
        return bias, contrib.reshape(n_rows, n_features)

    # --- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (plain lists, numbers, strings, booleans); an infinite
        threshold is written as ``"inf"`` or ``"-inf"`` so the output is strict JSON."""
        thresholds: list[float | str] = [
            t if np.isfinite(t) else ("inf" if t > 0 else "-inf") for t in self.threshold.tolist()
        ]
        return {
            "format": FORMAT,
            "n_features": self.n_features,
            "feature_names": None if self.feature_names is None else list(self.feature_names),
            "baseline": self.baseline,
            "roots": self.roots.tolist(),
            "nodes": {
                "feature": self.feature.tolist(),
                "threshold": thresholds,
                "missing_left": self.missing_left.tolist(),
                "left": self.left.tolist(),
                "right": self.right.tolist(),
                "is_leaf": self.is_leaf.tolist(),
                "value": self.value.tolist(),
                "count": self.count.tolist(),
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TreeEnsemble:
        """Read the output of :meth:`to_dict` (e.g. after a JSON round trip), validating it.
        Raises :class:`~foedus.errors.ModelFileError` (a :class:`~foedus.errors.FoedusError`
        and a :class:`ValueError`) on malformed input, whatever it holds: wrong types, numbers
        out of range, or a structure :class:`TreeEnsemble` refuses."""
        try:
            with np.errstate(all="ignore"):  # e.g. huge counts: refused, without warnings
                return cls._from_dict(d)
        except ModelFileError:
            raise
        except FoedusError as e:  # the structural checks of the constructor
            raise ModelFileError(e.message, e.hint) from None

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> TreeEnsemble:
        if not isinstance(d, Mapping):
            raise _bad_input(f"expected a dictionary, got {type(d).__name__}")
        tag = d.get("format")
        if not isinstance(tag, str) or tag != FORMAT:
            raise _bad_input(
                f"unknown format tag {tag!r}; expected {FORMAT!r}",
                "this is not a foedus tree ensemble, or it was written by a newer foedus; "
                "re-export the model with TreeEnsemble.from_sklearn(model).to_dict().",
            )
        missing = [k for k in ("n_features", "baseline", "roots", "nodes") if k not in d]
        if missing:
            raise _bad_input(f"missing keys {missing}")
        nodes = d["nodes"]
        if not isinstance(nodes, Mapping):
            raise _bad_input("'nodes' must be a dictionary of node columns")
        missing = [k for k in _NODE_FIELDS if k not in nodes]
        if missing:
            raise _bad_input(f"'nodes' lacks the columns {missing}")
        names = d.get("feature_names")
        if names is not None and (
            not isinstance(names, Sequence) or isinstance(names, str | bytes)
        ):
            raise _bad_input("'feature_names' must be null or a list of strings")
        n_features = _integer(d["n_features"], "n_features")
        if n_features > _INT32_MAX:
            raise _bad_input(f"'n_features' is out of range: {n_features}")
        return cls(
            baseline=_number(d["baseline"], "baseline"),
            feature=_column(nodes["feature"], "feature", int),
            threshold=_column(nodes["threshold"], "threshold", float),
            missing_left=_column(nodes["missing_left"], "missing_left", bool),
            left=_column(nodes["left"], "left", int),
            right=_column(nodes["right"], "right", int),
            is_leaf=_column(nodes["is_leaf"], "is_leaf", bool),
            value=_column(nodes["value"], "value", float),
            count=_column(nodes["count"], "count", float),
            roots=_column(d["roots"], "roots", int),
            n_features=n_features,
            feature_names=None if names is None else tuple(names),
        )


def _bad_input(message: str, hint: str = _LOAD_HINT) -> ModelFileError:
    return ModelFileError(message, hint)


_INT32_MAX = 2**31 - 1
_INFINITIES = {"inf": np.inf, "-inf": -np.inf}


def _show(v: Any) -> str:
    """A short description of a value from a file (huge integers and long lists abridged)."""
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 64:
        return f"an integer of about {int(v.bit_length() * 0.30103) + 1} digits"
    text = reprlib.repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _integer(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _bad_input(f"{name!r} must be an integer, got {_show(v)}")
    return v


def _number(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _bad_input(f"{name!r} must be a number, got {_show(v)}")
    try:
        return float(v)
    except OverflowError:  # an int beyond float64's range
        raise _bad_input(f"{name!r} is out of range: {_show(v)}") from None


def _column(values: Any, name: str, kind: type) -> np.ndarray:
    """A list from a serialised ensemble as an array, checking each element's type (so that
    e.g. 1.5 is not silently truncated to a node index of 1)."""
    if not isinstance(values, Sequence) or isinstance(values, str | bytes):
        raise _bad_input(f"{name!r} must be a list")
    if kind is bool:
        if not all(isinstance(v, bool) for v in values):
            raise _bad_input(f"{name!r} must hold only true/false")
        return np.array(values, dtype=bool)
    if kind is int:
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise _bad_input(f"{name!r} must hold only integers")
        if values and (min(values) < np.iinfo(np.int32).min or max(values) > _INT32_MAX):
            raise _bad_input(f"{name!r} holds integers out of range")
        return np.array(values, dtype=np.int64)
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if isinstance(v, str) and v in _INFINITIES:
            out[i] = _INFINITIES[v]
        elif isinstance(v, int | float) and not isinstance(v, bool):
            try:
                out[i] = v
            except OverflowError:  # an int beyond float64's range
                raise _bad_input(f"{name!r} holds a number out of range at position {i}") from None
        else:
            raise _bad_input(f"{name!r} must hold only numbers, got {_show(v)} at position {i}")
    return out
