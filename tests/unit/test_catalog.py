"""The catalog registry and its lookups (no data files, no network)."""

from __future__ import annotations

import re

import pytest

from foedus import catalog, citations
from foedus.errors import DataNotAvailableError, UnknownDatasetError


def test_registry_entries_are_complete_and_pinned():
    dss = list(catalog.datasets().values())
    assert len(dss) == 75
    assert len({d.file for d in dss}) == len(dss)
    bib = set(citations.keys())
    for d in dss:
        assert re.fullmatch(r"[0-9a-f]{64}", d.sha256), d.name
        assert d.size > 0 and d.rows and d.columns
        assert d.urls and all(u.startswith("https://") for u in d.urls)
        # every download URL is pinned to an immutable commit
        assert all(re.search(r"/[0-9a-f]{40}/", u) for u in d.urls), d.name
        assert d.cite and set(d.cite) <= bib, d.name
        assert d.terms and d.producer and d.version and d.homepage
        if d.coverage:
            assert 1400 < d.coverage[0] <= d.coverage[1] <= 2030


def test_required_sources_are_registered():
    names = set(catalog.datasets())
    for n in (
        "cow-states",
        "cow-system",
        "cow-majors",
        "cow-nmc",
        "cow-alliance-member",
        "cow-mida",
        "cow-midb",
        "atop-alliances",
        "atop-members",
        "atop-phases",
        "atop-state-years",
        "unvotes-votes",
        "nuclear-warheads",
        "gw-states",
        "ps-cow-ddy",
        "ps-atop-alliance",
    ):
        assert n in names


def test_get_by_name_file_and_stem():
    assert catalog.get("cow-nmc").file == "cow/NMC-60-abridged.csv"
    assert catalog.get("cow/NMC-60-abridged.csv").name == "cow-nmc"
    assert catalog.get("cow_ddy").name == "ps-cow-ddy"


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownDatasetError) as e:
        catalog.get("cow-nmx")
    assert "cow-nmc" in e.value.suggestions
    assert "foedus data list" in str(e.value)


def test_offline_without_file_is_a_typed_error(monkeypatch):
    monkeypatch.setenv("FOEDUS_OFFLINE", "1")
    with pytest.raises(DataNotAvailableError) as e:
        catalog.path("cow-states")
    msg = str(e.value)
    assert "cow-states" in msg and "FOEDUS_DATA_DIR" in msg


def test_settings_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("FOEDUS_OFFLINE", "0")
    s = catalog.Settings.from_env()
    assert s.cache_dir == tmp_path / "c" and s.data_dir == tmp_path / "m" and not s.offline
    assert s.files_dir == tmp_path / "c" / "files"


def test_citations_render():
    assert citations.bibtex("leeds2002").startswith("@article{leeds2002,")
    text = citations.plain("leeds2002")
    assert "Leeds" in text and "2002" in text and "International Interactions" in text


def test_plain_citations_keep_accents():
    assert citations.plain("hage2011").startswith("Häge, Frank M. (2011)")
    assert "Rüegger" in citations.plain("schvitz2022")
