-- Replace the week's unknown-credential phrases from the clean partition.
DELETE FROM int_candidate_mentions WHERE week = $week;
INSERT INTO int_candidate_mentions
SELECT week, doc_kind, doc_key, candidate_key, candidate, kind, example
FROM read_parquet($candidates_path)
WHERE week = $week
ORDER BY doc_kind, doc_key, candidate_key;
