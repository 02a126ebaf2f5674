"""What every credwatch spider shares: arguments, config, URL resolution, items, errors.

Spider arguments (`scrapy crawl <kind> -a source=... -a week=... [-a snapshot_url=...]`):
- source        name of the entry in config/sources.yml (its `kind` must be the spider name)
- week          ISO week of the raw partition, YYYY-Www
- snapshot_url  base of the offline snapshot web; then every URL becomes
                `<snapshot_url>/<week>/<source>/<real path>` and target lists
                (boards, sites, sitemaps) come from the entry's `snapshot:` block.
- targets       comma-separated list replacing the configured boards / sites /
                sitemaps / companies for this run (ad-hoc crawls, benchmarks)
- incremental   `0` for a full crawl of a source that supports incremental
                crawls (also: env CREDWATCH_FULL_CRAWL=1, `scrapers.run --full`)

Per-source spiders only implement `first_requests()` and their parse callbacks,
using these building blocks:
- `request(url, cb, critical=True, target=None, expect_json=False)`: a list
  request; `critical` failures keep the week from being committed; a `target`
  (board, company) answering 404/410 is a board that no longer exists: it is
  counted and skipped, unless every configured target is gone;
- `posting_request(url, cb, source_id=..)`: a request standing for ONE listed
  posting (detail page, job page, comment). If it fails for good (HTTP error,
  timeout, too large, redirect loop, robots.txt) the posting is quarantined as
  a `LostPosting` with the reason, so every listed posting is either stored or
  quarantined;
- `queue_posting(build, *args)` / `queue_postings(build, iterable)`: put
  posting requests on the spider's own frontier instead of Scrapy's
  scheduler. At most CREDWATCH_FRONTIER_WINDOW of them are in flight; each one
  that completes releases the next (see FrontierMiddleware), and an iterable
  is only advanced as requests are released. A sitemap of 40,000 jobs is then
  read lazily while it is crawled instead of becoming 40,000 queued Request
  objects up front, so memory stays flat;
- `load_json(response)`: the body parsed by JsonBodyMiddleware (which also
  re-fetches unparseable bodies), or None with the failure recorded;
- `new_entries()` / `refetch_once()`: offset pagination that survives a server
  repeating a page;
- incremental crawls (spiders with a `CHANGE_MARKER`, see scrapers/incremental.py):
  `carry_forward(key, marker)` returns the previous week's stored items when the
  listed posting's marker is unchanged (then its request is skipped), else None;
  `posting_request(..., marker=(key, marker))` records the marker of what was
  fetched in markers.jsonl for the next week.
Module-level helpers normalise values that several sources share (dates,
salary periods, HTML to text).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import os
import re
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from w3lib.html import remove_tags, replace_entities

from credwatch.weeks import parse_week
from scrapers.incremental import FULL_CRAWL_ENV, CarryIndex
from scrapers.items import LostPosting, OfferingItem, PostingItem
from scrapers.middlewares import EXPECT, PARSED_JSON, decode_json
from scrapers.partition import RawPartition, utc_now_iso
from scrapers.sources import source_entry

GONE_STATUSES = (404, 410)
_DONE = object()


class CredwatchSpider(scrapy.Spider):
    #: `True` for requests whose failure loses a whole list (board, sitemap, catalog):
    #: such a failure keeps the partition from being committed.
    CRITICAL = "credwatch_critical"
    #: The board / company / site a list request belongs to (404 → target gone).
    TARGET = "credwatch_target"
    #: {"source_id", "url"} of the one posting a request stands for.
    POSTING = "credwatch_posting"
    #: Set on the second fetch of a page that repeated an earlier page.
    REFETCHED = "credwatch_refetched"
    #: Set on requests released from the frontier; FRONTIER_DONE once they completed.
    FRONTIER = "credwatch_frontier"
    FRONTIER_DONE = "credwatch_frontier_done"
    DEFAULT_FRONTIER_WINDOW = 64
    #: (key, change marker) of the listed posting a request fetches; MARKER_DONE once recorded.
    MARKER = "credwatch_marker"
    MARKER_DONE = "credwatch_marker_done"
    #: What the source lists that changes when a posting changes (e.g. "sitemap <lastmod>"),
    #: for spiders that can skip unchanged postings' requests; None = no incremental crawl.
    CHANGE_MARKER: str | None = None
    DEFAULT_MAX_AGE_WEEKS = 4
    _FALSE = ("0", "false", "no", "off")

    def __init__(self, source: str | None = None, week: str | None = None,
                 snapshot_url: str | None = None, targets: str | None = None,
                 incremental: str | bool | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not source:
            raise ValueError(f"spider {self.name!r} needs -a source=<a name in config/sources.yml>")
        if not week:
            raise ValueError(f"spider {self.name!r} needs -a week=YYYY-Www (the ISO week of the partition)")
        parse_week(week)
        entry = source_entry(source)
        if entry.get("kind") != self.name:
            raise ValueError(
                f"source {source!r} has kind {entry.get('kind')!r} in config/sources.yml, "
                f"but spider {self.name!r} was started; run `scrapy crawl {entry.get('kind')}`"
            )
        self.source = source
        self.week = week
        self.entry = entry
        self.snapshot_url = snapshot_url.rstrip("/") if snapshot_url else None
        if self.snapshot_url:
            self.base_url = f"{self.snapshot_url}/{week}/{source}"
        else:
            self.base_url = str(entry.get("base_url") or "").rstrip("/")
        self.target_override = [t.strip() for t in str(targets).split(",") if t.strip()] if targets else None
        self.counters: Counter[str] = Counter()
        self.partition = RawPartition(source, week)
        self.target_total = 0
        self.targets_gone: set[str] = set()
        self.seen_ids: dict[str, set[str]] = {}
        self.frontier: deque[tuple[Callable[..., scrapy.Request], Iterator[tuple]]] = deque()
        self.in_flight = 0
        self.window = self.DEFAULT_FRONTIER_WINDOW
        # Incremental: on when the spider has a change marker, config `incremental` is not
        # false, and neither the spider argument nor the environment asks for a full crawl.
        def false(value: Any) -> bool:
            return str(value).strip().lower() in self._FALSE

        full = (incremental is not None and false(incremental)) \
            or not false(os.environ.get(FULL_CRAWL_ENV) or "0")
        self.incremental = self.CHANGE_MARKER is not None and not full and not false(self.option("incremental", True))
        self.max_age_weeks = (self.int_option("incremental_max_age_weeks", self.DEFAULT_MAX_AGE_WEEKS)
                              if self.CHANGE_MARKER is not None else None)
        self.carry: CarryIndex | None = None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.window = crawler.settings.getint("CREDWATCH_FRONTIER_WINDOW", cls.DEFAULT_FRONTIER_WINDOW)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        if spider.partition.exists():
            raise FileExistsError(
                f"raw partition {spider.partition.final} already exists and raw data is immutable; "
                "nothing to crawl (delete the folder by hand only to re-crawl on purpose)"
            )
        if spider.incremental:
            spider.carry = CarryIndex.load(spider.source, spider.week, spider.max_age_weeks)
            if spider.carry is not None:
                spider.logger.info("incremental crawl: %d postings with markers in week %s (marker: %s)",
                                   len(spider.carry), spider.carry.week, spider.CHANGE_MARKER)
        return spider

    def closed(self, reason: str) -> None:
        if self.carry is not None:
            self.carry.close()

    # -- config ----------------------------------------------------------------
    def option(self, key: str, default: Any = None) -> Any:
        """A setting of the source entry; in snapshot mode the `snapshot:` block wins."""
        if self.snapshot_url and key in (self.entry.get("snapshot") or {}):
            return self.entry["snapshot"][key]
        return self.entry.get(key, default)

    def int_option(self, key: str, default: int, value: Any = None, *, maximum: int | None = None) -> int:
        """A positive integer option (spider argument `value` first, then config)."""
        value = value if value is not None else self.option(key, default)
        if not str(value).isdigit() or int(value) < 1 or (maximum is not None and int(value) > maximum):
            bound = f" at most {maximum}" if maximum is not None else ""
            raise ValueError(f"{self.name} {key} {value!r} must be a positive integer{bound} "
                             f"(config/sources.yml `{key}` or -a {key}=N)")
        return int(value)

    def targets(self, key: str) -> list[str]:
        """The list of boards/sites/sitemaps to crawl: from `snapshot:` in snapshot mode."""
        if self.target_override:
            self.target_total = len(self.target_override)
            return list(self.target_override)
        block = (self.entry.get("snapshot") or {}) if self.snapshot_url else self.entry
        where = f"snapshot.{key}" if self.snapshot_url else key
        values = block.get(key)
        if not values or not isinstance(values, list):
            raise ValueError(
                f"source {self.source!r} has no list `{where}` in config/sources.yml; "
                f"add the {key} to crawl there"
            )
        self.target_total = len(values)
        return [str(v) for v in values]

    # -- URLs ------------------------------------------------------------------
    def url(self, path: str) -> str:
        """Absolute URL for a source path (`/v1/boards/x/jobs`) or an absolute/relative entry."""
        if urlsplit(path).scheme:
            return self.snapshot_rewrite(path)
        if not self.base_url:
            raise ValueError(
                f"source {self.source!r} needs `base_url` in config/sources.yml to resolve {path!r}"
            )
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def snapshot_rewrite(self, url: str) -> str:
        """In snapshot mode, map a production URL onto the snapshot web (same path and query)."""
        if not self.snapshot_url or url.startswith(self.snapshot_url + "/"):
            return url
        parts = urlsplit(url)
        return f"{self.base_url}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    # -- requests and failures ---------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        try:
            requests = list(self.first_requests())
        except ValueError as exc:
            # Scrapy would log this and finish "normally" with nothing crawled;
            # a critical failure keeps that empty week from being committed.
            self.fail(self.base_url or self.source, f"has unusable config: {exc}")
            return
        for request in requests:
            yield request

    def first_requests(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError(f"{type(self).__name__} must implement first_requests()")

    def request(self, url: str, callback, *, critical: bool = True, target: str | None = None,
                expect_json: bool = False, cb_kwargs: dict | None = None, **kwargs: Any) -> scrapy.Request:
        meta = {**kwargs.pop("meta", {}), self.CRITICAL: critical}
        if target is not None:
            meta[self.TARGET] = target
        if expect_json:
            meta[EXPECT] = "json"
        return scrapy.Request(url, callback=callback, errback=self.on_request_error,
                              cb_kwargs=cb_kwargs or {}, meta=meta, **kwargs)

    def posting_request(self, url: str, callback, *, source_id: Any = None, listed_url: str | None = None,
                        marker: tuple[str, str | None] | None = None, **kwargs: Any) -> scrapy.Request:
        """A request for one listed posting; if it fails for good the posting is quarantined.

        `dont_filter=True`: the spider dedupes postings by id itself, and a
        redirect loop must run into REDIRECT_MAX_TIMES (an error we can record)
        instead of being dropped silently by the duplicate filter. `marker`:
        (listed key, change marker), recorded in markers.jsonl with the payload
        stored for it (incremental crawls).
        """
        meta = {**kwargs.pop("meta", {}), self.POSTING: {
            "source_id": str(source_id) if source_id not in (None, "") else None,
            "url": listed_url or url}}
        if marker is not None and self.CHANGE_MARKER is not None:
            meta[self.MARKER] = marker
        return self.request(url, callback, critical=False, meta=meta, dont_filter=True, **kwargs)

    # -- frontier (bounded number of posting requests in flight) ----------------------
    def queue_posting(self, build: Callable[..., scrapy.Request], *args: Any) -> list[scrapy.Request]:
        """Queue `build(*args)` (a posting request, built when released); returns what may go now."""
        return self.queue_postings(build, [args])

    def queue_postings(self, build: Callable[..., scrapy.Request], args: Iterable[Any]) -> list[scrapy.Request]:
        """Queue `build(*a)` for every `a` of `args` (tuples, or single values), advancing
        `args` only as requests are released; returns what may go now. The iterable must
        not raise (it runs inside whichever callback releases next)."""
        self.frontier.append((build, iter(args)))
        return self.release()

    def release(self) -> list[scrapy.Request]:
        """Requests from the frontier while fewer than `window` are in flight."""
        out = []
        while self.frontier and self.in_flight < self.window:
            build, pending = self.frontier[0]
            args = next(pending, _DONE)
            if args is _DONE:
                self.frontier.popleft()
                continue
            request = build(*args) if isinstance(args, tuple) else build(args)
            request.meta[self.FRONTIER] = True
            self.in_flight += 1
            out.append(request)
        return out

    def complete(self, request: scrapy.Request) -> bool:
        """Mark a frontier request done (once, whatever path reports it); True if it was in flight."""
        if request.meta.get(self.FRONTIER) and not request.meta.get(self.FRONTIER_DONE):
            request.meta[self.FRONTIER_DONE] = True
            self.in_flight -= 1
            return True
        return False

    def on_idle(self) -> None:
        """Nothing in flight but the frontier is not empty (a request vanished without a
        callback or errback): forget what was counted in flight and release more."""
        if not self.frontier:
            return
        self.in_flight = 0
        for request in self.release():
            self.crawler.engine.crawl(request)
        raise DontCloseSpider("frontier not empty")

    def count(self, key: str, n: int = 1) -> None:
        """Count an event in `self.counters` and in the crawl stats (stats.json)."""
        self.counters[key] += n
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.inc_value(key, n)

    def fail(self, url: str, problem: str, *, critical: bool = True) -> None:
        """Record a request whose content is lost; critical failures block the commit."""
        self.count(f"credwatch/failed_requests/{'critical' if critical else 'optional'}")
        if critical:
            self.logger.error("source %s week %s: %s %s; the week will not be committed, "
                              "check the URL/config or rerun later", self.source, self.week, url, problem)
        else:
            self.logger.warning("source %s week %s: %s %s; skipped", self.source, self.week, url, problem)

    def lost(self, url: str, problem: str, *, source_id: str | None = None, status: int | None = None,
             fetched_at: str | None = None) -> LostPosting:
        """A listed posting that could not be read: goes to the quarantine with `problem`."""
        self.count("credwatch/lost_postings")
        self.logger.warning("source %s week %s: posting %s %s; quarantined", self.source, self.week, url, problem)
        return LostPosting(source=self.source, source_id=source_id, url=url, reason=problem, status=status,
                           week=self.week, fetched_at=fetched_at or utc_now_iso())

    def on_request_error(self, failure):
        request = failure.request
        status = None
        # Reasons name the kind of failure without the URL, so quarantine_reasons in
        # stats.json aggregate; the URL and the full message are in the log line.
        if failure.check(HttpError):
            status = failure.value.response.status
            problem = f"answered HTTP {status}"
        elif failure.check(IgnoreRequest):
            problem = f"was not fetched: {failure.getErrorMessage() or 'ignored'}"
        elif failure.check(DownloadCancelledError) and "max size" in failure.getErrorMessage():
            problem = f"response is larger than DOWNLOAD_MAXSIZE ({self.setting('DOWNLOAD_MAXSIZE')} bytes)"
        elif failure.check(DownloadTimeoutError, TimeoutError):
            problem = f"timed out after {self.setting('DOWNLOAD_TIMEOUT')} s, retries exhausted"
        else:
            problem = f"failed: {failure.type.__name__}"
        self.logger.info("%s: %s (%s)", request.url, problem, failure.getErrorMessage())
        posting = request.meta.get(self.POSTING)
        if posting is not None:
            self.complete(request)
            return [self.lost(posting["url"], problem, source_id=posting["source_id"], status=status),
                    *self.release()]
        target = request.meta.get(self.TARGET)
        if target is not None and status in GONE_STATUSES:
            self.target_gone(target, request.url, status)
            return None
        self.fail(request.url, problem, critical=request.meta.get(self.CRITICAL, True))
        return None

    def setting(self, name: str) -> Any:
        settings = getattr(self, "settings", None)
        return settings.get(name) if settings is not None else None

    def target_gone(self, target: str, url: str, status: int) -> None:
        """A configured board/company that answers 404/410: it has no postings any more.

        Counted (`credwatch/targets_gone`, listed in stats.json) and skipped, so
        one closed board does not block the week; if every target is gone the
        config (or the base URL) is wrong, and that is a critical failure.
        """
        self.targets_gone.add(target)
        self.count("credwatch/targets_gone")
        if self.target_total and len(self.targets_gone) >= self.target_total:
            self.fail(url, f"answered HTTP {status}, and so did every other configured target "
                           f"({', '.join(sorted(self.targets_gone))}): check the config and base_url")
        else:
            self.logger.warning("source %s week %s: target %r is gone (%s answered HTTP %s); "
                                "remove it from config/sources.yml if it stays gone",
                                self.source, self.week, target, url, status)

    def load_json(self, response: Response, *, critical: bool = True, record: bool = True) -> Any:
        """Parsed JSON body, or None when the body is not JSON.

        A body of JSON `null` counts as not JSON (Firebase says `null` for a
        missing item). The failure is recorded (critical or optional) unless
        `record=False`, for callers that handle it themselves.
        """
        if PARSED_JSON in response.meta:
            data, problem = response.meta[PARSED_JSON], None
        else:
            try:
                data, replaced = decode_json(response.body)
                problem = None
            except ValueError as exc:
                data, replaced, problem = None, False, f"did not return JSON ({exc})"
            if replaced:
                self.count("credwatch/invalid_utf8")
        if data is None and record:
            self.fail(response.url, problem or "returned JSON null (no such document)", critical=critical)
        return data

    # -- pagination ---------------------------------------------------------------
    def new_entries(self, key: str, entries: list, id_of) -> list:
        """Entries of a page whose id was not seen before under `key` (a board/company).

        Repeats (a page served twice, overlapping pages) are counted as
        `credwatch/repeated_entries` and skipped.
        """
        seen = self.seen_ids.setdefault(key, set())
        new = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            ident = id_of(entry)
            if ident is not None and str(ident) in seen:
                self.count("credwatch/repeated_entries")
                continue
            if ident is not None:
                seen.add(str(ident))
            new.append(entry)
        return new

    def refetch_once(self, response: Response) -> scrapy.Request | None:
        """The same page once more, when it brought nothing new (a server repeating a page).

        None when it was already fetched twice: then the caller moves on.
        """
        if response.meta.get(self.REFETCHED):
            self.count("credwatch/repeated_pages_unresolved")
            return None
        self.count("credwatch/repeated_pages")
        meta = {k: v for k, v in response.meta.items()
                if k not in (PARSED_JSON, "credwatch_fetched_at", "credwatch_sha256")}
        return response.request.replace(dont_filter=True, meta={**meta, self.REFETCHED: True})

    # -- incremental crawls ----------------------------------------------------------
    def listed_key(self, url: str) -> str:
        """A listed URL as a key that is the same every week: in snapshot mode without
        the `<snapshot_url>/<week>/<source>` prefix (the week is part of that URL)."""
        if self.snapshot_url and url.startswith(self.base_url + "/"):
            return url[len(self.base_url):]
        return url

    def carry_forward(self, key: str, marker: str | None, listing: Response) -> list[PostingItem] | None:
        """The previous week's stored items for listed posting `key` when its change
        `marker` is unchanged: the caller yields them instead of requesting the posting.
        None when the posting must be fetched (incremental off, no previous week, new or
        changed posting, or see CarryIndex.lookup).

        The archived body is copied into this partition and logged in the manifest
        (`carried_from`, and the body's own fetched_at); items keep their
        payload_sha256 and get this `week`, `carried_from` = the previous week and
        `fetched_at` = when `listing` (the list response that showed the unchanged
        marker) was fetched: the posting was observed in this week's listing.
        """
        if self.carry is None:
            return None
        found = self.carry.lookup(key, marker)
        if found is None:
            if key in self.carry.keys:
                self.count("credwatch/incremental/refetched")
            return None
        record, stored = found
        self.partition.carry_response(self.carry, record)
        self.partition.marker({**record, "key": key})
        self.count("credwatch/requests_skipped")
        self.count("credwatch/items_carried", len(stored))
        names = {f.name for f in dataclasses.fields(PostingItem)}
        return [PostingItem(**{**{k: v for k, v in r.items() if k in names},
                               "url": self.snapshot_rebase(r.get("url"), self.carry.week),
                               "week": self.week, "carried_from": self.carry.week,
                               "fetched_at": self.provenance(listing)["fetched_at"]})
                for r in stored]

    def snapshot_rebase(self, url: Any, week: str) -> Any:
        """In snapshot mode, a URL of the snapshot web for `week` as the same URL for this
        week (snapshot URLs carry the week; production URLs do not, and pass unchanged)."""
        if not self.snapshot_url or not isinstance(url, str):
            return url
        parts = urlsplit(url)
        prefix = f"/{week}/{self.source}/"
        if not parts.path.startswith(prefix):
            return url
        return f"{self.base_url}/{parts.path[len(prefix):]}" + (f"?{parts.query}" if parts.query else "")

    def record_marker(self, response: Response) -> None:
        """markers.jsonl line for the listed posting `response` answered (once per response)."""
        meta = response.meta if response.request is not None else {}
        key_marker = meta.get(self.MARKER)
        if not key_marker or not key_marker[1] or meta.get(self.MARKER_DONE):
            return
        meta[self.MARKER_DONE] = True
        self.partition.marker({"key": key_marker[0], "marker": key_marker[1], "sha256": meta["credwatch_sha256"],
                               "fetched_week": self.week, "fetched_at": meta["credwatch_fetched_at"],
                               "url": response.url, "status": response.status, "bytes": len(response.body)})

    # -- items -------------------------------------------------------------------
    def provenance(self, response: Response) -> dict[str, str]:
        """week, fetched_at and payload_sha256 for items built from `response`."""
        meta = response.meta if response.request is not None else {}
        # The archive middleware sets both; without it (unit tests) compute them once per response.
        if not meta.get("credwatch_sha256"):
            meta["credwatch_sha256"] = hashlib.sha256(response.body).hexdigest()
        if not meta.get("credwatch_fetched_at"):
            meta["credwatch_fetched_at"] = utc_now_iso()
        return {"week": self.week, "fetched_at": meta["credwatch_fetched_at"], "payload_sha256": meta["credwatch_sha256"]}

    def posting(self, response: Response, **fields: Any) -> PostingItem:
        item = PostingItem(source=self.source, **fields, **self.provenance(response))
        self.record_marker(response)
        return item

    def offering(self, response: Response, **fields: Any) -> OfferingItem:
        return OfferingItem(source=self.source, **fields, **self.provenance(response))


# -- shared value helpers --------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def iso_date(value: Any) -> str | None:
    """'YYYY-MM-DD' from an ISO date/datetime string (date as written, offset kept) or epoch ms."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # ms vs s
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date().isoformat()
    m = _ISO_DATE.match(str(value).strip())
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1)).isoformat()
    except ValueError:
        return None


