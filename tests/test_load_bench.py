"""bench/load.py against a small fake HTTP server on 127.0.0.1 (not quanze): counts, percentiles, refusals."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from urllib.parse import parse_qs

import pytest

_path = Path(__file__).resolve().parent.parent / "bench" / "load.py"
_spec = importlib.util.spec_from_file_location("quanze_bench_load", _path)
load = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = load  # dataclasses need the module registered
_spec.loader.exec_module(load)


async def _fake_handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers by the query text: 'refuse' 503 (chunked), 'missing' 404 (no length, closes),
    'slow' after 1 s, anything else 200 with a length (keep-alive)."""
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            headers = {}
            while (header := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = header.partition(b":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
            query = parse_qs(body.decode())["query"][0]
            if "refuse" in query:
                writer.write(b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n")
            elif "missing" in query:
                writer.write(b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nnot here")
                await writer.drain()
                writer.close()
                return
            else:
                if "slow" in query:
                    await asyncio.sleep(1.0)
                answer = b'{"boolean": true}' if query.startswith("ASK") else b'{"results": {"bindings": []}}'
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def _with_fake_server(body):
    server = await asyncio.start_server(_fake_handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        return await body(load.loopback_target(f"http://127.0.0.1:{port}"))
    finally:
        server.close()


def test_open_loop_counts_against_fake_server():
    queries = ["SELECT fine", "SELECT refuse", "SELECT missing", "SELECT slow"]

    async def body(target):
        tally = load.Tally("load 20/s", 20)
        schedule = load.ordinary_schedule(target, queries, 20, 1.0, tally)
        client = load.Client(target)
        try:
            elapsed = await load.run_schedule(client, schedule, timeout=0.3, max_in_flight=100)
        finally:
            client.close()
        check = await load.health(target, recover=0)
        return tally, elapsed, check

    tally, elapsed, check = asyncio.run(_with_fake_server(body))
    summary = tally.summary()
    assert (summary["planned"], summary["sent"], summary["skipped"]) == (20, 20, 0)
    assert (summary["ok"], summary["status_503"], summary["timeouts"]) == (5, 5, 5)
    assert summary["errors"] == 5 and summary["other"] == {"404": 5}
    assert 0.95 <= elapsed < 3.0  # open loop: the last request is sent at 0.95 s
    assert summary["ok_per_s"] == round(5 / tally.elapsed, 1)
    assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] < 300
    assert summary["p50_503_ms"] is not None and summary["p50_503_ms"] < 300
    assert check["ok"] is True and check["answer"] == "true"


def test_in_flight_bound_skips_instead_of_queueing():
    async def body(target):
        tally = load.Tally("slow", 1000)
        schedule = load.ordinary_schedule(target, ["SELECT slow"], 1000, 0.01, tally)  # 10 requests in 9 ms
        client = load.Client(target)
        try:
            await load.run_schedule(client, schedule, timeout=0.5, max_in_flight=3)
        finally:
            client.close()
        return tally

    tally = asyncio.run(_with_fake_server(body))
    # the server holds each request 1 s, the client gives up at 0.5 s: no slot frees while sending
    assert (tally.planned, tally.sent, tally.skipped, tally.timeouts, len(tally.ok)) == (10, 3, 7, 3, 0)


def test_runaway_schedule_and_health_of_a_closed_port():
    target = load.loopback_target("http://127.0.0.1:9")
    tally = load.Tally("runaway", 0.4)
    schedule = load.runaway_schedule(target, 10.0, tally)
    assert [t for t, _, _ in schedule] == [0.0, 0.0, 5.0, 5.0] and tally.planned == 4
    assert b"%3Fg+%3Fh+%3Fi" in schedule[0][1]
    check = asyncio.run(load.health(load.loopback_target(f"http://127.0.0.1:{_closed_port()}"), recover=0))
    assert check["ok"] is False and check["recovered_after_s"] is None


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_percentiles_and_tally_arithmetic():
    values = [float(v) for v in range(100, 0, -1)]
    assert load.percentile(values, 50) == 50 and load.percentile(values, 95) == 95 and load.percentile(values, 99) == 99
    assert load.percentile(values, 100) == 100 and load.percentile(values, 0) == 1
    assert load.percentile([0.7], 99) == 0.7 and load.percentile([], 50) is None
    assert load.percentile([3.0, 1.0, 2.0], 50) == 2.0
    tally = load.Tally("t", 10)
    for status, latency in [(200, 0.010), (204, 0.030), (200, 0.020), (503, 0.004), (503, 0.008), (500, 0.1)]:
        tally.record(status, latency)
    tally.record(None, 1.0, "timeout")
    tally.record(None, 0.0, "ConnectionRefusedError")
    tally.elapsed = 2.0
    s = tally.summary()
    assert (s["ok"], s["status_503"], s["errors"], s["timeouts"]) == (3, 2, 2, 1)
    assert s["other"] == {"500": 1, "ConnectionRefusedError": 1}
    assert s["p50_ms"] == 20.0 and s["p95_ms"] == 30.0 and s["p50_503_ms"] == 6.0 and s["ok_per_s"] == 1.5


@pytest.mark.parametrize("url", [
    "http://10.0.0.1:8000", "http://example.com", "http://128.0.0.1", "http://[::2]:80", "http://0.0.0.0:8000",
    "https://127.0.0.1", "http://[::ffff:10.0.0.1]:80",
])
def test_non_loopback_refused(url, capsys):
    with pytest.raises(load.NotLoopback):
        load.loopback_target(url)
    assert load.main(["--url", url, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("load.py:")


@pytest.mark.parametrize("url, host, port, path", [
    ("http://127.0.0.1:8000", "127.0.0.1", 8000, "/sparql"),
    ("http://127.8.9.10:81/sparql", "127.8.9.10", 81, "/sparql"),
    ("http://[::1]:8000/", "::1", 8000, "/sparql"),
    ("http://localhost:9000/base", "127.0.0.1", 9000, "/base/sparql"),
])
def test_loopback_accepted(url, host, port, path):
    target = load.loopback_target(url)
    assert (target.host, target.port, target.path) == (host, port, path)
