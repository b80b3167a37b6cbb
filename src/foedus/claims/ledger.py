"""The claims ledger: a real database through SQLAlchemy.

:func:`open_ledger` opens the ledger at a SQLAlchemy URL — by default a SQLite file in the
user data directory (``FOEDUS_CLAIMS_URL`` or ``--db`` choose another, e.g. a PostgreSQL
server for a team) — and brings its schema to the current revision with the Alembic
migrations of :mod:`foedus.claims.migrations`. Every write is one transaction: a writer killed
half-way leaves nothing of its claim, and what was committed before stays. SQLite runs in WAL
mode with a busy timeout, so concurrent writers wait for each other instead of failing or
losing entries. A new, empty ledger is filled with the example ledger shipped with foedus
(:mod:`foedus.claims.examples`) unless asked not to. Rules: docs/claims.md, "Storage".
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from foedus.claims.claim import Claim, Resolution, check_resolution
from foedus.claims.condition import Condition
from foedus.claims.examples import example_claims
from foedus.claims.schema import claims, resolutions
from foedus.errors import ClaimError, ClaimNotFoundError, DuplicateClaimError, LedgerError

__all__ = ["ENV_URL", "Ledger", "alembic_config", "default_url", "head_revision", "open_ledger"]

#: The environment variable naming the ledger's SQLAlchemy URL.
ENV_URL = "FOEDUS_CLAIMS_URL"
#: How long a SQLite writer waits for another one (seconds).
BUSY_TIMEOUT = 30.0


def default_url() -> str:
    """``FOEDUS_CLAIMS_URL``, else a SQLite file ``claims.sqlite`` in the user data
    directory."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    path = Path(platformdirs.user_data_dir("foedus")) / "claims.sqlite"
    return f"sqlite:///{path}"


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for the ledger's migrations, run on ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("foedus.claims") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def _engine(url: str) -> Engine:
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise LedgerError(
            f"{url!r} is not a database URL",
            "give a SQLAlchemy URL, e.g. sqlite:///claims.sqlite or "
            "postgresql+psycopg://user@host/db.",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            folder = Path(db).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise LedgerError(
                    f"cannot create the ledger's folder {folder}: {e.strerror}",
                    f"give a writable location with --db or {ENV_URL}.",
                ) from None
        engine = sa.create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi, _record) -> None:
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (sa.exc.ArgumentError, ImportError, sa.exc.NoSuchModuleError) as e:
        raise LedgerError(
            f"cannot use the database {parsed.render_as_string(hide_password=True)}: {e}",
            "foedus supports SQLite and PostgreSQL (postgresql+psycopg://...).",
        ) from None


