"""Small builders shared by the tests: synthetic catalog entries and local HTTP servers."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from foedus import catalog


def synthetic_dataset(
    payload: bytes, *, name: str, file: str, urls: tuple[str, ...], **fields: object
) -> catalog.Dataset:
    """A catalog entry for ``payload`` (a CSV read by the plain reader), pinned by its sha256."""
    entry: dict[str, object] = {
        "title": "synthetic",
        "reader": "csv",
        "version": "1",
        "producer": "tests",
        "cite": (),
        "terms": "-",
        "homepage": "-",
        **fields,
    }
    return catalog.Dataset(
        name=name,
        file=file,
        sha256=hashlib.sha256(payload).hexdigest(),
        size=len(payload),
        urls=urls,
        **entry,  # type: ignore[arg-type]
    )


@contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
