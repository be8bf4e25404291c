// End-to-end test of the Microworkers adapter in headless Firefox: turning Microworkers on in the
// settings grants its optional host permission (Firefox grants without a prompt under test),
// the content script is then registered there, a job is timed from its page, paid what it
// states and closed when its proof is sent, and a redesigned job page shows the worker an error.
// The Chromium counterpart is extension-microworkers.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { waitFor, waitForRecords as waitForStoredRecords } from './extension-storage.mjs';
import { launchFirefoxInKenya, openExtensionPage } from './firefox-helpers.mjs';
import { MICROWORKERS_CHANGED_PROBLEM, MICROWORKERS_CHANGED_URL, assertMicroworkersJob, sendMicroworkersProof } from './scenarios.mjs';

const MICROWORKERS = 'https://www.microworkers.com/*';

let firefox;
let page;

const records = async () => (await firefox.stored()).records;
const waitForRecords = (before, count) => waitForStoredRecords(records, before, count);
const registered = () => firefox.inExtension(() => globalThis.browser.scripting.getRegisteredContentScripts());

let launched;

before(async () => {
  launched = await launchFirefoxInKenya();
  ({ firefox, page } = launched);
});

after(() => launched?.close());

test('turned on in the settings, a Microworkers job is timed, paid and closed automatically', async () => {
  assert.ok(!(await firefox.permissions()).origins.includes(MICROWORKERS), 'not granted at install');
  await openExtensionPage(page, firefox.popupUrl);
  await page.click('[data-view="settings"]');
  await page.click('[data-platform-toggle][data-platform="microworkers"]');
  await waitFor(async () => (await firefox.permissions()).origins.includes(MICROWORKERS), 'the Microworkers host permission');
  await waitFor(async () => (await registered()).some((script) => script.matches.includes(MICROWORKERS)), 'the content script registered');
  const before = (await records()).length;
  const times = await sendMicroworkersProof(page);
  assertMicroworkersJob(await waitForRecords(before, 2), times);
});

test('a redesigned job page shows the worker an error, and no task', async () => {
  const tasks = async () => (await records()).filter((r) => r.kind === 'task').length;
  const before = await tasks();
  await page.goto(MICROWORKERS_CHANGED_URL);
  await page.waitForSelector('form');
  await waitFor(async () => MICROWORKERS_CHANGED_PROBLEM.test((await firefox.stored()).problems.at(-1)?.text ?? ''), 'the problem stored');
  assert.equal(await tasks(), before);
  await openExtensionPage(page, firefox.popupUrl);
  assert.match(await page.$eval('#problems', (element) => element.textContent), /This page could not be read: microworkers job: reward/);
});