def _shown(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<the database>"


@dataclass(frozen=True)
class LedgerInfo:
    """Where the ledger is, its schema revision and how many claims it holds."""

    url: str
    revision: str
    n_claims: int
    created: bool


class Ledger:
    """An open ledger (see the module docstring). Use :func:`open_ledger`."""

    def __init__(self, engine: Engine, url: str, created: bool) -> None:
        self.engine = engine
        self.url = url
        self.created = created

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as e:
            raise LedgerError(
                f"the ledger at {_shown(self.url)} could not be written: "
                f"{str(e.orig).splitlines()[0][:200]}",
                "check that the database is reachable and writable, then try again.",
            ) from None

    # -- writing -------------------------------------------------------------------------

    def add(self, claim: Claim, *, origin: str = "user", conn: Connection | None = None) -> Claim:
        """Add a claim (and its resolution); the claim with its new id.
        :class:`DuplicateClaimError` if the ledger holds the same claim (author, date and
        condition) already."""
        if conn is None:
            with self.transaction() as c:
                return self.add(claim, origin=origin, conn=c)
        key = claim.key
        found = conn.execute(sa.select(claims.c.id).where(claims.c.key == key)).first()
        if found is not None:
            raise DuplicateClaimError(
                "claim",
                f"the ledger already holds this claim, as #{found.id}",
                f"see it with foedus claims show {found.id}; change the existing one instead.",
            )
        now = datetime.now(UTC)
        cond = claim.condition
        row = {
            "key": key,
            "author": claim.author,
            "outlet": claim.outlet,
            "url": claim.url,
            "published": claim.published,
            "paraphrase": claim.paraphrase,
            "event": cond.event,
            "pledge": cond.pledge,
            "alliance": cond.alliance,
            "quantifier": cond.quantifier,
            "parties": list(cond.parties),
            "window_start": cond.window_start,
            "window_end": cond.window_end,
            "probability": claim.probability,
            "basis": claim.basis,
            "phrase": claim.phrase,
            "derivation": claim.derivation,
            "notes": claim.notes,
            "origin": origin,
            "added_at": now,
        }
        try:
            new_id = conn.execute(claims.insert().values(**row)).inserted_primary_key[0]
        except sa.exc.IntegrityError:
            raise DuplicateClaimError(
                "claim",
                "the ledger already holds this claim (another writer added it just now)",
                "list the claims with foedus claims list.",
            ) from None
        self._write_resolution(conn, int(new_id), claim.resolution, now)
        return replace(claim, id=int(new_id))

    def add_many(self, items: Sequence[Claim], *, origin: str = "user") -> list[Claim]:
        """Add claims in one transaction: all of them, or none (the first problem raised)."""
        with self.transaction() as conn:
            return [self.add(c, origin=origin, conn=conn) for c in items]

    def resolve(self, claim_id: int, resolution: Resolution | dict[str, Any]) -> Claim:
        """Record a claim's resolution (replacing the previous one), checked against its
        publication date."""
        with self.transaction() as conn:
            claim = self._get(conn, claim_id)
            res = check_resolution(resolution, claim.published)
            conn.execute(resolutions.delete().where(resolutions.c.claim_id == claim_id))
            self._write_resolution(conn, claim_id, res, datetime.now(UTC))
            return claim.with_resolution(res)

    def remove(self, claim_id: int) -> Claim:
        """Remove a claim and its resolution; the claim removed."""
        with self.transaction() as conn:
            claim = self._get(conn, claim_id)
            conn.execute(resolutions.delete().where(resolutions.c.claim_id == claim_id))
            conn.execute(claims.delete().where(claims.c.id == claim_id))
            return claim

    @staticmethod
    def _write_resolution(conn: Connection, claim_id: int, res: Resolution, now: datetime):
        conn.execute(
            resolutions.insert().values(
                claim_id=claim_id,
                status=res.status,
                resolved_on=res.resolved_on,
                evidence=res.evidence,
                source=res.source,
                method=res.method,
                recorded_at=now,
            )
        )

    # -- reading -------------------------------------------------------------------------

    def _query(self):
        return sa.select(claims, resolutions).select_from(
            claims.outerjoin(resolutions, resolutions.c.claim_id == claims.c.id)
        )

    @staticmethod
    def _claim(row: Any) -> Claim:
        m = row._mapping
        cond = Condition(
            m["event"],
            tuple(int(c) for c in m["parties"]),
            m["window_start"],
            m["window_end"],
            m["pledge"],
            m["alliance"],
            m["quantifier"],
        )
        res = (
            Resolution()
            if m["status"] is None
            else Resolution(m["status"], m["resolved_on"], m["evidence"], m["source"], m["method"])
        )
        return Claim(
            author=m["author"],
            outlet=m["outlet"],
            url=m["url"],
            published=m["published"],
            paraphrase=m["paraphrase"],
            condition=cond,
            probability=m["probability"],
            basis=m["basis"],
            phrase=m["phrase"],
            derivation=m["derivation"],
            resolution=res,
            notes=m["notes"],
            id=int(m["id"]),
        )

    def _get(self, conn: Connection, claim_id: object) -> Claim:
        if isinstance(claim_id, bool) or not isinstance(claim_id, int):
            raise ClaimError("id", f"a claim id is a whole number, not {claim_id!r:.40}")
        row = conn.execute(self._query().where(claims.c.id == claim_id)).first()
        if row is None:
            raise ClaimNotFoundError(
                f"no claim #{claim_id} in the ledger", "list them with foedus claims list."
            )
        return self._claim(row)

    def get(self, claim_id: int) -> Claim:
        """The claim with that id (:class:`ClaimNotFoundError` if there is none)."""
        with self.engine.connect() as conn:
            return self._get(conn, claim_id)

    def claims(
        self,
        *,
        author: str | None = None,
        outlet: str | None = None,
        status: str | None = None,
    ) -> list[Claim]:
        """Every claim (optionally of an author or outlet, case-insensitive substring, or with
        a resolution status), in the order they were added."""
        q = self._query().order_by(claims.c.id)
        if author:
            q = q.where(sa.func.lower(claims.c.author).contains(author.lower()))
        if outlet:
            q = q.where(sa.func.lower(claims.c.outlet).contains(outlet.lower()))
        if status:
            if status == "open":
                q = q.where(sa.or_(resolutions.c.status.is_(None), resolutions.c.status == "open"))
            else:
                q = q.where(resolutions.c.status == status)
        with self.engine.connect() as conn:
            return [self._claim(r) for r in conn.execute(q)]

    def info(self) -> LedgerInfo:
        with self.engine.connect() as conn:
            rev = MigrationContext.configure(conn).get_current_revision() or ""
            n = conn.execute(sa.select(sa.func.count()).select_from(claims)).scalar_one()
        return LedgerInfo(_shown(self.url), rev, int(n), self.created)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def head_revision() -> str:
    """The newest schema revision this foedus knows."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("foedus.claims") / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


def _migrate(conn: Connection, url: str, examples: bool) -> bool:
    """Bring the schema to the head revision in ``conn``'s transaction, with the examples in
    the same transaction when the ledger is new; whether it was new."""
    head = head_revision()
    current = MigrationContext.configure(conn).get_current_revision()
    tables = set(sa.inspect(conn).get_table_names())
    if current is None and tables - {"alembic_version"}:
        raise LedgerError(
            f"{_shown(url)} holds tables but is not a foedus ledger",
            "give an empty database or a foedus ledger.",
        )
    cfg = alembic_config(conn)
    known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    if current is not None and current not in known:
        raise LedgerError(
            f"the ledger at {_shown(url)} has schema revision {current}, which this foedus "
            f"does not know (its newest is {head})",
            "upgrade foedus to open it.",
        )
    if current != head:
        command.upgrade(cfg, "head")
    if current is None and examples:
        ledger = Ledger(conn.engine, url, True)
        for claim in example_claims():
            ledger.add(claim, origin="example", conn=conn)
    return current is None


def open_ledger(url: str | None = None, *, examples: bool = True) -> Ledger:
    """Open (creating or upgrading its schema) the ledger at ``url`` (default
    :func:`default_url`). A ledger created now is filled with the example claims when
    ``examples``, in the transaction that creates it. :class:`LedgerError` when the database
    cannot be reached, is not a ledger, or has a schema newer than this foedus."""
    url = default_url() if url is None else str(url)
    engine = _engine(url)
    for attempt in range(3):
        try:
            with engine.begin() as conn:
                created = _migrate(conn, url, examples)
            return Ledger(engine, url, created)
        except (sa.exc.OperationalError, sa.exc.IntegrityError, DuplicateClaimError) as e:
            if attempt < 2:  # perhaps another process created the ledger just now: again
                continue
            engine.dispose()
            msg = str(getattr(e, "orig", e)).splitlines()[0][:200]
            raise LedgerError(
                f"cannot open the ledger at {_shown(url)}: {msg}",
                "check the URL, that the server runs and that you may connect; "
                f"set --db or {ENV_URL}.",
            ) from None
        except sa.exc.DatabaseError as e:
            engine.dispose()
            raise LedgerError(
                f"{_shown(url)} is not a usable database: {str(e.orig).splitlines()[0][:200]}",
                "give a foedus ledger, or a new path for a new one.",
            ) from None
        except LedgerError:
            engine.dispose()
            raise
    raise AssertionError("unreachable")  # pragma: no cover
