-- Schema 4 (snapshots): one more install, eligible, with a Prolific task from Great Britain in
-- July 2024, whose upload advanced the data version once; and the snapshot a collector at this
-- schema published on 2024-08-01, with the totals it was computed from.
INSERT INTO installs (public_id, token_hash, consent_version, upload_days, last_upload_day)
VALUES ('00000000000000000000000000000500', printf('%064x', 5000), '2024-05', 3, 19910);

INSERT INTO records (install, record_id, platform, country, kind, category, outcome, started_at,
                     ended_at, active_seconds, reward, bonus, currency)
SELECT id, '00000000-0000-4000-8000-000000000500', 'prolific', 'GB', 'task', 'survey', 'approved',
       1719878400, 1719882000, 1800, '6.00', NULL, 'GBP'
FROM installs WHERE public_id = '00000000000000000000000000000500';

INSERT INTO worker_cell_totals (install, platform, country, month, earnings_usd, paid_task_seconds,
                                unpaid_task_seconds, unpaid_record_seconds, tasks)
SELECT id, 'prolific', 'GB', 202407, '7.62', 1800, 0, 0, 1
FROM installs WHERE public_id = '00000000000000000000000000000500';

INSERT INTO snapshot_basis (install, platform, country, month, earnings_usd, paid_task_seconds,
                            unpaid_task_seconds, unpaid_record_seconds, tasks)
SELECT id, 'prolific', 'GB', 202407, '7.62', 1800, 0, 0, 1
FROM installs WHERE public_id = '00000000000000000000000000000500';

INSERT INTO snapshots (day, published_at, data_version, content_sha256, document)
VALUES ('2024-08-01', 1722470400, 14, 'e6f550b7316e04369e09d97fac9546d046d63297241d48cfaf3406b8e54c6b11', '{"date":"2024-08-01","format":"piecerate.snapshot/1","reports":[]}');

UPDATE data_version SET version = version + 1;
