-- Replace the week's crawl counters from the clean partition (a schema-only stand-in when normalize predates them).
DELETE FROM stg_source_stats WHERE week = $week;
INSERT INTO stg_source_stats
SELECT week, source, source_type, status, week_status, error, finish_reason,
       requests, responses, responses_2xx, responses_3xx, responses_4xx, responses_5xx,
       download_errors, retries, bytes, items, items_carried, quarantined, dropped, targets_gone, duration_s
FROM read_parquet($source_stats_path)
WHERE week = $week
ORDER BY source;
