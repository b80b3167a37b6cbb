"""``foedus claims``: the claims ledger — add, list, show, resolve, score, export, import and
extract. The commands only render what :mod:`foedus.claims` computes; they import it when
they run, so that every other command starts without loading the database layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from foedus.cli.app import app
from foedus.cli.console import err, out, wide
from foedus.errors import InvalidArgumentError
from foedus.jsonout import strict_json

if TYPE_CHECKING:
    from foedus.claims.ledger import Ledger

claims_app = typer.Typer(
    help="The claims ledger: published alliance forecasts, resolved and scored.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(claims_app, name="claims")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="The ledger's database URL (default FOEDUS_CLAIMS_URL or the user file)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _ledger(db: str | None) -> Ledger:
    from foedus.claims.ledger import open_ledger

    return open_ledger(db)


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{p:.0%}"


@claims_app.command("add")
def add_cmd(
    file: Annotated[Path, typer.Argument(help="A claim (TOML or JSON; docs/claims.md).")],
    db: DbOption = None,
) -> None:
    """Add the claims of a file to the ledger (all of them, or none)."""
    from foedus.claims.transfer import read_claim_file

    items = read_claim_file(file)
    with _ledger(db) as ledger:
        added = ledger.add_many(items)
    for c in added:
        out.print(f"added #{c.id}: {c.author} ({c.outlet}, {c.published}): {c.paraphrase}")


@claims_app.command("list")
def list_cmd(
    db: DbOption = None,
    author: Annotated[str | None, typer.Option(help="Only this author (part of the name).")] = None,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (part of the name).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the claims of the ledger."""
    from foedus.claims.claim import STATUSES
    from foedus.operations.claims import claim_view

    if status is not None and status not in STATUSES:
        raise InvalidArgumentError(
            "--status", f"unknown status {status!r}", "one of: " + ", ".join(STATUSES) + "."
        )
    with _ledger(db) as ledger:
        items = ledger.claims(author=author, outlet=outlet, status=status)
    if as_json:
        out.print(strict_json([c.to_dict() for c in items]), soft_wrap=True)
        return
    t = Table(title=f"{len(items)} claims")
    for col in ("#", "published", "author", "condition", "p", "status"):
        t.add_column(col, overflow="fold")
    for c in items:
        t.add_row(
            str(c.id),
            c.published.isoformat(),
            c.author[:40],
            claim_view(c)["condition_text"],
            _pct(c.probability),
            c.resolution.status,
        )
    wide(140).print(t)


