DELETE FROM int_skill_mentions WHERE week = $week;
INSERT INTO int_skill_mentions
SELECT week, posting_key, entity_id AS skill_id, surface, line_no, line_start, section, strength, counts_as_demand, rule
FROM read_parquet($mentions_path, union_by_name = true)
WHERE entity_type = 'skill'
ORDER BY posting_key, skill_id, line_no;
