"""Build a synthetic country through `quanze build`, add one register into it, and time the example queries.

    .venv/bin/python bench/bench_country.py --counties 100 1000 [--seed 1] [--workers 2]

For each size: the country is generated (bench/synth_country.py, real GB/T 2260 divisions,
deterministic by seed), built by the real command in a child process (wall, CPU of the
process and its workers, peak RSS of the largest process, quads, store size on disk); then
`quanze add` of one more 25-item county register into that store (wall), `quanze validate
--store` (reading the stored reports), and the example queries of queries/*.rq run on the
store (p50 of five runs each, in milliseconds). Prints one table per size and the ratios
between sizes, so the scaling can be read off one run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUANZE = Path(sys.executable).parent / "quanze"


def _run(args: list[str], ok: tuple[int, ...] = (0,), **kwargs) -> tuple[float, float, int, subprocess.CompletedProcess[str]]:
    """Wall seconds, CPU seconds (children), peak RSS in MB (largest child) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, args[:4]))} … failed: {done.stderr.strip()[-500:]}")
    return wall, cpu, after.ru_maxrss // 1024, done


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _queries(store: Path) -> dict[str, float]:
    import pyoxigraph as ox

    from quanze.graph.store.oxigraph import open_store

    times = {}
    with open_store(store) as handle:
        for path in sorted((ROOT / "queries").glob("*.rq")):
            text = path.read_text(encoding="utf-8")
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                result = handle.query(text)
                if isinstance(result, ox.QuerySolutions):
                    for _row in result:
                        pass
                runs.append((time.perf_counter() - start) * 1000)
            times[path.stem] = statistics.median(runs)
    return times


def measure(counties: int, seed: int, workers: int, work: Path) -> dict[str, object]:
    data = work / f"country-{counties}"
    (data / "registers").mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "synth_country.py"), "--counties", str(counties + 1),
                    "--seed", str(seed), "--out", str(data / "registers")], check=True, capture_output=True)
    manifest = (data / "registers" / "manifest.csv").read_text(encoding="utf-8").splitlines()
    # hold one county back to add afterwards
    last = manifest[-1].split(",")[0]
    held = [line for line in manifest[1:] if line.split(",")[1] == last.split("-")[0]]
    extra = work / f"extra-{counties}"
    extra.mkdir(exist_ok=True)
    for line in held:
        shutil.move(str(data / "registers" / line.split(",")[0]), extra / line.split(",")[0])
    (data / "registers" / "manifest.csv").write_text("\n".join(l for l in manifest if l not in held) + "\n", encoding="utf-8")
    (data / "registers" / "defects.csv").unlink(missing_ok=True)
    store = work / f"store-{counties}"
    wall, cpu, rss, done = _run([str(QUANZE), "--store", str(store), "build", "--quiet", "--data", str(data), "--workers", str(workers)])
    quads = int(done.stdout.split("(", 1)[1].split(" quads", 1)[0])
    power_list = next(p for p in extra.iterdir() if "权责清单" in p.name)
    add_wall, _, _, _ = _run([str(QUANZE), "--store", str(store), "add", str(power_list)])
    validate_wall, _, _, _ = _run([str(QUANZE), "--store", str(store), "validate", "--store", "--format", "json"], ok=(0, 1)) if counties <= 1000 else (float("nan"), 0, 0, None)
    return {"counties": counties, "quads": quads, "build_wall_s": wall, "build_cpu_s": cpu, "peak_rss_mb": rss,
            "store_mb": _size(store) / 2**20, "add_wall_s": add_wall, "validate_store_wall_s": validate_wall,
            "queries_ms": _queries(store)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, nargs="+", default=[100])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="quanze-country-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for counties in args.counties:
            result = measure(counties, args.seed, args.workers, work)
            results.append(result)
            print(f"\n{counties} counties: {result['quads']:,} quads, build {result['build_wall_s']:.1f} s wall / "
                  f"{result['build_cpu_s']:.1f} s CPU, peak RSS {result['peak_rss_mb']} MB, store {result['store_mb']:.0f} MB, "
                  f"add one register {result['add_wall_s']:.2f} s, validate --store {result['validate_store_wall_s']:.1f} s")
            for name, ms in result["queries_ms"].items():
                print(f"  {name:45s} {ms:9.1f} ms")
            sys.stdout.flush()
        if len(results) > 1:
            first, last = results[0], results[-1]
            scale = last["counties"] / first["counties"]
            print(f"\nratios {last['counties']} / {first['counties']} counties (data ×{scale:.0f}):")
            for key in ("quads", "build_wall_s", "build_cpu_s", "peak_rss_mb", "store_mb", "add_wall_s"):
                print(f"  {key:22s} ×{last[key] / first[key]:.1f}")
            for name in first["queries_ms"]:
                print(f"  {name:45s} ×{last['queries_ms'][name] / max(first['queries_ms'][name], 0.01):.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
