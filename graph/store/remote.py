"""A SPARQL 1.1 server as the store (Virtuoso, Fuseki …): `--store sparql+http://HOST:PORT/PATH`.

`RemoteStore` offers the part of pyoxigraph.Store's API the commands use — `query` (answers
are pyoxigraph's own result objects, parsed from the engine's SPARQL XML results or
N-Triples), `named_graphs`, `contains_named_graph`, `quads_for_pattern`, `dump`, iteration —
so `registers`, `diff`, `query`, `export`, `compare`, `analyze`, `law` and `validate --store`
run unchanged on it. Writes go through the SPARQL 1.1 Update endpoint and the Graph Store
Protocol:

- `write_dataset` (build): every graph is loaded under a fresh staging name, the counts are
  checked, the current-facts graph is assembled from the staged graphs on the server, and
  only then is each staged graph moved over its real name (`MOVE`) and graphs the new build
  no longer has are dropped. A failure before the switch drops the staging graphs and leaves
  the previous data as it was.
- `updating` (add, remove): the graphs of the jurisdictions concerned are copied into an
  in-memory pyoxigraph store, `registers.apply` changes that copy exactly as it changes the
  embedded store, and the differences go back graph by graph (GSP `PUT` for a register's
  graphs, `INSERT DATA` / `DELETE DATA` for the shared ones), with the current-facts graph
  kept in step on the server.

**The default graph.** Quanze's default graph holds the current facts. A SPARQL server's
default graph is engine-defined (Virtuoso's is the union of every graph, its own system
graphs included), so the current facts are kept in one named graph, `CURRENT_GRAPH`, and
every query is sent with `default-graph-uri` naming it. A query that says GRAPH also carries
`named-graph-uri` for each of Quanze's graphs (read from the catalogue), so `GRAPH ?g` sees
what it sees on the embedded store: not the current-facts graph, not the engine's own graphs.
(Virtuoso's `DEFINE input:named-graph-exclude` would also take the graph out of the default
graph, so the standard protocol parameters are used.) The register catalogue and superseded versions stay
out of the current graph, as in the embedded store.

**Variable names.** Virtuoso refuses non-ASCII variable names; queries are sent with them
renamed (`quanze.graph.query.variables`) and the answers name them back.

**What a remote engine cannot give.** The embedded store switches a build with one atomic
rename; a remote build's switch is a series of update requests (`MOVE` per graph, batched),
so a reader querying during the switch (seconds) can see some graphs of the old build and
some of the new; a failure during the switch leaves a mix that the next build repairs. An
`add` writes a jurisdiction's graphs one by one in the same way. Nothing stops two writers
from writing at the same time: run one build or add at a time.

Credentials come from the environment (QUANZE_STORE_USER, QUANZE_STORE_PASSWORD), never from
the URL or the command line; every request has a bounded timeout; errors are one line.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from quanze.graph.map.catalogue import CATALOGUE_GRAPH
from quanze.graph.namespaces import ID
from quanze.graph.query.guard import RefusedQuery, check_text
from quanze.graph.query.terms import term
from quanze.graph.query.variables import ascii_variables, tokens
from quanze.graph.store.oxigraph import QueryError, StoreError

SCHEMES = ("sparql+http://", "sparql+https://")
CURRENT_GRAPH = str(ID["graph/current"])
"""The named graph that holds the current facts: the default graph of every query sent."""
STAGING = "urn:quanze:staging:"
"""Prefix of the graphs a build writes before it switches them in."""
QUANZE_GRAPHS = str(ID["graph/"])
MAX_QUERY_TEXT = 10 * 1024 * 1024
GRAPH_LIST_SECONDS = 5.0
SHARED_GRAPHS = tuple(str(ID[f"graph/{name}"]) for name in ("ontology", "statutes", "jurisdictions", "canonical", "alignment", "registers"))
_XML_NAME = re.compile(rb'<(variable|binding) name="([^"]+)"')
_XML_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")
_SOURCE_CONTENT = "https://w3id.org/quanze/ontology#sourceContent"


class RemoteStoreError(StoreError):
    """The SPARQL server could not be reached, timed out or answered with an error; one line.

    `status` is what the HTTP server answers in its place: 502 (unreachable, an error of the
    engine) or 504 (a timeout)."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


