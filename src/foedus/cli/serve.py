"""``foedus serve``: the web application's JSON API (docs/web.md), run with Uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from foedus.cli.app import app
from foedus.cli.console import err
from foedus.errors import InvalidArgumentError


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str, typer.Option(help="The address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
) -> None:
    """Serve the JSON API (and its OpenAPI description at /openapi.json) until stopped."""
    import uvicorn

    from foedus.web import create_app
    from foedus.web.settings import WebSettings

    if not 1 <= port <= 65535:
        raise InvalidArgumentError("--port", f"--port {port} is not a port", "e.g. --port 8000.")
    settings = WebSettings.from_env()  # a bad token stops here, before the server starts
    err.print(
        f"foedus serving on http://{host}:{port}/api (OpenAPI: /openapi.json); "
        + ("writes need the token" if settings.token else "the claims ledger is read-only")
        + "; Ctrl-C stops"
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
