-- piecerate collector schema, PostgreSQL. No column can hold an IP address, a user agent, an
-- email, a name, a title, or a platform's worker, task or requester id
-- (collector/tests/schema.rs checks every column against an allow-list).

-- An anonymous install: the collector's random id, the hash of its bearer token, and the
-- version of the consent text the worker agreed to. Nothing else is known about it.
CREATE TABLE installs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    -- SHA-256 of the bearer token in hex; NULL for the synthetic installs of the demo.
    token_hash TEXT UNIQUE,
    consent_version TEXT
);

-- Records in format v1, as sent, except that times are truncated to the hour. Partitioned by
-- the start time so that months can be split into their own partitions as the table grows
-- (docs/collector.md, "Scaling"); everything lands in the default partition until then. The
-- partition key must be part of the primary key, so uniqueness of (install, record_id) is
-- kept by the collector, which checks a batch's ids while holding its install's row lock.
CREATE TABLE records (
    install BIGINT NOT NULL REFERENCES installs (id),
    record_id UUID NOT NULL,
    platform TEXT NOT NULL,
    country TEXT,
    kind TEXT NOT NULL,
    category TEXT,
    outcome TEXT,
    -- Unix seconds, always a whole hour.
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    active_seconds BIGINT NOT NULL,
    -- Exact decimals as text; the collector never computes with them in SQL.
    reward TEXT,
    bonus TEXT,
    currency TEXT,
    PRIMARY KEY (install, record_id, started_at)
) PARTITION BY RANGE (started_at);
CREATE TABLE records_default PARTITION OF records DEFAULT;

-- The library's WorkerTotals per install and cell (platform, country, month), updated in the
-- same transaction as the records they sum, so a wage report reads these instead of every record.
CREATE TABLE worker_cell_totals (
    install BIGINT NOT NULL REFERENCES installs (id),
    platform TEXT NOT NULL,
    -- '' when the records carry no country.
    country TEXT NOT NULL,
    -- YYYYMM of the records' start.
    month BIGINT NOT NULL,
    earnings_usd TEXT NOT NULL,
    paid_task_seconds BIGINT NOT NULL,
    unpaid_task_seconds BIGINT NOT NULL,
    unpaid_record_seconds BIGINT NOT NULL,
    tasks BIGINT NOT NULL,
    PRIMARY KEY (install, platform, country, month)
);
CREATE INDEX worker_cell_totals_by_month ON worker_cell_totals (month);

-- Advanced after every committed write that changes what a report would say; cached reports
-- compare it. A sequence, not a row, so that concurrent batches never wait on each other.
CREATE SEQUENCE data_version;

-- Facts about the database itself, e.g. whether it holds synthetic demonstration data.
CREATE TABLE collector_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
