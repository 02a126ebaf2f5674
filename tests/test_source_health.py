"""source_health_weekly: crawl counters (stats.json), the run record and the
loaded postings, per source and week, on hand-written raw partitions."""
from __future__ import annotations

import hashlib
import json
import shutil

import duckdb
import pytest
import yaml

from conftest import REPO
from credwatch.orchestration import record_weeks
from credwatch.settings import paths
from credwatch.weeks import week_start
from transforms.normalize import normalize_week
from warehouse.load import load_weeks
from warehouse.publish import table_checksum

W1, W2 = "2026-W10", "2026-W11"


def write_raw(source: str, week: str, ids: list[str], stats: dict | None = None, text: str = "CISSP required.") -> None:
    """A committed raw partition: one PostingItem per id (repeats allowed) and stats.json."""
    part = paths().raw_partition(source, week)
    part.mkdir(parents=True)
    with open(part / "items.jsonl", "w") as fh:
        for sid in ids:
            fh.write(json.dumps({
                "source": source, "source_id": sid, "url": f"https://jobs.example.com/{source}/{sid}",
                "title": "Security Engineer", "company": "Acme", "location_raw": "Berlin, Germany",
                "description_html": f"<p>{text}</p>", "week": week, "fetched_at": f"{week_start(week).isoformat()}T12:00:00Z",
                "payload_sha256": hashlib.sha256(f"{source}{sid}".encode()).hexdigest()}) + "\n")
    for name in ("quarantine.jsonl", "manifest.jsonl"):
        (part / name).touch()
    base = {"requests": 1, "responses": 1, "responses_by_status": {"200": 1}, "bytes": 100, "retries": 0,
            "download_errors": {}, "items": len(ids), "items_carried": 0, "quarantined": 0,
            "targets_gone": [], "duration_s": 1.0, "finish_reason": "finished"}
    (part / "stats.json").write_text(json.dumps({**base, **(stats or {})}))
    (part / "_SUCCESS").touch()


def config_with(lake, sources: list[str], **quality):
    """A copy of config/ whose sources.yml keeps only `sources` (so the run
    record expects exactly those) and whose quality.yml takes overrides
    ({"section": {"dotted.key": value}}). Returns the folder, for CREDWATCH_CONFIG."""
    cfg = lake / "config"
    shutil.copytree(REPO / "config", cfg)
    s = yaml.safe_load((cfg / "sources.yml").read_text())
    s["sources"] = [e for e in s["sources"] if e["name"] in sources]
    (cfg / "sources.yml").write_text(yaml.safe_dump(s, sort_keys=False))
    q = yaml.safe_load((cfg / "quality.yml").read_text())
    for section, values in quality.items():
        for key, value in values.items():
            target = q[section]
            *path, last = key.split(".")
            for p in path:
                target = target[p]
            target[last] = value
    (cfg / "quality.yml").write_text(yaml.safe_dump(q, sort_keys=False))
    return cfg


@pytest.fixture(scope="module")
def health(tmp_path_factory):
    """Built once for the module (normalize costs seconds per week)."""
    lake = tmp_path_factory.mktemp("health")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDWATCH_LAKE", str(lake / "lake"))
        mp.setenv("CREDWATCH_WAREHOUSE", str(lake / "warehouse"))
        mp.setenv("CREDWATCH_CONFIG", str(config_with(lake, ["greenhouse", "lever"])))
        build_health()
        yield lake


def build_health() -> None:
    # greenhouse W1: 5 requests (3 x 200, 1 x 404 gone board, 1 x 503), 1 timeout; 3 items stored,
    # one of them the same posting twice (dropped by normalize); 2 quarantined.
    write_raw("greenhouse", W1, ["1", "2", "2"], {
        "requests": 5, "responses": 4, "responses_by_status": {"200": 3, "404": 1, "503": 1},
        "download_errors": {"twisted.internet.error.TimeoutError": 1}, "retries": 2, "bytes": 5000,
        "quarantined": 2, "targets_gone": ["closed-board"], "duration_s": 3.5})
    # greenhouse W2: posting 2 again, posting 3 new; carried 1 item.
    write_raw("greenhouse", W2, ["2", "3"], {"requests": 2, "responses_by_status": {"200": 2}, "items_carried": 1})
    # lever W1 ok with 4 postings; W2 failed (no partition, an error recorded by the scrape task).
    write_raw("lever", W1, ["a", "b", "c", "d"], {"requests": 4, "responses_by_status": {"200": 4}})
    err = paths().lake / "runs" / f"week={W2}" / "errors"
    err.mkdir(parents=True)
    (err / "source=lever.json").write_text(json.dumps({"source": "lever", "week": W2, "error": "CrawlFailed: boom"}))
    record_weeks([W1, W2])
    for w in (W1, W2):
        normalize_week(w)
    load_weeks([W1, W2])


def rows(con) -> dict:
    cur = con.execute("SELECT * FROM source_health_weekly ORDER BY week, source")
    names = [d[0] for d in cur.description]
    return {(r[0], r[1]): dict(zip(names, r)) for r in cur.fetchall()}


def test_source_health_hand_computed(health):
    con = duckdb.connect(str(paths().work_db), read_only=True)
    h = rows(con)
    assert set(h) == {(W1, "greenhouse"), (W1, "lever"), (W2, "greenhouse"), (W2, "lever")}
    g1 = h[(W1, "greenhouse")]
    assert (g1["status"], g1["partial_week"], g1["week_status"]) == ("ok", False, "complete")
    assert (g1["pages"], g1["responses"], g1["responses_2xx"], g1["responses_3xx"], g1["responses_4xx"], g1["responses_5xx"]) \
        == (5, 4, 3, 0, 1, 1)
    assert (g1["download_errors"], g1["retries"], g1["bytes"], g1["targets_gone"]) == (1, 2, 5000, 1)
    assert (g1["items"], g1["dropped"], g1["quarantined"], g1["items_carried"]) == (3, 1, 2, 0)
    assert g1["error_rate"] == pytest.approx(3 / 5)  # (1 x 404 + 1 x 503 + 1 timeout) / 5 requests
    assert (g1["postings_listed"], g1["new_postings"]) == (2, 2)
    g2 = h[(W2, "greenhouse")]
    assert (g2["postings_listed"], g2["new_postings"], g2["items_carried"], g2["dropped"], g2["error_rate"]) == (2, 1, 1, 0, 0.0)
    assert (g2["partial_week"], g2["week_status"]) == (True, "partial")  # lever failed that week
    l1, l2 = h[(W1, "lever")], h[(W2, "lever")]
    assert (l1["postings_listed"], l1["new_postings"], l1["status"]) == (4, 4, "ok")
    assert (l2["status"], l2["partial_week"], l2["postings_listed"], l2["new_postings"]) == ("failed", True, 0, 0)
    assert l2["pages"] is None and l2["items"] is None and l2["error_rate"] is None
    assert l2["error"] == "CrawlFailed: boom"


def test_source_stats_are_a_clean_partition_file(health):
    import polars as pl

    df = pl.read_parquet(paths().clean_partition(W2) / "source_stats.parquet")
    assert df.select("source", "status", "week_status").rows() == [("greenhouse", "ok", "partial"), ("lever", "failed", "partial")]


def test_rerun_of_a_week_is_byte_identical(health):
    con = duckdb.connect(str(paths().work_db), read_only=True)
    before = table_checksum(con, "source_health_weekly")
    con.close()
    normalize_week(W1)
    load_weeks([W1])
    con = duckdb.connect(str(paths().work_db), read_only=True)
    assert table_checksum(con, "source_health_weekly") == before
