"""Hacker News "Ask HN: Who is hiring?" threads via the official Firebase API.

Requests (`{base}` = https://hacker-news.firebaseio.com):
1. `{base}/v0/user/{account}.json` (account `whoishiring` from config): its
   `submitted[]` item ids, newest first;
2. `{base}/v0/item/{id}.json` for those ids, one after another (at most
   `thread_lookback`), until the story titled "Ask HN: Who is hiring? (<Month>
   <Year>)" of the crawl week's month (the month of the ISO week's Thursday);
   the same account's "Who wants to be hired?" and "Freelancer?" threads are
   skipped by title;
3. `{base}/v0/item/{kid}.json` for every id in the thread's `kids[]`: the
   top-level comments, one job posting each (replies are discussion and are
   not fetched).
A comment that is `deleted` or `dead` is counted (`hackernews/removed_comments`)
and is not a posting; a comment whose request fails for good is quarantined.

Documented fields used (HackerNews/API README): user.submitted[], item.id, by,
time (Unix seconds), type, text (HTML), title, kids[], deleted, dead.
Inferred (community convention, not an API contract): the thread title format,
and the first line of a posting: `Company | Role | Location | REMOTE/ONSITE/HYBRID |
Full-time | Salary | URL`, pipe-separated, order after the role varying. Parsed
here as company = 1st field, title = 2nd field, location = the first later
field that is not a bare flag (REMOTE, ONSITE, HYBRID, VISA, INTERNS), a salary,
an employment type or a URL ("REMOTE (US)" is a location), remote/hybrid from
the words REMOTE/HYBRID anywhere in the line (ONSITE alone → neither), salary = the first field with a currency
sign or a `k` amount, employment type = a field naming full/part time,
contract or intern. A first line with fewer than two fields yields no title,
so the posting is quarantined instead of guessed. description_html is the
comment HTML with numeric entities (`&#x2F;`, `&#x27;`) decoded.
"""
from __future__ import annotations

import datetime as dt
import html
import re

from credwatch.weeks import parse_week
from scrapers.spiders.base import CredwatchSpider, html_to_text, iso_date, parse_salary_text

HIRING_TITLE = "Ask HN: Who is hiring?"
_NUMERIC_ENTITY = re.compile(r"&#(x[0-9a-fA-F]+|\d+);")
_SALARY_FIELD = re.compile(r"[$€£¥₹]|\b\d+(?:[.,]\d+)?\s*[kK]\b|\b(USD|EUR|GBP|CAD)\b")
_EMPLOYMENT = re.compile(r"\b(full[- ]?time|part[- ]?time|contract(or)?|intern(ship)?s?|freelance)\b", re.I)
_FLAG_ONLY = re.compile(r"^(remote|onsite|on-site|hybrid|visa|interns?)$", re.I)


def decode_numeric_entities(text: str) -> str:
    """`&#x2F;` → '/', `&#x27;` → "'"; markup-relevant characters (<, >, &) stay escaped."""
    def one(m: re.Match) -> str:
        char = html.unescape(m.group(0))
        return m.group(0) if char in "<>&" else char
    return _NUMERIC_ENTITY.sub(one, text)


def parse_first_line(text_html: str) -> dict:
    """company / title / location / remote / hybrid / salary / employment from a posting's first line."""
    first = re.split(r"(?i)<p>|<br\s*/?>|\n", text_html, maxsplit=1)[0]
    first = html.unescape(re.sub(r"<[^>]+>", "", first)).strip()
    fields = [f.strip() for f in first.split("|") if f.strip()]
    out: dict = {"company": fields[0] if fields else None, "title": fields[1] if len(fields) > 1 else None,
                 "location_raw": None, "remote": None, "hybrid": None, "salary_raw": None, "employment_type": None}
    upper = first.upper()
    if re.search(r"\bREMOTE\b", upper):
        out["remote"] = True
    if re.search(r"\bHYBRID\b", upper):
        out["hybrid"] = True
    for i, field in enumerate(fields[2:], start=2):
        if field.lower().startswith(("http://", "https://", "www.")):
            continue
        if out["salary_raw"] is None and _SALARY_FIELD.search(field):
            out["salary_raw"] = field
            continue
        if out["employment_type"] is None and _EMPLOYMENT.fullmatch(field.strip()):
            out["employment_type"] = field
            continue
        if out["location_raw"] is None and not _FLAG_ONLY.match(field):
            out["location_raw"] = field
    if out["location_raw"] is None and out["remote"]:
        out["location_raw"] = "Remote"
    return out


