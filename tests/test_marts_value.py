"""credential_value_weekly, credential_inflation, degree_requirements_weekly:
hand-computed small fixtures, suppression, planted truths of the snapshot
generator, idempotent reruns."""
from __future__ import annotations

import statistics
from pathlib import Path

import duckdb
import polars as pl
import pytest

from conftest import write_clean_postings, write_mentions
from credwatch.settings import paths
from credwatch.weeks import shift
from snapshot.planted import CALENDAR, PLANTED, SALARY_PREMIUM
from transforms.offerings import OFFERING_SCHEMA
from warehouse.load import load_weeks
from warehouse.publish import table_checksum
from warehouse.models import tables

MY_TABLES = ("credential_value_weekly", "credential_inflation", "degree_requirements_weekly")


def write_week(week: str, postings: list[dict], mentions: list[dict], offerings: list[dict] | None = None) -> None:
    part = paths().clean_partition(week)
    part.mkdir(parents=True, exist_ok=True)
    write_clean_postings(part / "postings.parquet",
                         [{"week": week, "source": "gh", "source_id": p["posting_key"].split(":")[1]} | p for p in postings])
    write_mentions(part / "mentions.parquet", [{"week": week, "line_start": 0, "section": "requirements",
                                                "rule": "dictionary"} | m for m in mentions])
    if offerings is not None:
        pl.DataFrame([{"week": week, "source": "coursera", "status": "active", "link_method": "exam_code"} | o
                      for o in offerings], schema=OFFERING_SCHEMA).write_parquet(part / "offerings.parquet")


def cred(key: str, cid: str, strength: str = "required", demand: bool = True, line: int = 0) -> dict:
    return {"posting_key": key, "entity_type": "credential", "entity_id": cid, "surface": cid, "line_no": line,
            "strength": strength, "counts_as_demand": demand}


def degree(key: str, level: str, strength: str = "required", demand: bool = True, line: int = 50) -> dict:
    return {"posting_key": key, "entity_type": "degree", "entity_id": level, "surface": level, "line_no": line,
            "strength": strength, "counts_as_demand": demand}


def ro():
    return duckdb.connect(str(paths().work_db), read_only=True)


def rows(con, sql: str, *args) -> list[dict]:
    cur = con.execute(sql, list(args))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# ----------------------------------------------------------------------------- credential_value_weekly

W = "2026-W10"


@pytest.fixture
def value_week(lake):
    """One week. Cell 15 x US: 30 postings require aws-saa (salaries 130k..159k),
    40 do not ask for it (100k..139k; 5 of them name it only as a perk), 3
    prefer it (on neither side), 2 require it without a salary. Cell 13 x US:
    2 require it (60k), 12 do not (50k). Cell 15 x DE: 5 require it (90k),
    8 do not (80k): too few everywhere."""
    P, M = [], []

    def post(key, soc, country, salary):
        P.append({"posting_key": key, "soc_major": soc, "country": country, "salary_mid_usd": salary})

    for i in range(30):
        post(f"gh:r{i}", "15", "US", 130_000 + 1000 * i)
        M.append(cred(f"gh:r{i}", "aws-saa"))
    for i in range(40):
        post(f"gh:n{i}", "15", "US", 100_000 + 1000 * i)
        if i < 5:
            M.append(cred(f"gh:n{i}", "aws-saa", "none", demand=False))
    for i in range(3):
        post(f"gh:p{i}", "15", "US", 500_000)
        M.append(cred(f"gh:p{i}", "aws-saa", "preferred"))
    for i in range(2):
        post(f"gh:x{i}", "15", "US", None)
        M.append(cred(f"gh:x{i}", "aws-saa"))
    for i in range(2):
        post(f"gh:a{i}", "13", "US", 60_000)
        M.append(cred(f"gh:a{i}", "aws-saa"))
    for i in range(12):
        post(f"gh:b{i}", "13", "US", 50_000)
    for i in range(5):
        post(f"gh:d{i}", "15", "DE", 90_000)
        M.append(cred(f"gh:d{i}", "aws-saa"))
    for i in range(8):
        post(f"gh:e{i}", "15", "DE", 80_000)
    write_week(W, P, M)
    load_weeks([W])
    return lake


