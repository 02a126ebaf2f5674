"""Downloader middlewares: archive every response, and retry honouring Retry-After."""
from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

from scrapers.partition import utc_now_iso

logger = logging.getLogger(__name__)


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
