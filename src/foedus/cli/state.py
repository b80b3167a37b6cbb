"""Process-wide settings of one command-line run (set by global options)."""

from __future__ import annotations

import os

ENV_DEBUG = "FOEDUS_DEBUG"

#: set by ``--debug``
debug: bool = False


def debugging() -> bool:
    """Print tracebacks of internal errors: ``--debug`` or ``FOEDUS_DEBUG`` set."""
    env = os.environ.get(ENV_DEBUG, "").strip().lower() not in ("", "0", "false", "no")
    return debug or env