# --- where the store is ---------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteLocation:
    """A SPARQL server named by `sparql+http://HOST:PORT/PATH[?update=…&gsp=…&timeout=…&dialect=…]`."""

    url: str
    """As given (it holds no password)."""
    query_url: str
    update_url: str
    gsp_url: str
    timeout: float = 60.0
    """Seconds a query may take (`timeout=`); a write request may take ten times as long."""
    dialect: str = "auto"
    """virtuoso, generic, or auto (from the server's Server header)."""

    def __str__(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        return self.url


def is_remote(value: object) -> bool:
    return isinstance(value, RemoteLocation) or (isinstance(value, str) and value.startswith(SCHEMES))


def parse_location(text: str) -> RemoteLocation:
    """The endpoints of a `sparql+http(s)://` store URL; StoreError (one line) if it is malformed.

    The query endpoint is the URL without `sparql+`; `update=` and `gsp=` name the update and
    Graph Store Protocol endpoints (a path on the same server or a full http(s) URL). By default
    they follow Virtuoso's layout: with credentials, `PATH-auth` and `/sparql-graph-crud-auth`;
    without, PATH itself and `/sparql-graph-crud`.
    """
    scheme = "https" if text.startswith("sparql+https://") else "http"
    try:
        parts = urllib.parse.urlsplit(text.split("+", 1)[1])
    except (IndexError, ValueError) as error:
        raise StoreError(f"not a store URL: {text[:200]!r} (write sparql+http://HOST:PORT/PATH)") from error
    if parts.username or parts.password or "@" in parts.netloc:
        raise StoreError("the store URL may not hold a user or password: set QUANZE_STORE_USER and QUANZE_STORE_PASSWORD")
    try:
        port = parts.port
    except ValueError as error:
        raise StoreError(f"the store URL has no valid port: {text[:200]!r}") from error
    if not parts.hostname:
        raise StoreError(f"the store URL names no host: {text[:200]!r} (write sparql+http://HOST:PORT/PATH)")
    options = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    unknown = set(options) - {"update", "gsp", "timeout", "dialect"}
    if unknown:
        raise StoreError(f"unknown store URL parameter {sorted(unknown)[0]!r} (known: update, gsp, timeout, dialect)")
    base = f"{scheme}://{parts.hostname if ':' not in parts.hostname else '[' + parts.hostname + ']'}{f':{port}' if port else ''}"
    path = parts.path or "/sparql"
    query_url = base + path
    credentials = bool(os.environ.get("QUANZE_STORE_USER"))

    def endpoint(name: str, default: str) -> str:
        value = options.get(name, [default])[-1]
        if value.startswith(("http://", "https://")):
            return value
        if not value.startswith("/"):
            raise StoreError(f"the store URL's {name}= must be a path (/…) or an http(s) URL")
        return base + value

    update_url = endpoint("update", path + "-auth" if credentials and path.endswith("/sparql") else path)
    gsp_url = endpoint("gsp", "/sparql-graph-crud-auth" if credentials else "/sparql-graph-crud")
    try:
        timeout = float(options.get("timeout", ["60"])[-1])
    except ValueError as error:
        raise StoreError("the store URL's timeout= must be a number of seconds") from error
    if not 0.1 <= timeout <= 3600:
        raise StoreError("the store URL's timeout= must be between 0.1 and 3600 seconds")
    dialect = options.get("dialect", ["auto"])[-1]
    if dialect not in ("auto", "virtuoso", "generic"):
        raise StoreError("the store URL's dialect= must be virtuoso, generic or auto")
    display = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    return RemoteLocation("sparql+" + display, query_url, update_url, gsp_url, timeout, dialect)


# --- HTTP -----------------------------------------------------------------------------------


class _Client:
    """Requests to the store's endpoints: bounded time, authentication from the environment, errors in one line."""

    def __init__(self, location: RemoteLocation) -> None:
        self.location = location
        self.user = os.environ.get("QUANZE_STORE_USER", "")
        self._password = os.environ.get("QUANZE_STORE_PASSWORD", "")
        self._challenges: dict[str, dict[str, str]] = {}
        self._count = 0
        self.server = ""

    def _authorization(self, method: str, url: str, fresh: bool = False) -> str | None:
        if not self.user:
            return None
        origin = urllib.parse.urlsplit(url)
        key = f"{origin.scheme}://{origin.netloc}{origin.path}"
        if fresh or key not in self._challenges:
            self._challenges[key] = self._challenge(method, url)
        fields = self._challenges[key]
        if fields.get("scheme") == "basic":
            token = base64.b64encode(f"{self.user}:{self._password}".encode()).decode("ascii")
            return f"Basic {token}"
        self._count += 1
        uri = origin.path + ("?" + origin.query if origin.query else "")
        cnonce, count = secrets.token_hex(8), f"{self._count:08x}"

        def md5(text: str) -> str:
            return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - what HTTP Digest prescribes

        ha1 = md5(f"{self.user}:{fields.get('realm', '')}:{self._password}")
        ha2 = md5(f"{method}:{uri}")
        qop = "auth" if "auth" in fields.get("qop", "").split(",") else ""
        if qop:
            answer = md5(f"{ha1}:{fields.get('nonce', '')}:{count}:{cnonce}:{qop}:{ha2}")
        else:
            answer = md5(f"{ha1}:{fields.get('nonce', '')}:{ha2}")
        header = (f'Digest username="{self.user}", realm="{fields.get("realm", "")}", nonce="{fields.get("nonce", "")}", '
                  f'uri="{uri}", algorithm=MD5, response="{answer}"')
        if qop:
            header += f', qop={qop}, nc={count}, cnonce="{cnonce}"'
        if "opaque" in fields:
            header += f', opaque="{fields["opaque"]}"'
        return header

    def _challenge(self, method: str, url: str) -> dict[str, str]:
        """The server's authentication challenge, asked with an empty request (a large body would meet a closed connection)."""
        request = urllib.request.Request(url, data=b"" if method != "GET" else None, method="POST" if method != "GET" else "GET")
        try:
            with urllib.request.urlopen(request, timeout=min(self.location.timeout, 30)) as response:
                response.read(0)
            return {"scheme": "basic"}  # no challenge: send Basic
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
            error.close()
        except (urllib.error.URLError, OSError) as error:
            raise self._unreachable(error) from None
        if challenge.lower().startswith("basic"):
            return {"scheme": "basic"}
        if not challenge.lower().startswith("digest"):
            return {"scheme": "basic"}
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge[6:]))
        fields["scheme"] = "digest"
        return fields

    def _unreachable(self, error: BaseException) -> RemoteStoreError:
        reason = getattr(error, "reason", error)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return RemoteStoreError(f"the SPARQL server {self.location} did not answer in time", 504)
        detail = getattr(reason, "strerror", None) or str(reason)
        return RemoteStoreError(f"cannot reach the SPARQL server {self.location}: {' '.join(str(detail).split())[:200]}")

    def request(self, method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float,
                authenticate: bool, limit: int | None = None) -> tuple[bytes, dict[str, str]]:
        """Send one request; the body and headers of a 2xx answer, or RemoteStoreError / QueryError."""
        deadline = time.monotonic() + timeout
        for attempt in (0, 1):
            sent = dict(headers)
            if authenticate:
                header = self._authorization(method, url, fresh=attempt == 1)
                if header:
                    sent["Authorization"] = header
            request = urllib.request.Request(url, data=body, method=method, headers=sent)
            try:
                with urllib.request.urlopen(request, timeout=max(0.1, deadline - time.monotonic())) as response:
                    self.server = self.server or response.headers.get("Server", "")
                    chunks, size = [], 0
                    while True:
                        if time.monotonic() > deadline:
                            raise RemoteStoreError(f"the SPARQL server {self.location} did not answer within {timeout:g} s", 504)
                        chunk = response.read(1 << 16)
                        if not chunk:
                            break
                        size += len(chunk)
                        if limit is not None and size > limit:
                            raise RemoteStoreError(f"the SPARQL server's answer is larger than {limit} bytes", 502)
                        chunks.append(chunk)
                    return b"".join(chunks), {k.lower(): v for k, v in response.headers.items()}
            except urllib.error.HTTPError as error:
                self.server = self.server or error.headers.get("Server", "")
                text = error.read(4096).decode("utf-8", "replace")
                error.close()
                if error.code == 401 and authenticate and self.user and attempt == 0:
                    continue  # a stale nonce: ask for a fresh challenge once
                raise self._http_error(error.code, text) from None
            except (urllib.error.URLError, OSError) as error:
                raise self._unreachable(error) from None
            except http.client.HTTPException as error:
                raise RemoteStoreError(f"the SPARQL server {self.location} sent a malformed answer: {str(error)[:200]}") from None
        raise RemoteStoreError(f"the SPARQL server {self.location} refused the credentials")

    def _http_error(self, status: int, text: str) -> BaseException:
        # Virtuoso echoes the whole query after the message: keep the message only
        message = " ".join(text.split("SPARQL query:")[0].split())[:300]
        if status in (401, 403):
            hint = "" if self.user else " (set QUANZE_STORE_USER and QUANZE_STORE_PASSWORD)"
            return RemoteStoreError(f"the SPARQL server {self.location} refused the request ({status}){hint}{': ' + message if message else ''}")
        if "SR171" in text or "timed out" in text.lower() or status in (503, 504):
            return RemoteStoreError(f"the SPARQL server {self.location} stopped the query: it took too long ({message})", 504)
        if status == 400 or re.search(r"\b(SP0\d\d|37000)\b", text):
            return QueryError(f"the SPARQL server refused the query: {message}")
        return RemoteStoreError(f"the SPARQL server {self.location} answered {status}: {message}")

    @property
    def virtuoso(self) -> bool:
        if self.location.dialect != "auto":
            return self.location.dialect == "virtuoso"
        return "virtuoso" in self.server.lower()


