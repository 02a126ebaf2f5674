"""Items the spiders emit: one JSON line each in the raw partition's items.jsonl.

Every field has a default so a spider can build a partial item; the validation
pipeline quarantines items that lack what downstream steps need instead of
letting them fail later. A posting the crawl could not read at all (its page
failed for good, was forbidden by robots.txt, carried no JobPosting, ...)
becomes a `LostPosting`, which always goes to the quarantine with its reason:
every posting a source lists ends up either stored or quarantined.
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
    `carried_from` is the week whose stored item this one repeats when an
    incremental crawl skipped the unchanged posting's request (then
    `fetched_at` is when this week's list response showing it unchanged was
    fetched; the body's own fetch time is in manifest.jsonl); None when fetched.
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
    carried_from: str | None = None

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
    # Catalog fields kept as the source wrote them (transforms.offerings parses them):
    description: str | None = None
    duration_raw: str | None = None      # "PT22H", "4 weeks, 5-8 hours/week", Credly "Weeks"
    price_raw: str | None = None         # "$1,295.00", Credly "Paid" / "Free"
    credential_name: str | None = None   # what the page says it awards (educationalCredentialAwarded …)
    status: str | None = None            # Credly state, when published
    week: str | None = None
    fetched_at: str | None = None
    payload_sha256: str | None = None

    REQUIRED = ("source_id", "title")


@dataclass
class LostPosting:
    """A posting the source listed but the crawl could not read, with the reason.

    Written to quarantine.jsonl (never to items.jsonl). `source_id` is None when
    only the URL was known (a sitemap entry); `status` is the HTTP status of the
    last answer when there was one.
    """

    source: str | None = None
    source_id: str | None = None
    url: str | None = None
    reason: str | None = None
    status: int | None = None
    week: str | None = None
    fetched_at: str | None = None
