"""Export and import of claims as JSON or CSV; both round-trip (export, import into an empty
ledger, export again: the same file). CSV flattens the condition and the resolution into
``condition.*`` and ``resolution.*`` columns, parties as COW codes joined by ``;``. Format:
docs/claims.md, "Export and import"."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from foedus import files
from foedus.claims.claim import Claim, parse_claim
from foedus.countries import CountryIndex
from foedus.errors import ClaimError

__all__ = ["FORMAT", "export_claims", "read_claim_file", "read_claims"]

FORMAT = "foedus.claims/1"
_COND = ("event", "parties", "window_start", "window_end", "pledge", "alliance", "quantifier")
_RES = ("status", "resolved_on", "evidence", "source", "method")
_TOP = (
    "id",
    "author",
    "outlet",
    "url",
    "published",
    "paraphrase",
    "probability",
    "basis",
    "phrase",
    "derivation",
    "notes",
)
COLUMNS = (*_TOP, *(f"condition.{k}" for k in _COND), *(f"resolution.{k}" for k in _RES))
#: The largest import file read (bytes).
MAX_BYTES = 50 * 2**20


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ClaimError("file", f"{path.name}: give a .json or .csv file", "e.g. claims.json.")
    return suffix[1:]


def _csv_text(items: Sequence[Claim]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for c in items:
        d = c.to_dict()
        row: dict[str, Any] = {k: d[k] for k in _TOP}
        for k in _COND:
            v = d["condition"][k]
            row[f"condition.{k}"] = ";".join(map(str, v)) if k == "parties" else v
        for k in _RES:
            row[f"resolution.{k}"] = d["resolution"][k]
        w.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


def export_claims(items: Sequence[Claim], path: str | Path) -> Path:
    """Write the claims to ``path`` (.json or .csv), atomically."""
    p = Path(path)
    kind = _kind(p)
    files.check_output_file(p, suffixes={".json": "JSON", ".csv": "CSV"}, what="the claims")
    if kind == "json":
        text = json.dumps(
            {"format": FORMAT, "claims": [c.to_dict() for c in items]},
            indent=1,
            ensure_ascii=False,
        )
    else:
        text = _csv_text(items)
    files.write_with(
        p, lambda tmp: Path(tmp).write_text(text + ("\n" if kind == "json" else ""), "utf-8")
    )
    return p


def _from_csv_row(row: dict[str, str], line: int) -> dict[str, Any]:
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise ClaimError(
            "file", f"line {line}: missing columns {missing}", "export a file to see the layout."
        )
    doc: dict[str, Any] = {}
    for k in _TOP:
        v = row[k]
        if k == "id":
            doc[k] = int(v) if v.strip().isdigit() else None
        elif k == "probability":
            try:
                doc[k] = float(v) if v.strip() else None
            except ValueError:
                raise ClaimError(
                    "probability", f"line {line}: probability {v!r:.20} is not a number"
                ) from None
        elif k == "phrase":
            doc[k] = v or None
        else:
            doc[k] = v
    cond: dict[str, Any] = {}
    for k in _COND:
        v = row[f"condition.{k}"]
        if k == "parties":
            cond[k] = [int(x) if x.strip().isdigit() else x for x in v.split(";") if x.strip()]
        elif k == "alliance":
            cond[k] = int(v) if v.strip().isdigit() else (v or None)
        elif v != "":
            cond[k] = v
    doc["condition"] = cond
    doc["resolution"] = {k: (row[f"resolution.{k}"] or None) for k in _RES}
    return doc


def read_claims(path: str | Path, *, index: CountryIndex | None = None) -> list[Claim]:
    """The claims of a JSON or CSV file, each checked (:class:`ClaimError` naming the claim's
    position and field)."""
    p = Path(path)
    kind = _kind(p)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise ClaimError("file", f"{p} is over {MAX_BYTES // 2**20} MB", "split it.")
        text = p.read_text("utf-8")
    except FileNotFoundError:
        raise ClaimError("file", f"no such file: {p}", "check the path.") from None
    except UnicodeDecodeError:
        raise ClaimError("file", f"{p} is not UTF-8 text", "give a JSON or CSV export.") from None
    except OSError as e:
        raise ClaimError("file", f"cannot read {p}: {e.strerror}") from None
    if kind == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise ClaimError("file", f"{p} is not valid JSON (line {e.lineno}: {e.msg})") from None
        if (
            not isinstance(doc, dict)
            or doc.get("format") != FORMAT
            or not isinstance(doc.get("claims"), list)
        ):
            raise ClaimError(
                "file", f"{p} is not a foedus claims export", f'its "format" must be "{FORMAT}".'
            )
        docs = [(k + 1, c) for k, c in enumerate(doc["claims"])]
    else:
        reader = csv.DictReader(io.StringIO(text))
        docs = [(reader.line_num, _from_csv_row(r, reader.line_num)) for r in reader]
    out = []
    for where, d in docs:
        try:
            out.append(parse_claim(d, index=index))
        except ClaimError as e:
            what = f"claim {where}" if kind == "json" else f"line {where}"
            raise ClaimError(e.field, f"{p.name}, {what}: {e.message}", e.hint) from None
    return out


def read_claim_file(path: str | Path, *, index: CountryIndex | None = None) -> list[Claim]:
    """The claims of a file written by hand (``foedus claims add``): TOML or JSON, one claim,
    a list of them, or a ``claims`` list (as ``foedus claims extract`` writes drafts); each
    checked, a problem naming the claim's position in the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ClaimError("file", f"no such file: {p}", "check the path.") from None
    except OSError as e:
        raise ClaimError("file", f"cannot read {p}: {e.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise ClaimError("file", f"{p} is over {MAX_BYTES // 2**20} MB", "split it.")
    try:
        text = raw.decode("utf-8")
        doc = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except UnicodeDecodeError:
        raise ClaimError("file", f"{p} is not UTF-8 text") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        kind = "TOML" if p.suffix.lower() == ".toml" else "JSON"
        raise ClaimError("file", f"{p} is not valid {kind}: {e}") from None
    if isinstance(doc, dict) and isinstance(doc.get("claims"), list):
        docs = doc["claims"]
    elif isinstance(doc, list):
        docs = doc
    else:
        docs = [doc]
    out = []
    for k, d in enumerate(docs, start=1):
        try:
            out.append(parse_claim(d, index=index))
        except ClaimError as e:
            where = f"claim {k} of {p.name}" if len(docs) > 1 else p.name
            raise ClaimError(e.field, f"{where}: {e.message}", e.hint) from None
    return out
