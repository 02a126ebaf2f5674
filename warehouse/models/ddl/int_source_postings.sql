-- layer: intermediate; grain: one row per source posting (source:source_id) ever loaded; key: posting_key; published: false
-- Written by warehouse/dedupe_step.py from the weekly dedupe state (transforms/dedupe.py): rows whose last_seen is in the reprocessed weeks are replaced.
CREATE TABLE IF NOT EXISTS int_source_postings (
    posting_key   VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    canonical_id  VARCHAR NOT NULL,
    link          VARCHAR NOT NULL,
    similarity    DOUBLE,
    first_seen    VARCHAR NOT NULL,
    last_seen     VARCHAR NOT NULL,
    weeks_seen    INTEGER NOT NULL
);
COMMENT ON TABLE int_source_postings IS 'Intermediate: every source posting (key posting_key = source:source_id) with the canonical posting it belongs to after de-duplication, and the loaded weeks it was listed in.';
COMMENT ON COLUMN int_source_postings.canonical_id IS 'posting_key of the canonical posting''s founder (its earliest-seen member); never changes when later weeks are appended.';
COMMENT ON COLUMN int_source_postings.link IS 'founder (first member), duplicate (cross-source copy live the same week) or repost (same job under a new id after a gap).';
