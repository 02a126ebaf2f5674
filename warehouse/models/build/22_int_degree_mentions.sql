DELETE FROM int_degree_mentions WHERE week = $week;
INSERT INTO int_degree_mentions
SELECT week, posting_key, entity_id AS degree_level, field, surface, line_no, section, strength, counts_as_demand, rule
FROM read_parquet($mentions_path, union_by_name = true)
WHERE entity_type = 'degree'
ORDER BY posting_key, degree_level, line_no;
