-- Demand share of every registry credential in the week (definition in the DDL comments).
DELETE FROM credential_demand_weekly WHERE week = $week;
INSERT INTO credential_demand_weekly
WITH active AS (
    SELECT count(DISTINCT posting_key) AS active_postings FROM stg_postings WHERE week = $week
), mentioning AS (
    SELECT credential_id, count(DISTINCT posting_key) AS mentioning_postings
    FROM int_credential_mentions
    WHERE week = $week AND counts_as_demand
    GROUP BY credential_id
)
SELECT $week AS week,
       d.credential_id,
       a.active_postings,
       coalesce(m.mentioning_postings, 0) AS mentioning_postings,
       coalesce(m.mentioning_postings, 0) / a.active_postings AS demand_share
FROM dim_credential d
CROSS JOIN active a
LEFT JOIN mentioning m USING (credential_id)
WHERE a.active_postings > 0
ORDER BY d.credential_id;
