"""A small published database for the analyst tests (CLI, dashboard, guide).

Every published table is created from its DDL (warehouse/models/ddl), so the
fixture follows the tables as they gain columns; a few hand-made rows go into
the marts the analyst features read, and the real `warehouse.publish.publish`
copies them into <warehouse>/credwatch.duckdb and the Parquet exports.

Rows are given as dicts; columns a table does not have are dropped and NOT
NULL columns a row does not give get a neutral value, so a mart whose DDL
changes does not break the fixture (its assertions may, as they should).

Known values (used by the tests):
- 6 weeks 2026-W37..2026-W42; SOC 15 (computer and mathematical) and 13
  (business and financial), regions US and GB.
- aws-saa in SOC 15 x ALL: demand_share_4wk 0.030, 0.034, ... 0.050 (rising
  by 0.004 a week); premium +15 % [9, 21] in the SOC 15 cell, not inflating.
- google-data-analytics in SOC 15 x ALL: 0.020 .. 0.045 (rising faster),
  premium suppressed in the cell, pooled ALL x ALL +1 % [-4, 6], inflating.
- pmp falling; comptia-security-plus flat.
"""
from __future__ import annotations

import datetime as dt

import duckdb

WEEKS = [f"2026-W{n}" for n in range(37, 43)]
CREDENTIALS = {
    # id: (name, issuer, related skills, stacks into)
    "aws-saa": ("AWS Certified Solutions Architect – Associate", "Amazon Web Services",
                ["Amazon Web Services", "Cloud architecture"], ["aws-sap"]),
    "aws-sap": ("AWS Certified Solutions Architect – Professional", "Amazon Web Services",
                ["Amazon Web Services", "Cloud migration"], []),
    "google-data-analytics": ("Google Data Analytics Professional Certificate", "Google",
                              ["SQL", "Tableau", "Spreadsheets"], []),
    "pmp": ("Project Management Professional (PMP)", "PMI", ["Project management"], []),
    "comptia-security-plus": ("CompTIA Security+", "CompTIA", ["Network security"], ["comptia-cysa"]),
    "comptia-cysa": ("CompTIA CySA+", "CompTIA", ["Threat analysis"], []),
}
# demand_share_4wk in SOC 15 x ALL at week index i (0..5)
SHARE_15 = {
    "aws-saa": lambda i: 0.030 + 0.004 * i,
    "google-data-analytics": lambda i: 0.020 + 0.005 * i,
    "pmp": lambda i: 0.060 - 0.006 * i,
    "comptia-security-plus": lambda i: 0.040,
    "aws-sap": lambda i: 0.010,
}
CELLS = [("ALL", "ALL"), ("15", "ALL"), ("15", "US"), ("13", "ALL"), ("13", "US"), ("15", "GB")]
ACTIVE = {("ALL", "ALL"): 1000, ("15", "ALL"): 500, ("15", "US"): 300, ("13", "ALL"): 300, ("13", "US"): 200,
          ("15", "GB"): 200}
SOURCES = ["greenhouse", "lever", "coursera"]


def _filler(dtype: str):
    dtype = dtype.upper()
    if dtype.endswith("[]"):
        return []
    if dtype in ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT"):
        return 0
    if dtype in ("DOUBLE", "FLOAT", "DECIMAL"):
        return 0.0
    if dtype == "BOOLEAN":
        return False
    if dtype == "DATE":
        return dt.date(2026, 1, 5)
    return ""


def insert(con, table: str, rows: list[dict]) -> int:
    """Insert dict rows into `table` by column name (see module docstring)."""
    desc = con.execute(f'DESCRIBE "{table}"').fetchall()
    cols = [(r[0], r[1], r[2] == "NO") for r in desc]
    values = []
    for row in rows:
        values.append([row[c] if c in row else (_filler(t) if not_null else None) for c, t, not_null in cols])
    if values:
        ph = ", ".join("?" for _ in cols)
        con.executemany(f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c, _, _ in cols)}) VALUES ({ph})',
                        values)
    return len(values)


def _share(cid: str, soc: str, region: str, i: int) -> float:
    base = SHARE_15.get(cid, lambda _i: 0.0)(i)
    if soc == "13":
        return {"pmp": 0.05, "google-data-analytics": 0.03}.get(cid, 0.0)
    if soc == "ALL":
        return base * 0.6 + (0.02 if cid == "pmp" else 0.0)
    return base * (1.1 if region == "US" else 0.9 if region == "GB" else 1.0)


