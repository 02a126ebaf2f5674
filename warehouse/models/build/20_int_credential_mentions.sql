DELETE FROM int_credential_mentions WHERE week = $week;
INSERT INTO int_credential_mentions
SELECT week, posting_key, entity_id AS credential_id, surface, line_no, line_start, section, strength, counts_as_demand, rule
FROM read_parquet($mentions_path)
WHERE entity_type = 'credential'
ORDER BY posting_key, credential_id, line_no;
