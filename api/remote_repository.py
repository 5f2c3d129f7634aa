"""The repository over a SPARQL server (`QUANZE_STORE=sparql+http://…`): the same interface as the embedded one.

The engine evaluates; this side checks, forwards and translates. Every query has passed the
router's guard (no update, no SERVICE) and passes `check_text` again in `RemoteStore` before
its text leaves the process; values reach it only as terms bound by `substitutions`. The
answer (SPARQL XML results or N-Triples, variables named back from their ASCII stand-ins) is
parsed into pyoxigraph's result objects and written by pyoxigraph's W3C writers in the format
the client asked for, so `/sparql` answers exactly as it does on the embedded store, within the
same row and byte caps.

Admission control is a bounded number of requests in flight to the engine (`workers` × 4;
past `queue_wait` seconds of waiting: 503). An engine that cannot be reached or answers
with an error gives 502, one that does not answer within the query timeout 504. There is no
result cache: the server cannot tell when another process changed the engine's data.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox

from quanze.api.repository import RESULT_FORMATS, Overloaded, QueryFailed, QueryRequest, ResultTooLarge, select_rows
from quanze.api.sparql_results import GRAPH_FORMATS
from quanze.graph.store.oxigraph import QueryError
from quanze.graph.store.remote import RemoteLocation, RemoteStore, RemoteStoreError, results


class RemoteRepository:
    """Queries answered by a SPARQL server."""

    def __init__(self, location: RemoteLocation, workers: int = 2, *, query_timeout: float = 30.0, queue_wait: float = 5.0) -> None:
        self.store = RemoteStore(location)
        self.store.ping()  # one line (StoreError) if the server is not there
        self.query_timeout = query_timeout
        self.queue_wait = queue_wait
        self._slots = threading.BoundedSemaphore(max(1, workers) * 4)

    @classmethod
    def from_settings(cls, settings) -> RemoteRepository:
        return cls(settings.store, settings.workers, query_timeout=settings.query_timeout, queue_wait=settings.queue_wait)

    def query(self, request: QueryRequest, timeout: float | None = None, client: str | None = None) -> tuple[bytes, str]:
        timeout = min(timeout or self.query_timeout, self.query_timeout)
        if not self._slots.acquire(timeout=self.queue_wait):
            raise Overloaded(f"no connection to the SPARQL server was free within {self.queue_wait:g} s; retry shortly", 503, 2)
        try:
            kind, data, back = self.store.raw_query(
                request.sparql,
                default_graph=list(request.default_graphs) or None,
                named_graphs=list(request.named_graphs) or None,
                substitutions={ox.Variable(name): term for name, term in request.substitutions} or None,
                base_iri=request.base_iri, timeout=timeout, limit=max(request.max_bytes * 4, 1 << 20),
            )
        except RemoteStoreError as error:
            raise Overloaded(str(error), error.status, 5) from error
        except QueryError as error:
            raise QueryFailed(str(error)) from error
        finally:
            self._slots.release()
        return _serialise(kind, data, back, request), request.media_type

    async def query_async(self, request: QueryRequest, timeout: float | None = None, client: str | None = None,
                          disconnected=None) -> tuple[bytes, str]:
        from anyio import to_thread

        return await to_thread.run_sync(self.query, request, timeout, client)

    def select(self, sparql: str, timeout: float | None = None, bindings: dict[str, object] | None = None) -> list[dict[str, str | None]]:
        """Rows of a SELECT as plain strings (for services and pages); `bindings` are terms, never query text."""
        return select_rows(self.query, sparql, timeout, bindings)

    @staticmethod
    def derived(name, compute):
        """Computed on every call: no cache on a remote store (another process may change it unseen)."""
        return compute()

    def close(self) -> None:
        pass


def _serialise(kind: str, data: bytes, back: dict[str, str], request: QueryRequest) -> bytes:
    """The engine's answer in the client's format, within the row and byte caps."""
    if kind not in ("construct", "describe") and data.count(b"<result>") > request.max_results:
        raise ResultTooLarge(f"the query returns more than {request.max_results} rows")
    try:
        result = results(kind, data, back)
    except RemoteStoreError as error:
        raise Overloaded(str(error), 502, 5) from error
    try:
        if isinstance(result, ox.QueryTriples):
            triples = list(result)
            if len(triples) > request.max_results:
                raise ResultTooLarge(f"the query returns more than {request.max_results} triples")
            out = ox.serialize(triples, format=GRAPH_FORMATS[request.media_type]) or b""
        else:
            out = result.serialize(format=RESULT_FORMATS[request.media_type]) or b""
    except SyntaxError as error:  # the answer is read lazily: a broken one shows here
        raise Overloaded(f"the SPARQL server's answer is not valid: {str(error)[:200]}", 502, 5) from error
    finally:
        # pyoxigraph's result iterators may only be dropped on the thread that made them: never let one
        # ride out of this worker thread in an exception's traceback (it would be dropped, with an error, by
        # whichever thread collects the traceback)
        del result
    if len(out) > request.max_bytes:
        raise ResultTooLarge(f"the result is larger than {request.max_bytes} bytes")
    return out
