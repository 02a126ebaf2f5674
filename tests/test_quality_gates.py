"""Quality gates: each kind of bad data fails the gate with a message naming
the problem, nothing new is published and the published database stays
byte-identical; a clean week passes and publishes.

Fixture: three clean weeks (2026-W10..W12; two job sources, greenhouse 6
postings a week and lever 5) are loaded, validated and published once per
module; each test copies that state, builds week 2026-W13 (or breaks the
work database) and runs the pipeline's validate → publish, as the DAG and
`credwatch run` do.
"""
from __future__ import annotations

import hashlib
import json
import shutil

import duckdb
import pytest
import yaml

from conftest import REPO, write_clean_postings, write_mentions
from credwatch import pipeline
from credwatch.orchestration import loaded_weeks
from credwatch.settings import paths
from expectations.validate import QualityGateFailed
from warehouse.load import load_weeks

HISTORY = ["2026-W10", "2026-W11", "2026-W12"]
NEW = "2026-W13"
SOURCES = {"greenhouse": 6, "lever": 5}
# (source, posting index, credential id): what the postings ask for.
DEMAND = [("greenhouse", 0, "cissp"), ("greenhouse", 1, "pmp"), ("greenhouse", 2, "cissp"), ("lever", 0, "pmp"), ("lever", 3, "ccna")]


def write_week(week: str, sources: dict[str, int] | None = None, demand=None, extra: dict | None = None,
               duplicate: bool = False) -> None:
    """A clean partition: postings <source>:<i> whose text has one line per
    credential asked for, and mentions pointing at those lines. `extra`:
    column values for posting greenhouse:0; `duplicate`: every posting twice."""
    sources = SOURCES if sources is None else sources
    demand = DEMAND if demand is None else demand
    postings, mentions = [], []
    for source, n in sources.items():
        for i in range(n):
            key = f"{source}:{i}"
            asks = [cid for s, j, cid in demand if s == source and j == i]
            # Distinct titles, employers and texts: the marts de-duplicate look-alike postings.
            lines = [f"{source.title()} role number {i}: build pipelines for team {i * 7}", "Requirements"]
            lines += [f"{cid.upper()} certification required" for cid in asks]
            row = {"posting_key": key, "week": week, "source": source, "source_id": str(i),
                   "title": f"{['Data', 'Security', 'Network', 'Cloud', 'Project', 'Systems'][i]} {source} analyst {i}",
                   "company": f"{source.title()} Employer {i}", "text": "\n".join(lines)}
            if key == "greenhouse:0" and extra:
                row |= extra
            postings.append(row)
            for k, cid in enumerate(asks, start=2):
                mentions.append({"posting_key": key, "entity_type": "credential", "entity_id": cid,
                                 "surface": cid.upper(), "line_no": k,
                                 "line_start": sum(len(x) + 1 for x in lines[:k]), "section": "requirements",
                                 "strength": "required", "counts_as_demand": True, "rule": "dictionary", "week": week})
    part = paths().clean_partition(week)
    part.mkdir(parents=True, exist_ok=True)
    write_clean_postings(part / "postings.parquet", postings + (postings if duplicate else []))
    write_mentions(part / "mentions.parquet", mentions)


def refresh(weeks: list[str]) -> dict:
    """load → validate → publish, the order of the DAG: publish only runs when the gate passed."""
    stats = pipeline.validate(loaded_weeks(load_weeks(weeks)))
    pipeline.publish()
    return stats


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """Three published weeks; the state every test starts from."""
    root = tmp_path_factory.mktemp("gates")
    cfg = root / "config"
    shutil.copytree(REPO / "config", cfg)
    q = yaml.safe_load((cfg / "quality.yml").read_text())
    q["marts"]["credential_demand_weekly"]["min_credentials_with_demand"] = 2  # the fixture asks for 3 credentials
    (cfg / "quality.yml").write_text(yaml.safe_dump(q))
    mp = pytest.MonkeyPatch()
    mp.setenv("CREDWATCH_CONFIG", str(cfg))
    mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
    mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
    try:
        for w in HISTORY:
            write_week(w)
        stats = refresh(HISTORY)
    finally:
        mp.undo()
    return root, stats


