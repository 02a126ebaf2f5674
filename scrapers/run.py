"""Run crawls of one source in a subprocess and return their stats.

Twisted's reactor cannot restart, so crawls never run in the caller's process
(an Airflow task, a test): `crawl_many(source, weeks)` starts ONE
`python -m scrapers.runner` subprocess that crawls the requested weeks one
after another (Scrapy's ~1.5 s start-up is paid once per source, not once
per week). Every week is still its own crawl writing its own immutable raw
partition, committed independently; weeks whose partition already exists are
skipped without starting anything. Logs go to
`<lake>/logs/scrape-<source>-<week>.log` (one per week) and
`<lake>/logs/scrape-<source>.runner.log` (the process itself).

Sources with a change marker (config `incremental`, scrapers/incremental.py) skip
unchanged postings' requests and carry the previous week's items forward;
`full=True` / `--full` (or env CREDWATCH_FULL_CRAWL=1) fetches everything.

CLI: python -m scrapers.run SOURCE WEEK [WEEK ...] [--snapshot-url URL] [--page-cap N] [--full]
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

from credwatch.procs import pid_alive
from credwatch.settings import ROOT, paths
from credwatch.weeks import parse_week
from scrapers.sources import airflow_credentials_env, auth_env_names, credentials, source_entry, source_option

GRACE_S = 30  # after a timeout, time Scrapy gets to shut down cleanly before SIGKILL


class CrawlFailed(RuntimeError):
    """Some weeks of a crawl_many() run were not committed.

    `failures` maps each failed week to its message; `results` holds the stats
    of the weeks that were committed or skipped, so callers can still report them.
    """

    def __init__(self, failures: dict[str, str], results: dict[str, dict]):
        super().__init__("\n".join(failures.values()))
        self.failures = failures
        self.results = results


def _remove_stale_tmp(final: Path) -> None:
    """Delete `week=<W>.tmp-<pid>` folders left by crawls whose process is gone (killed hard)."""
    for tmp in final.parent.glob(f"{final.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _read_stats(partition: Path) -> dict:
    stats_file = partition / "stats.json"
    if not stats_file.exists():
        return {}
    return json.loads(stats_file.read_text(encoding="utf-8"))


def _not_committed_reason(log_path: Path) -> str | None:
    """The extension's 'NOT committed: <why>' message from the crawl log, if any."""
    if not log_path.exists():
        return None
    reason = None
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if " NOT committed: " in line:
                reason = line.split(" NOT committed: ", 1)[1].split(";", 1)[0].strip()
    return reason and f"not committed because {reason}"


def log_path(source: str, week: str) -> Path:
    return paths().lake / "logs" / f"scrape-{source}-{week}.log"


