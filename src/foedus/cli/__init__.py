"""The ``foedus`` command line (Typer + Rich): thin commands that call the library and render
its results; :mod:`foedus.cli.boundary` turns whatever goes wrong into one clear message."""

from foedus.cli import (  # noqa: F401 - registers
    brief,
    claims,
    country,
    data,
    foundations,
    panel,
    prospects,
    scenario,
    serve,
)
from foedus.cli.app import app
from foedus.cli.boundary import main, run

__all__ = ["app", "main", "run"]
