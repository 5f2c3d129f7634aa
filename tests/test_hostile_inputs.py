"""`quanze validate FILE` on hostile input: it must end, within 30 s and 1 GiB, with exit 0, 1 or 2,
exit 2 with exactly one line on stderr, never a Python traceback, and never a network connection.

The product is driven only through its console script, one process per file, each under
RLIMIT_AS = 1 GiB and a 30 s wall clock (the whole process group is killed after that). Every
case has its own loopback listener (127.0.0.1, never accepted from: a connection that reaches
it waits in the backlog and is counted afterwards). The cases of tests/hostile_corpus.py run two
at a time (HOSTILE_WORKERS to change it); set HOSTILE_SUMMARY=FILE to get every outcome as JSON.
The five cases of hundreds of megabytes are marked `slow` (`-m "not slow"` leaves them out);
HOSTILE_EXAMPLES sets the number of examples of each hypothesis property (12).

Failing cases are the product's work list: none is marked xfail or skipped.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.hostile_corpus import CASES, HEADER, PENALTY, Case, register_csv, register_xlsx

QUANZE = Path(sys.executable).parent / "quanze"
TIMEOUT = 30.0
MEMORY = 1 << 30
WORKERS = int(os.environ.get("HOSTILE_WORKERS", min(2, os.cpu_count() or 1)))
KEEP = 64 * 1024 * 1024
"""At most this much of stdout and of stderr is read back."""


def _limits() -> None:  # runs in the child between fork and exec; this process has no threads
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _environment(home: Path) -> dict[str, str]:
    """The caller's environment without proxies (a fetch must go, and be seen, on loopback),
    with the store moved out of the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(no_proxy="*", NO_PROXY="*", QUANZE_STORE=str(home / "store"), PYTHONUNBUFFERED="1")
    return env


class Listener:
    """A loopback TCP socket that is listened on but never accepted from."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.setblocking(False)
        self.port = self.socket.getsockname()[1]

    def close(self) -> int:
        """Close, and return how many connections arrived."""
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except (BlockingIOError, OSError):
                break
            connection.close()
            count += 1
        self.socket.close()
        return count


@dataclass
class Outcome:
    id: str
    argv: list[str]
    returncode: int | None
    """None when killed for the timeout; negative: killed by that signal."""
    seconds: float
    max_rss_mib: float
    timed_out: bool
    connections: int
    stdout: str
    stderr: str

    @property
    def first_stderr_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[0][:300] if lines else ""

    @property
    def traceback_line(self) -> str:
        """The exception line ending a traceback, if there is one."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        if "Traceback" not in self.stderr:
            return ""
        return lines[-1][:300]


class Run:
    """One `quanze validate` process of a case: started, polled, finished."""

    def __init__(self, case: Case, home: Path, program: list[str] | None = None, timeout: float = TIMEOUT) -> None:
        """`program`: run it with the listener's port as its last argument instead of `quanze validate`."""
        self.case = case
        self.home = home
        self.timeout = timeout
        self.listener = Listener()
        folder = home / "in"
        folder.mkdir()
        self.path = case.make(folder, self.listener.port)
        if program:
            cwd, self.argv = home, [*program, str(self.listener.port)]
        elif case.argv == "bare":
            cwd, self.argv = self.path.parent, [str(QUANZE), "validate", self.path.name]
        elif case.argv == "dashdash":
            cwd, self.argv = self.path.parent, [str(QUANZE), "validate", "--", self.path.name]
        else:
            cwd, self.argv = home, [str(QUANZE), "validate", str(self.path)]
        self.out = (home / "stdout").open("w+b")
        self.err = (home / "stderr").open("w+b")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            self.argv,
            cwd=cwd,
            env=_environment(home),
            stdin=subprocess.DEVNULL,
            stdout=self.out,
            stderr=self.err,
            preexec_fn=_limits,
            start_new_session=True,
        )
        self.timed_out = False
        self.rusage: resource.struct_rusage | None = None

    def poll(self) -> bool:
        """True once the process has ended (killing it at the timeout)."""
        pid, status, rusage = os.wait4(self.process.pid, os.WNOHANG)
        if pid == 0:
            if time.monotonic() - self.started <= self.timeout:
                return False
            self.timed_out = True
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: the process and anything it started
            pid, status, rusage = os.wait4(self.process.pid, 0)
        self.seconds = time.monotonic() - self.started
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.rusage = rusage
        return True

    def finish(self) -> Outcome:
        def read(handle) -> str:
            handle.seek(0)
            data = handle.read(KEEP)
            handle.close()
            return data.decode("utf-8", errors="replace")

        outcome = Outcome(
            id=self.case.id,
            argv=self.argv[1:],
            returncode=None if self.timed_out else self.process.returncode,
            seconds=round(self.seconds, 2),
            max_rss_mib=round((self.rusage.ru_maxrss if self.rusage else 0) / 1024, 1),
            timed_out=self.timed_out,
            connections=self.listener.close(),
            stdout=read(self.out),
            stderr=read(self.err),
        )
        shutil.rmtree(self.home, ignore_errors=True)  # the big inputs go at once
        return outcome


