"""Portfolio similarity: published reference values and a slow reference implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus.measures import pair_measures


def germany_russia_1914() -> np.ndarray:
    """Signorino & Ritter (1999) Table 6: 20 states; 0 GMY, 1 RUS, 2 AUH, 3 ITA, 4 RUM,
    5 FRN, 6 UK. GMY: 3 for GMY, AUH, ITA, RUM; RUS: 3 for RUS, FRN and 1 for UK, ITA."""
    x = np.zeros((20, 20), dtype=int)
    np.fill_diagonal(x, 3)
    x[0, [0, 2, 3, 4]] = 3
    x[1, [1, 5]] = 3
    x[1, [6, 3]] = 1
    return x


def test_published_germany_russia_1914_values():
    m = pair_measures(germany_russia_1914(), 4, np.ones(20))
    expected = {"taub": 0.0303, "s_un": 0.4000, "s_un_sq": 0.4444, "kappa": -0.0776, "pi": -0.0448}
    for k, v in expected.items():
        assert round(float(m[k][0, 1]), 4) == v, k
    assert m["s_wt"][0, 1] == pytest.approx(m["s_un"][0, 1])  # equal weights: S_wt == S


def slow(xi: list[int], xj: list[int], levels: int, w: list[float]) -> dict[str, float]:
    """Every measure from its textbook definition, one pair at a time."""
    n, dmax = len(xi), levels - 1
    out = {}
    conc = disc = tx = ty = 0
    for a in range(n):
        for b in range(a + 1, n):
            dx, dy = xi[a] - xi[b], xj[a] - xj[b]
            if dx == 0:
                tx += 1
            if dy == 0:
                ty += 1
            if dx * dy > 0:
                conc += 1
            elif dx * dy < 0:
                disc += 1
    n0 = n * (n - 1) / 2
    den = math.sqrt((n0 - tx) * (n0 - ty))
    out["taub"] = (conc - disc) / den if den > 0 else math.nan
    out["s_un"] = 1 - 2 * sum(abs(a - b) for a, b in zip(xi, xj, strict=True)) / (dmax * n)
    out["s_un_sq"] = 1 - 2 * sum((a - b) ** 2 for a, b in zip(xi, xj, strict=True)) / (dmax**2 * n)
    tw = sum(w)
    out["s_wt"] = 1 - 2 * sum(wk * abs(a - b) for wk, a, b in zip(w, xi, xj, strict=True)) / (
        dmax * tw
    )
    p = [xi.count(a) / n for a in range(levels)]
    q = [xj.count(a) / n for a in range(levels)]
    wq = [[((a - b) / dmax) ** 2 for b in range(levels)] for a in range(levels)]
    obs = sum(wq[a][b] for a, b in zip(xi, xj, strict=True)) / n
    exp = sum(wq[a][b] * p[a] * q[b] for a in range(levels) for b in range(levels))
    out["kappa"] = 1 - obs / exp if exp > 0 else math.nan
    po = sum(a == b for a, b in zip(xi, xj, strict=True)) / n
    pe = sum(((p[a] + q[a]) / 2) ** 2 for a in range(levels))
    out["pi"] = (po - pe) / (1 - pe) if pe < 1 else math.nan
    return out


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 12), levels=st.sampled_from([2, 4]), seed=st.integers(0, 10_000))
def test_matrix_measures_equal_the_definitions(n, levels, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, size=(n, n))
    if seed % 3 == 0:
        x[:, :] = rng.integers(0, 2, size=(n, n)) * (levels - 1)  # many ties
    np.fill_diagonal(x, levels - 1)
    w = rng.random(n)
    m = pair_measures(x, levels, w)
    for i in range(n):
        for j in range(n):
            ref = slow(list(x[i]), list(x[j]), levels, list(w))
            for k, v in ref.items():
                got = m[k][i, j]
                assert (math.isnan(v) and np.isnan(got)) or got == pytest.approx(v, abs=1e-9), (
                    k,
                    i,
                    j,
                )


def test_missing_weights_are_skipped():
    x = germany_russia_1914()
    w = np.ones(20)
    w[10:] = np.nan
    m = pair_measures(x, 4, w, ["s_wt"])
    ref = slow(list(x[0][:10]), list(x[1][:10]), 4, [1.0] * 10)
    assert m["s_wt"][0, 1] == pytest.approx(ref["s_wt"])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(3, 10), seed=st.integers(0, 10_000))
def test_regional_measures_use_the_partners_plus_the_pair(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(n, n))
    np.fill_diagonal(x, 3)
    w = rng.random(n)
    k_in = rng.random(n) < 0.5
    m = pair_measures(x, 4, w, partners=k_in)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            ks = [k for k in range(n) if k_in[k] or k in (i, j)]
            ref = slow([x[i, k] for k in ks], [x[j, k] for k in ks], 4, [w[k] for k in ks])
            for key, v in ref.items():
                got = m[key][i, j]
                assert (math.isnan(v) and np.isnan(got)) or got == pytest.approx(v, abs=1e-9), (
                    key,
                    i,
                    j,
                )