_PERIODS = (("hour", ("hour", "hr")), ("day", ("day", "daily")), ("week", ("week",)),
            ("month", ("month",)), ("year", ("year", "annual", "annum")))


def salary_period(text: Any) -> str | None:
    """'hour'/'day'/'week'/'month'/'year' from a unit such as YEAR, per-hour-wage, 'a month'."""
    if not text:
        return None
    low = str(text).lower()
    for period, words in _PERIODS:
        if any(w in low for w in words):
            return period
    return None


def to_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "").replace(" ", "")
    try:
        return float(text)
    except ValueError:
        return None


_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([kK])?")
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CURRENCY_CODE = re.compile(r"\b(USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|INR|JPY|SGD|HKD|BRL|MXN|ZAR)\b")


def parse_salary_text(text: str) -> dict[str, Any]:
    """min/max/currency/period from free text like '$120k - $150k per year' (best effort).

    A bare '$' is read as USD (inferred; CAD/AUD postings usually name the code).
    """
    amounts = []
    for number, k in _AMOUNT.findall(text):
        value = to_float(number)
        if value is not None:
            amounts.append(value * 1000 if k else value)
    code = _CURRENCY_CODE.search(text)
    currency = code.group(1) if code else next((c for s, c in _CURRENCY_SYMBOLS.items() if s in text), None)
    return {
        "salary_min": min(amounts) if amounts else None,
        "salary_max": max(amounts) if amounts else None,
        "salary_currency": currency,
        "salary_period": salary_period(text),
    }


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an HTML fragment: list items on their own lines, entities decoded."""
    if not fragment:
        return None
    text = re.sub(r"(?i)<li[^>]*>", "\n- ", fragment)
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|h\d|ul|ol)>", "\n", text)
    text = replace_entities(remove_tags(text))
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or None


def unescape_once(text: str | None) -> str | None:
    return html.unescape(text) if text else text
