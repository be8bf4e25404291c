// End-to-end test of the Microworkers adapter in headless Chromium: a job timed from its page,
// paid what the page states and closed when its proof is sent; a redesigned job page shows the
// worker an error. Microworkers is an optional host permission, and headless Chromium cannot
// answer the dialog that grants one (see extension-time-tier.test.mjs), so this loads a copy of
// the built extension whose manifest grants www.microworkers.com at install (the state after
// the worker said yes), which also checks that the content script is registered for a granted
// optional host. Firefox grants it through the permissions API
// (extension-firefox-microworkers.test.mjs).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { EXTENSION_DIR, launch, saveSettings, sleep, stored } from './extension-helpers.mjs';
import { waitForRecords } from './extension-storage.mjs';
import { MICROWORKERS_CHANGED_PROBLEM, MICROWORKERS_CHANGED_URL, assertMicroworkersJob, sendMicroworkersProof } from './scenarios.mjs';
import { startFixtureServer } from './fixture-server.mjs';

const MICROWORKERS = 'https://www.microworkers.com/*';

let server;
let copy;
let browser;
let page;

before(async () => {
  server = await startFixtureServer();
  const manifest = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
  assert.ok(manifest.optional_host_permissions.includes(MICROWORKERS), 'an optional host permission');
  assert.ok(!manifest.host_permissions.includes(MICROWORKERS), 'not granted at install');
  copy = mkdtempSync(path.join(tmpdir(), 'piecerate-granted-'));
  cpSync(EXTENSION_DIR, copy, { recursive: true });
  manifest.host_permissions.push(MICROWORKERS);
  writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest, null, 2));
  browser = await launch(server.hostRules, copy);
  page = await browser.context.newPage();
  assert.equal(await saveSettings(page, browser.popupUrl, { 'idle-cutoff': '5', country: 'KE', 'display-currency': 'USD' }), 'Settings saved.');
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (copy) rmSync(copy, { recursive: true, force: true });
});

test('a Microworkers job is timed from its page, paid what it states and closed when its proof is sent', async () => {
  const records = async () => (await stored(browser.worker)).records;
  const before = (await records()).length;
  const times = await sendMicroworkersProof(page);
  assertMicroworkersJob(await waitForRecords(records, before, 2), times);
});

test('a redesigned job page shows the worker an error, and no record', async () => {
  const tasks = (state) => state.records.filter((r) => r.kind === 'task').length;
  const before = tasks(await stored(browser.worker));
  await page.goto(MICROWORKERS_CHANGED_URL);
  await page.waitForSelector('form');
  await sleep(1500);
  const state = await stored(browser.worker);
  assert.equal(tasks(state), before, 'no task opened from a page the table no longer fits');
  assert.match(state.problems.at(-1).text, MICROWORKERS_CHANGED_PROBLEM);
  const popup = await browser.context.newPage();
  await popup.goto(browser.popupUrl);
  await popup.waitForSelector('body[data-opened-ms]');
  assert.match(await popup.textContent('#problems'), /This page could not be read: microworkers job: reward/);
  await popup.close();
});
