-- Whole-table refresh: unknown certification-like phrases over all loaded weeks.
DELETE FROM credential_candidates;
INSERT INTO credential_candidates
WITH ranked AS (
    SELECT candidate_key, candidate, kind, doc_kind, doc_key, week, example,
           row_number() OVER (PARTITION BY candidate_key, example ORDER BY week, doc_key) AS rn_example
    FROM int_candidate_mentions
), display AS (
    SELECT candidate_key, arg_max(candidate, n) AS candidate, arg_max(kind, n) AS kind
    FROM (SELECT candidate_key, candidate, kind, count(*) AS n FROM int_candidate_mentions GROUP BY ALL)
    GROUP BY candidate_key
)
SELECT r.candidate_key,
       d.candidate,
       d.kind,
       count(DISTINCT r.doc_key) FILTER (WHERE r.doc_kind = 'posting') AS n_postings,
       count(DISTINCT r.doc_key) FILTER (WHERE r.doc_kind = 'offering') AS n_offerings,
       count(DISTINCT r.week) AS n_weeks,
       min(r.week) AS first_seen,
       max(r.week) AS last_seen,
       list(r.example ORDER BY r.example) FILTER (WHERE r.rn_example = 1)[1:3] AS examples
FROM ranked r JOIN display d USING (candidate_key)
GROUP BY r.candidate_key, d.candidate, d.kind
ORDER BY r.candidate_key;
