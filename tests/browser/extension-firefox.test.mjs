// End-to-end tests of the extension's Firefox build (extension/dist/firefox) in Debian's
// headless Firefox ESR, driven over WebDriver BiDi: installed as a temporary add-on, the same
// fixture sites as the Chromium tests (extension.test.mjs), and assertions on what it stored
// and what its popup shows. Run by scripts/test-extension after the Chromium tests.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { query, startCollector } from './collector-process.mjs';
import { axeViolations } from './extension-helpers.mjs';
import { sleep, waitFor, waitForRecords as waitForStoredRecords, work } from './extension-storage.mjs';
import { BACKGROUND_IDLE_MS, launchFirefox, openExtensionPage, saveSettings } from './firefox-helpers.mjs';
import { assertAdvertisedAndActual, assertEvidenceVerifiesAndOneByteFails, assertRequesterRow, assertScreenedOut, assertSearchThenLabelTask, requesterRow, screenOutOfStudy, seconds, uhrsStretch } from './scenarios.mjs';
import { PROJECTS, startFixtureServer } from './fixture-server.mjs';

const [LABEL] = Object.keys(PROJECTS);
const IDLE_CUTOFF_S = 5;

let server;
let firefox;
let page;

const records = async () => (await firefox.stored()).records;
const recordCount = async () => (await records()).length;
const waitForRecords = (before, count) => waitForStoredRecords(records, before, count);
// What the manifest declares under browser_specific_settings.gecko.data_collection_permissions.optional.
const SHARED_DATA = ['browsingActivity', 'financialAndPaymentInfo', 'locationInfo', 'websiteActivity'];
const text = (selector) => page.$eval(selector, (element) => element.textContent);
const attribute = (selector, name) => page.$eval(selector, (element, name) => element.getAttribute(name), name);

before(async () => {
  server = await startFixtureServer();
  firefox = await launchFirefox(server);
  page = await firefox.browser.newPage();
  const status = await saveSettings(page, firefox.popupUrl, { 'idle-cutoff': String(IDLE_CUTOFF_S), country: 'FR', 'display-currency': 'USD' });
  assert.equal(status, 'Settings saved.');
});

after(async () => {
  await firefox?.close();
  await server?.close();
});

describe('first run', () => {
  test('a new install shows the introduction: a country by its name, its minimum with date and source, skipped', async () => {
    // As a new install: no settings saved yet, nothing measured yet.
    await firefox.inExtension(() => globalThis.browser.storage.local.remove('settings'));
    await openExtensionPage(page, firefox.popupUrl);
    assert.equal(await page.$eval('#onboarding', (section) => section.hidden), false);
    assert.equal(await text('[data-figure="nothing-measured"]'), 'Nothing measured yet: open MTurk or Prolific, or start the timer.');
    assert.equal(await page.$$eval('[data-period]', (periods) => periods.length), 0);
    const chosen = (id) => page.$eval(`#${id}`, (list) => list.selectedOptions[0]?.textContent);
    await page.select('#onboarding-country', 'FR');
    await page.waitForSelector('#onboarding-minimum [data-jurisdiction="FR"]');
    assert.equal(await chosen('onboarding-country'), 'France');
    assert.match(await text('#onboarding-minimum [data-figure="minimum-threshold"]'),
      /^Minimum wage \(France\): \d+[.,]\d\d\u00a0EUR\/h since \d{4}-\d\d-\d\d — source: OpenFisca France parameters$/);
    assert.equal(await chosen('onboarding-display-currency'), 'EUR — Euro');
    await page.select('#onboarding-country', 'US');
    await page.select('#onboarding-region', 'US-CA');
    await page.waitForSelector('#onboarding-minimum [data-jurisdiction="US-CA"]');
    assert.deepEqual([await chosen('onboarding-country'), await chosen('onboarding-region')], ['United States', 'California']);
    assert.match(await text('#onboarding-minimum [data-figure="minimum-threshold"]'), /^Minimum wage \(California\): \d+[.,]\d\d\u00a0USD\/h since /);
    await page.click('[data-action="onboarding-skip"]');
    await page.waitForSelector('#onboarding[hidden]');
    assert.equal((await firefox.stored()).settings.onboarding, 'skipped');
    await openExtensionPage(page, firefox.popupUrl);
    assert.equal(await page.$eval('#onboarding', (section) => section.hidden), true);
    // The settings the other tests work with, again.
    assert.equal(await saveSettings(page, firefox.popupUrl, { 'idle-cutoff': String(IDLE_CUTOFF_S), country: 'FR', 'display-currency': 'USD' }), 'Settings saved.');
  });
});