# --- reading --------------------------------------------------------------------------------


def _form(query_kind: str) -> str:
    return {"construct": "application/n-triples", "describe": "application/n-triples"}.get(query_kind, "application/sparql-results+xml")


def query_kind(sparql: str) -> str:
    """select, ask, construct or describe: the first of these keywords outside strings, IRIs and comments."""
    for kind, text in tokens(sparql):
        if kind == "word" and text.lower() in ("select", "ask", "construct", "describe"):
            return text.lower()
    return "select"


def bind(sparql: str, substitutions: dict) -> str:
    """The query with its variables bound to terms: a VALUES block opening the WHERE group (the terms written by
    quanze.graph.query.terms, so a value never becomes query text unchecked)."""
    names = sorted(substitutions, key=_name)
    variables = " ".join(f"?{_name(v)}" for v in names)
    row = " ".join(term(substitutions[v]) for v in names)
    parts = tokens(sparql)
    start = next((i for i, (kind, text) in enumerate(parts) if kind == "word" and text.upper() == "WHERE"), 0)
    brace = next((i for i in range(start, len(parts)) if parts[i] == ("other", "{")), None)
    if brace is None:
        raise QueryError("the query has no WHERE group to bind variables in")
    texts = [text for _, text in parts]
    texts[brace] = f"{{ VALUES ({variables}) {{ ({row}) }}"
    return "".join(texts)


