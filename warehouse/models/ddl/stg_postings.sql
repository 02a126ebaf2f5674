-- layer: staging; grain: one row per posting per crawl week; key: week, posting_key; published: false
-- Refreshed weekly by replacing the week's rows. Built from lake/clean/week=<W>/postings.parquet.
CREATE TABLE IF NOT EXISTS stg_postings (
    week            VARCHAR NOT NULL,
    posting_key     VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    source_id       VARCHAR NOT NULL,
    url             VARCHAR,
    title           VARCHAR,
    company         VARCHAR,
    location_raw    VARCHAR,
    remote          BOOLEAN,
    hybrid          BOOLEAN,
    date_posted     DATE,
    valid_through   DATE,
    employment_type VARCHAR,
    salary_raw      VARCHAR,
    salary_min      DOUBLE,
    salary_max      DOUBLE,
    salary_currency VARCHAR,
    salary_period   VARCHAR,
    language        VARCHAR,
    payload_sha256  VARCHAR
);
COMMENT ON TABLE stg_postings IS 'Staging: one row per posting per crawl week (key week, posting_key = source:source_id), typed and cleaned from the raw scrape; refreshed weekly per week.';
COMMENT ON COLUMN stg_postings.posting_key IS 'source:source_id, the posting''s identity within its source.';
COMMENT ON COLUMN stg_postings.week IS 'ISO week (YYYY-Www) of the crawl that saw the posting.';
