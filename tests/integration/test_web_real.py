"""The JSON API on the real data: each endpoint gives what its operation gives."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from foedus.foundations import foundations
from foedus.operations.network import network_view
from foedus.web import create_app
from foedus.web.settings import WebSettings


@pytest.fixture
def client(tmp_path):
    app = create_app(WebSettings(claims_url=f"sqlite:///{tmp_path / 'claims.sqlite'}"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_countries_network_and_foundations(client):
    r = client.get("/api/countries/search", params={"q": "kor", "year": 2021})
    assert [s["abb"] for s in r.json()] == ["PRK", "ROK"]
    r = client.get("/api/countries/Russia", params={"year": 2021})
    assert r.json()["ccode"] == 365 and r.json()["member"] is True
    r = client.get("/api/countries/East Germany", params={"year": 2021})
    assert r.status_code == 422 and r.json()["error"] == "NotASystemMemberError"
    net = client.get("/api/network/1960").json()
    assert net == json.loads(json.dumps(network_view(1960)))
    assert net["n_ties"] == len(net["edges"]) > 300 and [2, 740] in net["edges"]  # USA-Japan
    assert (
        client.get("/api/network/1913", params={"source": "cow", "pledge": "entente"}).json()[
            "n_ties"
        ]
        > 0
    )
    r = client.get("/api/network/2019")  # past ATOP's end, today's data
    assert r.status_code == 422 and "2018" in r.json()["message"]
    f = client.get("/api/foundations", params={"a": "RUS", "b": "CHN", "year": 2021}).json()
    assert f["measures"] == json.loads(json.dumps(foundations("RUS", "CHN", 2021)))["measures"]
    r = client.get("/api/foundations", params={"a": "RUS", "b": "UKR", "year": 1980})
    assert r.status_code == 422 and r.json()["error"] == "NotASystemMemberError"


def test_claims(client):
    items = client.get("/api/claims").json()
    assert len(items) == 20 and all(c["condition_text"] for c in items)  # the example ledger
    one = client.get(f"/api/claims/{items[0]['id']}").json()
    assert one == items[0]
    assert client.get("/api/claims/9999").status_code == 404
    closed = client.get("/api/claims", params={"status": "yes"}).json()
    assert closed and all(c["resolution"]["status"] == "yes" for c in closed)
    scores = client.get("/api/claims/scores", params={"model": False}).json()
    assert scores["n_scored"] == 15 and scores["head_to_head"] is None


def test_a_brief_as_json_and_as_a_downloadable_page(client):
    r = client.get("/api/brief", params={"states": ["RUS", "CHN"], "year": 2021, "draws": 100})
    assert r.status_code == 200, r.text
    d = r.json()
    assert [s["ccode"] for s in d["states"]] == [365, 710] and d["glance"]
    r = client.get(
        "/api/brief",
        params={"states": ["USA", "JPN"], "year": 1960, "draws": 100, "format": "html"},
    )
    assert r.status_code == 200 and r.text.startswith("<!doctype html>")
    assert (
        r.headers["content-disposition"] == 'attachment; filename="foedus-brief-usa-jpn-1960.html"'
    )
    r = client.get("/api/brief", params={"states": ["RUS", "Narnia"], "year": 2021})
    assert r.status_code == 404 and "Narnia" in r.json()["message"]


def test_a_forecast(client):
    r = client.get("/api/forecast", params={"a": "RUS", "b": "CHN", "first": 2019, "last": 2021})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["pair"] == [365, 710] and [x["year"] for x in d["forecasts"]] == [2019, 2020, 2021]
    assert all(0 < x["p"] < 0.2 for x in d["forecasts"])
