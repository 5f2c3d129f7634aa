"""A throw-away Virtuoso server for tests and benchmarks, bound to 127.0.0.1 only.

    with running_virtuoso(tmp_path) as server:
        server.load(Path("dataset.nq"))             # N-Quads (or TriG, Turtle) into its named graphs
        server.query("SELECT ...")                  # SPARQL 1.1 Protocol, JSON results
        server.update("INSERT DATA { ... }")        # through the authenticated endpoint
        server.drop_graph("https://w3id.org/quanze/id/graph/register/x")

The server runs from the Debian package virtuoso-opensource (`virtuoso-t`, `isql-vt`). Its
database, logs and configuration live in a fresh directory; both its SQL port (for isql) and
its HTTP port (SPARQL) are free ports on 127.0.0.1 and nothing else is opened (no Unix socket,
no zero-config announcement). The DBA password is random per server. Loading goes through the
bulk loader (`ld_dir` + `rdf_loader_run`), which reads the file on the server side: the file is
linked (or copied) into the server's directory, the only one it may read.

Standard library only, so that benchmarks and the product's own tests can use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SERVER_NAMES = ("virtuoso-t",)
ISQL_NAMES = ("isql-vt", "isql-v")  # Debian's name; upstream builds install isql-v (isql is unixODBC's)


class VirtuosoError(RuntimeError):
    """The server would not start, or a statement failed."""


def virtuoso_binaries() -> tuple[str, str] | None:
    """Paths of the server and of its isql client, or None when Virtuoso is not installed."""
    server = next((p for p in map(shutil.which, SERVER_NAMES) if p), None)
    isql = next((p for p in map(shutil.which, ISQL_NAMES) if p), None)
    return (server, isql) if server and isql else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config(directory: Path, sql_port: int, http_port: int, buffers: int) -> str:
    """virtuoso.ini for a private server in `directory`, listening on loopback only."""
    d = directory
    return f"""\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort                 = 127.0.0.1:{sql_port}
