"""foedus."""