describe('installing', () => {
  test('a temporary install gets its host permissions and the gecko id', async () => {
    assert.equal(firefox.extensionId, firefox.gecko.id);
    const granted = await firefox.permissions();
    assert.deepEqual([...granted.origins].sort(), ['https://app.prolific.com/*', 'https://worker.mturk.com/*']);
    assert.deepEqual([...granted.permissions].sort(), ['alarms', 'scripting', 'storage', 'unlimitedStorage']);
    // Sharing's data collection is optional and off until the worker turns sharing on.
    assert.deepEqual([...granted.data_collection], []);
  });

  test('the background page runs the wasm module: a visit to MTurk reaches its tracker', async () => {
    await page.goto('https://worker.mturk.com/projects');
    await work(page, 1000);
    // The tracker's state, which the background writes after every event (the stored form of
    // extension/src/tracker): this tab is on MTurk's search pages.
    const onMturk = (tracker) => Object.values(tracker?.tabs ?? {}).some((tab) => tab.place?.at === 'search' && tab.place?.platform === 'mturk');
    await waitFor(async () => {
      const raw = (await firefox.stored()).raw.tracker;
      return onMturk(raw ? JSON.parse(raw) : null);
    }, 'the MTurk page in the tracker');
  });
});

describe('MTurk', () => {
  test('accept, work, submit: one task record and the search time before it', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await work(page, 2500);
    const accepted = Date.now();
    await page.click(`#accept-${LABEL}`);
    const frame = await (await page.waitForSelector('iframe.task-frame')).contentFrame();
    await work(page, 3000);
    await frame.click('#submit-hit');
    await page.waitForSelector('.mturk-alert-content h3');
    const submitted = Date.now();
    assertSearchThenLabelTask(await waitForRecords(before, 2), { accepted, submitted, maxSearchSeconds: 5 });
  });

  test('a task across a suspension of the background event page is recorded whole', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await page.click(`#accept-${LABEL}`);
    const frame = await (await page.waitForSelector('iframe.task-frame')).contentFrame();
    await work(page, 1000);
    // Reading the task without input, for less than the idle cutoff: the time counts, and
    // Firefox suspends the idle background meanwhile.
    await sleep(BACKGROUND_IDLE_MS + 1500);
    assert.equal(await firefox.backgroundRunning(), false, 'the background is suspended');
    await work(page, 1500);
    await frame.click('#submit-hit');
    await page.waitForSelector('.mturk-alert-content h3');
    const task = (await waitForRecords(before, 1)).find((r) => r.kind === 'task');
    assert.equal(task?.outcome, 'submitted', JSON.stringify(task));
    assert.equal(task.reward, '0.5');
    assert.ok(Number(task.active_seconds) >= 4 && Number(task.active_seconds) <= seconds(task), JSON.stringify(task));
  });
});

describe('Prolific', () => {
  test('a study screened out is recorded with its screening payment (the page-world script reads the API)', async () => {
    const before = await recordCount();
    await screenOutOfStudy(page);
    assertScreenedOut(await waitForRecords(before, 2));
  });
});

