"""Renderers: generated postings -> each source's documented response format.

Pure functions of their arguments (no clock, no randomness except
`random.Random` seeded from the posting's `render_seed`), so one posting
renders to the same bytes in every week and every process. Formats follow
../shared/formats/{greenhouse,lever,schemaorg-jobposting}.md.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import random
import re
from typing import TYPE_CHECKING, Iterable

from snapshot import content as C

if TYPE_CHECKING:  # pragma: no cover
    from snapshot.generator import Posting

GREENHOUSE_NOT_FOUND = json.dumps({"status": 404, "error": "Job board not found"})
GREENHOUSE_JOB_NOT_FOUND = json.dumps({"status": 404, "error": "Job not found"})
LEVER_NOT_FOUND = json.dumps({"ok": False, "error": "Document not found"})
HTML_NOT_FOUND = "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Page not found</title></head><body><h1>Page not found</h1></body></html>\n"

_BLOCK_END_RE = re.compile(r"</(p|div|li|h[1-6]|ul|ol)>|<br\s*/?>", re.I)
_TAG_RE = re.compile(r"<[^>]+>")


def dumps(obj: object) -> str:
    """Compact JSON, keys in insertion order, non-ASCII kept (bodies are served as UTF-8)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def plain(fragment: str) -> str:
    """Plain text of an HTML fragment: one line per block, entities decoded."""
    text = _BLOCK_END_RE.sub("\n", fragment)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _heading(style: str, text: str) -> str:
    if style == "strong":
        return f"<p><strong>{esc(text)}</strong></p>"
    return f"<{style}>{esc(text)}</{style}>"


def _lis(items: Iterable[str]) -> str:
    return "".join(f"<li>{esc(i)}</li>" for i in items)


def description_html(p: "Posting") -> str:
    """The full description HTML (about, role, lists, benefits, salary, EEO)."""
    s = p.sections
    parts = [
        _heading(s.style, s.about_heading), f"<p>{esc(s.about)}</p>", f"<p>{esc(s.intro)}</p>",
        _heading(s.style, s.responsibilities_heading), f"<ul>{_lis(s.responsibilities)}</ul>",
        _heading(s.style, s.requirements_heading), f"<ul>{_lis(s.requirements)}</ul>",
    ]
    if s.preferred_heading:
        parts += [_heading(s.style, s.preferred_heading), f"<ul>{_lis(s.preferred)}</ul>"]
    parts += [_heading(s.style, s.benefits_heading), f"<ul>{_lis(s.benefits)}</ul>"]
    if s.salary_line:
        parts.append(f"<p>{esc(s.salary_line)}</p>")
    parts.append(f"<p><em>{esc(s.eeo)}</em></p>")
    return "".join(parts)


def _r(p: "Posting", purpose: str) -> random.Random:
    return random.Random(f"{p.render_seed}|{purpose}")


