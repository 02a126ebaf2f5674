"""Run one crawl (source × week) in a subprocess and return its stats.

Twisted's reactor cannot restart, so every crawl is its own
`python -m scrapy crawl <kind>` process (safe to call many times from one
Airflow task or test). The log goes to `<lake>/logs/scrape-<source>-<week>.log`.

CLI: python -m scrapers.run SOURCE WEEK [WEEK ...] [--snapshot-url URL] [--page-cap N]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from credwatch.settings import ROOT, paths
from credwatch.weeks import parse_week
from scrapers.sources import source_entry

GRACE_S = 30  # after a timeout, time Scrapy gets to shut down cleanly before SIGKILL


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_tmp(final: Path) -> None:
    """Delete `week=<W>.tmp-<pid>` folders left by crawls whose process is gone (killed hard)."""
    for tmp in final.parent.glob(f"{final.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _read_stats(partition: Path) -> dict:
    stats_file = partition / "stats.json"
    if not stats_file.exists():
        return {}
    return json.loads(stats_file.read_text(encoding="utf-8"))


def _not_committed_reason(log_path: Path) -> str | None:
    """The extension's 'NOT committed: <why>' message from the crawl log, if any."""
    reason = None
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if " NOT committed: " in line:
                reason = line.split(" NOT committed: ", 1)[1].split(";", 1)[0].strip()
    return reason and f"not committed because {reason}"


def crawl(source: str, week: str, snapshot_url: str | None = None, page_cap: int | None = None,
          timeout_s: float = 1800, spider_args: dict[str, str] | None = None) -> dict:
    """Crawl `source` for ISO `week` into `<lake>/raw/source=<source>/week=<week>/`.

    Returns the partition's stats.json plus `skipped` (True when the partition
    already existed: raw data is immutable), `partition`, `log` and `wall_s`.
    `page_cap` (else the entry's `page_cap`) caps responses via CLOSESPIDER_PAGECOUNT;
    `spider_args` are extra `-a name=value` spider arguments (e.g. lever `page_size`).
    Raises RuntimeError naming source, week, exit code and log path on failure.
    """
    parse_week(week)
    entry = source_entry(source)
    final = paths().raw_partition(source, week)
    if final.exists():
        return {**_read_stats(final), "skipped": True, "partition": str(final)}
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp(final)

    log_path = paths().lake / "logs" / f"scrape-{source}-{week}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "scrapy", "crawl", str(entry["kind"]),
           "-a", f"source={source}", "-a", f"week={week}"]
    if snapshot_url:
        cmd += ["-a", f"snapshot_url={snapshot_url}"]
    for name, value in (spider_args or {}).items():
        cmd += ["-a", f"{name}={value}"]
    cap = page_cap if page_cap is not None else entry.get("page_cap")
    if cap is not None:
        cmd += ["-s", f"CLOSESPIDER_PAGECOUNT={int(cap)}"]
    env = dict(os.environ)  # keeps the caller's CREDWATCH_* (lake, config) for the child
    env["SCRAPY_SETTINGS_MODULE"] = "scrapers.settings"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)

    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"# {' '.join(cmd)}\n")
        log.flush()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)  # Scrapy closes gracefully and does not commit
            try:
                proc.wait(timeout=GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _remove_stale_tmp(final)
            raise RuntimeError(
                f"crawl of source {source!r} week {week} timed out after {timeout_s:.0f} s and was stopped "
                f"(exit code {proc.returncode}); nothing was committed. See {log_path}; "
                "raise timeout_s or set a page_cap"
            ) from None
    wall_s = round(time.monotonic() - started, 2)

    if rc != 0:
        raise RuntimeError(
            f"crawl of source {source!r} week {week} failed with exit code {rc}; see {log_path}"
        )
    if not (final / "_SUCCESS").exists():
        why = _not_committed_reason(log_path) or "it was not committed (see the ERROR lines)"
        raise RuntimeError(
            f"crawl of source {source!r} week {week} exited with code {rc} but produced no partition "
            f"at {final}: {why}; see {log_path}"
        )
    stats = _read_stats(final)
    # Another crawl of the same week may have committed first; then ours was discarded.
    skipped = stats.get("pid") != proc.pid
    return {**stats, "skipped": skipped, "partition": str(final), "log": str(log_path), "wall_s": wall_s}


def crawl_many(source: str, weeks: list[str], snapshot_url: str | None = None, **kwargs) -> dict[str, dict]:
    """crawl() for each week in order; returns {week: stats}. Stops at the first failure."""
    return {week: crawl(source, week, snapshot_url=snapshot_url, **kwargs) for week in weeks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crawl one source for one or more ISO weeks.")
    parser.add_argument("source")
    parser.add_argument("weeks", nargs="+", metavar="WEEK")
    parser.add_argument("--snapshot-url")
    parser.add_argument("--page-cap", type=int)
    parser.add_argument("--timeout-s", type=float, default=1800)
    args = parser.parse_args(argv)
    results = crawl_many(args.source, args.weeks, snapshot_url=args.snapshot_url,
                         page_cap=args.page_cap, timeout_s=args.timeout_s)
    for week, stats in results.items():
        print(json.dumps({"week": week, "skipped": stats["skipped"], "items": stats.get("items"),
                          "quarantined": stats.get("quarantined"), "wall_s": stats.get("wall_s")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
