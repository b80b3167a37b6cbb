"""The web application (``foedus serve``): a JSON API over the same operations the command
line runs (:mod:`foedus.operations`), with its OpenAPI description; docs/web.md. The web layer
validates and renders; it computes nothing of its own."""

from foedus.web.app import create_app

__all__ = ["create_app"]