def with_dataset(sparql: str, default: list[str], named: list[str]) -> str:
    """The query with `FROM <g>` for each default graph and `FROM NAMED <g>` for each named graph, placed before its WHERE."""
    clauses = " ".join([*(f"FROM {term(ox.NamedNode(g))}" for g in default), *(f"FROM NAMED {term(ox.NamedNode(g))}" for g in named)])
    parts = tokens(sparql)
    where = next((i for i, (kind, text) in enumerate(parts) if kind == "word" and text.upper() == "WHERE"), None)
    if where is None:  # SELECT * { … }, ASK { … }; a DESCRIBE without a pattern takes it at the end
        where = next((i for i, part in enumerate(parts) if part == ("other", "{")), len(parts))
    texts = [text for _, text in parts]
    texts.insert(where, f" {clauses}\n")
    return "".join(texts)


class RemoteStore:
    """The store on a SPARQL server, read through the subset of pyoxigraph.Store's API the commands use."""

    def __init__(self, location: RemoteLocation) -> None:
        self.location = location
        self.client = _Client(location)
        self._graphs: tuple[float, list[str]] | None = None

    # queries ---------------------------------------------------------------------------------

    def ping(self) -> None:
        """Ask the server a trivial query: RemoteStoreError (one line) if it is not there."""
        self.query("ASK { }")

    def graph_names(self, refresh: bool = False) -> list[str]:
        """The named graphs a query's GRAPH may reach: the shared graphs and every register's two graphs (from the
        catalogue), never the current-facts graph nor the engine's own graphs. Cached for `GRAPH_LIST_SECONDS`."""
        if refresh or self._graphs is None or time.monotonic() - self._graphs[0] > GRAPH_LIST_SECONDS:
            rows = self.query(
                "SELECT DISTINCT ?r WHERE { GRAPH ?c { ?r a ?register } }",
                substitutions={ox.Variable("c"): ox.NamedNode(str(CATALOGUE_GRAPH)),
                               ox.Variable("register"): ox.NamedNode("https://w3id.org/quanze/ontology#Register")},
                named_graphs=[str(CATALOGUE_GRAPH)])
            names = set(SHARED_GRAPHS)
            for row in rows:
                stem = row["r"].value.rsplit("/register/", 1)[-1]
                names.update((str(ID[f"graph/register/{stem}"]), str(ID[f"graph/report/{stem}"])))
            self._graphs = (time.monotonic(), sorted(names))
        return self._graphs[1]

    def raw_query(self, sparql: str, *, default_graph: Iterable[str] | None = None, named_graphs: Iterable[str] | None = None,
                  substitutions: dict | None = None, base_iri: str | None = None, timeout: float | None = None,
                  limit: int | None = None) -> tuple[str, bytes, dict[str, str]]:
        """Send a query as it is (after the guard and the renaming): its kind, the answer's bytes
        (SPARQL XML results, or N-Triples for CONSTRUCT/DESCRIBE) with ASCII variable names, and the map back."""
        try:
            check_text(sparql, MAX_QUERY_TEXT)  # no SERVICE, no lone CR … before any text leaves this process
        except RefusedQuery as error:
            raise QueryError(str(error)) from error
        kind = query_kind(sparql)
        text, back = ascii_variables(sparql)
        if substitutions:
            forward = {old: new for new, old in back.items()}
            substitutions = {ox.Variable(forward.get(_name(v), _name(v))): value for v, value in substitutions.items()}
            text = bind(text, substitutions)
        if base_iri:
            text = f"BASE {term(ox.NamedNode(base_iri))}\n" + text
        words = {t.upper() for k, t in tokens(text) if k == "word"}
        own_dataset = "FROM" in words and not default_graph and named_graphs is None  # FROM / FROM NAMED rule, as on the embedded store
        # named_graphs=() with no default graph: every graph of the engine (a build's staging graphs), no dataset sent
        own_dataset = own_dataset or (named_graphs is not None and not named_graphs and not default_graph)
        if named_graphs is None and "GRAPH" in words and not own_dataset:
            named_graphs = self.graph_names()  # GRAPH ?g: Quanze's graphs, not the current-facts graph nor the engine's
        if not self.client.server and self.location.dialect == "auto":
            self._probe()
        defaults = list(default_graph) if default_graph else [CURRENT_GRAPH]
        fields = []
        if named_graphs and not own_dataset:
            # many graphs: FROM / FROM NAMED in the text (Virtuoso echoes each named-graph-uri as a response header)
            text = with_dataset(text, defaults, list(named_graphs))
        elif not own_dataset:
            fields += [("default-graph-uri", g) for g in defaults]
        fields.insert(0, ("query", text))
        body = urllib.parse.urlencode(fields).encode("utf-8")
        data, headers = self.client.request(
            "POST", self.location.query_url, body,
            {"Accept": _form(kind), "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            timeout or self.location.timeout, authenticate=self.location.query_url == self.location.update_url, limit=limit,
        )
        if headers.get("x-sparql-maxrows"):
            raise RemoteStoreError(
                f"the SPARQL server cut the answer at {headers['x-sparql-maxrows']} rows (raise its ResultSetMaxRows)")
        return kind, data, back

    def _probe(self) -> None:
        """Learn the server's product from its Server header (one trivial query)."""
        body = urllib.parse.urlencode([("query", "ASK { }")]).encode("ascii")
        self.client.request("POST", self.location.query_url, body,
                            {"Accept": "application/sparql-results+xml", "Content-Type": "application/x-www-form-urlencoded"},
                            min(self.location.timeout, 30), authenticate=self.location.query_url == self.location.update_url)
        self.client.server = self.client.server or "unknown"

    def query(self, sparql: str, *, substitutions: dict | None = None, default_graph=None, named_graphs=None,
              base_iri: str | None = None, use_default_graph_as_union: bool = False,
              timeout: float | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a query on the server: pyoxigraph result objects, variables under the names the query gave them."""
        del use_default_graph_as_union  # the default graph is the current facts, as in the embedded store
        graphs = [g.value if isinstance(g, ox.NamedNode) else str(g) for g in default_graph] if default_graph else None
        named = [g.value if isinstance(g, ox.NamedNode) else str(g) for g in named_graphs] if named_graphs is not None else None
        kind, data, back = self.raw_query(sparql, default_graph=graphs, named_graphs=named, substitutions=substitutions,
                                          base_iri=base_iri, timeout=timeout)
        return results(kind, data, back)

    # the store's content ---------------------------------------------------------------------

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The store's named graphs (Quanze's only: not the current-facts graph, staging or the engine's own)."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=self.graph_names(refresh=True))
        for row in rows:
            if row["g"].value != CURRENT_GRAPH:
                yield row["g"]

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }", substitutions={ox.Variable("g"): graph}, named_graphs=[graph.value]))

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[ox.Quad]:  # noqa: A002
        """Quads of the named graphs matching the pattern (None: any); the default graph is the current-facts graph."""
        bound = {ox.Variable(n): t for n, t in (("s", subject), ("p", predicate), ("o", object)) if t is not None}
        if isinstance(graph_name, ox.DefaultGraph):
            rows = self.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions=bound or None)
            for row in rows:
                yield ox.Quad(row["s"], row["p"], row["o"], ox.DefaultGraph())
            return
        if graph_name is not None:
            bound[ox.Variable("g")] = graph_name
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions=bound or None,
                          named_graphs=[graph_name.value] if isinstance(graph_name, ox.NamedNode) else None)
        for row in rows:
            if row["g"].value != CURRENT_GRAPH:
                yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    def graph_triples(self, graph: str, timeout: float | None = None) -> bytes:
        """One named graph as N-Triples."""
        _, data, _ = self.raw_query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                    substitutions={ox.Variable("g"): ox.NamedNode(graph)}, named_graphs=[graph],
                                    timeout=timeout or self.location.timeout * 10)
        return data

    def dump(self, output=None, format: ox.RdfFormat | None = None, *, from_graph=None) -> bytes | None:  # noqa: A002
        """N-Triples of one graph (`from_graph`), or N-Quads of the whole dataset: each named graph and the current
        facts as the default graph, like the embedded store's dump."""
        if from_graph is not None:
            if isinstance(from_graph, ox.DefaultGraph):
                data = self.graph_triples(CURRENT_GRAPH)
            else:
                data = self.graph_triples(from_graph.value)
            triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            out = ox.serialize(triples, format=format or ox.RdfFormat.N_TRIPLES)
        else:
            out = ox.serialize(iter(self), format=format or ox.RdfFormat.N_QUADS)
        if output is None:
            return out
        output.write(out)
        return None

    def __iter__(self) -> Iterator[ox.Quad]:
        for graph in sorted(self.named_graphs(), key=lambda g: g.value):
            for triple in ox.parse(self.graph_triples(graph.value), format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
        for triple in ox.parse(self.graph_triples(CURRENT_GRAPH), format=ox.RdfFormat.N_TRIPLES):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())

    def __len__(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
                               substitutions={ox.Variable("prefix"): ox.Literal(QUANZE_GRAPHS)}))
        return int(rows[0]["n"].value) if rows else 0

    # writing ---------------------------------------------------------------------------------

    def update(self, sparql: str, timeout: float | None = None) -> None:
        """Run a SPARQL update (written by this module, never by a user) on the update endpoint."""
        body = urllib.parse.urlencode([("update", sparql)]).encode("utf-8")
        self.client.request("POST", self.location.update_url, body,
                            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                            timeout or self.location.timeout * 10, authenticate=True)

    def _gsp(self, method: str, graph: str, triples: bytes | None) -> None:
        name = "graph-uri" if self.client.virtuoso else "graph"
        url = self.location.gsp_url + ("&" if "?" in self.location.gsp_url else "?") + urllib.parse.urlencode({name: graph})
        headers = {"Content-Type": "application/n-triples"} if triples is not None else {}
        self.client.request(method, url, triples, headers, self.location.timeout * 10, authenticate=True)

    def put_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace a graph's content (Graph Store Protocol PUT; the graph is dropped if `triples` is empty)."""
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        if not data.strip():
            self.update(f"DROP SILENT GRAPH {term(ox.NamedNode(graph))}")
            return
        self._gsp("PUT", graph, data)

    def post_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Add triples to a graph (Graph Store Protocol POST): blank nodes are the same within one call."""
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        if data.strip():
            self._gsp("POST", graph, data)


def _name(variable: object) -> str:
    return variable.value if isinstance(variable, ox.Variable) else str(variable).lstrip("?$")


def results(kind: str, data: bytes, back: dict[str, str]) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """pyoxigraph result objects from the server's answer, variables named back to what the query called them."""
    if kind in ("construct", "describe"):
        try:
            triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as error:
            raise RemoteStoreError(f"the SPARQL server's N-Triples answer is not valid: {str(error)[:200]}") from error
        scratch = ox.Store()
        scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    # blank node labels as the engine writes them (Virtuoso: nodeID://b123) are no valid labels for pyoxigraph
    data = _XML_BNODE.sub(lambda m: b"<bnode>b%s</bnode>" % m.group(1).hex().encode("ascii"), data)
    if back:
        data = _XML_NAME.sub(lambda m: b'<%s name="%s"' % (m.group(1), back.get(m.group(2).decode(), m.group(2).decode()).encode("utf-8")), data)
    try:
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.XML)
    except SyntaxError as error:
        raise RemoteStoreError(f"the SPARQL server's answer is not valid SPARQL XML results: {str(error)[:200]}") from error


