"""The claims ledger on the real country list: the example ledger, the command line, a
writer killed mid-transaction, and the same storage tests against a real PostgreSQL server
(``FOEDUS_TEST_POSTGRES_URL``, started by .ci/postgres.sh; required under CI)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from foedus.claims.claim import parse_claim
from foedus.claims.examples import example_claims
from foedus.claims.ledger import open_ledger
from foedus.claims.scoring import score_claims
from foedus.errors import DuplicateClaimError

ROOT = Path(__file__).parents[2]


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "foedus", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def claim(author: str = "A. Pundit", **over):
    doc = {
        "author": author,
        "outlet": "The Daily",
        "url": "https://example.org/a",
        "published": "2021-02-15",
        "paraphrase": "Russia and China will sign a military alliance by the end of 2022.",
        "condition": {
            "event": "new_pledge",
            "parties": ["Russia", "China"],
            "window_end": "2022-12-31",
        },
        "phrase": "very likely",
        **over,
    }
    return parse_claim(doc)


@pytest.fixture(scope="module")
def pg_base() -> str:
    url = os.environ.get("FOEDUS_TEST_POSTGRES_URL")
    if not url:
        msg = 'no PostgreSQL server: run eval "$(bash .ci/postgres.sh)" first'
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return url


@pytest.fixture
def pg_url(pg_base):
    """A fresh database on the test server for one test, dropped afterwards."""
    name = f"foedus_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = sa.engine.make_url(pg_base).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.sqlite'}"


def test_the_example_ledger_is_valid_and_loaded_on_first_use(tmp_path):
    examples = example_claims()
    assert len(examples) >= 12
    statuses = {c.resolution.status for c in examples}
    assert {"yes", "no", "open"} <= statuses
    rus_chn = [c for c in examples if set(c.condition.parties) == {365, 710}]
    assert rus_chn and rus_chn[0].published.year == 2021 and rus_chn[0].resolution.status == "no"
    assert any(375 in c.condition.parties and c.resolution.status == "yes" for c in examples)
    with open_ledger(sqlite_url(tmp_path)) as led:
        assert led.created and led.info().n_claims == len(examples)
    with open_ledger(sqlite_url(tmp_path)) as led:  # not loaded twice
        assert led.info().n_claims == len(examples)
    s = score_claims(examples)
    assert s.n_scored >= 10 and 0 < s.mean_brier < 1


def test_the_command_line(tmp_path):
    env = {"FOEDUS_CLAIMS_URL": sqlite_url(tmp_path)}
    r = cli("claims", "score", "--no-model", "--by", "outlet", env=env)
    assert r.returncode == 0, r.stderr
    assert "mean Brier" in r.stdout and "RUS and CHN" in r.stdout and "per outlet" in r.stdout
    f = tmp_path / "new.toml"
    f.write_text(
        "\n".join(
            [
                'author = "B. Analyst"',
                'outlet = "Weekly"',
                'url = "https://example.org/b"',
                'published = "2022-05-01"',
                'paraphrase = "Finland will join NATO within a year."',
                'phrase = "likely"',
                "[condition]",
                'event = "accession"',
                'alliance = "NATO"',
                'parties = ["Finland"]',
                'window_end = "2023-05-01"',
            ]
        )
    )
    r = cli("claims", "add", str(f), env=env)
    assert r.returncode == 0 and "added #21" in r.stdout, r.stderr
    r = cli("claims", "add", str(f), env=env)
    assert r.returncode == 2 and "already holds this claim, as #21" in r.stderr
    r = cli(
        "claims",
        "resolve",
        "21",
        "--status",
        "yes",
        "--on",
        "2023-04-04",
        "--evidence",
        "Finland joined NATO on 4 April 2023.",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    shown = json.loads(cli("claims", "show", "21", "--json", env=env).stdout)
    assert shown["resolution"]["status"] == "yes" and shown["condition"]["parties"] == [375]
    r = cli("claims", "resolve", "21", "--status", "yes", env=env)
    assert r.returncode == 2 and "needs its date" in r.stderr
    r = cli("claims", "show", "99", env=env)
    assert r.returncode == 2 and "no claim #99" in r.stderr
    out = tmp_path / "all.csv"
    assert cli("claims", "export", str(out), env=env).returncode == 0
    env2 = {"FOEDUS_CLAIMS_URL": f"sqlite:///{tmp_path / 'other.sqlite'}"}
    r = cli("claims", "import", str(out), env=env2)  # the examples are there: all refused
    assert r.returncode == 2 and "already holds" in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(f.read_text().replace('"Finland"', '"Finnland"'))
    r = cli("claims", "add", str(bad), env=env)
    assert r.returncode == 2 and "Finnland" in r.stderr and "Traceback" not in r.stderr


WRITER = """
import sys, time
from foedus.claims.claim import parse_claim
from foedus.claims.ledger import open_ledger
led = open_ledger(sys.argv[1], examples=False)
doc = {"author": "Killed", "outlet": "O", "url": "https://example.org/k",
       "published": "2021-02-15", "paraphrase": "It will happen.",
       "condition": {"event": "new_pledge", "parties": [365, 710], "window_end": "2022-12-31"}}
