"""Catalog spiders (Coursera, Credly, schema.org courses) on responses in their documented
formats — paginated catalogs, a malformed page of each — and one real crawl of each
against the offline snapshot web, plus the snapshot's weekly catalog changes."""
from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from scrapers.items import OfferingItem
from scrapers.spiders.catalog_coursera import CourseraSpider
from scrapers.spiders.catalog_credly import CredlySpider
from scrapers.spiders.catalog_schemaorg import SchemaOrgCourseSpider
from snapshot import catalogs
from snapshot.planted import CALENDAR

WEEK = "2026-W30"


@pytest.fixture(autouse=True)
def tmp_lake(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))


def response(url: str, body, cls=TextResponse, **meta):
    body = body.encode("utf-8") if isinstance(body, str) else body
    return cls(url=url, body=body, encoding="utf-8", request=Request(url, meta=meta))


def split(results):
    results = list(results or [])
    items = [r for r in results if isinstance(r, OfferingItem)]
    requests = [r for r in results if isinstance(r, Request)]
    assert len(items) + len(requests) == len(results), results
    return items, requests


# -- Coursera ----------------------------------------------------------------------

COURSERA_PAGE = {
    "elements": [
        {"id": "69Bku0KoEeWZtA4u62x6lQ", "slug": "gamification", "name": "Gamification", "courseType": "v2.ondemand",
         "description": "Gamification is the application of game elements", "workload": "5-8 hours/week",
         "partnerIds": ["6"], "primaryLanguages": ["en"], "certificates": ["VerifiedCert"]},
        {"id": "x1", "slug": "aws-saa-prep", "name": "Exam Prep: AWS Certified Solutions Architect - Associate",
         "workload": "14 hours to complete", "partnerIds": ["2033"], "primaryLanguages": ["es"]},
    ],
    "paging": {"next": "2", "total": 3},
    "linked": {"partners.v1": [{"id": "6", "name": "University of Michigan"}, {"id": "2033", "name": "Amazon Web Services"}]},
}


def test_coursera_page_maps_fields_and_follows_paging_next():
    spider = CourseraSpider(source="coursera", week=WEEK)
    first = list(spider.first_requests())
    assert [r.url.split("?")[0] for r in first] == ["https://api.coursera.org/api/courses.v1",
                                                    "https://api.coursera.org/api/onDemandSpecializations.v1"]
    assert "start=0&limit=100" in first[0].url and "includes=partnerIds" in first[0].url
    url = "https://api.coursera.org/api/courses.v1?start=0&limit=2"
    items, requests = split(spider.parse_page(response(url, json.dumps(COURSERA_PAGE)), resource="courses.v1", start=0))
    assert [i.title for i in items] == ["Gamification", "Exam Prep: AWS Certified Solutions Architect - Associate"]
    g, a = items
    assert g.url == "https://www.coursera.org/learn/gamification" and g.provider == "University of Michigan"
    assert g.duration_raw == "5-8 hours/week" and g.offering_type == "course" and g.language == "en"
    assert a.provider == "Amazon Web Services" and a.language == "es"
    (nxt,) = requests
    assert "start=2&limit=100" in nxt.url
    last = {"elements": [{"id": "s1", "slug": "google-data-analytics", "name": "Google Data Analytics",
                          "productVariant": "ProfessionalCertificateS", "partnerIds": ["368"]}], "paging": {"total": 1}}
    items, requests = split(spider.parse_page(response(url, json.dumps(last)), resource="onDemandSpecializations.v1", start=0))
    assert requests == []  # no paging.next: last page
    assert items[0].offering_type == "professional_certificate"
    assert items[0].url == "https://www.coursera.org/professional-certificates/google-data-analytics"


def test_coursera_repeated_page_is_refetched_once_then_left():
    spider = CourseraSpider(source="coursera", week=WEEK)
    url = "https://api.coursera.org/api/courses.v1?start=0&limit=2"
    split(spider.parse_page(response(url, json.dumps(COURSERA_PAGE)), resource="courses.v1", start=0))
    items, requests = split(spider.parse_page(response(url, json.dumps(COURSERA_PAGE)), resource="courses.v1", start=2))
    assert items == [] and len(requests) == 1  # the server repeated a page: ask once more, no duplicates
    assert spider.counters["credwatch/repeated_entries"] == 2


