// End-to-end test of two time-tier platforms (UHRS and Toloka) in headless Chromium: a stretch
// of work timed from the pages' addresses, its pay typed in the popup's form, the record that
// makes.
//
// Chromium asks the worker with a dialog before granting an optional host permission, and a
// headless browser offers no way to answer it (no switch, and its dialogs are not reachable
// over the DevTools protocol). So the built extension is loaded as is to check that nothing of
// UHRS is granted at install, and copies whose manifest also grants UHRS or Toloka at install
// (the state after the worker said yes) for the rest: the same content-script registration from the
// granted optional hosts, the same timing and the same form. Firefox answers the request
// without a dialog under test, and its tests (extension-firefox.test.mjs for UHRS,
// extension-firefox-toloka.test.mjs) turn the platforms on and off through the settings' tick box.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { EXTENSION_DIR, launch, stored } from './extension-helpers.mjs';
import { waitFor, waitForRecords } from './extension-storage.mjs';
import { seconds, tolokaStretch, uhrsStretch } from './scenarios.mjs';
import { startFixtureServer } from './fixture-server.mjs';

const UHRS = ['https://www.uhrs.ai/*', 'https://prod.uhrs.playmsn.com/*'];
const TOLOKA = ['https://toloka.yandex.com/*', 'https://sandbox.toloka.yandex.com/*', 'https://toloka.yandex.ru/*'];

let server;
let copy;
let tolokaCopy;

