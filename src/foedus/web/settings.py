"""The web application's settings, read once from the environment (docs/web.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from foedus.errors import SettingsError

__all__ = ["ENV_TOKEN", "MAX_BODY_BYTES", "WebSettings"]

#: The environment variable holding the token that writes need.
ENV_TOKEN = "FOEDUS_WEB_TOKEN"
#: Requests with a larger body are refused (413) before it is read.
MAX_BODY_BYTES = 1 << 20
#: The shortest token accepted: a guessable token would be worse than none.
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class WebSettings:
    """``token``: what a write must present (None: the ledger is read-only);
    ``claims_url``: the ledger's database (None: FOEDUS_CLAIMS_URL or the user file);
    ``max_body``: the largest request body, in bytes."""

    token: str | None = None
    claims_url: str | None = None
    max_body: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise SettingsError(
                f"{ENV_TOKEN} is {len(self.token)} characters; at least {MIN_TOKEN_CHARS} are "
                "needed",
                "e.g. export FOEDUS_WEB_TOKEN=$(python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))').",
            )
        if self.max_body < 1:
            raise SettingsError(f"max_body must be positive, not {self.max_body}", None)

    @classmethod
    def from_env(cls) -> WebSettings:
        return cls(token=os.environ.get(ENV_TOKEN) or None)
