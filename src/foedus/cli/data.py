"""``foedus data``: list, fetch, verify, clean, cite, locate, show and describe data sets."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from foedus import catalog, citations
from foedus.cli.app import data_app
from foedus.cli.console import RichBar, download_progress, line, out, styled, wide
from foedus.errors import FoedusError


def _size(n: int) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.0f} kB" if n >= 1e3 else f"{n} B"


@data_app.command("list")
def data_list(
    check: Annotated[bool, typer.Option(help="Verify the sha256 of local files.")] = True,
) -> None:
    """Every data set in the catalog with its coverage and local status."""
    table = Table(title="foedus data catalog", show_lines=False)
    table.add_column("name", no_wrap=True)
    table.add_column("version", max_width=16, overflow="ellipsis", no_wrap=True)
    table.add_column("coverage", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("local", no_wrap=True)
    table.add_column("verified", no_wrap=True)
    for ds in catalog.datasets().values():
        st = catalog.status(ds, check=check)
        cov = f"{ds.coverage[0]}-{ds.coverage[1]}" if ds.coverage else "-"
        verified = (
            "-" if st.verified is None else ("yes" if st.verified else styled("NO", "bold red"))
        )
        table.add_row(
            ds.name,
            ds.version,
            cov,
            f"{ds.rows:,}" if ds.rows else "-",
            _size(ds.size),
            st.location or styled("-", "dim"),
            verified,
        )
    wide(110).print(table)
    s = catalog.Settings.from_env()
    out.print(
        f"mirror ({catalog.ENV_DATA_DIR}): {s.data_dir or 'not set'}; "
        f"download mirror ({catalog.ENV_MIRROR_URL}): {s.mirror_url or 'not set'}; "
        f"cache: {s.files_dir}; offline: {s.offline}"
    )


@data_app.command("fetch")
def data_fetch(
    names: Annotated[list[str] | None, typer.Argument(help="Data set names.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Fetch every data set.")] = False,
    force: Annotated[bool, typer.Option(help="Download cached files again.")] = False,
) -> None:
    """Download data sets into the cache (verified by sha256)."""
    if not names and not all_:
        raise FoedusError(
            "name at least one data set, or pass --all", "`foedus data list` shows the names."
        )
    targets = None if all_ else [catalog.get(n) for n in names or []]  # unknown names first
    with download_progress() as progress:
        statuses = catalog.fetch(
            targets, force=force, progress=lambda ds: RichBar(progress, ds.name)
        )
    for st in statuses:
        out.print(line(("ok ", "green"), f"{st.dataset.name} ({st.location}: {st.path})"))


@data_app.command("verify")
def data_verify(
    names: Annotated[
        list[str] | None, typer.Argument(help="Data set names (default: all).")
    ] = None,
) -> None:
    """Check every local file against the catalog's sha256, and every derived file (parsed
    frames in the cache) against its manifest."""
    dss = [catalog.get(n) for n in names] if names else list(catalog.datasets().values())
    table = Table(title="source files")
    for col in ("name", "location", "result"):
        table.add_column(col, overflow="fold")
    bad = missing = 0
    for ds in dss:
        st = catalog.status(ds)
        if st.path is None:
            missing += 1
            table.add_row(ds.name, "-", styled("missing", "yellow"))
        elif st.verified:
            table.add_row(ds.name, str(st.location), styled("verified", "green"))
        else:
            bad += 1
            table.add_row(
                ds.name,
                str(st.path),
                line(
                    ("MISMATCH", "bold red"),
                    f" expected {ds.sha256[:12]}… got {(st.actual_sha256 or '')[:12]}…",
                ),
            )
    out.print(table)
    ok = len(dss) - bad - missing
    out.print(f"{ok} verified, {bad} mismatched, {missing} missing (of {len(dss)})")
    from foedus import maintenance  # numpy and polars: loaded when needed

    report = maintenance.check_cache(names=[d.name for d in dss] if names else None)
    if report.entries or report.partials:
        t = Table(title=f"derived files in {report.frames_dir} and the forecast cache beside it")
        for col in ("file", "source", "result", "why"):
            t.add_column(col, overflow="fold")
        colours = {"verified": "green", "stale": "yellow", "damaged": "bold red"}
        for e in report.entries:
            t.add_row(
                e.path.name, e.source or "-", styled(e.state, colours.get(e.state, "red")), e.reason
            )
        for p in report.partials:
            t.add_row(
                str(p.path),
                "-",
                styled("partial", "yellow" if p.stale else "dim"),
                p.reason + ("; `foedus data clean` removes it" if p.stale else ""),
            )
        out.print(t)
    counts = report.counts()
    out.print(
        f"derived files: {counts['verified']} verified, {counts['damaged']} damaged, "
        f"{counts['stale']} stale, {counts['unindexed']} without a manifest; "
        f"{sum(p.stale for p in report.partials)} stale partial file(s)"
    )
    if bad:
        raise FoedusError(
            f"{bad} file(s) differ from the catalog",
            "restore them from the source or delete the cached copies and fetch again.",
        )
    if counts["damaged"]:
        raise FoedusError(
            f"{counts['damaged']} derived file(s) are damaged; foedus never reads them",
            "`foedus data clean` removes them; they are rebuilt from the verified sources the "
            "next time they are needed.",
        )
    if missing:
        raise typer.Exit(1)


@data_app.command("clean")
def data_clean(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be removed; remove nothing.")
    ] = False,
    frames: Annotated[
        bool,
        typer.Option("--frames", help="Also remove every parsed frame (rebuilt when needed)."),
    ] = False,
    models: Annotated[
        bool,
        typer.Option(
            "--models",
            help="Also remove every cached forecast model and panel (refitted when needed).",
        ),
    ] = False,
) -> None:
    """Remove what the cache should not hold: partial files left by killed processes, and
    damaged, stale or unindexed derived files. Source files and the mirror are never touched."""
    from foedus import maintenance

    removed = maintenance.clean_cache(dry_run=dry_run, all_frames=frames, models=models)
    verb = "would remove" if dry_run else "removed"
    for item in removed.items:
        out.print(f"{verb} {item.path} ({item.why})")
    out.print(
        f"{verb} {len(removed.items)} file(s), {_size(removed.bytes)}"
        + ("" if removed.items else " (the cache is clean)")
    )


@data_app.command("cite")
def data_cite(
    names: Annotated[list[str], typer.Argument(help="Data set names.")],
    bibtex: Annotated[bool, typer.Option(help="Print BibTeX entries.")] = False,
) -> None:
    """How to cite data sets (plain text, or BibTeX with --bibtex)."""
    keys: list[str] = []
    for n in names:
        for k in catalog.get(n).cite:
            if k not in keys:
                keys.append(k)
    if bibtex:
        out.print("\n\n".join(citations.bibtex(k) for k in keys), soft_wrap=True)
    else:
        for k in keys:
            out.print(citations.plain(k))


@data_app.command("path")
def data_path(name: Annotated[str, typer.Argument(help="Data set name.")]) -> None:
    """The verified local path of a data set (fetching it if needed)."""
    out.print(str(catalog.path(name)), soft_wrap=True)


@data_app.command("show")
def data_show(
    name: Annotated[str, typer.Argument(help="Data set name.")],
    head: Annotated[int, typer.Option(help="Rows to show.")] = 10,
) -> None:
    """Load a data set and show its schema and first rows."""
    import polars as pl

    from foedus import validate

    head = validate.integer(head, "--head", lo=0, hi=10_000)
    ds = catalog.get(name)
    from foedus import loaders

    df = loaders.load(ds)
    out.print(
        line((ds.name, "bold"), f": {ds.title} ({ds.version}); {df.height:,} rows x {df.width}")
        + " columns"
    )
    with pl.Config(tbl_rows=head, tbl_cols=12, fmt_str_lengths=40, tbl_width_chars=160):
        out.print(str(df.head(head)), soft_wrap=True)


@data_app.command("info")
def data_info(name: Annotated[str, typer.Argument(help="Data set name.")]) -> None:
    """Everything the catalog knows about a data set."""
    ds = catalog.get(name)
    st = catalog.status(ds, check=False)
    table = Table(show_header=False, title=ds.name)
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")  # long URLs and hashes wrap, never "…"
    rows = [
        ("title", ds.title),
        ("version", ds.version),
        ("producer", ds.producer),
        ("coverage", f"{ds.coverage[0]}-{ds.coverage[1]}" if ds.coverage else "-"),
        ("rows x columns", f"{ds.rows:,} x {ds.columns}" if ds.rows else "-"),
        ("file", ds.file),
        ("reader", ds.reader + (f" (object {ds.object})" if ds.object else "")),
        ("sha256", ds.sha256),
        ("size", f"{ds.size:,} bytes"),
        ("urls", "\n".join(ds.urls)),
        ("homepage", ds.homepage),
        ("terms", ds.terms),
        ("cite", ", ".join(ds.cite)),
        ("notes", ds.notes or "-"),
        ("local", str(st.path) if st.path else "not cached"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    out.print(table)
