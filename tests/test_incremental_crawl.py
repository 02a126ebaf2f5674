"""Incremental crawls (scrapers/incremental.py) against the snapshot web.

Two consecutive weeks are crawled with incremental crawling on (the default for
schemaorg and smartrecruiters), and the second week once more, in another lake,
as a full crawl (`full=True`). The snapshot touches a seeded ~10% of job pages'
sitemap <lastmod> per week without changing the pages (snapshot/render.lastmod),
so week 2 has both unchanged and changed markers. The tests assert that week 2
made fewer requests, that its partition holds exactly what the full crawl stored
(same source_ids, same items, same payload hashes), that a changed posting was
re-fetched, and that the partition is self-contained.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import urllib.request
from pathlib import Path

import pytest

from scrapers.incremental import CarryIndex, previous_partition
from scrapers.run import crawl, crawl_many
from snapshot import render
from snapshot.planted import CALENDAR
from snapshot.server import SnapshotServer

SOURCES = ("schemaorg", "smartrecruiters")
FAST = {"AUTOTHROTTLE_ENABLED": False}
VOLATILE = ("week", "fetched_at", "carried_from")


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def server():
    with SnapshotServer() as s:
        yield s


@pytest.fixture(scope="module")
def weeks(server) -> tuple[str, str, set[str], set[str]]:
    """(W1, W2, schemaorg ids whose lastmod changed, ids listed unchanged in both weeks)."""
    for w1, w2 in zip(CALENDAR[1:], CALENDAR[2:]):
        before = {p.posting_id: render.lastmod(p, w1) for p in server.snapshot.active_postings("schemaorg", w1)}
        after = {p.posting_id: render.lastmod(p, w2) for p in server.snapshot.active_postings("schemaorg", w2)}
        common = set(before) & set(after)
        changed = {i for i in common if before[i] != after[i]}
        if changed and common - changed:
            return w1, w2, {str(i) for i in changed}, {str(i) for i in common - changed}
    pytest.fail("the snapshot never changes a sitemap <lastmod> between two weeks (snapshot/render.lastmod)")


@pytest.fixture(scope="module")
def runs(server, weeks, tmp_path_factory):
    """{"incremental"/"full": {source: {week: stats}}, "w2_paths": paths the server saw for W2
    during the incremental crawls, "lake": incremental lake}."""
    w1, w2, _, _ = weeks
    out: dict = {"incremental": {}, "full": {}}
    lakes = {"incremental": tmp_path_factory.mktemp("incr") / "lake", "full": tmp_path_factory.mktemp("full") / "lake"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDWATCH_LAKE", str(lakes["incremental"]))
        for source in SOURCES:
            out["incremental"][source] = crawl_many(source, [w1, w2], snapshot_url=server.url, settings=FAST,
                                                    timeout_s=300)
        out["w2_paths"] = {r[1] for r in server.requested(f"/{w2}/")}
        mp.setenv("CREDWATCH_LAKE", str(lakes["full"]))
        for source in SOURCES:
            first = crawl(source, w1, snapshot_url=server.url, settings=FAST, timeout_s=300)
            out["full"][source] = {w1: first, w2: crawl(source, w2, snapshot_url=server.url, settings=FAST,
                                                        timeout_s=300, full=True)}
    out["lake"] = lakes["incremental"]
    return out


@pytest.mark.parametrize("source", SOURCES)
def test_second_week_skips_requests(runs, weeks, source):
    w1, w2, _, _ = weeks
    incremental, full = runs["incremental"][source][w2], runs["full"][source][w2]
    assert runs["incremental"][source][w1]["requests_skipped"] == 0  # nothing before week 1
    assert incremental["incremental"] == {"enabled": True, "marker": incremental["incremental"]["marker"],
                                          "previous_week": w1}
    assert incremental["requests_skipped"] > 0 and incremental["items_carried"] >= incremental["requests_skipped"]
    assert full["incremental"]["enabled"] is False and full["requests_skipped"] == full["items_carried"] == 0
    # Every skipped posting request is one request fewer than the full crawl made.
    assert incremental["requests"] == full["requests"] - incremental["requests_skipped"]
    assert incremental["quarantined"] == full["quarantined"] == 0


@pytest.mark.parametrize("source", SOURCES)
def test_incremental_week_equals_full_crawl(runs, weeks, source):
    _, w2, _, _ = weeks
    inc_items = jsonl(Path(runs["incremental"][source][w2]["partition"]) / "items.jsonl")
    full_items = jsonl(Path(runs["full"][source][w2]["partition"]) / "items.jsonl")
    assert len(inc_items) == len(full_items) == runs["full"][source][w2]["items"]

    def by_id(items):
        return {i["source_id"]: {k: v for k, v in i.items() if k not in VOLATILE} for i in items}

    inc, full = by_id(inc_items), by_id(full_items)
    assert set(inc) == set(full)
    for sid in full:  # same content and the same payload sha256, carried or fetched
        assert inc[sid] == full[sid], sid
    assert all(i["week"] == w2 for i in inc_items)
    assert all(i["carried_from"] is None for i in full_items)


def test_changed_lastmod_is_refetched_and_unchanged_carried(runs, weeks):
    w1, w2, changed, unchanged = weeks
    items = {i["source_id"]: i for i in jsonl(Path(runs["incremental"]["schemaorg"][w2]["partition"]) / "items.jsonl")}
    seen = runs["w2_paths"]
    for sid in changed:
        assert items[sid]["carried_from"] is None, f"page {sid} changed its <lastmod> but was carried"
        assert f"/{w2}/schemaorg/jobs/{sid}.html" in seen
    for sid in unchanged:
        assert items[sid]["carried_from"] == w1
        assert f"/{w2}/schemaorg/jobs/{sid}.html" not in seen, f"unchanged page {sid} was fetched again"
    assert runs["incremental"]["schemaorg"][w2]["requests_skipped"] == len(unchanged)


@pytest.mark.parametrize("source", SOURCES)
def test_incremental_partition_is_self_contained(runs, weeks, source):
    w1, w2, _, _ = weeks
    stats = runs["incremental"][source][w2]
    partition = Path(stats["partition"])
    manifest, items = jsonl(partition / "manifest.jsonl"), jsonl(partition / "items.jsonl")
    carried_lines = [m for m in manifest if m.get("carried_from")]
    assert len(carried_lines) == stats["requests_skipped"] and {m["carried_from"] for m in carried_lines} == {w1}
    assert len(manifest) - len(carried_lines) == stats["responses"]
    for m in manifest:  # every body, fetched or carried, is archived in this partition
        body = gzip.decompress((partition / "responses" / f"{m['sha256']}.gz").read_bytes())
        assert hashlib.sha256(body).hexdigest() == m["sha256"] and len(body) == m["bytes"]
    assert {i["payload_sha256"] for i in items} <= {m["sha256"] for m in manifest}
    assert sum(i["carried_from"] == w1 for i in items) == stats["items_carried"]
    # A carried item was observed this week: its fetched_at is that of this week's list/sitemap response.
    fetched_now = {m["fetched_at"] for m in manifest if not m.get("carried_from")}
    assert all(i["fetched_at"] in fetched_now for i in items if i["carried_from"])
    markers = jsonl(partition / "markers.jsonl")
    assert len(markers) == len(items) and len({m["key"] for m in markers}) == len(markers)
    carried_markers = [m for m in markers if m["fetched_week"] == w1]
    assert len(carried_markers) == stats["requests_skipped"]


def test_smartrecruiters_changed_list_entry_is_refetched(runs, weeks, server, tmp_path, monkeypatch):
    """A list entry that differs from the previous week's (here: its title) gets its detail
    requested; unchanged entries are carried without a request."""
    from scrapy.http import Request, TextResponse

    from scrapers.items import PostingItem
    from scrapers.spiders.jobs_smartrecruiters import SmartRecruitersSpider

    w1, w2, _, _ = weeks
    monkeypatch.setenv("CREDWATCH_LAKE", str(runs["lake"]))
    previous = previous_partition("smartrecruiters", w2)
    assert previous == runs["lake"] / "raw" / "source=smartrecruiters" / f"week={w1}"
    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))
    spider = SmartRecruitersSpider(source="smartrecruiters", week=w2, snapshot_url=server.url)
    spider.carry = CarryIndex(previous, w2)
    company = "CrescentCare"
    url = f"{server.url}/{w2}/smartrecruiters/v1/companies/{company}/postings?offset=0&limit=100"
    data = json.loads(urllib.request.urlopen(url).read())
    known = {m["key"] for m in jsonl(previous / "markers.jsonl")}
    listed = [e for e in data["content"] if f"{company}/{e['id']}" in known]
    assert len(listed) >= 2
    edited = listed[0]["id"]
    listed[0]["name"] += " (updated)"
    body = json.dumps({**data, "content": listed, "totalFound": len(listed)}).encode()
    out = list(spider.parse_list(TextResponse(url, body=body, request=Request(url)), company=company, offset=0))
    requests = [r for r in out if isinstance(r, Request)]
    carried = [i for i in out if isinstance(i, PostingItem)]
    assert [r.url.rsplit("/", 1)[-1] for r in requests] == [edited]
    assert {i.source_id for i in carried} == {str(e["id"]) for e in listed[1:]}
    assert all(i.carried_from == w1 and i.week == w2 for i in carried)
    assert spider.counters["credwatch/requests_skipped"] == len(listed) - 1
    assert spider.counters["credwatch/incremental/refetched"] == 1
    spider.partition.abort()


def test_carry_index_refuses_stale_quarantined_or_unarchived(runs, weeks):
    w1, w2, _, _ = weeks
    previous = runs["lake"] / "raw" / "source=schemaorg" / f"week={w1}"
    record = jsonl(previous / "markers.jsonl")[0]
    index = CarryIndex(previous, w2)
    assert index.lookup(record["key"], record["marker"]) is not None
    assert index.lookup(record["key"], "2001-01-01") is None          # changed marker
    assert index.lookup(record["key"], None) is None                  # no marker listed
    assert index.lookup("/jobs/never-listed.html", record["marker"]) is None
    assert CarryIndex(previous, w2, max_age_weeks=1).lookup(record["key"], record["marker"]) is None  # too old
    index.close()


def test_carry_index_skips_quarantined_payloads(tmp_path):
    part = tmp_path / "week=2026-W10"
    (part / "responses").mkdir(parents=True)
    for sha in ("a" * 64, "b" * 64):
        (part / "responses" / f"{sha}.gz").write_bytes(gzip.compress(b"x"))
    (part / "markers.jsonl").write_text(
        json.dumps({"key": "/ok", "marker": "m", "sha256": "a" * 64, "fetched_week": "2026-W10"}) + "\n"
        + json.dumps({"key": "/partly-bad", "marker": "m", "sha256": "b" * 64, "fetched_week": "2026-W10"}) + "\n")
    (part / "items.jsonl").write_text(
        json.dumps({"source_id": "1", "payload_sha256": "a" * 64}) + "\n"
        + json.dumps({"source_id": "2", "payload_sha256": "b" * 64}) + "\n")
    (part / "quarantine.jsonl").write_text(
        json.dumps({"reason": "missing required field(s): title", "item": {"payload_sha256": "b" * 64}}) + "\n")
    index = CarryIndex(part, "2026-W11")
    assert [r["source_id"] for r in index.lookup("/ok", "m")[1]] == ["1"]
    assert index.lookup("/partly-bad", "m") is None
    (part / "responses" / f"{'a' * 64}.gz").unlink()
    assert index.lookup("/ok", "m") is None  # the body could not be copied: fetch instead
    index.close()


@pytest.mark.parametrize("how", ["argument", "environment", "config"])
def test_full_crawl_switches(how, monkeypatch, tmp_path):
    from scrapers.spiders import base
    from scrapers.spiders.catalog_schemaorg import SchemaOrgCourseSpider
    from scrapers.spiders.jobs_schemaorg import SchemaOrgSpider

    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))
    assert SchemaOrgSpider(source="schemaorg", week=CALENDAR[1]).incremental is True
    assert SchemaOrgCourseSpider(source="courses", week=CALENDAR[1]).incremental is False  # no marker
    kwargs = {}
    if how == "argument":
        kwargs["incremental"] = "0"
    elif how == "environment":
        monkeypatch.setenv("CREDWATCH_FULL_CRAWL", "1")
    else:
        monkeypatch.setattr(base, "source_entry", lambda name: {"name": name, "kind": "schemaorg",
                                                                "incremental": False})
    assert SchemaOrgSpider(source="schemaorg", week=CALENDAR[1], **kwargs).incremental is False
