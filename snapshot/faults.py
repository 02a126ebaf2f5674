"""One `Fault` per fault mode the scrapers must survive, for `SnapshotServer.faults`.

Usage (tests/test_scraper_faults.py):

    server.faults[f"/{week}/greenhouse/v1/boards/northwind-cloud/"] = faults.http_500(times=2)
    server.faults["/robots.txt"] = faults.robots_disallow(f"/{week}/schemaorg/jobs/JR0001.html")

A fault applies to every request whose path starts with its prefix (the
longest prefix wins; queries are not part of the path); `times` limits how
many requests it answers. Modes:

| function              | what the server does                                                  |
|-----------------------|-----------------------------------------------------------------------|
| http_500              | answers 500                                                           |
| rate_limited          | answers 429 with `Retry-After: <seconds>`                             |
| slow                  | waits `delay` seconds, then serves the real response (past a timeout) |
| truncated_json        | serves the real body cut at a fraction of its length                  |
| invalid_utf8          | serves the real body with the first `title` value's first byte replaced by 0xFF |
| oversized             | serves the real body padded with whitespace to `size` bytes           |
| redirect_loop         | answers 302 to the same URL, forever                                  |
| robots_disallow       | (at /robots.txt) disallows the given paths for every user agent       |
| repeated_page         | serves the previous list page again once, instead of the next one     |
| unknown_board         | answers 404 with the source's not-found body                          |
| not_a_jobposting      | replaces a job page's JSON-LD JobPosting with a BreadcrumbList        |
"""
from __future__ import annotations

import json
import re
import threading

from snapshot import render
from snapshot.server import HTML, JSON, TEXT, Fault

NOT_FOUND_BODIES = {
    "greenhouse": render.GREENHOUSE_NOT_FOUND, "lever": render.LEVER_NOT_FOUND, "ashby": render.ASHBY_NOT_FOUND,
    "smartrecruiters": render.SMARTRECRUITERS_NOT_FOUND,
}


def http_500(times: int | None = None) -> Fault:
    return Fault(status=500, body=b"500 Internal Server Error (injected)\n", times=times)


def rate_limited(retry_after_s: int = 1, times: int | None = 1) -> Fault:
    return Fault(status=429, headers={"Retry-After": str(retry_after_s)}, body=b"429 Too Many Requests\n",
                 times=times)


def slow(delay_s: float, times: int | None = 1) -> Fault:
    return Fault(delay=delay_s, passthrough=True, times=times)


def truncated_json(keep: float = 0.5, times: int | None = None) -> Fault:
    return Fault(transform=lambda body: body[: max(1, int(len(body) * keep))], times=times)


def _corrupt_utf8(field: bytes):
    def transform(body: bytes) -> bytes:
        """One 0xFF byte in place of the first character of the first `field` string value."""
        m = re.search(rb'"' + re.escape(field) + rb'":\s*"([^"\\])', body)
        if m is None:
            return body + b"\xff"
        i = m.start(1)
        return body[:i] + b"\xff" + body[i + 1:]
    return transform


def invalid_utf8(field: str = "title", times: int | None = None) -> Fault:
    """The real body with the first character of the first `field` value replaced by the byte 0xFF."""
    return Fault(transform=_corrupt_utf8(field.encode()), times=times)


def oversized(size: int, times: int | None = None) -> Fault:
    """The real body followed by whitespace up to `size` bytes (still valid JSON / HTML)."""
    return Fault(transform=lambda body: body + b" " * max(0, size - len(body)), times=times)


def redirect_loop(path: str) -> Fault:
    """302 back to `path` itself: a client following redirects never gets an answer."""
    return Fault(status=302, headers={"Location": path}, body=b"", content_type=TEXT)


def robots_disallow(*paths: str) -> Fault:
    """A robots.txt (register it under "/robots.txt") disallowing `paths` for every user agent."""
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in paths), "Allow: /", ""]
    return Fault(status=200, content_type=TEXT, body="\n".join(lines).encode())


class _RepeatPage:
    """Transform: the first list page passes; the next one is answered with the previous page."""

    def __init__(self, marker: bytes):
        self.marker = marker
        self.previous: bytes | None = None
        self.repeated = False
        self.lock = threading.Lock()

    def __call__(self, body: bytes) -> bytes:
        if self.marker not in body:  # not a list page (a detail under the same prefix)
            return body
        with self.lock:
            if self.previous is not None and not self.repeated:
                self.repeated = True
                return self.previous
            self.previous = body
            return body


def repeated_page(marker: bytes = b'"totalFound"') -> Fault:
    """Pagination that repeats a page once: page 2 comes back with page 1's content.

    `marker` tells list pages from other responses under the same path prefix
    (default: SmartRecruiters' `totalFound`; use b'"SearchResultCountAll"' for USAJOBS).
    """
    return Fault(transform=_RepeatPage(marker))


def unknown_board(source: str) -> Fault:
    """404 with the body the source sends for a board / company it does not know."""
    return Fault(status=404, content_type=JSON, body=NOT_FOUND_BODIES[source].encode())


_JSONLD = re.compile(rb'(<script type="application/ld\+json">).*?(</script>)', re.S)
BREADCRUMBS = json.dumps({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
    {"@type": "ListItem", "position": 1, "name": "Careers", "item": "https://careers.example-employer.com/"},
    {"@type": "ListItem", "position": 2, "name": "Jobs"}]}).encode()


def not_a_jobposting(times: int | None = None) -> Fault:
    """A job page whose JSON-LD block is a BreadcrumbList, not a JobPosting."""
    return Fault(transform=lambda body: _JSONLD.sub(lambda m: m.group(1) + BREADCRUMBS + m.group(2), body),
                 content_type=HTML, times=times)
