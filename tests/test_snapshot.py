"""The offline snapshot web: determinism, source formats, planted truths, server."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hashlib  # noqa: E402
import html  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402

from credwatch.weeks import shift, week_range  # noqa: E402
from snapshot import content, mslearn, render  # noqa: E402
from snapshot.generator import JOB_SOURCES, Snapshot  # noqa: E402
from snapshot.planted import (  # noqa: E402
    CALENDAR,
    PERK_CREDENTIAL,
    PLANTED,
    SEED,
    demand_probability,
    premium,
)
from snapshot.server import Fault, SnapshotServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WEEK = CALENDAR[3]


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return Snapshot()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- planted


def test_planted_curves():
    assert len(CALENDAR) == 16 and CALENDAR[0] == "2026-W27" and CALENDAR[-1] == "2026-W42"
    assert demand_probability("aws-saa", CALENDAR[0]) == pytest.approx(0.02)
    assert demand_probability("aws-saa", CALENDAR[-1]) == pytest.approx(0.08)
    assert demand_probability("aws-saa", shift(CALENDAR[0], -3)) == pytest.approx(0.02)
    assert demand_probability("pmp", shift(CALENDAR[-1], 5)) == pytest.approx(0.02)
    assert demand_probability("comptia-security-plus", WEEK) == pytest.approx(0.05)
    assert demand_probability("google-data-analytics", CALENDAR[-1]) == pytest.approx(0.09)
    assert premium("aws-saa", WEEK) == pytest.approx(0.15)
    assert premium("google-data-analytics", CALENDAR[0]) == pytest.approx(0.10)
    assert premium("google-data-analytics", CALENDAR[-1]) == pytest.approx(0.0)
    assert premium("cissp", WEEK) == 0.0


# --------------------------------------------------------------------------- determinism


def test_two_instances_render_identical_bytes(snap):
    other = Snapshot(seed=SEED)
    board = snap.boards["greenhouse"][0]
    a = snap.greenhouse_jobs(WEEK, board, content=True)[1]
    b = other.greenhouse_jobs(WEEK, board, content=True)[1]
    assert _sha(a) == _sha(b)
    site = snap.boards["lever"][0]
    assert _sha(snap.lever_postings(WEEK, site)[1]) == _sha(other.lever_postings(WEEK, site)[1])
    page = snap.active_postings("schemaorg", WEEK)[0].posting_id
    assert snap.schemaorg_page(WEEK, page) == other.schemaorg_page(WEEK, page)


def test_other_seed_differs(snap):
    board = snap.boards["greenhouse"][0]
    assert snap.greenhouse_jobs(WEEK, board, True)[1] != Snapshot(seed=SEED + 1).greenhouse_jobs(WEEK, board, True)[1]


def test_renders_identical_across_processes(snap):
    board = snap.boards["greenhouse"][0]
    code = (
        "import sys, hashlib; sys.path.insert(0, sys.argv[1]);"
        "from snapshot.generator import Snapshot;"
        f"print(hashlib.sha256(Snapshot().greenhouse_jobs({WEEK!r}, {board!r}, True)[1].encode()).hexdigest())"
    )
    digests = set()
    for hashseed in ("1", "2"):  # a different str-hash salt per process must not matter
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, env=env,
                             cwd=ROOT, check=True)
        digests.add(out.stdout.strip())
    assert digests == {_sha(snap.greenhouse_jobs(WEEK, board, True)[1])}


def test_posting_is_identical_in_every_week_it_is_active(snap):
    board = snap.boards["greenhouse"][0]
    long_lived = [p for p in snap.postings_created(CALENDAR[2]) if p.board == board and p.lifetime == 4]
    assert long_lived
    p = long_lived[0]
    seen = []
    for week in week_range(shift(p.created_week, -1), shift(p.created_week, 4)):
        jobs = json.loads(snap.greenhouse_jobs(week, board, True)[1])["jobs"]
        seen.append(next((j for j in jobs if j["id"] == p.posting_id), None))
    assert seen[0] is None and seen[-1] is None
    assert all(j == seen[1] for j in seen[1:-1])


def test_counts_and_lifetimes(snap):
    week = CALENDAR[0]
    created = snap.postings_created(week)
    by_source = {s: sum(1 for p in created if p.source == s) for s in JOB_SOURCES}
    assert by_source == {"greenhouse": 15 * len(snap.boards["greenhouse"]), "lever": 15 * len(snap.boards["lever"]),
                         "schemaorg": 25, "ashby": 12 * len(snap.boards["ashby"]),
                         "smartrecruiters": 12 * len(snap.boards["smartrecruiters"]), "remotive": 12,
                         "usajobs": 10, "hackernews": 5}
    assert sum(by_source.values()) == 175  # the demo's weekly volume stays what it was with three sources
    assert {p.lifetime for p in created if p.source != "hackernews"} == {1, 2, 3, 4}
    # The first calendar week already holds postings created in the warm-up weeks.
    active = snap.active_postings("greenhouse", week)
    assert {p.created_week for p in active} == set(week_range(shift(week, -3), week))
    for p in active:
        assert p.created_week <= week <= shift(p.created_week, p.lifetime - 1)
    ids = [p.posting_id for p in snap.all_postings()]
    assert len(ids) == len(set(ids))


def test_every_source_renders_a_week_from_a_fresh_snapshot():
    """A new Snapshot renders every endpoint of one week (no wall-time assert: the
    crawl benchmark, benchmarks/crawl.py, measures speed)."""
    fresh = Snapshot()
    week = CALENDAR[5]
    answers = [fresh.greenhouse_jobs(week, b, True) for b in fresh.boards["greenhouse"]]
    answers += [fresh.lever_postings(week, s) for s in fresh.boards["lever"]]
    answers.append(fresh.schemaorg_sitemap(week, fresh.boards["schemaorg"][0], "http://127.0.0.1:1/x"))
    answers += [fresh.schemaorg_page(week, p.posting_id) for p in fresh.active_postings("schemaorg", week)]
    answers += [fresh.ashby_board(week, b, True) for b in fresh.boards["ashby"]]
    answers += [fresh.smartrecruiters_postings(week, c, 0, 100) for c in fresh.boards["smartrecruiters"]]
    answers += [fresh.smartrecruiters_posting(week, p.board, p.posting_id)
                for p in fresh.active_postings("smartrecruiters", week)]
    answers += [fresh.remotive_jobs(week), fresh.usajobs_search(week, 1, 500), fresh.hn_user(week, "whoishiring")]
    answers += [fresh.hn_item(week, p.posting_id) for p in fresh.active_postings("hackernews", week)]
    answers.append(fresh.mslearn_catalog(week))
    assert all(status == 200 and body and body != "null" for status, body in answers)


# --------------------------------------------------------------------------- formats


def test_greenhouse_format(snap):
    board = snap.boards["greenhouse"][0]
    status, body = snap.greenhouse_jobs(WEEK, board, content=True)
    data = json.loads(body)
    assert status == 200 and data["meta"]["total"] == len(data["jobs"]) > 0
    for job in data["jobs"]:
        for key in ("id", "internal_job_id", "title", "updated_at", "requisition_id", "location", "absolute_url",
                    "language", "metadata", "content", "departments", "offices", "first_published", "company_name"):
            assert key in job, key
        assert isinstance(job["id"], int) and "name" in job["location"]
        assert "<" not in job["content"] and "&lt;" in job["content"]  # entity-escaped once
        assert html.unescape(job["content"]).startswith("<")
        assert "&lt;" not in html.unescape(job["content"])
        assert "location" in job["offices"][0]
    bare = json.loads(snap.greenhouse_jobs(WEEK, board, content=False)[1])
    assert [j["id"] for j in bare["jobs"]] == [j["id"] for j in data["jobs"]]
    assert not {"content", "departments", "offices"} & set(bare["jobs"][0])
    status, body = snap.greenhouse_jobs(WEEK, "no-such-board")
    assert status == 404 and json.loads(body) == {"status": 404, "error": "Job board not found"}


def test_lever_format_and_paging(snap):
    site = snap.boards["lever"][0]
    status, body = snap.lever_postings(WEEK, site)
    everything = json.loads(body)
    assert status == 200 and isinstance(everything, list) and everything
    for post in everything:
        for key in ("id", "text", "hostedUrl", "applyUrl", "createdAt", "categories", "country", "workplaceType",
                    "opening", "openingPlain", "description", "descriptionPlain", "descriptionBody",
                    "descriptionBodyPlain", "lists", "additional", "additionalPlain"):
            assert key in post, key
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", post["id"])
        assert set(post["categories"]) >= {"team", "department", "location", "commitment", "allLocations"}
        assert post["workplaceType"] in {"remote", "hybrid", "on-site"}
        assert all(set(item) == {"text", "content"} and item["content"].startswith("<li>") for item in post["lists"])
        if "salaryRange" in post:
            assert post["salaryRange"]["interval"] in {"per-year-salary", "per-hour-wage"}
            assert post["salaryRange"]["min"] <= post["salaryRange"]["max"]
    pages, skip = [], 0
    while True:
        page = json.loads(snap.lever_postings(WEEK, site, skip=skip, limit=7)[1])
        if not page:
            break
        pages.append([p["id"] for p in page])
        skip += 7
    flat = [i for page in pages for i in page]
    assert len(flat) == len(set(flat)) and flat == [p["id"] for p in everything]
    status, body = snap.lever_postings(WEEK, "no-such-site")
    assert status == 404 and json.loads(body)["ok"] is False
    # ~60 % of postings carry a structured salary range
    posts = [json.loads(snap.lever_postings(w, s)[1]) for w in CALENDAR for s in snap.boards["lever"]]
    share = sum("salaryRange" in p for ps in posts for p in ps) / sum(len(ps) for ps in posts)
    assert 0.45 < share < 0.75


def _jobpostings(doc: object) -> list[dict]:
    nodes = doc if isinstance(doc, list) else doc.get("@graph", [doc])
    out = []
    for node in nodes:
        types = node.get("@type")
        types = types if isinstance(types, list) else [types]
        if "JobPosting" in types:
            out.append(node)
    return out


def test_schemaorg_sitemap_and_pages(snap):
    name = snap.boards["schemaorg"][0]
    status, body = snap.schemaorg_sitemap(WEEK, name, "http://127.0.0.1:9/" + WEEK + "/schemaorg")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.fromstring(body).findall("s:url", ns)
    active = snap.active_postings("schemaorg", WEEK)
    assert status == 200 and len(urls) == len(active)
    assert all(u.find("s:lastmod", ns) is not None for u in urls)
    shapes, array_types = set(), False
    for p in active:
        status, page = snap.schemaorg_page(WEEK, p.posting_id)
        assert status == 200
        raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
        doc = json.loads(raw)
        shapes.add("array" if isinstance(doc, list) else "graph" if "@graph" in doc else "object")
        jobs = _jobpostings(doc)
        assert len(jobs) == 1
        job = jobs[0]
        array_types |= isinstance(job["@type"], list)
        for key in ("title", "description", "datePosted", "validThrough", "employmentType", "hiringOrganization",
                    "identifier"):
            assert key in job, key
        assert ("jobLocation" in job) != (job.get("jobLocationType") == "TELECOMMUTE")
        if "baseSalary" in job:
            assert job["baseSalary"]["value"]["unitText"] in {"YEAR", "HOUR"}
        assert p.title in page and p.company in page
    assert shapes == {"object", "graph", "array"} and array_types
    gone = next(p for p in snap.postings_created(CALENDAR[0]) if p.source == "schemaorg" and p.lifetime == 1)
    assert snap.schemaorg_page(CALENDAR[1], gone.posting_id)[0] == 404


def test_mslearn_catalog(snap):
    types = ["certifications", "exams", "courses", "appliedSkills"]
    first = json.loads(snap.mslearn_catalog(CALENDAR[0], types)[1])
    last = json.loads(snap.mslearn_catalog(CALENDAR[-1], types)[1])
    assert sorted(first) == sorted(types)
    for cert in first["certifications"]:
        assert {"uid", "title", "url", "last_modified", "certification_type", "exams", "levels", "roles",
                "products"} <= set(cert)
        assert cert["url"].endswith("?WT.mc_id=api_CatalogApi")
    for course in first["courses"]:
        assert {"uid", "course_number", "duration_in_hours", "certification", "exam"} <= set(course)
    codes = {e["display_name"] for e in first["exams"]}
    for cred in snap.registry.values():
        if cred.id.startswith("ms-"):
            assert set(cred.exam_codes) & codes, f"{cred.id} has no exam in the catalog"
    assert mslearn.RETIRED_CODE in codes
    assert mslearn.RETIRED_CODE not in {e["display_name"] for e in last["exams"]}
    new_courses = {c["uid"] for c in last["courses"]} - {c["uid"] for c in first["courses"]}
    assert len(new_courses) >= 3
    assert len(last["appliedSkills"]) > len(first["appliedSkills"])
    moved = {c["uid"]: c["last_modified"] for c in first["certifications"]}
    assert any(moved.get(c["uid"]) not in (None, c["last_modified"]) for c in last["certifications"])
    assert snap.mslearn_catalog(WEEK, ["bogus"])[0] == 400
    assert json.loads(snap.mslearn_catalog(WEEK, ["exams"])[1]).keys() == {"exams"}


# --------------------------------------------------------------------------- truths


def test_planted_quotas_are_exact(snap):
    for week in week_range(snap.first_creation_week, CALENDAR[-1]):
        created = snap.postings_created(week)
        for cid in PLANTED.values():
            n = sum(1 for p in created if cid in p.demand)
            assert n == round(demand_probability(cid, week) * len(created)), (week, cid)
            assert all(p.demand[cid] == "required" for p in created if cid in p.demand)


def test_planted_trends_in_truth(snap):
    rows = snap.truth_demand([CALENDAR[0], CALENDAR[-1]])
    share = {(r["week"], r["credential_id"]): r["demand_share"] for r in rows}
    first, last = CALENDAR[0], CALENDAR[-1]
    assert share[(last, "aws-saa")] - share[(first, "aws-saa")] >= 0.04
    assert share[(first, "pmp")] - share[(last, "pmp")] >= 0.04
    assert share[(last, "google-data-analytics")] - share[(first, "google-data-analytics")] >= 0.04
    for week in CALENDAR:
        row = next(r for r in snap.truth_demand([week]) if r["credential_id"] == "comptia-security-plus")
        assert abs(row["demand_share"] - 0.05) <= 0.02, week
        assert row["active_postings"] == sum(len(snap.active_postings(s, week)) for s in JOB_SOURCES)


def test_perks_are_never_demand(snap):
    postings = snap.all_postings()
    not_perks = set(PLANTED.values()) - {PERK_CREDENTIAL}
    for p in postings:
        assert not p.perks & not_perks
        assert not p.perks & set(p.demand)
    share = sum(PERK_CREDENTIAL in p.perks for p in postings) / len(postings)
    assert 0.2 < share < 0.3


def test_text_names_exactly_the_truth(snap):
    assert snap.verify() == []


def test_many_credentials_demanded(snap):
    demanded = {r["credential_id"] for r in snap.truth_demand(CALENDAR[:1])}
    assert len(demanded) >= 35
    assert set(PLANTED.values()) <= demanded


def test_no_bare_ambiguous_acronyms_outside_healthcare(snap):
    for p in snap.all_postings():
        if p.family == "healthcare":
            continue
        for cid in p.demand:
            for alias in snap.registry[cid].context_any:
                bare = re.compile(rf"(?<![\w+]){re.escape(alias)}(?![\w+])")
                for line in p.lines:
                    # the alias may sit inside a longer, unambiguous surface form
                    if bare.search(line):
                        longer = [f for f in snap.registry[cid].surface_forms if f != alias and alias in f and f in line]
                        assert longer, (p.posting_id, line)


def test_lines_read_right_under_extraction_rules(snap):
    """Demand and perk lines carry their strength in words the documented line rules read."""
    path = ROOT / "config" / "extraction.yml"
    if not path.exists():
        pytest.skip("config/extraction.yml not present")
    cfg = yaml.safe_load(path.read_text())
    rx = {k: re.compile(cfg[k], re.I) for k in ("perk_pattern", "negation_pattern", "or_equivalent_pattern",
                                                  "preferred_pattern")}
    headings = [re.compile(s["pattern"], re.I) for s in cfg["sections"]]
    matcher = snap.vocab.matcher
    for p in snap.postings_created(WEEK):
        s = p.sections
        for line in (*s.requirements, *s.preferred, *s.benefits, *s.responsibilities):
            assert not (len(line) <= cfg["heading_max_chars"] and any(h.search(line) for h in headings)), line
            found = matcher.find(line, context=p.full_text)
            if not found:
                continue
            if line in s.benefits:
                assert rx["perk_pattern"].search(line) and found == set(p.perks), line
                continue
            assert not rx["perk_pattern"].search(line) and not rx["negation_pattern"].search(line), line
            (cid,) = found
            strength = ("or_equivalent" if rx["or_equivalent_pattern"].search(line)
                        else "preferred" if rx["preferred_pattern"].search(line) else "required")
            assert strength == p.demand[cid], line


def test_salary_lines_and_premium(snap):
    postings = [p for p in snap.all_postings() if p.salary]
    assert 0.75 < len(postings) / len(snap.all_postings()) < 0.95
    for p in postings[:300]:
        assert p.salary.text in p.lines and p.salary.min <= p.salary.max
    assert {p.salary.currency for p in postings} >= {"USD", "GBP", "EUR"}
    assert {p.salary.period for p in postings} == {"YEAR", "HOUR"}


def test_degree_truth(snap):
    postings = snap.all_postings()
    levels = {p.degree for p in postings}
    assert {"bachelor", "high_school", None} <= levels
    assert any(p.degree_or_equivalent for p in postings)
    assert all(p.degree in {"bachelor", "master"} or not p.degree_or_equivalent for p in postings)


def test_content_pools_are_free_of_credentials(snap):
    m = snap.vocab.matcher
    for pool in (content.BENEFITS, *content.RESPONSIBILITIES.values(), *content.SKILLS.values()):
        kept = [s for s in pool if not m.find(s, strict=True)]
        assert len(kept) >= len(pool) - 1  # at most one fragment lost to a registry alias


# --------------------------------------------------------------------------- server


def _get(url: str) -> tuple[int, str, bytes, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read(), r.headers["Content-Length"]
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read(), e.headers["Content-Length"]


def test_server_serves_and_stops(snap):
    gh, lv = snap.boards["greenhouse"][0], snap.boards["lever"][0]
    server = SnapshotServer(snap)
    base = server.start()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
    try:
        status, ctype, body, length = _get(f"{base}/{WEEK}/greenhouse/v1/boards/{gh}/jobs?content=true")
        assert status == 200 and ctype.startswith("application/json") and int(length) == len(body)
        assert _sha(body.decode()) == _sha(snap.greenhouse_jobs(WEEK, gh, True)[1])
        status, ctype, body, _ = _get(f"{base}/{WEEK}/lever/v0/postings/{lv}?mode=json&skip=0&limit=3")
        assert status == 200 and len(json.loads(body)) == 3
        status, ctype, body, _ = _get(f"{base}/{WEEK}/schemaorg/sitemap.xml")
        assert status == 200 and ctype.startswith("application/xml")
        loc = re.search(r"<loc>(.*?)</loc>", body.decode()).group(1)
        assert loc.startswith(f"{base}/{WEEK}/schemaorg/jobs/")
        status, ctype, body, _ = _get(loc)
        assert status == 200 and ctype.startswith("text/html") and b"application/ld+json" in body
        status, ctype, body, _ = _get(f"{base}/{WEEK}/mslearn/api/catalog/?type=certifications,exams&locale=en-us")
        assert status == 200 and set(json.loads(body)) == {"certifications", "exams"}
        status, ctype, body, _ = _get(f"{base}/robots.txt")
        assert status == 200 and ctype.startswith("text/plain") and b"Allow: /" in body
        status, ctype, body, _ = _get(f"{base}/{WEEK}/greenhouse/v1/boards/nope/jobs")
        assert status == 404 and json.loads(body)["status"] == 404
        assert _get(f"{base}/2031-W01/schemaorg/sitemap.xml")[0] == 404
        assert _get(f"{base}/{WEEK}/nosuchsource/x")[0] == 404
        assert _get(f"{base}/{WEEK}/schemaorg/jobs/NOPE.html")[0] == 404
        server.faults[f"/{WEEK}/lever/"] = Fault(status=503, times=1)
        assert _get(f"{base}/{WEEK}/lever/v0/postings/{lv}?mode=json")[0] == 503
        assert _get(f"{base}/{WEEK}/lever/v0/postings/{lv}?mode=json")[0] == 200
    finally:
        server.stop()
    port = int(base.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_server_cli_prints_url_and_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "snapshot.server", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        assert _get(f"{url}/robots.txt")[0] == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    assert proc.stderr.read() == ""


def test_render_module_escape_roundtrip():
    text = '<p>R&amp;D "team" isn\'t</p>'
    assert html.unescape(render._gh_escape(text)) == text


# --------------------------------------------------------------------------- formats of the later job sources


def test_ashby_format(snap):
    board = snap.boards["ashby"][0]
    status, body = snap.ashby_board(WEEK, board, compensation=True)
    data = json.loads(body)
    assert status == 200 and data["apiVersion"] == "1"
    jobs = data["jobs"]
    assert [j["id"] for j in jobs] and len(jobs) == len(snap.active_postings("ashby", WEEK, board))
    for job in jobs:
        for key in ("id", "title", "location", "secondaryLocations", "department", "team", "isListed", "isRemote",
                    "workplaceType", "descriptionHtml", "descriptionPlain", "publishedAt", "employmentType",
                    "jobUrl", "applyUrl", "compensation"):
            assert key in job, key
        assert job["employmentType"] in {"FullTime", "PartTime", "Intern", "Contract", "Temporary"}
        assert job["workplaceType"] in {"OnSite", "Hybrid", "Remote"}
        assert job["isRemote"] == (job["workplaceType"] == "Remote")
        assert job["publishedAt"].endswith("+00:00")
        for tier in job["compensation"]["compensationTiers"]:
            for c in tier["components"]:
                assert {"compensationType", "interval", "currencyCode", "minValue", "maxValue"} <= set(c)
                assert c["minValue"] <= c["maxValue"]
    assert "compensation" not in json.loads(snap.ashby_board(WEEK, board)[1])["jobs"][0]
    comps = [j["compensation"] for w in CALENDAR[:4] for b in snap.boards["ashby"]
             for j in json.loads(snap.ashby_board(w, b, True)[1])["jobs"]]
    assert any(not c["compensationTiers"] for c in comps)  # postings without pay
    paid = [c for c in comps if c["compensationTiers"]]
    assert any("summaryComponents" not in c for c in paid) and any("summaryComponents" in c for c in paid)
    assert any(x["compensationType"] == "EquityPercentage" for c in paid for x in c["compensationTiers"][0]["components"])
    assert snap.ashby_board(WEEK, "no-such-board")[0] == 404


def test_smartrecruiters_format_and_paging(snap):
    company = snap.boards["smartrecruiters"][0]
    active = snap.active_postings("smartrecruiters", WEEK, company)
    seen, offset = [], 0
    while True:
        page = json.loads(snap.smartrecruiters_postings(WEEK, company, offset, 7)[1])
        assert page["totalFound"] == len(active) and page["offset"] == offset and page["limit"] == 7
        if not page["content"]:
            break
        seen += [p["id"] for p in page["content"]]
        offset += 7
    assert sorted(seen) == sorted(p.posting_id for p in active) and len(seen) == len(set(seen))
    assert json.loads(snap.smartrecruiters_postings(WEEK, company, 0, 500)[1])["limit"] == 100  # documented max
    listed = json.loads(snap.smartrecruiters_postings(WEEK, company, 0, 100)[1])["content"][0]
    for key in ("id", "uuid", "name", "refNumber", "company", "releasedDate", "location", "department",
                "typeOfEmployment", "experienceLevel", "customField", "ref"):
        assert key in listed, key
    assert "jobAd" not in listed and set(listed["company"]) == {"identifier", "name"}
    assert listed["ref"].endswith(f"/v1/companies/{company}/postings/{listed['id']}")
    status, body = snap.smartrecruiters_posting(WEEK, company, listed["id"])
    detail = json.loads(body)
    assert status == 200 and detail["postingUrl"].startswith("https://jobs.smartrecruiters.com/")
    sections = detail["jobAd"]["sections"]
    assert list(sections) == ["companyDescription", "jobDescription", "qualifications", "additionalInformation"]
    assert all(set(x) == {"title", "text"} and x["text"].startswith("<") for x in sections.values())
    assert snap.smartrecruiters_postings(WEEK, "NoSuchCompany")[0] == 404
    assert snap.smartrecruiters_posting(WEEK, company, "1")[0] == 404


def test_remotive_format_and_filters(snap):
    status, body = snap.remotive_jobs(WEEK)
    data = json.loads(body)
    assert status == 200 and data["job-count"] == len(data["jobs"]) == len(snap.active_postings("remotive", WEEK))
    assert "0-legal-notice" in data
    for job in data["jobs"]:
        assert set(job) >= {"id", "url", "title", "company_name", "category", "job_type", "publication_date",
                            "candidate_required_location", "salary", "description"}
        assert isinstance(job["id"], int) and job["url"].endswith(f"-{job['id']}")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", job["publication_date"])  # no offset, as documented
    dates = [j["publication_date"] for j in data["jobs"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    category = data["jobs"][0]["category"]
    slug = next(s for name, s in content.REMOTIVE_CATEGORIES.values() if name == category)
    by_slug = json.loads(snap.remotive_jobs(WEEK, category=slug)[1])["jobs"]
    assert by_slug and all(j["category"] == category for j in by_slug)
    assert len(json.loads(snap.remotive_jobs(WEEK, limit=3)[1])["jobs"]) == 3


def test_usajobs_format_and_paging(snap):
    active = snap.active_postings("usajobs", WEEK)
    first = json.loads(snap.usajobs_search(WEEK, 1, 10)[1])["SearchResult"]
    assert first["SearchResultCountAll"] == len(active) and first["SearchResultCount"] == 10
    assert first["UserArea"]["NumberOfPages"] == str(-(-len(active) // 10))
    ids = []
    for page in range(1, int(first["UserArea"]["NumberOfPages"]) + 1):
        ids += [i["MatchedObjectId"] for i in json.loads(snap.usajobs_search(WEEK, page, 10)[1])["SearchResult"]["SearchResultItems"]]
    assert sorted(ids) == sorted(p.posting_id for p in active)
    d = first["SearchResultItems"][0]["MatchedObjectDescriptor"]
    for key in ("PositionID", "PositionTitle", "PositionURI", "ApplyURI", "PositionLocationDisplay", "PositionLocation",
                "OrganizationName", "DepartmentName", "JobCategory", "PositionSchedule", "QualificationSummary",
                "PositionRemuneration", "PublicationStartDate", "ApplicationCloseDate", "UserArea"):
        assert key in d, key
    for pay in d["PositionRemuneration"]:
        assert isinstance(pay["MinimumRange"], str) and pay["RateIntervalCode"] in {"Per Year", "Per Hour"}
    assert {"JobSummary", "MajorDuties", "Requirements", "Benefits", "RemoteIndicator"} <= set(d["UserArea"]["Details"])
    assert json.loads(snap.usajobs_search(WEEK, 1, 9999)[1])["SearchParameters"]["ResultsPerPage"] == 500


def test_hackernews_threads_and_comments(snap):
    from scrapers.spiders.jobs_hackernews import parse_first_line
    from snapshot.generator import HN_THREAD_KINDS, hn_month, hn_thread_id

    user = json.loads(snap.hn_user(WEEK, "whoishiring")[1])
    month = hn_month(WEEK)
    hiring = hn_thread_id(month, 0)
    assert user["submitted"][:3] == [hn_thread_id(month, 2), hn_thread_id(month, 1), hiring]  # newest first
    thread = json.loads(snap.hn_item(WEEK, hiring)[1])
    assert thread["title"] == f"{HN_THREAD_KINDS[0]} ({month.strftime('%B')} {month.year})" and thread["type"] == "story"
    active = snap.active_postings("hackernews", WEEK)
    assert sorted(thread["kids"]) == sorted(p.posting_id for p in active) and active
    assert json.loads(snap.hn_item(WEEK, hn_thread_id(month, 1))[1])["kids"] == []
    for p in active:
        comment = json.loads(snap.hn_item(WEEK, p.posting_id)[1])
        assert comment["parent"] == hiring and comment["type"] == "comment"
        assert "&#x2F;" in comment["text"] and "<p>" in comment["text"]
        first = parse_first_line(html.unescape(comment["text"]))
        assert (first["company"], first["title"]) == (p.company, p.title)
        assert first["remote"] == (True if p.workplace == "remote" else None)
        # the first line adds company, location and pay to the text: none of it may name a credential
        fields = " | ".join(render.hn_first_line(p))
        assert snap.vocab.matcher.find(fields, context=p.full_text) <= set(p.demand)
    # A comment stays in its month's thread to the month's last week, then is gone.
    for p in (p for w in CALENDAR[:8] for p in snap.postings_created(w) if p.source == "hackernews"):
        assert all(hn_month(w) == hn_month(p.created_week) for w in p.weeks_active)
        assert hn_month(shift(p.last_week, 1)) != hn_month(p.created_week)
    assert snap.hn_item(WEEK, 1)[1] == "null" and snap.hn_user(WEEK, "pg")[1] == "null"
    future = next(p for p in snap.postings_created(CALENDAR[-1]) if p.source == "hackernews")
    assert snap.hn_item(WEEK, future.posting_id)[1] == "null"  # not posted yet


def test_new_sources_share_the_planted_quotas(snap):
    created = snap.postings_created(CALENDAR[-1])
    holders = {p.source for p in created for cid in PLANTED.values() if cid in p.demand}
    assert len(holders) >= 5, f"planted demand sits in too few sources: {holders}"


def test_bench_pages(snap):
    status, body = snap.bench_sitemap(1000, "http://127.0.0.1:9/W/schemaorg/bench")
    assert status == 200 and body.count("<loc>") == 1000
    status, page = snap.bench_page(WEEK, 999)
    assert status == 200 and "BENCH999" in page and "application/ld+json" in page
    assert snap.bench_page(WEEK, 999) == (status, page)  # deterministic
    assert snap.bench_sitemap(10**6, "x")[0] == 404


def test_server_serves_the_later_job_sources(snap):
    server = SnapshotServer(snap)
    base = server.start()
    try:
        board, company = snap.boards["ashby"][0], snap.boards["smartrecruiters"][0]
        status, _, body, _ = _get(f"{base}/{WEEK}/ashby/posting-api/job-board/{board}?includeCompensation=true")
        assert status == 200 and "compensation" in json.loads(body)["jobs"][0]
        assert server.listed[(WEEK, "ashby")] == {p.posting_id for p in snap.active_postings("ashby", WEEK, board)}
        status, _, body, _ = _get(f"{base}/{WEEK}/smartrecruiters/v1/companies/{company}/postings?offset=0&limit=5")
        first = json.loads(body)["content"][0]["id"]
        assert status == 200 and len(server.listed[(WEEK, "smartrecruiters")]) == 5
        assert _get(f"{base}/{WEEK}/smartrecruiters/v1/companies/{company}/postings/{first}")[0] == 200
        status, _, body, _ = _get(f"{base}/{WEEK}/remotive/api/remote-jobs?limit=2")
        assert status == 200 and len(json.loads(body)["jobs"]) == 2
        search = f"{base}/{WEEK}/usajobs/api/Search?Page=1&ResultsPerPage=5"
        assert _get(search)[0] == 401  # no Authorization-Key / e-mail User-Agent
        req = urllib.request.Request(search, headers={"Authorization-Key": "k", "User-Agent": "me@example.org"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200 and len(json.loads(r.read())["SearchResult"]["SearchResultItems"]) == 5
        status, _, body, _ = _get(f"{base}/{WEEK}/hackernews/v0/user/whoishiring.json")
        assert status == 200 and json.loads(body)["submitted"]
        status, _, body, _ = _get(f"{base}/{WEEK}/schemaorg/bench/sitemap-3.xml")
        loc = re.findall(r"<loc>(.*?)</loc>", body.decode())[-1]
        assert status == 200 and loc == f"{base}/{WEEK}/schemaorg/bench/jobs/BENCH2.html" and _get(loc)[0] == 200
        # a transforming fault serves the real response, changed, and is logged as a fault
        real = _get(f"{base}/{WEEK}/remotive/api/remote-jobs")[2]
        server.faults[f"/{WEEK}/remotive/"] = Fault(transform=lambda b: b[:10], times=1)
        assert _get(f"{base}/{WEEK}/remotive/api/remote-jobs")[2] == real[:10]
        assert [(status, fault) for _, _, status, fault in server.requested("/remotive/api/remote-jobs")] == \
            [(200, False), (200, False), (200, True)]
    finally:
        server.stop()
