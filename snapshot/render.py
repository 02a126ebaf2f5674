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


def sitemap(postings: list["Posting"], page_base: str) -> str:
    """sitemaps.org urlset: one <url> per active job page, lastmod = publication date."""
    rows = [f"<url><loc>{esc(page_base)}/jobs/{p.posting_id}.html</loc>"
            f"<lastmod>{p.created_at.date().isoformat()}</lastmod></url>"
            for p in sorted(postings, key=lambda p: p.posting_id)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n")
