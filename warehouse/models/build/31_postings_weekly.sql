-- The population of each cell (week x SOC major x region, with ALL rollups).
DELETE FROM postings_weekly WHERE week = $week;
INSERT INTO postings_weekly
SELECT $week AS week,
       CASE WHEN grouping(soc_major) = 1 THEN 'ALL' ELSE soc_major END AS soc_major,
       CASE WHEN grouping(region) = 1 THEN 'ALL' ELSE region END AS region,
       count(*) AS unique_postings,
       count(*) FILTER (WHERE is_new) AS new_postings,
       coalesce(sum(listings), 0) AS total_postings,
       CASE WHEN count(*) > 0 THEN sum(listings) / count(*) END AS posting_intensity,
       count(salary_mid_usd) AS with_salary
FROM int_active_postings
WHERE week = $week
GROUP BY GROUPING SETS ((soc_major, region), (soc_major), (region), ())
ORDER BY soc_major, region;
