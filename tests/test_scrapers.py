"""Scrapy layer: spider parsing on hand-written responses in the documented formats,
pipelines (PII scrub, quarantine, writer), the raw partition, Retry-After, and an
end-to-end crawl of every source against the offline snapshot web."""
from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
from scrapy.exceptions import DropItem  # noqa: E402
from scrapy.http import HtmlResponse, Request, TextResponse  # noqa: E402

from scrapers.items import LostPosting, OfferingItem, PostingItem  # noqa: E402
from scrapers.middlewares import RetryAfterMiddleware, retry_after_seconds  # noqa: E402
from scrapers.partition import RawPartition  # noqa: E402
from scrapers.pipelines import JsonlWriterPipeline, PiiScrubPipeline, ValidationPipeline, scrub_pii  # noqa: E402
from scrapers.spiders.base import iso_date, parse_salary_text, salary_period  # noqa: E402
from scrapers.spiders.catalog_mslearn import MsLearnSpider  # noqa: E402
from scrapers.spiders.jobs_greenhouse import GreenhouseSpider  # noqa: E402
from scrapers.spiders.jobs_lever import LeverSpider  # noqa: E402
from scrapers.spiders.jobs_schemaorg import SchemaOrgSpider, lenient_json, salary_fields  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "scrapers"
WEEK = "2026-W30"
SNAP = "http://127.0.0.1:9"  # never contacted by unit tests


@pytest.fixture(autouse=True)
def tmp_lake(tmp_path, monkeypatch):
    lake = tmp_path / "lake"
    monkeypatch.setenv("CREDWATCH_LAKE", str(lake))
    return lake


def response(url: str, body: bytes | str, cls=TextResponse, **meta):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return cls(url=url, body=body, encoding="utf-8", request=Request(url, meta=meta))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


LOST: list = []  # LostPostings of the last items_and_requests() call


def items_and_requests(results):
    """(items, requests) of a callback's output; its LostPostings are left in LOST."""
    results = list(results or [])
    items = [r for r in results if isinstance(r, (PostingItem, OfferingItem))]
    requests = [r for r in results if isinstance(r, Request)]
    LOST[:] = [r for r in results if isinstance(r, LostPosting)]
    assert len(items) + len(requests) + len(LOST) == len(results), results
    return items, requests


def assert_posting_contract(item: PostingItem, source: str):
    assert item.source == source
    assert item.week == WEEK
    for name in ("source_id", "url", "title", "company", "description_html"):
        value = getattr(item, name)
        assert isinstance(value, str) and value.strip(), f"{name} missing in {item}"
    assert len(item.payload_sha256) == 64
    assert item.fetched_at.endswith("Z")


# -- base class ------------------------------------------------------------------

def test_snapshot_mode_rewrites_urls_and_uses_snapshot_lists():
    spider = GreenhouseSpider(source="greenhouse", week=WEEK, snapshot_url=SNAP + "/")
    urls = [r.url for r in spider.first_requests()]
    assert urls[0] == f"{SNAP}/{WEEK}/greenhouse/v1/boards/northwind-cloud/jobs?content=true"
    assert len(urls) == 3
    assert spider.snapshot_rewrite("https://careers.example-employer.com/jobs/1.html?x=1") == \
        f"{SNAP}/{WEEK}/greenhouse/jobs/1.html?x=1"


def test_production_mode_uses_production_lists():
    spider = LeverSpider(source="lever", week=WEEK)
    urls = [r.url for r in spider.first_requests()]
    assert urls[0] == "https://api.lever.co/v0/postings/leverdemo?mode=json&skip=0&limit=100"
    assert len(urls) == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"source": "nope", "week": WEEK}, "not in config/sources.yml"),
    ({"source": "lever", "week": WEEK}, "has kind 'lever'"),
    ({"source": "greenhouse", "week": "2026-30"}, "not an ISO week"),
    ({"source": "greenhouse"}, "needs -a week"),
])
def test_bad_spider_arguments_name_the_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GreenhouseSpider(**kwargs)


@pytest.mark.parametrize("value, expected", [
    ("2016-01-14T10:55:28-05:00", "2016-01-14"),
    ("2026-07-15", "2026-07-15"),
    (1784000000000, "2026-07-14"),
    ("15 July 2026", None),
    (None, None),
])
def test_iso_date(value, expected):
    assert iso_date(value) == expected


# -- greenhouse ------------------------------------------------------------------

