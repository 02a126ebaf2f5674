"""Downloader middlewares: archive every response, re-fetch unparseable JSON,
and retry honouring Retry-After."""
from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import logging
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

from scrapers.partition import utc_now_iso

logger = logging.getLogger(__name__)


#: request.meta key: "json" when the callback needs a JSON body (JsonBodyMiddleware checks it)
EXPECT = "credwatch_expect"
#: request.meta key where JsonBodyMiddleware leaves the parsed body for the callback
PARSED_JSON = "credwatch_json"


def decode_json(body: bytes) -> tuple[Any, bool]:
    """(parsed JSON, whether invalid UTF-8 had to be replaced); ValueError when not JSON.

    Invalid byte sequences become U+FFFD instead of failing the whole document:
    one bad byte in one title must not lose a board of postings.
    """
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        text, replaced = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, replaced = body.decode("utf-8", errors="replace"), True
    return json.loads(text), replaced


class JsonBodyMiddleware:
    """Parse the JSON body of requests that expect one; fetch unparseable bodies again.

    For a 2xx answer to a request with `meta[EXPECT] == "json"` the body is
    parsed once here and left in `meta[PARSED_JSON]` for the callback;
    invalid UTF-8 is replaced and counted (`credwatch/invalid_utf8`). A body
    that is not JSON at all (cut off by a proxy, an HTML error page sent with
    200) is usually a transient fault, so it is retried like a 5xx (reason
    `unparseable JSON`, at most RETRY_TIMES); after that the callback gets the
    raw response and records the failure. Sits below the archive middleware,
    so every attempt's body is archived.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_retry_times = crawler.settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get(EXPECT) != "json" or not 200 <= response.status < 300:
            return response
        spider = self.crawler.spider
        try:
            data, replaced = decode_json(response.body)
        except ValueError:
            retry = get_retry_request(
                request, spider=spider, reason="unparseable JSON",
                max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            )
            return retry or response
        if replaced and hasattr(spider, "count"):
            spider.count("credwatch/invalid_utf8")
            logger.warning("%s: body is not valid UTF-8; bad bytes replaced with U+FFFD", response.url)
        request.meta[PARSED_JSON] = data
        return response


class ArchiveResponsesMiddleware:
    """Archive each response body into the spider's raw partition (responses/ + manifest).

    Sits below HttpCompression so bodies are stored decompressed and above Retry
    so a 503 that gets retried is archived as well. The fetch time and body hash
    are put in `request.meta` for the items built from that response.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        partition = getattr(self.crawler.spider, "partition", None)
        if partition is None:
            return response
        fetched_at = utc_now_iso()
        sha = partition.archive(response.url, response.status, response.body, fetched_at)
        request.meta["credwatch_fetched_at"] = fetched_at
        request.meta["credwatch_sha256"] = sha
        return response


def retry_after_seconds(value: bytes | str | None, cap: float, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), at most `cap`.

    None when the header is absent or unreadable.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        now = now or dt.datetime.now(dt.timezone.utc)
        seconds = (when - now).total_seconds()
    return max(0.0, min(seconds, cap))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, but a 429/503 with Retry-After waits that long first.

    The wait is capped by RETRY_AFTER_MAX_S and skipped when no retry is left.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.max_delay = settings.getfloat("RETRY_AFTER_MAX_S", 60.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if response.status in (429, 503):
            delay = retry_after_seconds(response.headers.get(b"Retry-After"), self.max_delay)
            max_times = request.meta.get("max_retry_times", self.max_retry_times)
            if delay and request.meta.get("retry_times", 0) < max_times:
                logger.info("%s sent %s with Retry-After; waiting %.0f s", request.url, response.status, delay)
                self.crawler.stats.inc_value("credwatch/retry_after_wait_s", delay)
                await self.sleep(delay)
        return self._retry(request, response_status_message(response.status)) or response

    @staticmethod
    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds)


class FrontierMiddleware:
    """Spider middleware: when a callback for a frontier request has produced all
    its output, mark the request complete and release the next queued postings.

    Sits next to the spider (order 950), so errback output of HttpError (which
    the spider's errback already accounts for) does not pass through it.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _done(self, response) -> list:
        spider = self.crawler.spider
        request = getattr(response, "request", None)
        if request is None or not hasattr(spider, "complete"):
            return []
        spider.complete(request)
        return spider.release()

    def process_spider_output(self, response, result):
        yield from result
        yield from self._done(response)

    async def process_spider_output_async(self, response, result):
        async for x in result:
            yield x
        for x in self._done(response):
            yield x
