-- Replace the week's catalog offerings from the clean partition (first/last seen: 91_int_offerings_seen.sql).
DELETE FROM int_offerings WHERE week = $week;
INSERT INTO int_offerings
SELECT week, offering_key, source, source_id, provider, title, offering_type, price, currency, duration_hours,
       level, language, url, status, credential_id, link_method, link_score, link_surface,
       NULL AS first_seen, NULL AS last_seen
FROM read_parquet($offerings_path)
WHERE week = $week
ORDER BY offering_key;
