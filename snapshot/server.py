"""Loopback HTTP server for the offline snapshot web.

URL layout (see config/sources.yml): `/<ISO week>/<source name>/<the source's
real path>`, e.g.

    /2026-W30/greenhouse/v1/boards/northwind-cloud/jobs?content=true
    /2026-W30/greenhouse/v1/boards/northwind-cloud/jobs/4003420000?pay_transparency=true
    /2026-W30/lever/v0/postings/orbital-data?mode=json&skip=0&limit=100
    /2026-W30/lever/v0/postings/orbital-data/<uuid>
    /2026-W30/schemaorg/sitemap.xml
    /2026-W30/schemaorg/jobs/<id>.html
    /2026-W30/mslearn/api/catalog/?type=certifications,exams&locale=en-us
    /2026-W30/ashby/posting-api/job-board/lumenfield?includeCompensation=true
    /2026-W30/smartrecruiters/v1/companies/CrescentCare/postings?offset=0&limit=10
    /2026-W30/smartrecruiters/v1/companies/CrescentCare/postings/<id>
    /2026-W30/remotive/api/remote-jobs[?category=software-dev&limit=N]
    /2026-W30/usajobs/api/Search?Page=1&ResultsPerPage=25   (needs Authorization-Key + User-Agent)
    /2026-W30/hackernews/v0/user/whoishiring.json
    /2026-W30/hackernews/v0/item/<id>.json
    /2026-W30/schemaorg/bench/sitemap-<N>.xml, /2026-W30/schemaorg/bench/jobs/BENCH<i>.html
        (a sitemap of N generated job pages for benchmarks; not part of the planted truth)

`/robots.txt` allows everything; `/` lists the weeks served. Any other path,
or a week outside the snapshot's calendar, is a 404.

Usage in tests:

    with SnapshotServer() as server:
        urllib.request.urlopen(server.url + "/2026-W30/schemaorg/sitemap.xml")

or from a shell: `python -m snapshot.server --port 0` prints the base URL and
serves until SIGTERM / SIGINT. Replay mode (`--replay DIR [--every N]`,
snapshot/replay.py) serves the real Greenhouse board history week by week
under the same URL layout instead of the generated snapshot.

Fault injection: `faults` maps a path prefix to a `Fault` that is consulted
before a request is served (the longest matching prefix wins), so tests can
make one source slow, flaky or broken without touching the generator.
snapshot/faults.py builds one Fault per documented fault mode (500s, 429
with Retry-After, slow, truncated JSON, invalid UTF-8, oversized body,
redirect loop, robots.txt disallow, repeated page, unknown board, JSON-LD
that is not a JobPosting).

Bookkeeping for tests: `requests` logs every request (monotonic time, path
with query, status, whether a fault answered), and `listed` collects, per
(week, source), the ids of the postings each real list response carried
(board, page, search result, sitemap, thread): what the source "served".
"""
from __future__ import annotations

import argparse
import json
import re
from collections import deque
import signal
import socket
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from snapshot import render
from snapshot.generator import Snapshot

JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
ROBOTS = "User-agent: *\nAllow: /\n"

_WEEK_RE = re.compile(r"^\d{4}-W\d{2}$")
_GH_JOBS = re.compile(r"^v1/boards/([^/]+)/jobs/?$")
_GH_JOB = re.compile(r"^v1/boards/([^/]+)/jobs/(\d+)/?$")
_LEVER_LIST = re.compile(r"^v0/postings/([^/]+)/?$")
_LEVER_ONE = re.compile(r"^v0/postings/([^/]+)/([0-9a-fA-F-]{36})/?$")
_SCHEMA_PAGE = re.compile(r"^jobs/([A-Za-z0-9_-]+)\.html$")
_MSLEARN = re.compile(r"^api/catalog/?$")
_ASHBY = re.compile(r"^posting-api/job-board/([^/]+)/?$")
_SR_LIST = re.compile(r"^v1/companies/([^/]+)/postings/?$")
_SR_ONE = re.compile(r"^v1/companies/([^/]+)/postings/([^/]+)/?$")
_REMOTIVE = re.compile(r"^api/remote-jobs/?$")
_USAJOBS = re.compile(r"^api/search/?$", re.I)
_HN_USER = re.compile(r"^v0/user/([^/]+)\.json$")
_HN_ITEM = re.compile(r"^v0/item/(\d+)\.json$")
_BENCH_SITEMAP = re.compile(r"^bench/sitemap-(\d+)\.xml$")
_BENCH_PAGE = re.compile(r"^bench/jobs/BENCH(\d+)\.html$")
# Training-provider catalogs (snapshot/catalogs.py).
_COURSERA = re.compile(r"^api/(courses\.v1|onDemandSpecializations\.v1)/?$")
_CREDLY = re.compile(r"^organizations/([^/]+)/badges\.json$")
_COURSES_SITEMAP = re.compile(r"^sitemaps/([a-z0-9-]+)\.xml$")
_COURSE_PAGE = re.compile(r"^([a-z0-9-]+)/courses/([A-Za-z0-9_-]+)\.html$")


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    listed: tuple = ()  # (source, ids of the postings this list response carries)


