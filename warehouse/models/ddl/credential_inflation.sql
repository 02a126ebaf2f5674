-- layer: mart; grain: one row per as-of week x credential (every registry credential, every loaded week with long enough windows); key: as_of_week, credential_id; published: true
-- Built by build/55_credential_inflation.py (global step: rows of the rebuilt weeks). Definitions: docs/methodology.md "credential_inflation".
CREATE TABLE IF NOT EXISTS credential_inflation (
    as_of_week                VARCHAR NOT NULL,
    credential_id             VARCHAR NOT NULL,
    window_weeks              BIGINT NOT NULL,
    recent_from               VARCHAR NOT NULL,
    recent_to                 VARCHAR NOT NULL,
    prior_from                VARCHAR NOT NULL,
    prior_to                  VARCHAR NOT NULL,
    demand_share_prior        DOUBLE NOT NULL,
    demand_share_recent       DOUBLE NOT NULL,
    demand_change_pp          DOUBLE NOT NULL,
    required_share_prior      DOUBLE NOT NULL,
    required_share_recent     DOUBLE NOT NULL,
    required_share_change_pp  DOUBLE NOT NULL,
    required_of_asks_prior    DOUBLE,
    required_of_asks_recent   DOUBLE,
    required_of_asks_change_pp DOUBLE,
    required_of_asks_change_ci_low_pp DOUBLE,
    required_of_asks_change_ci_high_pp DOUBLE,
    supply_prior              DOUBLE,
    supply_recent             DOUBLE,
    supply_change_pct         DOUBLE,
    n_required_prior          BIGINT NOT NULL,
    n_required_recent         BIGINT NOT NULL,
    premium_prior_pct         DOUBLE,
    premium_recent_pct        DOUBLE,
    premium_change_pp         DOUBLE,
    premium_change_ci_low_pp  DOUBLE,
    premium_change_ci_high_pp DOUBLE,
    demand_rising             BOOLEAN NOT NULL,
    supply_rising             BOOLEAN,
    premium_falling           BOOLEAN,
    required_to_preferred     BOOLEAN,
    inflating                 BOOLEAN NOT NULL,
    inflating_reasons         VARCHAR
);
COMMENT ON TABLE credential_inflation IS 'Mart: credential inflation, per as-of week and credential (key as_of_week, credential_id): the recent window (the last window_weeks loaded weeks up to as_of_week) against the window before it, for demand share, required share, supply and the pooled salary premium. window_weeks = inflation_window_weeks (26) when 52 weeks are loaded up to the as-of week, else half of the loaded weeks (documented in recent_from..prior_to); as-of weeks with a window shorter than inflation_min_window_weeks have no rows. inflating = demand rising and supply rising and (premium falling or required -> preferred shift).';
COMMENT ON COLUMN credential_inflation.window_weeks IS 'Loaded weeks in each window: min(inflation_window_weeks, loaded weeks up to as_of_week / 2, rounded down).';
COMMENT ON COLUMN credential_inflation.recent_from IS 'First week of the recent window (recent_to = as_of_week). Windows count loaded weeks: with gaps in the load they span more calendar weeks.';
COMMENT ON COLUMN credential_inflation.prior_from IS 'First week of the prior window (the window_weeks loaded weeks before recent_from).';
COMMENT ON COLUMN credential_inflation.demand_share_prior IS 'Mean over the prior window''s weeks of credential_demand_weekly.demand_share (ALL x ALL), a fraction.';
COMMENT ON COLUMN credential_inflation.demand_change_pp IS '100 x (demand_share_recent - demand_share_prior), percentage points.';
COMMENT ON COLUMN credential_inflation.required_share_prior IS 'Mean of credential_demand_weekly.required_share (ALL x ALL) over the prior window.';
COMMENT ON COLUMN credential_inflation.required_share_change_pp IS '100 x (required_share_recent - required_share_prior), percentage points.';
COMMENT ON COLUMN credential_inflation.required_of_asks_prior IS 'Of the unique postings active in the prior window that ask for it, the part that require it (the rest prefer it or accept equivalent experience); null when none asks for it.';
COMMENT ON COLUMN credential_inflation.required_of_asks_change_pp IS '100 x (required_of_asks_recent - required_of_asks_prior): negative = a shift from required to preferred / or-equivalent.';
COMMENT ON COLUMN credential_inflation.required_of_asks_change_ci_low_pp IS 'Lower bound of the premium_interval (90 %) normal-approximation interval of required_of_asks_change_pp (two proportions of unique asking postings).';
COMMENT ON COLUMN credential_inflation.required_of_asks_change_ci_high_pp IS 'Upper bound of that interval.';
COMMENT ON COLUMN credential_inflation.supply_prior IS 'Mean active_offerings (credential_supply_weekly) over the prior window''s weeks with catalog data; null when none has.';
COMMENT ON COLUMN credential_inflation.supply_change_pct IS '100 x (supply_recent / supply_prior - 1); null when supply_prior is 0 or unknown.';
COMMENT ON COLUMN credential_inflation.n_required_prior IS 'Unique postings requiring the credential, with a salary, active in the prior window, that enter the pooled premium.';
COMMENT ON COLUMN credential_inflation.premium_prior_pct IS 'Pooled (cell-adjusted, ALL x ALL) salary premium over the unique postings active in the prior window (each posting once), as in credential_value_weekly; null when either side has < premium_min_n salaries.';
COMMENT ON COLUMN credential_inflation.premium_change_pp IS 'premium_recent_pct - premium_prior_pct, percentage points; null when either is suppressed.';
COMMENT ON COLUMN credential_inflation.premium_change_ci_low_pp IS 'Lower bound of the bootstrap interval (premium_interval) of premium_change_pp: the two windows'' bootstraps (independent, seeded) differenced draw by draw.';
COMMENT ON COLUMN credential_inflation.premium_change_ci_high_pp IS 'Upper bound of the bootstrap interval of premium_change_pp.';
COMMENT ON COLUMN credential_inflation.demand_rising IS 'demand_change_pp >= inflation_min_demand_change_pp (config/marts.yml).';
COMMENT ON COLUMN credential_inflation.supply_rising IS 'supply_change_pct >= inflation_min_supply_change_pct, or supply from 0 to > 0; null without catalog data in both windows.';
COMMENT ON COLUMN credential_inflation.premium_falling IS 'The interval of premium_change_pp lies below 0; null when the premium is suppressed in either window.';
COMMENT ON COLUMN credential_inflation.required_to_preferred IS 'required_of_asks_change_pp <= -inflation_required_shift_pp and its interval below 0; null when not asked for in one of the windows.';
COMMENT ON COLUMN credential_inflation.inflating IS 'demand_rising and supply_rising and (premium_falling or required_to_preferred): more postings ask for it and more courses sell it while it is worth less or becomes optional.';
COMMENT ON COLUMN credential_inflation.inflating_reasons IS 'When inflating: the conditions that triggered the flag, with their numbers; null otherwise.';