def month_of_week(week: str) -> dt.date:
    """First day of the month an ISO week belongs to (the month of its Thursday)."""
    thursday = parse_week(week) + dt.timedelta(days=3)
    return thursday.replace(day=1)


class HackerNewsSpider(CredwatchSpider):
    name = "hackernews"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        month = month_of_week(self.week)
        self.thread_title = f"{HIRING_TITLE} ({month.strftime('%B')} {month.year})"
        self.lookback = self.int_option("thread_lookback", 6)

    def item_url(self, item_id) -> str:
        return self.url(f"/v0/item/{int(item_id)}.json")

    def first_requests(self):
        account = str(self.option("account", "whoishiring"))
        yield self.request(self.url(f"/v0/user/{account}.json"), self.parse_user, expect_json=True)

    def parse_user(self, response):
        user = self.load_json(response)
        if user is None:
            return
        submitted = user.get("submitted") if isinstance(user, dict) else None
        if not isinstance(submitted, list):
            self.fail(response.url, "has no `submitted` list (not a Hacker News user)")
            return
        candidates = [i for i in submitted if isinstance(i, int)][: self.lookback]
        yield from self.next_candidate(response.url, candidates)

    def next_candidate(self, where: str, candidates: list[int]):
        if not candidates:
            self.fail(where, f"lists no story titled {self.thread_title!r} among the account's "
                             f"{self.lookback} latest submissions (thread_lookback)")
            return
        yield self.request(self.item_url(candidates[0]), self.parse_candidate, expect_json=True,
                           cb_kwargs={"rest": candidates[1:]})

    def parse_candidate(self, response, rest: list[int]):
        item = self.load_json(response, record=False)  # null / not JSON: not the thread, try the next
        title = str(item.get("title") or "") if isinstance(item, dict) else ""
        if not title.startswith(self.thread_title):
            yield from self.next_candidate(response.url, rest)
            return
        kids = [k for k in item.get("kids") or [] if isinstance(k, int)]
        self.count("hackernews/thread_comments", len(kids))
        for kid in kids:
            yield from self.queue_posting(self.comment_request, kid)

    def comment_request(self, kid: int):
        return self.posting_request(self.item_url(kid), self.parse_comment, source_id=kid,
                                    listed_url=f"https://news.ycombinator.com/item?id={kid}", expect_json=True)

    def parse_comment(self, response):
        item = self.load_json(response, record=False)
        if not isinstance(item, dict):
            yield self.lost(response.url, "comment is not a JSON object", status=response.status,
                            fetched_at=self.provenance(response)["fetched_at"])
            return
        if item.get("deleted") or item.get("dead"):
            self.count("hackernews/removed_comments")
            return
        text = decode_numeric_entities(str(item.get("text") or ""))
        first = parse_first_line(text)
        salary = parse_salary_text(first["salary_raw"]) if first["salary_raw"] else {}
        ident = item.get("id")
        yield self.posting(
            response,
            source_id=str(ident) if ident is not None else None,
            url=f"https://news.ycombinator.com/item?id={ident}",
            description_html=text or None,
            description_text=html_to_text(text.replace("<p>", "\n<p>")),
            date_posted=iso_date(item.get("time")),
            **first,
            **salary,
        )