@dataclass
class Fault:
    """A scripted misbehaviour for requests under one path prefix.

    - `delay`: seconds to wait before answering (a slow source);
    - `status`/`body`/`content_type`/`headers`: the answer to give instead
      of the real one (e.g. 429 with Retry-After, 503, a truncated body);
    - `passthrough=True`: after the delay, serve the real response;
    - `transform`: serve the real response with its body passed through
      this function (truncate it, corrupt its UTF-8, pad it, ...);
    - `times`: how many requests it affects (None = every request).
    """

    status: int = 503
    body: bytes = b""
    content_type: str = TEXT
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    passthrough: bool = False
    times: int | None = None
    transform: Callable[[bytes], bytes] | None = None


class _LRU:
    """A small thread-safe LRU of rendered responses keyed by request."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[tuple, Response] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Response | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple, value: Response) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class SnapshotServer:
    """Serves a Snapshot over HTTP on a loopback port, in a daemon thread.

    `start()` returns the base URL (`http://127.0.0.1:<port>`); `stop()` shuts
    the server down, closes open connections and the listening socket. Usable
    as a context manager (`with SnapshotServer() as s: s.url`).
    """

    def __init__(self, snapshot: Snapshot | None = None, host: str = "127.0.0.1", port: int = 0,
                 faults: dict[str, Fault] | None = None, cache_size: int = 1024):
        self.snapshot = snapshot if snapshot is not None else Snapshot()
        self.host, self.port = host, port
        self.faults: dict[str, Fault] = faults if faults is not None else {}
        self.url = ""
        self.requests: deque[tuple[float, str, int, bool]] = deque(maxlen=200_000)
        self.listed: dict[tuple[str, str], set[str]] = {}
        self._cache = _LRU(cache_size)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> str:
        if self._httpd is not None:
            return self.url
        httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        httpd.daemon_threads = True
        httpd.owner = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"snapshot-server-{self.port}", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:  # idle keep-alive connections would otherwise linger
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "SnapshotServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ routing

    def record_listed(self, target: str, listed: tuple) -> None:
        """Remember the posting ids a real list response carried (see `listed`)."""
        week = urlsplit(target).path.lstrip("/").split("/", 1)[0]
        source, ids = listed
        with self._lock:
            self.listed.setdefault((week, source), set()).update(ids)

    def requested(self, fragment: str) -> list[tuple[float, str, int, bool]]:
        """Logged requests whose path (with query) contains `fragment`."""
        with self._lock:
            return [r for r in self.requests if fragment in r[1]]

    def fault_for(self, path: str) -> Fault | None:
        """The fault of the longest prefix matching `path`, consuming one use of it."""
        with self._lock:
            for prefix in sorted(self.faults, key=len, reverse=True):
                if path.startswith(prefix):
                    fault = self.faults[prefix]
                    if fault.times is not None:
                        if fault.times <= 0:
                            continue
                        fault.times -= 1
                    return fault
        return None

    def respond(self, target: str) -> Response:
        """The response to GET `target` (path + query), without HTTP; cached per request."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if path == "/robots.txt":
            return Response(200, TEXT, ROBOTS.encode())
        if path == "/":
            index = {"weeks": list(self.snapshot.weeks), "sources": ["greenhouse", "lever", "schemaorg", "ashby", "smartrecruiters", "remotive", "usajobs", "hackernews", "mslearn", "coursera", "credly", "courses"]}
            return Response(200, JSON, json.dumps(index).encode())
        segments = path.lstrip("/").split("/", 2)
        if len(segments) < 3 or not _WEEK_RE.match(segments[0]) or segments[0] not in self.snapshot.weeks:
            return _not_found(path)
        week, source, rest = segments
        key = self._cache_key(source, rest, query)
        if key is None:
            return _not_found(path)
        cached = self._cache.get((week, *key))
        if cached is None:
            cached = self._render(week, key)
            self._cache.put((week, *key), cached)
        return cached

    def _cache_key(self, source: str, rest: str, q: dict[str, list[str]]) -> tuple | None:
        """The request reduced to what changes the answer (None = no such route)."""
        def one(name: str) -> str | None:
            return q[name][-1] if name in q else None

        if source == "greenhouse":
            if m := _GH_JOBS.match(rest):
                return ("gh_jobs", m.group(1), (one("content") or "").lower() == "true")
            if m := _GH_JOB.match(rest):
                return ("gh_job", m.group(1), m.group(2), (one("pay_transparency") or "").lower() == "true")
        elif source == "lever":
            if (m := _LEVER_LIST.match(rest)) or (m := _LEVER_ONE.match(rest)):
                mode = one("mode") or "json"
                if len(m.groups()) == 2:
                    return ("lever_one", m.group(1), m.group(2).lower(), mode)
                return ("lever_list", m.group(1), one("skip"), one("limit"), mode)
        elif source == "schemaorg":
            if rest in self.snapshot.boards["schemaorg"]:
                return ("sitemap", rest)
            if m := _BENCH_SITEMAP.match(rest):
                return ("bench_sitemap", int(m.group(1)))
            if m := _BENCH_PAGE.match(rest):
                return ("bench_page", int(m.group(1)))
            if m := _SCHEMA_PAGE.match(rest):
                return ("page", m.group(1))
        elif source == "coursera":
            if m := _COURSERA.match(rest):
                return ("coursera", m.group(1), one("start"), one("limit"), one("includes"))
        elif source == "credly":
            if m := _CREDLY.match(rest):
                return ("credly", m.group(1), one("page"), one("per"))
        elif source == "courses":
            if rest == "sitemap_index.xml":
                return ("courses_index",)
            if m := _COURSES_SITEMAP.match(rest):
                return ("courses_sitemap", m.group(1))
            if m := _COURSE_PAGE.match(rest):
                return ("course_page", m.group(1), m.group(2))
        elif source in ("ashby", "smartrecruiters", "remotive", "usajobs", "hackernews"):
            return _job_source_key(source, rest, one)
        elif source == "mslearn":
            if _MSLEARN.match(rest):
                types = tuple(t.strip() for v in q.get("type", []) for t in v.split(",") if t.strip())
                uids = tuple(t.strip() for v in q.get("uid", []) for t in v.split(",") if t.strip())
                return ("mslearn", types, (one("locale") or "en-us").lower(), uids)
        return None

    def _render(self, week: str, key: tuple) -> Response:
        snap, kind = self.snapshot, key[0]
        if kind == "gh_jobs":
            status, body = snap.greenhouse_jobs(week, key[1], content=key[2])
            listed = ("greenhouse", tuple(str(p.posting_id) for p in snap.active_postings("greenhouse", week, key[1])))
            return Response(status, JSON, body.encode(), listed=listed if status == 200 else ())
        if kind == "gh_job":
            status, body = snap.greenhouse_job(week, key[1], key[2], pay_transparency=key[3])
            return Response(status, JSON, body.encode())
        if kind in ("lever_list", "lever_one"):
            mode = key[-1]
            if mode != "json":
                return Response(400, JSON, json.dumps({"ok": False, "error": f"mode={mode} is not served by the snapshot; use mode=json"}).encode())
            if kind == "lever_one":
                status, body = snap.lever_posting(week, key[1], key[2])
                return Response(status, JSON, body.encode())
            try:
                skip = int(key[2]) if key[2] not in (None, "") else None
                limit = int(key[3]) if key[3] not in (None, "") else None
            except ValueError:
                return Response(400, JSON, json.dumps({"ok": False, "error": "skip and limit must be integers"}).encode())
            status, body = snap.lever_postings(week, key[1], skip, limit)
            listed = ("lever", tuple(p["id"] for p in json.loads(body))) if status == 200 else ()
            return Response(status, JSON, body.encode(), listed=listed)
        if kind == "sitemap":
            status, body = snap.schemaorg_sitemap(week, key[1], f"{self.url}/{week}/schemaorg")
            listed = ("schemaorg", tuple(str(p.posting_id) for p in snap.active_postings("schemaorg", week, key[1])))
            return Response(status, XML if status == 200 else HTML, body.encode(), listed=listed if status == 200 else ())
        if kind == "page":
            status, body = snap.schemaorg_page(week, key[1])
            return Response(status, HTML, body.encode())
        if kind in ("coursera", "credly", "courses_index", "courses_sitemap", "course_page"):
            return _render_catalog(week, key, f"{self.url}/{week}")
        if kind in _JOB_SOURCE_KINDS or kind in ("bench_sitemap", "bench_page"):
            return _render_job_source(snap, week, key, f"{self.url}/{week}")
        if kind == "mslearn":
            status, body = snap.mslearn_catalog(week, list(key[1]) or None, key[2], list(key[3]) or None)
            return Response(status, JSON, body.encode())
        raise AssertionError(f"unhandled route {kind}")