def _stable_id(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 9_000_000 + 1_000_000


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


# --------------------------------------------------------------------------- greenhouse


def _gh_escape(text: str) -> str:
    """Greenhouse's `content` is the description HTML entity-escaped once."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _gh_location(p: "Posting") -> str:
    if p.workplace == "remote":
        return "Remote - US"
    if p.workplace == "hybrid":
        return f"{p.location.label} (Hybrid)"
    return p.location.label


def greenhouse_job_obj(p: "Posting", content: bool) -> dict:
    """One job object of GET /v1/boards/{token}/jobs (with `content=true` extras when asked)."""
    r = _r(p, "greenhouse")
    updated = p.created_at + dt.timedelta(minutes=r.randint(0, 240))
    requisition = f"REQ-{r.randint(10000, 99999)}" if r.random() < 0.7 else None
    metadata = None
    if _stable_id(p.board) % 2 == 0:  # some boards expose custom fields, some do not
        metadata = [
            {"id": _stable_id(f"{p.board}|employment"), "name": "Employment Type", "value_type": "single_select",
             "value": C.EMPLOYMENT_LABELS[p.employment_type]},
            {"id": _stable_id(f"{p.board}|workplace"), "name": "Workplace", "value_type": "single_select",
             "value": p.workplace.capitalize() if p.workplace != "on-site" else "On-site"},
        ]
    job: dict = {
        "id": p.posting_id,
        "internal_job_id": p.internal_job_id,
        "title": p.title,
        "updated_at": _iso(updated),
        "requisition_id": requisition,
        "location": {"name": _gh_location(p)},
        "absolute_url": f"https://job-boards.greenhouse.io/{p.board}/jobs/{p.posting_id}",
        "language": "en",
        "metadata": metadata,
    }
    if content:
        dept = C.DEPARTMENTS[p.family]
        office_name = "Remote" if p.location.city is None else p.location.city
        office_loc = (f"Remote, {p.location.country_name}" if p.location.city is None
                      else f"{p.location.label}, {p.location.country_name}")
        job["content"] = _gh_escape(p.description_html)
        job["departments"] = [{"id": _stable_id(f"{p.board}|dept|{dept}"), "name": dept, "parent_id": None,
                               "child_ids": []}]
        job["offices"] = [{"id": _stable_id(f"{p.board}|office|{office_name}"), "name": office_name,
                           "location": office_loc, "parent_id": None, "child_ids": []}]
    job["first_published"] = _iso(p.created_at)
    job["company_name"] = p.company
    return job


def _gh_order(postings: list["Posting"]) -> list["Posting"]:
    return sorted(postings, key=lambda p: (-p.created_at.timestamp(), p.posting_id))


def greenhouse_jobs(postings: list["Posting"], content: bool) -> str:
    jobs = [greenhouse_job_obj(p, content) for p in _gh_order(postings)]
    return dumps({"jobs": jobs, "meta": {"total": len(jobs)}})


def greenhouse_job(p: "Posting", pay_transparency: bool) -> str:
    """GET /v1/boards/{token}/jobs/{id}: one job, always with content."""
    job = greenhouse_job_obj(p, True)
    if pay_transparency and p.salary is not None and p.salary.period == "YEAR":
        job["pay_input_ranges"] = [{
            "min_cents": int(p.salary.min * 100), "max_cents": int(p.salary.max * 100),
            "currency_type": p.salary.currency, "title": f"{p.location.label} Pay Range",
            "blurb": "The range reflects the minimum and maximum target base pay for new hires in this role.",
        }]
    return dumps(job)


# --------------------------------------------------------------------------- lever


def _lever_order(postings: list["Posting"]) -> list["Posting"]:
    return sorted(postings, key=lambda p: (-p.created_at.timestamp(), p.posting_id))


def lever_obj(p: "Posting") -> dict:
    """One posting of GET /v0/postings/{site}?mode=json."""
    s = p.sections
    r = _r(p, "lever")
    label = "Remote" if p.location.city is None else p.location.label
    opening = f"<div><b>{esc(s.about_heading)}</b></div><div>{esc(s.about)}</div>"
    body = f"<div>{esc(s.intro)}</div>"
    lists = [{"text": s.responsibilities_heading, "content": _lis(s.responsibilities)},
             {"text": s.requirements_heading, "content": _lis(s.requirements)}]
    if s.preferred_heading:
        lists.append({"text": s.preferred_heading, "content": _lis(s.preferred)})
    lists.append({"text": s.benefits_heading, "content": _lis(s.benefits)})
    additional = (f"<div>{esc(s.salary_line)}</div>" if s.salary_line else "") + f"<div>{esc(s.eeo)}</div>"
    url = f"https://jobs.lever.co/{p.board}/{p.posting_id}"
    obj: dict = {
        "id": p.posting_id,
        "text": p.title,
        "hostedUrl": url,
        "applyUrl": f"{url}/apply",
        "createdAt": int(p.created_at.timestamp() * 1000),
        "categories": {"team": C.DEPARTMENTS[p.family], "department": C.DIVISIONS[p.family], "location": label,
                       "commitment": C.EMPLOYMENT_LABELS[p.employment_type], "allLocations": [label]},
        "country": p.location.country,
        "workplaceType": p.workplace,
        "opening": opening,
        "openingPlain": plain(opening),
        "description": opening + body,
        "descriptionPlain": plain(opening + body),
        "descriptionBody": body,
        "descriptionBodyPlain": plain(body),
        "lists": lists,
        "additional": additional,
        "additionalPlain": plain(additional),
    }
    # ~70 % of postings with a salary line also carry the structured range (~60 % overall).
    if p.salary is not None and r.random() < 0.7:
        obj["salaryRange"] = {
            "currency": p.salary.currency,
            "interval": "per-hour-wage" if p.salary.period == "HOUR" else "per-year-salary",
            "min": p.salary.min if p.salary.period == "HOUR" else int(p.salary.min),
            "max": p.salary.max if p.salary.period == "HOUR" else int(p.salary.max),
        }
        note = r.choice(C.SALARY_NOTES)
        obj["salaryDescription"] = f"<div>{esc(note)}</div>"
        obj["salaryDescriptionPlain"] = note
    return obj


def lever_postings(postings: list["Posting"], skip: int | None, limit: int | None) -> str:
    """The bare JSON array, paged with skip/limit over a stable order (newest first)."""
    ordered = _lever_order(postings)
    start = max(skip or 0, 0)
    page = ordered[start:] if limit is None else ordered[start : start + max(limit, 0)]
    return dumps([lever_obj(p) for p in page])


def lever_posting(p: "Posting") -> str:
    return dumps(lever_obj(p))


# --------------------------------------------------------------------------- schema.org

_CREDENTIAL_CATEGORY = {"high_school": "high school", "associate": "associate degree",
                        "bachelor": "bachelor degree", "master": "postgraduate degree"}


def page_url(p: "Posting") -> str:
    """The page's canonical URL on the employer's own careers site."""
    return f"{C.SITE_URL}/jobs/{p.posting_id}.html"


def _org(p: "Posting") -> dict:
    return {"@type": "Organization", "name": p.company, "sameAs": p.company_url,
            "logo": f"{p.company_url}/logo.png"}


def jobposting(p: "Posting") -> dict:
    """The JobPosting object (without @context) as Google's job-posting docs describe it."""
    r = _r(p, "jsonld")
    job: dict = {"@type": "JobPosting", "title": p.title, "description": p.description_html,
                 "identifier": {"@type": "PropertyValue", "name": p.company, "value": p.posting_id},
                 "datePosted": p.created_at.date().isoformat(),
                 "validThrough": (p.created_at + dt.timedelta(days=45)).strftime("%Y-%m-%dT%H:%M"),
                 "employmentType": p.employment_type if r.random() < 0.5 else [p.employment_type],
                 "hiringOrganization": _org(p)}
    loc = p.location
    if p.workplace == "remote":
        job["jobLocationType"] = "TELECOMMUTE"
        job["applicantLocationRequirements"] = {"@type": "Country", "name": "USA"}
    else:
        country: object = loc.country if r.random() < 0.6 else {"@type": "Country", "name": loc.country}
        job["jobLocation"] = {"@type": "Place", "address": {
            "@type": "PostalAddress", "streetAddress": loc.street, "addressLocality": loc.city,
            "addressRegion": loc.region, "postalCode": loc.postal, "addressCountry": country}}
    if p.salary is not None:
        unit = p.salary.period
        value: dict = {"@type": "QuantitativeValue", "unitText": unit}
        mn = p.salary.min if unit == "HOUR" else int(p.salary.min)
        mx = p.salary.max if unit == "HOUR" else int(p.salary.max)
        if mn == mx:
            value["value"] = mn
        else:
            value["minValue"], value["maxValue"] = mn, mx
        job["baseSalary"] = {"@type": "MonetaryAmount", "currency": p.salary.currency, "value": value}
    if p.degree:
        job["educationRequirements"] = {"@type": "EducationalOccupationalCredential",
                                        "credentialCategory": _CREDENTIAL_CATEGORY[p.degree]}
    if p.experience_months:
        job["experienceRequirements"] = {"@type": "OccupationalExperienceRequirements",
                                         "monthsOfExperience": p.experience_months}
    if p.degree_or_equivalent:
        job["experienceInPlaceOfEducation"] = True
    if r.random() < 0.3:
        job["occupationalCategory"] = p.soc
    job["directApply"] = False
    return job


def jsonld_shape(p: "Posting") -> str:
    """Which of the three JSON-LD shapes the page uses: "object", "graph" or "array"."""
    x = _r(p, "shape").random()
    return "object" if x < 0.45 else "graph" if x < 0.75 else "array"


def jsonld(p: "Posting") -> object:
    """The page's JSON-LD document in its shape (single object, @graph, or array)."""
    r = _r(p, "context")
    ctx = r.choice(("https://schema.org", "http://schema.org", "https://schema.org/"))
    job = jobposting(p)
    if r.random() < 0.2:
        job["@type"] = ["JobPosting"]
    shape = jsonld_shape(p)
    url = page_url(p)
    if shape == "object":
        return {"@context": ctx, **job}
    if shape == "graph":
        page = {"@type": "WebPage", "@id": url, "url": url, "name": f"{p.title} - {p.company} Careers"}
        return {"@context": ctx, "@graph": [page, {**job, "mainEntityOfPage": {"@id": url}}]}
    org = {"@context": ctx, **_org(p), "url": p.company_url}
    return [org, {"@context": ctx, **job}]


def job_page(p: "Posting") -> str:
    """A careers-site job page: visible text plus the JSON-LD script."""
    data = json.dumps(jsonld(p), ensure_ascii=False, indent=1).replace("</", "<\\/")
    where = "Remote (US)" if p.workplace == "remote" else p.location.label
    if p.workplace == "hybrid":
        where += " (Hybrid)"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{esc(p.title)} - {esc(p.company)} Careers</title>\n"
        f"<link rel=\"canonical\" href=\"{page_url(p)}\">\n"
        f"<script type=\"application/ld+json\">\n{data}\n</script>\n</head>\n<body>\n"
        f"<header><a href=\"{C.SITE_URL}/\">{esc(C.SITE_NAME)} Careers</a></header>\n"
        f"<main><article>\n<h1>{esc(p.title)}</h1>\n"
        f"<p class=\"job-meta\">{esc(p.company)} · {esc(where)} · {C.EMPLOYMENT_LABELS[p.employment_type]}</p>\n"
        f"<div class=\"job-description\">{p.description_html}</div>\n"
        f"<p><a class=\"apply\" href=\"{page_url(p)}?apply=1\">Apply now</a></p>\n"
        "</article></main>\n</body>\n</html>\n"
    )