def test_greenhouse_board_parse():
    spider = GreenhouseSpider(source="greenhouse", week=WEEK)
    url = "https://boards-api.greenhouse.io/v1/boards/vaulttec/jobs?content=true"
    items, requests = items_and_requests(spider.parse_board(response(url, fixture("greenhouse_board.json")), token="vaulttec"))
    assert not requests and len(items) == 2
    for item in items:
        assert_posting_contract(item, "greenhouse")
    first, second = items
    assert first.source_id == "127817"
    assert first.url == "https://boards.greenhouse.io/vaulttec/jobs/127817"
    assert first.company == "vaulttec"  # no company_name → board token
    # Entity-escaped once: tags become real, a literal "&" stays escaped as &amp;.
    assert first.description_html.startswith("<p>Design vaults &amp; shelters.</p><ul><li>AWS")
    assert first.date_posted == "2016-01-14"  # updated_at when first_published is absent
    assert first.remote is None and first.location_raw == "NYC"
    assert first.departments == ["Department of Departments"]
    assert first.language == "en"
    assert second.company == "Vault-Tec"
    assert second.date_posted == "2026-07-13"  # first_published preferred
    assert second.valid_through == "2026-08-31"
    assert second.remote is True
    assert second.departments == ["Engineering", "Platform"]
    assert first.payload_sha256 == hashlib.sha256(fixture("greenhouse_board.json")).hexdigest()


# -- lever -----------------------------------------------------------------------

def lever_url(skip, limit=100):
    return f"https://api.lever.co/v0/postings/leverdemo?mode=json&skip={skip}&limit={limit}"


def test_lever_page_parse_salary_workplace_and_description():
    spider = LeverSpider(source="lever", week=WEEK)
    items, requests = items_and_requests(
        spider.parse_page(response(lever_url(0), fixture("lever_page.json")), site="leverdemo", skip=0))
    assert len(items) == 2 and not requests  # 2 < limit: last page
    for item in items:
        assert_posting_contract(item, "lever")
    senior, support = items
    assert senior.source_id == "5ac21346-8e0c-4494-8e7a-3eb92ff77902"
    assert senior.company == "leverdemo"
    assert (senior.salary_min, senior.salary_max, senior.salary_currency, senior.salary_period) == \
        (120000.0, 150000.0, "CAD", "year")
    assert (senior.remote, senior.hybrid) == (False, True)
    assert senior.date_posted == "2026-07-14"
    assert senior.employment_type == "Full-time"
    assert senior.departments == ["Engineering", "R&D"]
    assert senior.description_html == (
        "<div>We build data products.</div><h3>Requirements</h3>"
        "<ul><li>5+ years of Python</li><li>PMP or equivalent experience</li></ul>"
        "<div>Benefits included.</div>")
    assert senior.description_text == (
        "We build data products.\n\nRequirements\n- 5+ years of Python\n- PMP or equivalent experience"
        "\n\nBenefits included.")
    assert (support.salary_min, support.salary_max, support.salary_period) == (25.0, 32.0, "hour")
    assert (support.remote, support.hybrid) == (True, False)


def test_lever_follows_full_pages_and_stops_on_repeats():
    spider = LeverSpider(source="lever", week=WEEK)
    spider.page_size = 2
    body = fixture("lever_page.json")
    items, requests = items_and_requests(spider.parse_page(response(lever_url(0, 2), body), site="leverdemo", skip=0))
    assert len(items) == 2
    assert [r.url for r in requests] == [lever_url(2, 2)]
    # A server ignoring `skip` sends the same page again: no new ids → no items,
    # the same page is asked for once more, and if it repeats again the listing stops.
    repeated = response(lever_url(2, 2), body)
    items, requests = items_and_requests(spider.parse_page(repeated, site="leverdemo", skip=2))
    assert items == [] and [r.url for r in requests] == [lever_url(2, 2)]
    assert requests[0].dont_filter and requests[0].meta[spider.REFETCHED]
    assert spider.counters["credwatch/repeated_pages"] == 1
    again = TextResponse(url=lever_url(2, 2), body=body, encoding="utf-8", request=requests[0])
    items, requests = items_and_requests(spider.parse_page(again, site="leverdemo", skip=2))
    assert items == [] and requests == []
    assert spider.counters["credwatch/repeated_pages_unresolved"] == 1
    assert spider.counters["credwatch/repeated_entries"] == 4


# -- schema.org ------------------------------------------------------------------

def jsonld_page(*blocks: str, lang: str = "en") -> str:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html lang=\"{lang}\"><head>{scripts}</head><body></body></html>"


POSTING = {"@context": "https://schema.org/", "@type": "JobPosting", "title": "Cloud Engineer",
           "description": "<p>Run Kubernetes.</p>", "datePosted": "2026-07-14",
           "hiringOrganization": {"@type": "Organization", "name": "Acme"},
           "jobLocationType": "TELECOMMUTE",
           "applicantLocationRequirements": {"@type": "Country", "name": "USA"}}
JOB_URL = "https://careers.example-employer.com/jobs/cloud-1.html"


def parse_job(body: str, spider=None):
    spider = spider or SchemaOrgSpider(source="schemaorg", week=WEEK)
    items, requests = items_and_requests(spider.parse_job(response(JOB_URL, body, HtmlResponse), listed_url=JOB_URL))
    assert not requests
    return spider, items


