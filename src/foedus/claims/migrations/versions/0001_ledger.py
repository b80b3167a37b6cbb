"""The first ledger: claims and their resolutions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(32), nullable=False, unique=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("outlet", sa.String(200), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("published", sa.Date, nullable=False),
        sa.Column("paraphrase", sa.Text, nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("pledge", sa.String(20)),
        sa.Column("alliance", sa.Integer),
        sa.Column("quantifier", sa.String(8), nullable=False),
        sa.Column("parties", sa.JSON, nullable=False),
        sa.Column("window_start", sa.Date, nullable=False),
        sa.Column("window_end", sa.Date, nullable=False),
        sa.Column("probability", sa.Float),
        sa.Column("basis", sa.String(10), nullable=False),
        sa.Column("phrase", sa.String(100)),
        sa.Column("derivation", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "resolutions",
        sa.Column(
            "claim_id",
            sa.Integer,
            sa.ForeignKey("claims.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("resolved_on", sa.Date),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_claims_author", "claims", ["author"])
    op.create_index("ix_claims_outlet", "claims", ["outlet"])


def downgrade() -> None:
    op.drop_index("ix_claims_outlet", "claims")
    op.drop_index("ix_claims_author", "claims")
    op.drop_table("resolutions")
    op.drop_table("claims")
