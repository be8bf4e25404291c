-- On how many distinct UTC days, by the collector's own clock, an install has uploaded new
-- records, and the last such day (days since 1970-01-01). Records carry the client's clock, which
-- anyone can set; these are the server's. An install counts in published figures only once
-- upload_days reaches --eligible-after-days (docs/collector.md, "Threat model"). Two numbers in
-- the install's own row, so an erasure removes them with the install.
ALTER TABLE installs ADD COLUMN upload_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE installs ADD COLUMN last_upload_day BIGINT;
-- Before this rule: the demo's synthetic installs (no token) count as having uploaded on every
-- day the rule can ask for (365), and an install that stored records counts those uploads as one
-- day, since their days were not kept.
UPDATE installs SET upload_days = 365 WHERE token_hash IS NULL;
UPDATE installs SET upload_days = 1
    WHERE token_hash IS NOT NULL AND EXISTS (SELECT 1 FROM worker_cell_totals t WHERE t.install = installs.id);
