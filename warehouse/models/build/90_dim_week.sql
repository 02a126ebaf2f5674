-- Whole-table refresh (cheap): one row per loaded week.
DELETE FROM dim_week;
INSERT INTO dim_week
SELECT week,
       CAST(strptime(week || '-1', '%G-W%V-%u') AS DATE) AS week_start,
       CAST(strptime(week || '-1', '%G-W%V-%u') AS DATE) + 6 AS week_end,
       unique_postings AS postings
FROM postings_weekly
WHERE soc_major = 'ALL' AND region = 'ALL'
ORDER BY week;