/// A copy of the built extension whose manifest grants `origins` at install.
function grantingCopy(origins) {
  const dir = mkdtempSync(path.join(tmpdir(), 'piecerate-granted-'));
  cpSync(EXTENSION_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  manifest.host_permissions.push(...origins);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

before(async () => {
  server = await startFixtureServer();
  copy = grantingCopy(UHRS);
  tolokaCopy = grantingCopy(TOLOKA);
});

after(async () => {
  await server?.close();
  for (const dir of [copy, tolokaCopy]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('as installed, no new platform is granted and no content script is registered for one', async () => {
  const browser = await launch(server.hostRules);
  try {
    const granted = await browser.worker.evaluate(() => chrome.permissions.getAll());
    assert.deepEqual([...granted.origins].sort(), ['https://app.prolific.com/*', 'https://worker.mturk.com/*']);
    assert.deepEqual(await browser.worker.evaluate(() => chrome.scripting.getRegisteredContentScripts()), []);
    const optional = await browser.worker.evaluate(() => chrome.runtime.getManifest().optional_host_permissions);
    assert.ok([...UHRS, ...TOLOKA].every((origin) => optional.includes(origin)), JSON.stringify(optional));
  } finally {
    await browser.close();
  }
});

test('with UHRS granted, a stretch is timed from the addresses and the typed pay makes its record', async () => {
  const browser = await launch(server.hostRules, copy);
  try {
    const scripts = await waitFor(async () => {
      const list = await browser.worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
      return list.find((script) => script.matches.includes(UHRS[0]));
    }, 'the content script registered for the granted UHRS hosts');
    assert.deepEqual([...scripts.matches].sort(), [...UHRS].sort());
    const page = await browser.context.newPage();
    // The settings show UHRS on: the permission is the setting.
    await page.goto(browser.popupUrl);
    await page.waitForSelector('body[data-opened-ms]');
    await page.click('[data-view="settings"]');
    const box = page.locator('label', { hasText: 'www.uhrs.ai' }).locator('input');
    await waitFor(() => box.isChecked(), 'the UHRS tick box shown on');
    assert.equal(await page.locator('label', { hasText: 'workplace.clickworker.com' }).locator('input').isChecked(), false);

    const records = async () => (await stored(browser.worker)).records;
    const { started, ended } = await uhrsStretch(page);
    const [search] = await waitForRecords(records, 0, 1);
    assert.equal(search.category, 'search', JSON.stringify(search));

    await page.goto(browser.popupUrl);
    const row = page.locator('tr[data-stretch]');
    await row.waitFor();
    const stretch = await row.getAttribute('data-stretch');
    const [minutes, secs] = (await row.locator('td[data-measured="active"]').textContent()).split(':').map(Number);
    const active = minutes * 60 + secs;
    assert.ok(active >= 3 && active <= (ended - started) / 1000 + 1, `${active} s active`);
    // A bad figure is refused, the form saying what the field takes (a decimal comma is the
    // slip a French worker makes), with the field marked; nothing is lost.
    await page.fill(`#pay-${stretch}`, '0,35');
    await row.locator('button').click();
    await page.locator('#pay-error').waitFor();
    assert.match(await page.textContent('#pay-error'), /^Pay: “0,35” is not an amount\. .*a plain number with a point, for example 0\.35/);
    assert.deepEqual(await page.$eval(`#pay-${stretch}`, (input) => [input.getAttribute('aria-invalid'), input.getAttribute('aria-describedby'), document.activeElement === input]), ['true', 'pay-error', true]);
    assert.equal((await records()).length, 1);
    await page.fill(`#currency-${stretch}`, 'EURO');
    await page.fill(`#pay-${stretch}`, '0.35');
    await row.locator('button').click();
    await page.waitForFunction(() => document.getElementById('pay-error').textContent.startsWith('Currency: “EURO”'));
    assert.equal(await page.getAttribute(`#pay-${stretch}`, 'aria-invalid'), null, 'the earlier mark is cleared');
    assert.equal(await page.getAttribute(`#currency-${stretch}`, 'aria-invalid'), 'true');
    assert.equal((await records()).length, 1);
    await page.fill(`#pay-${stretch}`, '0.35');
    await page.fill(`#currency-${stretch}`, 'usd');
    await row.locator('button').click();
    const [task] = await waitForRecords(records, 1, 1);
    assert.equal(task.kind, 'task');
    assert.equal(task.reward, '0.35');
    assert.equal(task.currency, 'USD');
    assert.equal(Number(task.active_seconds), active);
    assert.ok(seconds(task) <= (ended - started) / 1000 + 2, JSON.stringify(task));
    await page.locator('tr[data-stretch]').waitFor({ state: 'detached' });
  } finally {
    await browser.close();
  }
});

test('with Toloka granted, its assignments are one stretch timed from the addresses, paid as typed', async () => {
  const browser = await launch(server.hostRules, tolokaCopy);
  try {
    const scripts = await waitFor(async () => {
      const list = await browser.worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
      return list.find((script) => script.matches.includes(TOLOKA[0]));
    }, 'the content script registered for the granted Toloka hosts');
    assert.deepEqual([...scripts.matches].sort(), [...TOLOKA].sort());
    const page = await browser.context.newPage();
    const records = async () => (await stored(browser.worker)).records;
    const { started, ended } = await tolokaStretch(page);
    // The list of tasks is searching time; the two assignments are one stretch of work.
    const [search] = await waitForRecords(records, 0, 1);
    assert.equal(search.platform, 'toloka', JSON.stringify(search));
    assert.equal(search.category, 'search');

    await page.goto(browser.popupUrl);
    const row = page.locator('tr[data-stretch^="toloka-"]');
    await row.waitFor();
    assert.equal(await page.locator('tr[data-stretch]').count(), 1, 'one stretch for both assignments');
    const stretch = await row.getAttribute('data-stretch');
    const [minutes, secs] = (await row.locator('td[data-measured="active"]').textContent()).split(':').map(Number);
    const active = minutes * 60 + secs;
    assert.ok(active >= 3 && active <= (ended - started) / 1000 + 1, `${active} s active`);
    await page.fill(`#pay-${stretch}`, '0.04');
    await page.fill(`#currency-${stretch}`, 'USD');
    await row.locator('button').click();
    const [task] = await waitForRecords(records, 1, 1);
    assert.equal(task.platform, 'toloka');
    assert.equal(task.kind, 'task');
    assert.equal(task.outcome, 'submitted');
    assert.equal(task.reward, '0.04');
    assert.equal(Number(task.active_seconds), active);
    assert.ok(seconds(task) <= (ended - started) / 1000 + 2, JSON.stringify(task));
  } finally {
    await browser.close();
  }
});