def run_cases(cases: list[Case], base: Path, workers: int = WORKERS) -> dict[str, Outcome | BaseException]:
    """Outcomes of the cases, `workers` processes at a time; a case whose file could not be
    made gets the exception instead."""
    pending = list(cases)
    running: list[Run] = []
    done: dict[str, Outcome | BaseException] = {}
    while pending or running:
        while pending and len(running) < workers:
            case = pending.pop(0)
            home = Path(tempfile.mkdtemp(prefix=f"{case.id}-", dir=base))
            try:
                running.append(Run(case, home))
            except Exception as error:  # a broken generator fails its own test, not the batch
                done[case.id] = error
                shutil.rmtree(home, ignore_errors=True)
        for run in [r for r in running if r.poll()]:
            running.remove(run)
            done[run.case.id] = run.finish()
        time.sleep(0.05)
    return done


def problems(case: Case, outcome: Outcome) -> list[str]:
    """Everything wrong with an outcome; empty when the product behaved."""
    found = []
    rc = outcome.returncode
    if outcome.timed_out:
        found.append(f"timeout: still running after {outcome.seconds:.0f} s (killed)")
    elif rc is not None and rc < 0:
        found.append(f"killed by signal {signal.Signals(-rc).name} (max RSS {outcome.max_rss_mib} MiB)")
    elif rc not in (0, 1, 2):
        found.append(f"exit {rc}, not 0/1/2")
    elif rc not in case.expect:
        found.append(f"exit {rc}, expected {'/'.join(map(str, sorted(case.expect)))}")
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        found.append(f"traceback: {outcome.traceback_line or 'in stdout'}")
    if rc == 2:
        lines = outcome.stderr.splitlines()
        if len(lines) != 1 or not lines[0].strip() or not outcome.stderr.endswith("\n"):
            found.append(f"exit 2 with {len(lines)} stderr lines, not one")
        if case.message and not re.search(case.message, outcome.stderr):
            found.append(f"exit 2 message does not match {case.message!r}")
    for text in case.forbidden:
        if text in outcome.stdout or text in outcome.stderr:
            found.append(f"output contains {text!r}")
    if outcome.connections:
        found.append(f"{outcome.connections} connection(s) to the loopback listener")
    return found


def describe(outcome: Outcome, found: list[str]) -> str:
    return "; ".join(found) + f"\n  argv: {outcome.argv}\n  exit {outcome.returncode} after {outcome.seconds} s, max RSS {outcome.max_rss_mib} MiB\n  stderr: {outcome.first_stderr_line!r}"


# --- the corpus --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome | BaseException]:
    """Runs the corpus cases selected in this session, all at once, in parallel."""
    wanted = {
        item.callspec.params["case"].id
        for item in request.session.items
        if getattr(item, "callspec", None) and isinstance(item.callspec.params.get("case"), Case)
    }
    results = run_cases([c for c in CASES if c.id in wanted], tmp_path_factory.mktemp("hostile"))
    summary = os.environ.get("HOSTILE_SUMMARY")
    if summary:
        rows = []
        for case in CASES:
            outcome = results.get(case.id)
            if isinstance(outcome, Outcome):
                data = asdict(outcome) | {"problems": problems(case, outcome), "first_stderr_line": outcome.first_stderr_line}
                data.update(stdout=outcome.stdout[:500], stderr=outcome.stderr[-2000:], description=case.description)
                rows.append(data)
            elif outcome is not None:
                rows.append({"id": case.id, "problems": [f"generator failed: {outcome!r}"]})
        Path(summary).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return results


def test_corpus_is_large_and_ids_are_unique():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert all(c.description and c.expect <= {0, 1, 2} and c.expect for c in CASES)


@pytest.mark.parametrize("case", [pytest.param(c, marks=[pytest.mark.slow] if c.slow else [], id=c.id) for c in CASES])
def test_hostile_input(case: Case, outcomes: dict[str, Outcome | BaseException]):
    outcome = outcomes[case.id]
    if isinstance(outcome, BaseException):
        raise outcome
    found = problems(case, outcome)
    assert not found, f"{case.id} ({case.description}): " + describe(outcome, found)


# --- the checker itself must be able to fail ----------------------------------------------------


