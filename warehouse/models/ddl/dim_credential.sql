-- layer: mart; grain: one row per credential in the registry; key: credential_id; published: true
CREATE TABLE IF NOT EXISTS dim_credential (
    credential_id  VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    issuer         VARCHAR NOT NULL,
    type           VARCHAR NOT NULL,
    level          VARCHAR,
    aliases        VARCHAR[],
    exam_codes     VARCHAR[],
    stacks_into    VARCHAR[],
    related_skills VARCHAR[],
    licence        VARCHAR,
    registry_version VARCHAR
);
COMMENT ON TABLE dim_credential IS 'Dimension: one row per credential of the registry (key credential_id) with issuer, type, level, aliases and what it stacks into; rebuilt from config/credentials.yml on every refresh.';
COMMENT ON COLUMN dim_credential.stacks_into IS 'Credentials this one leads to (stack path), by credential_id.';
