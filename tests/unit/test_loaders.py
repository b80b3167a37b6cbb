"""Each reader on small synthetic files written by the tests."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pyreadr
import pytest

from foedus import loaders
from foedus.errors import DataFormatError


def test_cow_csv_turns_minus_9_into_null_and_types_keys(tmp_path):
    p = tmp_path / "nmc.csv"
    p.write_bytes(
        b"stateabb,ccode,year,milex,cinc\r\nUSA,2,1816,3823,.0397\r\nUKG,200,1816,-9,.2\r\nRUS,365,1817,10,.1"
    )
    df = loaders.read_cow_csv(p, missing_codes=(-9,))
    assert df.height == 3  # no final newline: last row kept
    assert df.schema["ccode"] == pl.Int32 and df.schema["year"] == pl.Int32
    assert df["milex"].to_list() == [3823, None, 10]
    assert df["cinc"].to_list() == [0.0397, 0.2, 0.1]


def test_cow_csv_keeps_minus_9_when_not_a_missing_code(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("ccode,value\n2,-9\n")
    assert loaders.read_cow_csv(p)["value"].to_list() == [-9]


def test_atop_csv_keeps_zero_end_year_and_rejects_text(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("atopid,begyr,endyr,defense\r\n1001,1815,1816,1\r\n1002,1990,0,1\r\n")
    df = loaders.read_atop_csv(p)
    assert df["endyr"].to_list() == [1816, 0]  # 0 = still in force, kept as published
    assert df.schema["atopid"] == pl.Int32
    p.write_text("atopid,name\r\n1,x\r\n")
    with pytest.raises(DataFormatError):
        loaders.read_atop_csv(p)


def test_gw_dat_reads_cp1252_without_header(tmp_path):
    p = tmp_path / "iisystem.dat"
    p.write_bytes(
        "2\tUSA\tUnited States of America\t01:01:1816\t31:12:2017\r\n"
        "271\tWRT\tWürttemberg\t01:01:1816\t17:01:1871\r\n"
        "437\tCDI\tCote D’Ivoire\t07:08:1960\t31:12:2017".encode("cp1252")
    )
    df = loaders.read_gw_dat(p)
    assert df.columns == ["gwcode", "stateabb", "statename", "startdate", "enddate"]
    assert df["statename"].to_list()[1:] == ["Württemberg", "Cote D’Ivoire"]
    assert df["startdate"][1] == dt.date(1816, 1, 1) and df["enddate"][1] == dt.date(1871, 1, 17)
    assert df.schema["gwcode"] == pl.Int32


def test_nuclear_drops_world_unless_asked(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text(
        "Entity,Code,Year,nuclear_weapons_stockpile\n"
        "Russia,RUS,2023,4489\nUnited States,USA,2023,3708\nWorld,OWID_WRL,2023,12512\n"
    )
    df = loaders.read_nuclear_csv(p)
    assert df["ccode"].to_list() == [365, 2]
    assert df["warheads"].sum() == 4489 + 3708
    full = loaders.read_nuclear_csv(p, include_world=True)
    assert full.height == 3 and full.filter(pl.col("iso3") == "OWID_WRL")["ccode"].to_list() == [
        None
    ]


def test_rda_types_keys_nulls_and_factors(tmp_path):
    src = pd.DataFrame(
        {
            "ccode1": [2.0, 20.0, None],
            "year": [1816.0, 1920.0, 1921.0],
            "label": ["a", None, "c"],
            "vote": pd.Categorical(["yes", "no", None], categories=["yes", "abstain", "no"]),
            "share": [0.5, float("nan"), 1.0],
        }
    )
    p = tmp_path / "x.rda"
    pyreadr.write_rdata(str(p), src, df_name="x")
    df = loaders.read_rda(p, "x")
    assert df.schema["ccode1"] == pl.Int32 and df.schema["year"] == pl.Int32
    assert df["ccode1"].to_list() == [2, 20, None]
    assert df["label"].to_list() == ["a", None, "c"]
    assert df.schema["vote"] == pl.Enum(["yes", "abstain", "no"])
    assert df["share"].to_list() == [0.5, None, 1.0]
    with pytest.raises(DataFormatError):
        loaders.read_rda(p, "not_there")


def test_fractional_code_is_a_format_error(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("ccode,year\n2.5,1816\n")
    with pytest.raises(DataFormatError):
        loaders.read_plain_csv(p)
