-- Citable snapshots (collector/src/snapshots.rs, docs/collector.md "Snapshots"): the published
-- figures as they were on one UTC day, with the SHA-256 of the exact JSON bytes served. A
-- snapshot is written once and never rewritten: the trigger refuses any UPDATE, and the
-- collector inserts a day's snapshot only if that day has none.
CREATE TABLE snapshots (
    -- YYYY-MM-DD, the server's UTC day it was published on.
    day TEXT PRIMARY KEY,
    -- Unix seconds.
    published_at BIGINT NOT NULL,
    data_version BIGINT NOT NULL,
    -- SHA-256 of `document` (its UTF-8 bytes), 64 hex digits.
    content_sha256 TEXT NOT NULL,
    -- The snapshot as served at /snapshots/DAY.json: compact JSON, object keys sorted.
    document TEXT NOT NULL
);
CREATE FUNCTION snapshots_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published snapshot is never rewritten';
END;
$$;
CREATE TRIGGER snapshots_are_immutable BEFORE UPDATE ON snapshots
    FOR EACH ROW EXECUTE FUNCTION snapshots_are_immutable();

-- The totals the latest snapshot was computed from, per install and finest cell, so that the
-- next snapshot can tell how many workers' figures changed in each cell since
-- (docs/methodology.md, "Snapshots"). The same columns as worker_cell_totals; an erasure
-- deletes the install's rows here too.
CREATE TABLE snapshot_basis (
    install BIGINT NOT NULL REFERENCES installs (id),
    platform TEXT NOT NULL,
    country TEXT NOT NULL,
    month BIGINT NOT NULL,
    earnings_usd TEXT NOT NULL,
    paid_task_seconds BIGINT NOT NULL,
    unpaid_task_seconds BIGINT NOT NULL,
    unpaid_record_seconds BIGINT NOT NULL,
    tasks BIGINT NOT NULL,
    PRIMARY KEY (install, platform, country, month)
);
