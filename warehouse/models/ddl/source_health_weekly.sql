-- layer: mart; grain: one row per source per week; key: week, source; published: true
CREATE TABLE IF NOT EXISTS source_health_weekly (
    week            VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    source_type     VARCHAR,
    status          VARCHAR NOT NULL,
    partial_week    BOOLEAN NOT NULL,
    week_status     VARCHAR,
    pages           BIGINT,
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
    dropped         BIGINT,
    quarantined     BIGINT,
    targets_gone    BIGINT,
    error_rate      DOUBLE,
    postings_listed BIGINT NOT NULL,
    new_postings    BIGINT NOT NULL,
    duration_s      DOUBLE,
    error           VARCHAR
);
COMMENT ON TABLE source_health_weekly IS 'Mart: how each source''s crawl went each week (key week, source): requests, responses by status class, items stored, dropped and quarantined, error rate, and the postings it listed and first listed; feeds the volume checks. Crawl counters are null when the source has no committed raw partition that week.';
COMMENT ON COLUMN source_health_weekly.status IS 'ok (raw partition committed), failed (the run record expected the source and its crawl was not committed), or unknown (postings loaded from a clean partition normalised without crawl statistics).';
COMMENT ON COLUMN source_health_weekly.partial_week IS 'True when the week''s run record (lake/runs/week=<W>/sources.json) is partial or failed: some configured source failed that week; false when complete or when there is no record.';
COMMENT ON COLUMN source_health_weekly.week_status IS 'complete, partial or failed from the week''s run record; null when the week has no run record.';
COMMENT ON COLUMN source_health_weekly.pages IS 'HTTP requests the crawl made (retries included), the crawl''s pages.';
COMMENT ON COLUMN source_health_weekly.responses IS 'Responses archived in the raw partition (bodies carried from an earlier week excluded).';
COMMENT ON COLUMN source_health_weekly.responses_2xx IS 'Responses received with a 2xx status (every attempt counted, retries included); likewise responses_3xx, responses_4xx, responses_5xx.';
COMMENT ON COLUMN source_health_weekly.download_errors IS 'Requests that got no response (timeouts, refused connections, oversized bodies), every attempt counted.';
COMMENT ON COLUMN source_health_weekly.retries IS 'Requests retried (HTTP 429/5xx or network errors).';
COMMENT ON COLUMN source_health_weekly.bytes IS 'Bytes downloaded (response bodies as received).';
COMMENT ON COLUMN source_health_weekly.items IS 'Items stored in the raw partition (items.jsonl), carried items included.';
COMMENT ON COLUMN source_health_weekly.items_carried IS 'Items copied from the previous week because their change marker was unchanged (incremental crawls); 0 otherwise.';
COMMENT ON COLUMN source_health_weekly.dropped IS 'Stored items normalize did not keep as postings: no source id, or the same posting listed twice in the crawl (items - postings_listed). Null for catalog sources.';
COMMENT ON COLUMN source_health_weekly.quarantined IS 'Items set aside by the crawl with a reason (quarantine.jsonl): missing required fields, postings that could not be read.';
COMMENT ON COLUMN source_health_weekly.targets_gone IS 'Configured boards/companies that answered 404/410 (no longer exist).';
COMMENT ON COLUMN source_health_weekly.error_rate IS '(responses_4xx + responses_5xx + download_errors) / pages: the share of attempts that failed; null when no request was made.';
COMMENT ON COLUMN source_health_weekly.postings_listed IS 'Postings of the source loaded for the week (rows of stg_postings): one per source posting listed in the crawl.';
COMMENT ON COLUMN source_health_weekly.new_postings IS 'Source postings whose first loaded week is this one (int_source_postings.first_seen), before cross-source de-duplication.';
COMMENT ON COLUMN source_health_weekly.duration_s IS 'Wall time of the crawl in seconds.';
COMMENT ON COLUMN source_health_weekly.error IS 'Why the source failed this week (run record), null when ok.';
