"""Alembic migrations of the claims ledger (run by :func:`foedus.claims.ledger.open_ledger`)."""
