"""94_posting_lineage.sql: the incremental refresh of posting_lineage equals the
whole join of the dedupe tables after every kind of change a replay makes."""
from __future__ import annotations

import duckdb
import pytest

from warehouse.models import MODELS, run_sql, tables

STEP = MODELS / "build" / "94_posting_lineage.sql"
FULL = """SELECT s.posting_key, s.source, s.source_id, s.canonical_id, s.link, s.similarity,
                 s.first_seen, s.last_seen, s.weeks_seen, c.first_seen, c.last_seen, c.n_members
          FROM int_source_postings s JOIN int_canonical_postings c USING (canonical_id)"""


@pytest.fixture()
def con():
    con = duckdb.connect()
    for t in tables():
        if t.name in ("int_source_postings", "int_canonical_postings", "posting_lineage"):
            run_sql(con, t.ddl)
    yield con
    con.close()


def member(con, key, canonical, link, first, last, weeks):
    con.execute("DELETE FROM int_source_postings WHERE posting_key = ?", [key])
    con.execute("INSERT INTO int_source_postings VALUES (?, 'gh', ?, ?, ?, NULL, ?, ?, ?)",
                [key, key.split(":")[1], canonical, link, first, last, weeks])


def canonical(con, cid, first, last, members):
    con.execute("DELETE FROM int_canonical_postings WHERE canonical_id = ?", [cid])
    con.execute("INSERT INTO int_canonical_postings VALUES (?, ?, ?, 1, 1, 0, ?, ?, ['gh'])", [cid, first, last, members - 1, members])


def refresh(con, rebuilt):
    run_sql(con, STEP.read_text(), {"rebuilt_weeks": rebuilt})
    stale = con.execute(f"SELECT count(*) FROM (SELECT * FROM posting_lineage EXCEPT ALL ({FULL}))").fetchone()[0]
    missing = con.execute(f"SELECT count(*) FROM (({FULL}) EXCEPT ALL SELECT * FROM posting_lineage)").fetchone()[0]
    return stale, missing, con.execute("SELECT count(*) FROM posting_lineage").fetchone()[0]


def test_lineage_follows_every_change_a_replay_makes(con):
    # Week 1: cluster gh:1 (founder gh:1, duplicate gh:2) and a lone gh:3.
    canonical(con, "gh:1", "2026-W01", "2026-W01", 2)
    canonical(con, "gh:3", "2026-W01", "2026-W01", 1)
    member(con, "gh:1", "gh:1", "founder", "2026-W01", "2026-W01", 1)
    member(con, "gh:2", "gh:1", "duplicate", "2026-W01", "2026-W01", 1)
    member(con, "gh:3", "gh:3", "founder", "2026-W01", "2026-W01", 1)
    assert refresh(con, ["2026-W01"]) == (0, 0, 3)
    # Week 2: only the founder gh:1 is listed again. The cluster's last_seen moves,
    # so the duplicate gh:2's row (its own dates unchanged) must show it too.
    member(con, "gh:1", "gh:1", "founder", "2026-W01", "2026-W02", 2)
    canonical(con, "gh:1", "2026-W01", "2026-W02", 2)
    assert refresh(con, ["2026-W02"]) == (0, 0, 3)
    assert con.execute("SELECT canonical_last_seen FROM posting_lineage WHERE posting_key = 'gh:2'").fetchone()[0] == "2026-W02"
    # Week 3: a new posting gh:4 joins gh:3's cluster as a repost.
    member(con, "gh:4", "gh:3", "repost", "2026-W03", "2026-W03", 1)
    canonical(con, "gh:3", "2026-W01", "2026-W03", 2)
    assert refresh(con, ["2026-W03"]) == (0, 0, 4)
    # A backfill of week 2 whose new data no longer lists gh:1 there: the replay
    # takes gh:1 and its cluster back to week 1.
    member(con, "gh:1", "gh:1", "founder", "2026-W01", "2026-W01", 1)
    canonical(con, "gh:1", "2026-W01", "2026-W01", 2)
    assert refresh(con, ["2026-W02", "2026-W03"]) == (0, 0, 4)
    # A member that left the dedupe tables leaves no lineage row behind.
    con.execute("DELETE FROM int_source_postings WHERE posting_key = 'gh:4'")
    canonical(con, "gh:3", "2026-W01", "2026-W03", 1)
    assert refresh(con, ["2026-W03"]) == (0, 0, 3)
