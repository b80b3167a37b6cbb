"""The web layer without data: security headers on every answer, the error boundary (foedus
errors as JSON with their status, validation errors, never a traceback), the body limit, the
token, the OpenAPI description, and search over a synthetic country index."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from foedus import countries
from foedus.errors import (
    ClaimNotFoundError,
    DataNotAvailableError,
    FoedusError,
    InvalidArgumentError,
    NotASystemMemberError,
    NotAuthorizedError,
    SettingsError,
    UnknownCountryError,
)
from foedus.web import api, create_app
from foedus.web.app import status_of
from foedus.web.security import SECURITY_HEADERS, token_matches
from foedus.web.settings import WebSettings
from tests.unit.test_countries import cow_states_frame

COW = [
    ("USA", 2, "United States of America", (1816, 1, 1), (2016, 12, 31)),
    ("RUS", 365, "Russia", (1816, 1, 1), (2016, 12, 31)),
    ("PRK", 731, "North Korea", (1948, 9, 9), (2016, 12, 31)),
    ("ROK", 732, "South Korea", (1949, 1, 1), (2016, 12, 31)),
    ("KOR", 730, "Korea", (1887, 1, 1), (1905, 11, 17)),
]


@pytest.fixture
def client():
    with TestClient(create_app(WebSettings(max_body=1000)), raise_server_exceptions=False) as c:
        yield c


def assert_secured(r) -> None:
    for k, v in SECURITY_HEADERS.items():
        assert r.headers.get(k) == v, k
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]


def test_health_and_headers_on_every_answer(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert_secured(r)
    for bad in ("/nowhere", "/api/network/1800?source=nonsense", "/api/brief?year=2021"):
        r = client.get(bad)
        assert r.status_code in (404, 422), bad
        assert_secured(r)


def test_the_openapi_description_and_no_cdn_docs(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/health",
        "/api/countries/search",
        "/api/countries/{query}",
        "/api/network/{year}",
        "/api/foundations",
        "/api/forecast",
        "/api/brief",
        "/api/claims",
        "/api/claims/scores",
        "/api/claims/{claim_id}",
    } <= paths
    year = next(
        p for p in spec["paths"]["/api/foundations"]["get"]["parameters"] if p["name"] == "year"
    )
    assert year["schema"]["minimum"] == api.FIRST and year["schema"]["maximum"] == api.LAST
    assert client.get("/docs").status_code == 404  # Swagger UI would fetch from a CDN


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/api/foundations?a=RUS&b=CHN&year=1700", "year"),
        ("/api/foundations?a=RUS&year=2000", "b"),
        ("/api/brief?states=RUS&year=2021", "states"),
        ("/api/brief?" + "&".join(f"states={i}" for i in range(9)) + "&year=2021", "states"),
        ("/api/brief?states=RUS&states=CHN&year=2021&format=pdf", "format"),
        ("/api/brief?states=RUS&states=CHN&year=2021&draws=10", "draws"),
        ("/api/countries/search?q=&limit=5", "q"),
        ("/api/countries/search?q=ko&limit=500", "limit"),
        ("/api/claims?status=maybe", "status"),
        ("/api/claims/abc", "claim_id"),
        ("/api/forecast?a=RUS&b=CHN&first=2020&last=2021&pledge=alliance", "pledge"),
    ],
)
def test_bad_parameters_are_refused_before_any_work(client, url, where):
    r = client.get(url)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "InvalidRequest" and where in body["message"] and body["hint"]
    assert "Traceback" not in r.text


def test_foedus_errors_become_json_with_their_status(client, monkeypatch):
    def fail(*_a, **_k):
        raise UnknownCountryError("Narnia", ["Armenia (371)"])

    monkeypatch.setattr(api, "look_up", fail)
    r = client.get("/api/countries/Narnia")
    assert r.status_code == 404
    assert r.json() == {
        "error": "UnknownCountryError",
        "message": "unknown country 'Narnia'",
        "hint": UnknownCountryError("Narnia", ["Armenia (371)"]).hint,
    }

    def crash(*_a, **_k):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(api, "look_up", crash)
    r = client.get("/api/countries/Narnia")
    assert r.status_code == 500 and r.json()["error"] == "InternalError"
    assert "secret" not in r.text and "Traceback" not in r.text
    assert_secured(r)


def test_status_of_each_error_kind():
    assert status_of(NotAuthorizedError("no token")) == 401
    assert status_of(ClaimNotFoundError("no claim #3")) == 404
    assert status_of(UnknownCountryError("X", [])) == 404
    assert status_of(InvalidArgumentError("year", "bad", "fix")) == 422
    assert status_of(DataNotAvailableError("atop-members", ["mirror"])) == 503
    assert status_of(FoedusError("anything else")) == 400
    nm = NotASystemMemberError.__new__(NotASystemMemberError)
    assert status_of(nm) == 422


def test_the_body_limit(client):
    r = client.post("/api/health", content=b"x" * 1001)
    assert r.status_code == 413 and r.json()["error"] == "RequestTooLarge"
    assert_secured(r)

    def chunks():
        for _ in range(20):
            yield b"y" * 100

    r = client.post("/api/claims", content=chunks())  # no Content-Length: counted as read
    assert r.status_code in (405, 413)
    r = client.post("/api/health", content=b"x" * 10)  # small bodies pass to the router
    assert r.status_code == 405


def test_the_token():
    assert token_matches("a" * 32, "a" * 32)
    assert not token_matches("a" * 31 + "b", "a" * 32)
    assert not token_matches("", "a" * 32) and not token_matches(None, "a" * 32)
    assert not token_matches("a" * 32, None)  # no token configured: no writes at all
    with pytest.raises(SettingsError, match="at least 16"):
        WebSettings(token="short")
    with pytest.raises(SettingsError, match="positive"):
        WebSettings(max_body=0)


def test_search_on_a_synthetic_index(client, monkeypatch):
    idx = countries.CountryIndex(cow_states_frame(COW))
    monkeypatch.setattr(api.countries, "index", lambda: idx)
    names = lambda r: [s["abb"] for s in r.json()]  # noqa: E731
    r = client.get("/api/countries/search?q=korea")
    assert r.status_code == 200 and names(r) == ["KOR", "PRK", "ROK"]  # starts-with first
    assert names(client.get("/api/countries/search?q=korea&year=1900")) == ["KOR"]
    assert names(client.get("/api/countries/search?q=kor&limit=1")) == ["KOR"]
    assert names(client.get("/api/countries/search?q=south")) == ["ROK"]
    assert names(client.get("/api/countries/search?q=narnia")) == []
    assert names(client.get("/api/countries/search?q=usa")) == ["USA"]  # abbreviation
    assert client.get("/api/countries/search?q=%3Cscript%3E").json() == []


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_foedus_serve_runs_and_refuses_bad_settings(tmp_path):
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "FOEDUS_WEB_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "foedus", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    body = r.read().decode()
                    headers = dict(r.headers)
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None and '"ok"' in body
        assert headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
    finally:
        proc.terminate()
        _, errtext = proc.communicate(timeout=20)
    assert "read-only" in errtext and "Traceback" not in errtext
    bad = subprocess.run(
        [sys.executable, "-m", "foedus", "serve", "--port", "70000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "not a port" in bad.stderr
    short = subprocess.run(
        [sys.executable, "-m", "foedus", "serve"],
        env={**env, "FOEDUS_WEB_TOKEN": "abc"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        short.returncode == 2 and "at least 16" in short.stderr and "Traceback" not in short.stderr
    )
