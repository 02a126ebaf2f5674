-- layer: mart; grain: one row per ISO week with data; key: week; published: true
CREATE TABLE IF NOT EXISTS dim_week (
    week        VARCHAR NOT NULL,
    week_start  DATE NOT NULL,
    week_end    DATE NOT NULL,
    postings    BIGINT NOT NULL
);
COMMENT ON TABLE dim_week IS 'Dimension: one row per ISO week loaded (key week), Monday to Sunday, with the number of unique (de-duplicated) postings active that week.';
