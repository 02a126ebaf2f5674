-- layer: mart; grain: one row per week x SOC major group x detailed O*NET-SOC occupation, with ALL rollups; key: week, soc_major, soc_code; published: true
-- Built per affected week by build/56_degree_requirements_weekly.py. Definitions: docs/methodology.md "degree_requirements_weekly".
CREATE TABLE IF NOT EXISTS degree_requirements_weekly (
    week                      VARCHAR NOT NULL,
    soc_major                 VARCHAR NOT NULL,
    soc_code                  VARCHAR NOT NULL,
    active_postings           BIGINT NOT NULL,
    ba_plus_postings          BIGINT NOT NULL,
    ba_plus_share             DOUBLE NOT NULL,
    ba_plus_strict_share      DOUBLE NOT NULL,
    or_equivalent_share       DOUBLE NOT NULL,
    ba_plus_preferred_share   DOUBLE NOT NULL,
    ba_plus_share_yoy_pp      DOUBLE,
    or_equivalent_share_yoy_pp DOUBLE,
    incumbent_postings        BIGINT NOT NULL,
    incumbent_imputed_postings BIGINT NOT NULL,
    incumbent_ba_plus_share   DOUBLE,
    ba_plus_share_with_incumbent DOUBLE,
    credential_gap_pp         DOUBLE,
    incumbent_source          VARCHAR
);
COMMENT ON TABLE degree_requirements_weekly IS 'Mart: bachelor''s-or-higher requirements of the active postings per week and occupation (key week, soc_major, soc_code; soc_code ''ALL'' = the whole SOC major group, soc_major and soc_code ''ALL'' = every posting; ''unknown'' = title not coded), their year-over-year change, and the credential gap against O*NET''s education data (config/taxonomies/onet/education_ba_plus.csv). Rows: every occupation with active postings in the week.';
COMMENT ON COLUMN degree_requirements_weekly.soc_code IS 'Detailed O*NET-SOC code of the posting title (e.g. 15-1252.00), ''ALL'' for the SOC major group row, ''unknown'' when not coded.';
COMMENT ON COLUMN degree_requirements_weekly.active_postings IS 'Unique postings active in the week in the occupation (= postings_weekly.unique_postings summed over regions).';
COMMENT ON COLUMN degree_requirements_weekly.ba_plus_postings IS 'Active postings that require a bachelor''s or higher (bachelor, master, professional, doctorate) with strength required or or_equivalent (int_degree_mentions, demand mentions only).';
COMMENT ON COLUMN degree_requirements_weekly.ba_plus_share IS 'ba_plus_postings / active_postings: share of postings requiring a bachelor''s or higher, whether or not they accept equivalent experience instead; = ba_plus_strict_share + or_equivalent_share.';
COMMENT ON COLUMN degree_requirements_weekly.ba_plus_strict_share IS 'Share of postings requiring a bachelor''s or higher on a line that offers no experience alternative (a posting''s strongest bachelor''s-or-higher mention counts: required > or_equivalent > preferred).';
COMMENT ON COLUMN degree_requirements_weekly.or_equivalent_share IS 'Share of postings whose bachelor''s-or-higher requirement accepts equivalent experience instead (skills-based hiring signal), and that require it nowhere without that alternative.';
COMMENT ON COLUMN degree_requirements_weekly.ba_plus_preferred_share IS 'Share of postings that only prefer a bachelor''s or higher (not counted in ba_plus_share).';
COMMENT ON COLUMN degree_requirements_weekly.ba_plus_share_yoy_pp IS '100 x (ba_plus_share - ba_plus_share 52 weeks earlier), percentage points (degree reset when negative); null when that week is not loaded or had no postings in the occupation.';
COMMENT ON COLUMN degree_requirements_weekly.or_equivalent_share_yoy_pp IS '100 x (or_equivalent_share - that of 52 weeks earlier), percentage points; null as for ba_plus_share_yoy_pp.';
COMMENT ON COLUMN degree_requirements_weekly.incumbent_postings IS 'Active postings whose soc_code has an O*NET education value (the population of the gap).';
COMMENT ON COLUMN degree_requirements_weekly.incumbent_imputed_postings IS 'Of incumbent_postings, those whose occupation''s value is imputed from its broad or minor SOC group (O*NET has no data for it; basis <> onet).';
COMMENT ON COLUMN degree_requirements_weekly.incumbent_ba_plus_share IS 'O*NET share_ba_plus averaged over incumbent_postings (a detailed occupation''s own value; for group and ALL rows weighted by postings). It is the share of O*NET respondents (incumbents or occupational experts) who say a new hire needs a bachelor''s or higher to do the job, not the share who hold one; null when no posting has a value.';
COMMENT ON COLUMN degree_requirements_weekly.ba_plus_share_with_incumbent IS 'ba_plus_share over incumbent_postings only (the postings the gap compares).';
COMMENT ON COLUMN degree_requirements_weekly.credential_gap_pp IS 'Credential gap: 100 x (ba_plus_share_with_incumbent - incumbent_ba_plus_share), percentage points; positive = postings ask for a degree more often than the job''s incumbents say it needs; null without incumbent data.';
COMMENT ON COLUMN degree_requirements_weekly.incumbent_source IS 'Version of the O*NET data (source_version of education_ba_plus.csv); null without incumbent data.';
