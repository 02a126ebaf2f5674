"""Training providers' pages with schema.org Course / EducationalOccupationalCredential
JSON-LD, found through sitemaps (../shared/formats/courses-schemaorg.md).

Sitemap walking (sitemapindex → urlset, gzip, snapshot URL mapping) is the
job spider's (`SchemaOrgSpider`), reused here; each listed page is read by
`parse_page` instead of the JobPosting parser. Every `Course` node and every
standalone `EducationalOccupationalCredential` node becomes one OfferingItem.
A page without either is counted (`courses/no_course`); unreadable JSON-LD
blocks are counted and skipped.

Properties used: name, description, url, courseCode, provider.name (also by
@id in the @graph), offers (object or list; price number or string such as
"$1,295.00", priceCurrency), hasCourseInstance[].courseWorkload (ISO 8601 or
free text) / courseMode, timeToComplete, educationalLevel, inLanguage (else
`<html lang>`), educationalCredentialAwarded / occupationalCredentialAwarded
(text or credential object; its name). Prices and durations are kept as
written and parsed by transforms.offerings.
"""
from __future__ import annotations

from typing import Any

from scrapers.spiders.base import to_float
from scrapers.spiders.jobs_schemaorg import SchemaOrgSpider, _first, _types, lenient_json, walk


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    return str(value).strip() if value not in (None, "") else None


class SchemaOrgCourseSpider(SchemaOrgSpider):
    name = "schemaorg_courses"
    CHANGE_MARKER = None  # offerings are not carried forward: every listed page is fetched

    def parse_job(self, response, listed_url: str | None = None):
        # SchemaOrgSpider.parse_sitemap sends every listed page here.
        return self.parse_page(response, listed_url)

    def parse_page(self, response, listed_url: str | None = None):
        nodes: list[dict] = []
        for block in response.xpath('//script[contains(@type, "ld+json")]/text()').getall():
            try:
                nodes.extend(n for n in walk(lenient_json(block)) if isinstance(n, dict))
            except ValueError:
                self.count("courses/jsonld_invalid")
                self.logger.warning("%s: a JSON-LD block is not valid JSON even leniently; skipped", response.url)
        by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
        courses = [n for n in nodes if "Course" in _types(n)]
        awarded = {id(_first(c.get("educationalCredentialAwarded"))) for c in courses}
        credentials = [n for n in nodes if "EducationalOccupationalCredential" in _types(n) and id(n) not in awarded]
        if not courses and not credentials:
            self.count("courses/no_course")
            return
        language = response.xpath("/html/@lang").get()
        page_url = listed_url or response.url
        for node in courses:
            yield self.course_item(response, node, by_id, page_url, language)
        for node in credentials:
            yield self.credential_item(response, node, by_id, page_url, language)

    def _resolve(self, value: Any, by_id: dict) -> Any:
        value = _first(value)
        if isinstance(value, dict) and set(value) == {"@id"}:
            return by_id.get(value["@id"], value)
        return value

    @staticmethod
    def _offer(offers: Any) -> dict:
        offers = offers if isinstance(offers, list) else [offers] if offers else []
        return next((o for o in offers if isinstance(o, dict)), {})

    def course_item(self, response, c: dict, by_id: dict, page_url: str, language: str | None):
        offer = self._offer(c.get("offers"))
        instances = c.get("hasCourseInstance")
        instances = instances if isinstance(instances, list) else [instances] if instances else []
        instance = next((i for i in instances if isinstance(i, dict)), {})
        if not offer:
            offer = self._offer(instance.get("offers"))
        price = offer.get("price")
        credential = self._resolve(c.get("educationalCredentialAwarded") or c.get("occupationalCredentialAwarded"), by_id)
        url = c.get("url") if isinstance(c.get("url"), str) and c["url"].startswith("http") else page_url
        return self.offering(
            response,
            source_id=url,
            url=url,
            title=c.get("name"),
            provider=_text(self._resolve(c.get("provider"), by_id)),
            offering_type="course",
            exam_codes=[str(c["courseCode"])] if c.get("courseCode") else [],
            price=to_float(price),
            currency=offer.get("priceCurrency"),
            price_raw=str(price) if price not in (None, "") else offer.get("category"),
            duration_raw=instance.get("courseWorkload") or c.get("timeToComplete") or c.get("courseWorkload"),
            level=_text(c.get("educationalLevel")),
            language=_text(c.get("inLanguage")) or language,
            description=c.get("description"),
            credential_name=_text(credential),
        )

    def credential_item(self, response, n: dict, by_id: dict, page_url: str, language: str | None):
        offer = self._offer(n.get("offers"))
        price = offer.get("price")
        url = n.get("url") if isinstance(n.get("url"), str) and n["url"].startswith("http") else page_url
        return self.offering(
            response,
            source_id=url,
            url=url,
            title=n.get("name"),
            provider=_text(self._resolve(n.get("recognizedBy"), by_id)),
            offering_type="credential",
            price=to_float(price),
            currency=offer.get("priceCurrency"),
            price_raw=str(price) if price not in (None, "") else None,
            duration_raw=n.get("timeToComplete"),
            level=_text(n.get("educationalLevel")),
            language=_text(n.get("inLanguage")) or language,
            description=n.get("description"),
            credential_name=n.get("name"),
        )
