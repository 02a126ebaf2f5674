-- Whole-table refresh from the dedupe tables (one join; a few seconds at millions of source postings).
DELETE FROM posting_lineage;
INSERT INTO posting_lineage
SELECT s.posting_key, s.source, s.source_id, s.canonical_id, s.link, s.similarity,
       s.first_seen, s.last_seen, s.weeks_seen,
       c.first_seen AS canonical_first_seen, c.last_seen AS canonical_last_seen, c.n_members AS canonical_members
FROM int_source_postings s
JOIN int_canonical_postings c USING (canonical_id)
ORDER BY s.posting_key;
