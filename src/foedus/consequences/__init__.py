"""Consequences of a (hypothetical) alliance: baseline against scenario."""