# --- the commands' entry points ---------------------------------------------------------------


@contextmanager
def open_remote(location: RemoteLocation) -> Iterator[RemoteStore]:
    store = RemoteStore(location)
    store.ping()
    yield store


def check_remote(location: RemoteLocation) -> RemoteStore:
    """The server answers and holds a Quanze dataset; RemoteStoreError / StoreError (one line) if not."""
    store = RemoteStore(location)
    if is_empty(store):
        raise StoreError(f"the SPARQL server {location} holds no Quanze data: run `quanze --store {location} build` first")
    return store


def is_empty(store: RemoteStore) -> bool:
    ontology = str(ID["graph/ontology"])
    return not bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } }", substitutions={ox.Variable("g"): ox.NamedNode(ontology)},
                                named_graphs=[ontology]))


def _batched_updates(store: RemoteStore, operations: list[str], size: int = 50) -> None:
    for start in range(0, len(operations), size):
        store.update(" ;\n".join(operations[start:start + size]))


def _iri(value: str) -> str:
    return term(ox.NamedNode(value))


def _staging_graphs(store: RemoteStore, prefix: str = STAGING) -> list[str]:
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
                       substitutions={ox.Variable("prefix"): ox.Literal(prefix)}, named_graphs=())
    return [row["g"].value for row in rows]


