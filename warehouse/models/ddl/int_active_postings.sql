-- layer: intermediate; grain: one row per canonical posting per active week; key: week, canonical_id; published: false
-- The population of every demand mart. Rebuilt per affected week (warehouse/load.py).
CREATE TABLE IF NOT EXISTS int_active_postings (
    week          VARCHAR NOT NULL,
    canonical_id  VARCHAR NOT NULL,
    posting_key   VARCHAR NOT NULL,
    seen_week     VARCHAR NOT NULL,
    is_new        BOOLEAN NOT NULL,
    listings      INTEGER NOT NULL,
    soc_major     VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    salary_mid_usd DOUBLE
);
COMMENT ON TABLE int_active_postings IS 'Intermediate: canonical postings active in a loaded week (key week, canonical_id): first_seen <= week <= last_seen, so a posting missed by one crawl stays active. Attributes come from one representative listing.';
COMMENT ON COLUMN int_active_postings.posting_key IS 'Representative listing: the member listed in the latest loaded week <= week (ties: earliest-seen member, then smallest posting_key); its text, occupation, region and salary stand for the posting.';
COMMENT ON COLUMN int_active_postings.seen_week IS 'Week whose staging row and mentions are the representative''s (= week unless the posting was not listed that week).';
COMMENT ON COLUMN int_active_postings.is_new IS 'True in the canonical posting''s first_seen week.';
COMMENT ON COLUMN int_active_postings.listings IS 'Source listings of this canonical posting seen in the week (0 when carried over a missed week); their sum is total_postings.';
COMMENT ON COLUMN int_active_postings.soc_major IS 'SOC major group of the representative, or ''unknown'' when its title was not coded.';
COMMENT ON COLUMN int_active_postings.region IS 'ISO country of the representative''s (first) location, or ''unknown''.';
