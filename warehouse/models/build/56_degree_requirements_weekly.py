"""degree_requirements_weekly for one week (definitions: the DDL comments and
docs/methodology.md). SCOPE "mart": deletes and re-inserts the week's rows.

A Python step only to bind the O*NET education lookup
(config/taxonomies/onet/education_ba_plus.csv, a declared, versioned input)
as a relation; the mart itself is the SQL below.
"""
from __future__ import annotations

import polars as pl

from credwatch.settings import paths

SCOPE = "mart"
BA_PLUS = ("bachelor", "master", "professional", "doctorate")
EDUCATION = "taxonomies/onet/education_ba_plus.csv"

SQL = """
INSERT INTO degree_requirements_weekly
WITH ap AS (
    SELECT a.canonical_id, a.soc_major, coalesce(s.soc_code, 'unknown') AS soc_code, a.posting_key, a.seen_week
    FROM int_active_postings a
    JOIN stg_postings s ON s.week = a.seen_week AND s.posting_key = a.posting_key
    WHERE a.week = $week
), strongest AS (
    -- A posting's strongest bachelor's-or-higher demand mention: required > or_equivalent > preferred.
    SELECT ap.canonical_id,
           min(CASE d.strength WHEN 'required' THEN 1 WHEN 'or_equivalent' THEN 2 ELSE 3 END) AS rank
    FROM ap
    JOIN int_degree_mentions d ON d.week = ap.seen_week AND d.posting_key = ap.posting_key
    WHERE d.counts_as_demand AND d.degree_level IN (SELECT unnest($levels))
    GROUP BY ap.canonical_id
), p AS (
    SELECT ap.soc_major, ap.soc_code, coalesce(st.rank, 0) AS rank,
           e.share_ba_plus, e.basis, e.source_version
    FROM ap
    LEFT JOIN strongest st USING (canonical_id)
    LEFT JOIN _onet_education e ON e.soc_code = ap.soc_code
), agg AS (
    SELECT CASE WHEN grouping(soc_major) = 1 THEN 'ALL' ELSE soc_major END AS soc_major,
           CASE WHEN grouping(soc_code) = 1 THEN 'ALL' ELSE soc_code END AS soc_code,
           count(*) AS active_postings,
           count(*) FILTER (WHERE rank IN (1, 2)) AS ba_plus_postings,
           count(*) FILTER (WHERE rank = 1) AS strict_postings,
           count(*) FILTER (WHERE rank = 2) AS or_equivalent_postings,
           count(*) FILTER (WHERE rank = 3) AS preferred_postings,
           count(share_ba_plus) AS incumbent_postings,
           count(*) FILTER (WHERE share_ba_plus IS NOT NULL AND basis <> 'onet') AS incumbent_imputed_postings,
           -- exact decimal sum: the mean does not depend on the order threads add rows in
           avg(CAST(share_ba_plus AS DECIMAL(18, 6))) AS incumbent_ba_plus_share,
           count(*) FILTER (WHERE share_ba_plus IS NOT NULL AND rank IN (1, 2)) AS ba_plus_with_incumbent,
           min(source_version) AS incumbent_source
    FROM p
    GROUP BY GROUPING SETS ((soc_major, soc_code), (soc_major), ())
), now AS (
    SELECT soc_major, soc_code, active_postings, ba_plus_postings,
           ba_plus_postings / active_postings AS ba_plus_share,
           strict_postings / active_postings AS ba_plus_strict_share,
           or_equivalent_postings / active_postings AS or_equivalent_share,
           preferred_postings / active_postings AS ba_plus_preferred_share,
           incumbent_postings, incumbent_imputed_postings, incumbent_ba_plus_share,
           CASE WHEN incumbent_postings > 0 THEN ba_plus_with_incumbent / incumbent_postings END AS ba_plus_share_with_incumbent,
           incumbent_source
    FROM agg
)
SELECT $week AS week, n.soc_major, n.soc_code, n.active_postings, n.ba_plus_postings,
       n.ba_plus_share, n.ba_plus_strict_share, n.or_equivalent_share, n.ba_plus_preferred_share,
       100.0 * (n.ba_plus_share - y.ba_plus_share) AS ba_plus_share_yoy_pp,
       100.0 * (n.or_equivalent_share - y.or_equivalent_share) AS or_equivalent_share_yoy_pp,
       n.incumbent_postings, n.incumbent_imputed_postings, n.incumbent_ba_plus_share, n.ba_plus_share_with_incumbent,
       100.0 * (n.ba_plus_share_with_incumbent - n.incumbent_ba_plus_share) AS credential_gap_pp,
       n.incumbent_source
FROM now n
LEFT JOIN degree_requirements_weekly y ON y.week = $yoy_week AND y.soc_major = n.soc_major AND y.soc_code = n.soc_code
ORDER BY n.soc_major, n.soc_code
"""


def education() -> pl.DataFrame:
    """O*NET share_ba_plus per detailed occupation (README beside the file: what it measures, imputed rows)."""
    path = paths().config / EDUCATION
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; rebuild it with `python -m transforms.occupation build --onet <O*NET folder>`"
                                " or restore it from git")
    return pl.read_csv(path, columns=["soc_code", "share_ba_plus", "basis", "source_version"],
                       schema_overrides={"soc_code": pl.String, "share_ba_plus": pl.Float64,
                                         "basis": pl.String, "source_version": pl.String})


def build(con, params: dict) -> None:
    week = params["week"]
    con.execute("DELETE FROM degree_requirements_weekly WHERE week = $week", {"week": week})
    con.register("_onet_education", education().to_arrow())
    try:
        con.execute(SQL, {"week": week, "yoy_week": params["yoy_week"], "levels": list(BA_PLUS)})
    finally:
        con.unregister("_onet_education")
