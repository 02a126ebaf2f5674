"""Crawl benchmark (not a test): pages per second on loopback, and the crawl's peak memory.

What it runs: the snapshot server (snapshot/server.py) in this process serves a
benchmark sitemap of N schema.org job pages (`/<week>/schemaorg/bench/sitemap-N.xml`,
pages generated on demand by the same code as the demo's postings). The real
crawl path — `scrapers.run.crawl` → one `python -m scrapers.runner` subprocess,
production settings (AutoThrottle, robots.txt, retries, archive + manifest,
validation, PII scrub) — crawls it into a temporary lake with the schema.org
spider (`targets=bench/sitemap-N.xml`, page cap lifted to N + 10).

Reported per size N:
- pages/s = responses / the crawl's own duration (stats.json `duration_s`, from
  Scrapy's start to finish, so the ~1.5 s process start-up is excluded; the wall
  time including start-up is printed too);
- peak RSS of the crawl subprocess (stats.json `peak_rss_bytes`, getrusage
  ru_maxrss of that process) — it must stay flat from 10k to 40k postings;
- the baseline measured in the same run: the same pages fetched with the
  standard library (http.client, keep-alive, 8 threads = Scrapy's
  CONCURRENT_REQUESTS) in a separate process, like the crawl, so neither
  shares the server's interpreter; and the ratio crawl / baseline. Both are
  bounded by the server (pure-Python http.server generating every page on
  request) on the same 2 cores, so the ratio says how much of the available
  throughput the full crawl stack (robots, AutoThrottle, retries, parsing,
  archive, validation, PII scrub, partition writes) keeps.

With production settings AutoThrottle is what sets the pace: it keeps about
AUTOTHROTTLE_TARGET_CONCURRENCY (4) requests' worth of load on the site, i.e. a
delay of ~latency/4 between requests. `--unthrottled` adds a run of the first
size with AutoThrottle off and 8 requests per domain: the crawler's capacity.

Usage:
    .venv/bin/python benchmarks/crawl.py                      # sizes 10000 and 40000
    .venv/bin/python benchmarks/crawl.py --sizes 2000 --baseline-pages 2000   # quick check
Prints a Markdown table to paste into docs/benchmarks.md ("Crawl" section).
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import http.client
import json
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from snapshot.planted import CALENDAR  # noqa: E402
from snapshot.server import SnapshotServer  # noqa: E402

WEEK = CALENDAR[0]


def baseline(base_url: str, n: int, threads: int = 8) -> dict:
    """Fetch pages BENCH0..n-1 with http.client (keep-alive), `threads` at a time."""
    parts = urlsplit(base_url)
    paths = [f"/{WEEK}/schemaorg/bench/jobs/BENCH{i}.html" for i in range(n)]
    chunks = [paths[i::threads] for i in range(threads)]
    done = [0] * threads
    errors: list[str] = []

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        for path in chunks[k]:
            conn.request("GET", path, headers={"User-Agent": "credwatch-benchmark"})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or not body:
                errors.append(f"{path}: {resp.status}")
            done[k] += 1
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"baseline fetch failed: {errors[:3]}")
    return {"pages": sum(done), "seconds": round(seconds, 2), "pages_per_s": round(sum(done) / seconds, 1)}


def baseline_process(base_url: str, n: int) -> dict:
    """baseline() in a child process (this file with --baseline-child)."""
    out = subprocess.run([sys.executable, __file__, "--baseline-child", base_url, str(n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


UNTHROTTLED = {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}


def crawl_size(base_url: str, n: int, settings: dict | None = None) -> dict:
    from scrapers.run import crawl

    lake = Path(tempfile.mkdtemp(prefix=f"credwatch-bench-{n}-"))
    os.environ["CREDWATCH_LAKE"] = str(lake)
    started = time.perf_counter()
    stats = crawl("schemaorg", WEEK, snapshot_url=base_url, page_cap=n + 10, timeout_s=3600,
                  spider_args={"targets": f"bench/sitemap-{n}.xml"}, settings=settings)
    wall = time.perf_counter() - started
    if stats["items"] != n or stats["quarantined"]:
        raise RuntimeError(f"crawl of {n} pages stored {stats['items']} items, quarantined {stats['quarantined']}")
    pages = stats["responses"]
    return {"postings": n, "settings": "unthrottled" if settings else "production", "pages": pages, "duration_s": stats["duration_s"], "wall_s": round(wall, 1),
            "pages_per_s": round(pages / stats["duration_s"], 1),
            "peak_rss_mb": round(stats["peak_rss_bytes"] / 2**20, 1), "lake": str(lake)}


def machine() -> str:
    mem = "?"
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 2**20:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} CPUs (nproc), {mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--baseline-pages", type=int, default=10_000)
    parser.add_argument("--unthrottled", action="store_true", help="also crawl the first size with AutoThrottle off")
    parser.add_argument("--baseline-child", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline_child:
        print(json.dumps(baseline(args.baseline_child[0], int(args.baseline_child[1]))))
        return 0

    rows = []
    with SnapshotServer(cache_size=64) as server:
        base = server.url
        load = os.getloadavg()[0]
        print(f"# machine: {machine()}; load average at start {load:.2f}", flush=True)
        base_stats = baseline_process(base, args.baseline_pages)
        print(f"# baseline http.client x8: {json.dumps(base_stats)}", flush=True)
        runs = [(n, None) for n in args.sizes] + ([(args.sizes[0], UNTHROTTLED)] if args.unthrottled else [])
        for n, settings in runs:
            result = crawl_size(base, n, settings)
            result["ratio"] = round(result["pages_per_s"] / base_stats["pages_per_s"], 3)
            print(f"# crawl {n}: {json.dumps(result)}", flush=True)
            rows.append(result)

    print()
    print(f"Measured {dt.date.today().isoformat()} on {machine()}.")
    print(f"Baseline (same server, same pages, http.client keep-alive, 8 threads, own process): "
          f"{base_stats['pages_per_s']} pages/s over {base_stats['pages']} pages.")
    print()
    print("| postings (pages) | settings | crawl duration s | wall s (incl. start-up) | pages/s | vs baseline | peak RSS MiB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['postings']:,} ({r['pages']:,}) | {r['settings']} | {r['duration_s']} | {r['wall_s']} | "
              f"{r['pages_per_s']} | {r['ratio']:.2f}x | {r['peak_rss_mb']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
