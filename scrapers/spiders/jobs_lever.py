"""Lever Postings API: `{base}/v0/postings/{site}?mode=json&skip=N&limit=page_size`.

Pages are followed until one returns fewer than `limit` postings. A page that
brings no id not already seen (a server that ignores `skip`) is fetched once
more, then the listing stops. An unknown site answers 404 (inferred).

Documented fields used (shared/formats/lever.md): id, text, hostedUrl,
categories.{location,allLocations,commitment,team,department}, workplaceType,
description/descriptionPlain, lists[{text,content}], additional/additionalPlain,
salaryRange{currency,interval,min,max}, salaryDescriptionPlain.
Inferred: createdAt (epoch ms, not in the README table) → date_posted; interval
values (`per-year-salary`, `per-hour-wage`, ...) mapped by the word they contain.
company = the site name (the API has no company field).
"""
from __future__ import annotations

import json
from urllib.parse import quote

from scrapers.spiders.base import CredwatchSpider, html_to_text, iso_date, salary_period, to_float

WORKPLACE = {"remote": (True, False), "hybrid": (False, True), "on-site": (False, False)}


class LeverSpider(CredwatchSpider):
    name = "lever"

    def __init__(self, *args, page_size: int | str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_size = self.int_option("page_size", 100, page_size)

    def page_request(self, site: str, skip: int):
        url = self.url(f"/v0/postings/{quote(site)}?mode=json&skip={skip}&limit={self.page_size}")
        return self.request(url, self.parse_page, target=site, expect_json=True,
                            cb_kwargs={"site": site, "skip": skip})

    def first_requests(self):
        for site in self.targets("sites"):
            yield self.page_request(site, 0)

    def parse_page(self, response, site: str, skip: int):
        page = self.load_json(response)
        if page is None:
            return
        if not isinstance(page, list):
            self.fail(response.url, f"returned {type(page).__name__}, not a list of postings: {str(page)[:200]}")
            return
        new = self.new_entries(site, page, lambda p: p.get("id"))
        for posting in new:
            yield self.to_item(response, site, posting)
        if page and not new:
            # The API has no total: a page of known ids means the server ignored
            # `skip`; ask once more, then stop rather than loop.
            again = self.refetch_once(response)
            if again is not None:
                yield again
        elif len(page) >= self.page_size:
            yield self.page_request(site, skip + len(page))

    def to_item(self, response, site: str, p: dict):
        categories = p.get("categories") or {}
        lists = [x for x in p.get("lists") or [] if isinstance(x, dict)]
        html_parts = [p.get("description") or ""]
        html_parts += [f"<h3>{x.get('text') or ''}</h3><ul>{x.get('content') or ''}</ul>" for x in lists]
        html_parts.append(p.get("additional") or "")
        text_parts = [p.get("descriptionPlain") or ""]
        text_parts += [f"{x.get('text') or ''}\n{html_to_text(x.get('content')) or ''}" for x in lists]
        text_parts.append(p.get("additionalPlain") or "")
        salary = p.get("salaryRange") if isinstance(p.get("salaryRange"), dict) else {}
        remote, hybrid = WORKPLACE.get(p.get("workplaceType") or "", (None, None))
        all_locations = categories.get("allLocations") or []
        return self.posting(
            response,
            source_id=p.get("id"),
            url=p.get("hostedUrl"),
            title=p.get("text"),
            company=site,
            location_raw=categories.get("location") or ("; ".join(all_locations) or None),
            remote=remote,
            hybrid=hybrid,
            description_html="".join(html_parts) if p.get("description") is not None else None,
            description_text="\n\n".join(t.strip() for t in text_parts if t and t.strip()) or None,
            date_posted=iso_date(p.get("createdAt")),
            employment_type=categories.get("commitment"),
            salary_raw=json.dumps(salary, sort_keys=True) if salary else p.get("salaryDescriptionPlain") or None,
            salary_min=to_float(salary.get("min")),
            salary_max=to_float(salary.get("max")),
            salary_currency=salary.get("currency"),
            salary_period=salary_period(salary.get("interval")),
            departments=list(dict.fromkeys(d for d in (categories.get("team"), categories.get("department")) if d)),
        )