@pytest.mark.parametrize("shape", ["single", "array", "graph", "type_list"])
def test_schemaorg_jsonld_shapes(shape):
    other = {"@type": "WebPage", "name": "Careers"}
    doc = {
        "single": POSTING,
        "array": [other, POSTING],
        "graph": {"@context": "https://schema.org", "@graph": [other, {k: v for k, v in POSTING.items() if k != "@context"}]},
        "type_list": {**POSTING, "@type": ["JobPosting", "Thing"]},
    }[shape]
    _, items = parse_job(jsonld_page(json.dumps(doc)))
    assert len(items) == 1
    item = items[0]
    assert_posting_contract(item, "schemaorg")
    assert item.title == "Cloud Engineer" and item.company == "Acme"
    assert item.source_id == JOB_URL and item.url == JOB_URL  # no identifier → the URL
    assert item.remote is True and item.location_raw == "Remote (USA)"
    assert item.date_posted == "2026-07-14" and item.language == "en"


def test_schemaorg_graph_fixture_resolves_references_locations_and_salary():
    _, items = parse_job(fixture("schemaorg_graph.html").decode())
    (item,) = items
    assert item.source_id == "R-1234"
    assert item.company == "Acme Ltd"  # hiringOrganization by @id into the graph
    assert item.description_html.startswith("<p>Build pipelines.</p><ul>")  # entity-escaped → unescaped
    assert item.location_raw == "London, GB; Manchester, Greater Manchester, GB"
    assert item.employment_type == "FULL_TIME,CONTRACTOR"
    assert (item.date_posted, item.valid_through) == ("2026-07-15", "2026-08-30")
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == \
        (55000.0, 70000.0, "GBP", "year")
    assert item.language == "en-GB"


def test_schemaorg_non_jobposting_is_quarantined_and_counted():
    spider, items = parse_job(jsonld_page(json.dumps({"@context": "https://schema.org", "@type": "Organization", "name": "Acme"})))
    assert items == []
    (lost,) = LOST
    assert lost.url == JOB_URL and lost.reason == "page carries no schema.org JobPosting (JSON-LD)"
    assert lost.source == "schemaorg" and lost.week == WEEK and lost.status == 200
    assert spider.counters["schemaorg/no_jobposting"] == 1


def test_schemaorg_page_without_jsonld_is_quarantined_and_counted():
    spider, items = parse_job("<html><body>No structured data</body></html>")
    assert items == [] and len(LOST) == 1 and spider.counters["schemaorg/no_jobposting"] == 1


@pytest.mark.parametrize("base_salary, extra, expected", [
    (95000, {"salaryCurrency": "USD"}, (95000.0, 95000.0, "USD", None)),
    ({"@type": "MonetaryAmount", "currency": "USD", "value": {"@type": "QuantitativeValue", "value": 40, "unitText": "HOUR"}},
     {}, (40.0, 40.0, "USD", "hour")),
    ({"@type": "MonetaryAmount", "currency": "EUR", "value": {"@type": "QuantitativeValue", "minValue": "50000", "maxValue": "60000", "unitText": "YEAR"}},
     {}, (50000.0, 60000.0, "EUR", "year")),
    ({"@type": "MonetaryAmount", "value": {"@type": "QuantitativeValue", "currency": "CAD", "minValue": 4000, "maxValue": 5000, "unitText": "MONTH"}},
     {}, (4000.0, 5000.0, "CAD", "month")),
    ({"@type": "MonetaryAmount", "currency": "USD", "value": 52.5, "unitText": "DAY"}, {}, (52.5, 52.5, "USD", "day")),
    ({"@type": "MonetaryAmount", "value": "$120k - $150k per year"}, {}, (120000.0, 150000.0, "USD", "year")),
    ("85,000-95,000 GBP a year", {}, (85000.0, 95000.0, "GBP", "year")),
    ({"@type": "MonetaryAmount", "value": {"@type": "QuantitativeValue", "value": 30, "unitText": "WEEK"}},
     {"salaryCurrency": "AUD"}, (30.0, 30.0, "AUD", "week")),
])
def test_schemaorg_base_salary_shapes(base_salary, extra, expected):
    _, items = parse_job(jsonld_page(json.dumps({**POSTING, "baseSalary": base_salary, **extra})))
    (item,) = items
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == expected
    assert item.salary_raw


def test_schemaorg_salary_absent():
    assert salary_fields(None, {}) == dict.fromkeys(
        ("salary_raw", "salary_min", "salary_max", "salary_currency", "salary_period"))


def test_schemaorg_lenient_json():
    broken = '{"@type": "JobPosting", "title": "A\nB", "employmentType": ["FULL_TIME",],}'
    assert lenient_json(broken)["employmentType"] == ["FULL_TIME"]
    assert lenient_json("//<![CDATA[\n{\"a\": 1}\n//]]>") == {"a": 1}
    page_block = ('{"@type": "JobPosting", "title": "A\nB", "description": "<p>x</p>",'
                  ' "hiringOrganization": "Acme", "employmentType": ["FULL_TIME",],}')
    _, items = parse_job(jsonld_page(page_block))
    (item,) = items
    assert item.title == "A\nB" and item.employment_type == "FULL_TIME" and item.company == "Acme"


