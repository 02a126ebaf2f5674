"""Offerings normalisation and linking, the supply and candidates marts (hand-computed),
the linking evaluation command, and the planted supply recovered from the snapshot."""
from __future__ import annotations

import re
import shutil

import duckdb
import polars as pl
import pytest

from conftest import write_clean_postings, write_mentions, REPO
from credwatch.settings import paths
from transforms.offerings import OFFERING_SCHEMA, RAW_OFFERING_SCHEMA, clean_offerings, link_offerings, parse_hours


def raw(rows: list[dict]) -> pl.LazyFrame:
    return pl.DataFrame([{k: None for k in RAW_OFFERING_SCHEMA} | r for r in rows], schema=RAW_OFFERING_SCHEMA).lazy()


@pytest.mark.parametrize("text, hours", [
    ("PT22H", 22.0), ("P3D", 24.0), ("4 days, 8 hours a day", 32.0), ("4 weeks, 5-8 hours/week", 26.0),
    ("2 months at 10 hours a week", 86.6), ("14 hours to complete", 14.0), ("Weeks", None), (None, None),
])
def test_parse_hours(text, hours):
    got = pl.select(parse_hours(pl.lit(text, dtype=pl.String))).item()
    assert got == (pytest.approx(hours) if hours is not None else None)


def test_clean_offerings_prices_currencies_and_keys():
    df = clean_offerings(raw([
        {"source": "courses", "source_id": "a", "title": " CISSP Boot Camp ", "price_raw": "£1,150.00", "payload_sha256": "1"},
        {"source": "credly", "source_id": "b", "title": "Badge", "price_raw": "Free", "payload_sha256": "1"},
        {"source": "credly", "source_id": "c", "title": "Paid badge", "price_raw": "Paid", "payload_sha256": "1"},
        {"source": "mslearn", "source_id": "d", "title": "Course", "duration_hours": 32.0, "language": "en-us",
         "level": "Intermediate", "payload_sha256": "2"},
        {"source": "mslearn", "source_id": "d", "title": "Course", "duration_hours": 32.0, "payload_sha256": "3"},
        {"source": "courses", "source_id": None, "title": "no id"},
    ]), "2026-W30").collect()
    rows = {r["offering_key"]: r for r in df.to_dicts()}
    assert set(rows) == {"courses:a", "credly:b", "credly:c", "mslearn:d"}  # one row per key, keyless dropped
    assert (rows["courses:a"]["title"], rows["courses:a"]["price"], rows["courses:a"]["currency"]) == ("CISSP Boot Camp", 1150.0, "GBP")
    assert (rows["credly:b"]["price"], rows["credly:b"]["currency"]) == (0.0, "USD")
    assert rows["credly:c"]["price"] is None
    assert (rows["mslearn:d"]["language"], rows["mslearn:d"]["level"], rows["mslearn:d"]["duration_hours"]) == ("en", "intermediate", 32.0)


def link(rows: list[dict]) -> dict[str, tuple]:
    base = {"description": None, "provider": None, "credential_name": None, "exam_codes": []}
    df = pl.DataFrame([base | {"offering_key": str(i)} | r for i, r in enumerate(rows)],
                      schema={"offering_key": pl.String, "title": pl.String, "description": pl.String, "provider": pl.String,
                              "credential_name": pl.String, "exam_codes": pl.List(pl.String)})
    out = link_offerings(df.lazy()).collect()
    return {r["title"]: (r["credential_id"], r["link_method"], r["link_score"]) for r in out.to_dicts()}


