"""The weekly pipeline's steps as plain functions.

The Airflow DAG (dags/credential_demand_weekly.py) and the CLI call exactly
these; each takes explicit partitions (weeks, sources) and never "the latest".
Heavy imports happen inside the functions so importing this module is cheap
(DAG files import it at parse time).
"""
from __future__ import annotations

import os

from credwatch.settings import load_config
from credwatch.weeks import parse_week


def log(msg: str) -> None:
    """Progress line; `make demo` echoes lines that start with 'credwatch:'."""
    print(f"credwatch: {msg}", flush=True)


def sources(kind: str | None = None) -> list[str]:
    """Names of configured sources, optionally of one type (jobs / catalog)."""
    return [s["name"] for s in load_config("sources")["sources"] if kind is None or s.get("type") == kind]


def snapshot_url(explicit: str | None = None) -> str | None:
    """The offline snapshot web to crawl instead of production, if any."""
    return explicit or os.environ.get("CREDWATCH_SNAPSHOT_URL") or None


def scrape(source: str, weeks: list[str], snapshot: str | None = None) -> list[dict]:
    """Crawl `source` for the weeks: one Scrapy subprocess crawls them all, each
    week its own immutable partition. Weeks that failed raise CrawlFailed (a
    RuntimeError) after the committed weeks are logged."""
    from scrapers.run import CrawlFailed, crawl_many

    for week in weeks:
        parse_week(week)
    try:
        results, failed = crawl_many(source, weeks, snapshot_url=snapshot_url(snapshot)), None
    except CrawlFailed as exc:
        results, failed = exc.results, exc
    out = []
    for week, stats in results.items():
        what = "raw partition exists, kept (raw is immutable)" if stats.get("skipped") else f"{stats.get('items', 0)} items"
        log(f"[{week}] scrape {source}: {what}")
        out.append({"source": source, "week": week, **{k: stats.get(k) for k in ("items", "quarantined", "skipped")}})
    if failed is not None:
        raise failed
    return out


def normalize(week: str) -> dict:
    from transforms.normalize import normalize_week

    counts = normalize_week(week)
    log(f"[{week}] normalize: {counts['postings']} postings, {counts['demand_mentions']} credential demand mentions")
    return counts


def load(weeks: list[str]) -> dict:
    from warehouse.load import load_weeks

    out = load_weeks(weeks)
    log(f"load + build marts: {len(weeks)} week(s) {min(weeks)}..{max(weeks)}")
    return out


def validate() -> dict:
    from expectations.validate import validate as run_gate

    stats = run_gate()
    log(f"validate: quality gate passed in {stats['seconds']} s")
    for week, failed in stats.get("partial_weeks", {}).items():
        log(f"[{week}] validate: PARTIAL week allowed by partial_week_policy=allow (failed: {', '.join(failed)})")
    return stats


def publish() -> dict:
    from warehouse.publish import publish as do_publish

    manifest = do_publish()
    rows = {t: v["rows"] for t, v in manifest["tables"].items()}
    log(f"publish: {manifest['database']} {rows}")
    return manifest


def run(weeks: list[str], snapshot: str | None = None) -> dict:
    """The whole week set without Airflow: scrape → normalize → load → validate → publish.

    Like the DAG, a failing source does not stop the others: each week's
    run record (lake/runs/week=<W>/sources.json) says which failed, and the
    quality gate's partial_week_policy decides whether the week publishes.
    """
    from credwatch.orchestration import record_weeks, scrape_source

    for source in sources():
        try:
            scrape_source(source, weeks, snapshot)
        except RuntimeError as exc:  # written to the run record below; the gate applies the policy
            log(f"scrape {source} failed, continuing with the other sources: {exc}")
    record_weeks(weeks)
    for week in weeks:
        normalize(week)
    load(weeks)
    validate()
    return publish()
