// The local store at 500,000 records (issue 13's long history; under a minute here): imported
// through the popup (the worker's own restore path), counted, drawn by the popup with the right
// figures, exported whole, and summed in the requester history. How long each of these takes is
// measured by scripts/bench-extension, not asserted here. The file is handed to the browser by
// path: Playwright refuses buffers over 50 MB.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launch } from './extension-helpers.mjs';
import { startFixtureServer } from './fixture-server.mjs';
import { expectedFigures, HEADER, syntheticExport } from './synthetic-records.mjs';

const RECORDS = 500_000;
// Two in five records are MTurk tasks (synthetic-records.mjs).
const MTURK_TASKS = (RECORDS * 2) / 5;
let server;
let browser;

before(async () => {
  server = await startFixtureServer();
  browser = await launch(server.hostRules);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPopup() {
  const page = await browser.context.newPage();
  await page.goto(browser.popupUrl);
  await page.waitForSelector('body[data-ready-at-ms]');
  return page;
}

async function downloadText(download) {
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

test('500,000 records: import, the popup\'s figures, full export, the requester history', async () => {
  const now = Date.now();
  const page = await openPopup();
  const fileDir = mkdtempSync(path.join(tmpdir(), 'piecerate-store-'));
  const filePath = path.join(fileDir, 'records.csv');
  writeFileSync(filePath, syntheticExport(RECORDS, now));
  try {
    await page.setInputFiles('#import-file', filePath);
    await page.waitForFunction(() => /records imported/.test(document.getElementById('status').textContent), null, { timeout: 300_000, polling: 100 });
  } finally {
    rmSync(fileDir, { recursive: true, force: true });
  }
  assert.equal(await page.textContent('#status'), `${RECORDS} records imported (0 refused lines; see the problems above).`);
  await page.close();

  const popup = await openPopup();
  // The browser's own time zone (see noonEnvironment), which files records by local day.
  const offset = await popup.evaluate(() => new Date().getTimezoneOffset());
  const expected = expectedFigures(RECORDS, now, Date.now(), offset);
  assert.equal(await popup.textContent('#record-count'), `${RECORDS} records in this browser`);
  for (const [period, figures] of Object.entries(expected)) {
    const figure = (name) => popup.textContent(`[data-period="${period}"] [data-figure="${name}"]`);
    assert.equal(await figure('tasks'), figures.tasks, `${period} tasks`);
    assert.equal(await figure('paid-hours'), figures.paidHours, `${period} paid hours`);
    assert.equal(await figure('unpaid-hours'), figures.unpaidHours, `${period} unpaid hours`);
  }
  assert.ok(Number(expected.month.tasks) > 0, 'the month holds records');

  const download = popup.waitForEvent('download', { timeout: 300_000 });
  await popup.click('[data-action="export-csv"]');
  const lines = (await downloadText(await download)).trimEnd().split('\n');
  assert.equal(lines[0], HEADER);
  assert.equal(lines.length, RECORDS + 1);
  const ids = new Set(lines.slice(1).map((line) => line.split(',')[0]));
  assert.equal(ids.size, RECORDS, 'every record exported once');

  // The requester history over the whole store: imported records carry no requester, so one
  // row per platform; MTurk's tasks paid $0.45 each for 280 s of work.
  await popup.click('[data-view="requesters"]');
  await popup.waitForSelector('#history table.history', { timeout: 120_000 });
  const mturk = '#history tr.requester[data-platform="mturk"]';
  assert.equal(await popup.textContent(`${mturk} [data-figure="tasks"]`), String(MTURK_TASKS));
  const wage = Number(await popup.getAttribute(`${mturk} [data-figure="wage"]`, 'data-usd'));
  assert.ok(Math.abs(wage - (0.45 * 3600) / 280) < 1e-5, `${wage}`);
  assert.equal(Number(await popup.getAttribute(`${mturk} [data-figure="earnings"]`, 'data-approved-usd')), MTURK_TASKS * 0.45);
  // The row's name and platform, then its evidence link, named for screen readers.
  const header = await popup.$eval(`${mturk} th`, (th) => ({
    name: [...th.childNodes].filter((node) => node.nodeName !== 'A').map((node) => node.textContent).join(''),
    evidence: th.querySelector('a.evidence')?.getAttribute('aria-label'),
  }));
  assert.deepEqual(header, { name: '(requester not recorded) mturk', evidence: 'Evidence for (requester not recorded)' });
  await popup.fill('#history-search', 'no such requester');
  await popup.waitForSelector('[data-figure="history-no-match"]');
  await popup.close();
});