#: Share of (posting, later week) pairs in which the employer "touches" a job page:
#: its sitemap <lastmod> moves to that week's Monday while the page stays the same,
#: so incremental crawls meet both unchanged and changed markers. Seeded per posting
#: and week: the same in every process; which postings exist and their text never change.
LASTMOD_TOUCH_SHARE = 0.1


def lastmod(p: "Posting", week: str | None = None) -> str:
    """The sitemap <lastmod> of a job page as listed in `week`: the publication date,
    or the Monday of the latest week up to `week` in which the page was touched."""
    last = p.created_at.date()
    for w in p.weeks_active[1:] if week else ():
        if w > week:
            break
        if _r(p, f"lastmod-touch|{w}").random() < LASTMOD_TOUCH_SHARE:
            last = max(last, dt.date.fromisocalendar(int(w[:4]), int(w[6:]), 1))
    return last.isoformat()


def sitemap(postings: list["Posting"], page_base: str, week: str | None = None) -> str:
    """sitemaps.org urlset: one <url> per active job page, lastmod = lastmod(p, week)."""
    rows = [f"<url><loc>{esc(page_base)}/jobs/{p.posting_id}.html</loc>"
            f"<lastmod>{lastmod(p, week)}</lastmod></url>"
            for p in sorted(postings, key=lambda p: p.posting_id)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n")


# --------------------------------------------------------------------------- shared helpers (new sources)


def _utc(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.timezone.utc)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _uuid(seed: str) -> str:
    import uuid

    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=4))


