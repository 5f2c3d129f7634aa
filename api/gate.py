"""The front gate: a bound on the requests one server process works on at once.

Past capacity the queue used to form in front of the application — requests parsed and
waiting for the event loop, where the query admission control (api/repository.py) cannot see
them: at 1,600 req/s of cached queries the server answered everything, late (p95 2.8 s).
This pure-ASGI middleware sits outermost, before routing, parameter parsing and the
generation pin, and counts the requests in flight in its process. At the bound a request is
answered 503 with `Retry-After` at once (a refusal costs a few header lookups and one small
write, so the process sheds the excess instead of queueing it), in Chinese unless the client
asks for English (`Accept-Language: en…` or `lang=en`).

What is counted is what waits for this process's CPU: requests in flight minus those parked
waiting for a query worker or its answer (`parked`, counted by api/repository.py), which the
query admission control bounds itself (its queue, 503 past it). So the bound
(QUANZE_MAX_IN_FLIGHT, per server process, default 16) is a bound on waiting: a cached answer
costs about 1–1.5 ms of CPU, so 16 runnable requests are about 20 ms of work ahead of a new
one. Requests parked on a shared evaluation are not bounded by the query queue, so there is
also a hard bound on everything in flight (`hard_limit`). `quanze serve` counts both in its
HTTP protocol already (api/http.py), before a task is made; this middleware holds the same
bounds under any other ASGI server.
"""

from __future__ import annotations

BUSY = {
    "zh": "服务器繁忙，请稍后重试。\n",
    "en": "The server is busy; retry shortly.\n",
}


class Parked:
    """Requests of this process parked waiting for a query worker or its answer (not for the CPU)."""

    count = 0

    def __enter__(self) -> None:
        Parked.count += 1  # on the event loop: no lock needed

    def __exit__(self, *exc) -> None:
        Parked.count -= 1


parked = Parked()


def hard_limit(settings) -> int:
    """Bound on all requests in flight in a process, parked ones included: the runnable bound, the query
    queue and workers, and as many again for requests waiting on an identical query's evaluation."""
    return settings.max_in_flight + 2 * (settings.queue_size + settings.workers + settings.slow_workers) + 64


def over_capacity(in_flight: int, limit: int, hard: int) -> bool:
    """Whether a new request would exceed the bounds: runnable requests, or everything in flight."""
    return in_flight - Parked.count >= limit or in_flight >= hard


def _response(lang: str, retry_after: int, close: bool) -> tuple[dict, dict]:
    body = BUSY[lang].encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
        (b"cache-control", b"no-store"),
    ]
    if close:
        headers.append((b"connection", b"close"))
    return ({"type": "http.response.start", "status": 503, "headers": headers},
            {"type": "http.response.body", "body": body, "more_body": False})


def wants_english(scope) -> bool:
    """English when the query string says lang=en or Accept-Language starts with en (cheap: no parsing of q-values)."""
    if b"lang=en" in scope.get("query_string", b""):
        return True
    for name, value in scope.get("headers") or ():
        if name == b"accept-language":
            return value[:2].lower() == b"en"
    return False


def has_body(scope) -> bool:
    """Whether the request carries a body we would leave unread (then the refusal closes the connection)."""
    for name, value in scope.get("headers") or ():
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"", b"0")):
            return True
    return False


async def refuse(scope, send, retry_after: int = 1) -> None:
    """Answer 503 + Retry-After (a body left unread closes the connection)."""
    start, body = _response("en" if wants_english(scope) else "zh", retry_after, has_body(scope))
    await send(start)
    await send(body)


class Gate:
    """ASGI middleware: at most `limit` HTTP requests in flight in this process; past it 503 at once."""

    def __init__(self, app, limit: int, hard: int, retry_after: int = 1) -> None:
        self.app = app
        self.limit = limit
        self.hard = hard
        self.retry_after = retry_after
        self.in_flight = 0
        self.refused = 0
        self.peak = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if over_capacity(self.in_flight, self.limit, self.hard):  # one event loop per process: no lock needed
            self.refused += 1
            await refuse(scope, send, self.retry_after)
            return
        self.in_flight += 1
        if self.in_flight > self.peak:
            self.peak = self.in_flight
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
