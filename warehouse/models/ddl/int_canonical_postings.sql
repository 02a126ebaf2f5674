-- layer: intermediate; grain: one row per canonical (de-duplicated) posting; key: canonical_id; published: false
-- Written by warehouse/dedupe_step.py from the weekly dedupe state: rows whose last_seen is in the reprocessed weeks are replaced.
CREATE TABLE IF NOT EXISTS int_canonical_postings (
    canonical_id    VARCHAR NOT NULL,
    first_seen      VARCHAR NOT NULL,
    last_seen       VARCHAR NOT NULL,
    weeks_active    INTEGER NOT NULL,
    weeks_seen      INTEGER NOT NULL,
    repost_count    INTEGER NOT NULL,
    duplicate_count INTEGER NOT NULL,
    n_members       INTEGER NOT NULL,
    sources         VARCHAR[] NOT NULL
);
COMMENT ON TABLE int_canonical_postings IS 'Intermediate: one row per canonical posting (key canonical_id): a job advertised once, whatever the number of sources and re-posts that listed it.';
COMMENT ON COLUMN int_canonical_postings.weeks_active IS 'Calendar weeks from first_seen to last_seen inclusive; the posting counts as active in each of them that is loaded.';
