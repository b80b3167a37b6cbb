"""Score foedus's forecasts for 2019-2025 against the defence pacts of examples/treaties.csv.

Run:  uv run python examples/score_after_2018.py [--model relogit]
      (with FOEDUS_DATA_DIR=/data/foedus-mirror to read a local mirror instead of downloading)

ATOP ends in 2018, so these onsets lie outside every data set foedus fits on. For each year
T the forecast for every at-risk dyad uses the model fitted through 2018 and the alliance
state of T-1 (ATOP 2018 plus the treaties of the file in force in T-1), so the onsets of T
itself are never seen. Prints, per onset year, how the onset dyads rank among all at-risk
dyads, the expected against the observed number of onsets, and the pooled ROC-AUC.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from foedus.prospects.forecast import forecast, forecast_panel
from foedus.prospects.treaties import read_treaties


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="relogit")
    ap.add_argument("--treaties", default=str(Path(__file__).with_name("treaties.csv")))
    args = ap.parse_args()
    from sklearn.metrics import roc_auc_score

    tr = read_treaties(args.treaties)
    onsets = (
        tr.filter(pl.col("pledge") == "defense")
        .select("ccode1", "ccode2", pl.col("signed").dt.year().cast(pl.Int32).alias("year"))
        .unique()
    )
    panel = forecast_panel((2019, 2025), treaties=tr)
    res = forecast((2019, 2025), kind=args.model, treaties=tr, panel=panel, n_bootstrap=0)
    fc = res.forecasts.join(
        onsets.with_columns(hit=pl.lit(1)), on=["ccode1", "ccode2", "year"], how="left"
    ).with_columns(pl.col("hit").fill_null(0))
    fc = fc.with_columns(rank=pl.col("p").rank("ordinal", descending=True).over("year"))
    print(f"model {res.kind}, fitted on {res.models[-1]['training_years']}")
    for (year,), g in fc.group_by(["year"], maintain_order=True):
        hits = g.filter(pl.col("hit") == 1)
        line = f"{year}: {g.height:,} dyads at risk, expected {g['p'].sum():.1f} onsets"
        line += f", observed {hits.height}"
        if hits.height:
            line += (
                f"; onset dyads' median rank {int(hits['rank'].median())}, best "
                f"{hits['rank'].min()}, mean p {hits['p'].mean():.4f} vs "
                f"{g['p'].mean():.4f} overall"
            )
        print(line)
    y, p = fc["hit"].to_numpy(), fc["p"].to_numpy()
    print(f"pooled 2019-2025: ROC-AUC {roc_auc_score(y, p):.3f}, {int(y.sum())} onsets")
    rp = fc.filter((pl.col("ccode1") == 365) & (pl.col("ccode2") == 731))
    path = [
        f"{r['year']}: {100 * r['p']:.2f}% (rank {r['rank']})" for r in rp.iter_rows(named=True)
    ]
    print("Russia-North Korea:", ", ".join(path))


if __name__ == "__main__":
    main()
