-- Whole-table refresh (cheap): one row per loaded week.
DELETE FROM dim_week;
INSERT INTO dim_week
SELECT week,
       CAST(strptime(week || '-1', '%G-W%V-%u') AS DATE) AS week_start,
       CAST(strptime(week || '-1', '%G-W%V-%u') AS DATE) + 6 AS week_end,
       count(DISTINCT posting_key) AS postings
FROM stg_postings
GROUP BY week
ORDER BY week;
