"""USAJOBS Search API: paginated searches of US federal job announcements.

Request: `{base}/api/Search?<query>&ResultsPerPage=page_size&Page=N` for each
query in config (`queries:`, each a mapping of documented search parameters
such as `JobCategoryCode: "2210"`; `snapshot.queries` in snapshot mode), with
the headers the API requires: `Authorization-Key` (the API key) and
`User-Agent` (the e-mail the key was issued to); `Host` is set by the client.
The key and e-mail come from the environment (`auth:` in config/sources.yml
names the variables, USAJOBS_API_KEY and USAJOBS_EMAIL) or the Airflow
connection `usajobs`, resolved by scrapers.run; a missing key fails the crawl
before any request, with a message naming both. Never put them in code/config.

Paging: `Page` from 1 while `Page * ResultsPerPage < SearchResultCountAll`
(page_size ≤ 500, the documented maximum). A page whose items were all seen
before is fetched once more and then skipped. Announcements found by several
queries are kept once (by MatchedObjectId).

Documented fields used (shared/formats/usajobs.md; response schema from a real
response): SearchResult.SearchResultCountAll (number or string), SearchResultItems[]
.MatchedObjectId, .MatchedObjectDescriptor.{PositionTitle, PositionURI,
PositionLocationDisplay, OrganizationName, DepartmentName, QualificationSummary,
PositionSchedule[].Name, PositionRemuneration[].{MinimumRange, MaximumRange,
RateIntervalCode} (amounts are strings), PublicationStartDate, ApplicationCloseDate,
UserArea.Details.{JobSummary, MajorDuties[], Education, Requirements, Evaluations}}.
Inferred: UserArea.Details.{Benefits, RemoteIndicator, TeleworkEligible} (remote
= RemoteIndicator; hybrid = telework-eligible but not remote), currency USD,
RateIntervalCode values "Per Year"/"Per Hour" (or PA/PH). The description is
assembled from the text fields under their USAJOBS headings; plain-text fields
keep one paragraph per line.
"""
from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from scrapers.sources import credentials
from scrapers.spiders.base import CredwatchSpider, iso_date, to_float

# (field in UserArea.Details or the descriptor, heading in the assembled description)
TEXT_FIELDS = (("JobSummary", "Summary"), ("MajorDuties", "Duties"), ("QualificationSummary", "Qualifications"),
               ("Education", "Education"), ("Requirements", "Requirements"), ("Benefits", "Benefits"),
               ("Evaluations", "How you will be evaluated"))
RATE_PERIOD = {"per year": "year", "pa": "year", "per hour": "hour", "ph": "hour", "per month": "month",
               "pm": "month", "per week": "week", "pw": "week", "per day": "day", "pd": "day"}
_HAS_TAG = re.compile(r"<(p|br|ul|li|div|h\d)\b", re.I)


def text_html(value) -> str:
    """HTML for a USAJOBS text field: lists become <ul>, plain text one <p> per line."""
    if isinstance(value, list):
        items = "".join(f"<li>{html.escape(str(v))}</li>" for v in value if str(v).strip())
        return f"<ul>{items}</ul>" if items else ""
    text = str(value or "").strip()
    if not text:
        return ""
    if _HAS_TAG.search(text):
        return text
    return "".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


class UsajobsSpider(CredwatchSpider):
    name = "usajobs"

    def __init__(self, *args, page_size: int | str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_size = self.int_option("page_size", 500, page_size, maximum=500)

    def first_requests(self):
        # ValueError (missing key) → critical failure naming the variables, before any request.
        auth = credentials(self.entry, snapshot_mode=bool(self.snapshot_url))
        self.headers = {"Authorization-Key": auth["api_key"], "User-Agent": auth["email"]}
        queries = self.option("queries") or [{}]
        if not isinstance(queries, list) or not all(isinstance(q, dict) for q in queries):
            raise ValueError(f"source {self.source!r}: `queries` must be a list of mappings of search parameters")
        for i, query in enumerate(queries):
            yield self.page_request(i, {str(k): str(v) for k, v in query.items()}, 1)

    def page_request(self, qi: int, query: dict, page: int):
        params = {**query, "ResultsPerPage": self.page_size, "Page": page}
        return self.request(self.url(f"/api/Search?{urlencode(params)}"), self.parse_page, expect_json=True,
                            headers=self.headers, cb_kwargs={"qi": qi, "query": query, "page": page})

    def parse_page(self, response, qi: int, query: dict, page: int):
        data = self.load_json(response)
        if data is None:
            return
        result = data.get("SearchResult") if isinstance(data, dict) else None
        items = result.get("SearchResultItems") if isinstance(result, dict) else None
        if not isinstance(items, list):
            self.fail(response.url, "has no SearchResult.SearchResultItems list (not a USAJOBS search response)")
            return
        try:
            total = int(result.get("SearchResultCountAll") or 0)
        except (TypeError, ValueError):
            total = 0
        new = self.new_entries(f"query{qi}", items, lambda i: i.get("MatchedObjectId"))
        for item in new:
            ident = str(item.get("MatchedObjectId") or "")
            # The same announcement can match several queries: keep it once.
            if ident and self.new_entries("announcements", [{"id": ident}], lambda e: e["id"]):
                yield self.to_item(response, item)
        if items and not new:
            again = self.refetch_once(response)
            if again is not None:
                yield again
                return
        if items and page * self.page_size < total:
            yield self.page_request(qi, query, page + 1)

    def to_item(self, response, item: dict):
        d = item.get("MatchedObjectDescriptor") or {}
        details = ((d.get("UserArea") or {}).get("Details") or {}) if isinstance(d.get("UserArea"), dict) else {}
        parts = []
        for field, heading in TEXT_FIELDS:
            body = text_html(d.get(field) if field == "QualificationSummary" else details.get(field))
            if body:
                parts.append(f"<h3>{heading}</h3>{body}")
        pay = next((x for x in d.get("PositionRemuneration") or [] if isinstance(x, dict)), {})
        rate = str(pay.get("RateIntervalCode") or "").strip()
        schedule = next((x.get("Name") for x in d.get("PositionSchedule") or [] if isinstance(x, dict)), None)
        remote = details.get("RemoteIndicator") if isinstance(details.get("RemoteIndicator"), bool) else None
        telework = details.get("TeleworkEligible") if isinstance(details.get("TeleworkEligible"), bool) else None
        ident = item.get("MatchedObjectId")
        return self.posting(
            response,
            source_id=str(ident) if ident not in (None, "") else None,
            url=d.get("PositionURI"),
            title=d.get("PositionTitle"),
            company=d.get("OrganizationName") or d.get("DepartmentName"),
            location_raw=d.get("PositionLocationDisplay") or None,
            remote=remote,
            hybrid=(bool(telework) and not remote) if telework is not None else None,
            description_html="".join(parts) or None,
            date_posted=iso_date(d.get("PublicationStartDate")),
            valid_through=iso_date(d.get("ApplicationCloseDate")),
            employment_type=schedule,
            salary_raw=(f"{pay.get('MinimumRange')}-{pay.get('MaximumRange')} {rate}".strip() if pay else None),
            salary_min=to_float(pay.get("MinimumRange")),
            salary_max=to_float(pay.get("MaximumRange")),
            salary_currency="USD" if pay else None,
            salary_period=RATE_PERIOD.get(rate.lower()),
            departments=[d["DepartmentName"]] if d.get("DepartmentName") else [],
        )
