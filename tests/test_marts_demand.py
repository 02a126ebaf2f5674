"""Demand marts on a hand-made history whose every number is computed below
by hand: de-duplication across sources, a posting missed by one crawl that
stays active, strength precedence, cells with rollups, trailing mean, index,
week-over-week change and location quotient.

History (company | title | location make the dedupe blocking key):
  a  greenhouse:a  SOC 15, US  aws-saa required                    W10 W11 W12 W13
  b  greenhouse:b  SOC 15, US  aws-saa preferred AND required      W10 W11
  c  greenhouse:c  SOC 13, DE  nothing                             W10 W11
  d  greenhouse:d  SOC 15, DE  aws-saa or-equivalent               W10     W12
  d' lever:d       the same job as d (same key, same text)        W10
  e  greenhouse:e  SOC 15, US  nothing                                     W12
"""
from __future__ import annotations

import duckdb
import pytest

from conftest import write_clean_postings, write_mentions
from credwatch.settings import paths
from warehouse.load import load_weeks
from warehouse.models import tables
from warehouse.publish import table_checksum

FILLER = ("We build reliable cloud platforms for hospitals and clinics across the region and "
          "our engineers own services from design to production with on call rotations shared fairly")
POSTINGS = {
    "greenhouse:a": dict(company="Acme", title="Cloud Engineer", location_raw="Austin, TX", soc_major="15", country="US",
                         mentions=[("aws-saa", "required")]),
    "greenhouse:b": dict(company="Bolt", title="Platform Engineer", location_raw="Boston, MA", soc_major="15", country="US",
                         mentions=[("aws-saa", "preferred"), ("aws-saa", "required")]),
    "greenhouse:c": dict(company="Cura", title="Accountant", location_raw="Berlin", soc_major="13", country="DE",
                         mentions=[]),
    "greenhouse:d": dict(company="Delta", title="DevOps Engineer", location_raw="Munich", soc_major="15", country="DE",
                         mentions=[("aws-saa", "or_equivalent")]),
    "lever:d": dict(company="Delta", title="DevOps Engineer", location_raw="Munich", soc_major="15", country="DE",
                    mentions=[("aws-saa", "or_equivalent")]),
    "greenhouse:e": dict(company="Echo", title="Software Engineer", location_raw="Denver, CO", soc_major="15", country="US",
                         mentions=[]),
}
LISTED = {
    "2026-W10": ["greenhouse:a", "greenhouse:b", "greenhouse:c", "greenhouse:d", "lever:d"],
    "2026-W11": ["greenhouse:a", "greenhouse:b", "greenhouse:c"],
    "2026-W12": ["greenhouse:a", "greenhouse:d", "greenhouse:e"],
    "2026-W13": ["greenhouse:a"],
}


def write_week(week: str) -> None:
    part = paths().clean_partition(week)
    part.mkdir(parents=True, exist_ok=True)
    rows, mentions = [], []
    for key in LISTED[week]:
        p = POSTINGS[key]
        lines = [FILLER] + [f"{cid} {strength}" for cid, strength in p["mentions"]]
        source, sid = key.split(":")
        rows.append({"posting_key": key, "week": week, "source": source, "source_id": sid, "company": p["company"],
                     "title": p["title"], "location_raw": p["location_raw"], "soc_major": p["soc_major"],
                     "country": p["country"], "text": "\n".join(lines)})
        for k, (cid, strength) in enumerate(p["mentions"], start=1):
            mentions.append({"posting_key": key, "entity_type": "credential", "entity_id": cid, "surface": cid, "line_no": k,
                             "line_start": sum(len(x) + 1 for x in lines[:k]), "section": "requirements", "strength": strength,
                             "counts_as_demand": True, "rule": "dictionary", "week": week})
    write_clean_postings(part / "postings.parquet", rows)
    write_mentions(part / "mentions.parquet", mentions)


@pytest.fixture
def history(lake):
    for week in LISTED:
        write_week(week)
    return lake


def cell(con, week, soc="ALL", region="ALL", cid="aws-saa"):
    row = con.execute(
        "SELECT * FROM credential_demand_weekly WHERE week = ? AND credential_id = ? AND soc_major = ? AND region = ?",
        [week, cid, soc, region],
    ).fetchone()
    if row is None:
        return None
    cols = [d[0] for d in con.description]
    return dict(zip(cols, row))


def test_a_posting_missed_by_one_crawl_stays_active_and_the_gap_week_is_rebuilt(history):
    load_weeks(["2026-W10", "2026-W11"])
    con = duckdb.connect(str(paths().work_db), read_only=True)
    assert cell(con, "2026-W11")["active_postings"] == 3  # d not seen since W10: not (yet) active
    assert cell(con, "2026-W11")["mentioning_postings"] == 2
    con.close()
    out = load_weeks(["2026-W12"])
    # d reappears in W12: it was active in W11 too, so W11's marts are rebuilt.
    assert out["marts_rebuilt"] == ["2026-W11", "2026-W12"]
    assert out["dedupe_replayed"] == ["2026-W12"]
    con = duckdb.connect(str(paths().work_db), read_only=True)
    w11 = cell(con, "2026-W11")
    assert (w11["active_postings"], w11["mentioning_postings"]) == (4, 3)
    assert con.execute("SELECT total_postings, posting_intensity FROM postings_weekly WHERE week = '2026-W11' "
                       "AND soc_major = 'ALL' AND region = 'ALL'").fetchone() == (3, 0.75)


