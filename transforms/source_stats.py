"""Per-source crawl statistics of one week, as data for the warehouse.

Inputs (all immutable or written once per week):
- lake/raw/source=<s>/week=<W>/stats.json   the crawl's counters (scrapers/extensions.py)
- lake/runs/week=<W>/sources.json           the run record (credwatch/orchestration.py):
                                             which sources failed, whether the week is partial
- the week's clean postings per source       (normalize), for `dropped`

Output: lake/clean/week=<W>/source_stats.parquet, one row per configured source
(SOURCE_STATS_SCHEMA), written by transforms/normalize.py next to the postings
and loaded by warehouse/models/build/70_stg_source_stats.sql. A source without
a committed raw partition still gets a row (status `failed`, counters null), so
a failed crawl is visible in source_health_weekly instead of missing from it.
"""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths

SOURCE_STATS_SCHEMA = {
    "week": pl.String,
    "source": pl.String,
    "source_type": pl.String,
    "status": pl.String,  # ok (committed raw partition) | failed
    "week_status": pl.String,  # complete | partial | failed (run record); null without a record
    "error": pl.String,
    "finish_reason": pl.String,
    "requests": pl.Int64,
    "responses": pl.Int64,
    "responses_2xx": pl.Int64,
    "responses_3xx": pl.Int64,
    "responses_4xx": pl.Int64,
    "responses_5xx": pl.Int64,
    "download_errors": pl.Int64,
    "retries": pl.Int64,
    "bytes": pl.Int64,
    "items": pl.Int64,
    "items_carried": pl.Int64,
    "quarantined": pl.Int64,
    "dropped": pl.Int64,
    "targets_gone": pl.Int64,
    "duration_s": pl.Float64,
}


def _status_class(by_status: dict, first_digit: str) -> int:
    return sum(int(n) for code, n in (by_status or {}).items() if str(code).startswith(first_digit))


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def source_stats(week: str, postings_by_source: dict[str, int]) -> pl.DataFrame:
    """One row per configured source for `week` (SOURCE_STATS_SCHEMA).

    `postings_by_source`: clean postings kept per job source this week; a
    job source's `dropped` = raw items stored - postings kept (items without
    an id, or the same posting listed twice in one crawl). Null for catalog
    sources (their items are offerings, normalised by other rules).
    """
    record = _read_json(paths().lake / "runs" / f"week={week}" / "sources.json") or {}
    by_record = {r["source"]: r for r in record.get("sources") or []}
    rows = []
    for entry in load_config("sources")["sources"]:
        name, kind = entry["name"], entry.get("type")
        part = paths().raw_partition(name, week)
        stats = _read_json(part / "stats.json") if (part / "_SUCCESS").exists() else None
        rec = by_record.get(name) or {}
        if stats is None and not rec:
            # Neither crawled nor expected by a run record (e.g. a source added later,
            # or clean partitions built by hand): nothing to report.
            continue
        row = {"week": week, "source": name, "source_type": kind, "week_status": record.get("status"),
               "status": "ok" if stats is not None else "failed", "error": rec.get("error")}
        if stats is not None:
            by_status = stats.get("responses_by_status") or {}
            items = stats.get("items")
            row.update(
                finish_reason=stats.get("finish_reason"),
                requests=stats.get("requests"),
                responses=stats.get("responses"),
                responses_2xx=_status_class(by_status, "2"),
                responses_3xx=_status_class(by_status, "3"),
                responses_4xx=_status_class(by_status, "4"),
                responses_5xx=_status_class(by_status, "5"),
                download_errors=sum(int(n) for n in (stats.get("download_errors") or {}).values()),
                retries=stats.get("retries"),
                bytes=stats.get("bytes"),
                items=items,
                items_carried=stats.get("items_carried", 0),
                quarantined=stats.get("quarantined"),
                dropped=(items - postings_by_source.get(name, 0)) if kind == "jobs" and items is not None else None,
                targets_gone=len(stats.get("targets_gone") or []),
                duration_s=stats.get("duration_s"),
            )
        rows.append(row)
    return pl.DataFrame(rows, schema=SOURCE_STATS_SCHEMA).sort("source")


def source_stats_input(partition: Path) -> str:
    """The build parameter source_stats_path of a clean partition: its
    source_stats.parquet, or a schema-only stand-in for partitions normalised
    before it existed (rerun `credwatch normalize` for real numbers)."""
    f = partition / "source_stats.parquet"
    if f.exists():
        return str(f)
    path = paths().warehouse / "work" / "empty" / "source_stats.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        pl.DataFrame(schema=SOURCE_STATS_SCHEMA).write_parquet(tmp)
        tmp.replace(path)
    return str(path)
