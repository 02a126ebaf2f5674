-- layer: mart; grain: one row per week x credential; key: week, credential_id; published: true
CREATE TABLE IF NOT EXISTS credential_demand_weekly (
    week                VARCHAR NOT NULL,
    credential_id       VARCHAR NOT NULL,
    active_postings     BIGINT NOT NULL,
    mentioning_postings BIGINT NOT NULL,
    demand_share        DOUBLE NOT NULL
);
COMMENT ON TABLE credential_demand_weekly IS 'Mart: weekly demand for each credential of the registry (key week, credential_id). A credential with no mention that week has mentioning_postings = 0 and demand_share = 0.';
COMMENT ON COLUMN credential_demand_weekly.active_postings IS 'Unique postings active (seen by the crawl) in the week, all sources.';
COMMENT ON COLUMN credential_demand_weekly.mentioning_postings IS 'Active postings that ask for the credential (required, preferred or or-equivalent); perks, negations and benefits/about/EEO mentions do not count.';
COMMENT ON COLUMN credential_demand_weekly.demand_share IS 'mentioning_postings / active_postings, a fraction in [0, 1].';