with led.transaction() as conn:
    led.add(parse_claim(doc), conn=conn)
    print("inside", flush=True)
    time.sleep(60)
"""


def kill_a_writer(url: str) -> None:
    p = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "inside"
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)


def storage_checks(url: str) -> None:
    """What every database must do: transactions, duplicates, a killed writer, concurrency."""
    with open_ledger(url, examples=False) as led:
        a = led.add(claim())
        with pytest.raises(DuplicateClaimError):
            led.add_many([claim("New"), claim()])
        assert [c.author for c in led.claims()] == ["A. Pundit"]
        r = led.resolve(a.id, {"status": "no", "resolved_on": "2022-12-31", "evidence": "none"})
        assert led.get(a.id).resolution == r.resolution
    kill_a_writer(url)
    with open_ledger(url, examples=False) as led:
        assert [c.author for c in led.claims()] == ["A. Pundit"]  # nothing of the killed one
        led.add(claim("After"))  # and nothing locked
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys\n"
                "from foedus.claims.claim import parse_claim\n"
                "from foedus.claims.ledger import open_ledger\n"
                "led = open_ledger(sys.argv[1], examples=False)\n"
                "for i in range(8):\n"
                "    led.add(parse_claim({'author': f'w{sys.argv[2]} {i}', 'outlet': 'O',\n"
                "        'url': 'https://example.org/w', 'published': '2021-02-15',\n"
                "        'paraphrase': 'It will.', 'condition': {'event': 'new_pledge',\n"
                "        'parties': [365, 710], 'window_end': '2022-12-31'}}))\n",
                url,
                str(k),
            ]
        )
        for k in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    with open_ledger(url, examples=False) as led:
        assert led.info().n_claims == 2 + 24


def test_sqlite_storage(tmp_path):
    storage_checks(sqlite_url(tmp_path))


def test_postgresql_storage(pg_url):
    storage_checks(pg_url)
    with open_ledger(pg_url) as led:  # an existing ledger: the examples are not added
        assert not led.created and led.info().revision == "0001"


def test_postgresql_ledger_with_the_examples(pg_url):
    with open_ledger(pg_url) as led:
        assert led.created and led.info().n_claims == len(example_claims())
        got = led.get(1)
        assert got.to_dict() == {**example_claims()[0].to_dict(), "id": 1}


def historical(cond: dict, published: str = "1948-06-01"):
    return parse_claim(
        {
            "author": "Historian",
            "outlet": "Archive",
            "url": "https://example.org/h",
            "published": published,
            "paraphrase": "A pact will come.",
            "condition": cond,
            "probability": 0.6,
        }
    )


@pytest.mark.parametrize(
    ("cond", "published", "status", "reason"),
    [
        # ATOP dates NATO's 1999 enlargement to 1997, the accession protocols' signature
        # the North Atlantic Treaty: ATOP dates the US-UK defence pledge to 1949
        (
            {"event": "new_pledge", "parties": ["USA", "UK"], "window_end": "1949-12-31"},
            "1948-06-01",
            "yes",
            "",
        ),
        (
            {"event": "new_pledge", "parties": ["USA", "UK"], "window_end": "1949-06-30"},
            "1948-06-01",
            None,
            "only partly covers",
        ),
        (
            {"event": "new_pledge", "parties": ["USA", "China"], "window_end": "2010-12-31"},
            "2000-01-01",
            "no",
            "",
        ),
        (
            {"event": "new_pledge", "parties": ["USA", "UK"], "window_end": "1960-12-31"},
            "1955-01-01",
            None,
            "already had",
        ),
        (
            {
                "event": "accession",
                "alliance": "NATO",
                "parties": ["Poland"],
                "window_start": "1997-01-01",
                "window_end": "1999-12-31",
            },
            "1996-07-01",
            "yes",
            "",
        ),
        (
            {
                "event": "accession",
                "alliance": "NATO",
                "parties": ["Poland", "Ukraine"],
                "window_end": "1999-12-31",
            },
            "1996-07-01",
            "no",
            "",
        ),
        (
            {
                "event": "accession",
                "alliance": "NATO",
                "parties": ["Poland", "Ukraine"],
                "quantifier": "any",
                "window_start": "1997-01-01",
                "window_end": "1999-12-31",
            },
            "1996-07-01",
            "yes",
            "",
        ),
        (
            {"event": "new_pledge", "parties": ["Russia", "China"], "window_end": "2022-12-31"},
            "2021-02-15",
            None,
            "resolve it by hand",
        ),
    ],
)
def test_resolution_from_atop(cond, published, status, reason):
    from foedus.claims.resolve import resolve_from_data

    v = resolve_from_data(historical(cond, published))
    if status is None:
        assert v.resolution is None and reason in v.reason
    else:
        assert v.resolution is not None and v.resolution.status == status
        assert v.resolution.method == "data" and v.resolution.evidence


def test_resolution_from_the_treaty_file_and_the_command_line(tmp_path):
    from foedus.claims.resolve import resolve_from_data
    from foedus.prospects.treaties import read_treaties

    t = read_treaties(ROOT / "examples" / "treaties.csv")
    fin = historical(
        {
            "event": "accession",
            "alliance": "NATO",
            "parties": ["Finland"],
            "window_end": "2023-12-31",
        },
        "2022-05-01",
    )
    v = resolve_from_data(fin, treaties=t)
    assert v.resolution.status == "yes" and str(v.resolution.resolved_on) == "2023-04-04"
    assert resolve_from_data(fin).resolution is None  # without the file: cannot say
    env = {"FOEDUS_CLAIMS_URL": sqlite_url(tmp_path)}
    r = cli(
        "claims",
        "resolve",
        "--from-data",
        "--treaties",
        str(ROOT / "examples" / "treaties.csv"),
        env=env,
    )
    assert r.returncode == 0 and "#12: stays open" in r.stdout, r.stderr


def test_extract_drafts_claims_that_add_once_completed(tmp_path):
    art = tmp_path / "article.html"
    art.write_text(
        '<html><head><meta property="article:published_time" content="2021-02-15T08:00:00Z">'
        '<script>var s = "Russia will join NATO";</script></head><body>'
        "<p>Experts in Moscow say Russia and China will most likely conclude an official "
        "military alliance this year or, at the latest, in 2022.</p><p>Rain.</p></body></html>"
    )
    drafts = tmp_path / "drafts.json"
    env = {"FOEDUS_CLAIMS_URL": sqlite_url(tmp_path)}
    r = cli("claims", "extract", str(art), "-o", str(drafts), env=env)
    assert r.returncode == 0, r.stderr
    doc = json.loads(drafts.read_text())
    [d] = doc["claims"]
    assert d["condition"]["parties"] == ["Russia", "China"]
    assert d["condition"]["window_end"] == "2022-12-31" and d["published"] == "2021-02-15"
    r = cli("claims", "add", str(drafts), env=env)  # author, outlet, url still empty
    assert r.returncode == 2 and "is missing" in r.stderr
    d.update(author="Experts", outlet="Example", url="https://example.org/x")
    drafts.write_text(json.dumps(doc))
    r = cli("claims", "add", str(drafts), env=env)
    assert r.returncode == 0 and "added #21" in r.stdout, r.stderr
    r = cli("claims", "extract", str(tmp_path / "none.html"), env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_the_models_probability_as_of_each_claim(tmp_path):
    from dataclasses import replace

    from foedus.claims.model_view import model_probabilities
    from foedus.prospects.treaties import read_treaties

    t = read_treaties(ROOT / "examples" / "treaties.csv")
    base = {
        "author": "X",
        "outlet": "O",
        "url": "https://example.org/m",
        "probability": 0.9,
        "paraphrase": "They will.",
    }

    def c(i, published, cond):
        return replace(parse_claim({**base, "published": published, "condition": cond}), id=i)

    items = [
        c(
            1,
            "2021-02-15",
            {"event": "new_pledge", "parties": ["Russia", "China"], "window_end": "2022-12-31"},
        ),
        # the Russia-North Korea treaty was signed on 2024-06-19: before it, the pair is at
        # risk; after it, the model knows of it and has nothing to forecast
        c(
            2,
            "2024-06-01",
            {
                "event": "new_pledge",
                "parties": ["Russia", "North Korea"],
                "window_end": "2024-12-31",
            },
        ),
        c(
            3,
            "2024-07-01",
            {
                "event": "new_pledge",
                "parties": ["Russia", "North Korea"],
                "window_end": "2025-12-31",
            },
        ),
        c(
            4,
            "2018-05-01",
            {
                "event": "accession",
                "alliance": "NATO",
                "parties": ["Georgia"],
                "window_end": "2021-12-31",
            },
        ),
        c(
            5,
            "2023-09-01",
            {
                "event": "withdrawal",
                "alliance": "NATO",
                "parties": ["United States"],
                "window_end": "2029-01-20",
            },
        ),
        c(
            6,
            "2022-05-01",
            {
                "event": "accession",
                "alliance": "NATO",
                "parties": ["Finland"],
                "window_end": "2023-05-01",
            },
        ),
        c(
            7,
            "2021-02-15",
            {"event": "new_pledge", "parties": ["Russia", "China"], "window_end": "2030-12-31"},
        ),
    ]
    m = model_probabilities(items, treaties=t)
    assert 0 < m[1].probability < 0.2 and "data as of 2021-02-15" in m[1].how
    assert m[2].probability is not None and "already had" in m[3].reason
    assert "inside ATOP's years" in m[4].reason and "withdrawal" in m[5].reason
    assert m[6].probability is not None and "pair(s) (smallest)" in m[6].how
    # a longer window: a higher probability, cut at the forecasts' horizon
    assert m[7].probability > m[1].probability and "lower bound" in m[7].how
    env = {"FOEDUS_CLAIMS_URL": sqlite_url(tmp_path)}
    r = cli("claims", "score", "--treaties", str(ROOT / "examples" / "treaties.csv"), env=env)
    assert r.returncode == 0 and "claim by claim" in r.stdout and "model Brier" in r.stdout