describe('manual mode and the popup', () => {
  test('the manual timer records what the worker enters', async () => {
    const before = await recordCount();
    await openExtensionPage(page, firefox.popupUrl);
    await page.click('[data-view="timer"]');
    await page.select('#manual-platform', 'toloka');
    await page.click('[data-action="manual-start"]');
    await page.waitForSelector('#timer-state[data-running="true"]');
    await sleep(2500);
    await page.locator('#manual-reward').fill('0.80');
    await page.locator('#manual-currency').fill('EUR');
    await page.select('#manual-outcome', 'approved');
    await page.locator('#manual-title').fill('Search relevance batch');
    await page.click('[data-action="manual-stop"]');
    await page.waitForSelector('#timer-state[data-running="false"]');
    const [record] = await waitForRecords(before, 1);
    assert.equal(record?.platform, 'toloka', JSON.stringify(record));
    assert.equal(record.outcome, 'approved');
    assert.equal(record.reward, '0.8');
    assert.equal(record.currency, 'EUR');
    assert.equal(record.title, 'Search relevance batch');
    assert.ok(Number(record.active_seconds) >= 2 && Number(record.active_seconds) <= 4, JSON.stringify(record));
  });

  test('the popup shows the stored records\' figures', async () => {
    const all = await records();
    assert.deepEqual(new Set(all.map((r) => r.platform)), new Set(['mturk', 'prolific', 'toloka']));
    await openExtensionPage(page, firefox.popupUrl);
    assert.equal(await page.$eval('#site-access', (notice) => notice.hidden), true, 'no notice while the sites are accessible');
    const tasks = await text('[data-period="today"] [data-figure="tasks"]');
    assert.equal(Number(tasks), all.filter((r) => r.kind === 'task').length);
    // MTurk pays in dollars: the per-platform wage is its earnings over all its counted time.
    const mturk = all.filter((r) => r.platform === 'mturk');
    const paid = mturk.filter((r) => r.outcome === 'submitted').reduce((sum, r) => sum + Number(r.reward), 0);
    const time = mturk.reduce((sum, r) => sum + Number(r.active_seconds), 0);
    const shown = Number(await attribute('[data-platform="mturk"] [data-figure="platform-wage"]', 'data-usd'));
    assert.ok(Math.abs(shown - (paid * 3600) / time) < 1e-6, `${shown} vs ${(paid * 3600) / time}`);
    assert.ok(Number(await attribute('[data-period="today"] [data-figure="earnings"]', 'data-usd')) > paid);
    assert.match(await text('[data-period="today"] [data-figure="minimum"]'), /% of the minimum wage in France/);
    assert.match(await text('[data-figure="minimum-threshold"]'),
      /^Minimum wage \(France\): \d+\.\d\d\u00a0EUR\/h since \d{4}-\d\d-\d\d — source: OpenFisca France parameters$/);
    assert.equal(await text('#record-count'), `${all.length} records in this browser`);
  });

  // A subset of the Chromium tests' accessibility checks (extension.test.mjs), on Firefox's engine.
  test('the popup in Firefox: its language, the open view announced, no axe-core violation', async () => {
    await openExtensionPage(page, firefox.popupUrl);
    assert.equal(await attribute('html', 'lang'), 'en');
    await page.click('[data-view="timer"]');
    assert.equal(await attribute('[data-view="timer"]', 'aria-current'), 'page');
    assert.equal(await attribute('[data-view="dashboard"]', 'aria-current'), 'false');
    await page.click('[data-view="dashboard"]');
    assert.deepEqual(await axeViolations(page), []);
  });
});