@claims_app.command("show")
def show_cmd(
    claim_id: Annotated[int, typer.Argument(help="The claim's number.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one claim: its source, condition, probability and resolution."""
    from foedus.operations.claims import claim_view

    with _ledger(db) as ledger:
        c = ledger.get(claim_id)
    if as_json:
        out.print(strict_json(c.to_dict()), soft_wrap=True)
        return
    r = c.resolution
    out.print(f"#{c.id} {c.author}, {c.outlet}, {c.published}")
    out.print(f"  {c.url}")
    out.print(f"  claim: {c.paraphrase}")
    out.print(f"  condition: {claim_view(c)['condition_text']}")
    out.print(f"  probability: {_pct(c.probability)} ({c.basis}; {c.derivation or '-'})")
    when = f" on {r.resolved_on}" if r.resolved_on else ""
    out.print(f"  resolution: {r.status}{when} ({r.method})")
    if r.evidence:
        out.print(f"  evidence: {r.evidence}")
    if r.source:
        out.print(f"  source: {r.source}")
    if c.notes:
        out.print(f"  notes: {c.notes}")


@claims_app.command("resolve")
def resolve_cmd(
    claim_id: Annotated[
        int | None, typer.Argument(help="The claim's number (with --from-data: all open).")
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="yes, no, ambiguous, annulled or open.")
    ] = None,
    evidence: Annotated[str, typer.Option(help="What happened, in a sentence.")] = "",
    source: Annotated[str, typer.Option(help="Where it is documented (a URL).")] = "",
    on: Annotated[str | None, typer.Option("--on", help="The date it was decided.")] = None,
    from_data: Annotated[
        bool, typer.Option("--from-data", help="Resolve from ATOP and the treaty file.")
    ] = False,
    treaties: Annotated[
        Path | None, typer.Option(help="A treaty file of pacts since ATOP (docs/treaties.md).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record a claim's resolution by hand, with its evidence, or from foedus's data."""
    from foedus.claims.resolve import resolve_ledger_from_data
    from foedus.prospects.treaties import read_treaties

    if from_data:
        if status is not None:
            raise InvalidArgumentError(
                "--status", "--status and --from-data are exclusive", "give one of them."
            )
        frame = read_treaties(treaties) if treaties is not None else None
        with _ledger(db) as ledger:
            for c, v in resolve_ledger_from_data(ledger, treaties=frame, claim_id=claim_id):
                if v.resolution is None:
                    out.print(f"#{c.id}: stays open: {v.reason}")
                else:
                    r = v.resolution
                    out.print(f"#{c.id}: {r.status} on {r.resolved_on} ({r.evidence})")
        return
    if claim_id is None or status is None:
        raise InvalidArgumentError(
            "--status",
            "give the claim's number and --status (or --from-data)",
            "e.g. foedus claims resolve 12 --status yes --on 2023-04-04 --evidence '...'.",
        )
    with _ledger(db) as ledger:
        c = ledger.resolve(
            claim_id,
            {"status": status, "resolved_on": on, "evidence": evidence, "source": source},
        )
    out.print(f"#{c.id}: {c.resolution.status}" + (f" on {c.resolution.resolved_on}" if on else ""))


@claims_app.command("remove")
def remove_cmd(
    claim_id: Annotated[int, typer.Argument(help="The claim's number.")],
    db: DbOption = None,
) -> None:
    """Remove a claim (and its resolution) from the ledger."""
    with _ledger(db) as ledger:
        c = ledger.remove(claim_id)
    out.print(f"removed #{c.id}: {c.author} ({c.published})")


@claims_app.command("score")
def score_cmd(
    db: DbOption = None,
    model: Annotated[
        bool,
        typer.Option(
            "--model/--no-model",
            help="Beside each claim, the formation model's probability as of its date.",
        ),
    ] = True,
    treaties: Annotated[
        Path | None,
        typer.Option(help="A treaty file of pacts since ATOP, for the model (docs/treaties.md)."),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Also a summary per author or per outlet.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Score every resolved claim (Brier, log, baseline) beside the model's, with the totals."""
    from foedus.operations.claims import claim_view, score_ledger
    from foedus.prospects.treaties import read_treaties

    if by is not None and by not in ("author", "outlet"):
        raise InvalidArgumentError(
            "--by", f"--by must be author or outlet, not {by!r}", "e.g. --by author."
        )
    frame = read_treaties(treaties) if treaties is not None else None
    with Progress(
        TextColumn("the model's probabilities as of each claim", style="bold"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} forecasts"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not model,
    ) as progress:
        task = progress.add_task("model", total=None)
        items, res = score_ledger(
            db,
            model=model,
            treaties=frame,
            on_group=lambda i, n: progress.update(task, completed=i, total=n),
        )
    if as_json:
        out.print(strict_json(res.to_dict()), soft_wrap=True)
        return
    t = Table(title="claims scored (Brier: lower is better; baseline: 100 log2(q/0.5))")
    cols = ["#", "author", "condition", "p", "outcome", "Brier", "baseline"]
    if model:
        cols += ["model p", "model Brier"]
    for col in cols:
        t.add_column(col, overflow="fold")
    by_id = {c.id: c for c in items}
    for s in res.claims:
        c = by_id[s.id]
        row = [
            str(s.id),
            s.author[:30],
            claim_view(c)["condition_text"],
            _pct(s.probability),
            s.status,
            "-" if s.brier is None else f"{s.brier:.3f}",
            "-" if s.baseline is None else f"{s.baseline:+.0f}",
        ]
        if model:
            row += [
                "-" if s.model_probability is None else f"{s.model_probability:.2%}",
                "-" if s.model_brier is None else f"{s.model_brier:.3f}",
            ]
        t.add_row(*row)
    wide(160).print(t)
    if res.n_scored:
        out.print(
            f"{res.n_scored} of {len(items)} claims scored: mean Brier {res.mean_brier:.3f}, "
            f"mean log score {res.mean_log:.3f}, mean baseline score {res.mean_baseline:+.1f}"
        )
    else:
        out.print(f"none of {len(items)} claims is resolved with a probability yet")
    h = res.head_to_head
    if h:
        out.print(
            f"claim by claim, on the {h['n']} claims scored for both: the claims' mean Brier "
            f"{h['claims_mean_brier']:.3f}, the model's {h['model_mean_brier']:.3f} (the model "
            f"better on {h['model_better']}); baseline {h['claims_mean_baseline']:+.1f} against "
            f"{h['model_mean_baseline']:+.1f}"
        )
    elif model:
        out.print("the model gives no probability for any scored claim")
    if by is not None:
        groups = res.by_author if by == "author" else res.by_outlet
        g = Table(title=f"per {by}")
        for col in (by, "claims", "scored", "mean Brier", "mean baseline"):
            g.add_column(col, overflow="fold")
        for name, v in groups.items():
            g.add_row(
                name[:60],
                str(v["n_claims"]),
                str(v["n_scored"]),
                "-" if v["mean_brier"] is None else f"{v['mean_brier']:.3f}",
                "-" if v["mean_baseline"] is None else f"{v['mean_baseline']:+.1f}",
            )
        wide(140).print(g)


@claims_app.command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="The file to write (.json or .csv).")],
    db: DbOption = None,
) -> None:
    """Export every claim to JSON or CSV (both import back)."""
    from foedus.claims.transfer import export_claims

    with _ledger(db) as ledger:
        items = ledger.claims()
    export_claims(items, file)
    out.print(f"wrote {len(items)} claims to {file}")


@claims_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A foedus claims export (.json or .csv).")],
    db: DbOption = None,
) -> None:
    """Import claims from an export (all of them, or none)."""
    from foedus.claims.transfer import read_claims

    items = read_claims(file)
    with _ledger(db) as ledger:
        added = ledger.add_many(items)
    out.print(f"imported {len(added)} claims from {file}")


@claims_app.command("extract")
def extract_cmd(
    file: Annotated[Path, typer.Argument(help="An article: plain text or HTML.")],
    published: Annotated[
        str | None, typer.Option(help="Its publication date (YYYY-MM-DD), if not found.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the drafts as a claims file to edit (.json)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Propose draft claims from an article, for you to check before any enters the ledger."""
    from foedus import files
    from foedus.claims.condition import check_date
    from foedus.claims.extract import extract_claims, read_article

    pub = None if published is None else check_date(published, "--published")
    if output is not None:
        files.check_output_file(output, suffixes={".json": "JSON"}, what="the drafts")
    art = read_article(file)
    ex = extract_claims(
        art.text, published=pub, html_date=art.published, html_date_how=art.published_how
    )
    if as_json:
        out.print(strict_json(ex.to_dict()), soft_wrap=True)
    else:
        when = ex.published.isoformat() if ex.published else "unknown"
        out.print(f"{file}: published {when} ({ex.published_source})")
        names = ", ".join(f"{w} ({c}, x{n})" for w, c, n in ex.states) or "none"
        out.print(f"states named: {names}")
        for k, d in enumerate(ex.drafts, start=1):
            out.print(f"draft {k}: {d.paraphrase}")
            out.print(f"  from: {d.sentence}")
            p = "-" if d.probability is None else f"{d.probability:.1%} ({d.probability_basis})"
            out.print(f"  condition: {json.dumps(d.condition)}; probability {p}")
            for u in d.unresolved:
                out.print(f"  not pinned down: {u}")
        for n in ex.notes:
            out.print(f"note: {n}")
        if not ex.drafts:
            out.print("no draft: no sentence forecasts an alliance between named states")
    if output is not None:
        docs = ex.claim_docs()
        text = json.dumps({"claims": docs}, indent=1, ensure_ascii=False) + "\n"
        files.write_with(output, lambda tmp: Path(tmp).write_text(text, "utf-8"))
        out.print(
            f"wrote {len(docs)} drafts to {output}: fill in author, outlet and url, check "
            f"each, then foedus claims add {output}"
        )
