-- layer: mart; grain: one row per week x SOC major group x region, with ALL rollups; key: week, soc_major, region; published: true
CREATE TABLE IF NOT EXISTS postings_weekly (
    week              VARCHAR NOT NULL,
    soc_major         VARCHAR NOT NULL,
    region            VARCHAR NOT NULL,
    unique_postings   BIGINT NOT NULL,
    new_postings      BIGINT NOT NULL,
    total_postings    BIGINT NOT NULL,
    posting_intensity DOUBLE,
    with_salary       BIGINT NOT NULL
);
COMMENT ON TABLE postings_weekly IS 'Mart: the posting population of each cell (key week, soc_major, region; ''ALL'' = every value): the denominators of every share in the demand marts.';
COMMENT ON COLUMN postings_weekly.soc_major IS 'SOC major group (2 digits), ''unknown'' when the title was not coded, ''ALL'' for the rollup over groups.';
COMMENT ON COLUMN postings_weekly.region IS 'ISO 3166-1 alpha-2 country, ''unknown'', or ''ALL'' for the rollup over regions.';
COMMENT ON COLUMN postings_weekly.unique_postings IS 'Canonical postings active in the week (after de-duplication; active from first to last week seen).';
COMMENT ON COLUMN postings_weekly.new_postings IS 'Canonical postings first seen in the week.';
COMMENT ON COLUMN postings_weekly.total_postings IS 'Source listings seen in the week before de-duplication (cross-source copies counted each).';
COMMENT ON COLUMN postings_weekly.posting_intensity IS 'total_postings / unique_postings: how many listings a job gets on average; null when unique_postings is 0.';
COMMENT ON COLUMN postings_weekly.with_salary IS 'Unique postings with a usable annualised salary (salary_mid_usd not null), the population of the salary premium.';
