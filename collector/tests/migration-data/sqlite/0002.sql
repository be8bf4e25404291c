-- Schema 2 (upload days): one more install, eligible after three days of uploads, with a
-- Prolific task from Great Britain in June 2024; its upload advanced the data version once.
INSERT INTO installs (public_id, token_hash, consent_version, upload_days, last_upload_day)
VALUES ('00000000000000000000000000000200', printf('%064x', 2000), '2024-05', 3, 19880);

INSERT INTO records (install, record_id, platform, country, kind, category, outcome, started_at,
                     ended_at, active_seconds, reward, bonus, currency)
SELECT id, '00000000-0000-4000-8000-000000000200', 'prolific', 'GB', 'task', 'survey', 'approved',
       1717200000, 1717203600, 1800, '6.00', '0.50', 'GBP'
FROM installs WHERE public_id = '00000000000000000000000000000200';

INSERT INTO worker_cell_totals (install, platform, country, month, earnings_usd, paid_task_seconds,
                                unpaid_task_seconds, unpaid_record_seconds, tasks)
SELECT id, 'prolific', 'GB', 202406, '8.27', 1800, 0, 0, 1
FROM installs WHERE public_id = '00000000000000000000000000000200';

UPDATE data_version SET version = version + 1;