def test_hand_computed_demand_cells(history):
    load_weeks(list(LISTED))
    con = duckdb.connect(str(paths().work_db), read_only=True)
    w10 = cell(con, "2026-W10")
    # d and its Lever copy are one posting: 4 unique of 5 listings.
    assert (w10["active_postings"], w10["new_postings"], w10["mentioning_postings"], w10["new_mentioning_postings"]) == (4, 4, 3, 3)
    assert con.execute("SELECT unique_postings, total_postings, posting_intensity FROM postings_weekly "
                       "WHERE week = '2026-W10' AND soc_major = 'ALL' AND region = 'ALL'").fetchone() == (4, 5, 1.25)
    # b says preferred and required: it counts once, as required.
    assert (w10["demand_share"], w10["required_share"], w10["preferred_share"], w10["or_equivalent_share"]) == (0.75, 0.5, 0.0, 0.25)
    assert w10["employers"] == 3
    assert w10["demand_index"] == 100.0 and w10["wow_change_pp"] is None and w10["yoy_change_pp"] is None
    # Cells: SOC 15 in the US holds a and b, both asking: share 1, LQ 1 / 0.75.
    us15 = cell(con, "2026-W10", "15", "US")
    assert (us15["active_postings"], us15["demand_share"]) == (2, 1.0)
    assert us15["location_quotient"] == pytest.approx(1 / 0.75)
    de = cell(con, "2026-W10", "ALL", "DE")
    assert (de["active_postings"], de["demand_share"]) == (2, 0.5)
    assert de["location_quotient"] == pytest.approx(0.5 / 0.75)
    assert cell(con, "2026-W10", "13", "DE") is None  # a cell where it was never asked for has no row
    # W12: a, d (not new) and e (new) are active; a and d ask.
    w12 = cell(con, "2026-W12")
    assert (w12["active_postings"], w12["new_postings"], w12["mentioning_postings"]) == (3, 1, 2)
    assert w12["wow_change_pp"] == pytest.approx(100 * (2 / 3 - 0.75))
    assert w12["demand_share_4wk"] == pytest.approx((0.75 + 0.75 + 2 / 3) / 3)
    # W13: only a, asking: trailing mean of four weeks and the index against W10's 0.75.
    w13 = cell(con, "2026-W13")
    assert w13["demand_share"] == 1.0
    assert w13["demand_share_4wk"] == pytest.approx((0.75 + 0.75 + 2 / 3 + 1.0) / 4)
    assert w13["demand_index"] == pytest.approx(100 * ((0.75 + 0.75 + 2 / 3 + 1.0) / 4) / 0.75)
    # 15 x DE had d asking in W12 and nobody active there in W13: no row in W13.
    assert cell(con, "2026-W12", "15", "DE")["demand_share"] == 1.0
    assert cell(con, "2026-W13", "15", "DE") is None


def test_every_registry_credential_has_an_all_row_each_week(history):
    load_weeks(list(LISTED))
    con = duckdb.connect(str(paths().work_db), read_only=True)
    n_cred = con.execute("SELECT count(*) FROM dim_credential").fetchone()[0]
    per_week = con.execute("SELECT week, count(*) FROM credential_demand_weekly WHERE soc_major = 'ALL' AND region = 'ALL' "
                           "GROUP BY week ORDER BY week").fetchall()
    assert per_week == [(w, n_cred) for w in LISTED]
    shares = con.execute("SELECT min(demand_share), max(demand_share) FROM credential_demand_weekly WHERE credential_id <> 'aws-saa'").fetchone()
    assert shares == (0.0, 0.0)


def test_posting_lineage(history):
    load_weeks(list(LISTED))
    con = duckdb.connect(str(paths().work_db), read_only=True)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT posting_key, canonical_id, link, first_seen, last_seen, weeks_seen, canonical_first_seen, canonical_last_seen, canonical_members "
        "FROM posting_lineage").fetchall()}
    assert rows["greenhouse:d"] == ("greenhouse:d", "founder", "2026-W10", "2026-W12", 2, "2026-W10", "2026-W12", 2)
    assert rows["lever:d"] == ("greenhouse:d", "duplicate", "2026-W10", "2026-W10", 1, "2026-W10", "2026-W12", 2)
    assert rows["greenhouse:a"][1:5] == ("founder", "2026-W10", "2026-W13", 4)
    assert len(rows) == len(POSTINGS)


def test_backfill_and_rerun_give_identical_contents(history):
    load_weeks(list(LISTED))
    con = duckdb.connect(str(paths().work_db), read_only=True)
    before = {t.name: table_checksum(con, t.name) for t in tables()}
    con.close()
    out = load_weeks(["2026-W11"])  # a backfill in the middle replays dedupe from W11 and rebuilds W11..W13
    assert out["marts_rebuilt"] == ["2026-W11", "2026-W12", "2026-W13"]
    load_weeks(["2026-W13"])
    con = duckdb.connect(str(paths().work_db), read_only=True)
    assert {t.name: table_checksum(con, t.name) for t in tables()} == before
