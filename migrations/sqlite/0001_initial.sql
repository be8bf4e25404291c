-- piecerate collector schema, SQLite. No column can hold an IP address, a user agent, an email,
-- a name, a title, or a platform's worker, task or requester id (collector/tests/schema.rs
-- checks every column against an allow-list).

-- An anonymous install: the collector's random id, the hash of its bearer token, and the
-- version of the consent text the worker agreed to. Nothing else is known about it.
CREATE TABLE installs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT NOT NULL UNIQUE,
    -- SHA-256 of the bearer token in hex; NULL for the synthetic installs of the demo.
    token_hash TEXT UNIQUE,
    consent_version TEXT
);

-- Records in format v1, as sent, except that times are truncated to the hour.
CREATE TABLE records (
    install INTEGER NOT NULL REFERENCES installs (id),
    record_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    country TEXT,
    kind TEXT NOT NULL,
    category TEXT,
    outcome TEXT,
    -- Unix seconds, always a whole hour.
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    active_seconds INTEGER NOT NULL,
    -- Exact decimals as text; the collector never computes with them in SQL.
    reward TEXT,
    bonus TEXT,
    currency TEXT,
    PRIMARY KEY (install, record_id)
) WITHOUT ROWID;

-- The library's WorkerTotals per install and cell (platform, country, month), updated in the
-- same transaction as the records they sum, so a wage report reads these instead of every record.
CREATE TABLE worker_cell_totals (
    install INTEGER NOT NULL REFERENCES installs (id),
    platform TEXT NOT NULL,
    -- '' when the records carry no country.
    country TEXT NOT NULL,
    -- YYYYMM of the records' start.
    month INTEGER NOT NULL,
    earnings_usd TEXT NOT NULL,
    paid_task_seconds INTEGER NOT NULL,
    unpaid_task_seconds INTEGER NOT NULL,
    unpaid_record_seconds INTEGER NOT NULL,
    tasks INTEGER NOT NULL,
    PRIMARY KEY (install, platform, country, month)
) WITHOUT ROWID;
CREATE INDEX worker_cell_totals_by_month ON worker_cell_totals (month);

-- Bumped by every write that changes what a report would say; cached reports compare it.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

-- Facts about the database itself, e.g. whether it holds synthetic demonstration data.
CREATE TABLE collector_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
