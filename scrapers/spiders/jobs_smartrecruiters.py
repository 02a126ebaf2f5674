"""SmartRecruiters Posting API: paginated list per company, then one detail per posting.

Requests: `{base}/v1/companies/{company}/postings?offset=N&limit=page_size`
(page_size ≤ 100, the documented maximum) for each company identifier in config
(`companies`, or `snapshot.companies`), then `{base}/v1/companies/{company}/postings/{id}`
for every posting, because list items carry no description. No key.

Paging follows `offset`/`limit` until `offset + limit >= totalFound`. A page whose
ids were all seen before (a server repeating a page) is fetched once more and
then skipped; since offsets are explicit the listing still goes on to the next
page. A listing that ends with fewer distinct postings than `totalFound` is
counted (`smartrecruiters/incomplete_listing`). A detail that fails for good
quarantines its posting with the reason.

Documented fields used (shared/formats/smartrecruiters.md): list `offset`,
`limit`, `totalFound`, `content[].id`, `ref`; detail `id`, `name`,
`releasedDate`, `company.{identifier,name}`, `location.{city,region,country,remote}`,
`typeOfEmployment.label`, `department.label`, `function.label`.
Inferred (client code, not in the stored doc excerpts): `jobAd.sections.{companyDescription,
jobDescription,qualifications,additionalInformation}.{title,text}` (the
description, joined in that order under their titles), `postingUrl`,
`location.fullLocation`, `location.hybrid`, `language.code`, and a rare
`compensation {min,max,currency}`. An unknown company answering 404 is counted
as a gone target (inferred: the docs do not say what an unknown company returns).

Incremental (scrapers/incremental.py): the list has no documented update time,
only `releasedDate` (publication). The change marker is `releasedDate` plus a
hash of the whole list entry (title, location, department, employment type, ...),
so any change the list shows re-fetches the detail; an edit visible only in the
detail (description) with no republication is not seen, which is why carried
postings are re-fetched at least every `incremental_max_age_weeks` weeks.
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from scrapers.spiders.base import CredwatchSpider, iso_date, salary_period, to_float

SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def _label(value) -> str | None:
    return value.get("label") if isinstance(value, dict) and value.get("label") else None


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def list_marker(listing: dict) -> str:
    """Change marker of a list entry: its releasedDate and a hash of the entry as listed."""
    digest = hashlib.sha256(json.dumps(listing, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    return f"{listing.get('releasedDate')}|{digest}"


class SmartRecruitersSpider(CredwatchSpider):
    name = "smartrecruiters"
    CHANGE_MARKER = "list entry (releasedDate + hash of the entry)"

    def __init__(self, *args, page_size: int | str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_size = self.int_option("page_size", 100, page_size, maximum=100)

    def list_request(self, company: str, offset: int):
        url = self.url(f"/v1/companies/{quote(company)}/postings?offset={offset}&limit={self.page_size}")
        return self.request(url, self.parse_list, target=company, expect_json=True,
                            cb_kwargs={"company": company, "offset": offset})

    def first_requests(self):
        for company in self.targets("companies"):
            yield self.list_request(company, 0)

    def parse_list(self, response, company: str, offset: int):
        data = self.load_json(response)
        if data is None:
            return
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, list):
            self.fail(response.url, "has no `content` list (not a SmartRecruiters postings page)")
            return
        total = _int(data.get("totalFound"))
        new = self.new_entries(company, content, lambda p: p.get("id"))
        for listing in new:
            known = listing.get("id") not in (None, "")
            carried = (self.carry_forward(f"{company}/{listing.get('id')}", list_marker(listing), response)
                       if known else None)
            if carried is not None:  # unchanged since the previous week: no detail request
                yield from carried
            else:
                yield from self.queue_posting(self.detail_request, company, listing)
        if content and not new:
            again = self.refetch_once(response)
            if again is not None:
                yield again
                return
        step = _int(data.get("limit")) or self.page_size
        if content and offset + step < total:
            yield self.list_request(company, offset + step)
        elif len(self.seen_ids.get(company, ())) < total:
            self.count("smartrecruiters/incomplete_listing")
            self.logger.warning("%s: listing ended with %d distinct postings of totalFound %d",
                                company, len(self.seen_ids.get(company, ())), total)

    def detail_request(self, company: str, listing: dict):
        detail = self.url(f"/v1/companies/{quote(company)}/postings/{quote(str(listing.get('id')))}")
        return self.posting_request(detail, self.parse_detail, source_id=listing.get("id"),
                                    listed_url=listing.get("ref") or None,
                                    marker=(f"{company}/{listing.get('id')}", list_marker(listing)),
                                    expect_json=True, cb_kwargs={"company": company, "listing": listing})

    def parse_detail(self, response, company: str, listing: dict):
        data = self.load_json(response, record=False)
        if not isinstance(data, dict):
            yield self.lost(response.url, "posting detail is not a JSON object", source_id=str(listing.get("id")),
                            status=response.status, fetched_at=self.provenance(response)["fetched_at"])
            return
        yield self.to_item(response, company, {**listing, **data})

    def to_item(self, response, company: str, p: dict):
        sections = ((p.get("jobAd") or {}).get("sections") or {}) if isinstance(p.get("jobAd"), dict) else {}
        parts = []
        for key in SECTIONS:
            section = sections.get(key)
            if isinstance(section, dict) and section.get("text"):
                title = section.get("title")
                parts.append((f"<h2>{title}</h2>" if title else "") + str(section["text"]))
        location = p.get("location") if isinstance(p.get("location"), dict) else {}
        where = location.get("fullLocation") or ", ".join(
            str(x) for x in (location.get("city"), location.get("region"),
                             str(location.get("country") or "").upper() or None) if x)
        pay = p.get("compensation") if isinstance(p.get("compensation"), dict) else {}
        org = p.get("company") if isinstance(p.get("company"), dict) else {}
        language = p.get("language")
        return self.posting(
            response,
            source_id=str(p["id"]) if p.get("id") is not None else None,
            url=p.get("postingUrl") or f"https://jobs.smartrecruiters.com/{company}/{p.get('id')}",
            title=p.get("name"),
            company=org.get("name") or org.get("identifier") or company,
            location_raw=where or None,
            remote=location.get("remote") if isinstance(location.get("remote"), bool) else None,
            hybrid=location.get("hybrid") if isinstance(location.get("hybrid"), bool) else None,
            description_html="".join(parts) or None,
            date_posted=iso_date(p.get("releasedDate")),
            employment_type=_label(p.get("typeOfEmployment")),
            language=language.get("code") if isinstance(language, dict) else None,
            departments=list(dict.fromkeys(x for x in (_label(p.get("department")), _label(p.get("function"))) if x)),
            salary_min=to_float(pay.get("min")),
            salary_max=to_float(pay.get("max")),
            salary_currency=pay.get("currency"),
            salary_period=salary_period(pay.get("period") or pay.get("interval")),
        )
