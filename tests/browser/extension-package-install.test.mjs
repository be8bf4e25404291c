// The Chromium package as a worker installs it: piecerate-chromium-VERSION.zip unzipped into a
// folder of its own, loaded in Debian's headless Chromium, records a task on the fixture copies
// of MTurk, shows it in the popup, and links to the privacy policy it ships. The package is
// extension/dist's (extension/build --package), or the one in PIECERATE_PACKAGES (a release
// folder), so that what is published is what is tested.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launch, saveSettings, stored, work } from './extension-helpers.mjs';
import { waitForRecords } from './extension-storage.mjs';
import { assertSearchThenLabelTask } from './scenarios.mjs';
import { PROJECTS, startFixtureServer } from './fixture-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const packages = path.resolve(process.env.PIECERATE_PACKAGES ?? path.join(root, 'extension', 'dist'));
const [LABEL] = Object.keys(PROJECTS);

let server;
let browser;
let page;
let unpacked;
let packageName;

before(async () => {
  const zips = readdirSync(packages).filter((name) => /^piecerate-chromium-[0-9.]+\.zip$/.test(name));
  assert.equal(zips.length, 1, `one Chromium package in ${packages}: ${zips.join(', ')}`);
  [packageName] = zips;
  unpacked = mkdtempSync(path.join(tmpdir(), 'piecerate-unpacked-'));
  execFileSync('python3', ['-m', 'zipfile', '-e', path.join(packages, packageName), unpacked]);
  server = await startFixtureServer();
  browser = await launch(server.hostRules, unpacked);
  page = await browser.context.newPage();
  const status = await saveSettings(page, browser.popupUrl, { 'idle-cutoff': '5', country: 'FR', 'display-currency': 'USD' });
  assert.equal(status, 'Settings saved.');
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

test('the unzipped package is the extension Chromium runs, at the package\'s version', async () => {
  const manifest = await browser.worker.evaluate(() => chrome.runtime.getManifest());
  assert.equal(`piecerate-chromium-${manifest.version}.zip`, packageName);
  assert.deepEqual(manifest.host_permissions, ['https://worker.mturk.com/*', 'https://app.prolific.com/*']);
});

test('it records a task on MTurk and the popup shows it', async () => {
  const before = (await stored(browser.worker)).records.length;
  await page.goto('https://worker.mturk.com/projects');
  await work(page, 2500);
  const accepted = Date.now();
  await page.click(`#accept-${LABEL}`);
  await page.waitForSelector('iframe.task-frame');
  await work(page, 3000);
  await page.frameLocator('iframe.task-frame').locator('#submit-hit').click();
  await page.waitForSelector('.mturk-alert-content h3');
  const submitted = Date.now();
  const records = await waitForRecords(async () => (await stored(browser.worker)).records, before, 2);
  assertSearchThenLabelTask(records, { accepted, submitted, maxSearchSeconds: 4 });
  await page.goto(browser.popupUrl);
  await page.waitForSelector('body[data-opened-ms]');
  assert.equal(await page.textContent('[data-period="today"] [data-figure="tasks"]'), '1');
  assert.equal(await page.textContent('#record-count'), '2 records in this browser');
});

test('the popup links to the privacy policy the package ships, in the popup\'s language', async () => {
  await page.goto(browser.popupUrl);
  await page.waitForSelector('body[data-opened-ms]');
  await page.click('[data-view="settings"]');
  const link = page.locator('#privacy-link');
  assert.equal(await link.textContent(), 'Privacy policy');
  assert.equal(await link.getAttribute('href'), 'privacy.html#en');
  const [policy] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
  await policy.waitForSelector('article#en');
  assert.equal(new URL(policy.url()).pathname, '/privacy.html');
  const shipped = readFileSync(path.join(root, 'extension', 'static', 'privacy.html'), 'utf8');
  assert.equal(readFileSync(path.join(unpacked, 'privacy.html'), 'utf8'), shipped, 'the page is the one text');
  assert.match(await policy.textContent('article#en h1'), /privacy policy/);
  assert.match(await policy.textContent('article#fr h1'), /politique de confidentialité/);
  await policy.close();
});