def test_schemaorg_sitemapindex_and_urlset():
    spider = SchemaOrgSpider(source="schemaorg", week=WEEK)
    index_url = "https://careers.example-employer.com/sitemap.xml"
    _, requests = items_and_requests(spider.parse_sitemap(response(index_url, fixture("sitemapindex.xml"))))
    assert [r.url for r in requests] == ["https://careers.example-employer.com/sitemap-jobs-1.xml",
                                         "https://careers.example-employer.com/sitemap-jobs-2.xml"]
    assert all(r.callback == spider.parse_sitemap and r.meta[spider.CRITICAL] for r in requests)
    _, requests = items_and_requests(spider.parse_sitemap(response(requests[0].url, fixture("sitemap_urlset.xml"))))
    assert [r.url for r in requests] == ["https://careers.example-employer.com/jobs/r-1234.html",
                                         "https://careers.example-employer.com/jobs/r-1235.html"]
    assert all(r.callback == spider.parse_job and not r.meta[spider.CRITICAL] for r in requests)


def test_schemaorg_sitemap_in_snapshot_mode_maps_production_urls_and_keeps_listed_url():
    spider = SchemaOrgSpider(source="schemaorg", week=WEEK, snapshot_url=SNAP)
    (first,) = spider.first_requests()
    assert first.url == f"{SNAP}/{WEEK}/schemaorg/sitemap.xml"
    _, requests = items_and_requests(spider.parse_sitemap(response(first.url, fixture("sitemap_urlset.xml"))))
    assert requests[0].url == f"{SNAP}/{WEEK}/schemaorg/jobs/r-1234.html"
    assert requests[0].cb_kwargs["listed_url"] == "https://careers.example-employer.com/jobs/r-1234.html"


def test_sitemap_gzip():
    spider = SchemaOrgSpider(source="schemaorg", week=WEEK)
    body = gzip.compress(fixture("sitemap_urlset.xml"))
    _, requests = items_and_requests(spider.parse_sitemap(response("https://x.example/sitemap.xml.gz", body)))
    assert len(requests) == 2


# -- mslearn ---------------------------------------------------------------------

def test_mslearn_catalog_parse():
    spider = MsLearnSpider(source="mslearn", week=WEEK)
    (request,) = spider.first_requests()
    assert request.url == ("https://learn.microsoft.com/api/catalog/"
                           "?type=certifications,exams,courses,appliedSkills&locale=en-us")
    items, _ = items_and_requests(spider.parse_catalog(response(request.url, fixture("mslearn_catalog.json"))))
    by_type = {i.offering_type: i for i in items}
    assert set(by_type) == {"certification", "exam", "course", "applied_skill"}
    for item in items:
        assert item.source == "mslearn" and item.provider == "Microsoft" and item.week == WEEK
        assert item.source_id and item.title and "WT.mc_id" not in item.url
    cert, exam, course, skill = by_type["certification"], by_type["exam"], by_type["course"], by_type["applied_skill"]
    assert cert.url == "https://learn.microsoft.com/en-us/credentials/certifications/azure-administrator/"
    assert cert.exam_codes == ["AZ-104"] and cert.credential_uid == "certification.azure-administrator"
    assert exam.exam_codes == ["AZ-104"] and exam.credential_uid == "certification.azure-administrator"
    assert exam.url.endswith("/exams/az-104/?tab=overview")
    assert course.duration_hours == 32.0 and course.exam_codes == ["AZ-104"]
    assert course.credential_uid == "certification.azure-administrator"
    assert skill.credential_uid == skill.source_id and skill.level == "advanced"
    assert cert.level == "intermediate" and cert.language == "en-us"
    assert cert.last_modified == "2025-06-01T00:00:00+00:00"


# -- malformed responses: never raise, always counted ----------------------------

@pytest.mark.parametrize("spider_cls, source, fixture_name, call", [
    (GreenhouseSpider, "greenhouse", "greenhouse_not_json.html", lambda s, r: s.parse_board(r, token="t")),
    (GreenhouseSpider, "greenhouse", "greenhouse_no_jobs_list.json", lambda s, r: s.parse_board(r, token="t")),
    (LeverSpider, "lever", "lever_error_object.json", lambda s, r: s.parse_page(r, site="x", skip=0)),
    (LeverSpider, "lever", "lever_truncated.json", lambda s, r: s.parse_page(r, site="x", skip=0)),
    (MsLearnSpider, "mslearn", "mslearn_truncated.json", lambda s, r: s.parse_catalog(r)),
    (SchemaOrgSpider, "schemaorg", "sitemap_not_xml.txt", lambda s, r: s.parse_sitemap(r)),
])
def test_malformed_list_responses_are_critical_failures(spider_cls, source, fixture_name, call):
    spider = spider_cls(source=source, week=WEEK)
    out = list(call(spider, response("https://example.test/x", fixture("malformed/" + fixture_name))) or [])
    assert out == []
    assert spider.counters["credwatch/failed_requests/critical"] == 1


