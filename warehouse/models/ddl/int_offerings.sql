-- layer: intermediate; grain: one row per catalog offering per crawl week; key: week, offering_key; published: false
-- Refreshed per week from lake/clean/week=<W>/offerings.parquet; first_seen/last_seen recomputed over all loaded weeks.
CREATE TABLE IF NOT EXISTS int_offerings (
    week           VARCHAR NOT NULL,
    offering_key   VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    provider       VARCHAR,
    title          VARCHAR NOT NULL,
    offering_type  VARCHAR,
    price          DOUBLE,
    currency       VARCHAR,
    duration_hours DOUBLE,
    level          VARCHAR,
    language       VARCHAR,
    url            VARCHAR,
    status         VARCHAR,
    credential_id  VARCHAR,
    link_method    VARCHAR NOT NULL,
    link_score     DOUBLE,
    link_surface   VARCHAR,
    first_seen     VARCHAR,
    last_seen      VARCHAR
);
COMMENT ON TABLE int_offerings IS 'Intermediate: training-provider catalog offerings seen by a week''s crawl (key week, offering_key = source:source_id), typed, with the registry credential each leads to.';
COMMENT ON COLUMN int_offerings.price IS 'Price in currency as published; 0 for free offerings; null when the catalog publishes none.';
COMMENT ON COLUMN int_offerings.duration_hours IS 'Length in hours (ISO 8601 or free-text workload parsed by transforms.offerings); null when unknown.';
COMMENT ON COLUMN int_offerings.link_method IS 'How credential_id was found: exam_code, alias_exact, alias_in_title, alias_in_credential, fuzzy, or none.';
COMMENT ON COLUMN int_offerings.link_score IS 'Confidence of the link in [0, 1] (1.0 exam code ... <= 0.6 fuzzy); null when unlinked.';
COMMENT ON COLUMN int_offerings.first_seen IS 'First loaded week in which the offering was seen (all sources, all loaded weeks).';
COMMENT ON COLUMN int_offerings.last_seen IS 'Last loaded week in which the offering was seen.';
