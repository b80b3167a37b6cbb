"""The claims ledger: published alliance forecasts, their resolution and their scores
(docs/claims.md)."""
