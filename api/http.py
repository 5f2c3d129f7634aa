"""The HTTP protocol `quanze serve` runs: uvicorn's fast httptools parser, with limits.

uvicorn's httptools protocol collects the request line and headers without a bound (and by
repeated concatenation), so a GET with a 200 MB URL would be read whole into memory before
any route could refuse it. This subclass stops reading such a request at the limit: the parser
callback fails, uvicorn answers 400 and closes the connection. Bodies are limited by the
routes themselves (from Content-Length, or as they stream).
"""

from __future__ import annotations

import os

HEADERS_LIMIT = 64 * 1024


def _url_limit() -> int:
    """Room for a GET query of QUANZE_MAX_QUERY_BYTES, URL-encoded (up to 3 bytes each), and its parameters."""
    try:
        query_bytes = int(os.environ.get("QUANZE_MAX_QUERY_BYTES", "100000"))
    except ValueError:
        query_bytes = 100_000
    return max(1024 * 1024, 3 * query_bytes + 64 * 1024)


URL_LIMIT = _url_limit()


class RequestTooLarge(ValueError):
    """The request line or the headers passed their limit."""


def protocol():
    """uvicorn's `http=` value: the bounded httptools protocol, or "h11" (which bounds them itself) without httptools."""
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "h11"
    return BoundedHttpToolsProtocol


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - httptools is a dependency
    _Base = object  # type: ignore[assignment,misc]


class BoundedHttpToolsProtocol(_Base):  # type: ignore[misc,valid-type]
    url_limit = URL_LIMIT
    headers_limit = HEADERS_LIMIT

    def on_message_begin(self) -> None:
        self._header_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > self.url_limit:
            raise RequestTooLarge(f"request line longer than {self.url_limit} bytes")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes = getattr(self, "_header_bytes", 0) + len(name) + len(value)
        if self._header_bytes > self.headers_limit:
            raise RequestTooLarge(f"headers longer than {self.headers_limit} bytes")
        super().on_header(name, value)
