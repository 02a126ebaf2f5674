-- Replace the week's staging rows from the clean partition.
DELETE FROM stg_postings WHERE week = $week;
INSERT INTO stg_postings
SELECT week, posting_key, source, source_id, url, title, company, location_raw, remote, hybrid,
       date_posted, valid_through, employment_type, salary_raw, salary_min, salary_max,
       salary_currency, salary_period, language, payload_sha256,
       soc_code, soc_title, soc_major, soc_major_title, occupation_method, occupation_confidence,
       salary_min_annual, salary_max_annual, salary_mid_annual, salary_min_usd, salary_max_usd, salary_mid_usd,
       salary_period_detected, salary_source, salary_reject_reason, salary_fx_version,
       country, region, city, work_mode, is_multi_location, locations
FROM read_parquet($postings_path)
ORDER BY posting_key;
