"""Property test on the real data: the commands that answer in seconds, driven with generated
arguments, end in their result or one clear message (never a traceback or internal error), and
the reported bad inputs of the long-running commands are refused before any computation."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings

from foedus.cli import run
from tests.cli_fuzz import assert_clean_end, command_lines


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=command_lines(only=("country", "data", "panel", "foundations")))
def test_quick_commands_never_give_a_traceback(argv, capsys, tmp_path_factory, monkeypatch):
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    code = run(argv, handle_signals=False)
    out, err = capsys.readouterr()
    assert_clean_end(argv, code, out, err)


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["backtest", "--from", "2017", "--to", "2050"], "2018"),
        (["backtest", "--to", "100000"], "2018"),
        (["backtest", "--from", "1700"], "--from 1700"),
        (["forecast", "--year", "100000"], "--year=100000"),
        (["forecast", "--years", "2015-99999999999"], "year"),
        (["forecast", "Russia", "China", "--year", "2021", "--level", "1.5"], "level"),
        (["forecast", "Russia", "China", "--year", "2021", "--model", "[red]x"], "[red]x"),
        (["forecast", "--year", "2021", "--treaties", "/no/such/file.csv"], "/no/such/file.csv"),
        (["forecast", "--year", "2021", "--model-file", "/no/such/model.json"], "model"),
        (["panel", "dyad-years", "--to", "100000"], "--to"),
        (["panel", "dyad-years", "--to", "99999999999"], "--to"),
        (["panel", "state-years", "--add", "nmc:keep=zzz"], "keep"),
        (["panel", "state-years", "--add", "nmc:bogus=1"], "bogus"),
    ],
)
def test_long_commands_refuse_bad_input_at_once(argv, expect, capsys):
    t = time.perf_counter()
    code = run(argv, handle_signals=False)
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err, err
    assert expect in " ".join(err.split()), err
    assert time.perf_counter() - t < 20, "refused only after computing"