def _newest_first(postings: list["Posting"]) -> list["Posting"]:
    return sorted(postings, key=lambda p: (-p.created_at.timestamp(), str(p.posting_id)))


# --------------------------------------------------------------------------- ashby

ASHBY_NOT_FOUND = json.dumps({"success": False, "errors": ["Job board not found"]})
_ASHBY_EMPLOYMENT = {"FULL_TIME": "FullTime", "PART_TIME": "PartTime", "CONTRACTOR": "Contract",
                     "TEMPORARY": "Temporary", "PER_DIEM": "PartTime"}
_ASHBY_WORKPLACE = {"remote": "Remote", "hybrid": "Hybrid", "on-site": "OnSite"}
_SYMBOL = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "CA$"}


def _money(amount: float, currency: str, hourly: bool) -> str:
    sym = _SYMBOL[currency]
    return f"{sym}{amount:,.2f}" if hourly else f"{sym}{amount / 1000:,.1f}K".replace(".0K", "K")


def _ashby_compensation(p: "Posting", r: random.Random) -> dict:
    empty = {"compensationTierSummary": None, "scrapeableCompensationSalarySummary": None,
             "compensationTiers": [], "summaryComponents": []}
    if p.salary is None:
        return empty
    sal = p.salary
    hourly = sal.period == "HOUR"
    lo, hi = (sal.min, sal.max) if hourly else (int(sal.min), int(sal.max))
    summary = _money(lo, sal.currency, hourly) if lo == hi else \
        f"{_money(lo, sal.currency, hourly)} – {_money(hi, sal.currency, hourly)}"
    if hourly:
        summary += " per hour"
    components = [{"id": _uuid(p.render_seed + "|salary"), "summary": summary, "compensationType": "Salary",
                   "interval": "1 HOUR" if hourly else "1 YEAR", "currencyCode": sal.currency,
                   "minValue": lo, "maxValue": hi}]
    tier = summary
    if not hourly and r.random() < 0.4:
        low_eq, high_eq = round(r.uniform(0.01, 0.1), 2), round(r.uniform(0.15, 0.5), 2)
        components.append({"id": _uuid(p.render_seed + "|equity"), "summary": f"{low_eq}% – {high_eq}%",
                           "compensationType": "EquityPercentage", "interval": "NONE", "currencyCode": None,
                           "minValue": low_eq, "maxValue": high_eq})
        tier += f" • {low_eq}% – {high_eq}%"
    if r.random() < 0.3:
        tier += " • Offers Bonus"
    out = {"compensationTierSummary": tier, "scrapeableCompensationSalarySummary": summary,
           "compensationTiers": [{"id": _uuid(p.render_seed + "|tier"), "title": "Zone A", "tierSummary": tier,
                                  "additionalInformation": None, "components": components}],
           "summaryComponents": [{k: v for k, v in c.items() if k not in ("id", "summary")} for c in components]}
    if r.random() < 0.3:  # not every payload carries the roll-up; readers fall back on the tiers
        del out["summaryComponents"]
    return out