describe('requester history', () => {
  const openHistory = async () => {
    await openExtensionPage(page, firefox.popupUrl);
    await page.click('[data-view="requesters"]');
    await page.waitForSelector('#history table.history');
  };

  test('a requester\'s row shows the wage of its accepted, returned and submitted tasks', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await page.click(`#accept-${LABEL}`);
    await page.waitForSelector('iframe.task-frame');
    await work(page, 1500);
    await page.click('#return');
    await page.waitForSelector('.mturk-alert-content h3');
    await waitForRecords(before, 1);
    await openHistory();
    const shown = await requesterRow(attribute, 'Street Scenes Lab');
    assertRequesterRow(await records(), 'Street Scenes Lab', shown);
    assert.equal(shown.approvedUsd, 0);
  });

  test('a pending task becomes approved when the status page says so', async () => {
    server.review('Street Scenes Lab', 'Paid');
    await page.goto(`https://worker.mturk.com/status_details/${new Date().toISOString().slice(0, 10)}`);
    await page.waitForSelector('[data-react-class*="HitStatusDetailsTable"]');
    await work(page, 500);
    await waitFor(async () => {
      const pay = JSON.parse((await firefox.stored()).raw.pay ?? '{"entries":{}}');
      return Object.values(pay.entries).filter((entry) => entry.state === 'paid').length >= 2;
    }, 'the pay states of the status page');
    await openHistory();
    const shown = await requesterRow(attribute, 'Street Scenes Lab');
    const pay = assertRequesterRow(await records(), 'Street Scenes Lab', shown);
    assert.ok(Math.abs(shown.approvedUsd - pay) < 1e-9, JSON.stringify(shown));
    assert.equal(shown.pendingUsd, 0);
  });

  test('a requester\'s evidence verifies with piecerate verify-evidence, and one edited byte fails naming the entry', async () => {
    await openHistory();
    // The row's link, opened in a tab of its own (Firefox's BiDi does not report the tab a link
    // opens from an extension page; the Chromium tests click it).
    const href = await attribute('#history tr.requester[data-requester="Street Scenes Lab"] a.evidence', 'href');
    assert.equal(await attribute('#history tr.requester[data-requester="Street Scenes Lab"] a.evidence', 'target'), '_blank');
    const evidence = await firefox.browser.newPage();
    await openExtensionPage(evidence, `${firefox.base}/${href}`, 'table.timeline, [data-figure="evidence-error"]');
    assert.equal(await evidence.$eval('h1', (h1) => h1.textContent), 'Evidence of work (piecerate)');
    assert.equal(await evidence.$eval('[data-figure="subject"]', (p) => p.textContent), 'Every task of Street Scenes Lab on mturk');
    const kinds = await evidence.$$eval('table.timeline td[data-kind]', (cells) => cells.map((cell) => cell.dataset.kind));
    for (const kind of ['accepted', 'worked', 'returned', 'submitted', 'paid']) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
    // The file the download button saves, read from the download folder once complete.
    const head = await evidence.$eval('[data-figure="head"]', (code) => code.textContent);
    const name = `piecerate-evidence-${head.slice(0, 12)}.json`;
    await evidence.click('[data-action="evidence-download"]');
    await waitFor(async () => existsSync(path.join(firefox.downloads, name)) && !readdirSync(firefox.downloads).some((file) => file.endsWith('.part')), 'the evidence file downloaded');
    await sleep(300);
    const exported = assertEvidenceVerifiesAndOneByteFails(readFileSync(path.join(firefox.downloads, name), 'utf8'), 'Street Scenes Lab');
    assert.equal(exported.head, head);
    assert.equal(kinds.length, exported.entries.filter((entry) => !entry.withheld).length);
    await evidence.close();
    // The tests' tab in front again: a permission request needs the worker's click in it.
    await page.bringToFront();
  });

  test('a Prolific study shows its advertised rate next to the measured one', async () => {
    await openHistory();
    await assertAdvertisedAndActual(attribute, await records(), 'Attitudes to commuting', { reward: 1.5, minutes: 10 });
  });
});

