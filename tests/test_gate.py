"""The server past capacity and under expensive uploads (issue 11, the gate):

- a per-process bound on runnable requests, refused with 503 + Retry-After before routing, in
  the HTTP protocol of `quanze serve` and in the Gate middleware under any other ASGI server;
  requests parked waiting for a query worker do not count;
- POST /validate in time- and memory-capped worker processes, killed and replaced on overrun,
  with bounded concurrency (503 + Retry-After at once) and uploads refused (413) while they
  stream in, the server answering /sparql normally after each;
- one client's query limit shared out among the server processes.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from quanze.api.gate import Gate, Parked, parked
from quanze.api.settings import Settings, SettingsError
from tests._server import ROOT, free_port, running_server
from tests.hostile_corpus import register_csv, row

SMALL = (ROOT / "tests" / "data" / "valid" / "北关区-权责清单.csv").read_bytes()
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def big_register(rows: int = 300) -> bytes:
    return register_csv(rows=[row(n) for n in range(1, rows + 1)]).encode("utf-8")


def sparql_answers(url: str) -> bool:
    response = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"}, timeout=10)
    return response.status_code == 200 and response.json()["boolean"] is True


def upload(url: str, data: bytes, name: str = "清单.csv", timeout: float = 120, **params: str) -> httpx.Response:
    return httpx.post(url + "/validate", files={"file": (name, data, "text/csv")}, params=params, timeout=timeout)


# --- the Gate middleware, without a server ------------------------------------------------------


def _call(app, headers=(), query_string=b""):
    """Run one HTTP request through an ASGI app; (status, headers, body) once it answers."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    async def run():
        await app({"type": "http", "method": "GET", "path": "/", "headers": list(headers), "query_string": query_string},
                  receive, send)

    return run, sent


def test_the_gate_refuses_past_its_bound_at_once_and_counts_parked_requests_apart():
    async def scenario():
        release = asyncio.Event()

        async def slow_app(scope, receive, send):
            if scope.get("park"):
                with parked:
                    await release.wait()
            else:
                await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        gate = Gate(slow_app, limit=2, hard=4)
        first = [asyncio.ensure_future(_call(gate)[0]()) for _ in range(2)]
        await asyncio.sleep(0)
        run, sent = _call(gate)
        started = time.monotonic()
        await run()  # a third runnable request: refused without waiting for the two
        assert time.monotonic() - started < 0.5
        assert sent[0]["status"] == 503 and dict(sent[0]["headers"])[b"retry-after"] == b"1"
        assert "服务器繁忙" in sent[1]["body"].decode()
        run, sent = _call(gate, headers=[(b"accept-language", b"en-GB,en;q=0.8")])
        await run()
        assert sent[0]["status"] == 503 and "busy" in sent[1]["body"].decode()
        run, sent = _call(gate, query_string=b"lang=en")
        await run()
        assert "busy" in sent[1]["body"].decode()
        release.set()
        await asyncio.gather(*first)
        assert gate.in_flight == 0 and gate.refused == 3

        # requests parked on a query worker do not count against the runnable bound, only the hard one
        release.clear()

        async def parking(scope, receive, send):
            scope = {**scope, "park": True}
            await slow_app(scope, receive, send)

        gate = Gate(parking, limit=2, hard=4)
        waiting = [asyncio.ensure_future(_call(gate)[0]()) for _ in range(4)]
        await asyncio.sleep(0)
        assert Parked.count == 4 and gate.in_flight == 4
        run, sent = _call(gate)
        await run()  # the hard bound
        assert sent[0]["status"] == 503
        release.set()
        await asyncio.gather(*waiting)
        assert Parked.count == 0 and gate.in_flight == 0

    asyncio.run(scenario())


# --- settings -------------------------------------------------------------------------------------


