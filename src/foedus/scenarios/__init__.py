"""Scenarios: modified worlds, scenario files, sweeps."""
