"""Open the spider's raw partition when the crawl starts; at close write stats.json and commit.

A crawl is committed (renamed into `week=<W>/`) only when it finished normally
(or hit its page cap), no list/index request failed for good and no callback
raised. Otherwise the temp folder is removed and the week stays absent, so a
rerun can fetch it: raw partitions are immutable once committed, and a week with
a silently missing board could never be repaired.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import resource
from typing import Any

from scrapy import signals

from scrapers.partition import utc_now_iso

logger = logging.getLogger(__name__)

COMMIT_REASONS = ("finished", "closespider_pagecount")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _by_suffix(raw: dict[str, Any], prefix: str) -> dict[str, Any]:
    return dict(sorted((key[len(prefix):], n) for key, n in raw.items() if key.startswith(prefix)))


def peak_rss_bytes() -> int:
    """Peak resident memory of this crawl process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def build_stats(crawler, spider, reason: str) -> dict[str, Any]:
    """The stats.json document: our counters first, Scrapy's full stats under `scrapy`.

    The top-level keys are the same for every spider (the warehouse loads
    them as source_health): requests, responses (archived), responses_by_status,
    bytes, retries (+ retry_reasons), download_errors by exception, requests
    forbidden by robots.txt, items, quarantined (+ quarantine_reasons),
    failed requests, targets gone (404 boards), the spider's counters and the
    process's peak RSS; for incremental crawls, requests_skipped (posting requests
    not made because the change marker was unchanged) and items_carried (items
    copied from the previous week instead), with `incremental` saying whether it
    was on, the marker and the previous week used. Durations are in seconds, sizes in bytes.
    """
    raw = crawler.stats.get_stats()
    partition = spider.partition
    by_status = _by_suffix(raw, "downloader/response_status_count/")
    started, finished = raw.get("start_time"), raw.get("finish_time")
    return {
        "source": spider.source,
        "week": spider.week,
        "spider": spider.name,
        "snapshot_url": spider.snapshot_url,
        "pid": os.getpid(),
        "started_at": _jsonable(raw.get("start_time")),
        "finished_at": _jsonable(raw.get("finish_time")) or utc_now_iso(),
        "finish_reason": reason,
        "page_cap": crawler.settings.getint("CLOSESPIDER_PAGECOUNT"),
        "requests": raw.get("downloader/request_count", 0),
        "responses": partition.responses,
        "responses_by_status": dict(sorted(by_status.items())),
        "bytes": raw.get("downloader/response_bytes", 0),
        "archived_bytes": partition.archived_bytes,
        "retries": raw.get("retry/count", 0),
        "retry_reasons": _by_suffix(raw, "retry/reason_count/"),
        "retries_given_up": raw.get("retry/max_reached", 0),
        "download_errors": _by_suffix(raw, "downloader/exception_type_count/"),
        "robots_forbidden": raw.get("robotstxt/forbidden", 0),
        "duration_s": round((finished - started).total_seconds(), 3) if started and finished else None,
        "items": partition.items,
        "item_count": dict(partition.item_count),
        "quarantined": partition.quarantined,
        "quarantine_reasons": dict(sorted(partition.quarantine_reasons.items())),
        "lost_postings": spider.counters.get("credwatch/lost_postings", 0),
        "requests_skipped": spider.counters.get("credwatch/requests_skipped", 0),
        "items_carried": spider.counters.get("credwatch/items_carried", 0),
        "incremental": {
            "enabled": bool(getattr(spider, "incremental", False)),
            "marker": getattr(spider, "CHANGE_MARKER", None),
            "previous_week": spider.carry.week if getattr(spider, "carry", None) is not None else None,
        },
        "targets_gone": sorted(getattr(spider, "targets_gone", ())),
        "failed_requests": {
            "critical": raw.get("credwatch/failed_requests/critical", 0),
            "optional": raw.get("credwatch/failed_requests/optional", 0),
        },
        "spider_exceptions": sum(n for k, n in raw.items() if k.startswith("spider_exceptions/")),
        "errors": raw.get("log_count/ERROR", 0),
        "counters": dict(sorted(spider.counters.items())),
        "peak_rss_bytes": peak_rss_bytes(),
        "scrapy": _jsonable(dict(sorted(raw.items()))),
    }


def commit_problem(stats: dict[str, Any]) -> str | None:
    """Why this crawl must not be committed, or None when it may be."""
    if stats["finish_reason"] not in COMMIT_REASONS:
        return f"the crawl ended with finish_reason={stats['finish_reason']!r}"
    if stats["failed_requests"]["critical"]:
        return f"{stats['failed_requests']['critical']} list/index request(s) failed for good"
    if stats["spider_exceptions"]:
        return f"{stats['spider_exceptions']} callback(s) raised (a parser bug)"
    return None


class RawPartitionExtension:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        # Connected after CoreStats (also an extension), so finish_time is set by now.
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        spider.partition.open()
        logger.info("writing raw partition into %s", spider.partition.tmp)

    def spider_closed(self, spider, reason):
        stats = build_stats(self.crawler, spider, reason)
        problem = commit_problem(stats)
        partition = spider.partition
        if problem:
            partition.abort()
            logger.error(
                "source %s week %s NOT committed: %s; the ERROR lines before this one say which URL/callback; "
                "the temp folder was removed, fix the cause and rerun",
                spider.source, spider.week, problem,
            )
            return
        final = partition.commit(stats)
        logger.info(
            "committed %s: %d items, %d quarantined, %d responses",
            final, stats["items"], stats["quarantined"], stats["responses"],
        )
