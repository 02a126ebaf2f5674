"""Item pipelines: scrub PII (100) → validate or quarantine (200) → write items.jsonl (300).

All three write into the spider's `RawPartition` (`spider.partition`), which the
RawPartitionExtension commits when the crawl closes.
"""
from __future__ import annotations

import dataclasses
import re

from scrapy.exceptions import DropItem

from scrapers.items import LostPosting, OfferingItem, PostingItem

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Candidate phone numbers: optional +country code and (area) code, then 2+ digit
# groups joined by one space, dot or hyphen. _is_phone() then rejects dates,
# year ranges and thousands-grouped amounts.
_PHONE = re.compile(
    r"(?<![\w/+.,-])"
    r"(?:\+\d{7,15}"  # E.164 without separators, e.g. tel:+14155550100
    r"|(?:\+\d{1,3}[ \u00a0.-]?)?"
    r"(?:\(\d{1,4}\)[ \u00a0.-]?)?"
    r"\d{1,4}(?:[ \u00a0.-]\d{2,4}){1,5})"
    r"(?![\w-]|[.,]\d)"
)
_DATE_LIKE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
# "120.000", "1 200 000", "120.000-150.000": amounts, not phones.
_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0.]\d{3})+(?: ?- ?\d{1,3}(?:[ \u00a0.]\d{3})+)?")

DESCRIPTION_FIELDS = ("description_html", "description_text")


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 15:
        return False
    if _DATE_LIKE.fullmatch(candidate) or _THOUSANDS.fullmatch(candidate):
        return False
    groups = len(re.findall(r"\d+", candidate))
    # A bare "2020-2024" or "555-0100" is too ambiguous; real numbers in postings
    # carry a +country code, an (area) code or at least three groups.
    return candidate.startswith(("+", "(")) or groups >= 3


def scrub_pii(text: str | None) -> str | None:
    """Replace e-mail addresses with `[email]` and phone numbers with `[phone]`."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub(lambda m: "[phone]" if _is_phone(m.group(0)) else m.group(0), text)


def missing_fields(item) -> list[str]:
    """Names of required fields that are None or blank."""
    out = []
    for name in type(item).REQUIRED:
        value = getattr(item, name, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            out.append(name)
    return out


class _PartitionPipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def partition(self):
        return self.crawler.spider.partition


class PiiScrubPipeline:
    """Scrub description fields before anything is stored (quarantine included)."""

    def process_item(self, item):
        for name in DESCRIPTION_FIELDS:
            if hasattr(item, name):
                setattr(item, name, scrub_pii(getattr(item, name)))
        return item


class ValidationPipeline(_PartitionPipeline):
    """Items missing required fields go to quarantine.jsonl with a reason, never silently away.

    A LostPosting (a listed posting the crawl could not read) always goes there,
    with the reason the spider gave.
    """

    def process_item(self, item):
        if isinstance(item, LostPosting):
            reason = item.reason or "posting could not be read (no reason given)"
            record = dataclasses.asdict(item)
        elif not isinstance(item, (PostingItem, OfferingItem)):
            reason = f"unexpected item type {type(item).__name__}"
            record = item if isinstance(item, dict) else {"repr": repr(item)}
        else:
            # A source entry may declare fields its payload never has (`optional_fields`,
            # e.g. description_html for a list-only replay); everything else stays required.
            option = getattr(self.crawler.spider, "option", None)
            optional = set(option("optional_fields", None) or ()) if callable(option) else set()
            missing = [f for f in missing_fields(item) if f not in optional]
            if not missing:
                return item
            reason = "missing required field(s): " + ", ".join(missing)
            record = dataclasses.asdict(item)
        self.partition.quarantine(record, reason, type(item).__name__)
        self.crawler.stats.inc_value("credwatch/quarantined")
        raise DropItem(f"quarantined: {reason}")


class JsonlWriterPipeline(_PartitionPipeline):
    """Append each item as one JSON line to items.jsonl in the partition being written."""

    def process_item(self, item):
        name = type(item).__name__
        self.partition.append_item(dataclasses.asdict(item), name)
        self.crawler.stats.inc_value(f"credwatch/item_count/{name}")
        return item

    def close_spider(self):
        self.partition.close_files()