@pytest.mark.parametrize("body", ['{"elements": [', '{"errorCode": "Forbidden", "message": "nope"}', "<html>busy</html>"])
def test_coursera_malformed_page_is_a_critical_failure(body):
    spider = CourseraSpider(source="coursera", week=WEEK)
    out = list(spider.parse_page(response("https://api.coursera.org/api/courses.v1", body), resource="courses.v1", start=0))
    assert out == [] and spider.counters["credwatch/failed_requests/critical"] == 1


# -- Credly ------------------------------------------------------------------------

def credly_page(page: int, total_pages: int, ids: list[str], next_url: str | None) -> str:
    data = [{"id": i, "name": f"Badge {i}", "description": "d", "state": "active", "public": True, "cost": "Free",
             "level": "Foundational", "time_to_earn": "Weeks", "type_category": "Learning", "skills": ["Fencing"],
             "url": f"https://www.credly.com/org/acme/badge/{i}"} for i in ids]
    meta = {"count": len(ids), "current_page": page, "total_count": 5, "total_pages": total_pages, "per": 2,
            "previous_page_url": None, "next_page_url": next_url}
    return json.dumps({"data": data, "metadata": meta})


def test_credly_pages_follow_next_page_url_then_total_pages():
    spider = CredlySpider(source="credly", week=WEEK, snapshot_url="http://127.0.0.1:9")
    first = list(spider.first_requests())
    assert first[0].url == f"http://127.0.0.1:9/{WEEK}/credly/organizations/comptia/badges.json?page=1&per=4"
    url = "https://www.credly.com/organizations/acme/badges.json?page=1"
    items, requests = split(spider.parse_page(
        response(url, credly_page(1, 3, ["a", "b"], "https://www.credly.com/organizations/acme/badges.json?page=2")),
        org="acme", page=1))
    assert [i.source_id for i in items] == ["a", "b"]
    assert items[0].price_raw == "Free" and items[0].offering_type == "badge_learning" and items[0].status == "active"
    assert requests[0].url == f"http://127.0.0.1:9/{WEEK}/credly/organizations/acme/badges.json?page=2"  # mapped
    items, requests = split(spider.parse_page(response(url, credly_page(2, 3, ["c", "d"], None)), org="acme", page=2))
    assert len(items) == 2 and "page=3" in requests[0].url  # no next_page_url, but current_page < total_pages
    items, requests = split(spider.parse_page(response(url, credly_page(3, 3, ["e"], None)), org="acme", page=3))
    assert len(items) == 1 and requests == []


@pytest.mark.parametrize("body", ['{"data": {"message": "Organization not found"}}', "[1, 2", ""])
def test_credly_malformed_page_is_a_critical_failure(body):
    spider = CredlySpider(source="credly", week=WEEK)
    out = list(spider.parse_page(response("https://www.credly.com/organizations/x/badges.json", body), org="x", page=1))
    assert out == [] and spider.counters["credwatch/failed_requests/critical"] == 1


# -- schema.org Course pages -------------------------------------------------------

