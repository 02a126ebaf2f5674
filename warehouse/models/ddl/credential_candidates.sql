-- layer: mart; grain: one row per unknown certification-like phrase; key: candidate_key; published: true
CREATE TABLE IF NOT EXISTS credential_candidates (
    candidate_key VARCHAR NOT NULL,
    candidate     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    n_postings    BIGINT NOT NULL,
    n_offerings   BIGINT NOT NULL,
    n_weeks       BIGINT NOT NULL,
    first_seen    VARCHAR NOT NULL,
    last_seen     VARCHAR NOT NULL,
    examples      VARCHAR[]
);
COMMENT ON TABLE credential_candidates IS 'Mart: certification-like phrases the registry does not know (key candidate_key, the phrase normalised), with how many distinct postings and catalog offerings use them, over all loaded weeks; curators review them (docs/credentials.md).';
COMMENT ON COLUMN credential_candidates.kind IS 'certified, certificate_in, certificate (… Certificate / … Certification) or exam_code.';
COMMENT ON COLUMN credential_candidates.examples IS 'Up to three distinct lines or titles in which the phrase appears.';