def write_dataset(location: RemoteLocation, chunks: bytes | Iterable[bytes]) -> int:
    """Load a whole build (N-Quads, whole or in chunks) onto the server under staging names, check it, then
    switch it in graph by graph; the quad count. Before the switch, any failure leaves the old data as it was."""
    store = RemoteStore(location)
    store.ping()
    leftovers = _staging_graphs(store)
    _batched_updates(store, [f"DROP SILENT GRAPH {_iri(g)}" for g in leftovers])  # what killed builds left
    token = secrets.token_hex(6)
    prefix = f"{STAGING}{token}:"
    staged: dict[str, str] = {}
    expected: dict[str, int] = defaultdict(int)
    seen: dict[str, set[bytes]] = defaultdict(set)  # graphs written from several chunks: distinct triples
    total = 0
    try:
        for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
            groups: dict[str, list[ox.Triple]] = defaultdict(list)
            for quad in ox.parse(chunk, format=ox.RdfFormat.N_QUADS):
                graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else CURRENT_GRAPH
                groups[graph].append(ox.Triple(quad.subject, quad.predicate, quad.object))
                total += 1
            for graph, triples in groups.items():
                target = staged.setdefault(graph, f"{prefix}{len(staged)}")
                shared = not graph.startswith((str(ID["graph/register/"]), str(ID["graph/report/"])))
                if shared:
                    for t in triples:
                        seen[graph].add(hashlib.blake2b(str(t).encode("utf-8"), digest_size=12).digest())
                    expected[graph] = len(seen[graph])
                else:
                    expected[graph] += len(set(map(str, triples)))
                for start in range(0, len(triples), 20_000) if shared else [0]:
                    part = triples[start:start + 20_000] if shared else triples
                    store.post_graph(target, part)
        rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) } GROUP BY ?g",
                           substitutions={ox.Variable("prefix"): ox.Literal(prefix)}, named_graphs=(), timeout=location.timeout * 10)
        counts = {row["g"].value: int(row["n"].value) for row in rows}
        for graph, target in staged.items():
            if counts.get(target, 0) != expected[graph]:
                raise RemoteStoreError(f"the SPARQL server holds {counts.get(target, 0)} triples of {graph} after loading {expected[graph]}")
        # the current facts: every graph but the register catalogue, assembled on the server (blank nodes stay shared)
        current = f"{prefix}current"
        _batched_updates(store, [f"ADD SILENT {_iri(target)} TO {_iri(current)}" for graph, target in staged.items()
                                 if graph != str(CATALOGUE_GRAPH)], size=20)
        # the count the embedded store reports: named graphs and the default graph's copy of the current facts
        rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[current], timeout=location.timeout * 10)
        total = sum(counts.values()) + int(next(iter(rows))["n"].value)
    except BaseException:
        try:
            _batched_updates(store, [f"DROP SILENT GRAPH {_iri(g)}" for g in _staging_graphs(store, prefix)])
        except StoreError:
            pass
        raise
    old = {g.value for g in store.named_graphs()} - set(staged)
    operations = [f"MOVE SILENT {_iri(target)} TO {_iri(graph)}" for graph, target in staged.items() if graph != CURRENT_GRAPH]
    operations.append(f"MOVE SILENT {_iri(current)} TO {_iri(CURRENT_GRAPH)}")
    operations += [f"DROP SILENT GRAPH {_iri(g)}" for g in sorted(old)]
    _batched_updates(store, operations, size=100)
    return total


