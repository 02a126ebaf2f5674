-- layer: intermediate; grain: one row per unknown certification-like phrase per document per week; key: week, doc_kind, doc_key, candidate_key; published: false
CREATE TABLE IF NOT EXISTS int_candidate_mentions (
    week          VARCHAR NOT NULL,
    doc_kind      VARCHAR NOT NULL,
    doc_key       VARCHAR NOT NULL,
    candidate_key VARCHAR NOT NULL,
    candidate     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    example       VARCHAR
);
COMMENT ON TABLE int_candidate_mentions IS 'Intermediate: certification-like phrases no registry credential claims, found in posting text (doc_kind posting) or unlinked catalog offerings (doc_kind offering); see transforms/candidates.py.';
