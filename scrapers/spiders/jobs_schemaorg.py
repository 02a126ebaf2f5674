"""Employer career pages carrying schema.org JobPosting JSON-LD, found through sitemaps.

Reads each sitemap in config (`sitemaps`, or `snapshot.sitemaps`), follows
`sitemapindex` → `urlset` recursively, and requests every listed page. Each
`<script type="application/ld+json">` block is parsed leniently (raw control
characters, trailing commas); single objects, arrays and `@graph` are walked and
every object whose @type is or contains "JobPosting" becomes one item. A listed
page that cannot be read (HTTP error after retries, too large, redirect loop,
forbidden by robots.txt) or carries no JobPosting (`schemaorg/no_jobposting`)
is quarantined as a LostPosting with the reason, so every URL a sitemap lists
is either stored or quarantined. Sitemap URLs are deduplicated by the spider
and wait on its frontier (base.queue_posting), so a sitemap of tens of
thousands of jobs does not fill the scheduler.

Documented properties used (shared/formats/schemaorg-jobposting.md): title,
description, datePosted, validThrough, employmentType, hiringOrganization.name
(also by @id into the @graph), jobLocation[].address.{addressLocality,
addressRegion,addressCountry(str|Country)}, jobLocationType=TELECOMMUTE,
applicantLocationRequirements.name, baseSalary (number | QuantitativeValue
{value|minValue,maxValue,unitText} | string; currency on MonetaryAmount,
QuantitativeValue or salaryCurrency), identifier(.value), url.
Inferred: language from `<html lang>`; entity-escaped descriptions are unescaped
once; a bare '$' in a salary string means USD; microdata/RDFa are not read.

Incremental (scrapers/incremental.py): a page whose sitemap `<lastmod>` equals
the one stored in the previous committed week is not requested; the items that
week stored for it are carried forward. A `<url>` without `<lastmod>` is always
fetched. `lastmod` is publisher-controlled and can lag a change (Google's
job-posting docs; shared/formats/schemaorg-jobposting.md), so carried pages
are re-fetched at least every `incremental_max_age_weeks` weeks.
"""
from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import lxml.etree
from scrapy.utils.gz import gunzip

from scrapers.spiders.base import CredwatchSpider, iso_date, parse_salary_text, salary_period, to_float

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit per file
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$")