def _render_catalog(week: str, key: tuple, base: str) -> Response:
    """Coursera / Credly / schema.org course catalogs (snapshot/catalogs.py)."""
    from snapshot import catalogs

    kind = key[0]
    if kind == "coursera":
        status, body = catalogs.coursera_response(week, key[1], key[2], key[3], key[4])
        return Response(status, JSON, body.encode())
    if kind == "credly":
        status, body = catalogs.credly_response(week, key[1], key[2], key[3], "https://www.credly.com")
        return Response(status, JSON, body.encode())
    if kind == "courses_index":
        status, body = catalogs.courses_sitemap_index(week, f"{base}/courses")
        return Response(status, XML, body.encode())
    if kind == "courses_sitemap":
        status, body = catalogs.courses_sitemap(week, key[1], f"{base}/courses")
        return Response(status, XML if status == 200 else HTML, body.encode())
    status, body = catalogs.course_page(week, key[1], key[2])
    return Response(status, HTML, body.encode())


_JOB_SOURCE_KINDS = ("ashby", "sr_list", "sr_one", "remotive", "usajobs", "hn_user", "hn_item")


def _job_source_key(source: str, rest: str, one) -> tuple | None:
    """Cache keys of the job sources added after the first three (see the URL layout above)."""
    if source == "ashby" and (m := _ASHBY.match(rest)):
        return ("ashby", m.group(1), (one("includeCompensation") or "").lower() == "true")
    if source == "smartrecruiters":
        if m := _SR_LIST.match(rest):
            return ("sr_list", m.group(1), one("offset"), one("limit"))
        if m := _SR_ONE.match(rest):
            return ("sr_one", m.group(1), m.group(2))
    if source == "remotive" and _REMOTIVE.match(rest):
        return ("remotive", one("category"), one("company_name"), one("search"), one("limit"))
    if source == "usajobs" and _USAJOBS.match(rest):
        return ("usajobs", one("Page"), one("ResultsPerPage"))
    if source == "hackernews":
        if m := _HN_USER.match(rest):
            return ("hn_user", m.group(1))
        if m := _HN_ITEM.match(rest):
            return ("hn_item", int(m.group(1)))
    return None


