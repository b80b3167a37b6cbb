"""The claims ledger on synthetic claims: conditions, claims, verbal probabilities, scores,
export/import round trips, and the SQLite ledger (transactions, duplicates, migrations,
concurrent writers)."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from foedus.claims import scoring
from foedus.claims.claim import Resolution, check_resolution, parse_claim
from foedus.claims.condition import parse_condition
from foedus.claims.ledger import Ledger, head_revision, open_ledger
from foedus.claims.transfer import export_claims, read_claims
from foedus.claims.verbal import BANDS, find_phrase, verbal_probability
from foedus.countries import CountryIndex
from foedus.errors import ClaimError, ClaimNotFoundError, DuplicateClaimError, LedgerError
from tests.unit.test_countries import cow_states_frame

COW = [
    ("USA", 2, "United States of America", (1816, 1, 1), (2016, 12, 31)),
    ("RUS", 365, "Russia", (1816, 1, 1), (2016, 12, 31)),
    ("FIN", 375, "Finland", (1917, 12, 6), (2016, 12, 31)),
    ("SWD", 380, "Sweden", (1816, 1, 1), (2016, 12, 31)),
    ("CHN", 710, "China", (1860, 1, 1), (2016, 12, 31)),
]
IDX = CountryIndex(cow_states_frame(COW))


def claim_doc(**over) -> dict:
    doc = {
        "author": "A. Pundit",
        "outlet": "The Daily",
        "url": "https://example.org/a",
        "published": "2021-02-15",
        "paraphrase": "Russia and China will sign a military alliance by the end of 2022.",
        "condition": {
            "event": "new_pledge",
            "pledge": "defence",
            "parties": ["Russia", "China"],
            "window_end": "2022-12-31",
        },
        "phrase": "very likely",
    }
    doc.update(over)
    return doc


def claim(**over):
    return parse_claim(claim_doc(**over), index=IDX)


@pytest.fixture
def ledger(tmp_path):
    with open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}", examples=False) as led:
        yield led


# --- conditions and claims ------------------------------------------------------------------


def test_a_condition_resolves_states_and_defaults():
    c = claim()
    assert c.condition.parties == (365, 710) and c.condition.pledge == "defense"
    assert c.condition.window_start == date(2021, 2, 15)  # the publication date
    assert c.condition.pairs() == [(365, 710)]
    assert c.probability == pytest.approx(0.875) and c.basis == "verbal"
    assert "ICD 203" in c.derivation


@pytest.mark.parametrize(
    ("cond", "field", "text"),
    [
        ({"event": "alliance"}, "event", "event must be one of"),
        ({"event": "new_pledge", "parties": ["Russia"]}, "parties", "at least two"),
        ({"event": "new_pledge", "parties": ["Rusia", "China"]}, "parties", "Rusia"),
        ({"event": "new_pledge", "parties": ["Russia", "RUS"]}, "parties", "named twice"),
        ({"event": "new_pledge", "pledge": "friendship"}, "pledge", "friendship"),
        ({"event": "accession", "parties": ["Finland"]}, "alliance", "names the alliance"),
        ({"event": "accession", "alliance": "SEATO2", "parties": ["Finland"]}, "alliance", ""),
        ({"window_end": "2020-01-01"}, "window_end", "before it starts"),
        ({"window_end": "2301-01-01"}, "window_end", "out of range"),
        ({"window_end": "next year"}, "window_end", "YYYY-MM-DD"),
        ({"quantifier": "most"}, "quantifier", "all"),
        ({"colour": "red"}, "condition", "unknown condition fields"),
    ],
)
def test_malformed_conditions_name_the_field(cond, field, text):
    base = {
        "event": "new_pledge",
        "parties": ["Russia", "China"],
        "window_start": "2021-01-01",
        "window_end": "2022-12-31",
    }
    with pytest.raises(ClaimError) as e:
        parse_condition({**base, **cond}, index=IDX)
    assert e.value.field == field and text in str(e.value)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"author": ""}, "author"),
        ({"url": "example.org"}, "url"),
        ({"published": "2021-13-01"}, "published"),
        ({"published": "2999-01-01"}, "published"),
        ({"paraphrase": "One sentence. Another sentence."}, "paraphrase"),
        ({"paraphrase": "x" * 401}, "paraphrase"),
        ({"paraphrase": 'He said "' + "a" * 90 + '" today.'}, "paraphrase"),
        ({"probability": 1.5}, "probability"),
        ({"probability": True}, "probability"),
        ({"phrase": "kinda maybe"}, "probability_phrase"),
        (
            {
                "condition": {
                    "event": "new_pledge",
                    "parties": ["Russia", "China"],
                    "window_start": "2020-01-01",
                    "window_end": "2020-06-30",
                }
            },
            "window_end",
        ),
        ({"resolution": {"status": "yes"}}, "resolved_on"),
        ({"resolution": {"status": "no", "resolved_on": "2022-12-31"}}, "evidence"),
        (
            {"resolution": {"status": "yes", "resolved_on": "2020-01-01", "evidence": "x"}},
            "resolved_on",
        ),
        ({"resolution": {"status": "maybe"}}, "status"),
        ({"extra": 1}, "claim"),
    ],
)
def test_bad_claims_name_the_field(over, field):
    with pytest.raises(ClaimError) as e:
        claim(**over)
    assert e.value.field == field


def test_the_key_ignores_the_id_and_spacing_of_the_author():
    a, b = claim(), claim(author="  a.  pundit ")
    assert a.key == b.key and replace(a, id=5).key == a.key
    assert claim(published="2021-02-16").key != a.key


# --- verbal probabilities ---------------------------------------------------------------------


def test_verbal_scale():
    assert verbal_probability("Likely").p == pytest.approx(0.675)
    assert verbal_probability("very unlikely").band == "very unlikely"
    assert all(lo < hi for lo, hi in BANDS.values())
    assert find_phrase("They will most likely sign a pact.").phrase == "most likely"
    assert find_phrase("It may well happen").band == "likely"
    assert find_phrase("No hedges here.") is None
    assert find_phrase("Moscow won't join").band == "very unlikely"


# --- scoring ------------------------------------------------------------------------------------


def test_scores_match_their_definitions():
    assert scoring.brier(0.8, 1) == pytest.approx(0.04)
    assert scoring.log_score(0.8, 0) == pytest.approx(math.log(0.2))
    assert scoring.baseline_score(0.5, 1) == pytest.approx(0.0)
    assert scoring.baseline_score(1.0, 1) == pytest.approx(100 * math.log2(0.999 / 0.5))
    assert scoring.baseline_score(0.25, 0) == pytest.approx(100 * math.log2(0.75 / 0.5))


def test_scoring_skips_unresolved_and_calibrates_closed_windows_only():
    done = Resolution("yes", date(2021, 6, 1), "signed", "https://x.org", "manual")
    items = [
        replace(claim(), id=1, resolution=done),  # closed window, scored
        replace(claim(author="B"), id=2),  # open
        replace(claim(author="C"), id=3, resolution=replace(done, status="ambiguous")),
        replace(
            claim(
                author="D",
                condition={
                    "event": "new_pledge",
                    "parties": ["USA", "China"],
                    "window_end": "2030-12-31",
                },
            ),
            id=4,
            resolution=done,
        ),  # resolved early: scored, not in calibration
    ]
    s = scoring.score_claims(items, today=date(2026, 12, 1))
    assert s.n_scored == 2 and [c.brier is None for c in s.claims] == [False, True, True, False]
    assert s.claims[2].why.startswith("ambiguous")
    assert sum(b["n"] for b in s.calibration) == 1
    assert s.by_author["A. Pundit"]["n_scored"] == 1
    assert s.mean_brier == pytest.approx((0.875 - 1) ** 2)
    json.dumps(s.to_dict())


# --- export and import ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_export_and_import_round_trip(tmp_path, suffix):
    res = Resolution(
        "no", date(2022, 12, 31), "no pact; the 2001 treaty was extended", "", "manual"
    )
    items = [
        replace(claim(), id=1, resolution=res),
        replace(
            claim(author="B", probability=0.3, basis="stated", phrase=None, notes="n;x,y"), id=2
        ),
        replace(
            claim(
                author="C",
                condition={
                    "event": "accession",
                    "alliance": "NATO",
                    "parties": ["Finland", "Sweden"],
                    "window_end": "2023-12-31",
                },
            ),
            id=3,
        ),
    ]
    p = export_claims(items, tmp_path / f"c{suffix}")
    back = read_claims(p, index=IDX)
    assert [c.to_dict() for c in back] == [c.to_dict() for c in items]
    p2 = export_claims(back, tmp_path / f"d{suffix}")
    assert p.read_text("utf-8") == p2.read_text("utf-8")


def test_import_errors_name_the_claim(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"format": "foedus.claims/1", "claims": [claim_doc(url="x")]}))
    with pytest.raises(ClaimError, match="claim 1: url"):
        read_claims(p, index=IDX)
    p.write_text("{}")
    with pytest.raises(ClaimError, match="not a foedus claims export"):
        read_claims(p, index=IDX)
    with pytest.raises(ClaimError, match=r"\.json or \.csv"):
        read_claims(tmp_path / "x.txt", index=IDX)


# --- the ledger ------------------------------------------------------------------------------


def test_add_get_list_resolve_remove(ledger: Ledger):
    c = ledger.add(claim())
    assert c.id == 1 and ledger.get(1) == c
    with pytest.raises(DuplicateClaimError, match="#1"):
        ledger.add(claim())
    ledger.add(claim(author="Other", outlet="Weekly"))
    assert [x.id for x in ledger.claims(author="other")] == [2]
    assert [x.id for x in ledger.claims(status="open")] == [1, 2]
    r = ledger.resolve(1, {"status": "no", "resolved_on": "2022-12-31", "evidence": "none"})
    assert r.resolution.status == "no" and ledger.get(1).resolution == r.resolution
    assert [x.id for x in ledger.claims(status="no")] == [1]
    with pytest.raises(ClaimError, match="before the claim was published"):
        ledger.resolve(1, {"status": "no", "resolved_on": "2020-01-01", "evidence": "x"})
    assert ledger.get(1).resolution == r.resolution  # the failed write changed nothing
    ledger.remove(2)
    with pytest.raises(ClaimNotFoundError):
        ledger.get(2)
    assert ledger.info().n_claims == 1 and ledger.info().revision == head_revision()


def test_add_many_is_all_or_nothing(ledger: Ledger):
    ledger.add(claim())
    with pytest.raises(DuplicateClaimError):
        ledger.add_many([claim(author="New"), claim()])
    assert [c.author for c in ledger.claims()] == ["A. Pundit"]


def test_reopening_keeps_the_claims_and_refuses_foreign_databases(tmp_path):
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    with open_ledger(url, examples=False) as led:
        led.add(claim())
    with open_ledger(url, examples=False) as led:
        assert led.info().n_claims == 1 and not led.created
    other = tmp_path / "other.sqlite"
    eng = sa.create_engine(f"sqlite:///{other}")
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x int)"))
    with pytest.raises(LedgerError, match="not a foedus ledger"):
        open_ledger(f"sqlite:///{other}")
    with eng.begin() as conn:
        conn.execute(sa.text("DROP TABLE t"))
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num varchar(32))"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('9999')"))
    with pytest.raises(LedgerError, match="revision 9999"):
        open_ledger(f"sqlite:///{other}")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LedgerError):
        open_ledger(f"sqlite:///{junk}")
    with pytest.raises(LedgerError, match="not a database URL"):
        open_ledger("no such url")


def test_concurrent_writers_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    open_ledger(url, examples=False).close()
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            with open_ledger(url, examples=False) as led:
                for i in range(10):
                    led.add(claim(author=f"writer {k} claim {i}"))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with open_ledger(url, examples=False) as led:
        assert led.info().n_claims == 40
    assert check_resolution(None) == Resolution()


def test_the_migrations_go_down_and_up_again(tmp_path):
    from alembic import command
    from alembic.config import Config

    from foedus.claims import ledger as ledger_module

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    with open_ledger(url, examples=False) as led:
        led.add(claim())
        cfg: Config
        with led.engine.begin() as conn:
            cfg = ledger_module.alembic_config(conn)
            command.downgrade(cfg, "base")
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    with open_ledger(url, examples=False) as led:  # upgraded again, empty
        assert led.info().n_claims == 0 and led.info().revision == head_revision()
