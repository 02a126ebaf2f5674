"""Scrapy settings for credwatch (SCRAPY_SETTINGS_MODULE=scrapers.settings).

Runs are launched by `scrapers.run.crawl_many`: one subprocess per source
(`scrapers.runner`) that crawls the requested weeks one after another.
Per-run overrides come from crawl_many(settings={...}, page_cap=N), or from
the command line with `scrapy crawl ... -s CLOSESPIDER_PAGECOUNT=500`.
Output is written by our own pipelines into the raw partition, so Scrapy's
feed exports stay unused.

Environment:
- CREDWATCH_HTTPCACHE=1   replay/record HTTP through <lake>/_httpcache (dev only)
- CREDWATCH_PAGE_CAP=N    default page cap per crawl (0 = none); default 20000
"""
from __future__ import annotations

import os

from credwatch.settings import paths
from scrapers.sources import sources_config

BOT_NAME = "credwatch"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

# A real User-Agent with a contact URL, from config so it is versioned data.
USER_AGENT = sources_config()["user_agent"]
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts the delay to the server's latency and keeps
# about 4 requests in flight per site.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Items of one response processed in parallel. Our pipelines are synchronous,
# so parallelism buys nothing, while Scrapy starts one asyncio worker per slot
# for every callback's output: the default 100 cost 2.5x the crawl time per
# page (benchmarks/crawl.py, docs/benchmarks.md).
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 30

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Seconds to wait at most when a server sends Retry-After on 429/503.
RETRY_AFTER_MAX_S = 60

DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

# Safety cap on responses per crawl; finish_reason says when it was reached.
CLOSESPIDER_PAGECOUNT = int(os.environ.get("CREDWATCH_PAGE_CAP", "20000"))

TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control extension runs code sent over HTTP: not wanted
# in a batch crawler.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
FEEDS: dict = {}

DOWNLOADER_MIDDLEWARES = {
    # Replace the stock retry middleware with one that honours Retry-After.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.RetryAfterMiddleware": 550,
    # Below HttpCompression (590) so bodies are archived decompressed, above
    # Retry (550) so responses that get retried are archived too.
    "scrapers.middlewares.ArchiveResponsesMiddleware": 585,
    # Below the archive (every attempt is archived), above Retry.
    "scrapers.middlewares.JsonBodyMiddleware": 580,
}
SPIDER_MIDDLEWARES = {
    "scrapers.middlewares.FrontierMiddleware": 950,
}
# Posting requests in flight at once per crawl (the rest wait on the spider's
# frontier as small tuples, so memory does not grow with the number of postings).
CREDWATCH_FRONTIER_WINDOW = 64
ITEM_PIPELINES = {
    "scrapers.pipelines.PiiScrubPipeline": 100,
    "scrapers.pipelines.ValidationPipeline": 200,
    "scrapers.pipelines.JsonlWriterPipeline": 300,
}
EXTENSIONS = {
    "scrapers.extensions.RawPartitionExtension": 500,
}

HTTPCACHE_ENABLED = os.environ.get("CREDWATCH_HTTPCACHE") == "1"
HTTPCACHE_DIR = str(paths().lake / "_httpcache")
HTTPCACHE_EXPIRATION_SECS = 0