def test_malformed_jsonld_is_skipped_and_counted():
    spider, items = parse_job(fixture("malformed/schemaorg_garbage_jsonld.html").decode())
    assert items == [] and len(LOST) == 1
    assert spider.counters["schemaorg/jsonld_invalid"] == 1
    assert spider.counters["schemaorg/no_jobposting"] == 1


# -- pipelines -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Write to jane.doe@example.co.uk today", "Write to [email] today"),
    ("<a href=\"mailto:hr@acme.example\">hr@acme.example</a>", "<a href=\"mailto:[email]\">[email]</a>"),
    ("Call +1 415 555 0100 or (415) 555-0101.", "Call [phone] or [phone]."),
    ("UK: +44 20 7946 0958, US: 415.555.0100", "UK: [phone], US: [phone]"),
    ("tel:+14155550100", "tel:[phone]"),
    # Not phones: dates, year ranges, salaries, ids, URLs, versions.
    ("Posted 2026-03-02; 2020-2024 experience", "Posted 2026-03-02; 2020-2024 experience"),
    ("$120,000 - $150,000 or 120.000-150.000 EUR or 1 200 000 SEK",
     "$120,000 - $150,000 or 120.000-150.000 EUR or 1 200 000 SEK"),
    ("Req 1234567 at https://x.example/jobs/415-555-0100 v1.2.3", "Req 1234567 at https://x.example/jobs/415-555-0100 v1.2.3"),
])
def test_scrub_pii(text, expected):
    assert scrub_pii(text) == expected


class FakeStats:
    def __init__(self):
        self.values = {}

    def inc_value(self, key, n=1):
        self.values[key] = self.values.get(key, 0) + n


class FakeCrawler:
    def __init__(self, spider):
        self.spider = spider
        self.stats = FakeStats()


def run_pipelines(spider, items):
    crawler = FakeCrawler(spider)
    chain = [PiiScrubPipeline(), ValidationPipeline(crawler), JsonlWriterPipeline(crawler)]
    dropped = []
    for item in items:
        try:
            for stage in chain:
                item = stage.process_item(item)
        except DropItem as exc:
            dropped.append(str(exc))
    chain[-1].close_spider()
    return crawler, dropped


def test_item_missing_title_is_quarantined_with_reason_not_dropped_silently(tmp_lake):
    spider = GreenhouseSpider(source="greenhouse", week=WEEK)
    good = spider.posting(response("https://x.example/a", b"{}"), source_id="1", url="https://x.example/1",
                          title="Engineer", company="x", description_html="<p>Mail a@b.example</p>")
    bad = spider.posting(response("https://x.example/a", b"{}"), source_id="2", url="https://x.example/2",
                         title="  ", company="x", description_html="<p>call +1 212 555 0147</p>")
    crawler, dropped = run_pipelines(spider, [good, bad])
    assert dropped == ["quarantined: missing required field(s): title"]
    tmp = spider.partition.tmp
    (written,) = [json.loads(line) for line in (tmp / "items.jsonl").read_text().splitlines()]
    assert written["source_id"] == "1" and written["description_html"] == "<p>Mail [email]</p>"
    (quarantined,) = [json.loads(line) for line in (tmp / "quarantine.jsonl").read_text().splitlines()]
    assert quarantined["reason"] == "missing required field(s): title"
    assert quarantined["item"]["source_id"] == "2"
    assert quarantined["item"]["description_html"] == "<p>call [phone]</p>"  # scrubbed before storage
    assert crawler.stats.values == {"credwatch/quarantined": 1, "credwatch/item_count/PostingItem": 1}
    assert (spider.partition.items, spider.partition.quarantined) == (1, 1)


def test_offering_missing_uid_is_quarantined():
    spider = MsLearnSpider(source="mslearn", week=WEEK)
    item = spider.offering(response("https://x.example/c", b"{}"), title="Exam", source_id=None)
    _, dropped = run_pipelines(spider, [item])
    assert dropped == ["quarantined: missing required field(s): source_id"]


# -- raw partition ---------------------------------------------------------------