DisableUnixSocket          = 1
DisableTcpSocket           = 0
MaxClientConnections       = 10
CheckpointInterval         = 60
O_DIRECT                   = 0
CaseMode                   = 2
MaxStaticCursorRows        = 5000
AllowOSCalls               = 0
DirsAllowed                = {d}/load
ThreadCleanupInterval      = 0
ThreadThreshold            = 10
ResourcesCleanupInterval   = 0
FreeTextBatchSize          = 100000
SingleCPU                  = 0
PrefixResultNames          = 0
RdfFreeTextRulesSize       = 100
IndexTreeMaps              = 64
MaxQueryMem                = 1G
VectorSize                 = 1000
MaxVectorSize              = 1000000
AdjustVectorSize           = 0
ThreadsPerQuery            = 4
AsyncQueueMaxThreads       = 10
NumberOfBuffers            = {buffers}
MaxDirtyBuffers            = {buffers * 3 // 4}

[HTTPServer]
ServerPort                 = 127.0.0.1:{http_port}
ServerRoot                 = {d}/www
MaxClientConnections       = 10
DavRoot                    = DAV
EnabledDavVSP              = 0
HTTPProxyEnabled           = 0
TempASPXDir                = 0
ServerThreads              = 10
MaxKeepAlives              = 10
KeepAliveTimeout           = 10
HTTPThreadSize             = 280000
HttpPrintWarningsInOutput  = 0
Charset                    = UTF-8
EnabledGzipContent         = 0

[Client]
SQL_PREFETCH_ROWS          = 100
SQL_PREFETCH_BYTES         = 16000
SQL_QUERY_TIMEOUT          = 0
SQL_TXN_TIMEOUT            = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
DefaultQuery               = SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}
"""


@dataclass
class VirtuosoServer:
    directory: Path
    sql_port: int
    http_port: int
    password: str
    isql_binary: str
    process: subprocess.Popen | None = None
    user: str = "dba"
    loaded: list[Path] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """SPARQL 1.1 Protocol endpoint, anonymous and read-only (updates are refused)."""
        return self.base_url + "/sparql"

    @property
    def update_url(self) -> str:
        """SPARQL endpoint for queries and updates, HTTP digest authentication as the DBA."""
        return self.base_url + "/sparql-auth"

    @property
    def gsp_url(self) -> str:
        """SPARQL 1.1 Graph Store Protocol (`?graph-uri=`), digest authentication; triples only."""
        return self.base_url + "/sparql-graph-crud-auth"

    @property
    def isql_port(self) -> int:
        return self.sql_port

    # --- SQL ----------------------------------------------------------------------------------

    def isql(self, sql: str, timeout: float = 600) -> str:
        """Run SQL statements (each ending with ';') through isql; their output. Raises on any error."""
        done = subprocess.run(
            [self.isql_binary, f"127.0.0.1:{self.sql_port}", self.user, self.password,
             "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", f"exec={sql}"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        # isql exits 0 even when a statement fails: errors are only visible on stderr
        if done.returncode != 0 or "*** Error" in done.stderr:
            raise VirtuosoError(f"isql failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    # --- loading and deleting -----------------------------------------------------------------

    def load(self, path: Path, graph: str = "urn:quanze:default", loaders: int = 1) -> int:
        """Bulk-load an RDF file (.nq, .trig, .ttl, .nt; .gz too) into the store; quads loaded.

        Quads go to their own named graph; triples (Turtle, N-Triples) into `graph`. Returns the
        change of the store's quad count, so a reload of the same data returns 0. With
        `loaders` > 1 an N-Quads file is split by graph into several files that as many bulk
        loaders read in parallel (one per core is best; see bench/virtuoso_notes.md).
        """
        path = Path(path).resolve()
        batch = self.directory / "load" / f"batch{len(self.loaded)}"
        batch.mkdir()
        self.loaded.append(batch)
        try:
            if not (loaders > 1 and path.suffix == ".nq" and split_nquads(path, batch, loaders * 8)):
                try:
                    os.link(path, batch / path.name)
                except OSError:
                    shutil.copyfile(path, batch / path.name)
            before = self.quad_count()
            sql_dir = str(batch).replace("'", "''")
            self.isql(f"ld_dir('{sql_dir}', '*', '{graph}');")
            helpers = [
                subprocess.Popen([self.isql_binary, f"127.0.0.1:{self.sql_port}", self.user, self.password,
                                  "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "exec=rdf_loader_run();"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                for _ in range(max(1, loaders) - 1)
            ]
            self.isql("rdf_loader_run();")
            failed = [h.communicate()[1] for h in helpers]
            self.isql("checkpoint;")
            errors = self.isql(
                "select ll_file, ll_error from DB.DBA.load_list "
                f"where ll_error is not null and ll_file like '{sql_dir}/%';"
            ).strip()
            errors += "".join(e for e in failed if "*** Error" in e)
            if errors:
                raise VirtuosoError(f"bulk load of {path.name} failed: {errors}")
            return self.quad_count() - before
        finally:
            shutil.rmtree(batch, ignore_errors=True)

    def quad_count(self) -> int:
        out = self.isql("select count(*) from DB.DBA.RDF_QUAD;")
        return int(out.split()[0])

    def drop_graph(self, iri: str) -> None:
        """Delete a named graph and all its quads (no error if it does not exist)."""
        self.isql(f"SPARQL CLEAR GRAPH <{iri}>;")

    # --- HTTP ---------------------------------------------------------------------------------

    def _opener(self) -> urllib.request.OpenerDirector:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.base_url, self.user, self.password)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))

    def query(self, sparql: str, accept: str = "application/sparql-results+json", timeout: float = 60):
        """Run a query through the anonymous endpoint: parsed JSON for JSON results, else text."""
        body = urllib.parse.urlencode({"query": sparql}).encode()
        request = urllib.request.Request(
            self.query_url, data=body, method="POST",
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise VirtuosoError(_http_error(error)) from None
        return json.loads(text) if "json" in accept else text

    def update(self, sparql: str, timeout: float = 120) -> str:
        """Run a SPARQL update through the authenticated endpoint."""
        body = urllib.parse.urlencode({"update": sparql}).encode()
        request = urllib.request.Request(
            self.update_url, data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with self._opener().open(request, timeout=timeout) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise VirtuosoError(_http_error(error)) from None

    def put_graph(self, iri: str, turtle: bytes, timeout: float = 600) -> int:
        """Replace a graph's content by Turtle / N-Triples through the Graph Store Protocol.

        The digest challenge is fetched first and answered up front: sent without it, a large
        body meets the 401 with a closed connection (a broken pipe), so urllib never retries.
        """
        url = self.gsp_url + "?" + urllib.parse.urlencode({"graph-uri": iri})
        request = urllib.request.Request(url, data=turtle, method="PUT", headers={
            "Content-Type": "text/turtle", "Authorization": self._digest("PUT", url)})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            raise VirtuosoError(_http_error(error)) from None

    def _digest(self, method: str, url: str) -> str:
        """An HTTP Digest (RFC 7616, MD5, qop=auth) Authorization header for one request to `url`."""
        try:
            urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30).close()
            raise VirtuosoError(f"{url} asked for no authentication")
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "")
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge.removeprefix("Digest ")))
        path = urllib.parse.urlsplit(url)
        uri = path.path + ("?" + path.query if path.query else "")
        cnonce, count = secrets.token_hex(8), "00000001"

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - what HTTP Digest uses

        ha1 = md5(f"{self.user}:{fields['realm']}:{self.password}")
        ha2 = md5(f"{method}:{uri}")
        response = md5(f"{ha1}:{fields['nonce']}:{count}:{cnonce}:auth:{ha2}")
        opaque = f', opaque="{fields["opaque"]}"' if "opaque" in fields else ""
        return (f'Digest username="{self.user}", realm="{fields["realm"]}", nonce="{fields["nonce"]}", '
                f'uri="{uri}", algorithm=MD5, qop=auth, nc={count}, cnonce="{cnonce}", '
                f'response="{response}"{opaque}')

    # --- life cycle ---------------------------------------------------------------------------

    def ready(self) -> bool:
        try:
            self.query("ASK { }", timeout=5)
            return True
        except (OSError, VirtuosoError):
            return False

    def stop(self, timeout: float = 60) -> None:
        """Shut the server down cleanly (checkpoint, then exit); kill it if it will not."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            # `shutdown` checkpoints and exits; the connection drops, so isql may report an error
            subprocess.run([self.isql_binary, f"127.0.0.1:{self.sql_port}", self.user, self.password,
                            "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "exec=shutdown;"],
                           capture_output=True, timeout=timeout, check=False)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_virtuoso(directory: Path, buffers: int = 20000, startup_timeout: float = 120) -> VirtuosoServer:
    """Start a fresh server whose files live in `directory`; returns once SPARQL answers.

    `buffers` is NumberOfBuffers (8 KiB pages of cache): 20000 is about 160 MB; for loading
    millions of quads give it more (Virtuoso's advice: two thirds of free memory).
    """
    binaries = virtuoso_binaries()
    if binaries is None:
        raise VirtuosoError("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    server_binary, isql_binary = binaries
    directory = Path(directory).resolve()
    for attempt in range(3):  # a free port can be taken between our probe and the server's bind
        (directory / "load").mkdir(parents=True, exist_ok=True)
        (directory / "www").mkdir(exist_ok=True)
        sql_port, http_port = free_port(), free_port()
        if sql_port == http_port:
            continue
        ini = directory / "virtuoso.ini"
        ini.write_text(config(directory, sql_port, http_port, buffers), encoding="utf-8")
        log = (directory / "server.out").open("ab")
        process = subprocess.Popen(
            [server_binary, "+foreground", "+configfile", str(ini)],
            cwd=directory, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the test runner does not reach the server first
            preexec_fn=_die_with_parent,
        )
        log.close()
        server = VirtuosoServer(directory, sql_port, http_port, "dba", isql_binary, process)
        try:
            deadline = time.monotonic() + startup_timeout
            while time.monotonic() < deadline and process.poll() is None and not server.ready():
                time.sleep(0.2)
            if process.poll() is None and server.ready():
                password = "q" + secrets.token_hex(12)  # an identifier: a leading digit is a syntax error
                server.isql(f"set password dba {password};")
                server.password = password
                return server
        except BaseException:
            server.stop(timeout=10)
            raise
        if process.poll() is None:
            server.stop(timeout=10)
        if attempt == 2 or "in use" not in _log_tail(directory):
            raise VirtuosoError(f"Virtuoso did not start: {_log_tail(directory)}")
        for name in ("virtuoso.db", "virtuoso.trx", "virtuoso.lck", "virtuoso-temp.db", "virtuoso-temp.trx"):
            (directory / name).unlink(missing_ok=True)
    raise VirtuosoError("Virtuoso did not start: no two free ports")


# one N-Quads term: IRI, blank node, or literal with its language tag or datatype
_TERM = re.compile(rb'<[^>]*>|_:[^\s]+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?')


def split_nquads(path: Path, directory: Path, files: int) -> bool:
    """Split an N-Quads file into `files` files by graph (all of a graph's quads in one file).

    Blank node labels are local to a file for the bulk loader, so the split is refused (False,
    nothing left behind) when a blank node occurs in more than one graph.
    """
    outputs = [(directory / f"part{n:03d}.nq").open("wb") for n in range(files)]
    graph_of_blank: dict[bytes, bytes] = {}
    crossing = False
    try:
        with path.open("rb") as source:
            for line in source:
                terms = _TERM.findall(line)
                if len(terms) < 3:
                    continue  # blank line or comment
                graph = terms[3] if len(terms) > 3 else b""
                for term in (terms[0], terms[2]):
                    if term.startswith(b"_:") and graph_of_blank.setdefault(term, graph) != graph:
                        crossing = True
                        break
                if crossing:
                    break
                outputs[zlib.crc32(graph) % files].write(line)
    finally:
        for output in outputs:
            output.close()
    if crossing:
        for output in outputs:
            Path(output.name).unlink()
    else:
        for output in outputs:
            if Path(output.name).stat().st_size == 0:
                Path(output.name).unlink()
    return not crossing


def _die_with_parent() -> None:
    """In the child before exec: have Linux send it SIGTERM when the process that started it dies,
    so that a test run killed outright leaves no server behind (no-op elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _http_error(error: urllib.error.HTTPError) -> str:
    """Status and Virtuoso's message; it echoes the whole query after the message, which is cut."""
    text = error.read().decode("utf-8", "replace").strip()
    return f"{error.code}: {text.split(chr(10) + 'SPARQL query:')[0][:1000]}"


def _log_tail(directory: Path) -> str:
    texts = []
    for name in ("virtuoso.log", "server.out"):
        path = directory / name
        if path.exists():
            texts.append(path.read_text(encoding="utf-8", errors="replace")[-1500:])
    return "\n".join(texts).strip()


@contextmanager
def running_virtuoso(directory: Path, buffers: int = 20000) -> Iterator[VirtuosoServer]:
    """A fresh server in `directory` (e.g. pytest's tmp_path), stopped on exit, whatever happens."""
    server = start_virtuoso(Path(directory) / "virtuoso", buffers=buffers)
    try:
        yield server
    finally:
        server.stop()