def crawl_many(source: str, weeks: list[str], snapshot_url: str | None = None, page_cap: int | None = None,
               timeout_s: float = 1800, spider_args: dict[str, str] | None = None,
               settings: dict[str, object] | None = None, full: bool = False) -> dict[str, dict]:
    """Crawl `source` for each ISO week into `<lake>/raw/source=<source>/week=<W>/`, in one subprocess.

    Returns {week: stats} in the order given: the partition's stats.json plus
    `skipped` (True when the partition already existed: raw data is
    immutable), `partition`, and for crawled weeks `log` and `wall_s` (the
    whole subprocess's wall time). `page_cap` (else the entry's `page_cap`)
    caps responses per week via CLOSESPIDER_PAGECOUNT; `spider_args` are extra
    `-a name=value` spider arguments (e.g. `page_size`, `targets`); `settings`
    are Scrapy setting overrides (tests use small timeouts). `timeout_s` is the
    budget per crawled week. `full=True` turns incremental crawling off (every
    posting fetched, none carried from the previous week). Every week is attempted; if any is not committed,
    raises CrawlFailed (a RuntimeError) naming source, week, exit code and log
    path of each, with the other weeks' stats in `.results`.
    """
    weeks = list(dict.fromkeys(weeks))
    for week in weeks:
        parse_week(week)
    entry = source_entry(source)
    results: dict[str, dict] = {}
    pending: list[str] = []
    for week in weeks:
        final = paths().raw_partition(source, week)
        if final.exists():
            results[week] = {**_read_stats(final), "skipped": True, "partition": str(final)}
        else:
            pending.append(week)
    if not pending:
        return results

    env = dict(os.environ)  # keeps the caller's CREDWATCH_* (lake, config) for the child
    if auth_env_names(entry):
        if not snapshot_url:
            env.update(airflow_credentials_env(entry))
        try:
            credentials(entry, snapshot_mode=bool(snapshot_url), environ=env)
        except ValueError as exc:  # before any request: say exactly what to set
            raise CrawlFailed({w: f"crawl of source {source!r} week {w} not started: {exc}" for w in pending},
                              results) from None
    env["SCRAPY_SETTINGS_MODULE"] = "scrapers.settings"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)

    overrides = dict(settings or {})
    # A source whose terms limit the request rate (Remotive: <= 2 requests/minute)
    # sets `download_delay` (seconds); AutoThrottle never goes below it.
    delay = source_option(entry, "download_delay", bool(snapshot_url))
    if delay is not None:
        overrides.setdefault("DOWNLOAD_DELAY", float(delay))
    cap = page_cap if page_cap is not None else entry.get("page_cap")
    if cap is not None:
        overrides["CLOSESPIDER_PAGECOUNT"] = int(cap)
    logs_dir = paths().lake / "logs"
    logs_dir.mkdir(parents=True, exist_ok=True)
    job = {"kind": str(entry["kind"]), "source": source, "weeks": pending, "snapshot_url": snapshot_url,
           "settings": overrides,
           "spider_args": {k: str(v) for k, v in {**(spider_args or {}), **({"incremental": "0"} if full else {})}.items()},
           "logs": {w: str(log_path(source, w)) for w in pending}}
    cmd = [sys.executable, "-m", "scrapers.runner", json.dumps(job)]
    for week in pending:
        final = paths().raw_partition(source, week)
        final.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_tmp(final)
        log_path(source, week).write_text(
            f"# {sys.executable} -m scrapers.runner: source {source} weeks {' '.join(pending)} "
            f"snapshot_url={snapshot_url} settings={overrides} spider_args={job['spider_args']}\n",
            encoding="utf-8")

    runner_log = logs_dir / f"scrape-{source}.runner.log"
    started = time.monotonic()
    budget = timeout_s * len(pending)
    with open(runner_log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)  # the running crawl closes gracefully and does not commit
            try:
                proc.wait(timeout=GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            rc = None
    wall_s = round(time.monotonic() - started, 2)

    failures: dict[str, str] = {}
    for week in pending:
        final = paths().raw_partition(source, week)
        wlog = log_path(source, week)
        if (final / "_SUCCESS").exists():
            stats = _read_stats(final)
            # Another crawl of the same week may have committed first; then ours was discarded.
            results[week] = {**stats, "skipped": stats.get("pid") != proc.pid, "partition": str(final),
                             "log": str(wlog), "wall_s": wall_s}
            continue
        _remove_stale_tmp(final)
        if rc is None:
            failures[week] = (
                f"crawl of source {source!r} week {week} timed out after {budget:.0f} s ({timeout_s:.0f} s per week) "
                f"and was stopped; nothing was committed. See {wlog}; raise timeout_s or set a page_cap")
        elif rc != 0:
            failures[week] = (f"crawl of source {source!r} week {week} failed with exit code {rc}; "
                              f"see {wlog} and {runner_log}")
        else:
            why = _not_committed_reason(wlog) or "it was not committed (see the ERROR lines)"
            failures[week] = (f"crawl of source {source!r} week {week} exited with code {rc} but produced no "
                              f"partition at {final}: {why}; see {wlog}")
    ordered = {w: results[w] for w in weeks if w in results}
    if failures:
        raise CrawlFailed(failures, ordered)
    return ordered


def crawl(source: str, week: str, snapshot_url: str | None = None, page_cap: int | None = None,
          timeout_s: float = 1800, spider_args: dict[str, str] | None = None,
          settings: dict[str, object] | None = None, full: bool = False) -> dict:
    """crawl_many() for one week: that week's stats (raises CrawlFailed when not committed)."""
    return crawl_many(source, [week], snapshot_url=snapshot_url, page_cap=page_cap, timeout_s=timeout_s,
                      spider_args=spider_args, settings=settings, full=full)[week]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crawl one source for one or more ISO weeks (one subprocess).")
    parser.add_argument("source")
    parser.add_argument("weeks", nargs="+", metavar="WEEK")
    parser.add_argument("--snapshot-url")
    parser.add_argument("--page-cap", type=int)
    parser.add_argument("--timeout-s", type=float, default=1800, help="budget per week (seconds)")
    parser.add_argument("--full", action="store_true",
                        help="fetch every posting (no incremental skipping of unchanged postings)")
    args = parser.parse_args(argv)
    try:
        results = crawl_many(args.source, args.weeks, snapshot_url=args.snapshot_url,
                             page_cap=args.page_cap, timeout_s=args.timeout_s, full=args.full)
        rc = 0
    except CrawlFailed as exc:
        results, rc = exc.results, 1
        print(str(exc), file=sys.stderr)
    for week, stats in results.items():
        print(json.dumps({"week": week, "skipped": stats["skipped"], "items": stats.get("items"),
                          "quarantined": stats.get("quarantined"), "requests_skipped": stats.get("requests_skipped"),
                          "items_carried": stats.get("items_carried"), "wall_s": stats.get("wall_s")}))
    return rc


if __name__ == "__main__":
    sys.exit(main())
