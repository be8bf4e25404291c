-- Schema 1: twelve installs that each uploaded one approved hour-long MTurk task from the US in
-- May 2024, paying 5 to 16 US dollars; one upload each, so the data version is 12.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
INSERT INTO installs (public_id, token_hash, consent_version)
SELECT printf('%032x', i),
       CASE WHEN i = 1 THEN 'c386d8e8d07342f2e39e189c8e6c57bb205bb373fe4e3a6f69404a8bb767b417'
            ELSE printf('%064x', 1000 + i) END,
       '2024-05'
FROM n;

INSERT INTO records (install, record_id, platform, country, kind, category, outcome, started_at,
                     ended_at, active_seconds, reward, bonus, currency)
SELECT id, printf('00000000-0000-4000-8000-%012d', id), 'mturk', 'US', 'task', 'survey', 'approved',
       1714521600, 1714525200, 3600, printf('%d.00', 4 + id), NULL, 'USD'
FROM installs;

INSERT INTO worker_cell_totals (install, platform, country, month, earnings_usd, paid_task_seconds,
                                unpaid_task_seconds, unpaid_record_seconds, tasks)
SELECT id, 'mturk', 'US', 202405, printf('%d.00', 4 + id), 3600, 0, 0, 1 FROM installs;

UPDATE data_version SET version = 12;
INSERT INTO collector_meta (key, value) VALUES ('dataset', 'workers');
