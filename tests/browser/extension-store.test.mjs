// The local store at 100,000 records: imported through the popup (the worker's own restore
// path), counted, drawn by the popup with the right figures, and exported whole. How long each
// of these takes is measured by scripts/bench-extension, not asserted here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launch } from './extension-helpers.mjs';
import { startFixtureServer } from './fixture-server.mjs';
import { expectedFigures, HEADER, syntheticExport } from './synthetic-records.mjs';

const RECORDS = 100_000;
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

test('100,000 records: import, the popup\'s figures, full export', async () => {
  const now = Date.now();
  const page = await openPopup();
  await page.setInputFiles('#import-file', { name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from(syntheticExport(RECORDS, now)) });
  await page.waitForFunction(() => /records imported/.test(document.getElementById('status').textContent), null, { timeout: 300_000 });
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
  // row per platform; MTurk's 40,000 tasks paid $0.45 each for 280 s of work.
  await popup.click('[data-view="requesters"]');
  await popup.waitForSelector('#history table.history', { timeout: 120_000 });
  const mturk = '#history tr.requester[data-platform="mturk"]';
  assert.equal(await popup.textContent(`${mturk} [data-figure="tasks"]`), '40000');
  const wage = Number(await popup.getAttribute(`${mturk} [data-figure="wage"]`, 'data-usd'));
  assert.ok(Math.abs(wage - (0.45 * 3600) / 280) < 1e-5, `${wage}`);
  assert.equal(Number(await popup.getAttribute(`${mturk} [data-figure="earnings"]`, 'data-approved-usd')), 18000);
  assert.equal(await popup.textContent(`${mturk} th`), '(requester not recorded) mturk');
  await popup.fill('#history-search', 'no such requester');
  await popup.waitForSelector('[data-figure="history-no-match"]');
  await popup.close();
});
