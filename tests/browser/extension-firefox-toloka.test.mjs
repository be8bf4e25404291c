// End-to-end test of Toloka, a time-tier platform, in headless Firefox: turning it on in the
// settings grants its optional host permissions (Firefox grants without a prompt under test)
// and registers the content script there; a stretch of two assignments is timed from the
// addresses and recorded with the pay typed in the popup; turning it off takes the access back.
// The Chromium counterpart is in extension-time-tier.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { waitFor, waitForRecords as waitForStoredRecords } from './extension-storage.mjs';
import { launchFirefoxInKenya, openExtensionPage } from './firefox-helpers.mjs';
import { seconds, tolokaStretch } from './scenarios.mjs';

const TOLOKA = ['https://sandbox.toloka.yandex.com/*', 'https://toloka.yandex.com/*', 'https://toloka.yandex.ru/*'];
const TOGGLE = '[data-platform-toggle][data-platform="toloka"]';

let firefox;
let page;

const records = async () => (await firefox.stored()).records;
const waitForRecords = (before, count) => waitForStoredRecords(records, before, count);
const registered = () => firefox.inExtension(() => globalThis.browser.scripting.getRegisteredContentScripts());
const origins = async () => (await firefox.permissions()).origins ?? [];

let launched;

before(async () => {
  launched = await launchFirefoxInKenya();
  ({ firefox, page } = launched);
});

after(() => launched?.close());

/// The settings view, where Toloka's tick box is.
async function openSettings() {
  await openExtensionPage(page, firefox.popupUrl);
  await page.click('[data-view="settings"]');
  await page.waitForSelector(TOGGLE);
}

test('turned on in the settings, Toloka gets its sites, and a stretch is timed from its addresses and paid as typed', async () => {
  assert.ok(!(await origins()).some((origin) => TOLOKA.includes(origin)), 'not granted at install');
  await openSettings();
  await page.click(TOGGLE);
  await waitFor(async () => {
    const granted = await origins();
    return TOLOKA.every((origin) => granted.includes(origin));
  }, 'the Toloka host permissions');
  const script = await waitFor(async () => (await registered()).find((entry) => entry.matches.includes(TOLOKA[1])), 'the content script registered');
  assert.deepEqual([...script.matches].sort(), TOLOKA);

  const before = (await records()).length;
  const { started, ended } = await tolokaStretch(page);
  // The list of tasks is searching time; the two assignments are one stretch waiting for its pay.
  const search = (await waitForRecords(before, 1)).find((record) => record.kind === 'unpaid');
  assert.equal(search?.platform, 'toloka');
  assert.equal(search.category, 'search');
  await openExtensionPage(page, firefox.popupUrl);
  await page.waitForSelector('tr[data-stretch^="toloka-"]');
  assert.equal(await page.$$eval('tr[data-stretch]', (rows) => rows.length), 1, 'one stretch for both assignments');
  const stretch = await page.$eval('tr[data-stretch^="toloka-"]', (row) => row.getAttribute('data-stretch'));
  const active = await page.$eval(`tr[data-stretch="${stretch}"] td[data-measured="active"]`, (cell) => cell.textContent);
  const [minutes, secs] = active.split(':').map(Number);
  assert.ok(minutes * 60 + secs >= 3 && minutes * 60 + secs <= (ended - started) / 1000 + 1, active);
  await page.locator(`#pay-${stretch}`).fill('0.04');
  await page.locator(`#currency-${stretch}`).fill('USD');
  await page.click(`tr[data-stretch="${stretch}"] button`);
  const [task] = (await waitForRecords(before + 1, 1)).filter((record) => record.kind === 'task');
  assert.equal(task.platform, 'toloka');
  assert.equal(task.outcome, 'submitted');
  assert.equal(task.reward, '0.04');
  assert.equal(task.currency, 'USD');
  assert.equal(Number(task.active_seconds), minutes * 60 + secs);
  assert.ok(seconds(task) <= (ended - started) / 1000 + 2, JSON.stringify(task));
});

test('turning Toloka off removes its host permissions and its content script', async () => {
  await openSettings();
  await page.waitForFunction((toggle) => document.querySelector(toggle).checked, {}, TOGGLE);
  await page.click(TOGGLE);
  await waitFor(async () => !(await origins()).some((origin) => TOLOKA.includes(origin)), 'the Toloka permissions removed');
  await waitFor(async () => (await registered()).length === 0, 'the content script unregistered');
});
