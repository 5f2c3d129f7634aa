"""The HTTP protocol `quanze serve` runs: uvicorn's fast httptools parser, with limits.

uvicorn's httptools protocol collects the request line and headers without a bound (and by
repeated concatenation), so a GET with a 200 MB URL would be read whole into memory before
any route could refuse it. This subclass stops reading such a request at the limit: the parser
callback fails, uvicorn answers 400 and closes the connection. Bodies are limited by the
routes themselves (from Content-Length, or as they stream).

It is also the server's front gate. Past capacity the queue forms here, not in the
application: every request the event loop has parsed is a task waiting for its turn, and a
cached answer never yields, so a count taken inside the app never sees more than one. The
protocol counts the tasks of its process (requests parsed and not yet answered, less those
parked waiting for a query worker) when a request's headers are complete; at
QUANZE_MAX_IN_FLIGHT it writes a 503 with Retry-After
straight to the connection — no task, no routing, the request's body (if any) discarded as
it arrives — so refusals cost microseconds and are answered in the same turn of the loop,
ahead of the queue. Under another ASGI server the Gate middleware (api/gate.py) counts the
same bound with the requests inside the app.
"""

from __future__ import annotations

import os

from quanze.api.gate import BUSY, over_capacity

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

    max_in_flight: int | None = None
    """Requests of this process parsed and not yet answered (QUANZE_MAX_IN_FLIGHT); read on first use,
    in each server process (a class attribute set in the parent would not travel to spawned processes)."""

    def on_headers_complete(self) -> None:
        if self._over_capacity():
            self._refuse()
            return
        super().on_headers_complete()

    def _over_capacity(self) -> bool:
        if type(self).max_in_flight is None:
            type(self).max_in_flight, type(self).hard_limit = _in_flight_limits()
        if not over_capacity(len(self.tasks), type(self).max_in_flight, type(self).hard_limit):
            return False
        # only where the answer can go out now: no response of this connection pending, no upgrade
        return (self.cycle is None or self.cycle.response_complete) and not self.pipeline and not self.parser.should_upgrade()

    def _refuse(self) -> None:
        """503 + Retry-After written at once; the body (if any) is read and dropped, or the connection closed."""
        headers = dict(self.headers)
        lang = "en" if b"lang=en" in self.url or headers.get(b"accept-language", b"")[:2].lower() == b"en" else "zh"
        body = BUSY[lang].encode("utf-8")
        length = headers.get(b"content-length", b"0").strip()
        close = (not self.parser.should_keep_alive() or b"transfer-encoding" in headers or self.expect_100_continue
                 or not length.isdigit() or int(length) > 65536)  # a body to skip that is large, unbounded or never sent
        self.transport.write(b"".join((
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n",
            b"content-length: ", str(len(body)).encode(), b"\r\nretry-after: 1\r\ncache-control: no-store\r\n",
            b"connection: close\r\n\r\n" if close else b"\r\n", b"" if self.parser.get_method() == b"HEAD" else body)))
        type(self).refused += 1
        self.cycle = _ANSWERED  # on_body / on_message_complete see a finished response and drop the body
        if close:
            self.transport.close()
        else:
            self.on_response_complete()

    refused = 0
    hard_limit = 0


class _Answered:
    """Stands for a response already written: the protocol's body callbacks drop what follows."""

    response_complete = True
    keep_alive = True
    disconnected = False

    class message_event:  # noqa: N801 - duck-types asyncio.Event.set, called when the connection is lost
        @staticmethod
        def set() -> None:
            pass


_ANSWERED = _Answered()


def _in_flight_limits() -> tuple[int, int]:
    from quanze.api.gate import hard_limit
    from quanze.api.settings import Settings

    try:
        settings = Settings.from_environment()
    except Exception:  # noqa: BLE001 - settings were checked at start; never fail a request on them
        settings = Settings(store=None)  # type: ignore[arg-type]
    return settings.max_in_flight, hard_limit(settings)
