"""Open-loop HTTP load on `quanze serve`'s SPARQL endpoint (loopback only).

Requests are sent on a fixed schedule (rate × duration) whether or not earlier ones have been
answered, as independent clients would send them; up to --max-in-flight requests are open at
once (each on its own keep-alive connection), and a request that would exceed that bound is
not sent and counted as "skip". The workload is the example queries of queries/*.rq, posted
round-robin to /sparql as a form (query=…) with Accept: application/sparql-results+json.
After each load step an ASK query must be answered within 2 s (the health check); if it is
not, the server is polled for up to --recover seconds to see whether and when it recovers.

    .venv/bin/python bench/load.py --store /tmp/lb-store                 # own server, 50,100,200,400 req/s
    .venv/bin/python bench/load.py --store /tmp/lb-store --runaway       # plus the runaway scenario
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --rates 200 --duration 20 --json

Without --url the script builds the store if it is missing (`quanze --store DIR build`),
starts `quanze --store DIR serve` on a free loopback port, and stops it at the end. Only
loopback targets are accepted (127.0.0.0/8, ::1, localhost); any other host exits 2.

--runaway adds a scenario: 50 req/s of ordinary queries plus, every 5 s, two deliberately
expensive queries (a triple cross join counted), reported separately from the ordinary ones.

The goal (issue 11): 200 req/s held with p95 < 250 ms and no errors; past capacity, the excess
refused with 503 in < 50 ms while admitted requests keep p95 < 250 ms; runaway queries leave
the ordinary queries' p95 < 500 ms. The script prints whether each goal was met.

Columns: rate offered (req/s); sent; skip (not sent: in-flight bound); ok (2xx); 503 and the
median latency of the 503 answers; err (other statuses, connection errors); t/o (no answer
within --timeout); ok/s achieved (ok answers / time from the first send until the last
request ended); p50/p95/p99 of the ok answers' latency, measured from the moment the request
was started (connection included); lag99 (99th percentile of how late the generator started
requests against the schedule: large values mean the generator itself was starved); gen CPU
and srv CPU (CPU seconds the generator and, when it started the server, the server's
processes used during the step); other (the average number of cores busy with processes other
than these two during the step, from /proc/stat: on a shared machine, figures taken while
"other" is high are pessimistic); health (the ASK after the step).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HEALTH_QUERY = "ASK { ?s ?p ?o }"
ACCEPT = "application/sparql-results+json"
HEALTH_TIMEOUT = 2.0
RUNAWAY_RATE = 50.0
RUNAWAY_EVERY = 5.0
RUNAWAY_BURST = 2
MAX_DURATION = 300.0
MAX_RATE = 5000.0


class NotLoopback(ValueError):
    """The target is not a loopback address."""


# --- target -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    host: str
    """The address connected to (a loopback IP)."""
    port: int
    host_header: str
    path: str
    """The SPARQL endpoint's path (/sparql below the URL's path)."""


def loopback_target(url: str) -> Target:
    """The SPARQL endpoint under `url`; NotLoopback unless its host is a loopback address."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise NotLoopback(f"only http:// URLs are accepted, not {url!r}")
    host = parts.hostname or ""
    if host == "localhost":
        address = "127.0.0.1"  # not resolved: the name cannot be pointed elsewhere
    else:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise NotLoopback(f"{host!r} is not a loopback address (127.0.0.0/8, ::1, localhost)") from None
        if not (ip.version == 4 and ip in ipaddress.ip_network("127.0.0.0/8")) and ip != ipaddress.ip_address("::1"):
            raise NotLoopback(f"{host!r} is not a loopback address (127.0.0.0/8, ::1, localhost)")
        address = str(ip)
    try:
        port = parts.port or 80
    except ValueError as error:
        raise NotLoopback(f"bad port in {url!r}: {error}") from None
    path = parts.path.rstrip("/")
    if not path.endswith("/sparql"):
        path += "/sparql"
    return Target(address, port, parts.netloc, path)