def test_checker_sees_connections_timeouts_and_tracebacks(tmp_path):
    """The harness, pointed at a stand-in for the product, reports each kind of failure."""
    script = tmp_path / "fake.py"
    script.write_text(
        "import socket, sys, time\n"
        "mode, port = sys.argv[1], int(sys.argv[2])\n"
        "if mode == 'connect': socket.create_connection(('127.0.0.1', port)).close()\n"
        "if mode == 'sleep': time.sleep(60)\n"
        "if mode == 'raise': raise ValueError('boom')\n"
        "if mode == 'lines': print('a\\nb', file=sys.stderr); sys.exit(2)\n"
        "if mode == 'memory': x = bytearray(2 << 30)\n"
        "if mode == 'fine': print('ok')\n"
    )
    found = {}
    for mode in ["connect", "sleep", "raise", "lines", "memory", "fine"]:
        case = Case(f"fake-{mode}", mode, lambda d, port: d, expect=frozenset({0}))
        home = tmp_path / mode
        home.mkdir()
        run = Run(case, home, program=[sys.executable, str(script), mode], timeout=3.0)
        while not run.poll():
            time.sleep(0.05)
        found[mode] = " ".join(problems(case, run.finish()))
    assert "connection" in found["connect"]
    assert "timeout" in found["sleep"]
    assert "traceback: ValueError: boom" in found["raise"]
    assert "2 stderr lines" in found["lines"] and "exit 2, expected 0" in found["lines"]
    assert "MemoryError" in found["memory"]
    assert found["fine"] == ""


# --- property: random bytes and random CSV-ish text -----------------------------------------------

SUFFIXES = [".csv", ".tsv", ".txt", ".xlsx", ".ttl", ".jsonld", ".rdf"]
PIECES = [*HEADER, *PENALTY[1:6], "行政处罚", "行政给付", "高", "中", "低", "第八十七条", "《", "》", "\ufeff", "\u202e", "\u200b", "�"]
SEPARATORS = [",", "\t", ";", "，", '"', '""', "\n", "\r\n", "\r", " ", "\x00", "\\"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))

_property = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a process of about a second
    suppress_health_check=list(HealthCheck),
)


def _check_one(tmp_path: Path, name: str, content: bytes, expect: frozenset[int] = frozenset({0, 1, 2})) -> None:
    def make(d: Path, port: int) -> Path:
        (d / name).write_bytes(content)  # (write_bytes returns the byte count, not the path)
        return d / name

    case = Case(f"property-{name}", "generated", make, expect=expect)
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    outcome = run_cases([case], base, workers=1)[case.id]
    if isinstance(outcome, BaseException):
        raise outcome
    found = problems(case, outcome)
    assert not found, f"{name} ({len(content)} bytes, {content[:120]!r}…): " + describe(outcome, found)


MAGIC = [b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<?xml version='1.0'?>", b"@prefix : <urn:x:> .", b"{\"@context\": ", "序号,事项名称".encode()]


@_property
@given(magic=st.sampled_from(MAGIC), content=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(tmp_path_factory, magic: bytes, content: bytes, suffix: str):
    _check_one(tmp_path_factory.mktemp("bytes"), f"random{suffix}", magic + content)


@lru_cache(maxsize=None)
def _good(suffix: str) -> bytes:
    """A well-formed register (the corpus's control) as bytes."""
    if suffix == ".xlsx":
        buffer = io.BytesIO()
        register_xlsx(buffer)  # type: ignore[arg-type]
        return buffer.getvalue()
    return register_csv().encode()


edits = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(max_size=8), st.integers(0, 16)), min_size=1, max_size=6)


@_property
@given(suffix=st.sampled_from([".csv", ".xlsx"]), changes=edits, keep=st.floats(0.05, 1))
def test_damaged_register(tmp_path_factory, suffix: str, changes: list[tuple[float, bytes, int]], keep: float):
    """A good CSV or XLSX register with bytes replaced, inserted and deleted, and maybe cut short."""
    data = bytearray(_good(suffix))
    for where, insert, delete in changes:
        at = int(where * len(data))
        data[at : at + delete] = insert
    content = bytes(data[: max(1, int(len(data) * keep))] if keep < 0.9 else data)
    _check_one(tmp_path_factory.mktemp("damaged"), f"damaged{suffix}", content)


csvish = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(SEPARATORS), st.text(max_size=8)), max_size=120)


@_property
@given(
    header=st.lists(st.sampled_from(HEADER), min_size=1, max_size=len(HEADER), unique=True),
    body=csvish,
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from([",", "\t", ";"]),
    suffix=st.sampled_from([".csv", ".tsv", ".txt"]),
)
def test_random_register_text(tmp_path_factory, header: list[str], body: list[str], encoding: str, delimiter: str, suffix: str):
    text = delimiter.join(header) + "\n" + "".join(body)
    content = text.encode(encoding, errors="replace")
    _check_one(tmp_path_factory.mktemp("text"), f"register{suffix}", content)
