"""What every credwatch spider shares: arguments, config, URL resolution, items, errors.

Spider arguments (`scrapy crawl <kind> -a source=... -a week=... [-a snapshot_url=...]`):
- source        name of the entry in config/sources.yml (its `kind` must be the spider name)
- week          ISO week of the raw partition, YYYY-Www
- snapshot_url  base of the offline snapshot web; then every URL becomes
                `<snapshot_url>/<week>/<source>/<real path>` and target lists
                (boards, sites, sitemaps) come from the entry's `snapshot:` block.

Per-source spiders only implement `first_requests()` and their parse callbacks.
Module-level helpers normalise values that several sources share (dates,
salary periods, HTML to text).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from w3lib.html import remove_tags, replace_entities

from credwatch.weeks import parse_week
from scrapers.items import OfferingItem, PostingItem
from scrapers.partition import RawPartition, utc_now_iso
from scrapers.sources import source_entry


class CredwatchSpider(scrapy.Spider):
    #: `True` for requests whose failure loses a whole list (board, sitemap, catalog):
    #: such a failure keeps the partition from being committed.
    CRITICAL = "credwatch_critical"

    def __init__(self, source: str | None = None, week: str | None = None,
                 snapshot_url: str | None = None, **kwargs: Any):
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
        self.counters: Counter[str] = Counter()
        self.partition = RawPartition(source, week)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.partition.exists():
            raise FileExistsError(
                f"raw partition {spider.partition.final} already exists and raw data is immutable; "
                "nothing to crawl (delete the folder by hand only to re-crawl on purpose)"
            )
        return spider

    # -- config ----------------------------------------------------------------
    def option(self, key: str, default: Any = None) -> Any:
        """A setting of the source entry; in snapshot mode the `snapshot:` block wins."""
        if self.snapshot_url and key in (self.entry.get("snapshot") or {}):
            return self.entry["snapshot"][key]
        return self.entry.get(key, default)

    def targets(self, key: str) -> list[str]:
        """The list of boards/sites/sitemaps to crawl: from `snapshot:` in snapshot mode."""
        block = (self.entry.get("snapshot") or {}) if self.snapshot_url else self.entry
        where = f"snapshot.{key}" if self.snapshot_url else key
        values = block.get(key)
        if not values or not isinstance(values, list):
            raise ValueError(
                f"source {self.source!r} has no list `{where}` in config/sources.yml; "
                f"add the {key} to crawl there"
            )
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

    def request(self, url: str, callback, *, critical: bool = True,
                cb_kwargs: dict | None = None, **kwargs: Any) -> scrapy.Request:
        meta = {**kwargs.pop("meta", {}), self.CRITICAL: critical}
        return scrapy.Request(url, callback=callback, errback=self.on_request_error,
                              cb_kwargs=cb_kwargs or {}, meta=meta, **kwargs)

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

    def on_request_error(self, failure) -> None:
        request = failure.request
        if failure.check(HttpError):
            problem = f"answered HTTP {failure.value.response.status}"
        else:
            problem = f"failed: {failure.getErrorMessage() or failure.type.__name__}"
        self.fail(request.url, problem, critical=request.meta.get(self.CRITICAL, True))

    def load_json(self, response: Response, *, critical: bool = True) -> Any:
        """Parsed JSON body, or None (failure recorded) when the body is not JSON."""
        try:
            return json.loads(response.body)
        except ValueError as exc:
            self.fail(response.url, f"did not return JSON ({exc})", critical=critical)
            return None

    # -- items -------------------------------------------------------------------
    def provenance(self, response: Response) -> dict[str, str]:
        """week, fetched_at and payload_sha256 for items built from `response`."""
        meta = response.meta if response.request is not None else {}
        return {
            "week": self.week,
            "fetched_at": meta.get("credwatch_fetched_at") or utc_now_iso(),
            "payload_sha256": meta.get("credwatch_sha256") or hashlib.sha256(response.body).hexdigest(),
        }

    def posting(self, response: Response, **fields: Any) -> PostingItem:
        return PostingItem(source=self.source, **fields, **self.provenance(response))

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
