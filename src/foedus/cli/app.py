"""The Typer application and its global options; the commands register themselves on it from
their modules (:mod:`foedus.cli.data`, :mod:`foedus.cli.country`, ...)."""

from __future__ import annotations

from typing import Annotated

import typer

from foedus.cli import state

app = typer.Typer(
    help="foedus: quantitative analysis of military alliances between states.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts are printed as written
)
data_app = typer.Typer(
    help="The data catalog: list, fetch, verify, clean and cite data sets.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(data_app, name="data")


def _version(value: bool) -> None:
    if value:
        from foedus import __version__

        print(f"foedus {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="On an internal error, print the full traceback (also: FOEDUS_DEBUG=1).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """foedus: quantitative analysis of military alliances between states."""
    if debug:
        state.debug = True
