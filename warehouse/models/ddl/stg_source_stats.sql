-- layer: staging; grain: one row per source per crawl week; key: week, source; published: false
-- Refreshed weekly by replacing the week's rows. Built from lake/clean/week=<W>/source_stats.parquet (transforms/source_stats.py).
CREATE TABLE IF NOT EXISTS stg_source_stats (
    week            VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    source_type     VARCHAR,
    status          VARCHAR NOT NULL,
    week_status     VARCHAR,
    error           VARCHAR,
    finish_reason   VARCHAR,
    requests        BIGINT,
    responses       BIGINT,
    responses_2xx   BIGINT,
    responses_3xx   BIGINT,
    responses_4xx   BIGINT,
    responses_5xx   BIGINT,
    download_errors BIGINT,
    retries         BIGINT,
    bytes           BIGINT,
    items           BIGINT,
    items_carried   BIGINT,
    quarantined     BIGINT,
    dropped         BIGINT,
    targets_gone    BIGINT,
    duration_s      DOUBLE
);
COMMENT ON TABLE stg_source_stats IS 'Staging: the crawl counters of each configured source and week (key week, source), from the raw partition''s stats.json and the run record lake/runs/week=<W>/sources.json, as written by normalize.';
COMMENT ON COLUMN stg_source_stats.status IS 'ok when the source''s raw partition for the week is committed, failed when the run record expected it and it is not.';
COMMENT ON COLUMN stg_source_stats.week_status IS 'Status of the whole week in its run record: complete, partial or failed; null when the week has no run record.';
