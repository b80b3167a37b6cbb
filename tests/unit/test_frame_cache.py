"""Fault injection on the parsed-frame cache: a damaged cached byte is never served.

Each test builds a small synthetic data set in a local mirror directory, loads it once (which
writes the Parquet frame and its manifest), damages the cache in some way, and checks that the
next load returns exactly the frame parsed from the verified source, warns about real damage,
and leaves a valid entry behind.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foedus import catalog, derived, loaders, maintenance
from foedus.errors import FoedusWarning
from tests.helpers import synthetic_dataset

ROWS = 400
PAYLOAD = (
    "ccode,year,value,label\n"
    + "".join(f"{2 + i % 50},{1816 + i % 200},{i * 7 % 1000},x{i % 13}\n" for i in range(ROWS))
).encode()


def _dataset() -> catalog.Dataset:
    return synthetic_dataset(
        PAYLOAD,
        name="synthetic-frame",
        file="test/synthetic.csv",
        urls=("http://127.0.0.1:9/never",),
    )


@dataclass
class Env:
    ds: catalog.Dataset
    frame: Path
    manifest: Path
    expected: pl.DataFrame


@pytest.fixture
def env(tmp_path, monkeypatch) -> Env:
    mirror = tmp_path / "mirror"
    (mirror / "test").mkdir(parents=True)
    (mirror / "test" / "synthetic.csv").write_bytes(PAYLOAD)
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(mirror))
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(tmp_path / "cache"))
    ds = _dataset()
    registry = {**catalog.datasets(), ds.name: ds}
    monkeypatch.setattr(catalog, "datasets", lambda: registry)  # the catalog knows it
    expected = loaders.load(ds, use_cache=False)
    first = loaders.load(ds)
    assert first.equals(expected)
    frames = catalog.Settings.from_env().frames_dir
    frame = frames / loaders.frame_name(ds)
    return Env(ds, frame, derived.DerivedStore.manifest_of(frame), expected)


def _load_with_warnings(env: Env) -> tuple[pl.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        df = loaders.load(env.ds)
    return df, [str(x.message) for x in w if issubclass(x.category, FoedusWarning)]


def _entry_is_valid(env: Env) -> bool:
    m = json.loads(env.manifest.read_text())
    data = env.frame.read_bytes()
    return m["sha256"] == hashlib.sha256(data).hexdigest() and m["size"] == len(data)


def test_a_cached_frame_carries_a_manifest(env):
    m = json.loads(env.manifest.read_text())
    assert m["format"] == derived.FORMAT and m["kind"] == "frame"
    assert m["source"] == {"name": env.ds.name, "sha256": env.ds.sha256}
    assert m["version"] == loaders.READER_VERSION
    assert _entry_is_valid(env)
    df, warned = _load_with_warnings(env)
    assert df.equals(env.expected) and not warned


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_any_flipped_bit_is_detected_and_rebuilt(env, where, bit):
    data = bytearray(env.frame.read_bytes())
    data[int(where * len(data))] ^= 1 << bit
    env.frame.write_bytes(bytes(data))
    df, warned = _load_with_warnings(env)
    assert df.equals(env.expected)
    assert warned and "damaged" in warned[0]
    assert _entry_is_valid(env)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(keep=st.floats(0, 1, exclude_max=True))
def test_a_truncated_frame_is_detected_and_rebuilt(env, keep):
    data = env.frame.read_bytes()
    env.frame.write_bytes(data[: int(keep * len(data))])
    df, warned = _load_with_warnings(env)
    assert df.equals(env.expected) and warned
    assert _entry_is_valid(env)


def test_a_frame_replaced_by_another_valid_parquet_is_not_served(env):
    """The dangerous case: readable, different data. The manifest's hash refuses it."""
    env.expected.with_columns(pl.col("value") + 1).write_parquet(env.frame)
    df, warned = _load_with_warnings(env)
    assert df.equals(env.expected) and warned


@pytest.mark.parametrize(
    "damage",
    [
        lambda m: m.unlink(),
        lambda m: m.write_text("{not json"),
        lambda m: m.write_bytes(b"\xff\xfe\x00"),
        lambda m: m.write_text(json.dumps([1, 2])),
        lambda m: m.write_text(json.dumps({**json.loads(m.read_text()), "sha256": 5})),
        lambda m: m.write_text(json.dumps({**json.loads(m.read_text()), "size": "big"})),
        lambda m: m.write_text(json.dumps({**json.loads(m.read_text()), "source": None})),
        lambda m: m.write_text(json.dumps({**json.loads(m.read_text()), "format": "x/9"})),
        lambda m: m.write_text(" " * (derived.MAX_MANIFEST_BYTES + 1)),
    ],
)
def test_a_missing_or_malformed_manifest_means_the_frame_is_rebuilt(env, damage):
    damage(env.manifest)
    df, _ = _load_with_warnings(env)
    assert df.equals(env.expected)
    assert _entry_is_valid(env)


def test_a_manifest_of_another_source_version_is_not_served(env):
    m = json.loads(env.manifest.read_text())
    m["source"]["sha256"] = "0" * 64
    env.manifest.write_text(json.dumps(m))
    env.expected.head(3).write_parquet(env.frame)  # and the bytes match that manifest:
    m["sha256"] = hashlib.sha256(env.frame.read_bytes()).hexdigest()
    m["size"] = env.frame.stat().st_size
    env.manifest.write_text(json.dumps(m))
    df, _ = _load_with_warnings(env)
    assert df.equals(env.expected)


def test_an_unreadable_cache_directory_only_costs_speed(env, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("FOEDUS_CACHE_DIR", str(blocker))  # frames dir "under" a file
    df, warned = _load_with_warnings(env)
    assert df.equals(env.expected)
    assert len(warned) == 1 and "could not keep the frame cache" in warned[0]


def test_verify_reports_damage_and_clean_removes_it(env):
    report = maintenance.check_cache()
    assert report.counts()["verified"] == 1
    data = bytearray(env.frame.read_bytes())
    data[10] ^= 0xFF
    env.frame.write_bytes(bytes(data))
    stale_part = env.frame.with_name(".x.parquet.999999999.0123abcd.part")
    stale_part.write_bytes(b"half")
    report = maintenance.check_cache()
    assert report.counts()["damaged"] == 1
    assert [p.path for p in report.partials if p.stale] == [stale_part]
    dry = maintenance.clean_cache(dry_run=True)
    assert {i.path for i in dry.items} == {env.frame, stale_part} and env.frame.exists()
    done = maintenance.clean_cache()
    assert {i.path for i in done.items} == {env.frame, stale_part}
    assert not env.frame.exists() and not env.manifest.exists() and not stale_part.exists()
    assert maintenance.check_cache().entries == []
    assert loaders.load(env.ds).equals(env.expected)  # rebuilt on demand


def test_frames_of_another_reader_version_are_stale(env):
    m = json.loads(env.manifest.read_text())
    m["version"] = loaders.READER_VERSION - 1
    env.manifest.write_text(json.dumps(m))
    (entry,) = maintenance.check_cache().entries
    assert entry.state == "stale" and "reader version" in entry.reason