COURSE_GRAPH = """<!doctype html><html lang="en-GB"><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "Organization", "@id": "https://acme.example/#org", "name": "Acme Training"},
  {"@type": "Course", "name": "Azure Administrator", "courseCode": "AZ-104T00", "url": "https://acme.example/az-104",
   "description": "Manage Azure identities.", "provider": {"@id": "https://acme.example/#org"},
   "offers": [{"@type": "Offer", "category": "Paid", "price": "$1,200.00", "priceCurrency": "USD"}],
   "hasCourseInstance": [{"@type": "CourseInstance", "courseMode": "Online", "courseWorkload": "4 days, 8 hours a day"}],
   "educationalCredentialAwarded": {"@type": "EducationalOccupationalCredential",
     "name": "Microsoft Certified: Azure Administrator Associate", "credentialCategory": "certification"}}
]}</script></head><body></body></html>"""
CREDENTIAL_PAGE = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "EducationalOccupationalCredential", "name": "Acme Certified Cloud Pro",
 "credentialCategory": "certificate", "recognizedBy": {"@type": "Organization", "name": "Acme Training"},
 "offers": {"@type": "Offer", "price": 150, "priceCurrency": "EUR"}}</script></head></html>"""


def course_items(html: str, url: str = "https://acme.example/page"):
    spider = SchemaOrgCourseSpider(source="courses", week=WEEK)
    items, _ = split(spider.parse_page(response(url, html, cls=HtmlResponse)))
    return spider, items


def test_schemaorg_course_in_graph_with_string_price_and_credential():
    _, (item,) = course_items(COURSE_GRAPH)
    assert item.title == "Azure Administrator" and item.provider == "Acme Training"  # provider by @id
    assert item.exam_codes == ["AZ-104T00"] and item.url == "https://acme.example/az-104"
    assert item.price is None and item.price_raw == "$1,200.00" and item.currency == "USD"
    assert item.duration_raw == "4 days, 8 hours a day" and item.language == "en-GB"
    assert item.credential_name == "Microsoft Certified: Azure Administrator Associate"


def test_schemaorg_standalone_credential_is_an_offering():
    _, (item,) = course_items(CREDENTIAL_PAGE)
    assert item.offering_type == "credential" and item.price == 150.0 and item.currency == "EUR"
    assert item.provider == "Acme Training" and item.credential_name == "Acme Certified Cloud Pro"


@pytest.mark.parametrize("html, counter", [
    ('<html><head><script type="application/ld+json">{"@type": "Course", "name": </script></head></html>',
     "courses/jsonld_invalid"),
    ('<html><head><script type="application/ld+json">{"@type": "JobPosting", "title": "x"}</script></head></html>',
     "courses/no_course"),
    ("<html><body>no markup</body></html>", "courses/no_course"),
])
def test_schemaorg_malformed_or_foreign_pages_are_counted_not_raised(html, counter):
    spider, items = course_items(html)
    assert items == [] and spider.counters[counter] == 1


def test_schemaorg_sitemaps_are_walked_by_the_shared_sitemap_code():
    spider = SchemaOrgCourseSpider(source="courses", week=WEEK, snapshot_url="http://127.0.0.1:9")
    (first,) = spider.first_requests()
    assert first.url == f"http://127.0.0.1:9/{WEEK}/courses/sitemap_index.xml"
    urlset = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              '<url><loc>http://127.0.0.1:9/2026-W30/courses/acme/courses/a.html</loc></url></urlset>')
    _, requests = split(spider.parse_sitemap(response(first.url, urlset)))
    assert requests[0].callback.__func__ is SchemaOrgCourseSpider.parse_job


# -- the snapshot's catalogs and a real crawl of each source ---------------------------

def test_snapshot_catalogs_change_weekly_and_plant_supply():
    def supply(week, cid):
        return sum(1 for t in catalogs.truth(week) if t["credential_id"] == cid)

    assert supply(CALENDAR[0], "google-data-analytics") == 3
    assert supply(CALENDAR[-1], "google-data-analytics") == 18
    assert {supply(w, "aws-saa") for w in CALENDAR} == {5}
    first, last = {t["key"] for t in catalogs.truth(CALENDAR[0])}, {t["key"] for t in catalogs.truth(CALENDAR[-1])}
    assert last - first and first - last  # new offerings and retired ones
    prices = {w: {t["key"]: t["price"] for t in catalogs.truth(w)} for w in (CALENDAR[0], CALENDAR[-1])}
    assert prices[CALENDAR[0]]["aws-saa-bootcamp"] == 1495.0 and prices[CALENDAR[-1]]["aws-saa-bootcamp"] == 1295.0
    status, body = catalogs.coursera_response(CALENDAR[0], "courses.v1", "0", "5", "partnerIds")
    page = json.loads(body)
    assert status == 200 and len(page["elements"]) == 5 and page["paging"]["next"] == "5" and page["linked"]["partners.v1"]
    assert catalogs.coursera_response(CALENDAR[0], "courses.v1", "0", "500", None)[0] == 400
    assert catalogs.credly_response(CALENDAR[0], "nope", "1", None, "https://www.credly.com")[0] == 404


@pytest.mark.parametrize("source", ["coursera", "credly", "courses"])
def test_crawl_snapshot_catalog_week(snapshot_server, tmp_path, monkeypatch, source):
    from scrapers.run import crawl

    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))
    stats = crawl(source, CALENDAR[-1], snapshot_url=snapshot_server.url, timeout_s=300)
    items = [json.loads(line) for line in
             (tmp_path / "lake" / "raw" / f"source={source}" / f"week={CALENDAR[-1]}" / "items.jsonl").read_text().splitlines()]
    served = [t for t in catalogs.truth(CALENDAR[-1]) if t["source"] == source]
    assert len(items) == len(served) == stats["items"] and stats["quarantined"] == 0
    assert len({i["source_id"] for i in items}) == len(items)
    assert {i["title"] for i in items} == {t["title"] for t in served}
    if source != "courses":
        assert stats["requests"] > 2  # robots.txt + more than one page: the catalog really paged


@pytest.fixture(scope="module")
def snapshot_server():
    from snapshot.server import SnapshotServer

    with SnapshotServer() as server:
        yield server
