"""Items the spiders emit: one JSON line each in the raw partition's items.jsonl.

Every field has a default so a spider can build a partial item; the validation
pipeline quarantines items that lack what downstream steps need instead of
letting them fail later.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PostingItem:
    """One job posting as the source published it (renaming only, no cleaning).

    Dates are ISO 'YYYY-MM-DD'; salary amounts are in `salary_currency` per
    `salary_period` ('year', 'month', 'week', 'day', 'hour'); `week` is the ISO
    week of the crawl partition, `fetched_at` an ISO UTC timestamp and
    `payload_sha256` the hash of the response body archived in responses/.
    """

    source: str | None = None
    source_id: str | None = None
    url: str | None = None
    title: str | None = None
    company: str | None = None
    location_raw: str | None = None
    remote: bool | None = None
    hybrid: bool | None = None
    description_html: str | None = None
    description_text: str | None = None
    date_posted: str | None = None
    valid_through: str | None = None
    employment_type: str | None = None
    salary_raw: str | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    language: str | None = None
    departments: list[str] = field(default_factory=list)
    week: str | None = None
    fetched_at: str | None = None
    payload_sha256: str | None = None

    REQUIRED = ("source_id", "url", "title", "description_html")


@dataclass
class OfferingItem:
    """One catalog offering (certification, exam, course, applied skill).

    `url` has tracking parameters stripped; `duration_hours` is in hours;
    `price` is in `currency` (None when the catalog publishes no price).
    """

    source: str | None = None
    source_id: str | None = None
    url: str | None = None
    title: str | None = None
    provider: str | None = None
    offering_type: str | None = None
    exam_codes: list[str] = field(default_factory=list)
    credential_uid: str | None = None
    duration_hours: float | None = None
    price: float | None = None
    currency: str | None = None
    level: str | None = None
    language: str | None = None
    last_modified: str | None = None
    week: str | None = None
    fetched_at: str | None = None
    payload_sha256: str | None = None

    REQUIRED = ("source_id", "title")
