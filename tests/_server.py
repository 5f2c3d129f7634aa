"""Start `quanze` HTTP servers on loopback for tests: own process, own store, own settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(store: Path, **settings: str):
    """uvicorn on 127.0.0.1 serving `store` with QUANZE_* settings; yields the base URL; stops it after."""
    import httpx

    port = free_port()
    env = {**os.environ, "QUANZE_STORE": str(store), **settings}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "quanze.api.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=None if os.environ.get("QUANZE_TEST_SERVER_LOG") else subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode() if process.stdout else "server exited")
            try:
                if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
