-- layer: mart; grain: one row per week x credential x SOC major group x region with ALL rollups, for credentials required by at least one active posting of the cell; key: week, credential_id, soc_major, region; published: true
-- Built per affected week by build/50_credential_value_weekly.py (estimator: warehouse/premium.py). Definitions: docs/methodology.md "credential_value_weekly".
CREATE TABLE IF NOT EXISTS credential_value_weekly (
    week                     VARCHAR NOT NULL,
    credential_id            VARCHAR NOT NULL,
    soc_major                VARCHAR NOT NULL,
    region                   VARCHAR NOT NULL,
    estimator                VARCHAR NOT NULL,
    required_postings        BIGINT NOT NULL,
    n_required               BIGINT NOT NULL,
    n_not_mentioning         BIGINT NOT NULL,
    cells_used               BIGINT NOT NULL,
    median_salary_required_usd DOUBLE,
    median_salary_not_mentioning_usd DOUBLE,
    premium_pct              DOUBLE,
    premium_ci_low_pct       DOUBLE,
    premium_ci_high_pct      DOUBLE,
    suppressed               BOOLEAN NOT NULL,
    suppressed_reason        VARCHAR
);
COMMENT ON TABLE credential_value_weekly IS 'Mart: salary premium of postings that require a credential over postings of the same SOC major group x region that do not ask for it, per week (key week, credential_id, soc_major, region; ''ALL'' = pooled over every value). Rows: a credential appears in a cell when at least one active posting of the cell requires it. Cells with fewer than premium_min_n (config/marts.yml, 30) salaries on either side are suppressed: premium and interval null, suppressed = true; never shown as zero.';
COMMENT ON COLUMN credential_value_weekly.soc_major IS 'SOC major group (2 digits), ''unknown'' when not coded, ''ALL'' = pooled over groups (cell-adjusted estimator).';
COMMENT ON COLUMN credential_value_weekly.region IS 'ISO country, ''unknown'', or ''ALL'' = pooled over regions (cell-adjusted estimator).';
COMMENT ON COLUMN credential_value_weekly.estimator IS '''cell'' for one SOC major group x region: premium = median salary of requiring postings / median of not-mentioning postings - 1. ''cell_adjusted'' for rows with ALL: each requiring posting''s salary is divided by the median salary of the not-mentioning postings of its own SOC major group x region cell, premium = median of these ratios - 1 (compares like with like when occupations and countries pay differently); only cells with >= premium_reference_min_n not-mentioning salaries take part.';
COMMENT ON COLUMN credential_value_weekly.required_postings IS 'Active postings of the cell (all cells pooled for ALL rows) whose strongest mention of the credential is required (required > or_equivalent > preferred), with or without a salary.';
COMMENT ON COLUMN credential_value_weekly.n_required IS 'Requiring postings with an annualised salary (stg_postings.salary_mid_usd) that enter the premium (for ALL rows: those in the cells used).';
COMMENT ON COLUMN credential_value_weekly.n_not_mentioning IS 'Reference postings with a salary: active postings of the cells used that do not ask for the credential at any strength (a perk or benefits mention is not an ask). Postings that only prefer it, or accept equivalent experience, are on neither side.';
COMMENT ON COLUMN credential_value_weekly.cells_used IS 'SOC major group x region cells entering the estimate (1 for a cell row).';
COMMENT ON COLUMN credential_value_weekly.median_salary_required_usd IS 'Median annualised salary (USD) of the n_required postings (raw, not cell-adjusted, also for ALL rows).';
COMMENT ON COLUMN credential_value_weekly.median_salary_not_mentioning_usd IS 'Median annualised salary (USD) of the n_not_mentioning postings (raw, not cell-adjusted, also for ALL rows).';
COMMENT ON COLUMN credential_value_weekly.premium_pct IS 'Salary premium in percent of the not-mentioning median (15 = requiring postings pay 15 % more); null when suppressed.';
COMMENT ON COLUMN credential_value_weekly.premium_ci_low_pct IS 'Lower bound of the bootstrap percentile interval of premium_pct (premium_interval, 90 %; premium_bootstrap_samples resamples, stratified by cell on both sides, seeded: reruns are identical); null when suppressed.';
COMMENT ON COLUMN credential_value_weekly.premium_ci_high_pct IS 'Upper bound of the bootstrap interval of premium_pct; null when suppressed.';
COMMENT ON COLUMN credential_value_weekly.suppressed IS 'True when n_required or n_not_mentioning < premium_min_n (30): the premium is not published.';
COMMENT ON COLUMN credential_value_weekly.suppressed_reason IS 'Why the row is suppressed, with the numbers (e.g. ''requiring postings with a salary: 12 < 30''); null when published.';
