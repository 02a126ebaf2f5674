-- Replace the week's staging rows from the clean partition.
DELETE FROM stg_postings WHERE week = $week;
INSERT INTO stg_postings
SELECT week, posting_key, source, source_id, url, title, company, location_raw, remote, hybrid,
       date_posted, valid_through, employment_type, salary_raw, salary_min, salary_max,
       salary_currency, salary_period, language, payload_sha256
FROM read_parquet($postings_path)
ORDER BY posting_key;