def _int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _render_job_source(snap: Snapshot, week: str, key: tuple, base: str) -> Response:
    kind = key[0]
    if kind == "ashby":
        status, body = snap.ashby_board(week, key[1], compensation=key[2])
        ids = tuple(p.posting_id for p in snap.active_postings("ashby", week, key[1])) if status == 200 else None
        return Response(status, JSON, body.encode(), listed=("ashby", ids) if ids is not None else ())
    if kind == "sr_list":
        status, body = snap.smartrecruiters_postings(week, key[1], _int_param(key[2], 0), _int_param(key[3], 10))
        ids = tuple(str(p["id"]) for p in json.loads(body)["content"]) if status == 200 else None
        return Response(status, JSON, body.encode(), listed=("smartrecruiters", ids) if ids is not None else ())
    if kind == "sr_one":
        status, body = snap.smartrecruiters_posting(week, key[1], key[2])
        return Response(status, JSON, body.encode())
    if kind == "remotive":
        status, body = snap.remotive_jobs(week, key[1], key[2], key[3], _int_param(key[4], None))
        ids = tuple(str(j["id"]) for j in json.loads(body)["jobs"]) if status == 200 else None
        return Response(status, JSON, body.encode(), listed=("remotive", ids) if ids is not None else ())
    if kind == "usajobs":
        status, body = snap.usajobs_search(week, _int_param(key[1], 1), _int_param(key[2], 250))
        ids = (tuple(i["MatchedObjectId"] for i in json.loads(body)["SearchResult"]["SearchResultItems"])
               if status == 200 else None)
        return Response(status, JSON, body.encode(), listed=("usajobs", ids) if ids is not None else ())
    if kind == "hn_user":
        status, body = snap.hn_user(week, key[1])
        return Response(status, JSON, body.encode())
    if kind == "hn_item":
        status, body = snap.hn_item(week, key[1])
        item = json.loads(body)
        listed = ()
        if isinstance(item, dict) and item.get("type") == "story" and item.get("kids"):
            listed = ("hackernews", tuple(str(k) for k in item["kids"]))
        return Response(status, JSON, body.encode(), listed=listed)
    if kind == "bench_sitemap":
        status, body = snap.bench_sitemap(key[1], f"{base}/schemaorg/bench")
        return Response(status, XML, body.encode())
    if kind == "bench_page":
        status, body = snap.bench_page(week, key[1])
        return Response(status, HTML, body.encode())
    raise AssertionError(f"unhandled route {kind}")


