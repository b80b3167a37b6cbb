"""Sweep families on a synthetic year: which scenarios a family holds and what each reports."""

from __future__ import annotations

import numpy as np
import pytest

from foedus.errors import InvalidArgumentError
from foedus.scenarios import executor
from foedus.scenarios.sweep import YearContext, evaluate_pledges, pact_family, top_powers


def ctx() -> YearContext:
    # 1-2 allied, 2-3 allied; 4 and 5 alone
    allies = {1: {2}, 2: {1, 3}, 3: {2}, 4: set(), 5: set()}
    share = {1: 0.4, 2: 0.1, 3: 0.2, 4: 0.25, 5: 0.05}
    return YearContext(
        2000, "defense", share, {k: frozenset(v) for k, v in allies.items()}, {9: (1, 2, 3)}
    )


def test_pacts_are_the_unallied_pairs_among_the_top_powers():
    c = ctx()
    assert top_powers(c, 3) == [1, 4, 3]
    fam = pact_family(c, 3)
    assert [(i["a"], i["b"]) for i in fam] == [(1, 4), (1, 3), (4, 3)]
    assert [(i["a"], i["b"]) for i in pact_family(c, 5)].count((1, 2)) == 0
    with pytest.raises(InvalidArgumentError):
        pact_family(c, 1)


def test_a_pact_item_reports_blocs_gains_and_indirect_ties():
    c = ctx()
    r = evaluate_pledges({"kind": "add", "a": 4, "b": 3}, np.random.default_rng(0), c)
    assert r["a_bloc_share"] == 0.25 and r["a_bloc_share_after"] == pytest.approx(0.45)
    assert r["b_bloc_share"] == pytest.approx(0.3) and r["b_bloc_share_after"] == pytest.approx(
        0.55
    )
    assert r["a_gain_after"] == pytest.approx(0.45 / 0.25)
    # 4 is now two steps from 2; 3 was two steps from 1 before and still is
    assert (r["indirect_before"], r["indirect_after"]) == (1, 2)
    j = evaluate_pledges({"kind": "join", "a": 5, "alliance": 9}, np.random.default_rng(0), c)
    assert j["n_new_ties"] == 3 and j["a_bloc_share_after"] == pytest.approx(0.75)


def test_a_sweep_is_seeded_and_in_order():
    c = ctx()
    items = pact_family(c, 5)
    a = executor.results_frame(executor.run_sweep(evaluate_pledges, items, root_seed=1, context=c))
    b = executor.results_frame(
        executor.run_sweep(evaluate_pledges, items, root_seed=1, context=c, batch_size=2)
    )
    assert a.drop("task_index").equals(b.drop("task_index"))
    assert a["item_index"].to_list() == list(range(len(items)))
