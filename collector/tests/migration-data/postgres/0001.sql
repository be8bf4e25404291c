-- Schema 1: twelve installs that each uploaded one approved hour-long MTurk task from the US in
-- May 2024, paying 5 to 16 US dollars; one upload each, so the data version (a sequence at this
-- schema) is 12.
INSERT INTO installs (public_id, token_hash, consent_version)
SELECT lpad(to_hex(i), 32, '0'),
       CASE WHEN i = 1 THEN 'c386d8e8d07342f2e39e189c8e6c57bb205bb373fe4e3a6f69404a8bb767b417'
            ELSE lpad(to_hex(1000 + i), 64, '0') END,
       '2024-05'
FROM generate_series(1, 12) AS i;

INSERT INTO records (install, record_id, platform, country, kind, category, outcome, started_at,
                     ended_at, active_seconds, reward, bonus, currency)
SELECT id, ('00000000-0000-4000-8000-' || lpad(id::text, 12, '0'))::uuid, 'mturk', 'US', 'task',
       'survey', 'approved', 1714521600, 1714525200, 3600, (4 + id) || '.00', NULL, 'USD'
FROM installs;

INSERT INTO worker_cell_totals (install, platform, country, month, earnings_usd, paid_task_seconds,
                                unpaid_task_seconds, unpaid_record_seconds, tasks)
SELECT id, 'mturk', 'US', 202405, (4 + id) || '.00', 3600, 0, 0, 1 FROM installs;

SELECT setval('data_version', 12);
INSERT INTO collector_meta (key, value) VALUES ('dataset', 'workers');
