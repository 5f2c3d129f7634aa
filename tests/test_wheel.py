"""The wheel installs like a real package: one top-level name, and every command works from an empty folder."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "data" / "valid" / "北关区-权责清单.csv"

pytestmark = pytest.mark.slow


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel built from this checkout, installed into a fresh virtual environment."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "var", "build", "dist", "node_modules", "*.egg-info", "__pycache__"))
    built = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(source)])
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((base / "dist").glob("quanze-*.whl"))
    venv = base / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    install = _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)])
    assert install.returncode == 0, install.stderr[-2000:]
    home = base / "home"
    work = base / "empty"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUANZE_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    return {"wheel": wheel, "venv": venv, "env": env, "cwd": work, "home": home}


def _quanze(installed: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([str(installed["venv"] / "bin" / "quanze"), *args], env=installed["env"], cwd=installed["cwd"])


def test_wheel_has_one_top_level_name(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"quanze"}
    for resource in ("quanze/ontology/quanze.ttl", "quanze/shapes/register.ttl", "quanze/data/statutes/instruments.csv",
                     "quanze/data/registers/manifest.csv", "quanze/queries/01-powers-per-jurisdiction.rq",
                     "quanze/api/templates/base.html"):
        assert resource in names


def test_installed_commands_work_from_an_empty_folder(installed, tmp_path):
    build = _quanze(installed, "build", "--quiet")
    assert build.returncode == 0, build.stderr
    assert (installed["home"] / ".local" / "share" / "quanze" / "store").is_dir()

    assert _quanze(installed, "validate", str(VALID)).returncode == 0
    book = Workbook()
    book.active.append(["北关区医疗保障局权责清单"])
    with VALID.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            book.active.append(row)
    xlsx = tmp_path / "清单.xlsx"
    book.save(xlsx)
    validated = _quanze(installed, "validate", str(xlsx), "--format", "json")
    assert validated.returncode == 0, validated.stdout + validated.stderr

    query = _quanze(installed, "query", "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a <https://w3id.org/quanze/ontology#PowerItem> }", "--format", "csv")
    assert query.returncode == 0 and query.stdout.split()[-1] == "52"

    module = _run([str(installed["venv"] / "bin" / "python"), "-m", "quanze", "--help"], env=installed["env"], cwd=installed["cwd"])
    assert module.returncode == 0 and "build" in module.stdout


def test_installed_server_answers(installed):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if _quanze(installed, "build", "--quiet").returncode != 0:
        pytest.fail("build failed")
    server = subprocess.Popen(
        [str(installed["venv"] / "bin" / "quanze"), "serve", "--port", str(port)],
        env=installed["env"], cwd=installed["cwd"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/jurisdictions", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the installed server did not start")
                time.sleep(0.3)
        assert response.status_code == 200
        assert {j["code"] for j in response.json()} == {"340406", "140423", "620922", "410503"}
    finally:
        server.terminate()
        server.wait(timeout=20)