# --- add and remove -------------------------------------------------------------------------


def _pull(store: RemoteStore, memory: ox.Store, graph: str, triples_data: bytes) -> None:
    node = ox.NamedNode(graph)
    memory.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in ox.parse(triples_data, format=ox.RdfFormat.N_TRIPLES))


def _graph_sets(memory: ox.Store) -> dict[str, set[ox.Triple]]:
    graphs: dict[str, set[ox.Triple]] = defaultdict(set)
    for quad in memory.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs[quad.graph_name.value].add(ox.Triple(quad.subject, quad.predicate, quad.object))
    return graphs


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


@contextmanager
def updating_remote(location: RemoteLocation, codes: Iterable[str]) -> Iterator[ox.Store]:
    """A local copy of what a change of jurisdictions `codes` touches, written back when the block succeeds."""
    from quanze.graph.map.alignment import ALIGNMENT_GRAPH
    from quanze.graph.map.items import JURISDICTIONS_GRAPH
    from quanze.graph.store.registers import catalogue

    store = RemoteStore(location)
    store.ping()
    codes = sorted(set(codes))
    memory = ox.Store()
    entries = catalogue(store)
    catalogue_graph, alignment_graph = str(CATALOGUE_GRAPH), str(ALIGNMENT_GRAPH)
    complete = {str(JURISDICTIONS_GRAPH)} | {g for e in entries if e.division_code in codes for g in e.graphs}
    for graph in sorted(complete):
        _pull(store, memory, graph, store.graph_triples(graph))
    # the catalogue, without the file copies of other jurisdictions' registers
    _, data, _ = store.raw_query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o FILTER(?p != ?content) } }",
        substitutions={ox.Variable("g"): ox.NamedNode(catalogue_graph), ox.Variable("content"): ox.NamedNode(_SOURCE_CONTENT)},
        timeout=location.timeout * 10)
    _pull(store, memory, catalogue_graph, data)
    for entry in entries:
        if entry.division_code in codes:
            for quad in store.quads_for_pattern(ox.NamedNode(entry.iri), ox.NamedNode(_SOURCE_CONTENT), None, ox.NamedNode(catalogue_graph)):
                memory.add(quad)
    for code in codes:  # the alignments of the jurisdictions' items
        _, data, _ = store.raw_query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?prefix)) } }",
            substitutions={ox.Variable("g"): ox.NamedNode(alignment_graph), ox.Variable("prefix"): ox.Literal(str(ID[f"power/{code}/"]))},
            timeout=location.timeout * 10)
        _pull(store, memory, alignment_graph, data)
    before = _graph_sets(memory)
    was_current = {e.iri for e in entries if e.current}
    before_iris = {e.iri for e in entries}
    yield memory
    after = _graph_sets(memory)
    now = {e.iri: e for e in catalogue(memory)}
    superseded = sorted({g for e in now.values() if not e.current for g in e.graphs})
    leaving_current = {g for e in now.values() if not e.current and e.iri in was_current for g in e.graphs}
    changed = sorted(g for g in (set(before) | set(after)) - {catalogue_graph, alignment_graph}
                     if before.get(g, set()) != after.get(g, set()))
    # 1. blank-node facts of graphs about to change or leave the current facts: out of the current graph
    #    (they are the graph's own: a SHACL result is stated in one report only)
    out_of_current = sorted(set(changed) | leaving_current)
    _batched_updates(store, [
        f"DELETE {{ GRAPH {_iri(CURRENT_GRAPH)} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {_iri(g)} {{ ?s ?p ?o }} FILTER(isBlank(?s) || isBlank(?o)) }}"
        for g in out_of_current if any(_has_blank(t) for t in before.get(g, ()))], size=20)
    # 2. the graphs themselves: whole graphs replaced, the shared ones changed triple by triple
    for graph in changed:
        store.put_graph(graph, after.get(graph, ()))
    deltas = {}
    for graph in (catalogue_graph, alignment_graph):
        gone, came = before.get(graph, set()) - after.get(graph, set()), after.get(graph, set()) - before.get(graph, set())
        if any(map(_has_blank, gone | came)):
            raise StoreError(f"{graph} holds blank nodes, which a remote store cannot change triple by triple")
        deltas[graph] = (gone, came)
        _data_updates(store, "DELETE", graph, gone)
        _data_updates(store, "INSERT", graph, came)
    # 3. the current facts: the new graphs' triples in, those no current graph states any more out
    #    (a version current again after its successor was removed comes back in, changed or not)
    current_again = {g for e in now.values() if e.current and e.iri not in was_current and e.iri in before_iris for g in e.graphs}
    now_current = sorted({g for g in changed if g in after and g not in superseded} | current_again)
    _batched_updates(store, [f"ADD SILENT {_iri(g)} TO {_iri(CURRENT_GRAPH)}" for g in now_current], size=20)
    _data_updates(store, "INSERT", CURRENT_GRAPH, deltas[alignment_graph][1])
    stays = set().union(*(after.get(g, set()) for g in now_current)) if now_current else set()
    candidates = {t for g in out_of_current for t in before.get(g, ()) if not _has_blank(t)} | deltas[alignment_graph][0]
    candidates -= stays
    excluded = ", ".join(_iri(g) for g in [CURRENT_GRAPH, catalogue_graph, *superseded])
    triples = sorted(candidates, key=str)
    for start in range(0, len(triples), 200):
        rows = " ".join(f"({term(t.subject)} {term(t.predicate)} {_object(t.object)})" for t in triples[start:start + 200])
        store.update(
            f"DELETE {{ GRAPH {_iri(CURRENT_GRAPH)} {{ ?s ?p ?o }} }} WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} "
            f"GRAPH {_iri(CURRENT_GRAPH)} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?k {{ ?s ?p ?o }} FILTER(?k NOT IN ({excluded})) }} }}")


def _object(value: ox.NamedNode | ox.Literal) -> str:
    """A term in SPARQL text; literals with backslashes or controls go in as N-Triples (pyoxigraph escapes them)."""
    if isinstance(value, ox.Literal):
        return str(value)  # pyoxigraph writes the literal with every quote and control escaped
    return term(value)


def _data_updates(store: RemoteStore, verb: str, graph: str, triples: Iterable[ox.Triple], size: int = 400) -> None:
    ordered = sorted(triples, key=str)
    for start in range(0, len(ordered), size):
        body = " ".join(f"{term(t.subject)} {term(t.predicate)} {_object(t.object)} ." for t in ordered[start:start + size])
        store.update(f"{verb} DATA {{ GRAPH {_iri(graph)} {{ {body} }} }}")
