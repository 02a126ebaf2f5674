-- Incremental refresh from the dedupe tables: only rows the dedupe replay can have changed.
-- Every change the replay makes to a member or a canonical posting sets its last_seen to a
-- replayed week or moves it back from one (a reloaded week no longer lists it), and the
-- replay starts at or after the first rebuilt week, so a row whose member and canonical
-- were both last seen before that week, before and after, is unchanged.
-- The posting keys that can have changed are collected once (the new rows' and the old
-- rows' alike: a row whose member left the tables is deleted and not re-inserted), then
-- deleted and re-inserted by that small set. A whole-table rebuild cost ~1 s per million
-- source postings every week, and an anti-join of the whole table against itself ~0.3 s.
-- An old row's own last_seen needs no test: it is never after its canonical_last_seen.
CREATE OR REPLACE TEMP TABLE _lineage_changed AS
WITH since AS (SELECT coalesce(min(w), '') AS w FROM unnest(CAST($rebuilt_weeks AS VARCHAR[])) AS t(w)),
canon AS (SELECT canonical_id FROM int_canonical_postings WHERE last_seen >= (SELECT w FROM since))
SELECT posting_key FROM posting_lineage
WHERE canonical_last_seen >= (SELECT w FROM since) OR canonical_id IN (SELECT canonical_id FROM canon)
UNION
SELECT posting_key FROM int_source_postings
WHERE last_seen >= (SELECT w FROM since) OR canonical_id IN (SELECT canonical_id FROM canon);
DELETE FROM posting_lineage WHERE posting_key IN (SELECT posting_key FROM _lineage_changed);
INSERT INTO posting_lineage
SELECT s.posting_key, s.source, s.source_id, s.canonical_id, s.link, s.similarity,
       s.first_seen, s.last_seen, s.weeks_seen,
       c.first_seen AS canonical_first_seen, c.last_seen AS canonical_last_seen, c.n_members AS canonical_members
FROM int_source_postings s
JOIN int_canonical_postings c USING (canonical_id)
WHERE s.posting_key IN (SELECT posting_key FROM _lineage_changed)
ORDER BY s.posting_key;
DROP TABLE _lineage_changed;