def _auth_problem(target: str, headers) -> Response | None:
    """USAJOBS answers 401 without an Authorization-Key and an e-mail as User-Agent."""
    parts = urlsplit(target).path.lstrip("/").split("/", 2)
    if len(parts) == 3 and parts[1] == "usajobs":
        if not (headers.get("Authorization-Key") or "").strip() or "@" not in (headers.get("User-Agent") or ""):
            return Response(401, JSON, render.USAJOBS_UNAUTHORIZED.encode())
    return None


def _not_found(path: str) -> Response:
    return Response(404, TEXT, f"404 Not Found: {path}\n".encode())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a crawl reuses connections
    server_version = "credwatch-snapshot/1"
    sys_version = ""
    timeout = 30  # seconds an idle keep-alive connection may stay open

    def setup(self) -> None:
        super().setup()
        owner: SnapshotServer = self.server.owner  # type: ignore[attr-defined]
        with owner._lock:
            owner._conns.add(self.connection)

    def finish(self) -> None:
        owner: SnapshotServer = self.server.owner  # type: ignore[attr-defined]
        with owner._lock:
            owner._conns.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError, OSError):
            pass  # client went away: not the server's problem, keep stderr quiet

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        owner: SnapshotServer = self.server.owner  # type: ignore[attr-defined]
        fault = owner.fault_for(urlsplit(self.path).path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and not fault.passthrough and fault.transform is None:
            resp = Response(fault.status, fault.content_type, fault.body, tuple(fault.headers.items()))
        elif (denied := _auth_problem(self.path, self.headers)) is not None:
            resp = denied
        else:
            try:
                resp = owner.respond(self.path)
            except Exception as exc:  # a generator bug must not kill the crawl silently
                resp = Response(500, TEXT, f"500 snapshot error: {type(exc).__name__}: {exc}\n".encode())
            if fault is not None and fault.transform is not None:
                body = fault.transform(resp.body)
                # a transformed list no longer says reliably what it lists: only unchanged ones count
                resp = Response(resp.status, resp.content_type, body, resp.headers,
                                listed=resp.listed if body == resp.body else ())
            if resp.listed and send_body:
                owner.record_listed(self.path, resp.listed)
        owner.requests.append((time.monotonic(), self.path, resp.status, fault is not None))
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(resp.body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the credwatch offline snapshot web on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout)")
    parser.add_argument("--seed", type=int, default=None, help="generator seed (default: snapshot.planted.SEED)")
    parser.add_argument("--replay", metavar="DIR", default=None,
                        help="replay mode: serve the real Greenhouse history in DIR (snapshot/replay.py) instead of the generator")
    parser.add_argument("--every", type=int, default=1, help="replay mode: every N-th board only (default: all)")
    args = parser.parse_args(argv)
    if args.replay:
        from snapshot.replay import GreenhouseHistory, GreenhouseReplay, ReplayServer

        server = ReplayServer(GreenhouseReplay(GreenhouseHistory(args.replay, every=args.every)), host=args.host, port=args.port)
    else:
        snapshot = Snapshot() if args.seed is None else Snapshot(seed=args.seed)
        server = SnapshotServer(snapshot, host=args.host, port=args.port)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    print(server.start(), flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
