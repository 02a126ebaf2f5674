"""Every fault mode of the snapshot web (snapshot/faults.py) against the real crawl
subprocess (scrapers.run.crawl), one test per mode.

Each test checks that the crawl finishes (the subprocess ends; the week is
committed, or — when a whole list is lost for good — reported loudly and not
committed) and counts the postings: every posting the source listed is either
stored (items.jsonl) or quarantined with a reason (quarantine.jsonl), i.e.
served = stored + quarantined. robots.txt must be obeyed (the server never
sees the disallowed request) and Retry-After honoured (the server sees the
retry no earlier than the header allowed: a lower bound on the crawler's
behaviour, not a speed limit).

To keep the file fast, the module fixture injects all faults at once, each on
its own board / page / comment, and runs one crawl per source (three at a
time) with AutoThrottle off and RETRY_TIMES=2; the tests then read their own
part of the results. The slow-response crawl lowers DOWNLOAD_TIMEOUT to 1 s.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scrapers.run import CrawlFailed, crawl
from snapshot import faults as F
from snapshot.planted import CALENDAR
from snapshot.server import SnapshotServer

WEEK = CALENDAR[3]
OTHER_WEEK = CALENDAR[4]  # for the crawl in which every board is unknown
FAST = {"AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 2}
MAXSIZE = 1 << 20


@pytest.fixture(scope="module")
def server():
    with SnapshotServer() as s:
        yield s


@pytest.fixture(scope="module")
def pages(server) -> dict[str, str]:
    """Distinct schema.org job pages for the faults that hit one page each."""
    active = [p.posting_id for p in server.snapshot.active_postings("schemaorg", WEEK)]
    return dict(zip(("http_500", "oversized", "robots", "not_jobposting"), active[3:7]))


@pytest.fixture(scope="module")
def comment(server) -> int:
    return server.snapshot.active_postings("hackernews", WEEK)[0].posting_id


@pytest.fixture(scope="module")
def crawls(server, pages, comment, tmp_path_factory):
    """{name: stats or CrawlFailed} of one crawl per source with its faults injected."""
    w = f"/{WEEK}"
    item = f"{w}/hackernews/v0/item/{comment}.json"
    server.faults.update({
        f"{w}/greenhouse/v1/boards/northwind-cloud/": F.http_500(times=2),
        f"{w}/schemaorg/jobs/{pages['http_500']}.html": F.http_500(),
        f"{w}/schemaorg/jobs/{pages['oversized']}.html": F.oversized(2 * MAXSIZE),
        "/robots.txt": F.robots_disallow(f"{w}/schemaorg/jobs/{pages['robots']}.html"),
        f"{w}/schemaorg/jobs/{pages['not_jobposting']}.html": F.not_a_jobposting(),
        f"{w}/smartrecruiters/v1/companies/MeridianLogistics/postings": F.rate_limited(2),
        f"{w}/smartrecruiters/v1/companies/CrescentCare/postings": F.repeated_page(),
        f"{w}/ashby/posting-api/job-board/lumenfield": F.slow(1.6),
        f"{w}/ashby/posting-api/job-board/quarry-analytics": F.unknown_board("ashby"),
        f"/{OTHER_WEEK}/ashby/": F.unknown_board("ashby"),
        f"{w}/lever/v0/postings/orbital-data": F.truncated_json(times=1),
        f"{w}/usajobs/api/": F.truncated_json(),
        f"{w}/remotive/api/remote-jobs": F.invalid_utf8(),
        item: F.redirect_loop(item),
    })
    jobs = {
        "greenhouse": ("greenhouse", WEEK, {}),
        "schemaorg": ("schemaorg", WEEK, {"DOWNLOAD_MAXSIZE": MAXSIZE}),
        "smartrecruiters": ("smartrecruiters", WEEK, {}),
        "ashby": ("ashby", WEEK, {"DOWNLOAD_TIMEOUT": 1}),
        "ashby_all_gone": ("ashby", OTHER_WEEK, {}),
        "lever": ("lever", WEEK, {}),
        "usajobs": ("usajobs", WEEK, {}),
        "remotive": ("remotive", WEEK, {}),
        "hackernews": ("hackernews", WEEK, {"REDIRECT_MAX_TIMES": 5}),
    }

    def one(job):
        source, week, settings = job
        try:
            return crawl(source, week, snapshot_url=server.url, settings={**FAST, **settings}, timeout_s=120)
        except CrawlFailed as exc:
            return exc

    lake = tmp_path_factory.mktemp("faults") / "lake"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDWATCH_LAKE", str(lake))
        try:
            with ThreadPoolExecutor(max_workers=3) as pool:
                results = dict(zip(jobs, pool.map(one, jobs.values())))
        finally:
            server.faults.clear()
    results["lake"] = lake
    return results


def committed(crawls, name: str) -> dict:
    stats = crawls[name]
    assert isinstance(stats, dict), f"the {name} crawl was not committed: {stats}"
    return stats


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def accounted(stats: dict, served: int) -> tuple[list[dict], list[dict]]:
    """Assert served = stored + quarantined for a committed week; return (items, quarantine)."""
    partition = Path(stats["partition"])
    assert (partition / "_SUCCESS").exists()
    items, quarantine = jsonl(partition / "items.jsonl"), jsonl(partition / "quarantine.jsonl")
    ids = [i["source_id"] for i in items]
    assert len(ids) == len(set(ids)), "a posting was stored twice"
    assert (len(items), len(quarantine)) == (stats["items"], stats["quarantined"])
    assert served == len(items) + len(quarantine), f"served {served} != stored {len(items)} + quarantined {len(quarantine)}"
    assert all(q["reason"] for q in quarantine)
    assert sum(stats["quarantine_reasons"].values()) == len(quarantine)
    return items, quarantine


def served_ids(server, source: str, board: str | None = None) -> set[str]:
    return {str(p.posting_id) for p in server.snapshot.active_postings(source, WEEK, board)}


def lost_page(quarantine: list[dict], page: str) -> dict:
    (lost,) = [q for q in quarantine if q["item"]["url"].endswith(f"/jobs/{page}.html")]
    assert lost["item_type"] == "LostPosting"
    return lost


def test_http_500_is_retried_and_nothing_lost(server, crawls):
    stats = committed(crawls, "greenhouse")
    assert stats["responses_by_status"]["500"] == 2 and stats["retries"] == 2
    assert stats["retry_reasons"] == {"500 Internal Server Error": 2}
    items, _ = accounted(stats, len(server.listed[(WEEK, "greenhouse")]))
    assert {i["source_id"] for i in items} == served_ids(server, "greenhouse") == server.listed[(WEEK, "greenhouse")]


def test_http_500_for_good_on_a_job_page_quarantines_that_posting(server, crawls, pages):
    stats = committed(crawls, "schemaorg")
    assert stats["responses_by_status"]["500"] == 3  # 1 + RETRY_TIMES
    assert stats["retry_reasons"] == {"500 Internal Server Error": 2}
    items, quarantine = accounted(stats, len(server.listed[(WEEK, "schemaorg")]))
    lost = lost_page(quarantine, pages["http_500"])
    assert lost["reason"] == "answered HTTP 500" and lost["item"]["status"] == 500
    assert pages["http_500"] not in {i["source_id"] for i in items}
    assert stats["failed_requests"] == {"critical": 0, "optional": 0}  # accounted as lost postings instead


def test_429_with_retry_after_is_honoured(server, crawls):
    stats = committed(crawls, "smartrecruiters")
    first_page = server.requested("/companies/MeridianLogistics/postings?offset=0&")
    assert [status for _, _, status, _ in first_page] == [429, 200]
    assert first_page[1][0] - first_page[0][0] >= 2.0 - 0.05, "the retry came before Retry-After allowed it"
    assert stats["scrapy"]["credwatch/retry_after_wait_s"] == 2
    assert stats["retries"] == 1 and stats["responses_by_status"]["429"] == 1
    items, _ = accounted(stats, len(served_ids(server, "smartrecruiters")))
    assert {i["source_id"] for i in items} == served_ids(server, "smartrecruiters")


def test_slow_response_past_the_timeout_is_retried(server, crawls):
    stats = committed(crawls, "ashby")
    assert stats["download_errors"] == {"scrapy.exceptions.DownloadTimeoutError": 1}
    assert stats["retries"] == 1 and stats["retry_reasons"] == {"scrapy.exceptions.DownloadTimeoutError": 1}
    assert len(server.requested(f"/{WEEK}/ashby/posting-api/job-board/lumenfield")) == 2


def test_truncated_json_is_fetched_again(server, crawls):
    stats = committed(crawls, "lever")
    assert stats["retry_reasons"] == {"unparseable JSON": 1}
    manifest = jsonl(Path(stats["partition"]) / "manifest.jsonl")
    assert len(manifest) == stats["responses"] == 4  # robots.txt, the cut body (archived too), 2 sites
    items, _ = accounted(stats, len(served_ids(server, "lever")))
    assert {i["source_id"] for i in items} == served_ids(server, "lever") == server.listed[(WEEK, "lever")]


def test_truncated_json_for_good_fails_the_week_loudly(server, crawls):
    err = crawls["usajobs"]
    assert isinstance(err, CrawlFailed), f"a week whose search results never parsed was committed: {err}"
    assert "'usajobs'" in str(err) and "1 list/index request(s) failed for good" in str(err)
    log = crawls["lake"] / "logs" / f"scrape-usajobs-{WEEK}.log"
    assert "did not return JSON" in log.read_text()
    assert len(server.requested(f"/{WEEK}/usajobs/api/Search")) == 3  # 1 + RETRY_TIMES re-fetches
    raw = crawls["lake"] / "raw" / "source=usajobs"
    assert not raw.exists() or not any(raw.iterdir()), "nothing may be committed for that week"


def test_invalid_utf8_keeps_every_posting(server, crawls):
    stats = committed(crawls, "remotive")
    assert stats["counters"]["credwatch/invalid_utf8"] == 1
    items, _ = accounted(stats, len(served_ids(server, "remotive")))
    assert {i["source_id"] for i in items} == served_ids(server, "remotive")
    (damaged,) = [i for i in items if i["title"].startswith("\ufffd")]
    assert damaged["description_html"]


def test_body_over_the_size_limit_quarantines_that_posting(server, crawls, pages):
    stats = committed(crawls, "schemaorg")
    assert stats["download_errors"]["scrapy.exceptions.DownloadCancelledError"] == 1
    _, quarantine = accounted(stats, len(server.listed[(WEEK, "schemaorg")]))
    lost = lost_page(quarantine, pages["oversized"])
    assert lost["reason"] == f"response is larger than DOWNLOAD_MAXSIZE ({MAXSIZE} bytes)"


def test_redirect_loop_quarantines_that_posting(server, crawls, comment):
    stats = committed(crawls, "hackernews")
    assert stats["responses_by_status"]["302"] == 6  # the request and its 5 allowed redirects
    items, (lost,) = accounted(stats, len(server.listed[(WEEK, "hackernews")]))
    assert lost["reason"] == "was not fetched: max redirections reached"
    assert lost["item"]["source_id"] == str(comment)
    assert str(comment) not in {i["source_id"] for i in items}


def test_robots_txt_disallow_is_obeyed(server, crawls, pages):
    stats = committed(crawls, "schemaorg")
    assert server.requested(f"/jobs/{pages['robots']}.html") == [], "a page disallowed by robots.txt was requested"
    assert stats["robots_forbidden"] == 1
    _, quarantine = accounted(stats, len(server.listed[(WEEK, "schemaorg")]))
    assert lost_page(quarantine, pages["robots"])["reason"] == "was not fetched: Forbidden by robots.txt"


def test_pagination_repeating_a_page_loses_nothing(server, crawls):
    stats = committed(crawls, "smartrecruiters")
    assert stats["counters"]["credwatch/repeated_pages"] == 1
    assert stats["counters"]["credwatch/repeated_entries"] == 10  # the repeated page's postings, skipped once
    assert "smartrecruiters/incomplete_listing" not in stats["counters"]
    pages = [p for _, p, _, _ in server.requested("/companies/CrescentCare/postings?")]
    assert len(pages) == len(set(pages)) + 1  # exactly one page asked for twice
    items, _ = accounted(stats, len(served_ids(server, "smartrecruiters")))
    assert {i["source_id"] for i in items} == served_ids(server, "smartrecruiters")


def test_unknown_board_is_skipped_and_reported(server, crawls):
    stats = committed(crawls, "ashby")
    assert stats["targets_gone"] == ["quarry-analytics"] and stats["responses_by_status"]["404"] == 1
    items, _ = accounted(stats, len(served_ids(server, "ashby", "lumenfield")))
    assert {i["source_id"] for i in items} == served_ids(server, "ashby", "lumenfield")
    # Every board unknown: the config (or base URL) is wrong, and that week is not committed.
    err = crawls["ashby_all_gone"]
    assert isinstance(err, CrawlFailed) and "1 list/index request(s) failed" in str(err)
    log = crawls["lake"] / "logs" / f"scrape-ashby-{OTHER_WEEK}.log"
    assert "and so did every other configured target" in log.read_text()


def test_jsonld_that_is_not_a_jobposting_is_quarantined(server, crawls, pages):
    stats = committed(crawls, "schemaorg")
    assert stats["counters"]["schemaorg/no_jobposting"] == 1
    items, quarantine = accounted(stats, len(server.listed[(WEEK, "schemaorg")]))
    lost = lost_page(quarantine, pages["not_jobposting"])
    assert lost["reason"] == "page carries no schema.org JobPosting (JSON-LD)" and lost["item"]["status"] == 200
    assert pages["not_jobposting"] not in {i["source_id"] for i in items}
    assert len(quarantine) == 4  # the four schema.org faults, nothing else
