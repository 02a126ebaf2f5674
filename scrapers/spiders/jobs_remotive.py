"""Remotive public remote-jobs API: one GET returns every active listing.

Request: `{base}/api/remote-jobs` once, or once per category in config
(`categories:`, slugs such as `software-dev`; `snapshot.categories` in snapshot
mode); jobs listed under several categories are kept once. No paging, no key.

Terms (README of remotive-com/remote-jobs-api and the `0-legal-notice` the API
sends): at most ~4 fetches a day, more than 2 requests a minute get blocked
(config `download_delay: 31`, applied as DOWNLOAD_DELAY by scrapers.run), jobs
appear with a 24 h delay, every job must link back to its Remotive URL (kept
in `url`) and credit Remotive, and jobs must not be resubmitted to other job
sites. credwatch only counts credentials in them and publishes aggregates.

Documented fields used (shared/formats/remotive.md): jobs[].id, url, title,
company_name, category, job_type, publication_date, candidate_required_location,
salary (free text, parsed best effort), description (HTML).
Inferred: publication_date has no offset and is read as UTC; `id` is an integer
in the README and a string in real responses (both accepted); every Remotive
job is remote (remote=True); `tags` (present in real payloads) are not used.
"""
from __future__ import annotations

from urllib.parse import quote

from scrapers.spiders.base import CredwatchSpider, iso_date, parse_salary_text


class RemotiveSpider(CredwatchSpider):
    name = "remotive"

    def first_requests(self):
        categories = [str(c) for c in self.option("categories") or []]
        for category in categories or [None]:
            query = f"?category={quote(category)}" if category else ""
            yield self.request(self.url(f"/api/remote-jobs{query}"), self.parse_jobs, expect_json=True)

    def parse_jobs(self, response):
        data = self.load_json(response)
        if data is None:
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.fail(response.url, "has no `jobs` list (not a Remotive remote-jobs response)")
            return
        for job in self.new_entries("jobs", jobs, lambda j: j.get("id")):
            yield self.to_item(response, job)

    def to_item(self, response, job: dict):
        salary_text = str(job.get("salary") or "").strip()
        salary = parse_salary_text(salary_text) if salary_text else {}
        return self.posting(
            response,
            source_id=str(job["id"]) if job.get("id") not in (None, "") else None,
            url=job.get("url"),
            title=job.get("title"),
            company=job.get("company_name"),
            location_raw=job.get("candidate_required_location") or None,
            remote=True,
            description_html=job.get("description"),
            date_posted=iso_date(job.get("publication_date")),
            employment_type=job.get("job_type") or None,
            salary_raw=salary_text or None,
            departments=[job["category"]] if job.get("category") else [],
            **salary,
        )
