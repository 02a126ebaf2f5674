-- layer: mart; grain: one row per week (end of a trailing window) x credential x skill asked for together; key: week, credential_id, skill_id; published: true
-- Built by build/61_skill_credential_cooccurrence.py; window and minimum support in config/marts.yml (cooccurrence_*).
CREATE TABLE IF NOT EXISTS skill_credential_cooccurrence (
    week                VARCHAR NOT NULL,
    window_start        VARCHAR NOT NULL,
    window_weeks_loaded BIGINT NOT NULL,
    credential_id       VARCHAR NOT NULL,
    skill_id            VARCHAR NOT NULL,
    postings            BIGINT NOT NULL,
    credential_postings BIGINT NOT NULL,
    skill_postings      BIGINT NOT NULL,
    both_postings       BIGINT NOT NULL,
    support             DOUBLE NOT NULL,
    confidence          DOUBLE NOT NULL,
    credential_given_skill DOUBLE NOT NULL,
    lift                DOUBLE NOT NULL
);
COMMENT ON TABLE skill_credential_cooccurrence IS 'Mart: which skills travel with which credentials (key week, credential_id, skill_id). Population: the unique (de-duplicated) postings active in any loaded week of the trailing window window_start..week (config/marts.yml cooccurrence_window_weeks), each read once, as last seen in the window. Only pairs with both_postings >= cooccurrence_min_postings and support >= cooccurrence_min_support are kept: a missing pair is rare or absent, not zero.';
COMMENT ON COLUMN skill_credential_cooccurrence.week IS 'Last ISO week of the trailing window (the week whose rebuild wrote the row).';
COMMENT ON COLUMN skill_credential_cooccurrence.window_start IS 'First ISO week of the window: week minus (cooccurrence_window_weeks - 1) calendar weeks.';
COMMENT ON COLUMN skill_credential_cooccurrence.window_weeks_loaded IS 'Weeks of the window that have active postings (fewer than the window length at the start of the data or across gaps).';
COMMENT ON COLUMN skill_credential_cooccurrence.credential_id IS 'Credential of the registry (dim_credential) asked for by the postings.';
COMMENT ON COLUMN skill_credential_cooccurrence.skill_id IS 'Skill of the taxonomy (dim_skill) asked for by the postings.';
COMMENT ON COLUMN skill_credential_cooccurrence.postings IS 'N: unique postings active in the window (the population, all occupations and regions).';
COMMENT ON COLUMN skill_credential_cooccurrence.credential_postings IS 'Postings of the population that ask for the credential (required, preferred or or-equivalent; perks, negations and benefits/about/EEO mentions do not count).';
COMMENT ON COLUMN skill_credential_cooccurrence.skill_postings IS 'Postings of the population that ask for the skill (same rules).';
COMMENT ON COLUMN skill_credential_cooccurrence.both_postings IS 'Postings that ask for both the credential and the skill.';
COMMENT ON COLUMN skill_credential_cooccurrence.support IS 'P(skill and credential) = both_postings / postings.';
COMMENT ON COLUMN skill_credential_cooccurrence.confidence IS 'P(skill | credential) = both_postings / credential_postings: the share of the postings asking for the credential that also ask for the skill.';
COMMENT ON COLUMN skill_credential_cooccurrence.credential_given_skill IS 'P(credential | skill) = both_postings / skill_postings: the share of the postings asking for the skill that also ask for the credential.';
COMMENT ON COLUMN skill_credential_cooccurrence.lift IS 'P(skill and credential) / (P(skill) x P(credential)) = both_postings x postings / (skill_postings x credential_postings); 1 = independent, > 1 = asked for together more often than by chance.';
