"""War Trap expected utility: hand-computed cases and a literal transcription of EUGene's loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus.measures.expected_utility import war_trap_matrix

X = math.log10(10 - math.e)  # the discount exponent at 0 miles


def test_two_states_by_hand():
    # CINC 0.3 vs 0.1, same place, U = 0: P = 0.3^x / (0.3^x + 0.1^x); E(U) = 2P - 1
    eu = war_trap_matrix(np.array([0.3, 0.1]), np.zeros((2, 2)), np.array([[1, 0], [0, 1.0]]), 1950)
    p = 0.3**X / (0.3**X + 0.1**X)
    assert eu[0, 1] == pytest.approx(2 * p - 1)
    assert eu[1, 0] == pytest.approx(-(2 * p - 1))
    assert np.isnan(eu[0, 0])


def test_three_states_by_hand():
    # 1 and 2 unaligned (U = 0); 3 fully aligned with 1 (U = 1), unaligned with 2
    cinc = np.array([0.5, 0.25, 0.25])
    u = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1.0]])
    eu = war_trap_matrix(cinc, np.zeros((3, 3)), u, 1950)
    a1, a2, a3 = 0.5**X, 0.25**X, 0.25**X
    bilateral = 2 * a1 / (a1 + a2) - 1
    p13 = (a1 + a3) / (a1 + a3 + a2)
    p23 = (a2 + a3) / (a2 + a3 + a1)
    assert eu[0, 1] == pytest.approx(bilateral + (p13 + p23 - 1) * (1 - 0))


def literal(cinc, miles, u, year, third=None):
    """EUGene's eu_war_trap, transcribed loop by loop (MODELS.md b.2)."""
    n = len(cinc)
    mpd = 250 if year < 1918 else 375 if year <= 1945 else 500

    def adj(i, j):
        return cinc[i] ** math.log10(miles[i][j] / mpd + (10 - math.e))

    out = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(n):
            if i == j or math.isnan(cinc[i]) or math.isnan(cinc[j]):
                continue
            uij = 1.0 if i == j else u[i][j]
            den = adj(i, j) + adj(j, j)
            p = adj(i, j) / den if den > 0 else 0.5
            eu = p * (1 - uij) + (1 - p) * (uij - 1)
            for k in range(n):
                if k in (i, j) or math.isnan(cinc[k]) or math.isnan(u[k][i]) or math.isnan(u[k][j]):
                    continue
                if third is not None and not third[k]:
                    continue
                ck = max(adj(k, j), adj(k, i))
                pik = (adj(i, j) + ck) / (adj(i, j) + ck + adj(j, j))
                pjk = (adj(j, i) + ck) / (adj(j, i) + ck + adj(i, i))
                eu += (pik + pjk - 1) * (u[k][i] - u[k][j])
            out[i, j] = eu
    return out


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 7), seed=st.integers(0, 1000), year=st.sampled_from([1900, 1930, 1990]))
def test_matrix_equals_the_literal_loop(n, seed, year):
    rng = np.random.default_rng(seed)
    cinc = rng.random(n) * 0.3
    if seed % 4 == 0:
        cinc[rng.integers(n)] = np.nan  # a state without capabilities
    miles = rng.random((n, n)) * 6000
    miles = (miles + miles.T) / 2
    np.fill_diagonal(miles, 0)
    u = rng.uniform(-1, 1, (n, n))
    u = (u + u.T) / 2
    np.fill_diagonal(u, 1)
    got = war_trap_matrix(cinc, miles, u, year)
    want = literal(cinc, miles, u, year)
    assert np.allclose(got, want, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 7), seed=st.integers(0, 1000))
def test_third_parties_can_be_restricted(n, seed):
    rng = np.random.default_rng(seed)
    cinc = rng.random(n) * 0.3
    miles = rng.random((n, n)) * 3000
    miles = (miles + miles.T) / 2
    np.fill_diagonal(miles, 0)
    u = rng.uniform(-1, 1, (n, n))
    u = (u + u.T) / 2
    np.fill_diagonal(u, 1)
    third = rng.random(n) < 0.5
    got = war_trap_matrix(cinc, miles, u, 1950, third=third)
    assert np.allclose(got, literal(cinc, miles, u, 1950, third), equal_nan=True)