@pytest.fixture
def published(baseline, tmp_path, monkeypatch):
    """A private copy of the baseline; returns the published database's sha256."""
    root, _ = baseline
    for d in ("config", "lake", "warehouse"):
        shutil.copytree(root / d, tmp_path / d)
    monkeypatch.setenv("CREDWATCH_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(tmp_path / "warehouse"))
    return sha256(paths().published_db)


def assert_blocked(before: str, weeks: list[str], *needles: str) -> str:
    """The gate fails naming every needle; the published database and its
    manifest are unchanged (so no week of `weeks` is published)."""
    manifest = (paths().warehouse / "credwatch.publish.json").read_text()
    with pytest.raises(QualityGateFailed) as exc:
        refresh(weeks)
    msg = str(exc.value)
    for needle in needles:
        assert needle in msg, f"gate message should name {needle!r}:\n{msg}"
    assert sha256(paths().published_db) == before, "the published database changed although the gate failed"
    assert (paths().warehouse / "credwatch.publish.json").read_text() == manifest
    assert not set(weeks) & set(json.loads(manifest)["weeks"])
    assert (paths().warehouse / "quality" / "data_docs" / "index.html").exists(), "Data Docs are written on failure too"
    return msg


def test_baseline_passed_every_suite(baseline):
    _, stats = baseline
    assert stats["success"] and set(stats["suites"]) == {"raw", "staging", "marts", "volume"}
    assert all(s["expectations"] > 0 for k, s in stats["suites"].items() if k != "raw")
    # No raw partitions in this fixture: the raw suite says so instead of passing silently.
    assert any(r.startswith("raw: no committed raw partition") for r in stats["skipped"])


def test_clean_week_passes_and_publishes(published):
    write_week(NEW)
    stats = refresh([NEW])
    assert stats["success"] and stats["weeks"] == [NEW]
    assert sha256(paths().published_db) != published
    con = duckdb.connect(str(paths().published_db), read_only=True)
    assert con.execute("SELECT max(week) FROM dim_week").fetchone()[0] == NEW
    con.close()
    assert (paths().warehouse / "quality" / "data_docs" / "index.html").exists()
    summary = json.loads((paths().warehouse / "quality" / "last_validation.json").read_text())
    assert summary["success"] and summary["seconds"] == stats["seconds"]


def test_source_returning_nothing(published):
    write_week(NEW, sources={"greenhouse": 6})  # lever answered with no postings
    msg = assert_blocked(published, [NEW], "postings per source and week", "'source': 'lever'", "'postings': 0")
    assert "expect_column_values_to_be_between" in msg


def test_duplicated_batch(published):
    write_week(NEW, duplicate=True)
    assert_blocked(published, [NEW], "table stg_postings", "['week', 'posting_key']", "expect_compound_columns_to_be_unique")


def test_salaries_in_cents(published):
    cents = {"salary_currency": "USD", "salary_min_annual": 9_000_000.0, "salary_max_annual": 12_000_000.0,
             "salary_mid_annual": 10_500_000.0, "salary_mid_usd": 10_500_000.0}
    write_week(NEW, extra=cents)
    assert_blocked(published, [NEW], "table stg_postings", "salary_max_annual", 'salary_currency=="USD"', "12000000")


def test_share_above_one(published):
    write_week(NEW)
    load_weeks([NEW])
    con = duckdb.connect(str(paths().work_db))
    con.execute(f"UPDATE credential_demand_weekly SET demand_share = 1.5 WHERE week = '{NEW}' AND credential_id = 'pmp'")
    con.close()
    with pytest.raises(QualityGateFailed) as exc:
        pipeline.validate([NEW])
    msg = str(exc.value)
    assert "table credential_demand_weekly, column demand_share" in msg and "1.5" in msg
    assert sha256(paths().published_db) == published


def test_missing_week(published):
    write_week("2026-W14")  # W13 never loaded: every trend line would jump a week
    assert_blocked(published, ["2026-W14"], "dim_week", "2026-W13", "expect_column_values_to_be_in_set")


def test_unknown_credential_id(published):
    write_week(NEW, demand=DEMAND + [("lever", 1, "not-a-credential")])
    assert_blocked(published, [NEW], "table int_credential_mentions, column credential_id", "not-a-credential")


def test_raw_duplicate_ids_and_bad_url(published):
    part = paths().raw_partition("greenhouse", NEW)
    part.mkdir(parents=True)
    item = {"source": "greenhouse", "source_id": "7", "url": "https://boards.example.com/jobs/7", "title": "Analyst",
            "description_html": "<p>CISSP required</p>", "date_posted": "2026-03-20", "week": NEW,
            "fetched_at": "2026-03-29T10:00:00Z"}
    bad = item | {"source_id": "8", "url": "javascript:void(0)"}
    (part / "items.jsonl").write_text("\n".join(json.dumps(i) for i in (item, item, bad)) + "\n")
    (part / "_SUCCESS").touch()
    write_week(NEW)
    assert_blocked(published, [NEW], "table raw items.jsonl", "['source', 'week', 'source_id', 'url']", "javascript:void(0)")


def test_raw_same_id_on_two_boards_passes(published):
    """Real Greenhouse data lists one job id on two boards of an employer group
    in the same week: one posting at two URLs is not a duplicated batch."""
    part = paths().raw_partition("greenhouse", NEW)
    part.mkdir(parents=True)
    item = {"source": "greenhouse", "source_id": "8297310002", "url": "https://job-boards.greenhouse.io/downtownmusicpublishing/jobs/8297310002",
            "title": "Analyst", "description_html": "<p>CISSP required for this analyst role</p>", "date_posted": "2026-03-20",
            "week": NEW, "fetched_at": "2026-03-29T10:00:00Z"}
    other_board = item | {"url": "https://www.songtrust.com/songtrust-careers?gh_jid=8297310002"}
    (part / "items.jsonl").write_text("\n".join(json.dumps(i) for i in (item, other_board)) + "\n")
    (part / "_SUCCESS").touch()
    write_week(NEW)
    stats = refresh([NEW])
    assert stats["success"] and stats["weeks"] == [NEW]


def test_week_filter_bounds_each_kind_of_table():
    """Weekly tables by week (or as_of_week); the history-wide lineage tables by
    last_seen, unless every loaded week is validated (then the whole table)."""
    from expectations.base import Context

    cols = {"w": {"week": "VARCHAR"}, "a": {"as_of_week": "VARCHAR"}, "l": {"last_seen": "VARCHAR"}, "d": {"credential_id": "VARCHAR"}}
    ctx = Context(None, ["2026-W13", "2026-W12"], HISTORY + [NEW], {}, cols, {})
    assert ctx.week_filter("w") == ("WHERE week IN (?, ?)", ["2026-W13", "2026-W12"])
    assert ctx.week_filter("a") == ("WHERE as_of_week IN (?, ?)", ["2026-W13", "2026-W12"])
    assert ctx.week_filter("l") == ("WHERE last_seen >= ?", ["2026-W12"])
    assert ctx.week_filter("d") == ("", [])
    full = Context(None, HISTORY, HISTORY, {}, cols, {})
    assert full.week_filter("l") == ("", [])


def test_duplicate_lineage_row_older_than_the_week_fails(published):
    """A duplicated canonical posting last seen weeks ago lies outside the rows a
    weekly validation reads; the whole-table key check still catches it."""
    write_week(NEW)
    load_weeks([NEW])
    con = duckdb.connect(str(paths().work_db))
    # A second row for a posting, as a double write would leave it, dated before the validated week.
    con.execute(
        "INSERT INTO int_canonical_postings SELECT * REPLACE (? AS first_seen, ? AS last_seen) "
        "FROM int_canonical_postings ORDER BY canonical_id LIMIT 1", [HISTORY[0], HISTORY[0]]
    )
    con.close()
    with pytest.raises(QualityGateFailed) as exc:
        pipeline.validate([NEW])
    msg = str(exc.value)
    assert "table int_canonical_postings" in msg and "occur more than once in the whole table" in msg
    assert sha256(paths().published_db) == published
