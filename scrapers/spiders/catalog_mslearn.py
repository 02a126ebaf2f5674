"""Microsoft Learn Catalog API (legacy, unauthenticated; retiring after June 2026).

Request: `{base}/api/catalog/?type=<types from config, comma-joined>&locale=<locale, default en-us>`.
One document, no paging. Emits one OfferingItem per certification, exam, course
and applied skill.

Documented fields used (shared/formats/mslearn-catalog.md, from the maintained
.NET client's models): uid, title, url (its `WT.mc_id` tracking query stripped),
last_modified, levels[], locales[]/locale; certifications.exams[] (uids);
exams.display_name (the exam code); courses.duration_in_hours, .exam, .certification.
Inferred: exam codes of certifications/courses from exam uids (`exam.az-104` →
`AZ-104`); an exam's credential_uid from the certification that lists it in the
same document; provider is always "Microsoft"; price/currency are not published.
"""
from __future__ import annotations

from urllib.parse import quote

from w3lib.url import url_query_cleaner

from scrapers.spiders.base import CredwatchSpider, to_float

OFFERING_TYPES = {
    "certifications": "certification",
    "exams": "exam",
    "courses": "course",
    "appliedSkills": "applied_skill",
}
TRACKING_PARAMS = ["WT.mc_id"]


def strip_tracking(url: str | None) -> str | None:
    if not url:
        return url
    return url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=True)


def exam_code(uid: str | None) -> str | None:
    if not uid:
        return None
    return uid.split(".", 1)[1].upper() if uid.startswith("exam.") else uid.upper()


class MsLearnSpider(CredwatchSpider):
    name = "mslearn"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale = str(self.option("locale", "en-us"))

    def first_requests(self):
        types = [str(t) for t in self.option("types") or []]
        if not types:
            raise ValueError(f"source {self.source!r} needs `types:` in config/sources.yml "
                             f"(any of {', '.join(OFFERING_TYPES)})")
        unknown = sorted(set(types) - set(OFFERING_TYPES))
        if unknown:
            raise ValueError(f"source {self.source!r}: types {unknown} are not catalog offerings this "
                             f"spider maps; use only {', '.join(OFFERING_TYPES)}")
        query = f"type={','.join(types)}&locale={quote(self.locale)}"
        yield self.request(self.url(f"/api/catalog/?{query}"), self.parse_catalog, expect_json=True)

    def parse_catalog(self, response):
        data = self.load_json(response)
        if data is None:
            return
        if not isinstance(data, dict):
            self.fail(response.url, "is not a catalog object (expected one array per type)")
            return
        locale = self.locale
        cert_of_exam = {
            exam: cert.get("uid")
            for cert in data.get("certifications") or []
            for exam in cert.get("exams") or []
        }
        for key, offering_type in OFFERING_TYPES.items():
            for obj in data.get(key) or []:
                if not isinstance(obj, dict):
                    continue
                uid = obj.get("uid")
                if offering_type == "certification":
                    codes, credential = [exam_code(e) for e in obj.get("exams") or []], uid
                elif offering_type == "exam":
                    codes, credential = [obj.get("display_name") or exam_code(uid)], cert_of_exam.get(uid)
                elif offering_type == "course":
                    codes, credential = [exam_code(obj.get("exam"))], obj.get("certification")
                else:  # applied skill: the credential itself
                    codes, credential = [], uid
                levels = [lv.get("id") if isinstance(lv, dict) else lv for lv in obj.get("levels") or []]
                locales = obj.get("locales") or ([obj["locale"]] if obj.get("locale") else [])
                yield self.offering(
                    response,
                    source_id=uid,
                    url=strip_tracking(obj.get("url")),
                    title=obj.get("title"),
                    provider="Microsoft",
                    offering_type=offering_type,
                    exam_codes=[c for c in codes if c],
                    credential_uid=credential,
                    duration_hours=to_float(obj.get("duration_in_hours")),
                    level=str(levels[0]) if levels else None,
                    language=locale if not locales or locale in locales else locales[0],
                    last_modified=obj.get("last_modified"),
                )