def form_post(target: Target, query: str, accept: str = ACCEPT) -> bytes:
    """A complete HTTP/1.1 request posting `query` as a form."""
    body = urlencode({"query": query}).encode("utf-8")
    head = (
        f"POST {target.path} HTTP/1.1\r\nHost: {target.host_header}\r\nUser-Agent: quanze-load\r\n"
        f"Accept: {accept}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


# --- a small HTTP/1.1 client (keep-alive, one request per connection at a time) -----------

class _Stale(ConnectionError):
    """A reused keep-alive connection was closed by the server before answering."""


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    line = await reader.readline()
    if not line:
        raise _Stale("connection closed before the status line")
    version, _, rest = line.partition(b" ")
    status = int(rest[:3])
    headers: dict[bytes, bytes] = {}
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n"):
            break
        if not header:
            raise asyncio.IncompleteReadError(b"", None)
        name, _, value = header.partition(b":")
        headers[name.strip().lower()] = value.strip()
    keep_alive = version == b"HTTP/1.1" and headers.get(b"connection", b"").lower() != b"close"
    if b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        body = await reader.read()
        keep_alive = False
    return status, body, keep_alive


class Client:
    """Keep-alive connections to one target; each exchange uses an idle one or opens one."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        for attempt in range(2):
            reused = bool(self.idle)
            if reused:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.target.host, self.target.port)
                self.opened += 1
            try:
                writer.write(request)
                await writer.drain()
                status, body, keep_alive = await _read_response(reader)
            except (_Stale, ConnectionResetError, BrokenPipeError):
                writer.close()
                if reused and attempt == 0:
                    continue  # the server closed an idle connection: retry once on a new one
                raise
            except BaseException:  # errors, and cancellation at the timeout
                writer.close()
                raise
            if keep_alive:
                self.idle.append((reader, writer))
            else:
                writer.close()
            return status, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


# --- figures ------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of `values` (any order); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


@dataclass
class Tally:
    """What happened to the requests of one stream in one step."""

    label: str
    rate: float
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    ok: list[float] = field(default_factory=list)
    """Latencies (s) of 2xx answers."""
    refused: list[float] = field(default_factory=list)
    """Latencies (s) of 503 answers."""
    errors: int = 0
    timeouts: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    """Other statuses and error kinds, counted."""
    lags: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    def record(self, status: int | None, latency: float, error: str | None = None) -> None:
        if error == "timeout":
            self.timeouts += 1
        elif error is not None:
            self.errors += 1
            self.statuses[error] = self.statuses.get(error, 0) + 1
        elif status is not None and 200 <= status < 300:
            self.ok.append(latency)
        elif status == 503:
            self.refused.append(latency)
        else:
            self.errors += 1
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1

    def summary(self) -> dict[str, object]:
        return {
            "scenario": self.label,
            "rate": self.rate,
            "planned": self.planned,
            "sent": self.sent,
            "skipped": self.skipped,
            "ok": len(self.ok),
            "status_503": len(self.refused),
            "p50_503_ms": _ms(statistics.median(self.refused)) if self.refused else None,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "other": dict(sorted(self.statuses.items())),
            "ok_per_s": round(len(self.ok) / self.elapsed, 1) if self.elapsed > 0 else None,
            "p50_ms": _ms(percentile(self.ok, 50)),
            "p95_ms": _ms(percentile(self.ok, 95)),
            "p99_ms": _ms(percentile(self.ok, 99)),
            "lag_p99_ms": _ms(percentile(self.lags, 99)),
            "elapsed_s": round(self.elapsed, 2),
        }


# --- the load -----------------------------------------------------------------------------

Schedule = list[tuple[float, bytes, Tally]]


def ordinary_schedule(target: Target, queries: list[str], rate: float, duration: float, tally: Tally) -> Schedule:
    """`rate` × `duration` requests, evenly spaced, cycling through `queries`."""
    payloads = [form_post(target, q) for q in queries]
    count = int(round(rate * duration))
    tally.planned += count
    return [(i / rate, payloads[i % len(payloads)], tally) for i in range(count)]


def runaway_schedule(target: Target, duration: float, tally: Tally) -> Schedule:
    """RUNAWAY_BURST runaway queries every RUNAWAY_EVERY seconds, from the start."""
    payload = form_post(target, RUNAWAY_QUERY)
    times = [k * RUNAWAY_EVERY for k in range(int(math.ceil(duration / RUNAWAY_EVERY)))]
    tally.planned += len(times) * RUNAWAY_BURST
    return [(t, payload, tally) for t in times for _ in range(RUNAWAY_BURST)]


async def _one(client: Client, payload: bytes, timeout: float, due: float, tally: Tally) -> None:
    loop = asyncio.get_running_loop()
    begin = loop.time()
    tally.lags.append(max(0.0, begin - due))
    try:
        status, _ = await asyncio.wait_for(client.exchange(payload), timeout)
    except asyncio.TimeoutError:
        tally.record(None, loop.time() - begin, "timeout")
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        tally.record(None, loop.time() - begin, type(error).__name__)
    else:
        tally.record(status, loop.time() - begin)


async def run_schedule(client: Client, schedule: Schedule, timeout: float, max_in_flight: int) -> float:
    """Send every request of `schedule` on time (open loop), wait for all; the seconds it took."""
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task] = set()
    start = loop.time()
    for offset, payload, tally in sorted(schedule, key=lambda item: item[0]):
        due = start + offset
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= max_in_flight:
            tally.skipped += 1
            continue
        tally.sent += 1
        task = loop.create_task(_one(client, payload, timeout, due, tally))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(set(tasks))  # each request ends by its own timeout
    elapsed = loop.time() - start
    for tally in {id(t): t for _, _, t in schedule}.values():
        tally.elapsed = elapsed
    return elapsed


async def health(target: Target, recover: float) -> dict[str, object]:
    """ASK within HEALTH_TIMEOUT on a new connection; if not, poll up to `recover` seconds."""
    loop = asyncio.get_running_loop()
    request = form_post(target, HEALTH_QUERY)
    start = loop.time()
    first: dict[str, object] | None = None
    while True:
        client = Client(target)
        begin = loop.time()
        try:
            status, body = await asyncio.wait_for(client.exchange(request), HEALTH_TIMEOUT)
            answer = f"HTTP {status}" if status != 200 else ("true" if b"true" in body else "false")
            ok = status == 200
        except asyncio.TimeoutError:
            answer, ok = f"no answer in {HEALTH_TIMEOUT:g} s", False
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            answer, ok = type(error).__name__, False
        finally:
            client.close()
        took = loop.time() - begin
        if first is None:
            first = {"ok": ok, "ms": _ms(took), "answer": answer, "recovered_after_s": 0.0 if ok else None}
            if ok or recover <= 0:
                return first
        elif ok:
            first["recovered_after_s"] = round(loop.time() - start, 1)
            return first
        if loop.time() - start >= recover:
            return first
        await asyncio.sleep(max(0.0, 0.5 - took))


# --- the server ---------------------------------------------------------------------------

def _cpu_of_group(pgid: int) -> float | None:
    """CPU seconds of the processes in group `pgid` (with their reaped children); Linux only."""
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "pid (comm)": state ppid pgrp …
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def _cpu_machine() -> float | None:
    """CPU seconds all processors have been busy since boot (/proc/stat); None off Linux."""
    try:
        with open("/proc/stat", "rb") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # guest time is inside user


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _quanze(explicit: str | None) -> str:
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "quanze"
    if beside.exists():
        return str(beside)
    found = shutil.which("quanze")
    if not found:
        raise SystemExit("load.py: no `quanze` command found; give --quanze or --url")
    return found


class Server:
    """`quanze --store DIR serve` on a free loopback port, in its own process group."""

    def __init__(self, quanze: str, store: Path, log: Path | None = None) -> None:
        if not store.is_dir():
            print(f"building the store at {store} …", file=sys.stderr)
            subprocess.run([quanze, "--store", str(store), "build", "--quiet"], check=True, stdout=subprocess.DEVNULL)
        self.port = _free_port()
        self.log = open(log, "w+b") if log else tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [quanze, "--store", str(store), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, seconds: float = 60.0) -> None:
        target = loopback_target(self.url)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"load.py: the server exited with status {self.process.returncode}: {self.stderr_tail()}")
            try:
                with socket.create_connection((target.host, target.port), timeout=1) as s:
                    s.sendall(form_post(target, HEALTH_QUERY))
                    if s.recv(12).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"load.py: the server did not answer within {seconds:g} s")

    def cpu(self) -> float | None:
        return _cpu_of_group(self.process.pid)

    def stderr_tail(self, lines: int = 3) -> str:
        self.log.seek(0)
        text = self.log.read().decode("utf-8", errors="replace").strip().splitlines()
        return " | ".join(text[-lines:])

    def stderr_lines(self) -> int:
        self.log.seek(0)
        return len(self.log.read().splitlines())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:  # the query workers and anything else the server left in its group
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()


# --- the run ------------------------------------------------------------------------------

def load_queries(directory: Path) -> list[str]:
    queries = [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.rq"))]
    if not queries:
        raise SystemExit(f"load.py: no *.rq queries in {directory}")
    return queries


async def run_step(
    target: Target, schedule: Schedule, tallies: list[Tally], *, timeout: float, max_in_flight: int,
    recover: float, server: Server | None,
) -> list[dict[str, object]]:
    client = Client(target)
    cpu0, srv0, all0 = _cpu_self(), server.cpu() if server else None, _cpu_machine()
    try:
        elapsed = await run_schedule(client, schedule, timeout, max_in_flight)
    finally:
        client.close()
    cpu1, srv1, all1 = _cpu_self(), server.cpu() if server else None, _cpu_machine()
    other = None
    if all0 is not None and all1 is not None and srv0 is not None and srv1 is not None and elapsed > 0:
        other = round(max(0.0, (all1 - all0) - (cpu1 - cpu0) - (srv1 - srv0)) / elapsed, 2)
    check = await health(target, recover)
    rows = []
    for tally in tallies:
        row = tally.summary()
        row["connections"] = client.opened
        row["gen_cpu_s"] = round(cpu1 - cpu0, 2)
        row["srv_cpu_s"] = round(srv1 - srv0, 2) if srv0 is not None and srv1 is not None else None
        row["other_cores"] = other
        row["health"] = check
        rows.append(row)
    return rows


def _fmt(value: object, width: int) -> str:
    if value is None:
        text = "-"
    elif isinstance(value, float):
        if value >= 100 or value.is_integer():
            text = f"{value:.0f}"
        elif value >= 1:
            text = f"{value:.1f}"
        else:
            text = f"{value:.2g}"
    else:
        text = str(value)
    return text.rjust(width)


COLUMNS = [
    ("rate", "rate", 5), ("sent", "sent", 5), ("skip", "skipped", 5), ("ok", "ok", 5), ("503", "status_503", 5),
    ("503p50", "p50_503_ms", 7), ("err", "errors", 4), ("t/o", "timeouts", 4), ("ok/s", "ok_per_s", 6),
    ("p50", "p50_ms", 7), ("p95", "p95_ms", 7), ("p99", "p99_ms", 7), ("lag99", "lag_p99_ms", 6),
    ("genCPU", "gen_cpu_s", 7), ("srvCPU", "srv_cpu_s", 7), ("other", "other_cores", 6),
]


def _health_text(check: dict[str, object]) -> str:
    if check["ok"]:
        return f"ok {check['ms']:.0f}ms"
    text = f"FAIL ({check['answer']})"
    if check.get("recovered_after_s") is not None:
        text += f", recovered after {check['recovered_after_s']} s"
    else:
        text += ", not recovered"
    return text


def table(rows: list[dict[str, object]]) -> str:
    lines = ["scenario".ljust(18) + " ".join(name.rjust(w) for name, _, w in COLUMNS) + "  health after"]
    for row in rows:
        cells = " ".join(_fmt(row[key], w) for _, key, w in COLUMNS)
        lines.append(str(row["scenario"]).ljust(18) + cells + "  " + _health_text(row["health"]))  # type: ignore[arg-type]
        if row["other"]:
            lines.append(" " * 18 + "  other: " + ", ".join(f"{k}×{v}" for k, v in row["other"].items()))  # type: ignore[union-attr]
    return "\n".join(lines)


def goals(rows: list[dict[str, object]]) -> list[str]:
    """The issue's goals, checked against the rows measured (only those the run covers)."""
    out = []
    clean = lambda r: r["ok"] == r["planned"] and not (r["skipped"] or r["status_503"] or r["errors"] or r["timeouts"])
    loads = [r for r in rows if str(r["scenario"]).startswith("load")]
    for row in loads:
        if row["rate"] == 200:
            met = clean(row) and row["p95_ms"] is not None and row["p95_ms"] < 250
            out.append(f"200 req/s held, p95 < 250 ms, no errors: {'MET' if met else 'NOT MET'} (p95 {row['p95_ms']} ms, ok {row['ok']}/{row['planned']})")
    if loads:
        top = max(loads, key=lambda r: r["rate"])
        if not clean(top):
            met = (
                top["status_503"] > 0 and top["p50_503_ms"] < 50 and not top["errors"] and not top["timeouts"]
                and not top["skipped"] and top["p95_ms"] is not None and top["p95_ms"] < 250
            )
            out.append(
                f"past capacity ({top['rate']:g} req/s): excess 503 in < 50 ms, admitted p95 < 250 ms: {'MET' if met else 'NOT MET'} "
                f"(503 ×{top['status_503']} median {top['p50_503_ms']} ms, ok p95 {top['p95_ms']} ms, err {top['errors']}, t/o {top['timeouts']})"
            )
    for row in rows:
        if row["scenario"] == "runaway: ordinary":
            met = row["p95_ms"] is not None and row["p95_ms"] < 500 and row["ok"] == row["planned"]
            out.append(f"runaway queries leave ordinary p95 < 500 ms: {'MET' if met else 'NOT MET'} (ordinary p95 {row['p95_ms']} ms, ok {row['ok']}/{row['planned']})")
    return out


def parse_rates(text: str) -> list[float]:
    rates = [float(x) for x in text.split(",") if x.strip()]
    if any(not (0 < r <= MAX_RATE) for r in rates):
        raise ValueError(f"rates must be in (0, {MAX_RATE:g}]")
    return rates


def _progress(args: argparse.Namespace, rows: list[dict[str, object]]) -> None:
    if not args.quiet:
        print("\n".join(table(rows).splitlines()[1:]), file=sys.stderr, flush=True)


async def main_async(args: argparse.Namespace, target: Target, server: Server | None) -> dict[str, object]:
    queries = load_queries(args.queries)
    rows: list[dict[str, object]] = []
    common = dict(timeout=args.timeout, max_in_flight=args.max_in_flight, recover=args.recover, server=server)
    for rate in args.rates:
        tally = Tally(f"load {rate:g}/s", rate)
        schedule = ordinary_schedule(target, queries, rate, args.duration, tally)
        rows += await run_step(target, schedule, [tally], **common)
        _progress(args, rows[-1:])
    if args.runaway:
        ordinary = Tally("runaway: ordinary", RUNAWAY_RATE)
        runaway = Tally("runaway: runaway", RUNAWAY_BURST / RUNAWAY_EVERY)
        schedule = ordinary_schedule(target, queries, RUNAWAY_RATE, args.duration, ordinary)
        schedule += runaway_schedule(target, args.duration, runaway)
        rows += await run_step(target, schedule, [ordinary, runaway], **common)
        _progress(args, rows[-2:])
    return {"rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--url", help="the server (loopback only), e.g. http://127.0.0.1:8000; default: start one")
    parser.add_argument("--store", type=Path, default=Path("/tmp/lb-store"), help="store for the server started (default /tmp/lb-store; built if missing)")
    parser.add_argument("--server-log", type=Path, help="write the started server's stderr to this file (default: a temporary file)")
    parser.add_argument("--quanze", help="the quanze command (default: the one beside this Python, else on PATH)")
    parser.add_argument("--rates", default="50,100,200,400", help="offered rates in req/s, comma-separated ('' for none)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per rate (default 10)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    parser.add_argument("--max-in-flight", type=int, default=2000, help="bound on open requests (default 2000)")
    parser.add_argument("--recover", type=float, default=10.0, help="after a failed health check, poll up to this many seconds (default 10)")
    parser.add_argument("--runaway", action="store_true", help="add the runaway scenario (50 req/s + 2 runaway queries every 5 s)")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries", help="directory of *.rq (default queries/)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    try:
        target = loopback_target(args.url) if args.url else None
        args.rates = parse_rates(args.rates)
        if not (0 < args.duration <= MAX_DURATION) or not (0 < args.timeout <= 120) or args.max_in_flight < 1 or not (0 <= args.recover <= 300):
            raise ValueError(f"--duration in (0, {MAX_DURATION:g}], --timeout in (0, 120], --max-in-flight ≥ 1, --recover in [0, 300]")
    except ValueError as error:
        print(f"load.py: {error}", file=sys.stderr)
        return 2
    server = None
    cpu0, wall0 = _cpu_self(), time.monotonic()
    try:
        if target is None:
            server = Server(_quanze(args.quanze), args.store, args.server_log)
            server.wait_ready()
            target = loopback_target(server.url)
        result = asyncio.run(main_async(args, target, server))
    finally:
        if server is not None:
            server.stop()
    result["generator_cpu_s"] = round(_cpu_self() - cpu0, 2)
    result["wall_s"] = round(time.monotonic() - wall0, 1)
    result["cores"] = os.cpu_count()
    result["goals"] = goals(result["rows"])  # type: ignore[arg-type]
    if server is not None:
        result["server_stderr_lines"] = server.stderr_lines()
        tail = server.stderr_tail()
        server.log.close()
    print(table(result["rows"]))  # type: ignore[arg-type]
    print(f"\ngenerator CPU {result['generator_cpu_s']} s over {result['wall_s']} s wall, {result['cores']} cores; "
          f"latencies in ms; timeout {args.timeout:g} s, max in flight {args.max_in_flight}")
    if server is not None and result["server_stderr_lines"]:
        print(f"the server wrote {result['server_stderr_lines']} lines on stderr; last: {tail}")
    for line in result["goals"]:  # type: ignore[union-attr]
        print("goal: " + line)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