def test_link_methods_and_scores():
    got = link([
        {"title": "Exam Prep", "exam_codes": ["SAA-C03"]},
        {"title": "Microsoft Azure Administrator (AZ-104T00)"},
        {"title": "Google Data Analytics Professional Certificate"},
        {"title": "Ultimate CISSP Boot Camp"},
        {"title": "Phlebotomy Technician Program", "credential_name": "Certified Phlebotomy Technician (CPT)"},
        {"title": "Professional Data Engineer Exam Guide (Google Cloud)"},
        {"title": "AWS Cloud Technical Essentials"},
        {"title": "CNA Financial underwriting basics"},  # ambiguous acronym, no nursing context
        {"title": "GAQM Certified Scrum Master Course"},  # longer name of another credential wins over csm
    ])
    assert got["Exam Prep"] == ("aws-saa", "exam_code", 1.0)
    assert got["Microsoft Azure Administrator (AZ-104T00)"] == ("ms-az-104", "exam_code", 1.0)
    assert got["Google Data Analytics Professional Certificate"] == ("google-data-analytics", "alias_exact", 0.95)
    assert got["Ultimate CISSP Boot Camp"] == ("cissp", "alias_in_title", 0.85)
    assert got["Phlebotomy Technician Program"] == ("nha-cpt", "alias_in_credential", 0.8)
    cid, method, score = got["Professional Data Engineer Exam Guide (Google Cloud)"]
    # title tokens without generic words {data, engineer, google, cloud} == the name's: Jaccard 1 -> 0.6 × 1
    assert (cid, method) == ("gcp-pde", "fuzzy") and score == pytest.approx(0.6)
    assert got["AWS Cloud Technical Essentials"] == (None, "none", None)
    assert got["CNA Financial underwriting basics"] == (None, "none", None)
    assert got["GAQM Certified Scrum Master Course"][0] == "gaqm-csm"


# -- supply and candidates marts on hand-made partitions ---------------------------------

def offering(week, key, cid, provider, price=None, currency=None, hours=None, status=None):
    return {c: None for c in OFFERING_SCHEMA} | {
        "week": week, "offering_key": key, "source": key.split(":")[0], "source_id": key.split(":")[1], "title": key,
        "provider": provider, "price": price, "currency": currency, "duration_hours": hours, "status": status,
        "credential_id": cid, "link_method": "alias_in_title" if cid else "none", "link_score": 0.85 if cid else None,
        "exam_codes": []}


@pytest.fixture
def supply_db(lake, monkeypatch):
    from transforms.candidates import CANDIDATE_SCHEMA
    from warehouse.load import load_weeks

    cfg = lake / "config"
    shutil.copytree(REPO / "config", cfg)
    monkeypatch.setenv("CREDWATCH_CONFIG", str(cfg))
    weeks = {
        # W10: cissp offered by A (USD 100, 10 h) and B (USD 300, 30 h) and C in GBP; pmp only by an archived badge.
        "2026-W10": [offering("2026-W10", "c:1", "cissp", "Provider A", 100.0, "USD", 10.0),
                     offering("2026-W10", "c:2", "cissp", "provider a", 300.0, "USD", 30.0),
                     offering("2026-W10", "c:3", "cissp", "Provider C", 900.0, "GBP", None),
                     offering("2026-W10", "b:9", "pmp", "PMI", None, None, None, "archived"),
                     offering("2026-W10", "c:4", None, "Provider A", 50.0, "USD", 5.0)],
        # W11: c:2 gone, c:5 new (USD 200, 20 h).
        "2026-W11": [offering("2026-W11", "c:1", "cissp", "Provider A", 100.0, "USD", 10.0),
                     offering("2026-W11", "c:3", "cissp", "Provider C", 900.0, "GBP", None),
                     offering("2026-W11", "c:5", "cissp", "Provider D", 200.0, "USD", 20.0)],
    }
    cands = {"2026-W10": [("posting", "gh:1", "acme certified widget pro", "Acme Certified Widget Pro", "certified", "Acme Certified Widget Pro required")],
             "2026-W11": [("posting", "gh:2", "acme certified widget pro", "Acme Certified Widget Pro", "certified", "- Acme Certified Widget Pro"),
                          ("offering", "c:4", "acme certified widget pro", "ACME Certified Widget Pro", "certified", "Widget course"),
                          ("posting", "gh:2", "xyz 123", "XYZ-123", "exam_code", "Pass XYZ-123")]}
    for week, rows in weeks.items():
        part = paths().clean_partition(week)
        part.mkdir(parents=True)
        write_clean_postings(part / "postings.parquet", [{"posting_key": "gh:1", "week": week, "source": "gh", "source_id": "1"}])
        write_mentions(part / "mentions.parquet", [])
        pl.DataFrame(rows, schema=OFFERING_SCHEMA).write_parquet(part / "offerings.parquet")
        pl.DataFrame([dict(zip(("doc_kind", "doc_key", "candidate_key", "candidate", "kind", "example"), c)) | {"week": week}
                      for c in cands[week]], schema=CANDIDATE_SCHEMA).write_parquet(part / "candidates.parquet")
    load_weeks(sorted(weeks))
    con = duckdb.connect(str(paths().work_db), read_only=True)
    yield con
    con.close()


