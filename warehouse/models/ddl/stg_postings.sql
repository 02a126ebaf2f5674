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
    payload_sha256  VARCHAR,
    soc_code        VARCHAR,
    soc_title       VARCHAR,
    soc_major       VARCHAR,
    soc_major_title VARCHAR,
    occupation_method     VARCHAR NOT NULL,
    occupation_confidence DOUBLE NOT NULL,
    salary_min_annual DOUBLE,
    salary_max_annual DOUBLE,
    salary_mid_annual DOUBLE,
    salary_min_usd    DOUBLE,
    salary_max_usd    DOUBLE,
    salary_mid_usd    DOUBLE,
    salary_period_detected VARCHAR,
    salary_source     VARCHAR,
    salary_reject_reason VARCHAR,
    salary_fx_version VARCHAR,
    country           VARCHAR,
    region            VARCHAR,
    city              VARCHAR,
    work_mode         VARCHAR,
    is_multi_location BOOLEAN,
    locations         VARCHAR[]
);
COMMENT ON TABLE stg_postings IS 'Staging: one row per posting per crawl week (key week, posting_key = source:source_id), typed and cleaned from the raw scrape; refreshed weekly per week.';
COMMENT ON COLUMN stg_postings.posting_key IS 'source:source_id, the posting''s identity within its source.';
COMMENT ON COLUMN stg_postings.week IS 'ISO week (YYYY-Www) of the crawl that saw the posting.';
COMMENT ON COLUMN stg_postings.soc_code IS 'O*NET-SOC code coded from the title (transforms/occupation.py); null when not coded.';
COMMENT ON COLUMN stg_postings.soc_major IS 'SOC major group (2 digits) of soc_code, the occupation level of the marts.';
COMMENT ON COLUMN stg_postings.occupation_method IS 'How the title was coded: exact, normalised, fuzzy, or none.';
COMMENT ON COLUMN stg_postings.occupation_confidence IS 'Confidence of the occupation code, 0..1 (method tier x the share of O*NET title votes for the code).';
COMMENT ON COLUMN stg_postings.salary_mid_usd IS 'Annualised posted salary, midpoint of the range, in USD via config/fx_rates.csv (version in salary_fx_version); null when absent or rejected.';
COMMENT ON COLUMN stg_postings.salary_reject_reason IS 'Why a salary found in the posting was not used (implausible bounds, ambiguous period, ...); null when accepted or absent.';
COMMENT ON COLUMN stg_postings.country IS 'ISO 3166-1 alpha-2 country of the (first) location; the region of the marts.';
COMMENT ON COLUMN stg_postings.work_mode IS 'remote, hybrid, onsite, or unknown.';
