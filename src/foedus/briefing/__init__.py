"""The alliance brief: the foundations, prospects, consequences and record of an alliance
between two or more states in a year (docs/brief.md)."""
