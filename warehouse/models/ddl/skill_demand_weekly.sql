-- layer: mart; grain: one row per week x skill x SOC major group x region, with ALL rollups; key: week, skill_id, soc_major, region; published: true
-- Built by build/60_skill_demand_weekly.py from the SQL of build/32_credential_demand_weekly.sql (one definition for both marts).
-- Rows: a skill appears in a cell (ALL x ALL included) when it was asked for there in the week or in the 3 weeks before; unlike
-- credential_demand_weekly there is no zero row for every skill of the taxonomy (22,815 skills) in ALL x ALL.
CREATE TABLE IF NOT EXISTS skill_demand_weekly (
    week                  VARCHAR NOT NULL,
    skill_id              VARCHAR NOT NULL,
    soc_major             VARCHAR NOT NULL,
    region                VARCHAR NOT NULL,
    active_postings       BIGINT NOT NULL,
    new_postings          BIGINT NOT NULL,
    mentioning_postings   BIGINT NOT NULL,
    new_mentioning_postings BIGINT NOT NULL,
    demand_share          DOUBLE NOT NULL,
    required_share        DOUBLE NOT NULL,
    preferred_share       DOUBLE NOT NULL,
    or_equivalent_share   DOUBLE NOT NULL,
    demand_share_4wk      DOUBLE NOT NULL,
    demand_index          DOUBLE,
    wow_change_pp         DOUBLE,
    yoy_change_pp         DOUBLE,
    location_quotient     DOUBLE,
    employers             BIGINT NOT NULL
);
COMMENT ON TABLE skill_demand_weekly IS 'Mart: weekly demand for each skill (key week, skill_id, soc_major, region; ''ALL'' = every value), same definitions as credential_demand_weekly. Counts are of unique (de-duplicated) postings active in the week. A skill has a row in a cell (ALL x ALL included) only when it was asked for there in the week or in the 3 weeks before; a missing row means 0 demand.';
COMMENT ON COLUMN skill_demand_weekly.skill_id IS 'Skill of config/taxonomies/skills.csv.gz (O*NET Technology Skills, ESCO, credwatch curated); see dim_skill.';
COMMENT ON COLUMN skill_demand_weekly.soc_major IS 'SOC major group (2 digits) of the posting''s title, ''unknown'' when not coded, ''ALL'' for every group.';
COMMENT ON COLUMN skill_demand_weekly.region IS 'ISO country of the posting''s location, ''unknown'' when not parsed, ''ALL'' for every region.';
COMMENT ON COLUMN skill_demand_weekly.active_postings IS 'Unique postings active in the cell that week (the denominator; = postings_weekly.unique_postings).';
COMMENT ON COLUMN skill_demand_weekly.new_postings IS 'Unique postings first seen in the cell that week.';
COMMENT ON COLUMN skill_demand_weekly.mentioning_postings IS 'Active postings that ask for the skill (required, preferred or or-equivalent); perks, negations, ambiguous names without context and benefits/about/EEO mentions do not count.';
COMMENT ON COLUMN skill_demand_weekly.new_mentioning_postings IS 'New postings (first seen that week) that ask for the skill.';
COMMENT ON COLUMN skill_demand_weekly.demand_share IS 'mentioning_postings / active_postings, a fraction in [0, 1].';
COMMENT ON COLUMN skill_demand_weekly.required_share IS 'Share of active postings that require it. A posting counts once, at its strongest mention: required > or_equivalent > preferred; the three shares add up to demand_share.';
COMMENT ON COLUMN skill_demand_weekly.preferred_share IS 'Share of active postings where it is preferred / a plus, and nowhere required.';
COMMENT ON COLUMN skill_demand_weekly.or_equivalent_share IS 'Share of active postings that ask for it but accept equivalent experience instead.';
COMMENT ON COLUMN skill_demand_weekly.demand_share_4wk IS 'Trailing mean of demand_share over the loaded weeks of the last 4 calendar weeks in which the cell had active postings (a week where the skill was not asked for counts as 0).';
COMMENT ON COLUMN skill_demand_weekly.demand_index IS '100 x demand_share_4wk / demand_share_4wk at the baseline week (config/marts.yml index_baseline_week); null before the baseline or when the skill had no row or a 0 trailing share at the baseline.';
COMMENT ON COLUMN skill_demand_weekly.wow_change_pp IS 'demand_share minus that of the previous calendar week, in percentage points (0 when the skill had no row then); null when that week is not loaded or the cell had no postings then.';
COMMENT ON COLUMN skill_demand_weekly.yoy_change_pp IS 'demand_share minus that of 52 weeks earlier, in percentage points (0 when the skill had no row then); null when that week is not loaded or the cell had no postings then.';
COMMENT ON COLUMN skill_demand_weekly.location_quotient IS 'Significance: demand_share in the cell / demand_share in ALL x ALL the same week (>1: over-represented in this occupation group / region); null when the national share is 0.';
COMMENT ON COLUMN skill_demand_weekly.employers IS 'Distinct companies among the mentioning postings.';
