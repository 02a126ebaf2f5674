-- layer: mart; grain: one row per skill of the skills taxonomy; key: skill_id; published: true
-- Built by build/68_dim_skill.py from config/taxonomies/skills.csv.gz (via transforms.skills) and config/marts.yml skill_sources.
CREATE TABLE IF NOT EXISTS dim_skill (
    skill_id         VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    type             VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    source_taxonomy  VARCHAR NOT NULL,
    hot_technology   BOOLEAN,
    esco_uri         VARCHAR,
    aliases          BIGINT NOT NULL,
    matched_aliases  BIGINT NOT NULL,
    licence          VARCHAR NOT NULL,
    taxonomy_version VARCHAR NOT NULL
);
COMMENT ON TABLE dim_skill IS 'Dimension: one row per skill of config/taxonomies/skills.csv.gz (key skill_id): O*NET 29.3 Technology Skills examples and commodity titles, ESCO skills, credwatch curated skills; rebuilt on every refresh.';
COMMENT ON COLUMN dim_skill.name IS 'Skill name as its source writes it.';
COMMENT ON COLUMN dim_skill.type IS '''technology'' (an O*NET Technology Skills software or tool example), ''technology_category'' (an O*NET commodity title, skill_id ''commodity-…''), or ''skill'' (ESCO skills/knowledge and credwatch curated skills); per source in config/marts.yml skill_sources.';
COMMENT ON COLUMN dim_skill.source IS 'Source code of the taxonomy row: onet_technology_skills, esco or credwatch.';
COMMENT ON COLUMN dim_skill.source_taxonomy IS 'The taxonomy the skill comes from, in words (config/marts.yml skill_sources).';
COMMENT ON COLUMN dim_skill.hot_technology IS 'O*NET''s Hot Technology flag on any occupation; null for commodity titles and non-O*NET skills.';
COMMENT ON COLUMN dim_skill.esco_uri IS 'ESCO concept URI, for ESCO skills.';
COMMENT ON COLUMN dim_skill.aliases IS 'Normalised aliases of the skill in the taxonomy file.';
COMMENT ON COLUMN dim_skill.matched_aliases IS 'Aliases the extractor matches: everyday-word aliases without a context rule and stop-listed aliases are left out; 0 = the skill is never found in posting text.';
COMMENT ON COLUMN dim_skill.licence IS 'Licence of the source taxonomy (attribution in config/taxonomies/README.md).';
COMMENT ON COLUMN dim_skill.taxonomy_version IS 'version of config/taxonomies/skills_rules.yml, the rules the dictionary was built and matched with.';