describe('sharing with a collector', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'piecerate-firefox-sharing-'));
  const database = path.join(dir, 'collector.db');
  let collector;

  before(async () => {
    collector = await startCollector(database, '127.0.0.1:0');
  });

  after(async () => {
    if (collector?.running()) await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('after opting in the collector holds exactly this browser\'s records, coarsened to the hour', async () => {
    const status = await saveSettings(page, firefox.popupUrl, { 'idle-cutoff': String(IDLE_CUTOFF_S), country: 'FR', 'display-currency': 'USD',
      'collector-url': collector.address, sharing: true });
    assert.equal(status, 'Settings saved.');
    const consentVersion = await text('#consent-version');
    const local = await records();
    const rows = await waitFor(() => { const r = query(database, 'SELECT * FROM records'); return r.length === local.length && r; }, 'the upload');
    assert.deepEqual(rows.map((r) => r.record_id).sort(), local.map((r) => r.record_id).sort());
    for (const row of rows) {
      const mine = local.find((r) => r.record_id === row.record_id);
      assert.equal(row.started_at, Math.floor(Date.parse(mine.started_at) / 3600000) * 3600);
      assert.equal(row.active_seconds, Number(mine.active_seconds));
      assert.equal(row.platform, mine.platform);
    }
    const [install] = query(database, 'SELECT * FROM installs');
    assert.equal(install.consent_version, consentVersion);
    const { sync } = await waitFor(async () => { const s = await firefox.stored(); return s.sync?.sent === local.length && s; }, 'the sent count');
    assert.equal(sync.failures, 0);
    // Turning sharing on asked Firefox for the data collection the manifest declares.
    assert.deepEqual([...(await firefox.permissions()).data_collection].sort(), SHARED_DATA);
  });

  test('with the data-collection permissions withdrawn in Firefox, nothing is sent', async () => {
    assert.equal(await firefox.inExtension((data) => globalThis.browser.permissions.remove({ data_collection: data }), SHARED_DATA), true);
    await openExtensionPage(page, firefox.popupUrl);
    await page.click('[data-view="settings"]');
    await page.click('[data-action="sync-now"]');
    const { sync } = await waitFor(async () => { const s = await firefox.stored(); return s.sync?.last_status?.startsWith('paused') && s; }, 'the paused status');
    assert.equal(sync.last_status, "paused: Firefox's data-collection permission is withdrawn");
    // Saving with sharing on asks again (granted here without a prompt), and sharing resumes.
    assert.equal(await saveSettings(page, firefox.popupUrl, { sharing: true }), 'Settings saved.');
    assert.deepEqual([...(await firefox.permissions()).data_collection].sort(), SHARED_DATA);
    await page.click('[data-action="sync-now"]');
    await waitFor(async () => (await firefox.stored()).sync?.last_status === 'resumed', 'a sync after the grant');
  });
});

describe('access to the sites', () => {
  test('with access to the sites revoked the popup says so, and one click gives it back', async () => {
    const origins = ['https://worker.mturk.com/*', 'https://app.prolific.com/*'];
    assert.equal(await firefox.inExtension((origins) => globalThis.browser.permissions.remove({ origins }), origins), true);
    await openExtensionPage(page, firefox.popupUrl);
    await page.waitForSelector('#site-access:not([hidden])');
    assert.equal(await text('#site-access-text'), 'piecerate has no access to worker.mturk.com, app.prolific.com, so it measures nothing there.');
    await page.click('#grant-site-access');
    await page.waitForSelector('#site-access[hidden]');
    assert.deepEqual([...(await firefox.permissions()).origins].sort(), [...origins].sort());
  });
});

