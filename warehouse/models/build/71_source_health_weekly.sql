-- One row per source seen this week: in the crawl counters, or (partitions
-- normalised without them) in the loaded postings. Idempotent per week.
DELETE FROM source_health_weekly WHERE week = $week;
INSERT INTO source_health_weekly
WITH crawl AS (
    SELECT * FROM stg_source_stats WHERE week = $week
), listed AS (
    SELECT source, count(*) AS postings_listed FROM stg_postings WHERE week = $week GROUP BY source
), fresh AS (
    SELECT source, count(*) AS new_postings FROM int_source_postings WHERE first_seen = $week GROUP BY source
), sources AS (
    SELECT source FROM crawl UNION SELECT source FROM listed
)
SELECT $week AS week, s.source, c.source_type,
       coalesce(c.status, 'unknown') AS status,
       coalesce(c.week_status IN ('partial', 'failed'), false) AS partial_week,
       c.week_status,
       c.requests AS pages, c.responses, c.responses_2xx, c.responses_3xx, c.responses_4xx, c.responses_5xx,
       c.download_errors, c.retries, c.bytes, c.items, c.items_carried, c.dropped, c.quarantined, c.targets_gone,
       CASE WHEN c.requests > 0
            THEN (c.responses_4xx + c.responses_5xx + c.download_errors)::DOUBLE / c.requests END AS error_rate,
       coalesce(l.postings_listed, 0) AS postings_listed,
       coalesce(f.new_postings, 0) AS new_postings,
       c.duration_s, c.error
FROM sources s
LEFT JOIN crawl c USING (source)
LEFT JOIN listed l USING (source)
LEFT JOIN fresh f USING (source)
ORDER BY s.source;
