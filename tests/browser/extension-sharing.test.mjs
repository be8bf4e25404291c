// Opting in against the real collector (target/debug/piecerate-collector on SQLite): the
// collector holds exactly the extension's records, coarsened to the hour, and nothing that
// identifies the worker; with the collector down, records wait and arrive once, without
// duplicates, when it is back; erasing empties the collector for this install.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { query as queryDatabase, startCollector } from './collector-process.mjs';
import { launch, saveSettings, sleep, stored, work } from './extension-helpers.mjs';
import { waitFor } from './extension-storage.mjs';
import { PROJECTS, startFixtureServer } from './fixture-server.mjs';

const [LABEL] = Object.keys(PROJECTS);
const dir = mkdtempSync(path.join(tmpdir(), 'piecerate-sharing-'));
const database = path.join(dir, 'collector.db');

let server;
let browser;
let page;
let collector;
let collectorUrl;

const query = (sql) => queryDatabase(database, sql);

async function doOneTask() {
  await page.goto('https://worker.mturk.com/projects');
  await work(page, 1500);
  await page.click(`#accept-${LABEL}`);
  await page.waitForSelector('iframe.task-frame');
  await work(page, 1500);
  await page.frameLocator('iframe.task-frame').locator('#submit-hit').click();
  await page.waitForSelector('.mturk-alert-content h3');
}

async function sendNow() {
  await page.goto(`${browser.popupUrl}`);
  await page.waitForSelector('body[data-opened-ms]');
  await page.click('[data-view="settings"]');
  await page.click('[data-action="sync-now"]');
  await sleep(500);
}

before(async () => {
  collector = await startCollector(database, '127.0.0.1:0');
  collectorUrl = collector.address;
  server = await startFixtureServer();
  browser = await launch(server.hostRules);
  page = await browser.context.newPage();
  await saveSettings(page, browser.popupUrl, { 'idle-cutoff': '5', country: 'FR', 'collector-url': collectorUrl });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (collector?.running()) await collector.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('nothing is sent before the worker opts in', async () => {
  await doOneTask();
  const state = await waitFor(async () => { const s = await stored(browser.worker); return s.records.length >= 2 && s; }, 'two records');
  assert.equal(state.sync, null);
  assert.deepEqual(query('SELECT count(*) AS n FROM records'), [{ n: 0 }]);
  assert.deepEqual(query('SELECT count(*) AS n FROM installs'), [{ n: 0 }]);
});

test('after opting in the collector holds exactly these records, coarsened, and nothing identifying', async () => {
  const status = await saveSettings(page, browser.popupUrl, { 'idle-cutoff': '5', country: 'FR', 'collector-url': collectorUrl, sharing: true });
  assert.equal(status, 'Settings saved.');
  const { records } = await stored(browser.worker);
  const rows = await waitFor(() => { const r = query('SELECT * FROM records'); return r.length === records.length && r; }, 'the upload');
  assert.deepEqual(rows.map((r) => r.record_id).sort(), records.map((r) => r.record_id).sort());
  for (const row of rows) {
    const local = records.find((r) => r.record_id === row.record_id);
    assert.equal(row.started_at % 3600, 0);
    assert.equal(row.started_at, Math.floor(Date.parse(local.started_at) / 3600000) * 3600);
    assert.equal(row.active_seconds, Number(local.active_seconds));
    assert.equal(row.platform, local.platform);
    assert.equal(row.country, 'FR');
  }
  const [install] = query('SELECT * FROM installs');
  assert.equal(install.consent_version, '2026-11-1');
  const bytes = readFileSync(database).toString('latin1');
  for (const secret of ['Label street images', 'Street Scenes Lab', 'WORKER-PSEUDONYM', records[0].install_id, 'mturk.com/projects']) {
    assert.ok(!bytes.includes(secret), `the collector's database contains ${secret}`);
  }
  const { sync } = await stored(browser.worker);
  assert.equal(sync.sent, records.length);
});

test('with the collector down records wait, and arrive once when it is back', async () => {
  const port = new URL(collectorUrl).port;
  await collector.stop();
  await doOneTask();
  await sendNow();
  const waiting = await waitFor(async () => { const s = await stored(browser.worker); return s.outbox.length >= 1 && s; }, 'a queued record');
  assert.match(waiting.sync.last_status, /unreachable/);
  assert.ok(waiting.sync.failures >= 1);
  // Each record waits as its JSON object; an outbox stored by an earlier version held each one's
  // JSON text as a string. Put back in that layout, what waits is still sent, once.
  assert.ok(waiting.outbox.every((entry) => typeof entry === 'object' && typeof entry.record_id === 'string'));
  const olderLayout = JSON.stringify(waiting.outbox.map((entry) => JSON.stringify(entry)));
  await browser.worker.evaluate((outbox) => chrome.storage.local.set({ outbox }), olderLayout);
  const total = waiting.records.length;
  collector = await startCollector(database, `127.0.0.1:${port}`);
  await sendNow();
  await waitFor(() => query('SELECT count(*) AS n FROM records')[0].n === total, 'the queued records');
  await sendNow();
  const after = await stored(browser.worker);
  assert.equal(after.outbox.length, 0);
  assert.equal(after.sync.failures, 0);
  assert.deepEqual(query('SELECT count(DISTINCT record_id) AS n, count(*) AS rows FROM records'), [{ n: total, rows: total }]);
});

test('a region chosen for the minimum wage stays in the browser: the collector gets the country only', async () => {
  const before = query('SELECT count(*) AS n FROM records')[0].n;
  const status = await saveSettings(page, browser.popupUrl, { 'idle-cutoff': '5', country: 'CA', region: 'CA-ON', 'collector-url': collectorUrl, sharing: true });
  assert.equal(status, 'Settings saved.');
  const threshold = await page.waitForSelector('[data-figure="minimum-threshold"][data-jurisdiction="CA-ON"]', { state: 'attached' });
  assert.match(await threshold.textContent(), /^Minimum wage \(Ontario\): \d+\.\d\d\u00a0CAD\/h since \d{4}-\d\d-\d\d — source: /);
  await doOneTask();
  await sendNow();
  const countries = () => query('SELECT country, count(*) AS n FROM records GROUP BY country ORDER BY country');
  await waitFor(() => countries().some((row) => row.country === 'CA' && row.n >= 2), 'the upload');
  assert.deepEqual(countries().map((row) => row.country), ['CA', 'FR']);
  assert.equal(countries().find((row) => row.country === 'FR').n, before);
  const state = await stored(browser.worker);
  assert.equal(state.settings.region, 'CA-ON', 'kept in the browser');
  const bytes = readFileSync(database).toString('latin1');
  assert.ok(!bytes.includes('CA-ON'), 'the collector never received the region');
  for (const record of state.records) assert.ok(!('region' in record), JSON.stringify(record));
});

test('erasing empties the collector for this install and turns sharing off', async () => {
  await page.goto(browser.popupUrl);
  await page.waitForSelector('body[data-opened-ms]');
  await page.click('[data-view="settings"]');
  await page.click('[data-action="erase-shared"]');
  await waitFor(() => query('SELECT count(*) AS n FROM records')[0].n === 0, 'the erasure');
  const state = await waitFor(async () => { const s = await stored(browser.worker); return s.sync?.last_status === 'erased' && s; }, 'the confirmation');
  assert.equal(state.settings.sharing, false);
  assert.equal(state.sync.token, null);
  assert.ok(state.records.length >= 3, 'local records stay');
});
