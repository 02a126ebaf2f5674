-- layer: intermediate; grain: one row per inflation window x credential asked for in it; key: window_key, credential_id; published: false
-- Written by build/55_credential_inflation.py: a window's estimates, kept so that the prior window of a later as-of week (the recent window 26 weeks before) is read, not bootstrapped again.
CREATE TABLE IF NOT EXISTS int_window_estimates (
    window_key         VARCHAR NOT NULL,
    window_from        VARCHAR NOT NULL,
    window_to          VARCHAR NOT NULL,
    credential_id      VARCHAR NOT NULL,
    asking             BIGINT NOT NULL,
    requiring          BIGINT NOT NULL,
    n_required         BIGINT,
    n_reference        BIGINT,
    cells_used         BIGINT,
    premium_pct        DOUBLE,
    ci_low_pct         DOUBLE,
    ci_high_pct        DOUBLE,
    suppressed         BOOLEAN,
    suppressed_reason  VARCHAR,
    boot               DOUBLE[]
);
COMMENT ON TABLE int_window_estimates IS 'Intermediate: the pooled (ALL x ALL) premium estimate and the ask counts of each credential over one inflation window (its loaded weeks), as credential_inflation computed them. A window is recomputed when a load rebuilds any week up to its last (the loader rebuilds every week from the earliest changed one on, and a window also reads mentions of weeks before its first), or when the estimator code, the premium settings or the credential registry change (all in window_key).';
COMMENT ON COLUMN int_window_estimates.window_key IS 'Hash of the window''s weeks, the premium settings, the registry''s credential ids and the estimator''s code.';
COMMENT ON COLUMN int_window_estimates.window_from IS 'First week of the window.';
COMMENT ON COLUMN int_window_estimates.window_to IS 'Last week of the window.';
COMMENT ON COLUMN int_window_estimates.asking IS 'Unique postings of the window asking for the credential (any strength).';
COMMENT ON COLUMN int_window_estimates.requiring IS 'Those of them whose strongest ask is required.';
COMMENT ON COLUMN int_window_estimates.n_required IS 'Estimate: requiring postings with a salary in the cells used; null when the credential is required by no posting of the window (no estimate).';
COMMENT ON COLUMN int_window_estimates.premium_pct IS 'Estimate: pooled premium, percent of the reference median; null when suppressed.';
COMMENT ON COLUMN int_window_estimates.boot IS 'Estimate: the bootstrap premiums (percent), in draw order, for the interval of a difference of two windows.';
