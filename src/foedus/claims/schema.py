"""The ledger's tables (SQLAlchemy Core). The schema is created and upgraded only by the
Alembic migrations in :mod:`foedus.claims.migrations`; this module describes the current
revision for the queries."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["claims", "metadata", "resolutions"]

metadata = MetaData()

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(32), nullable=False, unique=True),
    Column("author", String(200), nullable=False),
    Column("outlet", String(200), nullable=False),
    Column("url", Text, nullable=False),
    Column("published", Date, nullable=False),
    Column("paraphrase", Text, nullable=False),
    Column("event", String(20), nullable=False),
    Column("pledge", String(20)),
    Column("alliance", Integer),
    Column("quantifier", String(8), nullable=False),
    Column("parties", JSON, nullable=False),
    Column("window_start", Date, nullable=False),
    Column("window_end", Date, nullable=False),
    Column("probability", Float),
    Column("basis", String(10), nullable=False),
    Column("phrase", String(100)),
    Column("derivation", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("origin", String(20), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

resolutions = Table(
    "resolutions",
    metadata,
    Column("claim_id", Integer, ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(10), nullable=False),
    Column("resolved_on", Date),
    Column("evidence", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("method", String(10), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
