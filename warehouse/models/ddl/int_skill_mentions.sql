-- layer: intermediate; grain: one row per skill mention (posting, skill, line) per week; key: week, posting_key, skill_id, line_no; published: false
CREATE TABLE IF NOT EXISTS int_skill_mentions (
    week             VARCHAR NOT NULL,
    posting_key      VARCHAR NOT NULL,
    skill_id         VARCHAR NOT NULL,
    surface          VARCHAR NOT NULL,
    line_no          BIGINT NOT NULL,
    line_start       BIGINT NOT NULL,
    section          VARCHAR NOT NULL,
    strength         VARCHAR NOT NULL,
    counts_as_demand BOOLEAN NOT NULL,
    rule             VARCHAR NOT NULL
);
COMMENT ON TABLE int_skill_mentions IS 'Intermediate: skill mentions (O*NET Technology Skills and ESCO labels, transforms/skills.py) found in posting text (key week, posting_key, skill_id, line_no) with section, strength and the deciding rule.';
