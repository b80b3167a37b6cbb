"""Shared test set-up.

Unit tests never touch the real data or the network: each gets an empty cache and no mirror.
Integration tests (``tests/integration``) need the real data sets through the local-mirror
setting: ``FOEDUS_DATA_DIR`` if set, else ``../shared/data`` beside the project root. Without
them they fail under CI (``CI`` set) and skip elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = ROOT.parent / "shared" / "data"


def real_data_dir() -> Path | None:
    env = os.environ.get("FOEDUS_DATA_DIR")
    d = Path(env) if env else DEFAULT_MIRROR
    return d if (d / "cow" / "states2016.csv").is_file() else None


def pytest_configure(config):
    """Session-wide defaults, so module-scoped fixtures of integration tests also read the
    mirror: offline, a throw-away cache, and the real data if it can be found."""
    import tempfile

    os.environ["FOEDUS_OFFLINE"] = "1"
    os.environ["FOEDUS_CACHE_DIR"] = tempfile.mkdtemp(prefix="foedus-test-cache-")
    d = real_data_dir()
    if d is not None:
        os.environ["FOEDUS_DATA_DIR"] = str(d)


@pytest.fixture(autouse=True)
def _isolated_env(request, tmp_path_factory, monkeypatch):
    """Every test gets its own empty cache; unit tests also lose any mirror setting."""
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("FOEDUS_OFFLINE", raising=False)
    # never the user's own claims ledger
    ledger = tmp_path_factory.mktemp("claims") / "claims.sqlite"
    monkeypatch.setenv("FOEDUS_CLAIMS_URL", f"sqlite:///{ledger}")
    if "integration" in request.keywords:
        d = real_data_dir()
        if d is None:
            msg = "real data not found: set FOEDUS_DATA_DIR or provide ../shared/data"
            if os.environ.get("CI"):
                pytest.fail(msg)
            pytest.skip(msg)
        monkeypatch.setenv("FOEDUS_DATA_DIR", str(d))
        # integration tests must never reach the network either
        monkeypatch.setenv("FOEDUS_OFFLINE", "1")
    else:
        monkeypatch.delenv("FOEDUS_DATA_DIR", raising=False)
        monkeypatch.setenv("FOEDUS_OFFLINE", "1")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/integration" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.integration)
