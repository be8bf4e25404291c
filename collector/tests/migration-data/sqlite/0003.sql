-- Schema 3 (used challenges): one more install, enrolled with a proof of work whose challenge is
-- kept until it expires, eligible after three days of uploads, with a Prolific task from Great
-- Britain in July 2024; its upload advanced the data version once.
INSERT INTO used_challenges (challenge, expires_at) VALUES ('0123456789abcdef0123456789abcdef', 1722470400);
INSERT INTO installs (public_id, token_hash, consent_version, upload_days, last_upload_day)
VALUES ('00000000000000000000000000000300', printf('%064x', 3000), '2024-05', 3, 19910);

INSERT INTO records (install, record_id, platform, country, kind, category, outcome, started_at,
                     ended_at, active_seconds, reward, bonus, currency)
SELECT id, '00000000-0000-4000-8000-000000000300', 'prolific', 'GB', 'task', 'survey', 'approved',
       1719878400, 1719882000, 1800, '6.00', NULL, 'GBP'
FROM installs WHERE public_id = '00000000000000000000000000000300';

INSERT INTO worker_cell_totals (install, platform, country, month, earnings_usd, paid_task_seconds,
                                unpaid_task_seconds, unpaid_record_seconds, tasks)
SELECT id, 'prolific', 'GB', 202407, '7.62', 1800, 0, 0, 1
FROM installs WHERE public_id = '00000000000000000000000000000300';

UPDATE data_version SET version = version + 1;
