"""The FastAPI application: the API router, the error boundary (every foedus error a JSON
answer with its message and hint and the status that fits it, never a traceback), the
security middleware. ``create_app()`` builds it; ``foedus serve`` runs it with Uvicorn."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from foedus import __version__
from foedus.errors import (
    ClaimNotFoundError,
    DataNotAvailableError,
    FoedusError,
    InvalidArgumentError,
    NotASystemMemberError,
    NotAuthorizedError,
    UnknownCountryError,
)
from foedus.web.api import router
from foedus.web.security import BodyLimit, SecurityHeaders, error_body
from foedus.web.settings import WebSettings

__all__ = ["create_app", "status_of"]

#: The HTTP status of each kind of foedus error (the first match in order); others are 400.
STATUS = (
    (NotAuthorizedError, 401),
    (ClaimNotFoundError, 404),
    (UnknownCountryError, 404),
    (NotASystemMemberError, 422),
    (InvalidArgumentError, 422),
    (DataNotAvailableError, 503),
)


def status_of(err: FoedusError) -> int:
    return next((code for cls, code in STATUS if isinstance(err, cls)), 400)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The application with ``settings`` (default: from the environment)."""
    settings = settings or WebSettings.from_env()
    app = FastAPI(
        title="foedus",
        version=__version__,
        summary="Quantitative analysis of military alliances between states.",
        description="The JSON API of foedus: countries, the alliance network, foundations, "
        "formation forecasts, briefs and the claims ledger. Every answer is computed by the "
        "same functions as the command line; errors are JSON with a message and a hint.",
        docs_url=None,  # Swagger UI would load its assets from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(router)

    @app.exception_handler(FoedusError)
    async def foedus_error(_request: Request, err: FoedusError) -> JSONResponse:
        return JSONResponse(
            error_body(type(err).__name__, err.message, err.hint), status_code=status_of(err)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, err: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in err.errors()
        ]
        return JSONResponse(
            {
                **error_body(
                    "InvalidRequest", "; ".join(problems), "see /openapi.json for the API."
                ),
                "problems": problems,
            },
            status_code=422,
        )

    app.add_middleware(BodyLimit, limit=settings.max_body)
    app.add_middleware(SecurityHeaders)
    return app
