"""Greenhouse Job Board API: one GET per board returns every published post.

Request: `{base}/v1/boards/{token}/jobs?content=true` for each board token in
config (`boards`, or `snapshot.boards` in snapshot mode). No pagination. An
unknown board answers 404 (third-party reports): counted as a gone target.

Documented fields used (shared/formats/greenhouse.md): id, title, updated_at,
location.name, absolute_url, language, content (HTML entity-escaped: unescaped
once with html.unescape), departments[].name.
Inferred (not in the official docs, seen in real payloads): first_published
(preferred for date_posted over updated_at), company_name (else the board token),
application_deadline (valid_through). remote/hybrid are inferred from the words
"remote"/"hybrid" in location.name; salary is not structured on this endpoint.
"""
from __future__ import annotations

from urllib.parse import quote

from scrapers.spiders.base import CredwatchSpider, iso_date, unescape_once


class GreenhouseSpider(CredwatchSpider):
    name = "greenhouse"

    def first_requests(self):
        for token in self.targets("boards"):
            yield self.request(self.url(f"/v1/boards/{quote(token)}/jobs?content=true"),
                               self.parse_board, target=token, expect_json=True, cb_kwargs={"token": token})

    def parse_board(self, response, token: str):
        data = self.load_json(response)
        if data is None:
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.fail(response.url, "has no `jobs` list (not a Greenhouse board response)")
            return
        for job in jobs:
            location = ((job.get("location") or {}).get("name") or "").strip() or None
            low = (location or "").lower()
            yield self.posting(
                response,
                source_id=str(job["id"]) if job.get("id") is not None else None,
                url=job.get("absolute_url"),
                title=job.get("title"),
                company=job.get("company_name") or token,
                location_raw=location,
                remote=True if "remote" in low else None,
                hybrid=True if "hybrid" in low else None,
                description_html=unescape_once(job.get("content")),
                date_posted=iso_date(job.get("first_published") or job.get("updated_at")),
                valid_through=iso_date(job.get("application_deadline")),
                language=job.get("language"),
                departments=[d["name"] for d in job.get("departments") or [] if d.get("name")],
            )
