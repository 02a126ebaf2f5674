-- layer: intermediate; grain: one row per degree mention (posting, level, line) per week; key: week, posting_key, degree_level, line_no; published: false
CREATE TABLE IF NOT EXISTS int_degree_mentions (
    week             VARCHAR NOT NULL,
    posting_key      VARCHAR NOT NULL,
    degree_level     VARCHAR NOT NULL,
    field            VARCHAR,
    surface          VARCHAR NOT NULL,
    line_no          BIGINT NOT NULL,
    section          VARCHAR NOT NULL,
    strength         VARCHAR NOT NULL,
    counts_as_demand BOOLEAN NOT NULL,
    rule             VARCHAR NOT NULL
);
COMMENT ON TABLE int_degree_mentions IS 'Intermediate: degree requirements found in posting text (key week, posting_key, degree_level, line_no): level high_school..doctorate, field of study when stated, strength required/preferred/or_equivalent.';
