"""What every response carries and every request is held to: security headers (a
Content-Security-Policy allowing only the server's own scripts and styles, no inline
scripts, no CDN), a cap on the request body, and the token that writes need, compared in
constant time. docs/web.md, "Safety"."""

from __future__ import annotations

import hmac
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foedus.errors import RequestTooLargeError

__all__ = [
    "CSP",
    "SECURITY_HEADERS",
    "BodyLimit",
    "SecurityHeaders",
    "error_body",
    "token_matches",
]

log = logging.getLogger("foedus.web")

#: The Content-Security-Policy of every response.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: Headers set on every response.
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "geolocation=(), camera=(), microphone=()",
}


def error_body(kind: str, message: str, hint: str | None) -> dict[str, str | None]:
    """The JSON body of every error answer."""
    return {"error": kind, "message": message, "hint": hint}


def _error_bytes(kind: str, message: str, hint: str | None) -> bytes:
    return json.dumps(error_body(kind, message, hint)).encode()


def token_matches(given: str | None, expected: str | None) -> bool:
    """Whether a request's token is the configured one, compared in constant time; never
    when no token is configured."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every HTTP response, and the outermost
    error boundary: an unexpected exception is logged and answered 500 with a JSON body that
    names its type only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.raw if k not in have]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as err:  # the boundary: logged, never shown to the client
            log.exception("unexpected error on %s", scope.get("path"))
            if started:
                raise
            body = _error_bytes(
                "InternalError",
                f"an unexpected error ({type(err).__name__}) stopped the request",
                "the server's log has the details; please report it.",
            )
            await with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: a request whose body exceeds ``limit`` bytes is answered 413, by its
    Content-Length before reading, or as soon as a chunked body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, send: Send) -> None:
        body = _error_bytes(
            "RequestTooLarge", f"the request body is larger than {self.limit} bytes", "send less."
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise RequestTooLargeError(self.limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except RequestTooLargeError:
            if not started:
                await self._refuse(send)