def test_supply_mart_hand_computed(supply_db):
    rows = {(w, c): r for w, c, *r in supply_db.execute(
        "SELECT week, credential_id, active_offerings, providers, new_offerings, median_price_usd, median_hours "
        "FROM credential_supply_weekly").fetchall()}
    # W10: 3 active cissp offerings, 2 providers ("Provider A" twice in two spellings, C); first week: new unknown;
    # USD prices 100 and 300 -> median 200 (GBP ignored); hours 10, 30 -> 20.
    assert rows[("2026-W10", "cissp")] == [3, 2, None, 200.0, 20.0]
    # W11: c:1, c:3, c:5 -> 3 offerings, 3 providers, 1 new (c:5); USD 100, 200 -> 150; hours 10, 20 -> 15.
    assert rows[("2026-W11", "cissp")] == [3, 3, 1, 150.0, 15.0]
    assert rows[("2026-W10", "pmp")] == [0, 0, None, None, None]  # archived badge: not offered
    assert rows[("2026-W11", "pmp")] == [0, 0, 0, None, None]
    n_cred = supply_db.execute("SELECT count(*) FROM dim_credential").fetchone()[0]
    assert len(rows) == 2 * n_cred  # full grid; grain unique
    assert supply_db.execute("SELECT count(*) FROM dim_credential WHERE type = 'degree'").fetchone()[0] == 0
    seen = supply_db.execute("SELECT offering_key, min(first_seen), max(last_seen) FROM int_offerings GROUP BY 1 ORDER BY 1").fetchall()
    assert ("c:2", "2026-W10", "2026-W10") in seen and ("c:1", "2026-W10", "2026-W11") in seen


def test_candidates_mart_hand_computed(supply_db):
    rows = {r[0]: r[1:] for r in supply_db.execute(
        "SELECT candidate_key, candidate, kind, n_postings, n_offerings, n_weeks, first_seen, last_seen, examples "
        "FROM credential_candidates").fetchall()}
    assert rows["acme certified widget pro"] == ("Acme Certified Widget Pro", "certified", 2, 1, 2, "2026-W10", "2026-W11",
                                                 ["- Acme Certified Widget Pro", "Acme Certified Widget Pro required", "Widget course"])
    assert rows["xyz 123"][:4] == ("XYZ-123", "exam_code", 1, 0)


# -- the linking evaluation ------------------------------------------------------------

PRECISION_FLOOR, RECALL_FLOOR = 0.90, 0.85


def test_eval_links_command_prints_precision_and_recall(capsys):
    from credwatch.cli import main

    assert main(["eval-links"]) == 0
    out = capsys.readouterr().out
    m = re.search(r"precision (\d\.\d+)\s+recall (\d\.\d+)", out)
    assert m, out
    precision, recall = float(m.group(1)), float(m.group(2))
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, out
    rows = re.search(r"(\d+) labelled offerings \((\d+) with a credential, (\d+) without\)", out)
    assert int(rows.group(1)) >= 100 and int(rows.group(3)) >= 20  # hard negatives are part of the sample


# -- planted supply, end to end over the snapshot's catalogs ------------------------------

def test_planted_supply_recovered(lake):
    from scrapers.run import crawl
    from snapshot import catalogs
    from snapshot.planted import CALENDAR
    from snapshot.server import SnapshotServer
    from transforms.normalize import normalize_week
    from warehouse.load import load_weeks

    weeks = [CALENDAR[0], CALENDAR[-1]]
    with SnapshotServer() as server:
        for week in weeks:
            for source in ("coursera", "credly", "courses"):
                crawl(source, week, snapshot_url=server.url, timeout_s=300)
    for week in weeks:
        normalize_week(week)
    load_weeks(weeks)
    con = duckdb.connect(str(paths().work_db), read_only=True)
    got = {(w, c): n for w, c, n in con.execute(
        "SELECT week, credential_id, active_offerings FROM credential_supply_weekly WHERE active_offerings > 0").fetchall()}
    con.close()
    truth: dict = {}
    for week in weeks:
        for t in catalogs.truth(week):
            if t["credential_id"] and not t["credential_id"].startswith("degree-"):
                truth[(week, t["credential_id"])] = truth.get((week, t["credential_id"]), 0) + 1
    assert got == truth
    assert got[(CALENDAR[0], "google-data-analytics")] == 3 and got[(CALENDAR[-1], "google-data-analytics")] == 18
    assert got[(CALENDAR[0], "aws-saa")] == got[(CALENDAR[-1], "aws-saa")] == 5
