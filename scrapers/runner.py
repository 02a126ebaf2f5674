"""The crawl subprocess: crawl one source for several ISO weeks, one after another, in ONE process.

Started by `scrapers.run.crawl_many` as `python -m scrapers.runner '<job JSON>'`
(never imported by DAG code: it imports Scrapy and installs a reactor).
Twisted's reactor cannot restart, but one running reactor can run many
crawls: each week is its own `Crawler` (its own spider, stats and raw
partition, committed or discarded by RawPartitionExtension when that crawl
closes), chained with CrawlerRunner so Scrapy's ~1.5 s start-up is paid once
per source instead of once per week.

Job JSON: {"kind", "source", "weeks": [...], "snapshot_url", "settings": {NAME: value},
           "spider_args": {name: value}, "logs": {week: path}}
Each week's log lines go to its own file (`logs[week]`, appended); anything
outside a crawl goes to stdout/stderr (the runner log of the parent).
SIGTERM stops the running crawl (finish_reason "shutdown": not committed) and
skips the remaining weeks. Exit code 0 when the process ran to the end (the
parent checks each week's partition), 1 on an unexpected error.
"""
from __future__ import annotations

import json
import logging
import signal
import sys


def main(argv: list[str]) -> int:
    job = json.loads(argv[0])
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.log import configure_logging
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.reactor import install_reactor

    settings = get_project_settings()
    settings.setdict(job.get("settings") or {}, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # one log file per week, added below
    configure_logging(settings)
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import defer, reactor

    root = logging.getLogger()
    root.setLevel(settings.get("LOG_LEVEL"))
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
    root.addHandler(console)
    log = logging.getLogger("scrapers.runner")

    runner = CrawlerRunner(settings)
    state = {"stopping": False, "error": False}

    def on_sigterm(signum, frame):  # noqa: ARG001
        state["stopping"] = True
        reactor.callFromThread(runner.stop)

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, on_sigterm)

    @defer.inlineCallbacks
    def crawl_all():
        try:
            for week in job["weeks"]:
                if state["stopping"]:
                    log.warning("stopping: week %s of source %s not crawled", week, job["source"])
                    continue
                handler = logging.FileHandler(job["logs"][week], mode="a", encoding="utf-8")
                handler.setLevel(settings.get("LOG_LEVEL"))
                handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
                root.addHandler(handler)
                try:
                    log.info("crawling source %s week %s (spider %s)", job["source"], week, job["kind"])
                    yield runner.crawl(job["kind"], source=job["source"], week=week,
                                       snapshot_url=job.get("snapshot_url"), **(job.get("spider_args") or {}))
                except Exception:  # the week stays uncommitted; the parent reports it
                    log.exception("crawl of source %s week %s raised", job["source"], week)
                finally:
                    root.removeHandler(handler)
                    handler.close()
        except Exception:
            state["error"] = True
            log.exception("runner failed")
        finally:
            reactor.stop()

    reactor.callWhenRunning(crawl_all)
    reactor.run(installSignalHandlers=False)
    return 1 if state["error"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