def ashby_job(p: "Posting", compensation: bool) -> dict:
    """One job of GET /posting-api/job-board/{board} (compensation with includeCompensation=true)."""
    r = _r(p, "ashby")
    loc = p.location
    url = f"https://jobs.ashbyhq.com/{p.board}/{p.posting_id}"
    secondary = []
    if loc.city is not None and loc.country == "US" and r.random() < 0.15:
        other = C.US_CITIES[(C.US_CITIES.index(loc) + 1) % len(C.US_CITIES)] if loc in C.US_CITIES else C.US_CITIES[0]
        secondary.append({"location": other.label, "address": {
            "addressLocality": other.city, "addressRegion": other.region, "addressCountry": other.country_name}})
    job: dict = {
        "id": p.posting_id,
        "title": p.title,
        "department": C.DEPARTMENTS[p.family],
        "team": C.DIVISIONS[p.family],
        "employmentType": _ASHBY_EMPLOYMENT[p.employment_type],
        "location": "Remote" if loc.city is None else loc.label,
        "secondaryLocations": secondary,
        "publishedAt": _utc(p.created_at).isoformat(timespec="milliseconds"),
        "isListed": True,
        "isRemote": p.workplace == "remote",
        "workplaceType": _ASHBY_WORKPLACE[p.workplace],
        "address": {"postalAddress": {"addressLocality": loc.city, "addressRegion": loc.region,
                                      "addressCountry": loc.country_name}} if loc.city else None,
        "jobUrl": url,
        "applyUrl": f"{url}/application",
        "descriptionHtml": p.description_html,
        "descriptionPlain": plain(p.description_html),
        "shouldDisplayCompensationOnJobPostings": p.salary is not None,
    }
    if compensation:
        job["compensation"] = _ashby_compensation(p, r)
    return job


def ashby_board(postings: list["Posting"], compensation: bool) -> str:
    return dumps({"apiVersion": "1", "jobs": [ashby_job(p, compensation) for p in _newest_first(postings)]})


# --------------------------------------------------------------------------- smartrecruiters

SMARTRECRUITERS_NOT_FOUND = json.dumps({"code": "NOT_FOUND", "message": "Company not found"})
_SR_EMPLOYMENT = {"FULL_TIME": ("permanent", "Full-time"), "PART_TIME": ("part_time", "Part-time"),
                  "CONTRACTOR": ("contract", "Contract"), "TEMPORARY": ("temporary", "Temporary"),
                  "PER_DIEM": ("other", "Per diem")}
_SR_INDUSTRY = {"CrescentCare": ("hospital_health_care", "Hospital & Health Care"),
                "MeridianLogistics": ("logistics_and_supply_chain", "Logistics and Supply Chain")}
_COORDS = {"Seattle": (47.6062, -122.3321), "Austin": (30.2672, -97.7431), "New York": (40.7128, -74.006),
           "Chicago": (41.8781, -87.6298), "Denver": (39.7392, -104.9903), "Atlanta": (33.749, -84.388),
           "Boston": (42.3601, -71.0589), "Phoenix": (33.4484, -112.074), "Columbus": (39.9612, -82.9988),
           "Raleigh": (35.7796, -78.6382), "London": (51.5072, -0.1276), "Manchester": (53.4808, -2.2426),
           "Berlin": (52.52, 13.405), "Amsterdam": (52.3676, 4.9041), "Dublin": (53.3498, -6.2603),
           "Toronto": (43.6532, -79.3832)}


