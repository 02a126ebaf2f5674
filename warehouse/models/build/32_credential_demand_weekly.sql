-- Demand for every credential in every cell of the week (definitions in the DDL comments and docs/methodology.md).
-- Parameters: $week, $prev_week (calendar week before), $yoy_week (52 weeks before), $window_start (3 weeks before),
-- $baseline_week (demand index = 100), bound by warehouse/load.py.
DELETE FROM credential_demand_weekly WHERE week = $week;
CREATE OR REPLACE TEMP TABLE _demand_now AS
WITH ap AS (
    SELECT a.canonical_id, a.is_new, a.soc_major, a.region, a.posting_key, a.seen_week, s.company
    FROM int_active_postings a
    JOIN stg_postings s ON s.week = a.seen_week AND s.posting_key = a.posting_key
    WHERE a.week = $week
), strongest AS (
    -- One strength per posting and credential: required > or_equivalent > preferred.
    SELECT ap.canonical_id, m.credential_id,
           min(CASE m.strength WHEN 'required' THEN 1 WHEN 'or_equivalent' THEN 2 ELSE 3 END) AS rank
    FROM ap
    JOIN int_credential_mentions m ON m.week = ap.seen_week AND m.posting_key = ap.posting_key
    WHERE m.counts_as_demand
    GROUP BY ALL
), cells AS (
    SELECT soc_major, region, unique_postings AS active_postings, new_postings
    FROM postings_weekly WHERE week = $week AND unique_postings > 0
), asked AS (
    SELECT s.credential_id,
           CASE WHEN grouping(ap.soc_major) = 1 THEN 'ALL' ELSE ap.soc_major END AS soc_major,
           CASE WHEN grouping(ap.region) = 1 THEN 'ALL' ELSE ap.region END AS region,
           count(*) AS mentioning_postings,
           count(*) FILTER (WHERE ap.is_new) AS new_mentioning_postings,
           count(*) FILTER (WHERE s.rank = 1) AS required_postings,
           count(*) FILTER (WHERE s.rank = 3) AS preferred_postings,
           count(*) FILTER (WHERE s.rank = 2) AS or_equivalent_postings,
           count(DISTINCT lower(trim(ap.company))) AS employers
    FROM strongest s JOIN ap USING (canonical_id)
    GROUP BY GROUPING SETS ((s.credential_id, ap.soc_major, ap.region), (s.credential_id, ap.soc_major), (s.credential_id, ap.region), (s.credential_id))
), keys AS (
    -- ALL x ALL for every registry credential; other cells when asked for now or in the trailing window.
    SELECT d.credential_id, 'ALL' AS soc_major, 'ALL' AS region FROM dim_credential d
    UNION
    SELECT credential_id, soc_major, region FROM asked
    UNION
    SELECT credential_id, soc_major, region FROM credential_demand_weekly
    WHERE week >= $window_start AND week < $week AND mentioning_postings > 0
)
SELECT $week AS week, k.credential_id, k.soc_major, k.region,
       c.active_postings, c.new_postings,
       coalesce(a.mentioning_postings, 0) AS mentioning_postings,
       coalesce(a.new_mentioning_postings, 0) AS new_mentioning_postings,
       coalesce(a.mentioning_postings, 0) / c.active_postings AS demand_share,
       coalesce(a.required_postings, 0) / c.active_postings AS required_share,
       coalesce(a.preferred_postings, 0) / c.active_postings AS preferred_share,
       coalesce(a.or_equivalent_postings, 0) / c.active_postings AS or_equivalent_share,
       coalesce(a.employers, 0) AS employers
FROM keys k
JOIN cells c USING (soc_major, region)
LEFT JOIN asked a USING (credential_id, soc_major, region);
INSERT INTO credential_demand_weekly
WITH hist AS (
    -- Shares of the window's earlier weeks, 0 where the cell was active but the credential not asked for.
    SELECT p.week, n.credential_id, n.soc_major, n.region, coalesce(d.demand_share, 0) AS demand_share
    FROM _demand_now n
    JOIN postings_weekly p ON p.soc_major = n.soc_major AND p.region = n.region
         AND p.week >= $window_start AND p.week < $week AND p.unique_postings > 0
    LEFT JOIN credential_demand_weekly d ON d.week = p.week AND d.credential_id = n.credential_id
         AND d.soc_major = n.soc_major AND d.region = n.region
), trail AS (
    SELECT n.credential_id, n.soc_major, n.region,
           -- Summed in week order: a parallel sum adds in any order, and floating
           -- point would then differ in the last bit between reruns of the same week.
           (n.demand_share + coalesce(list_sum(list(h.demand_share ORDER BY h.week)), 0)) / (1 + count(h.week)) AS demand_share_4wk
    FROM _demand_now n
    LEFT JOIN hist h USING (credential_id, soc_major, region)
    GROUP BY n.credential_id, n.soc_major, n.region, n.demand_share
), earlier AS (
    -- Share in an earlier week: null when that week's cell had no postings (not loaded), 0 when not asked for.
    SELECT n.credential_id, n.soc_major, n.region, p.week, coalesce(d.demand_share, 0) AS demand_share
    FROM _demand_now n
    JOIN postings_weekly p ON p.soc_major = n.soc_major AND p.region = n.region
         AND p.week IN ($prev_week, $yoy_week) AND p.unique_postings > 0
    LEFT JOIN credential_demand_weekly d ON d.week = p.week AND d.credential_id = n.credential_id
         AND d.soc_major = n.soc_major AND d.region = n.region
), baseline AS (
    SELECT credential_id, soc_major, region, demand_share_4wk
    FROM credential_demand_weekly WHERE week = $baseline_week
)
SELECT n.week, n.credential_id, n.soc_major, n.region,
       n.active_postings, n.new_postings, n.mentioning_postings, n.new_mentioning_postings,
       n.demand_share, n.required_share, n.preferred_share, n.or_equivalent_share,
       t.demand_share_4wk,
       CASE WHEN n.week = $baseline_week THEN CASE WHEN t.demand_share_4wk > 0 THEN 100.0 END
            WHEN b.demand_share_4wk > 0 AND n.week > $baseline_week THEN 100.0 * t.demand_share_4wk / b.demand_share_4wk
       END AS demand_index,
       100.0 * (n.demand_share - wow.demand_share) AS wow_change_pp,
       100.0 * (n.demand_share - yoy.demand_share) AS yoy_change_pp,
       CASE WHEN nat.demand_share > 0 THEN n.demand_share / nat.demand_share END AS location_quotient,
       n.employers
FROM _demand_now n
JOIN trail t USING (credential_id, soc_major, region)
LEFT JOIN baseline b USING (credential_id, soc_major, region)
LEFT JOIN earlier wow ON wow.credential_id = n.credential_id AND wow.soc_major = n.soc_major AND wow.region = n.region AND wow.week = $prev_week
LEFT JOIN earlier yoy ON yoy.credential_id = n.credential_id AND yoy.soc_major = n.soc_major AND yoy.region = n.region AND yoy.week = $yoy_week
JOIN _demand_now nat ON nat.credential_id = n.credential_id AND nat.soc_major = 'ALL' AND nat.region = 'ALL'
ORDER BY n.credential_id, n.soc_major, n.region;
DROP TABLE _demand_now;