def lenient_json(text: str) -> Any:
    """json.loads that tolerates raw newlines/control characters, CDATA wrappers and trailing commas."""
    for attempt in (text, _CDATA.sub("", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            pass
    cleaned = _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", _CDATA.sub("", text)))
    return json.loads(cleaned, strict=False)  # ValueError propagates: the block is unreadable


def _types(node: dict) -> list[str]:
    t = node.get("@type")
    return [str(x) for x in (t if isinstance(t, list) else [t]) if x]


def is_jobposting(node: Any) -> bool:
    return isinstance(node, dict) and any("JobPosting" in t for t in _types(node))


def walk(data: Any):
    """Every JSON-LD node in a block: the object itself, array members, @graph members."""
    if isinstance(data, list):
        for x in data:
            yield from walk(x)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from walk(data["@graph"])


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name")
    return str(value).strip() if value not in (None, "") else None


def place_text(place: Any) -> str | None:
    if isinstance(place, str):
        return place.strip() or None
    if not isinstance(place, dict):
        return None
    address = place.get("address")
    if isinstance(address, str):
        return address.strip() or None
    if not isinstance(address, dict):
        return _name(place)
    parts = [address.get("addressLocality"), address.get("addressRegion"), _name(address.get("addressCountry"))]
    return ", ".join(str(p).strip() for p in parts if p) or None


def salary_fields(base: Any, posting: dict) -> dict[str, Any]:
    """salary_* fields from baseSalary in any of its documented shapes."""
    out: dict[str, Any] = dict.fromkeys(("salary_raw", "salary_min", "salary_max", "salary_currency", "salary_period"))
    base = _first(base)
    if base in (None, ""):
        return out
    currency, unit = posting.get("salaryCurrency"), None
    value: Any = base
    if isinstance(base, dict):
        currency = base.get("currency") or currency
        unit = base.get("unitText")
        value = base.get("value", base)
    value = _first(value)
    if isinstance(value, dict):
        currency = value.get("currency") or currency
        unit = value.get("unitText") or unit
        low = value.get("minValue", value.get("value"))
        high = value.get("maxValue", value.get("value"))
        out.update(salary_min=to_float(low), salary_max=to_float(high))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.update(salary_min=float(value), salary_max=float(value))
    elif isinstance(value, str):
        if to_float(value) is not None:
            out.update(salary_min=to_float(value), salary_max=to_float(value))
        else:
            parsed = parse_salary_text(value)
            currency = currency or parsed["salary_currency"]
            unit = unit or parsed["salary_period"]
            out.update(salary_min=parsed["salary_min"], salary_max=parsed["salary_max"])
    out["salary_raw"] = base if isinstance(base, str) else json.dumps(base, sort_keys=True, ensure_ascii=False)
    out["salary_currency"] = currency
    out["salary_period"] = salary_period(unit)
    return out


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def stream_sitemap(body: bytes):
    """(root element name, iterator of (<loc>, <lastmod> or None) of its <url>/<sitemap> entries).

    Parsed incrementally (lxml iterparse, recovering from bad markup like
    Scrapy's Sitemap) and each entry is freed once read, so a 50,000-URL
    sitemap never becomes a whole tree in memory. Raises lxml's error (or
    StopIteration) when the body has no XML root element at all.
    """
    events = lxml.etree.iterparse(io.BytesIO(body), events=("start", "end"), recover=True,
                                  remove_comments=True, resolve_entities=False, no_network=True)
    _, first = next(events)
    root = _local(first.tag)

    def locs():
        try:
            for event, elem in events:
                if event != "end" or _local(elem.tag) not in ("url", "sitemap"):
                    continue
                fields = {_local(child.tag): (child.text or "").strip() for child in elem}
                if fields.get("loc"):
                    yield fields["loc"], fields.get("lastmod") or None
                elem.clear()
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
        except lxml.etree.LxmlError:
            return  # unreadable rest of a damaged sitemap (recover mode rarely gets here)

    return root, locs()


class SchemaOrgSpider(CredwatchSpider):
    name = "schemaorg"
    CHANGE_MARKER = "sitemap <lastmod>"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_pages: set[int] = set()

    def first_requests(self):
        for sitemap in self.targets("sitemaps"):
            yield self.request(self.url(sitemap), self.parse_sitemap)

    def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
        try:
            root, locs = stream_sitemap(body)
        except (lxml.etree.LxmlError, StopIteration) as exc:  # empty / non-XML body
            self.fail(response.url, f"is not a sitemap ({type(exc).__name__}: {exc or 'no XML root'})")
            return
        if root not in ("sitemapindex", "urlset"):
            self.fail(response.url, f"is XML but not a sitemap (root <{root}>)")
            return
        if root == "sitemapindex":
            for loc, _ in locs:
                yield self.request(self.snapshot_rewrite(response.urljoin(loc)), self.parse_sitemap)
            return
        pages = self.new_pages(response, locs)
        if not self.carry:
            # A urlset can list 50,000 jobs: its URLs are read lazily, as the frontier releases them.
            yield from self.queue_postings(self.page_request, pages)
            return
        # Incremental: an unchanged page's stored items are yielded here (this output is
        # consumed lazily, like the sitemap); only pages to fetch wait on the frontier.
        for listed, lastmod in pages:
            carried = self.carry_forward(self.listed_key(listed), lastmod, response)
            if carried is not None:
                yield from carried
            else:
                yield from self.queue_posting(self.page_request, listed, lastmod)

    def new_pages(self, response, locs):
        """(absolute page URL, lastmod) of each page not listed before in this crawl."""
        for loc, lastmod in locs:
            listed = response.urljoin(loc)
            if hash(listed) in self.seen_pages:  # a 64-bit hash per page keeps the set small
                self.count("credwatch/repeated_entries")
                continue
            self.seen_pages.add(hash(listed))
            yield listed, lastmod

    def page_request(self, listed: str, lastmod: str | None = None):
        return self.posting_request(self.snapshot_rewrite(listed), self.parse_job, listed_url=listed,
                                    marker=(self.listed_key(listed), lastmod), cb_kwargs={"listed_url": listed})

    def parse_job(self, response, listed_url: str | None = None):
        page_url = listed_url or response.url
        nodes: list[dict] = []
        for block in response.xpath('//script[contains(@type, "ld+json")]/text()').getall():
            try:
                nodes.extend(walk(lenient_json(block)))
            except ValueError:
                self.count("schemaorg/jsonld_invalid")
                self.logger.warning("%s: a JSON-LD block is not valid JSON even leniently; skipped", response.url)
        by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
        postings = [n for n in nodes if is_jobposting(n)]
        if not postings:
            self.count("schemaorg/no_jobposting")
            yield self.lost(page_url, "page carries no schema.org JobPosting (JSON-LD)", status=response.status,
                            fetched_at=self.provenance(response)["fetched_at"])
            return
        language = response.xpath("/html/@lang").get()
        for posting in postings:
            yield self.to_item(response, posting, by_id, page_url, language)

    def to_item(self, response, p: dict, by_id: dict, page_url: str, language: str | None):
        def resolve(value):
            value = _first(value)
            if isinstance(value, dict) and set(value) == {"@id"}:
                return by_id.get(value["@id"], value)
            return value

        identifier = resolve(p.get("identifier"))
        if isinstance(identifier, dict):
            identifier = identifier.get("value")
        places = p.get("jobLocation")
        places = places if isinstance(places, list) else [places] if places else []
        location = "; ".join(t for t in (place_text(resolve(x)) for x in places) if t) or None
        location_types = p.get("jobLocationType")
        location_types = location_types if isinstance(location_types, list) else [location_types]
        remote = True if any(str(t).upper() == "TELECOMMUTE" for t in location_types if t) else None
        if location is None and remote:
            where = _name(p.get("applicantLocationRequirements"))
            location = f"Remote ({where})" if where else "Remote"
        description = p.get("description")
        if isinstance(description, str) and "&lt;" in description and "<" not in description:
            description = html.unescape(description)
        employment = p.get("employmentType")
        if isinstance(employment, list):
            employment = ",".join(str(e) for e in employment if e) or None
        url = p.get("url") if isinstance(p.get("url"), str) and p.get("url").startswith("http") else page_url
        return self.posting(
            response,
            source_id=str(identifier) if identifier not in (None, "") else url,
            url=url,
            title=p.get("title"),
            company=_name(resolve(p.get("hiringOrganization"))),
            location_raw=location,
            remote=remote,
            description_html=description,
            date_posted=iso_date(p.get("datePosted")),
            valid_through=iso_date(p.get("validThrough")),
            employment_type=employment,
            language=language,
            **salary_fields(resolve(p.get("baseSalary")), p),
        )