def smartrecruiters_obj(p: "Posting", detail: bool) -> dict:
    """A posting as GET .../postings lists it, or (detail=True) as GET .../postings/{id} returns it."""
    r = _r(p, "smartrecruiters")
    loc = p.location
    lat, lon = _COORDS.get(loc.city or "", (39.8283, -98.5795))
    etype = _SR_EMPLOYMENT[p.employment_type]
    dept = C.DEPARTMENTS[p.family]
    industry = _SR_INDUSTRY.get(p.board, ("information_technology_and_services", "Information Technology and Services"))
    obj: dict = {
        "id": p.posting_id,
        "uuid": _uuid(p.render_seed + "|uuid"),
        "name": p.title,
        "jobAdId": _uuid(p.render_seed + "|jobad"),
        "defaultJobAd": True,
        "refNumber": f"REF{r.randint(10000, 99999)}",
        "company": {"identifier": p.board, "name": p.company},
        "releasedDate": _utc(p.created_at).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "location": {"city": loc.city or "", "region": loc.region if loc.city else "", "country": loc.country.lower(),
                     "remote": p.workplace == "remote", "hybrid": p.workplace == "hybrid",
                     "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}",
                     "fullLocation": (f"{loc.city}, {loc.region}, {loc.country_name}" if loc.city
                                      else f"Remote, {loc.country_name}")},
        "industry": {"id": industry[0], "label": industry[1]},
        "department": {"id": str(_stable_id(f"{p.board}|dept|{dept}")), "label": dept},
        "function": {"id": _slug(dept), "label": dept},
        "typeOfEmployment": {"id": etype[0], "label": etype[1]},
        "experienceLevel": ({"id": "mid_senior_level", "label": "Mid-Senior Level"} if "Senior" in p.title
                            else {"id": "associate", "label": "Associate"}),
        "customField": [],
        "ref": f"https://api.smartrecruiters.com/v1/companies/{p.board}/postings/{p.posting_id}",
        "creator": {"name": "Talent Acquisition"},
        "language": {"code": "en", "label": "English", "labelNative": "English (US)"},
    }
    if detail:
        s = p.sections
        qualifications = _heading(s.style, s.requirements_heading) + f"<ul>{_lis(s.requirements)}</ul>"
        if s.preferred_heading:
            qualifications += _heading(s.style, s.preferred_heading) + f"<ul>{_lis(s.preferred)}</ul>"
        additional = _heading(s.style, s.benefits_heading) + f"<ul>{_lis(s.benefits)}</ul>"
        if s.salary_line:
            additional += f"<p>{esc(s.salary_line)}</p>"
        additional += f"<p>{esc(s.eeo)}</p>"
        url = f"https://jobs.smartrecruiters.com/{p.board}/{p.posting_id}-{_slug(p.title)}"
        obj["postingUrl"] = url
        obj["applyUrl"] = f"{url}?oga=true"
        obj["jobAd"] = {"sections": {
            "companyDescription": {"title": "Company Description", "text": f"<p>{esc(s.about)}</p>"},
            "jobDescription": {"title": "Job Description", "text": f"<p>{esc(s.intro)}</p>"
                               + _heading(s.style, s.responsibilities_heading) + f"<ul>{_lis(s.responsibilities)}</ul>"},
            "qualifications": {"title": "Qualifications", "text": qualifications},
            "additionalInformation": {"title": "Additional Information", "text": additional},
        }}
    return obj


def smartrecruiters_list(postings: list["Posting"], offset: int, limit: int) -> str:
    """One page of GET /v1/companies/{id}/postings (limit capped at the documented 100)."""
    ordered = _newest_first(postings)
    offset, limit = max(offset, 0), min(max(limit, 1), 100)
    page = ordered[offset: offset + limit]
    return dumps({"offset": offset, "limit": limit, "totalFound": len(ordered),
                  "content": [smartrecruiters_obj(p, False) for p in page]})


def smartrecruiters_detail(p: "Posting") -> str:
    return dumps(smartrecruiters_obj(p, True))


# --------------------------------------------------------------------------- remotive

REMOTIVE_NOT_FOUND = json.dumps({"error": "not found"})
REMOTIVE_LEGAL_NOTICE = ("Remotive API Legal Notice (offline snapshot): link back to the URL of each job on "
                         "Remotive and mention Remotive as the source; do not submit Remotive jobs to third-party "
                         "job sites; fetch at most a few times a day, excessive requests are blocked.")
_REMOTIVE_JOB_TYPE = {"FULL_TIME": "full_time", "PART_TIME": "part_time", "CONTRACTOR": "contract",
                      "TEMPORARY": "freelance", "PER_DIEM": "part_time"}
_REMOTIVE_TAGS = {"software": ["backend", "api"], "cloud_devops": ["devops", "infrastructure"],
                  "data": ["analytics", "sql"], "security": ["security", "incident response"],
                  "it_support": ["help desk", "support"], "project_management": ["agile", "delivery"],
                  "finance": ["accounting", "reporting"], "hr": ["recruiting", "people ops"]}


def remotive_job(p: "Posting") -> dict:
    name, slug = C.REMOTIVE_CATEGORIES[p.family]
    return {
        "id": p.posting_id,
        "url": f"https://remotive.com/remote-jobs/{slug}/{_slug(p.title)}-{p.posting_id}",
        "title": p.title,
        "company_name": p.company,
        "company_logo": f"https://remotive.com/job/{p.posting_id}/logo",
        "category": name,
        "tags": list(_REMOTIVE_TAGS.get(p.family, [])),
        "job_type": _REMOTIVE_JOB_TYPE[p.employment_type],
        "publication_date": _utc(p.created_at).strftime("%Y-%m-%dT%H:%M:%S"),
        "candidate_required_location": "USA",
        "salary": p.salary.text if p.salary else "",
        "description": p.description_html,
    }


def remotive_jobs(postings: list["Posting"], category: str | None, company_name: str | None,
                  search: str | None, limit: int | None) -> str:
    """GET /api/remote-jobs with its documented filters (category, company_name, search, limit)."""
    jobs = [remotive_job(p) for p in _newest_first(postings)]
    if category:
        want = category.lower()
        jobs = [j for j in jobs if want in (j["category"].lower(), C_REMOTIVE_SLUG.get(j["category"], ""))]
    if company_name:
        jobs = [j for j in jobs if company_name.lower() in j["company_name"].lower()]
    if search:
        jobs = [j for j in jobs if search.lower() in (j["title"] + " " + j["description"]).lower()]
    if limit is not None:
        jobs = jobs[: max(limit, 0)]
    return dumps({"0-legal-notice": REMOTIVE_LEGAL_NOTICE, "job-count": len(jobs), "total-job-count": len(jobs),
                  "jobs": jobs})


