-- layer: mart; grain: one row per source posting (source:source_id); key: posting_key; published: true; export_partition: canonical_last_seen
CREATE TABLE IF NOT EXISTS posting_lineage (
    posting_key      VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    source_id        VARCHAR NOT NULL,
    canonical_id     VARCHAR NOT NULL,
    link             VARCHAR NOT NULL,
    similarity       DOUBLE,
    first_seen       VARCHAR NOT NULL,
    last_seen        VARCHAR NOT NULL,
    weeks_seen       INTEGER NOT NULL,
    canonical_first_seen VARCHAR NOT NULL,
    canonical_last_seen  VARCHAR NOT NULL,
    canonical_members    INTEGER NOT NULL
);
COMMENT ON TABLE posting_lineage IS 'Mart: the history of every source posting (key posting_key = source:source_id): weeks it was listed and the canonical (de-duplicated) posting it was folded into, with that posting''s span.';
COMMENT ON COLUMN posting_lineage.first_seen IS 'First loaded ISO week the source listed this posting.';
COMMENT ON COLUMN posting_lineage.last_seen IS 'Last loaded ISO week the source listed this posting.';
COMMENT ON COLUMN posting_lineage.weeks_seen IS 'Distinct loaded weeks the source listed it (less than the span when it disappeared and came back).';
COMMENT ON COLUMN posting_lineage.link IS 'founder, duplicate (cross-source copy) or repost (same job under a new id after a gap) of canonical_id.';
COMMENT ON COLUMN posting_lineage.similarity IS 'Estimated Jaccard of its description to the canonical posting''s (MinHash); null for founders and when the key alone decided (no text).';
