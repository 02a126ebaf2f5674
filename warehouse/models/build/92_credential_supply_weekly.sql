-- Whole-table refresh: supply per credential and week (definitions in the DDL comments).
-- Rebuilt for every loaded week because new_offerings depends on the weeks before it.
DELETE FROM credential_supply_weekly;
INSERT INTO credential_supply_weekly
WITH weeks AS (
    SELECT DISTINCT week FROM int_offerings
), first_week AS (
    SELECT min(week) AS week FROM int_offerings
), linked AS (
    SELECT o.* FROM int_offerings o JOIN dim_credential d USING (credential_id)
    WHERE coalesce(o.status, 'active') = 'active'
), agg AS (
    SELECT week, credential_id,
           count(*) AS active_offerings,
           count(DISTINCT lower(provider)) AS providers,
           count(*) FILTER (WHERE first_seen = week) AS new_offerings,
           median(price) FILTER (WHERE currency = 'USD' AND price IS NOT NULL) AS median_price_usd,
           median(duration_hours) AS median_hours
    FROM linked
    GROUP BY week, credential_id
)
SELECT w.week,
       d.credential_id,
       coalesce(a.active_offerings, 0) AS active_offerings,
       coalesce(a.providers, 0) AS providers,
       CASE WHEN w.week = (SELECT week FROM first_week) THEN NULL ELSE coalesce(a.new_offerings, 0) END AS new_offerings,
       a.median_price_usd,
       a.median_hours
FROM weeks w
CROSS JOIN dim_credential d
LEFT JOIN agg a ON a.week = w.week AND a.credential_id = d.credential_id
ORDER BY w.week, d.credential_id;