def test_value_cell_premium_hand_computed(value_week):
    con = ro()
    r = rows(con, "SELECT * FROM credential_value_weekly WHERE week = ? AND credential_id = 'aws-saa' "
                  "AND soc_major = '15' AND region = 'US'", W)[0]
    req = [130_000 + 1000 * i for i in range(30)]
    ref = [100_000 + 1000 * i for i in range(40)]  # perk-only postings stay in the reference
    expected = 100 * (statistics.median(req) / statistics.median(ref) - 1)  # 144.5k / 119.5k - 1 = 20.92 %
    assert r["estimator"] == "cell"
    assert (r["required_postings"], r["n_required"], r["n_not_mentioning"], r["cells_used"]) == (32, 30, 40, 1)
    assert r["median_salary_required_usd"] == 144_500 and r["median_salary_not_mentioning_usd"] == 119_500
    assert r["premium_pct"] == pytest.approx(expected) and round(expected, 2) == 20.92
    assert r["premium_ci_low_pct"] < r["premium_pct"] < r["premium_ci_high_pct"]
    assert not r["suppressed"] and r["suppressed_reason"] is None


def test_value_pooled_row_is_cell_adjusted(value_week):
    con = ro()
    r = rows(con, "SELECT * FROM credential_value_weekly WHERE week = ? AND credential_id = 'aws-saa' "
                  "AND soc_major = 'ALL' AND region = 'ALL'", W)[0]
    # 15 x US and 13 x US take part (>= 10 reference salaries); 15 x DE (8) does not.
    ratios = [(130_000 + 1000 * i) / 119_500 for i in range(30)] + [60_000 / 50_000] * 2
    assert r["estimator"] == "cell_adjusted"
    assert (r["required_postings"], r["n_required"], r["n_not_mentioning"], r["cells_used"]) == (39, 32, 52, 2)
    assert r["premium_pct"] == pytest.approx(100 * (statistics.median(ratios) - 1))
    assert round(r["premium_pct"], 3) == 20.251
    # The raw pooled medians would mix 50k and 100k+ jobs: the premium is not their ratio.
    assert r["median_salary_not_mentioning_usd"] == statistics.median([100_000 + 1000 * i for i in range(40)] + [50_000] * 12)


def test_value_small_cells_are_suppressed_not_zero(value_week):
    con = ro()
    got = {(r["soc_major"], r["region"]): r for r in rows(
        con, "SELECT * FROM credential_value_weekly WHERE week = ? AND credential_id = 'aws-saa'", W)}
    # Row rule: a cell has a row when a posting there requires the credential.
    assert set(got) == {("15", "US"), ("13", "US"), ("15", "DE"), ("15", "ALL"), ("13", "ALL"),
                        ("ALL", "US"), ("ALL", "DE"), ("ALL", "ALL")}
    de = got[("15", "DE")]
    assert de["suppressed"] and de["premium_pct"] is None and de["premium_ci_low_pct"] is None
    assert de["suppressed_reason"] == ("requiring postings with a salary: 5 < 30; "
                                       "reference postings with a salary: 8 < 30")
    assert (de["n_required"], de["n_not_mentioning"]) == (5, 8)
    # Pooled over DE only: its one cell has < 10 references, so nothing is left.
    all_de = got[("ALL", "DE")]
    assert all_de["suppressed"] and all_de["premium_pct"] is None and all_de["cells_used"] == 0
    assert "cells with < 10 reference salaries left out" in all_de["suppressed_reason"]
    assert got[("13", "US")]["suppressed"] and got[("13", "US")]["premium_pct"] is None
    assert con.execute("SELECT count(*) FROM credential_value_weekly WHERE suppressed AND "
                       "(premium_pct IS NOT NULL OR suppressed_reason IS NULL)").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM credential_value_weekly WHERE NOT suppressed AND "
                       "(n_required < 30 OR n_not_mentioning < 30)").fetchone()[0] == 0


# ----------------------------------------------------------------------------- degree_requirements_weekly

def _degree_week(week: str, prefix: str, a4_bachelor: bool) -> None:
    k = lambda s: f"gh:{prefix}{s}"  # noqa: E731
    P = [{"posting_key": k(s), "soc_code": code, "soc_major": code[:2] if code else None, "country": "US"}
         for s, code in (("a1", "15-1252.00"), ("a2", "15-1252.00"), ("a3", "15-1252.00"), ("a4", "15-1252.00"),
                         ("b1", "29-1141.00"), ("b2", "29-1141.00"), ("c1", None))]
    M = [degree(k("a1"), "bachelor"),
         degree(k("a2"), "bachelor", "or_equivalent"),
         degree(k("a3"), "master", "preferred"), degree(k("a3"), "high_school", line=51),
         degree(k("b1"), "bachelor"), degree(k("b1"), "master", "or_equivalent", line=51),
         degree(k("b2"), "associate"), degree(k("b2"), "master", "none", demand=False, line=51),  # tuition perk
         degree(k("c1"), "doctorate")]
    if a4_bachelor:
        M.append(degree(k("a4"), "bachelor"))
    write_week(week, P, M)


