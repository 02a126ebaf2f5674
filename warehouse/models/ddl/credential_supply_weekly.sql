-- layer: mart; grain: one row per week x credential; key: week, credential_id; published: true
CREATE TABLE IF NOT EXISTS credential_supply_weekly (
    week             VARCHAR NOT NULL,
    credential_id    VARCHAR NOT NULL,
    active_offerings BIGINT NOT NULL,
    providers        BIGINT NOT NULL,
    new_offerings    BIGINT,
    median_price_usd DOUBLE,
    median_hours     DOUBLE
);
COMMENT ON TABLE credential_supply_weekly IS 'Mart: supply of each registry credential in training-provider catalogs per week (key week, credential_id), for every week with catalog data. Zero means no crawled catalog offered it.';
COMMENT ON COLUMN credential_supply_weekly.active_offerings IS 'Catalog offerings seen by the week''s crawl that lead to the credential (linked through the registry, any link method).';
COMMENT ON COLUMN credential_supply_weekly.providers IS 'Distinct providers (case-insensitive) among those offerings.';
COMMENT ON COLUMN credential_supply_weekly.new_offerings IS 'Offerings first seen this week; null in the first loaded week, which has no earlier week to compare with.';
COMMENT ON COLUMN credential_supply_weekly.median_price_usd IS 'Median price of the offerings priced in USD (free = 0); null when none publishes a USD price. Other currencies are not converted.';
COMMENT ON COLUMN credential_supply_weekly.median_hours IS 'Median length in hours of the offerings with a known length; null when none has one.';