def rows() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {t: [] for t in (
        "dim_week", "dim_credential", "postings_weekly", "credential_demand_weekly", "credential_supply_weekly",
        "credential_value_weekly", "credential_inflation", "source_health_weekly", "skill_demand_weekly",
        "skill_credential_cooccurrence", "degree_requirements_weekly", "posting_lineage", "dim_skill",
        "dim_occupation")}
    for cid, (name, issuer, skills, stacks) in CREDENTIALS.items():
        out["dim_credential"].append({"credential_id": cid, "name": name, "issuer": issuer, "type": "certification",
                                      "level": "associate", "aliases": [name], "exam_codes": [], "stacks_into": stacks,
                                      "related_skills": skills, "licence": "fixture", "registry_version": "test"})
    for i, w in enumerate(WEEKS):
        monday = dt.date.fromisocalendar(2026, int(w[-2:]), 1)
        out["dim_week"].append({"week": w, "week_start": monday, "week_end": monday + dt.timedelta(days=6),
                                "postings": ACTIVE[("ALL", "ALL")]})
        for (soc, region), active in ACTIVE.items():
            out["postings_weekly"].append({"week": w, "soc_major": soc, "region": region, "unique_postings": active,
                                           "new_postings": active // 4, "total_postings": int(active * 1.3),
                                           "posting_intensity": 1.3, "with_salary": active // 2})
            for cid in CREDENTIALS:
                s = _share(cid, soc, region, i)
                if s == 0 and (soc, region) != ("ALL", "ALL"):
                    continue
                s_week = s + (0.002 if i % 2 else -0.002) if s else 0.0
                prev = _share(cid, soc, region, i - 1) if i else None
                out["credential_demand_weekly"].append({
                    "week": w, "credential_id": cid, "soc_major": soc, "region": region,
                    "active_postings": active, "new_postings": active // 4,
                    "mentioning_postings": round(s_week * active), "new_mentioning_postings": round(s * active / 4),
                    "demand_share": s_week, "required_share": s_week * 0.6, "preferred_share": s_week * 0.3,
                    "or_equivalent_share": s_week * 0.1, "demand_share_4wk": s,
                    "demand_index": 100 * s / _share(cid, soc, region, 0) if _share(cid, soc, region, 0) else None,
                    "wow_change_pp": None if prev is None else 100 * (s - prev), "yoy_change_pp": None,
                    "location_quotient": s / _share(cid, "ALL", "ALL", i) if _share(cid, "ALL", "ALL", i) else None,
                    "employers": max(1, round(s * active / 2)),
                })
        for k, cid in enumerate(CREDENTIALS):
            out["credential_supply_weekly"].append({
                "week": w, "credential_id": cid, "active_offerings": 3 + k + (i if cid == "google-data-analytics" else 0),
                "providers": 2 + k % 3, "new_offerings": None if i == 0 else (1 if cid == "google-data-analytics" else 0),
                "median_price_usd": 49.0 + 100 * k, "median_hours": 20.0 + 10 * k})
        for j, src in enumerate(SOURCES):
            out["source_health_weekly"].append({
                "week": w, "source": src, "source_type": "catalog" if src == "coursera" else "jobs", "status": "ok",
                "partial_week": False, "week_status": "complete", "pages": 120 + j, "responses": 118 + j,
                "responses_2xx": 115, "responses_3xx": 0, "responses_4xx": 2, "responses_5xx": 1, "download_errors": 0,
                "retries": 1, "bytes": 1_000_000, "items": 400 + 10 * j + i, "items_carried": 0, "dropped": 2,
                "quarantined": 1, "targets_gone": 0, "error_rate": 3 / (120 + j),
                "postings_listed": 0 if src == "coursera" else 380 + 10 * j + i, "new_postings": 90, "duration_s": 12.5})
        for sid in ("sql", "python", "amazon-web-services"):
            for soc, region in (("ALL", "ALL"), ("15", "ALL")):
                s = {"sql": 0.30, "python": 0.25 + 0.01 * i, "amazon-web-services": 0.12}[sid]
                out["skill_demand_weekly"].append({
                    "week": w, "skill_id": sid, "soc_major": soc, "region": region, "active_postings": ACTIVE[(soc, region)],
                    "new_postings": 10, "mentioning_postings": round(s * ACTIVE[(soc, region)]), "new_mentioning_postings": 5,
                    "demand_share": s, "required_share": s / 2, "preferred_share": s / 2, "or_equivalent_share": 0.0,
                    "demand_share_4wk": s, "employers": 40})
        for soc, ba, eq, inc in (("15", 0.62 - 0.02 * i, 0.20 + 0.01 * i, 0.55), ("13", 0.70 - 0.01 * i, 0.10, 0.60)):
            for code, n in (("ALL", ACTIVE[(soc, "ALL")]), (f"{soc}-1111.00", ACTIVE[(soc, "ALL")] // 2)):
                out["degree_requirements_weekly"].append({
                    "week": w, "soc_major": soc, "soc_code": code, "active_postings": n,
                    "ba_plus_postings": round(ba * n), "ba_plus_share": ba, "ba_plus_strict_share": ba - eq,
                    "or_equivalent_share": eq, "ba_plus_preferred_share": 0.05,
                    "ba_plus_share_yoy_pp": -2.0 * (1 + i) if soc == "15" else -0.5, "or_equivalent_share_yoy_pp": 1.0,
                    "incumbent_postings": n, "incumbent_imputed_postings": 0, "incumbent_ba_plus_share": inc,
                    "ba_plus_share_with_incumbent": ba, "credential_gap_pp": 100 * (ba - inc), "incumbent_source": "29.3"})
    last = WEEKS[-1]
    for cid, soc, region, p, lo, hi, sup in (
        ("aws-saa", "15", "ALL", 15.0, 9.0, 21.0, False),
        ("aws-saa", "ALL", "ALL", 13.0, 8.0, 18.0, False),
        ("google-data-analytics", "15", "ALL", None, None, None, True),
        ("google-data-analytics", "ALL", "ALL", 1.0, -4.0, 6.0, False),
        ("pmp", "ALL", "ALL", 5.0, 1.0, 9.0, False),
    ):
        out["credential_value_weekly"].append({
            "week": last, "credential_id": cid, "soc_major": soc, "region": region,
            "estimator": "cell" if soc != "ALL" else "cell_adjusted", "required_postings": 40, "n_required": 12 if sup else 35,
            "n_not_mentioning": 200, "cells_used": 1, "median_salary_required_usd": 120000.0,
            "median_salary_not_mentioning_usd": 105000.0, "premium_pct": p, "premium_ci_low_pct": lo,
            "premium_ci_high_pct": hi, "suppressed": sup,
            "suppressed_reason": "requiring postings with a salary: 12 < 30" if sup else None})
    for cid, dd, pc, infl in (("aws-saa", 2.0, 0.5, False), ("google-data-analytics", 2.5, -9.0, True),
                              ("pmp", -3.0, 1.0, False), ("comptia-security-plus", 0.1, -0.5, False)):
        out["credential_inflation"].append({
            "as_of_week": last, "credential_id": cid, "window_weeks": 3, "recent_from": WEEKS[3], "recent_to": last,
            "prior_from": WEEKS[0], "prior_to": WEEKS[2], "demand_share_prior": 0.03, "demand_share_recent": 0.03 + dd / 100,
            "demand_change_pp": dd, "required_share_prior": 0.02, "required_share_recent": 0.02,
            "required_share_change_pp": 0.0, "supply_prior": 4.0, "supply_recent": 6.0 if infl else 4.0,
            "supply_change_pct": 50.0 if infl else 0.0, "n_required_prior": 40, "n_required_recent": 40,
            "premium_prior_pct": 10.0, "premium_recent_pct": 10.0 + pc, "premium_change_pp": pc,
            "premium_change_ci_low_pp": pc - 3, "premium_change_ci_high_pp": pc + 3 if not infl else -1.0,
            "demand_rising": dd > 1, "supply_rising": infl, "premium_falling": infl, "required_to_preferred": False,
            "inflating": infl,
            "inflating_reasons": "demand +2.5 pp, supply +50 %, premium -9 pp [-12, -1]" if infl else None})
    for cid, sid, lift in (("aws-saa", "amazon-web-services", 4.0), ("aws-saa", "python", 1.5),
                           ("google-data-analytics", "sql", 2.5)):
        out["skill_credential_cooccurrence"].append({
            "week": last, "window_start": WEEKS[0], "window_weeks_loaded": 6, "credential_id": cid, "skill_id": sid,
            "postings": 1000, "credential_postings": 50, "skill_postings": 200, "both_postings": 10, "support": 0.01,
            "confidence": 0.2, "credential_given_skill": 0.05, "lift": lift})
    for sid, name in (("sql", "SQL"), ("python", "Python"), ("amazon-web-services", "Amazon Web Services")):
        out["dim_skill"].append({"skill_id": sid, "name": name, "skill_name": name})
    for soc, title in (("15", "Computer and Mathematical Occupations"), ("13", "Business and Financial Operations Occupations")):
        out["dim_occupation"].append({"soc_code": f"{soc}-0000.00", "soc_major": soc, "soc_major_title": title,
                                      "title": title, "soc_title": title})
    for k in range(3):
        out["posting_lineage"].append({
            "posting_key": f"greenhouse:{k}", "source": "greenhouse", "source_id": str(k), "canonical_id": f"c{k}",
            "link": "founder", "similarity": None, "first_seen": WEEKS[0], "last_seen": WEEKS[-1 - k],
            "weeks_seen": 6 - k, "canonical_first_seen": WEEKS[0], "canonical_last_seen": WEEKS[-1 - k],
            "canonical_members": 1})
    return out


def build_published(extra: dict[str, list[dict]] | None = None) -> dict:
    """Create the work database from the DDL with the fixture rows and publish it
    (CREDWATCH_WAREHOUSE must point at a temporary folder). Returns the manifest."""
    from credwatch.settings import paths
    from warehouse.models import published_tables, run_sql
    from warehouse.publish import publish

    work = paths().work_db
    work.parent.mkdir(parents=True, exist_ok=True)
    work.unlink(missing_ok=True)  # each call publishes exactly the fixture (+ extra)
    con = duckdb.connect(str(work))
    try:
        data = rows()
        for t in published_tables():
            run_sql(con, t.ddl)
            if t.name in data:
                insert(con, t.name, data[t.name] + (extra or {}).get(t.name, []))
    finally:
        con.close()
    return publish()