C_REMOTIVE_SLUG = {name: slug for name, slug in C.REMOTIVE_CATEGORIES.values()}


# --------------------------------------------------------------------------- usajobs

USAJOBS_NOT_FOUND = json.dumps({"error": "not found"})
USAJOBS_UNAUTHORIZED = json.dumps({"error": "Unauthorized: send Authorization-Key and User-Agent (your e-mail)"})
_USAJOBS_SCHEDULE = {"FULL_TIME": ("Full-time", "1"), "PART_TIME": ("Part-time", "2"),
                     "CONTRACTOR": ("Term", "4"), "TEMPORARY": ("Temporary", "4"), "PER_DIEM": ("Intermittent", "3")}
_STATES = {"WA": "Washington", "TX": "Texas", "NY": "New York", "IL": "Illinois", "CO": "Colorado",
           "GA": "Georgia", "MA": "Massachusetts", "AZ": "Arizona", "OH": "Ohio", "NC": "North Carolina"}


def _usajobs_time(t: dt.datetime) -> str:
    return t.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-2]


def usajobs_item(p: "Posting") -> dict:
    """One SearchResultItems entry (MatchedObjectId + MatchedObjectDescriptor)."""
    r = _r(p, "usajobs")
    s = p.sections
    loc = p.location
    department, code = C.AGENCY_DEPARTMENTS[p.company]
    series_name, series = C.OPM_SERIES[p.family]
    schedule = _USAJOBS_SCHEDULE[p.employment_type]
    grade = r.choice(("9", "11", "12", "13")) if not p.title.startswith("Senior") else "14"
    url = f"https://www.usajobs.gov:443/GetJob/ViewDetails/{p.posting_id}"
    if loc.city is None:
        display = "Anywhere in the U.S. (remote job)"
        locations = [{"LocationName": "Anywhere in the U.S. (remote job)", "CountryCode": "United States",
                      "CountrySubDivisionCode": "", "CityName": "Anywhere in the U.S. (remote job)",
                      "Longitude": -98.5795, "Latitude": 39.8283}]
    else:
        state = _STATES.get(loc.region, loc.region)
        lat, lon = _COORDS.get(loc.city, (39.8283, -98.5795))
        display = f"{loc.city}, {state}"
        locations = [{"LocationName": display, "CountryCode": "United States", "CountrySubDivisionCode": state,
                      "CityName": display, "Longitude": lon, "Latitude": lat}]
    qualifications = [f"- {line}" for line in s.requirements]
    if s.preferred_heading:
        qualifications += [f"{s.preferred_heading}:", *(f"- {line}" for line in s.preferred)]
    pay = []
    if p.salary is not None:
        hourly = p.salary.period == "HOUR"
        pay = [{"MinimumRange": f"{p.salary.min:.2f}" if hourly else f"{p.salary.min:.1f}",
                "MaximumRange": f"{p.salary.max:.2f}" if hourly else f"{p.salary.max:.1f}",
                "RateIntervalCode": "Per Hour" if hourly else "Per Year", "Description": "Per Hour" if hourly else "Per Year"}]
    close = p.created_at + dt.timedelta(days=30)
    return {
        "MatchedObjectId": str(p.posting_id),
        "MatchedObjectDescriptor": {
            "PositionID": f"{code}-26-{str(p.posting_id)[-6:]}-{r.choice(('DE', 'MP', 'ST'))}",
            "PositionTitle": p.title,
            "PositionURI": url,
            "ApplyURI": [f"{url}?PostingChannelID="],
            "PositionLocationDisplay": display,
            "PositionLocation": locations,
            "OrganizationName": p.company,
            "DepartmentName": department,
            "JobCategory": [{"Name": series_name, "Code": series}],
            "JobGrade": [{"Code": "GS"}],
            "PositionSchedule": [{"Name": schedule[0], "Code": schedule[1]}],
            "PositionOfferingType": [{"Name": "Permanent", "Code": "15317"}],
            "QualificationSummary": "\n".join(qualifications),
            "PositionRemuneration": pay,
            "PositionStartDate": _usajobs_time(p.created_at),
            "PositionEndDate": _usajobs_time(close),
            "PublicationStartDate": _usajobs_time(p.created_at),
            "ApplicationCloseDate": _usajobs_time(close.replace(hour=23, minute=59, second=59, microsecond=997000)),
            "UserArea": {"Details": {
                "JobSummary": f"{s.about}\n{s.intro}",
                "WhoMayApply": {"Name": "United States Citizens", "Code": ""},
                "LowGrade": grade, "HighGrade": grade, "PromotionPotential": grade,
                "HiringPath": ["public"], "TotalOpenings": str(r.randint(1, 5)),
                "MajorDuties": list(s.responsibilities),
                "Education": "",
                "Requirements": "\n".join(C.USAJOBS_CONDITIONS),
                "Evaluations": "You will be evaluated on the qualifications listed above.\n" + s.eeo,
                "HowToApply": "Apply online through USAJOBS before the closing date.",
                "WhatToExpectNext": "We will notify you by e-mail after the announcement closes.",
                "Benefits": "\n".join(f"- {line}" for line in s.benefits),
                "BenefitsUrl": "https://help.usajobs.gov/working-in-government/benefits",
                "TeleworkEligible": p.workplace in ("hybrid", "remote"),
                "RemoteIndicator": p.workplace == "remote",
                "SecurityClearance": "Not Required" if p.family != "security" else "Secret",
                "DrugTestRequired": "False",
            }, "IsRadialSearch": False},
        },
        "RelevanceRank": 0,
    }


