"""Coursera catalog API (public, undocumented/legacy: ../shared/formats/coursera.md).

Requests, per resource in config (`resources`, default courses.v1 and
onDemandSpecializations.v1 — the professional certificates):
`{base}/api/{resource}?start=N&limit=page_size&fields=…&includes=partnerIds`,
following `paging.next` (a string offset, absent on the last page) until it
is missing or a page brings nothing new. One OfferingItem per element.

Fields used (all inferred from third-party notes; parsed when present, never
required): id, slug, name, description, workload (free text, parsed later by
transforms.offerings), primaryLanguages[], partnerIds[] → `linked.partners.v1`
names; specializations: productVariant (ProfessionalCertificateS …),
metadata.level / metadata.workload. Course URLs are built from the slug
(`/learn/{slug}`, `/professional-certificates/{slug}`, `/specializations/{slug}`).
No price is published by this API.
"""
from __future__ import annotations

from urllib.parse import quote

from scrapers.spiders.base import CredwatchSpider

RESOURCES = {
    "courses.v1": ("course", "id,slug,name,description,workload,primaryLanguages,partnerIds,certificates,courseType"),
    "onDemandSpecializations.v1": ("specialization", "id,slug,name,description,partnerIds,productVariant,metadata,primaryLanguages"),
}
WEB = "https://www.coursera.org"


class CourseraSpider(CredwatchSpider):
    name = "coursera"

    def __init__(self, *args, page_size=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_size = self.int_option("page_size", 100, page_size, maximum=100)

    def first_requests(self):
        resources = [str(r) for r in self.option("resources") or RESOURCES]
        unknown = sorted(set(resources) - set(RESOURCES))
        if unknown:
            raise ValueError(f"source {self.source!r}: resources {unknown} are not Coursera catalog resources "
                             f"this spider maps; use {', '.join(RESOURCES)}")
        for resource in resources:
            yield self.page_request(resource, 0)

    def page_request(self, resource: str, start: int):
        fields = quote(RESOURCES[resource][1], safe=",")
        url = self.url(f"/api/{resource}?start={start}&limit={self.page_size}&fields={fields}&includes=partnerIds")
        return self.request(url, self.parse_page, expect_json=True, cb_kwargs={"resource": resource, "start": start})

    def parse_page(self, response, resource: str, start: int):
        page = self.load_json(response)
        if page is None:
            return
        if not isinstance(page, dict) or not isinstance(page.get("elements"), list):
            self.fail(response.url, f"is not a Coursera catalog page (no `elements` list): {str(page)[:200]}")
            return
        linked = page.get("linked") if isinstance(page.get("linked"), dict) else {}
        partners = {str(p.get("id")): p.get("name") for p in linked.get("partners.v1") or [] if isinstance(p, dict)}
        new = self.new_entries(resource, page["elements"], lambda e: e.get("id"))
        for element in new:
            yield self.to_item(response, resource, element, partners)
        paging = page.get("paging") if isinstance(page.get("paging"), dict) else {}
        following = paging.get("next")
        if following not in (None, "") and str(following).isdigit():
            if new:
                yield self.page_request(resource, int(following))
            elif (again := self.refetch_once(response)) is not None:
                yield again

    def to_item(self, response, resource: str, e: dict, partners: dict):
        kind = RESOURCES[resource][0]
        metadata = e.get("metadata") if isinstance(e.get("metadata"), dict) else {}
        if kind == "specialization":
            professional = "professional" in str(e.get("productVariant") or "").lower()
            offering_type = "professional_certificate" if professional else "specialization"
            path = "professional-certificates" if professional else "specializations"
        else:
            offering_type, path = "course", "learn"
        names = [partners.get(str(p)) for p in e.get("partnerIds") or []]
        languages = e.get("primaryLanguages") or []
        return self.offering(
            response,
            source_id=str(e["id"]) if e.get("id") not in (None, "") else None,
            url=f"{WEB}/{path}/{e['slug']}" if e.get("slug") else None,
            title=e.get("name"),
            provider=", ".join(n for n in names if n) or None,
            offering_type=offering_type,
            level=metadata.get("level") or e.get("level"),
            language=str(languages[0]) if languages else None,
            description=e.get("description"),
            duration_raw=e.get("workload") or metadata.get("workload"),
        )