def test_partition_commit_is_atomic_and_immutable(tmp_lake):
    part = RawPartition("greenhouse", WEEK)
    part.open()
    sha = part.archive("https://x.example/a", 200, b"hello", "2026-07-20T00:00:00Z")
    part.archive("https://x.example/b", 200, b"hello", "2026-07-20T00:00:01Z")  # same body: stored once
    assert part.tmp.name == f"week={WEEK}.tmp-{__import__('os').getpid()}"
    assert not part.final.exists()
    final = part.commit({"items": 0})
    assert final == tmp_lake / "raw" / "source=greenhouse" / f"week={WEEK}"
    assert not part.tmp.exists()
    assert sorted(p.name for p in final.iterdir()) == [
        "_SUCCESS", "items.jsonl", "manifest.jsonl", "quarantine.jsonl", "responses", "stats.json"]
    assert gzip.decompress((final / "responses" / f"{sha}.gz").read_bytes()) == b"hello"
    manifest = [json.loads(x) for x in (final / "manifest.jsonl").read_text().splitlines()]
    assert [m["url"] for m in manifest] == ["https://x.example/a", "https://x.example/b"]
    assert manifest[0] == {"url": "https://x.example/a", "status": 200, "fetched_at": "2026-07-20T00:00:00Z",
                           "sha256": sha, "bytes": 5}
    with pytest.raises(FileExistsError, match="immutable"):
        RawPartition("greenhouse", WEEK).open()


def test_partition_abort_leaves_nothing(tmp_lake):
    part = RawPartition("lever", WEEK)
    part.archive("https://x.example/a", 503, b"busy", "2026-07-20T00:00:00Z")
    part.abort()
    assert not part.tmp.exists() and not part.final.exists()


# -- Retry-After -----------------------------------------------------------------

