"""The later job spiders (Ashby, SmartRecruiters, Remotive, USAJOBS, Hacker News) on
hand-written responses in their documented formats (tests/fixtures/scrapers/),
plus the JSON body middleware and USAJOBS credential handling. Crawls against
the snapshot web are in tests/test_scrapers.py; real recordings in
tests/test_scrapers_real.py; fault modes in tests/test_scraper_faults.py."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from scrapy.http import Request, TextResponse

from scrapers.items import LostPosting, PostingItem
from scrapers.middlewares import EXPECT, PARSED_JSON, JsonBodyMiddleware
from scrapers.pipelines import PiiScrubPipeline, ValidationPipeline
from scrapers.run import CrawlFailed, crawl_many
from scrapers.sources import airflow_credentials_env, credentials, source_entry
from scrapers.spiders.jobs_ashby import AshbySpider
from scrapers.spiders.jobs_hackernews import HackerNewsSpider, parse_first_line
from scrapers.spiders.jobs_remotive import RemotiveSpider
from scrapers.spiders.jobs_smartrecruiters import SmartRecruitersSpider
from scrapers.spiders.jobs_usajobs import UsajobsSpider

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scrapers"
WEEK = "2026-W30"  # Thursday 2026-07-23: the July thread
SNAP = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def tmp_lake(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))
    monkeypatch.delenv("USAJOBS_API_KEY", raising=False)
    monkeypatch.delenv("USAJOBS_EMAIL", raising=False)
    return tmp_path / "lake"


def response(url: str, name_or_body, request: Request | None = None, status: int = 200) -> TextResponse:
    body = (FIXTURES / name_or_body).read_bytes() if isinstance(name_or_body, str) else name_or_body
    return TextResponse(url=url, body=body, encoding="utf-8", status=status, request=request or Request(url))


def split(results):
    results = list(results or [])
    items = [r for r in results if isinstance(r, PostingItem)]
    requests = [r for r in results if isinstance(r, Request)]
    lost = [r for r in results if isinstance(r, LostPosting)]
    assert len(items) + len(requests) + len(lost) == len(results), results
    return items, requests, lost


def contract(item: PostingItem, source: str):
    assert item.source == source and item.week == WEEK
    for name in ("source_id", "url", "title", "company", "description_html"):
        assert isinstance(getattr(item, name), str) and getattr(item, name).strip(), name
    assert len(item.payload_sha256) == 64 and item.fetched_at.endswith("Z")


# -- ashby -----------------------------------------------------------------------

def test_ashby_requests_compensation_and_marks_boards_as_targets():
    spider = AshbySpider(source="ashby", week=WEEK)
    requests = list(spider.first_requests())
    assert [r.url for r in requests] == [f"https://api.ashbyhq.com/posting-api/job-board/{b}?includeCompensation=true"
                                         for b in ("ramp", "notion", "linear")]
    assert requests[0].meta[spider.TARGET] == "ramp" and requests[0].meta[EXPECT] == "json"


def test_ashby_board_parse():
    spider = AshbySpider(source="ashby", week=WEEK)
    url = "https://api.ashbyhq.com/posting-api/job-board/example?includeCompensation=true"
    items, requests, _ = split(spider.parse_board(response(url, "ashby_board.json"), board="example"))
    assert not requests and len(items) == 2
    for item in items:
        contract(item, "ashby")
    pm, support = items
    assert pm.source_id == "4f1c8a2e-9b1d-4c55-8f0e-1a2b3c4d5e6f" and pm.company == "example"
    assert pm.url.startswith("https://jobs.ashbyhq.com/example/")
    assert pm.location_raw == "Houston, TX; San Francisco"
    assert (pm.remote, pm.hybrid) == (False, True)
    assert pm.date_posted == "2021-04-30" and pm.employment_type == "FullTime"
    assert pm.departments == ["Product", "Growth"]
    # Salary components only (equity ignored), min/max across both geo tiers.
    assert (pm.salary_min, pm.salary_max, pm.salary_currency, pm.salary_period) == (81000.0, 97000.0, "USD", "year")
    assert pm.salary_raw == "$81K - $87K"
    assert pm.description_text.startswith("Join our team")
    assert (support.remote, support.hybrid) == (True, None)  # isRemote without workplaceType
    assert (support.salary_min, support.salary_max, support.salary_period) == (30.0, 40.0, "hour")


# -- smartrecruiters -------------------------------------------------------------

def test_smartrecruiters_list_requests_details_and_the_next_page():
    spider = SmartRecruitersSpider(source="smartrecruiters", week=WEEK)
    (first,) = [r for r in spider.first_requests()][:1]
    assert first.url == "https://api.smartrecruiters.com/v1/companies/Visa/postings?offset=0&limit=100"
    url = "https://api.smartrecruiters.com/v1/companies/smartrecruiters/postings?offset=0&limit=2"
    items, requests, _ = split(spider.parse_list(response(url, "smartrecruiters_list.json"),
                                                 company="smartrecruiters", offset=0))
    assert items == []
    details, (page,) = requests[:2], requests[2:]
    assert [r.url for r in details] == [
        "https://api.smartrecruiters.com/v1/companies/smartrecruiters/postings/75551135",
        "https://api.smartrecruiters.com/v1/companies/smartrecruiters/postings/75551136"]
    assert all(r.meta[spider.POSTING]["source_id"] for r in details) and all(r.dont_filter for r in details)
    # the next offset follows the response's `limit` (2), not the requested page size (100)
    assert page.url.endswith("postings?offset=2&limit=100") and page.cb_kwargs["offset"] == 2


def test_smartrecruiters_detail_parse():
    spider = SmartRecruitersSpider(source="smartrecruiters", week=WEEK)
    listing = json.loads((FIXTURES / "smartrecruiters_list.json").read_text())["content"][0]
    url = "https://api.smartrecruiters.com/v1/companies/smartrecruiters/postings/75551135"
    (item,), _, _ = split(spider.parse_detail(response(url, "smartrecruiters_detail.json"),
                                              company="smartrecruiters", listing=listing))
    contract(item, "smartrecruiters")
    assert item.source_id == "75551135" and item.title == "Director, Customer Engagement"
    assert item.company == "SmartRecruiters Inc" and item.url.endswith("75551135-director-customer-engagement")
    assert item.location_raw == "San Francisco, CA, US" and item.remote is True
    assert item.date_posted == "2014-02-19" and item.employment_type == "Full-time"
    assert item.departments == ["Marketing"]
    assert item.description_html == (
        "<h2>Company Description</h2><p>We make hiring software.</p>"
        "<h2>Job Description</h2><p>Lead our customer team.</p>"
        "<h2>Qualifications</h2><ul><li>PMP certification</li></ul>"
        "<h2>Additional Information</h2><p>Call +1 415 555 0100.</p>")
    assert PiiScrubPipeline().process_item(item).description_html.endswith("<p>Call [phone].</p>")


def test_smartrecruiters_unreadable_detail_is_a_lost_posting():
    spider = SmartRecruitersSpider(source="smartrecruiters", week=WEEK)
    url = "https://api.smartrecruiters.com/v1/companies/x/postings/1"
    _, _, (lost,) = split(spider.parse_detail(response(url, b"<html>maintenance</html>"), company="x",
                                              listing={"id": "1"}))
    assert lost.source_id == "1" and lost.reason == "posting detail is not a JSON object"


# -- remotive --------------------------------------------------------------------

def test_remotive_parse():
    spider = RemotiveSpider(source="remotive", week=WEEK)
    (request,) = spider.first_requests()
    assert request.url == "https://remotive.com/api/remote-jobs"
    items, _, _ = split(spider.parse_jobs(response(request.url, "remotive_jobs.json")))
    assert len(items) == 2
    for item in items:
        contract(item, "remotive")
        assert item.remote is True
    lead, analyst = items
    assert (lead.source_id, lead.company, lead.location_raw) == ("123", "Remotive", "Worldwide")
    assert lead.url == "https://remotive.io/remote-jobs/product/lead-developer-123"  # the link back Remotive asks for
    assert (lead.salary_min, lead.salary_max, lead.salary_currency) == (40000.0, 50000.0, "USD")
    assert lead.date_posted == "2020-02-15" and lead.employment_type == "full_time"
    assert lead.departments == ["Software Development"]
    assert (analyst.salary_raw, analyst.salary_min, analyst.employment_type) == (None, None, None)


def test_remotive_rate_limit_becomes_download_delay():
    from scrapers.sources import source_option

    entry = source_entry("remotive")
    assert source_option(entry, "download_delay", snapshot_mode=False) >= 30  # <= 2 requests a minute
    assert source_option(entry, "download_delay", snapshot_mode=True) == 0


# -- usajobs ---------------------------------------------------------------------

def drain(spider):
    async def run():
        return [r async for r in spider.start()]
    return asyncio.run(run())


def test_usajobs_without_key_fails_naming_the_variables(caplog):
    spider = UsajobsSpider(source="usajobs", week=WEEK)
    assert drain(spider) == []
    assert spider.counters["credwatch/failed_requests/critical"] == 1
    assert "USAJOBS_API_KEY" in caplog.text and "USAJOBS_EMAIL" in caplog.text and "'usajobs'" in caplog.text
    with pytest.raises(ValueError, match=r"USAJOBS_API_KEY and USAJOBS_EMAIL.*Airflow connection 'usajobs'"):
        credentials(source_entry("usajobs"), snapshot_mode=False)


def test_usajobs_crawl_without_key_stops_before_starting_a_process(tmp_lake):
    with pytest.raises(CrawlFailed, match="USAJOBS_API_KEY and USAJOBS_EMAIL") as err:
        crawl_many("usajobs", [WEEK, "2026-W31"])
    assert set(err.value.failures) == {WEEK, "2026-W31"} and not (tmp_lake / "logs").exists()


def test_usajobs_sends_key_and_email_headers_and_pages(monkeypatch):
    monkeypatch.setenv("USAJOBS_API_KEY", "k3y-from-env")
    monkeypatch.setenv("USAJOBS_EMAIL", "analyst@example.org")
    spider = UsajobsSpider(source="usajobs", week=WEEK, page_size="2")
    requests = drain(spider)
    assert len(requests) == 6  # one search per configured query
    first = requests[0]
    assert first.url == "https://data.usajobs.gov/api/Search?JobCategoryCode=2210&ResultsPerPage=2&Page=1"
    assert first.headers[b"Authorization-Key"] == b"k3y-from-env"
    assert first.headers[b"User-Agent"] == b"analyst@example.org"
    items, (nxt,), _ = split(spider.parse_page(response(first.url, "usajobs_search.json", request=first),
                                               **first.cb_kwargs))
    assert nxt.url.endswith("Page=2") and nxt.headers[b"Authorization-Key"] == b"k3y-from-env"  # 2 of "5"
    assert len(items) == 2
    for item in items:
        contract(item, "usajobs")
    scientist, infosec = items
    assert scientist.source_id == "645184400" and scientist.company == "Defense Counterintelligence and Security Agency"
    assert scientist.url == "https://www.usajobs.gov:443/GetJob/ViewDetails/645184400"
    assert (scientist.salary_min, scientist.salary_max, scientist.salary_currency, scientist.salary_period) == \
        (97738.0, 138868.0, "USD", "year")
    assert (scientist.date_posted, scientist.valid_through) == ("2022-03-25", "2022-04-14")
    assert (scientist.remote, scientist.hybrid) == (False, True) and (infosec.remote, infosec.hybrid) == (True, False)
    assert scientist.departments == ["Department of Defense"] and scientist.employment_type == "Full-time"
    assert ("<h3>Qualifications</h3><p>- CISSP certification required</p><p>Nice to have:</p>"
            "<p>- CompTIA Security+</p>") in scientist.description_html
    assert "<h3>Duties</h3><ul><li>Analyze data</li><li>Brief leaders</li></ul>" in scientist.description_html
    # the same announcement found by a second query is stored once
    again, _, _ = split(spider.parse_page(response(first.url, "usajobs_search.json", request=first), qi=1,
                                          query={}, page=1))
    assert again == []


def test_usajobs_snapshot_mode_uses_the_placeholders_only_there():
    entry = source_entry("usajobs")
    assert credentials(entry, snapshot_mode=True)["email"].endswith(".invalid")
    spider = UsajobsSpider(source="usajobs", week=WEEK, snapshot_url=SNAP)
    (request,) = drain(spider)
    assert request.url == f"{SNAP}/{WEEK}/usajobs/api/Search?ResultsPerPage=10&Page=1"


def test_usajobs_credentials_from_an_airflow_connection(monkeypatch):
    conn = {"conn_type": "http", "login": "ops@example.org", "password": "key-from-airflow"}
    monkeypatch.setenv("AIRFLOW_CONN_USAJOBS", json.dumps(conn))
    env = airflow_credentials_env(source_entry("usajobs"))
    assert env == {"USAJOBS_EMAIL": "ops@example.org", "USAJOBS_API_KEY": "key-from-airflow"}
    assert credentials(source_entry("usajobs"), snapshot_mode=False, environ=env)["api_key"] == "key-from-airflow"
    monkeypatch.setenv("USAJOBS_API_KEY", "set")
    monkeypatch.setenv("USAJOBS_EMAIL", "me@example.org")
    assert airflow_credentials_env(source_entry("usajobs")) == {}  # the environment wins


# -- hacker news -----------------------------------------------------------------

HN = "https://hacker-news.firebaseio.com/v0"


def test_hn_finds_the_month_thread_skipping_other_threads():
    spider = HackerNewsSpider(source="hackernews", week=WEEK)
    assert spider.thread_title == "Ask HN: Who is hiring? (July 2026)"
    (user_req,) = spider.first_requests()
    assert user_req.url == f"{HN}/user/whoishiring.json"
    _, (cand,), _ = split(spider.parse_user(response(user_req.url, "hn_user.json")))
    assert cand.url == f"{HN}/item/40000003.json" and cand.cb_kwargs["rest"] == [40000002, 40000000, 39000000]
    freelancer = json.dumps({"id": 40000003, "title": "Ask HN: Freelancer? Seeking freelancer? (July 2026)",
                             "type": "story", "kids": [1, 2]}).encode()
    _, (nxt,), _ = split(spider.parse_candidate(response(cand.url, freelancer), **cand.cb_kwargs))
    assert nxt.url == f"{HN}/item/40000002.json"
    _, kids, _ = split(spider.parse_candidate(response(f"{HN}/item/40000000.json", "hn_thread.json"), rest=[]))
    assert [r.url for r in kids] == [f"{HN}/item/{i}.json" for i in (40000001, 40000010, 40000011)]
    assert all(r.meta[spider.POSTING]["url"].startswith("https://news.ycombinator.com/item?id=") for r in kids)


def test_hn_missing_thread_is_a_critical_failure():
    spider = HackerNewsSpider(source="hackernews", week="2026-W36")  # September
    out = list(spider.parse_candidate(response(f"{HN}/item/40000000.json", "hn_thread.json"), rest=[]))
    assert out == [] and spider.counters["credwatch/failed_requests/critical"] == 1


def test_hn_comment_parse():
    spider = HackerNewsSpider(source="hackernews", week=WEEK)
    (item,), _, _ = split(spider.parse_comment(response(f"{HN}/item/40000001.json", "hn_comment.json")))
    contract(item, "hackernews")
    assert (item.source_id, item.url) == ("40000001", "https://news.ycombinator.com/item?id=40000001")
    assert (item.company, item.title, item.location_raw) == ("Acme", "Senior Backend Engineer", "Berlin or REMOTE (EU)")
    assert (item.remote, item.hybrid, item.employment_type) == (True, None, "Full-time")
    assert (item.salary_raw, item.salary_min, item.salary_max, item.salary_currency) == \
        ("€80k–€100k", 80000.0, 100000.0, "EUR")
    assert item.date_posted == "2026-07-02"
    assert "https://acme.example/jobs" in item.description_html and "&#x2F;" not in item.description_html
    assert item.description_text.splitlines()[2:4] == ["Requirements:", "- AWS certification"]


def test_hn_deleted_comment_is_counted_and_a_comment_without_pipes_is_quarantined():
    spider = HackerNewsSpider(source="hackernews", week=WEEK)
    assert list(spider.parse_comment(response(f"{HN}/item/40000010.json", "hn_comment_deleted.json"))) == []
    assert spider.counters["hackernews/removed_comments"] == 1
    (item,) = spider.parse_comment(response(f"{HN}/item/40000011.json", "hn_comment_no_pipes.json"))
    assert item.title is None  # no "Company | Role" first line: not guessed

    class Crawler:
        def __init__(self):
            self.spider = spider
            self.stats = type("S", (), {"inc_value": lambda *a, **k: None})()

    from scrapy.exceptions import DropItem
    with pytest.raises(DropItem, match="missing required field"):
        ValidationPipeline(Crawler()).process_item(item)
    assert spider.partition.quarantined == 1


@pytest.mark.parametrize("line, expected", [
    ("Acme | Data Engineer | New York, NY | ONSITE | Full-time | $150k-$180k",
     {"company": "Acme", "title": "Data Engineer", "location_raw": "New York, NY", "remote": None,
      "salary_raw": "$150k-$180k", "employment_type": "Full-time"}),
    ("Acme|Platform Engineer|REMOTE (US)|Contract",
     {"company": "Acme", "title": "Platform Engineer", "location_raw": "REMOTE (US)", "remote": True,
      "salary_raw": None, "employment_type": "Contract"}),
    ("Acme | SRE | HYBRID | London | £90k",
     {"company": "Acme", "title": "SRE", "location_raw": "London", "hybrid": True, "salary_raw": "£90k"}),
    ("Acme | ML Engineer", {"company": "Acme", "title": "ML Engineer", "location_raw": None}),
    ("Just a sentence about hiring.", {"company": "Just a sentence about hiring.", "title": None}),
])
def test_hn_first_line(line, expected):
    got = parse_first_line(line + "<p>body")
    assert {k: got[k] for k in expected} == expected


# -- JSON body middleware ----------------------------------------------------------

class _Spider:
    def __init__(self):
        self.counts = {}

    def count(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n


def _middleware():
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2})
    crawler.spider = _Spider()
    crawler.spider.crawler = crawler
    crawler.stats.open_spider()
    return JsonBodyMiddleware.from_crawler(crawler), crawler


def test_json_body_middleware_parses_retries_and_repairs():
    mw, crawler = _middleware()
    req = Request("https://x.example/a", meta={EXPECT: "json"})
    ok = TextResponse(req.url, body=b'{"jobs": []}', request=req)
    assert mw.process_response(req, ok) is ok and req.meta[PARSED_JSON] == {"jobs": []}
    cut = TextResponse(req.url, body=b'{"jobs": [{"id"', request=req)
    again = mw.process_response(req, cut)
    assert isinstance(again, Request) and again.meta["retry_times"] == 1 and again.dont_filter
    assert crawler.stats.get_value("retry/reason_count/unparseable JSON") == 1
    spent = Request(req.url, meta={EXPECT: "json", "retry_times": 2})
    assert mw.process_response(spent, TextResponse(req.url, body=b"{", request=spent)).body == b"{"
    bad = Request(req.url, meta={EXPECT: "json"})
    mw.process_response(bad, TextResponse(req.url, body=b'{"t": "caf\xe9"}', request=bad))
    assert bad.meta[PARSED_JSON] == {"t": "caf\ufffd"} and crawler.spider.counts == {"credwatch/invalid_utf8": 1}
    plain = Request(req.url)
    assert mw.process_response(plain, cut) is cut  # not a JSON request: left alone