def usajobs_search(postings: list["Posting"], page: int, per_page: int) -> str:
    """GET /api/Search: one page (Page from 1, ResultsPerPage capped at the documented 500)."""
    ordered = _newest_first(postings)
    per_page = min(max(per_page, 1), 500)
    page = max(page, 1)
    items = [usajobs_item(p) for p in ordered[(page - 1) * per_page: page * per_page]]
    pages = -(-len(ordered) // per_page)
    return dumps({"LanguageCode": "EN",
                  "SearchParameters": {"ResultsPerPage": per_page, "Page": page},
                  "SearchResult": {"SearchResultCount": len(items), "SearchResultCountAll": len(ordered),
                                   "SearchResultItems": items,
                                   "UserArea": {"NumberOfPages": str(pages), "IsRadialSearch": False}}})


# --------------------------------------------------------------------------- hacker news


def hn_escape(text: str) -> str:
    """Text as HN stores it in `text`: HTML-escaped, with ' and / as numeric entities."""
    return html.escape(text, quote=True).replace("/", "&#x2F;")


def _hn_link(url: str) -> str:
    shown = hn_escape(url)
    return f'<a href="{shown}" rel="nofollow">{shown}</a>'


def hn_first_line(p: "Posting") -> list[str]:
    """The pipe-separated fields of a posting's first line (company | role | location | ...)."""
    where = "REMOTE (US)" if p.workplace == "remote" else p.location.label
    fields = [p.company, p.title, where]
    if p.workplace == "hybrid":
        fields.append("HYBRID")
    elif p.workplace == "on-site":
        fields.append("ONSITE")
    fields.append(C.EMPLOYMENT_LABELS[p.employment_type])
    if p.salary is not None:
        fields.append(p.salary.text)
    return fields


def hn_text(p: "Posting") -> str:
    s = p.sections
    paras = [s.about, s.intro, f"{s.responsibilities_heading}:", *(f"- {x}" for x in s.responsibilities),
             f"{s.requirements_heading}:", *(f"- {x}" for x in s.requirements)]
    if s.preferred_heading:
        paras += [f"{s.preferred_heading}:", *(f"- {x}" for x in s.preferred)]
    paras += [f"{s.benefits_heading}:", *(f"- {x}" for x in s.benefits), s.eeo]
    first = " | ".join(hn_escape(f) for f in hn_first_line(p)) + " | " + _hn_link(f"{p.company_url}/careers")
    return first + "".join(f"<p>{hn_escape(x)}" for x in paras)


def _hn_handle(p: "Posting") -> str:
    return _slug(p.company).replace("-", "")[:12] + "_hiring"


def hn_comment(p: "Posting", thread_id: int) -> str:
    return dumps({"by": _hn_handle(p), "id": p.posting_id, "parent": thread_id, "text": hn_text(p),
                  "time": int(p.created_at.timestamp()), "type": "comment"})


def hn_thread(item_id: int, title: str, month: dt.date, kids: list["Posting"]) -> str:
    posted = dt.datetime(month.year, month.month, month.day, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    text = ("Please state the location and include REMOTE for remote work, REMOTE (US) or similar if the country "
            "is restricted, and ONSITE when remote work is &#x2F;not&#x2F; an option.<p>Please only post if you "
            "personally are part of the hiring company.")
    return dumps({"by": "whoishiring", "descendants": len(kids), "id": item_id, "kids": [p.posting_id for p in kids],
                  "score": 600, "text": text, "time": int(posted.timestamp()),
                  "title": f"{title} ({month.strftime('%B')} {month.year})", "type": "story"})


def hn_user(account: str, submitted: list[int]) -> str:
    return dumps({"about": "This account posts the monthly hiring threads.", "created": 1302133209,
                  "id": account, "karma": 41000, "submitted": submitted})