def test_degree_requirements_hand_computed(lake):
    _degree_week("2026-W01", "o", a4_bachelor=False)
    year_later = shift("2026-W01", 52)  # 2026 has 53 ISO weeks: 2026-W53 + 52 weeks
    _degree_week(year_later, "y", a4_bachelor=True)
    load_weeks(["2026-W01", year_later])
    con = ro()
    got = {(r["week"], r["soc_major"], r["soc_code"]): r for r in rows(con, "SELECT * FROM degree_requirements_weekly")}
    sw, rn = 0.6161, 0.5735  # education_ba_plus.csv: 15-1252.00 (imputed, broad_group_mean), 29-1141.00
    dev = got[("2026-W01", "15", "15-1252.00")]
    assert (dev["active_postings"], dev["ba_plus_postings"]) == (4, 2)
    assert (dev["ba_plus_share"], dev["ba_plus_strict_share"], dev["or_equivalent_share"],
            dev["ba_plus_preferred_share"]) == (0.5, 0.25, 0.25, 0.25)
    assert (dev["incumbent_postings"], dev["incumbent_imputed_postings"]) == (4, 4)
    assert dev["incumbent_ba_plus_share"] == pytest.approx(sw)
    assert dev["credential_gap_pp"] == pytest.approx(100 * (0.5 - sw))
    assert dev["ba_plus_share_yoy_pp"] is None
    nurse = got[("2026-W01", "29", "29-1141.00")]
    # b1: required beats or_equivalent; b2: associate only (the master's is a perk).
    assert (nurse["ba_plus_share"], nurse["ba_plus_strict_share"], nurse["or_equivalent_share"]) == (0.5, 0.5, 0.0)
    assert nurse["credential_gap_pp"] == pytest.approx(100 * (0.5 - rn))
    unknown = got[("2026-W01", "unknown", "unknown")]
    assert unknown["ba_plus_share"] == 1.0 and unknown["incumbent_ba_plus_share"] is None
    assert unknown["credential_gap_pp"] is None and unknown["incumbent_postings"] == 0
    nat = got[("2026-W01", "ALL", "ALL")]
    assert (nat["active_postings"], nat["ba_plus_postings"], nat["incumbent_postings"]) == (7, 4, 6)
    incumbent = (4 * sw + 2 * rn) / 6  # weighted by postings
    assert nat["incumbent_ba_plus_share"] == pytest.approx(incumbent)
    assert nat["ba_plus_share_with_incumbent"] == pytest.approx(3 / 6)  # c1 has no O*NET value
    assert nat["credential_gap_pp"] == pytest.approx(100 * (0.5 - incumbent))
    assert got[("2026-W01", "15", "ALL")]["ba_plus_share"] == 0.5
    later = got[(year_later, "15", "15-1252.00")]
    assert later["ba_plus_share"] == 0.75 and later["ba_plus_share_yoy_pp"] == pytest.approx(25.0)
    assert later["or_equivalent_share_yoy_pp"] == pytest.approx(0.0)
    assert got[(year_later, "ALL", "ALL")]["ba_plus_share_yoy_pp"] == pytest.approx(100 * (5 / 7 - 4 / 7))


# ----------------------------------------------------------------------------- credential_inflation

INF_WEEKS = [f"2026-W{i:02d}" for i in range(1, 9)]