def test_retry_after_seconds():
    now = dt.datetime(2026, 7, 20, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert retry_after_seconds(b"7", cap=60) == 7.0
    assert retry_after_seconds("600", cap=60) == 60.0
    assert retry_after_seconds("Mon, 20 Jul 2026 12:00:30 GMT", cap=60, now=now) == 30.0
    assert retry_after_seconds("Mon, 20 Jul 2026 11:00:00 GMT", cap=60, now=now) == 0.0
    assert retry_after_seconds("soon", cap=60) is None
    assert retry_after_seconds(None, cap=60) is None


def test_retry_after_middleware_waits_then_retries(monkeypatch):
    from scrapy.settings import Settings

    waits = []

    async def fake_sleep(seconds):
        waits.append(seconds)

    mw = RetryAfterMiddleware(Settings({"RETRY_ENABLED": True, "RETRY_TIMES": 3,
                                        "RETRY_HTTP_CODES": [429, 503, 500], "RETRY_AFTER_MAX_S": 60}))
    mw.crawler = type("C", (), {"stats": FakeStats(), "spider": GreenhouseSpider(source="greenhouse", week=WEEK)})()
    mw.crawler.spider.crawler = mw.crawler
    monkeypatch.setattr(mw, "sleep", fake_sleep)
    monkeypatch.setattr("scrapers.middlewares.RetryMiddleware._retry",
                        lambda self, request, reason: request.replace(meta={**request.meta, "retry_times": 1}))

    req = Request("https://x.example/jobs")
    limited = TextResponse(req.url, status=429, headers={"Retry-After": "5"}, body=b"", request=req)
    result = asyncio.run(mw.process_response(req, limited))
    assert isinstance(result, Request) and waits == [5.0]

    no_header = TextResponse(req.url, status=500, body=b"", request=req)
    assert isinstance(asyncio.run(mw.process_response(req, no_header)), Request) and waits == [5.0]

    exhausted = Request(req.url, meta={"retry_times": 3})
    limited = TextResponse(req.url, status=429, headers={"Retry-After": "5"}, body=b"", request=exhausted)
    asyncio.run(mw.process_response(exhausted, limited))
    assert waits == [5.0]  # no wait when no retry is left

    ok = TextResponse(req.url, status=200, body=b"{}", request=req)
    assert asyncio.run(mw.process_response(req, ok)) is ok


# -- salary helpers --------------------------------------------------------------

@pytest.mark.parametrize("text, period", [("per-year-salary", "year"), ("per-hour-wage", "hour"),
                                          ("MONTH", "month"), ("weekly", "week"), ("per-day", "day"), ("", None)])
def test_salary_period(text, period):
    assert salary_period(text) == period


def test_parse_salary_text():
    assert parse_salary_text("€45k–55k a year") == {"salary_min": 45000.0, "salary_max": 55000.0,
                                                     "salary_currency": "EUR", "salary_period": "year"}


# -- end to end: real crawls (subprocesses) against the snapshot web ----------------

SOURCES = ("greenhouse", "lever", "schemaorg", "ashby", "smartrecruiters", "remotive", "usajobs", "hackernews",
           "mslearn")
MSLEARN_TYPES = ["certifications", "exams", "courses", "appliedSkills"]
# The crawl statistics every spider writes (the warehouse loads them as source_health).
STATS_KEYS = {"source", "week", "spider", "finish_reason", "requests", "responses", "responses_by_status", "bytes",
              "archived_bytes", "retries", "retry_reasons", "retries_given_up", "download_errors",
              "robots_forbidden", "duration_s", "items", "item_count", "quarantined", "quarantine_reasons",
              "lost_postings", "targets_gone", "failed_requests", "spider_exceptions", "errors", "counters",
              "peak_rss_bytes", "started_at", "finished_at", "page_cap"}


def partition_digest(partition: Path) -> dict[str, str]:
    return {str(p.relative_to(partition)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(partition.rglob("*")) if p.is_file()}


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def snapshot_server():
    server_mod = pytest.importorskip("snapshot.server", reason="snapshot/server.py is not there yet")
    server = server_mod.SnapshotServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawled(snapshot_server, tmp_path_factory):
    """Every source crawled once for WEEK into one lake; lever paged by 25 to exercise paging."""
    from scrapers.run import crawl

    from concurrent.futures import ThreadPoolExecutor

    lake = tmp_path_factory.mktemp("e2e-lake")

    def one(source):
        args = {"page_size": 25} if source == "lever" else None
        return crawl(source, WEEK, snapshot_url=snapshot_server.url, spider_args=args, timeout_s=300)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDWATCH_LAKE", str(lake))
        with ThreadPoolExecutor(max_workers=3) as pool:  # one subprocess each; the server serves them all
            results = dict(zip(SOURCES, pool.map(one, SOURCES)))
    return lake, results


def served_count(server, source: str) -> int:
    if source == "mslearn":
        status, body = server.snapshot.mslearn_catalog(WEEK, MSLEARN_TYPES, "en-us", None)
        assert status == 200
        catalog = json.loads(body)
        return sum(len(catalog.get(t) or []) for t in MSLEARN_TYPES)
    return len(server.snapshot.active_postings(source, WEEK))


@pytest.mark.parametrize("source", SOURCES)
def test_crawl_snapshot_week_writes_complete_partition(crawled, snapshot_server, source):
    lake, results = crawled
    stats = results[source]
    partition = lake / "raw" / f"source={source}" / f"week={WEEK}"
    assert stats["skipped"] is False and stats["partition"] == str(partition)
    assert (partition / "_SUCCESS").exists() and (partition / "_SUCCESS").stat().st_size == 0
    assert not list(partition.parent.glob(f"week={WEEK}.tmp-*"))
    items = jsonl(partition / "items.jsonl")
    expected = served_count(snapshot_server, source)
    assert expected > 0
    assert len(items) == expected == stats["items"]
    assert len({i["source_id"] for i in items}) == len(items)
    assert stats["quarantined"] == 0 and jsonl(partition / "quarantine.jsonl") == []
    assert all(i["week"] == WEEK and i["source"] == source for i in items)
    if source != "mslearn":
        served_ids = {str(p.posting_id) for p in snapshot_server.snapshot.active_postings(source, WEEK)}
        assert {i["source_id"] for i in items} == served_ids
    # Every response archived: manifest lines == responses Scrapy received == stats.
    manifest = jsonl(partition / "manifest.jsonl")
    assert len(manifest) == stats["responses"] == stats["scrapy"]["downloader/response_count"]
    assert any(m["url"].endswith("/robots.txt") for m in manifest)
    for m in manifest:
        body = gzip.decompress((partition / "responses" / f"{m['sha256']}.gz").read_bytes())
        assert hashlib.sha256(body).hexdigest() == m["sha256"] and len(body) == m["bytes"]
    assert {i["payload_sha256"] for i in items} <= {m["sha256"] for m in manifest}
    on_disk = json.loads((partition / "stats.json").read_text())
    assert STATS_KEYS <= set(on_disk), f"stats.json lacks {STATS_KEYS - set(on_disk)}"
    assert on_disk["requests"] == sum(on_disk["responses_by_status"].values()) == on_disk["responses"]
    assert on_disk["responses_by_status"]["200"] == on_disk["responses"] and on_disk["bytes"] > 0
    assert on_disk["retries"] == 0 and on_disk["download_errors"] == {} and on_disk["quarantine_reasons"] == {}
    assert on_disk["peak_rss_bytes"] > 10 * 2**20 and on_disk["duration_s"] >= 0
    assert on_disk["finish_reason"] == "finished" and on_disk["items"] == len(items)
    assert on_disk["item_count"] == {("OfferingItem" if source == "mslearn" else "PostingItem"): len(items)}
    assert on_disk["failed_requests"] == {"critical": 0, "optional": 0}
    assert on_disk["started_at"] <= on_disk["finished_at"]
    assert (lake / "logs" / f"scrape-{source}-{WEEK}.log").exists()


def test_paged_sources_followed_every_page(crawled, snapshot_server):
    _, results = crawled
    snap = snapshot_server.snapshot
    sr_pages = sum(-(-len(snap.active_postings("smartrecruiters", WEEK, c)) // 10) for c in snap.boards["smartrecruiters"])
    sr_details = len(snap.active_postings("smartrecruiters", WEEK))
    assert results["smartrecruiters"]["requests"] == 1 + sr_pages + sr_details  # robots + list pages + details
    assert results["usajobs"]["requests"] == 1 + -(-len(snap.active_postings("usajobs", WEEK)) // 10)
    hn = len(snap.active_postings("hackernews", WEEK))
    assert results["hackernews"]["requests"] == 1 + 1 + 3 + hn  # robots, user, 3 items to the thread, comments


def test_crawl_many_crawls_all_weeks_in_one_process(snapshot_server, tmp_lake):
    from scrapers.run import crawl_many

    weeks = [WEEK, "2026-W31"]
    results = crawl_many("remotive", weeks, snapshot_url=snapshot_server.url)
    assert list(results) == weeks
    assert {r["pid"] for r in results.values()} != {None} and len({r["pid"] for r in results.values()}) == 1
    for week, stats in results.items():
        assert stats["skipped"] is False and stats["week"] == week
        assert stats["items"] == len(snapshot_server.snapshot.active_postings("remotive", week))
        assert (Path(stats["partition"]) / "_SUCCESS").exists()
        assert f"week {week}" in (tmp_lake / "logs" / f"scrape-remotive-{week}.log").read_text()
    again = crawl_many("remotive", [*weeks, "2026-W32"], snapshot_url=snapshot_server.url)
    assert [again[w]["skipped"] for w in weeks] == [True, True] and again["2026-W32"]["skipped"] is False


def test_lever_crawl_followed_pages(crawled, snapshot_server):
    _, results = crawled
    sites = len(snapshot_server.snapshot.boards["lever"])
    pages = sum(len(snapshot_server.snapshot.active_postings("lever", WEEK, s)) // 25 + 1
                for s in snapshot_server.snapshot.boards["lever"])
    assert pages > sites  # the page size really made it page
    assert results["lever"]["requests"] == pages + 1  # + robots.txt


def test_second_crawl_is_skipped_and_leaves_partition_byte_identical(crawled, snapshot_server, monkeypatch):
    from scrapers.run import crawl

    lake, results = crawled
    monkeypatch.setenv("CREDWATCH_LAKE", str(lake))
    for source in SOURCES:
        partition = lake / "raw" / f"source={source}" / f"week={WEEK}"
        before = partition_digest(partition)
        again = crawl(source, WEEK, snapshot_url=snapshot_server.url)
        assert again["skipped"] is True
        assert again["items"] == results[source]["items"]
        assert partition_digest(partition) == before


def test_retry_after_is_honoured_and_archived(snapshot_server, tmp_lake):
    from snapshot.server import Fault

    from scrapers.run import crawl

    prefix = f"/{WEEK}/greenhouse/v1/boards/bluepeak-health/"
    snapshot_server.faults[prefix] = Fault(status=429, headers={"Retry-After": "1"}, times=1)
    try:
        stats = crawl("greenhouse", WEEK, snapshot_url=snapshot_server.url, timeout_s=300)
    finally:
        snapshot_server.faults.pop(prefix, None)
    assert stats["retries"] == 1 and stats["responses_by_status"]["429"] == 1
    assert stats["scrapy"]["credwatch/retry_after_wait_s"] == 1
    assert stats["items"] == len(snapshot_server.snapshot.active_postings("greenhouse", WEEK))
    statuses = [m["status"] for m in jsonl(Path(stats["partition"]) / "manifest.jsonl")]
    assert statuses.count(429) == 1


def test_failed_board_fails_the_crawl_and_commits_nothing(snapshot_server, tmp_lake):
    from snapshot.server import Fault

    from scrapers.run import crawl

    prefix = f"/{WEEK}/greenhouse/v1/boards/ironclad-security/"
    snapshot_server.faults[prefix] = Fault(status=500, body=b"boom")
    try:
        with pytest.raises(RuntimeError) as err:
            crawl("greenhouse", WEEK, snapshot_url=snapshot_server.url, timeout_s=300)
    finally:
        snapshot_server.faults.pop(prefix, None)
    message = str(err.value)
    log = tmp_lake / "logs" / f"scrape-greenhouse-{WEEK}.log"
    assert "'greenhouse'" in message and WEEK in message and str(log) in message and "exit" in message
    assert "1 list/index request(s) failed" in message
    assert "ironclad-security" in log.read_text()
    assert not (tmp_lake / "raw" / "source=greenhouse").exists() or \
        not list((tmp_lake / "raw" / "source=greenhouse").iterdir())


def test_crawl_rejects_unknown_source_and_bad_week(tmp_lake):
    from scrapers.run import crawl

    with pytest.raises(ValueError, match="not in config/sources.yml"):
        crawl("monster", WEEK)
    with pytest.raises(ValueError, match="not an ISO week"):
        crawl("greenhouse", "2026-30")


def test_config_error_in_start_requests_is_a_critical_failure():
    spider = GreenhouseSpider(source="greenhouse", week=WEEK, snapshot_url=SNAP)
    spider.entry = {**spider.entry, "snapshot": {}}  # no snapshot.boards

    async def drain():
        return [r async for r in spider.start()]

    assert asyncio.run(drain()) == []
    assert spider.counters["credwatch/failed_requests/critical"] == 1
