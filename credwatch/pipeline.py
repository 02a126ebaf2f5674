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


def validate(weeks: list[str] | None = None) -> dict:
    """Quality gate on the weeks being published (default: every loaded week);
    raises QualityGateFailed naming the problem. Data Docs are written either way."""
    from expectations.validate import validate as run_gate

    stats = run_gate(weeks)
    per_suite = ", ".join(f"{k} {v['expectations']} in {v['seconds']} s" for k, v in stats["suites"].items())
    log(f"validate: quality gate passed: {stats['expectations']} expectations on {len(stats['weeks'])} week(s) "
        f"in {stats['seconds']} s ({stats['seconds_per_week']} s/week; {per_suite})")
    log(f"validate: Data Docs {stats['data_docs']}")
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
    from credwatch.orchestration import loaded_weeks, record_weeks, scrape_source

    for source in sources():
        try:
            scrape_source(source, weeks, snapshot)
        except RuntimeError as exc:  # written to the run record below; the gate applies the policy
            log(f"scrape {source} failed, continuing with the other sources: {exc}")
    record_weeks(weeks)
    for week in weeks:
        normalize(week)
    validate(loaded_weeks(load(weeks)))
    return publish()


def missing_raw_partitions(weeks: list[str]) -> dict[tuple[str, str], str]:
    """{(source, week): why it is needed} for raw partitions a rebuild of `weeks` lacks.

    Needed: every source the week's run record lists as ok (its partition
    was committed once; raw is immutable, so it must still be there); for a
    week without a run record, at least one job source (else there is
    nothing to rebuild from, and every job source is reported).
    """
    from credwatch.orchestration import read_week_record
    from credwatch.settings import paths

    out = {}
    for week in weeks:
        parse_week(week)
        committed = {s for s in sources() if (paths().raw_partition(s, week) / "_SUCCESS").exists()}
        record = read_week_record(week)
        if record is not None:
            for s in record.get("ok_sources") or []:
                if s not in committed:
                    out[(s, week)] = f"the run record of {week} lists {s} as ok"
        elif not committed & set(sources("jobs")):
            for s in sources("jobs"):
                out[(s, week)] = f"no job source has a raw partition for {week}"
    return out


def backfill(weeks: list[str], rescrape: bool = False, snapshot: str | None = None) -> dict:
    """Rebuild `weeks` from the lake: normalize → load → validate → publish.

    Raw partitions are the immutable input and are not crawled again. When
    one is missing, raises FileNotFoundError naming it and the fix, unless
    `rescrape` is True: then exactly the missing (source, week) partitions
    are crawled first (production, or the snapshot web at `snapshot`) and
    those weeks' run records rewritten. Rebuilding a week replaces exactly
    its clean partition and warehouse rows, so a backfill of unchanged
    inputs publishes byte-identical marts (tests/test_backfill.py).
    """
    import time

    from credwatch.orchestration import loaded_weeks, record_weeks, scrape_source
    from credwatch.settings import paths

    weeks = sorted(set(weeks))
    for week in weeks:
        parse_week(week)
    missing = missing_raw_partitions(weeks)
    if missing and not rescrape:
        lines = [f"{paths().raw_partition(s, w)} ({why})" for (s, w), why in sorted(missing.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
        raise FileNotFoundError(
            "backfill rebuilds from raw partitions, and these are missing: " + "; ".join(lines)
            + ". Restore them from a backup of the lake, or rerun with --rescrape to crawl exactly these again "
              "(add --snapshot-url URL to crawl the offline snapshot web)")
    if missing:
        by_source: dict[str, list[str]] = {}
        for s, w in sorted(missing):
            by_source.setdefault(s, []).append(w)
        for s, ws in by_source.items():
            log(f"backfill: re-scraping {s} for {', '.join(ws)} (raw partitions missing)")
            scrape_source(s, ws, snapshot)
        record_weeks(sorted({w for _, w in missing}))
    seconds: dict = {"normalize": {}}
    for week in weeks:
        t = time.monotonic()
        normalize(week)
        seconds["normalize"][week] = round(time.monotonic() - t, 2)
    t = time.monotonic()
    result = load(weeks)
    seconds["load"] = round(time.monotonic() - t, 2)
    t = time.monotonic()
    validate(loaded_weeks(result))
    seconds["validate"] = round(time.monotonic() - t, 2)
    t = time.monotonic()
    manifest = publish()
    seconds["publish"] = round(time.monotonic() - t, 2)
    return {"weeks": weeks, "rescraped": sorted(missing), "load": result, "publish": manifest,
            "seconds": seconds}