@pytest.fixture
def inflation_weeks(lake):
    """8 weeks: 300 postings active in W01-W04 (prior window), 300 others in W05-W08 (recent).
    Everything pays 100k except:
    - aws-saa (X): prior 40 require it at 120k; recent 80 require it at 100k; offerings 2 -> 6;
    - pmp (Y): prior 40, recent 60 require it, always at 120k; offerings 2 -> 4;
    - cissp (Z): prior 20 require it; recent 20 require and 40 prefer it; offerings 1 -> 3."""
    def window(prefix: str, groups: list[tuple[int, int, str, str, int]]):
        P, M = [], []
        pay = {}
        for lo, hi, cid, strength, salary in groups:
            for i in range(lo, hi):
                M.append(cred(f"gh:{prefix}{i}", cid, strength))
                pay[i] = salary
        P = [{"posting_key": f"gh:{prefix}{i}", "soc_major": "15", "country": "US", "salary_mid_usd": pay.get(i, 100_000)}
             for i in range(300)]
        return P, M

    prior = window("a", [(0, 40, "aws-saa", "required", 120_000), (40, 80, "pmp", "required", 120_000),
                         (80, 100, "cissp", "required", 100_000)])
    recent = window("b", [(0, 80, "aws-saa", "required", 100_000), (80, 140, "pmp", "required", 120_000),
                          (140, 160, "cissp", "required", 100_000), (160, 200, "cissp", "preferred", 100_000)])
    offers = lambda n: [{"offering_key": f"coursera:{c}{i}", "source_id": f"{c}{i}", "title": f"{c} {i}",  # noqa: E731
                         "credential_id": c} for c, k in n.items() for i in range(k)]
    for w in INF_WEEKS[:4]:
        write_week(w, *prior, offers({"aws-saa": 2, "pmp": 2, "cissp": 1}))
    for w in INF_WEEKS[4:]:
        write_week(w, *recent, offers({"aws-saa": 6, "pmp": 4, "cissp": 3}))
    load_weeks(INF_WEEKS)
    return lake


def test_inflation_hand_computed(inflation_weeks):
    con = ro()
    # Windows of 4 weeks need 8 loaded weeks: only the last as-of week has rows.
    assert [r[0] for r in con.execute("SELECT DISTINCT as_of_week FROM credential_inflation").fetchall()] == ["2026-W08"]
    got = {r["credential_id"]: r for r in rows(con, "SELECT * FROM credential_inflation")}
    assert len(got) == con.execute("SELECT count(*) FROM dim_credential").fetchone()[0]
    x = got["aws-saa"]
    assert (x["window_weeks"], x["prior_from"], x["prior_to"], x["recent_from"], x["recent_to"]) == (
        4, "2026-W01", "2026-W04", "2026-W05", "2026-W08")
    assert x["demand_change_pp"] == pytest.approx(100 * (80 / 300 - 40 / 300))
    assert (x["supply_prior"], x["supply_recent"], x["supply_change_pct"]) == (2.0, 6.0, 200.0)
    assert (x["n_required_prior"], x["n_required_recent"]) == (40, 80)
    # Every salary on each side is equal: the bootstrap cannot move the medians.
    assert (x["premium_prior_pct"], x["premium_recent_pct"]) == pytest.approx((20.0, 0.0))
    assert (x["premium_change_pp"], x["premium_change_ci_low_pp"], x["premium_change_ci_high_pp"]) == pytest.approx((-20, -20, -20))
    assert x["inflating"] and x["premium_falling"] and x["demand_rising"] and x["supply_rising"]
    assert x["inflating_reasons"] == ("demand share +13.3 pp (13.3% -> 26.7%); supply 2.0 -> 6.0 offerings (+200%); "
                                      "premium -20.0 pp (20.0% -> 0.0%, 90% interval -20.0..-20.0 pp)")
    y = got["pmp"]  # rising, more courses, premium stable: not inflation
    assert y["demand_rising"] and y["supply_rising"] and y["premium_falling"] is False and y["required_to_preferred"] is False
    assert not y["inflating"] and y["inflating_reasons"] is None
    assert y["premium_change_pp"] == pytest.approx(0.0)
    z = got["cissp"]  # premium suppressed (20 < 30), but required -> preferred
    assert z["premium_prior_pct"] is None and z["premium_falling"] is None
    assert (z["required_of_asks_prior"], z["required_of_asks_recent"]) == pytest.approx((1.0, 1 / 3))
    assert z["required_to_preferred"] and z["inflating"]
    assert "required part of asks -66.7 pp (100% of 20 -> 33% of 60 postings" in z["inflating_reasons"]
    # Supply is counted with credential_supply_weekly's definition (that table is built after this step).
    assert con.execute("""
        SELECT count(*) FROM credential_inflation i
        JOIN (SELECT credential_id, avg(active_offerings) AS a FROM credential_supply_weekly
              WHERE week BETWEEN '2026-W05' AND '2026-W08' GROUP BY 1) s USING (credential_id)
        WHERE abs(i.supply_recent - s.a) > 1e-9""").fetchone()[0] == 0


def test_inflation_windows_rule():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "inflation_step", Path(__file__).resolve().parents[1] / "warehouse/models/build/55_credential_inflation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    weeks = [f"2026-W{i:02d}" for i in range(1, 12)]  # 11 loaded
    assert mod.windows(weeks, "2026-W11", 26, 4) == (weeks[1:6], weeks[6:11])  # 5 + 5, the oldest left out
    assert mod.windows(weeks, "2026-W07", 26, 4) is None  # 3 + 3 < 4
    full = [f"2025-W{i:02d}" for i in range(1, 53)] + weeks
    prior, recent = mod.windows(full, "2026-W11", 26, 4)
    assert (prior[0], prior[-1], recent[0], recent[-1]) == ("2025-W12", "2025-W37", "2025-W38", "2026-W11")