def test_gate_and_validation_settings_are_checked_and_one_clients_limit_is_shared_out(monkeypatch):
    for name in ("QUANZE_HTTP_WORKERS", "QUANZE_CLIENT_CONCURRENCY", "QUANZE_QUERY_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    default = Settings.from_environment()
    assert default.max_in_flight == 16 and default.validation_workers == 1 and default.validation_queue == 1
    assert default.validation_timeout == 120 and default.validation_memory == 1024 * 2**20
    monkeypatch.setenv("QUANZE_QUERY_WORKERS", "1")
    monkeypatch.setenv("QUANZE_HTTP_WORKERS", "3")  # as `quanze serve --workers 3` sets it for its processes
    monkeypatch.setenv("QUANZE_CLIENT_CONCURRENCY", "10")
    assert Settings.from_environment().client_concurrency == 4  # ceil(10 / 3) in each process
    monkeypatch.delenv("QUANZE_CLIENT_CONCURRENCY")
    assert Settings.from_environment().client_concurrency == 16  # the default: 16 per process, as before
    for name, bad in (("QUANZE_MAX_IN_FLIGHT", "0"), ("QUANZE_VALIDATION_TIMEOUT", "nan"), ("QUANZE_VALIDATION_MEMORY", "-1"),
                      ("QUANZE_VALIDATION_WORKERS", "many"), ("QUANZE_VALIDATION_QUEUE", "1e9")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(SettingsError, match=name):
            Settings.from_environment()
        monkeypatch.delenv(name)


# --- the front gate of `quanze serve` (its HTTP protocol) --------------------------------------------


@contextmanager
def quanze_serve(store: Path, **settings: str):
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("QUANZE_")}, **settings}
    process = subprocess.Popen([sys.executable, "-m", "quanze.graph.cli", "--store", str(store), "serve", "--port", str(port),
                                "--workers", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if process.poll() is not None:
                raise AssertionError(process.stdout.read().decode())
            try:
                if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("quanze serve did not start")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _in_background(function, *args, **kwargs):
    result = {}

    def run():
        try:
            result["value"] = function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - reported by the test
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


@pytest.mark.parametrize("launcher", ["quanze serve", "uvicorn"])
def test_past_the_bound_requests_are_refused_at_once_while_parked_queries_do_not_count(store_path, launcher):
    settings = dict(QUANZE_MAX_IN_FLIGHT="1", QUANZE_QUERY_TIMEOUT="4", QUANZE_SLOW_QUERY_SECONDS="0.5", QUANZE_QUERY_WORKERS="1")
    start = quanze_serve if launcher == "quanze serve" else running_server
    with start(store_path, **settings) as url:
        # a runaway query waits for its worker: parked, so ordinary queries still get in
        runaway, _ = _in_background(httpx.post, url + "/sparql", data={"query": RUNAWAY}, timeout=30)
        time.sleep(0.3)
        assert sparql_answers(url)
        runaway.join(30)
        # a validation runs in this process's threads, not parked: with a bound of 1 the next request is refused
        validation, outcome = _in_background(upload, url, big_register(300))
        refusal = None
        deadline = time.monotonic() + 60
        while validation.is_alive() and time.monotonic() < deadline:
            began = time.monotonic()
            response = httpx.get(url + "/sparql", params={"query": "ASK {}"}, headers={"Accept-Language": "en"}, timeout=10)
            if response.status_code == 503:
                refusal = (response, time.monotonic() - began)
                break
            time.sleep(0.05)
        assert refusal is not None, "no request was refused while the validation ran"
        response, seconds = refusal
        assert seconds < 1.0 and response.headers["retry-after"] == "1" and "busy" in response.text
        validation.join(120)
        assert outcome["value"].status_code == 200
        assert sparql_answers(url)


# --- POST /validate in capped worker processes ------------------------------------------------------


def test_a_validation_past_the_time_cap_is_stopped_with_503_and_the_server_answers_on(store_path):
    with running_server(store_path, QUANZE_VALIDATION_TIMEOUT="0.05") as url:
        response = upload(url, SMALL)
        assert response.status_code == 503, response.text
        assert "QUANZE_VALIDATION_TIMEOUT" in response.json()["error"] and "校验时间超过上限" in response.json()["message"]
        assert sparql_answers(url)
        response = upload(url, SMALL, lang="en")  # its worker was replaced: the next upload is answered the same way
        assert response.status_code == 503 and "took longer than allowed" in response.json()["message"]
        assert sparql_answers(url)


def test_a_validation_past_the_memory_cap_is_stopped_with_413_and_its_worker_replaced(store_path):
    with running_server(store_path, QUANZE_VALIDATION_MEMORY="24") as url:
        assert upload(url, SMALL).status_code == 200
        started = time.monotonic()
        response = upload(url, big_register(300), lang="en")
        assert response.status_code == 413, response.text
        assert "QUANZE_VALIDATION_MEMORY" in response.json()["error"] and "more memory than allowed" in response.json()["message"]
        assert time.monotonic() - started < 60
        assert sparql_answers(url)
        again = upload(url, SMALL)
        assert again.status_code == 200 and again.json()["conforms"] is True


def test_validations_past_the_bound_are_refused_with_503_at_once_before_the_body_is_read(store_path):
    with running_server(store_path, QUANZE_VALIDATION_WORKERS="1", QUANZE_VALIDATION_QUEUE="0") as url:
        running, outcome = _in_background(upload, url, big_register(300))
        time.sleep(0.5)  # its body is sent and it holds the one slot (it takes seconds to validate)
        refusal = None
        deadline = time.monotonic() + 60
        while running.is_alive() and time.monotonic() < deadline:
            began = time.monotonic()
            response = upload(url, SMALL)
            if response.status_code == 503:
                refusal = (response, time.monotonic() - began)
                break
            time.sleep(0.1)
        assert refusal is not None, "no upload was refused while the validation ran"
        response, seconds = refusal
        assert seconds < 1.0 and response.headers["retry-after"] == "2"
        assert "校验服务繁忙" in response.json()["message"]
        assert sparql_answers(url)  # queries are not held up by the validation
        running.join(120)
        assert outcome["value"].status_code == 200
        assert upload(url, SMALL).status_code == 200


def test_an_upload_over_the_limit_is_refused_while_it_streams_in(store_path):
    limit = 100_000
    with running_server(store_path, QUANZE_MAX_UPLOAD_BYTES=str(limit)) as url:
        host, port = url.removeprefix("http://").split(":")
        boundary = b"quanzeboundary"
        head = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
                b"Content-Type: text/csv\r\n\r\n")
        chunk = b"1,x\n" * 16_384  # 64 KiB per chunk, 32 MiB offered in all
        total = 512
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            connection.sendall(b"POST /validate?lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                               b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n\r\n")
            connection.sendall(b"%x\r\n%s\r\n" % (len(head), head))
            sent = 0
            answered = False
            for _ in range(total):
                try:
                    connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += 1
                if select.select([connection], [], [], 0)[0]:
                    answered = True
                    break
            if not answered:
                select.select([connection], [], [], 10)
            answer = b""
            try:
                while b"\r\n\r\n" not in answer:
                    data = connection.recv(65536)
                    if not data:
                        break
                    answer += data
            except ConnectionResetError:
                pass
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < total // 2, f"the server read {sent} of {total} chunks before answering"
        assert sparql_answers(url)


# --- the protocol's refusal, byte by byte --------------------------------------------------------


class _Transport:
    """Enough of an asyncio transport for uvicorn's protocol: collects what is written."""

    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_the_protocol_answers_503_itself_keeps_the_connection_usable_and_closes_it_for_bodies_it_would_skip(monkeypatch):
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from quanze.api.http import BoundedHttpToolsProtocol

    monkeypatch.setenv("QUANZE_MAX_IN_FLIGHT", "2")
    monkeypatch.setattr(BoundedHttpToolsProtocol, "max_in_flight", None)  # read again from the environment
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def scenario():
        loop = asyncio.get_running_loop()
        config = Config(app=app, http=BoundedHttpToolsProtocol, log_level="warning")
        config.load()
        state = ServerState()
        busy = [loop.create_future() for _ in range(2)]  # two requests of other connections still being answered
        state.tasks.update(busy)

        def connection():
            protocol = BoundedHttpToolsProtocol(config=config, server_state=state, app_state={}, _loop=loop)
            transport = _Transport()
            protocol.connection_made(transport)
            return protocol, transport

        protocol, transport = connection()
        protocol.data_received(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")
        assert transport.written.startswith(b"HTTP/1.1 503 ") and b"retry-after: 1\r\n" in transport.written
        assert "服务器繁忙".encode() in transport.written and not transport.closed and not reached
        # a small form body is read and dropped, the connection stays usable; English on request
        transport.written = b""
        protocol.data_received(b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                               b"Content-Length: 15\r\n\r\nquery=ASK%7B%7D")
        assert transport.written.startswith(b"HTTP/1.1 503 ") and b"busy" in transport.written and not transport.closed
        # HEAD: the same head, no body
        transport.written = b""
        protocol.data_received(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert transport.written.endswith(b"\r\n\r\n") and b"content-length: " in transport.written
        # a chunked body (unbounded) or a client waiting for 100-continue: answered, then the connection closed
        for request in (b"POST /validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                        b"POST /validate HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"):
            protocol, transport = connection()
            protocol.data_received(request)
            assert transport.written.startswith(b"HTTP/1.1 503 ") and b"connection: close" in transport.written and transport.closed
        # below the bound the request goes to the application
        busy[0].set_result(None)
        state.tasks.discard(busy[0])
        protocol, transport = connection()
        protocol.data_received(b"GET /fine HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in range(10):
            await asyncio.sleep(0)
        assert reached == ["/fine"] and transport.written.startswith(b"HTTP/1.1 200")
        # requests parked on a query worker do not count
        state.tasks.update(loop.create_future() for _ in range(3))
        with parked, parked, parked:
            protocol, transport = connection()
            protocol.data_received(b"GET /also-fine HTTP/1.1\r\nHost: x\r\n\r\n")
            for _ in range(10):
                await asyncio.sleep(0)
        assert reached[-1] == "/also-fine"

    asyncio.run(scenario())
