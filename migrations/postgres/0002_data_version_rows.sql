-- The data version moves inside each write's transaction, as on SQLite, so a reader sees the new
-- version exactly when it sees the data. A sequence cannot do that: nextval is not undone by a
-- rollback and is seen by others at once, so advanced inside a transaction a report computed
-- before the commit would carry the new version without the data (and stay cached as current),
-- and advanced after the commit a failure in between left committed data unannounced.
--
-- Rows rather than one, so that concurrent writes of different installs rarely wait on each
-- other's commit: a write adds one to row 1 + (install mod 64), and the version is the sum of the
-- rows. The sum starts where the sequence stood, so versions never go back.
CREATE TABLE data_version_rows (
    id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 64),
    version BIGINT NOT NULL
);
INSERT INTO data_version_rows (id, version)
    SELECT n, CASE WHEN n = 1 THEN (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM data_version) ELSE 0 END
    FROM generate_series(1, 64) AS n;
DROP SEQUENCE data_version;
ALTER TABLE data_version_rows RENAME TO data_version;
ALTER INDEX data_version_rows_pkey RENAME TO data_version_pkey;
