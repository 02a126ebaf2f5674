"""Ashby public job posting API: one GET per job board returns every posting.

Request: `{base}/posting-api/job-board/{board}?includeCompensation=true` for each
board name in config (`boards`, or `snapshot.boards` in snapshot mode). No
pagination, no key. An unknown board answers 404: counted as a gone target.

Documented fields used (shared/formats/ashby.md, developers.ashbyhq.com public
job posting API): jobs[].title, location, secondaryLocations[].location,
department, team, isRemote, descriptionHtml, descriptionPlain, publishedAt,
employmentType (FullTime, PartTime, Intern, Contract, Temporary), jobUrl,
compensation.compensationTierSummary / scrapeableCompensationSalarySummary /
compensationTiers[].components[] {compensationType, interval, currencyCode,
minValue, maxValue}.
Inferred (real payloads and client code, not in the stored doc excerpt): `id`
(the posting UUID; jobUrl is the fallback id), `workplaceType`
(OnSite / Hybrid / Remote), `compensation.summaryComponents[]` (preferred over
the tiers when present). Salary = the Salary components only (equity and bonus
components are ignored), min/max across tiers; interval "1 YEAR" → year.
company = the board name (the API has no company field).
"""
from __future__ import annotations

from urllib.parse import quote

from scrapers.spiders.base import CredwatchSpider, iso_date, salary_period, to_float

WORKPLACE = {"remote": (True, False), "hybrid": (False, True), "onsite": (False, False)}


def ashby_salary(compensation: dict | None) -> dict:
    """salary_* fields from an Ashby `compensation` object (None-safe)."""
    out = dict.fromkeys(("salary_raw", "salary_min", "salary_max", "salary_currency", "salary_period"))
    if not isinstance(compensation, dict):
        return out
    components = compensation.get("summaryComponents")
    if not isinstance(components, list) or not components:
        components = [c for tier in compensation.get("compensationTiers") or [] if isinstance(tier, dict)
                      for c in tier.get("components") or []]
    salary = [c for c in components if isinstance(c, dict) and c.get("compensationType") == "Salary"]
    lows = [v for v in (to_float(c.get("minValue")) for c in salary) if v is not None]
    highs = [v for v in (to_float(c.get("maxValue")) for c in salary) if v is not None]
    out["salary_raw"] = (compensation.get("scrapeableCompensationSalarySummary")
                         or compensation.get("compensationTierSummary") or None)
    if salary:
        out.update(salary_min=min(lows) if lows else None, salary_max=max(highs) if highs else None,
                   salary_currency=salary[0].get("currencyCode"), salary_period=salary_period(salary[0].get("interval")))
    return out


class AshbySpider(CredwatchSpider):
    name = "ashby"

    def first_requests(self):
        for board in self.targets("boards"):
            yield self.request(self.url(f"/posting-api/job-board/{quote(board)}?includeCompensation=true"),
                               self.parse_board, target=board, expect_json=True, cb_kwargs={"board": board})

    def parse_board(self, response, board: str):
        data = self.load_json(response)
        if data is None:
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.fail(response.url, "has no `jobs` list (not an Ashby job board response)")
            return
        for job in self.new_entries(board, jobs, lambda j: j.get("id") or j.get("jobUrl")):
            yield self.to_item(response, board, job)

    def to_item(self, response, board: str, job: dict):
        workplace = str(job.get("workplaceType") or "").lower().replace("-", "").replace("_", "")
        remote, hybrid = WORKPLACE.get(workplace, (None, None))
        if job.get("isRemote") is True and remote is None:
            remote = True
        locations = [job.get("location")] + [x.get("location") for x in job.get("secondaryLocations") or []
                                             if isinstance(x, dict)]
        ident = job.get("id") or job.get("jobUrl")
        return self.posting(
            response,
            source_id=str(ident) if ident else None,
            url=job.get("jobUrl"),
            title=job.get("title"),
            company=board,
            location_raw="; ".join(str(x) for x in locations if x) or None,
            remote=remote,
            hybrid=hybrid,
            description_html=job.get("descriptionHtml"),
            description_text=job.get("descriptionPlain"),
            date_posted=iso_date(job.get("publishedAt")),
            employment_type=job.get("employmentType"),
            departments=list(dict.fromkeys(d for d in (job.get("department"), job.get("team")) if d)),
            **ashby_salary(job.get("compensation")),
        )