# ----------------------------------------------------------------------------- planted truths (snapshot generator)

def test_planted_aws_saa_premium_within_interval(lake):
    """A 4x bigger demo web (same generator, 4 boards per board) for the last 3
    calendar weeks: the cells are big enough to publish, and the interval of
    the aws-saa premium (planted +15 % on requiring postings) contains 15."""
    import snapshot_truth as T

    snap = T.snapshot(boards=4)
    weeks = CALENDAR[-3:]
    for w in weeks:
        T.write_week(paths().clean, snap, w)
    load_weeks(weeks)
    con = ro()
    truth = 100 * SALARY_PREMIUM[PLANTED["rising"]][0]
    got = rows(con, "SELECT * FROM credential_value_weekly WHERE credential_id = 'aws-saa' AND "
                    "((soc_major = 'ALL' AND region = 'ALL') OR (soc_major = '15' AND region = 'US')) ORDER BY week, soc_major")
    assert len(got) == 6
    for r in got:
        assert not r["suppressed"] and r["n_required"] >= 30, r
        assert r["premium_ci_low_pct"] <= truth <= r["premium_ci_high_pct"], r
        assert r["premium_ci_high_pct"] - r["premium_ci_low_pct"] < 15, r  # informative, not a wide net
    # Credentials with no planted premium show none: comptia-security-plus's intervals contain 0.
    for lo, hi in con.execute("SELECT premium_ci_low_pct, premium_ci_high_pct FROM credential_value_weekly "
                              "WHERE credential_id = 'comptia-security-plus' AND soc_major = 'ALL' AND region = 'ALL'").fetchall():
        assert lo <= 0 <= hi


@pytest.fixture(scope="module")
def demo_truth(tmp_path_factory):
    """The demo snapshot (16 calendar weeks, ~430 active postings a week), its
    truth written as clean partitions (tests/snapshot_truth.py) and loaded."""
    import snapshot_truth as T

    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDWATCH_LAKE", str(root / "lake"))
        mp.setenv("CREDWATCH_WAREHOUSE", str(root / "warehouse"))
        snap = T.snapshot()
        for w in CALENDAR:
            T.write_week(paths().clean, snap, w)
        load_weeks(CALENDAR)
        yield root


def test_planted_inflation_on_demo_snapshot(demo_truth, monkeypatch):
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(demo_truth / "warehouse"))
    con = ro()
    last = CALENDAR[-1]
    r = {x["credential_id"]: x for x in rows(con, "SELECT * FROM credential_inflation WHERE as_of_week = ?", last)}
    g = r[PLANTED["inflating"]]
    # 16 weeks loaded: the later 8 against the earlier 8.
    assert (g["window_weeks"], g["prior_from"], g["recent_from"]) == (8, CALENDAR[0], CALENDAR[8])
    assert g["inflating"] and g["demand_rising"] and g["supply_rising"] and g["premium_falling"]
    assert g["premium_prior_pct"] > g["premium_recent_pct"] and g["premium_change_ci_high_pp"] < 0
    assert "premium" in g["inflating_reasons"] and "supply" in g["inflating_reasons"]
    a = r[PLANTED["rising"]]
    assert a["demand_rising"] and not a["inflating"]
    assert con.execute("SELECT count(*) FROM credential_inflation WHERE credential_id = ? AND inflating",
                       [PLANTED["rising"]]).fetchone()[0] == 0
    assert {x[0] for x in con.execute("SELECT DISTINCT credential_id FROM credential_inflation WHERE inflating").fetchall()} \
        == {PLANTED["inflating"]}


def test_rerun_gives_identical_checksums(demo_truth, monkeypatch):
    monkeypatch.setenv("CREDWATCH_LAKE", str(demo_truth / "lake"))
    monkeypatch.setenv("CREDWATCH_WAREHOUSE", str(demo_truth / "warehouse"))
    con = ro()
    before = {t: table_checksum(con, t) for t in MY_TABLES}
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in MY_TABLES}
    con.close()
    assert all(counts.values()), counts
    load_weeks([CALENDAR[-2]])
    con = ro()
    assert {t: table_checksum(con, t) for t in MY_TABLES} == before