describe('a time-tier platform (UHRS)', () => {
  const UHRS = 'https://www.uhrs.ai/*';
  const toggle = '[data-platform-toggle][data-platform]';
  /// The settings' tick box of the platform whose hosts include www.uhrs.ai.
  const uhrsToggle = async () => {
    await openExtensionPage(page, firefox.popupUrl);
    await page.click('[data-view="settings"]');
    const id = await page.$$eval(toggle, (boxes) => boxes.find((box) => box.parentElement.textContent.includes('www.uhrs.ai')).id);
    return `#${id}`;
  };
  const registered = () => firefox.inExtension(() => globalThis.browser.scripting.getRegisteredContentScripts());

  test('turning UHRS on asks for its host permission, and the content script then runs there', async () => {
    assert.ok(!(await firefox.permissions()).origins.includes(UHRS), 'not granted at install');
    const box = await uhrsToggle();
    await page.click(box);
    await waitFor(async () => (await firefox.permissions()).origins.includes(UHRS), 'the UHRS host permission');
    const scripts = await waitFor(async () => (await registered()).find((script) => script.matches.includes(UHRS)), 'the content script registered');
    assert.deepEqual([...scripts.matches].sort(), ['https://prod.uhrs.playmsn.com/*', UHRS].sort());
    // Clickworker was not turned on: its site stays out of reach.
    assert.ok(!(await firefox.permissions()).origins.includes('https://workplace.clickworker.com/*'));
  });

  test('a UHRS stretch is timed from the addresses, and the pay typed in the popup makes its record', async () => {
    const before = await recordCount();
    const { started, ended } = await uhrsStretch(page);
    // The search before it is a record already; the stretch of work waits for its pay.
    const search = (await waitForRecords(before, 1)).find((r) => r.kind === 'unpaid');
    assert.equal(search.category, 'search');
    await openExtensionPage(page, firefox.popupUrl);
    const row = await page.waitForSelector('tr[data-stretch]');
    const stretch = await row.evaluate((tr) => tr.getAttribute('data-stretch'));
    const active = await text(`tr[data-stretch="${stretch}"] td[data-measured="active"]`);
    const [minutes, secs] = active.split(':').map(Number);
    assert.ok(minutes * 60 + secs >= 3 && minutes * 60 + secs <= (ended - started) / 1000 + 1, active);
    // Hostile and malformed pay: refused, the form saying in the worker's language what the
    // field takes, with the field marked; nothing recorded, the stretch kept.
    for (const bad of ['-1', 'abc', '1e9', '5000']) {
      await page.locator(`#pay-${stretch}`).fill(bad);
      await page.click(`tr[data-stretch="${stretch}"] button`);
      await page.waitForFunction((bad) => {
        const error = document.getElementById('pay-error');
        return !error.hidden && error.textContent.startsWith(`Pay: “${bad}” is not an amount.`);
      }, {}, bad);
      assert.equal(await page.$eval(`#pay-${stretch}`, (input) => input.getAttribute('aria-invalid')), 'true', bad);
      assert.equal(await recordCount(), before + 1, bad);
    }
    assert.ok(await page.$(`tr[data-stretch="${stretch}"]`), 'the stretch is still listed');
    await page.locator(`#pay-${stretch}`).fill('0.35');
    await page.locator(`#currency-${stretch}`).fill('USD');
    await page.click(`tr[data-stretch="${stretch}"] button`);
    const [task] = (await waitForRecords(before + 1, 1)).filter((r) => r.kind === 'task');
    assert.equal(task.reward, '0.35');
    assert.equal(task.currency, 'USD');
    assert.equal(task.outcome, 'submitted');
    assert.equal(Number(task.active_seconds), minutes * 60 + secs);
    assert.ok(seconds(task) <= (ended - started) / 1000 + 2, JSON.stringify(task));
    await page.waitForFunction(() => !document.querySelector('tr[data-stretch]'));
  });

  test('turning UHRS off removes its host permission and its content script', async () => {
    const box = await uhrsToggle();
    await page.waitForFunction((box) => document.querySelector(box).checked, {}, box);
    await page.click(box);
    await waitFor(async () => !(await firefox.permissions()).origins.includes(UHRS), 'the UHRS permission removed');
    await waitFor(async () => (await registered()).length === 0, 'the content script unregistered');
  });
});
