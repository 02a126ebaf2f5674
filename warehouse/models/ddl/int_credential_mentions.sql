-- layer: intermediate; grain: one row per credential mention (posting, credential, line) per week; key: week, posting_key, credential_id, line_no; published: false
CREATE TABLE IF NOT EXISTS int_credential_mentions (
    week             VARCHAR NOT NULL,
    posting_key      VARCHAR NOT NULL,
    credential_id    VARCHAR NOT NULL,
    surface          VARCHAR NOT NULL,
    line_no          BIGINT NOT NULL,
    line_start       BIGINT NOT NULL,
    section          VARCHAR NOT NULL,
    strength         VARCHAR NOT NULL,
    counts_as_demand BOOLEAN NOT NULL,
    rule             VARCHAR NOT NULL
);
COMMENT ON TABLE int_credential_mentions IS 'Intermediate: credential mentions found in posting text (key week, posting_key, credential_id, line_no) with section, requirement strength and the rule that decided whether the mention counts as demand.';
COMMENT ON COLUMN int_credential_mentions.strength IS 'required, preferred, or_equivalent; none when the mention is not demand (perk, negation, benefits/about/EEO section, ambiguous alias without context).';
