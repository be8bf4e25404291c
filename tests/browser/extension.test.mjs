// End-to-end tests of the browser extension in Debian's headless Chromium: fixture copies of
// the platforms' pages (tests/fixtures/sites/) served over HTTPS under their real host names,
// the built extension loaded unpacked, and assertions on what it stored and what its popup
// shows. Run by scripts/test-extension after extension/build.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { axeViolations, launch, saveSettings, sleep, stored, work } from './extension-helpers.mjs';
import { waitForRecords as waitForStoredRecords } from './extension-storage.mjs';
import { assertAdvertisedAndActual, assertEvidenceVerifiesAndOneByteFails, assertRequesterRow, assertScreenedOut, assertSearchThenLabelTask, requesterRow, screenOutOfStudy, seconds } from './scenarios.mjs';
import { PROJECTS, startFixtureServer } from './fixture-server.mjs';
import { syntheticExport } from './synthetic-records.mjs';

const [LABEL, TRANSCRIBE, CHANGED, EXTERNAL] = Object.keys(PROJECTS);
const IDLE_CUTOFF_S = 5;

let server;
let browser;
let page;

async function downloadText(download) {
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const recordCount = async () => (await stored(browser.worker)).records.length;

/// Waits until the extension holds `count` more records than `before`.
const waitForRecords = (before, count) => waitForStoredRecords(async () => (await stored(browser.worker)).records, before, count);

async function acceptAndOpen(target, project) {
  await target.click(`#accept-${project}`);
  await target.waitForSelector('iframe.task-frame');
}

async function submitHit(target) {
  await target.frameLocator('iframe.task-frame').locator('#submit-hit').click();
  await target.waitForSelector('.mturk-alert-content h3');
}

before(async () => {
  server = await startFixtureServer();
  browser = await launch(server.hostRules);
  page = await browser.context.newPage();
  const status = await saveSettings(page, browser.popupUrl, { 'idle-cutoff': String(IDLE_CUTOFF_S), country: 'FR', 'display-currency': 'USD' });
  assert.equal(status, 'Settings saved.');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/// What keeps the evidence page at `url` from being usable by everyone, on a phone (375 px, laid
/// out as a mobile page) and on a wide screen: its language, its layout within the window, its
/// controls' size and axe-core's violations, with the excerpt (`table.timeline`) or the page's
/// refusal (`evidence-error`) drawn, whichever `shows` names.
async function evidenceProblems(browserUnderTest, query, language, shows) {
  const page = await browserUnderTest.context.newPage();
  const found = [];
  try {
    const session = await browserUnderTest.context.newCDPSession(page);
    for (const screen of ['phone', 'wide']) {
      if (screen === 'phone') {
        await session.send('Emulation.setDeviceMetricsOverride', { width: 375, height: 740, deviceScaleFactor: 2, mobile: true });
      } else {
        await session.send('Emulation.clearDeviceMetricsOverride');
        await page.setViewportSize({ width: 1280, height: 800 });
      }
      const problem = (text) => found.push(`evidence page (${screen}, ${query}): ${text}`);
      await page.goto(`chrome-extension://${browserUnderTest.extensionId}/evidence.html?${query}`);
      await page.waitForSelector('body[data-opened-ms]');
      await page.waitForSelector(shows === 'timeline' ? 'table.timeline' : '[data-figure="evidence-error"]');
      const lang = await page.getAttribute('html', 'lang');
      if (lang !== language) problem(`html lang is ${lang}`);
      const width = await page.evaluate(() => window.innerWidth);
      const layout = await page.evaluate(() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]);
      if (layout[0] !== width || layout[1] > width) problem(`laid out at ${layout} px in a ${width} px window`);
      const small = await page.$$eval('button, input, select, summary, a', (controls) => controls
        .map((control) => [control.dataset.action || control.tagName, control.getBoundingClientRect()])
        .filter(([, box]) => box.width > 0 && (box.width < 24 || box.height < 24))
        .map(([name, box]) => `${name} ${box.width}×${box.height}`));
      if (small.length > 0) problem(`controls under 24 px: ${small}`);
      for (const violation of await axeViolations(page)) problem(violation);
    }
  } finally {
    await page.close();
  }
  return found;
}

describe('MTurk', () => {
  test('accept, work, submit: one task record and the search time before it', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await work(page, 2500);
    const accepted = Date.now();
    await acceptAndOpen(page, LABEL);
    await work(page, 3000);
    await submitHit(page);
    const submitted = Date.now();
    assertSearchThenLabelTask(await waitForRecords(before, 2), { accepted, submitted, maxSearchSeconds: 4 });
  });

  test('accept then return: a returned task that paid nothing', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await acceptAndOpen(page, TRANSCRIBE);
    await work(page, 2000);
    await page.click('#return');
    await page.waitForSelector('.mturk-alert-content h3');
    const records = await waitForRecords(before, 1);
    const task = records.find((r) => r.kind === 'task');
    assert.equal(task.outcome, 'returned');
    assert.equal(task.reward, '1.2');
    assert.equal(task.title, 'Transcribe receipts');
  });

  test('two tasks open at once never count the same second twice', async () => {
    const before = await recordCount();
    const second = await browser.context.newPage();
    await page.goto('https://worker.mturk.com/projects');
    await second.goto('https://worker.mturk.com/projects');
    const start = Date.now();
    await acceptAndOpen(page, LABEL);
    await acceptAndOpen(second, TRANSCRIBE);
    for (let round = 0; round < 3; round += 1) {
      await page.bringToFront();
      await work(page, 1500);
      await second.bringToFront();
      await work(second, 1500);
    }
    await submitHit(page);
    await submitHit(second);
    const elapsed = (Date.now() - start) / 1000;
    const tasks = (await waitForRecords(before, 2)).filter((r) => r.kind === 'task');
    assert.equal(tasks.length, 2);
    const active = tasks.reduce((sum, r) => sum + Number(r.active_seconds), 0);
    assert.ok(tasks.every((r) => Number(r.active_seconds) >= 1), JSON.stringify(tasks));
    assert.ok(active <= elapsed + 1, `${active} s active in ${elapsed} s`);
    await second.close();
  });

  test('an idle gap longer than the cutoff is not counted', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await acceptAndOpen(page, LABEL);
    const start = Date.now();
    await work(page, 1000);
    await sleep((IDLE_CUTOFF_S + 5) * 1000);
    await work(page, 1000);
    await submitHit(page);
    const wall = (Date.now() - start) / 1000;
    const task = (await waitForRecords(before, 1)).find((r) => r.kind === 'task');
    // At most the work, the cutoff after the last input before the gap, and rounding.
    assert.ok(Number(task.active_seconds) <= wall - 4, `${task.active_seconds} s active of ${wall} s`);
    assert.ok(Number(task.active_seconds) >= IDLE_CUTOFF_S, JSON.stringify(task));
  });

  test('typing inside a HIT framed from the requester\'s own site counts past the idle cutoff', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await acceptAndOpen(page, EXTERNAL);
    const frame = page.frameLocator('iframe.task-frame');
    // The extension cannot run in this frame: every input below is invisible to it.
    await frame.locator('#answer').click();
    const typingFor = IDLE_CUTOFF_S * 3 * 1000;
    const start = Date.now();
    while (Date.now() - start < typingFor) {
      await page.keyboard.type('by bike ', { delay: 100 });
    }
    const typed = (Date.now() - start) / 1000;
    // Back on the MTurk page, then idle there: the cutoff applies again.
    await page.click('.task-project-title');
    await sleep((IDLE_CUTOFF_S + 6) * 1000);
    const submitting = Date.now();
    await frame.locator('#submit-hit').click();
    await page.waitForSelector('.mturk-alert-content h3');
    const submitted = (Date.now() - submitting) / 1000;
    const task = (await waitForRecords(before, 1)).find((r) => r.kind === 'task');
    assert.equal(task.outcome, 'submitted');
    assert.equal(task.title, 'Short survey on commuting');
    const active = Number(task.active_seconds);
    // Counting only up to the cutoff after the page opened (or after the click on it) would
    // give at most about 10 s; the typing alone took 15 s.
    assert.ok(active >= typingFor / 1000, `${active} s active, ${typingFor / 1000} s typing`);
    // The idle time on the page after the cutoff is not counted: at most the typing, the
    // cutoff, the submission and a second of rounding either end.
    const most = typed + IDLE_CUTOFF_S + submitted + 3;
    assert.ok(active <= most, `${active} s active, at most ${most} s`);
  });

  test('search time between two tasks is its own unpaid record', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await acceptAndOpen(page, LABEL);
    await work(page, 1000);
    await submitHit(page);
    await work(page, 3000);
    await acceptAndOpen(page, TRANSCRIBE);
    await work(page, 1000);
    await submitHit(page);
    const records = await waitForRecords(before, 3);
    const kinds = records.map((r) => `${r.kind}:${r.category || r.outcome}`);
    assert.deepEqual(kinds.slice(0, 3), ['task:submitted', 'unpaid:search', 'task:submitted'], kinds.join(' '));
    assert.ok(Number(records[1].active_seconds) >= 2 && Number(records[1].active_seconds) <= 5, JSON.stringify(records[1]));
  });

  test('a page whose markup changed is reported, never recorded with a guessed number', async () => {
    const before = await recordCount();
    await page.goto('https://worker.mturk.com/projects');
    await acceptAndOpen(page, CHANGED);
    await work(page, 1000);
    await sleep(500);
    const state = await stored(browser.worker);
    assert.equal(state.records.length, before);
    const problem = state.problems.at(-1).text;
    assert.match(problem, /^mturk task: reward: no element with data-react-class containing 'ShowModal'/);
    const popup = await browser.context.newPage();
    await popup.goto(browser.popupUrl);
    await popup.waitForSelector('body[data-opened-ms]');
    assert.match(await popup.textContent('#problems'), /This page could not be read: mturk task: reward/);
    await popup.close();
  });
});

describe('Prolific', () => {
  test('a study screened out is recorded with its screening payment', async () => {
    const before = await recordCount();
    await screenOutOfStudy(page);
    assertScreenedOut(await waitForRecords(before, 2));
  });

  test('a returned study paid nothing', async () => {
    const before = await recordCount();
    await page.goto('https://app.prolific.com/studies');
    await page.click('#take-part-6650f2c1a8e3b4d5e6f70813');
    await page.waitForSelector('#return-study');
    await sleep(1000);
    await page.click('#return-study');
    await page.waitForSelector('[id^="take-part-"]');
    const study = (await waitForRecords(before, 1)).find((r) => r.kind === 'task');
    assert.equal(study.outcome, 'returned');
    assert.equal(study.reward, '0.9');
  });
});

describe('manual mode and the popup', () => {
  test('the manual timer records what the worker enters', async () => {
    const before = await recordCount();
    // The tab's last page was Prolific's, which earns the time up to the idle cutoff after its
    // last input: that runs out first, so the timer's whole interval is the manual task's.
    await sleep((IDLE_CUTOFF_S + 1) * 1000);
    await page.goto(browser.popupUrl);
    await page.waitForSelector('body[data-opened-ms]');
    await page.click('[data-view="timer"]');
    await page.selectOption('#manual-platform', 'toloka');
    await page.click('[data-action="manual-start"]');
    await page.waitForSelector('#timer-state[data-running="true"]');
    await sleep(2500);
    await page.fill('#manual-reward', '0.80');
    await page.fill('#manual-currency', 'EUR');
    await page.selectOption('#manual-outcome', 'approved');
    await page.fill('#manual-title', 'Search relevance batch');
    await page.click('[data-action="manual-stop"]');
    await page.waitForSelector('#timer-state[data-running="false"]');
    const [record] = await waitForRecords(before, 1);
    assert.equal(record.platform, 'toloka');
    assert.equal(record.outcome, 'approved');
    assert.equal(record.reward, '0.8');
    assert.equal(record.currency, 'EUR');
    assert.equal(record.title, 'Search relevance batch');
    assert.ok(Number(record.active_seconds) >= 2 && Number(record.active_seconds) <= 4, JSON.stringify(record));
  });

  test('bad manual input is refused with the field named', async () => {
    await page.fill('#manual-reward', '$1');
    await page.click('[data-action="manual-start"]');
    await page.click('[data-action="manual-stop"]');
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('reward:'));
  });

  test('the popup shows the stored records\' figures', async () => {
    const { records } = await stored(browser.worker);
    await page.goto(browser.popupUrl);
    await page.waitForSelector('body[data-opened-ms]');
    const today = (figure) => page.getAttribute(`[data-period="today"] [data-figure="${figure}"]`, 'data-usd');
    assert.equal(await page.isHidden('#site-access'), true, 'no notice while the sites are accessible');
    const tasks = await page.textContent('[data-period="today"] [data-figure="tasks"]');
    assert.equal(Number(tasks), records.filter((r) => r.kind === 'task').length);
    // MTurk pays in dollars: the per-platform wage is its earnings over all its counted time.
    const mturk = records.filter((r) => r.platform === 'mturk');
    const paid = mturk.filter((r) => r.outcome === 'submitted').reduce((sum, r) => sum + Number(r.reward), 0);
    const time = mturk.reduce((sum, r) => sum + Number(r.active_seconds), 0);
    const shown = Number(await page.getAttribute('[data-platform="mturk"] [data-figure="platform-wage"]', 'data-usd'));
    assert.ok(Math.abs(shown - (paid * 3600) / time) < 1e-6, `${shown} vs ${(paid * 3600) / time}`);
    assert.ok(Number(await today('earnings')) > paid);
    assert.match(await page.textContent('[data-period="today"] [data-figure="minimum"]'), /% of the minimum wage in France/);
    // The worker's own threshold: today's French minimum, its date and source.
    assert.match(await page.textContent('[data-figure="minimum-threshold"]'),
      /^Minimum wage \(France\): \d+\.\d\d\u00a0EUR\/h since \d{4}-\d\d-\d\d — source: OpenFisca France parameters$/);
    assert.equal(await page.textContent('#record-count'), `${records.length} records in this browser`);
  });
});

describe('requester history', () => {
  const attribute = (selector, name) => page.getAttribute(selector, name);
  const openHistory = async (search = '') => {
    await page.goto(browser.popupUrl);
    await page.waitForSelector('body[data-opened-ms]');
    await page.click('[data-view="requesters"]');
    await page.waitForSelector('#history table.history');
    if (search) {
      await page.fill('#history-search', search);
      await page.waitForFunction((name) => [...document.querySelectorAll('#history tr.requester')].every((row) => row.dataset.requester === name), search);
    }
  };

  test('a requester\'s row shows the wage of its accepted, returned and submitted tasks', async () => {
    const { records } = await stored(browser.worker);
    await openHistory();
    // Each task keeps its assignment id (for the status pages) and what it advertised.
    const receipts = records.filter((r) => r.requester === 'Receipt Data Co');
    assert.ok(receipts.every((r) => /^[0-9A-F]{30}$/.test(r.task_key) && r.advertised_reward === '1.2' && r.advertised_seconds === '1800'), JSON.stringify(receipts));
    const shown = await requesterRow(attribute, 'Receipt Data Co');
    assertRequesterRow(records, 'Receipt Data Co', shown);
    // Nothing approved yet: the pay of submitted tasks is pending.
    assert.equal(shown.approvedUsd, 0);
    // Searching narrows the table to one requester; its band is written out, not only coloured.
    await openHistory('Receipt Data Co');
    assert.match(await page.textContent('#history tr.requester [data-figure="band"]'), /\$7\.25|\$10/);
    // A click on a column's header sorts by it.
    await page.fill('#history-search', '');
    await page.click('#history [data-sort="wage"]');
    assert.equal(await page.getAttribute('#history th[aria-sort]', 'aria-sort'), 'descending');
    const wages = await page.$$eval('#history tr.requester [data-figure="wage"]', (cells) => cells.map((cell) => Number(cell.dataset.usd || -1)));
    assert.deepEqual(wages, [...wages].sort((a, b) => b - a));
  });

  test('a pending task becomes approved when the status page says so', async () => {
    server.review('Receipt Data Co', 'Approved');
    const date = new Date().toISOString().slice(0, 10);
    await page.goto(`https://worker.mturk.com/status_details/${date}`);
    await page.waitForSelector('[data-react-class*="HitStatusDetailsTable"]');
    await work(page, 500);
    const { records } = await stored(browser.worker);
    const keys = records.filter((r) => r.requester === 'Receipt Data Co' && r.outcome === 'submitted').length;
    await waitForStoredRecords(async () => {
      const pay = JSON.parse((await stored(browser.worker)).raw.pay ?? '{"entries":{}}');
      return Object.values(pay.entries).filter((entry) => entry.state === 'approved');
    }, 0, keys);
    await openHistory();
    const shown = await requesterRow(attribute, 'Receipt Data Co');
    const pay = assertRequesterRow(records, 'Receipt Data Co', shown);
    assert.ok(Math.abs(shown.approvedUsd - pay) < 1e-9, JSON.stringify(shown));
    assert.equal(shown.pendingUsd, 0);
    assert.ok(Number(shown.approvalSeconds) >= 0 && shown.approvalSeconds !== '', JSON.stringify(shown));
    assert.match(await page.textContent('[data-figure="pay-approved"]'), /^Approved: /);
  });

  /// The evidence page that `click` opens from the popup, drawn without an error.
  async function openEvidence(click) {
    const opened = browser.context.waitForEvent('page');
    await click();
    const evidence = await opened;
    await evidence.waitForSelector('body[data-opened-ms]');
    assert.equal(await evidence.$eval('#evidence [data-figure="evidence-error"]', (e) => e.textContent).catch(() => null), null);
    await evidence.waitForSelector('table.timeline');
    return evidence;
  }

  test('a requester\'s evidence verifies with piecerate verify-evidence, and one edited byte fails naming the entry', async () => {
    await openHistory();
    const evidence = await openEvidence(() => page.click('#history tr.requester[data-requester="Receipt Data Co"] a.evidence'));
    assert.equal(await evidence.textContent('[data-figure="subject"]'), 'Every task of Receipt Data Co on mturk');
    // Its accepted, returned and submitted tasks, and the approval the status page gave.
    const kinds = await evidence.$$eval('table.timeline td[data-kind]', (cells) => cells.map((cell) => cell.dataset.kind));
    for (const kind of ['accepted', 'worked', 'returned', 'submitted', 'approved']) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
    assert.match(await evidence.textContent('main'), /What it does not prove/);
    const download = evidence.waitForEvent('download');
    await evidence.click('[data-action="evidence-download"]');
    const text = await downloadText(await download);
    const exported = assertEvidenceVerifiesAndOneByteFails(text, 'Receipt Data Co');
    // The page shows the file's entries and its head.
    assert.equal(await evidence.textContent('[data-figure="head"]'), exported.head);
    assert.equal(kinds.length, exported.entries.filter((entry) => !entry.withheld).length);
    await evidence.close();
  });

  test('a period\'s evidence: every event of the chosen days, verifiable; bad addresses are named', async () => {
    await openHistory();
    const today = await page.evaluate(() => new Date().toLocaleDateString('sv'));
    await page.fill('#evidence-from', today);
    await page.fill('#evidence-to', today);
    const evidence = await openEvidence(() => page.click('#evidence-period button[type="submit"]'));
    const download = evidence.waitForEvent('download');
    await evidence.click('[data-action="evidence-download"]');
    const exported = assertEvidenceVerifiesAndOneByteFails(await downloadText(await download), 'Street Scenes Lab');
    // Everything this browser logged was logged today: the whole log, from its start.
    assert.equal(exported.before, '0'.repeat(64));
    assert.ok(exported.entries.every((entry) => !entry.withheld));
    const error = async (query) => {
      await evidence.goto(`chrome-extension://${browser.extensionId}/evidence.html?${query}`);
      await evidence.waitForSelector('[data-figure="evidence-error"]');
      return evidence.textContent('[data-figure="evidence-error"]');
    };
    assert.equal(await error('from=2026-02-30&to=2026-03-01'), 'From: “2026-02-30” is not a date (YYYY-MM-DD).');
    assert.equal(await error(`from=${today}&to=2020-01-01`), 'To: the last day is before the first.');
    assert.match(await error('platform=mturk&task=NOPE'), /^The evidence log has no event for this\./);
    assert.match(await error('from=1990-01-01&to=1990-01-31'), /^The evidence log has no event for this\./);
    await evidence.close();
  });

  test('a Prolific study shows its advertised rate next to the measured one', async () => {
    const { records } = await stored(browser.worker);
    await openHistory();
    await assertAdvertisedAndActual(attribute, records, 'Attitudes to commuting', { reward: 1.5, minutes: 10 });
  });

  test('the history in French', async () => {
    const french = await launch(server.hostRules, undefined, 'fr');
    try {
      const popup = await french.context.newPage();
      await popup.goto(french.popupUrl);
      await popup.waitForSelector('body[data-opened-ms]');
      assert.equal(await popup.textContent('[data-view="requesters"]'), 'Demandeurs');
      await popup.click('[data-view="requesters"]');
      await popup.waitForSelector('[data-figure="history-empty"]');
      assert.match(await popup.textContent('[data-figure="history-empty"]'), /^Aucune tâche enregistrée/);
      // After a study, its row in French: the band in words, the advertised rate's column.
      const before = (await stored(french.worker)).records.length;
      await screenOutOfStudy(popup);
      await waitForStoredRecords(async () => (await stored(french.worker)).records, before, 2);
      await popup.goto(french.popupUrl);
      await popup.waitForSelector('body[data-opened-ms]');
      await popup.click('[data-view="requesters"]');
      await popup.waitForSelector('#history table.history');
      assert.equal(await popup.textContent('#history [data-sort="advertised"]'), 'Taux annoncé');
      assert.match(await popup.textContent('#history tr.project [data-figure="band"]'), /^(moins de 7,25 \$\/h|de 7,25 à 10 \$\/h|10 \$\/h ou plus)$/);
      assert.match(await popup.textContent('[data-figure="pay-approved"]'), /^Approuvés : /);
      // The evidence of that study, in French.
      const opened = french.context.waitForEvent('page');
      await popup.click('#history tr.project a.evidence');
      const evidence = await opened;
      await evidence.waitForSelector('table.timeline');
      assert.equal(await evidence.getAttribute('html', 'lang'), 'fr');
      assert.equal(await evidence.textContent('h1'), 'Preuves de travail (piecerate)');
      assert.match(await evidence.textContent('[data-figure="subject"]'), /^Tâches « Attitudes to commuting » de .* sur prolific$/);
      assert.match(await evidence.textContent('main'), /Ce qu'il ne prouve pas/);
      assert.ok((await evidence.$$eval('td[data-kind]', (cells) => cells.map((cell) => cell.textContent))).includes('Écartée au filtrage'));
      // The same excerpt as axe-core and a phone see it (the accessibility checks below).
      assert.deepEqual(await evidenceProblems(french, new URL(evidence.url()).search.slice(1), 'fr', 'timeline'), []);
    } finally {
      await french.close();
    }
  });
});

describe('accessibility', () => {
  const VIEWS = ['dashboard', 'requesters', 'timer', 'settings'];
  // What each language must say where the issue found developer text or English number forms.
  const LANGUAGE = {
    en: { refused: 'Country where you work: “ZZ” is not a country of the list.', money: /^\d+\.\d\d\u00a0USD$/, perHour: /per hour/i },
    fr: { refused: 'Pays où vous travaillez\u00a0: «\u00a0ZZ\u00a0» n\'est pas un pays de la liste.', money: /^\d+,\d\d\u00a0USD$/, perHour: /par heure/i },
  };

  /// WCAG's contrast ratio of two `rgb(r, g, b)` colours.
  function contrast(first, second) {
    const luminance = (rgb) => {
      const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((c) => {
        const s = Number(c) / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [dark, light] = [luminance(first), luminance(second)].sort((a, b) => a - b);
    return (light + 0.05) / (dark + 0.05);
  }

  /// What keeps the popup (or its page view) at `url` from being usable by everyone, as it is
  /// shown on `page`: axe-core's violations in each view, with the details opened, the delete
  /// question asked and a setting refused, and each finding of the issue checked on its own.
  async function problems(page, url, language) {
    const found = [];
    const expect = (ok, problem) => { if (!ok) found.push(problem); };
    const words = LANGUAGE[language];
    await page.goto(url);
    await page.waitForSelector('body[data-opened-ms]');
    expect(await page.getAttribute('html', 'lang') === language, `html lang is ${await page.getAttribute('html', 'lang')}`);
    const width = await page.evaluate(() => window.innerWidth);
    const layout = await page.evaluate(() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]);
    expect(layout[0] === width && layout[1] <= width, `laid out at ${layout} px in a ${width} px window`);
    for (const view of VIEWS) {
      await page.click(`[data-view="${view}"]`);
      if (view === 'requesters') await page.waitForSelector('#history table.history, #history [data-figure="history-empty"]');
      const current = await page.$$eval('nav [data-view]', (buttons) => buttons.map((b) => `${b.dataset.view}:${b.getAttribute('aria-current')}`));
      expect(current.join() === VIEWS.map((v) => `${v}:${v === view ? 'page' : 'false'}`).join(), `${view}: ${current}`);
      await page.locator('details').evaluateAll((all) => all.forEach((details) => { details.open = true; }));
      const small = await page.$$eval('button, input, select, summary', (controls) => controls
        .map((control) => [control.id || control.dataset.view || control.dataset.action || control.dataset.sort || control.tagName, control.getBoundingClientRect()])
        .filter(([, box]) => box.width > 0 && (box.width < 24 || box.height < 24))
        .map(([name, box]) => `${name} ${box.width}×${box.height}`));
      expect(small.length === 0, `${view}: controls under 24 px: ${small}`);
      for (const violation of await axeViolations(page)) found.push(`${view}: ${violation}`);
    }
    await page.click('[data-view="dashboard"]');
    // Before anything is measured, one message says how to start, in place of empty figures.
    const measured = await page.locator('[data-period]').count() > 0;
    expect(measured || await page.locator('[data-figure="nothing-measured"]').count() === 1, 'an empty popup says nothing of how to start');
    if (measured) {
      // The figures: money with two decimals in the language's form, a headline in "/h" alone.
      for (const period of ['today', 'month']) {
        const earnings = await page.textContent(`[data-period="${period}"] [data-figure="earnings"]`);
        expect(words.money.test(earnings), `${period}'s earnings read ${earnings}`);
        const headline = await page.textContent(`[data-period="${period}"] .headline`);
        expect(!words.perHour.test(headline), `${period}'s headline reads ${headline}`);
      }
      // The chart: dated, with its figures in a table, in colours of at least 3:1.
      expect(await page.locator('[data-figure="chart-figures"] tbody tr').count() === 14, 'the chart\'s table has no 14 days');
      expect(await page.locator('.chart svg .axis').count() === 1, 'the chart has no axis');
      const [paid, unpaid] = await page.$$eval('.chart rect', (rects) => ['paid', 'unpaid'].map((kind) => getComputedStyle(rects.find((rect) => rect.classList.contains(kind))).fill));
      const white = 'rgb(255, 255, 255)';
      expect(contrast(paid, white) >= 3 && contrast(unpaid, white) >= 3 && contrast(paid, unpaid) >= 3,
        `chart colours ${paid} and ${unpaid}: ${contrast(unpaid, white).toFixed(2)}:1 against white`);
    }
    // Deleting asks first, and the question's button has the focus.
    await page.click('[data-action="delete-local"]');
    await page.waitForSelector('#delete-confirm:not([hidden])');
    const focused = await page.evaluate(() => document.activeElement?.id);
    expect(focused === 'delete-local-confirm', `after "delete", the focus is on ${focused}`);
    for (const violation of await axeViolations(page)) found.push(`delete question: ${violation}`);
    // A refused setting: said in the worker's language under the form, on its marked field. The
    // country is chosen from a list, so the refused value is one injected into it, as another
    // program could.
    await page.click('[data-view="settings"]');
    const country = await page.inputValue('#country');
    await page.$eval('#country', (select) => { select.append(new Option('ZZ', 'ZZ')); select.value = 'ZZ'; });
    await page.click('[data-action="save-settings"]');
    await page.waitForFunction(() => document.getElementById('settings-error')?.hidden === false || document.getElementById('status').textContent);
    const refused = await page.evaluate(() => document.getElementById('settings-error')?.textContent ?? '');
    expect(refused.startsWith(words.refused), `the refusal reads ${refused}`);
    const marked = await page.$eval('#country', (field) => [field.getAttribute('aria-invalid'), field.getAttribute('aria-describedby'), document.activeElement === field]);
    expect(marked.join() === 'true,settings-error,true', `the refused field is marked ${marked}`);
    expect(await page.textContent('#status') === '', `the status line reads ${await page.textContent('#status')}`);
    for (const violation of await axeViolations(page)) found.push(`refused setting: ${violation}`);
    await page.$eval('#country', (select, value) => { select.querySelector('option[value="ZZ"]').remove(); select.value = value; }, country);
    return found;
  }

  /// The popup as a phone shows it (375 px, laid out as a mobile page, where a page without a
  /// viewport width is drawn 980 px wide and shrunk), then its page view on a wide screen.
  async function bothPages(browserUnderTest, language) {
    const page = await browserUnderTest.context.newPage();
    try {
      const session = await browserUnderTest.context.newCDPSession(page);
      await session.send('Emulation.setDeviceMetricsOverride', { width: 375, height: 740, deviceScaleFactor: 2, mobile: true });
      const found = (await problems(page, browserUnderTest.popupUrl, language)).map((p) => `popup: ${p}`);
      await session.send('Emulation.clearDeviceMetricsOverride');
      await page.setViewportSize({ width: 1280, height: 800 });
      found.push(...(await problems(page, `${browserUnderTest.popupUrl}?full`, language)).map((p) => `page view: ${p}`));
      return found;
    } finally {
      await page.close();
    }
  }

  test('axe-core sees the extension\'s pages', async () => {
    const popup = await browser.context.newPage();
    await popup.goto(browser.popupUrl);
    await popup.waitForSelector('body[data-opened-ms]');
    await popup.evaluate(() => document.querySelector('main').append(document.createElement('img')));
    assert.ok((await axeViolations(popup)).some((violation) => violation.startsWith('image-alt')), 'axe-core did not run');
    await popup.close();
  });

  test('the popup and its page view, with records, in English', async () => {
    assert.ok((await stored(browser.worker)).records.length > 0);
    assert.deepEqual(await bothPages(browser, 'en'), []);
  });

  test('the evidence page, an excerpt and a refused address, in English', async () => {
    const page = await browser.context.newPage();
    const today = await page.evaluate(() => new Date().toLocaleDateString('sv'));
    await page.close();
    assert.deepEqual([
      ...(await evidenceProblems(browser, `from=${today}&to=${today}`, 'en', 'timeline')),
      ...(await evidenceProblems(browser, 'from=2026-02-30&to=2026-03-01', 'en', 'error')),
    ], []);
  });

  test('the popup and its page view, empty, in English', async () => {
    const empty = await launch(server.hostRules);
    try {
      assert.deepEqual(await bothPages(empty, 'en'), []);
      assert.deepEqual(await evidenceProblems(empty, 'from=2026-01-01&to=2026-01-31', 'en', 'error'), []);
    } finally {
      await empty.close();
    }
  });

  test('the popup and its page view, empty then with records, in French', async () => {
    const french = await launch(server.hostRules, undefined, 'fr');
    try {
      assert.deepEqual(await bothPages(french, 'fr'), []);
      assert.deepEqual(await evidenceProblems(french, 'from=2026-01-01&to=2026-01-31', 'fr', 'error'), []);
      const popup = await french.context.newPage();
      await popup.goto(french.popupUrl);
      await popup.waitForSelector('body[data-opened-ms]');
      await popup.setInputFiles('#import-file', { name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from(syntheticExport(200, Date.now())) });
      await popup.waitForFunction(() => document.getElementById('status').textContent.length > 0);
      assert.ok((await stored(french.worker)).records.length === 200, await popup.textContent('#status'));
      await popup.close();
      assert.deepEqual(await bothPages(french, 'fr'), []);
    } finally {
      await french.close();
    }
  });
});

describe('first run', () => {
  const visible = (popup, selector) => popup.$eval(selector, (element) => !element.closest('[hidden]'));
  const openFresh = async (fresh) => {
    const popup = await fresh.context.newPage();
    await popup.goto(fresh.popupUrl);
    await popup.waitForSelector('body[data-opened-ms]');
    return popup;
  };

  test('a new worker sees the introduction, lists of names instead of code fields, and one clear message', async () => {
    const fresh = await launch(server.hostRules);
    try {
      const popup = await openFresh(fresh);
      assert.equal(await visible(popup, '#onboarding'), true);
      assert.equal(await popup.evaluate(() => document.activeElement.id), 'onboarding-title');
      // Not "no time recorded" three times: one message that says how to start.
      const dashboard = await popup.textContent('#dashboard');
      assert.equal(dashboard.match(/no time recorded/g), null, dashboard);
      assert.equal(await popup.textContent('[data-figure="nothing-measured"]'),
        'Nothing measured yet: open MTurk or Prolific, or start the timer.');
      assert.equal(await popup.$$eval('[data-period]', (periods) => periods.length), 0);
      // The country and the currency are chosen from lists of names, each field with its label.
      for (const id of ['country', 'display-currency', 'onboarding-country', 'onboarding-display-currency']) {
        assert.equal(await popup.$eval(`#${id}`, (field) => field.tagName), 'SELECT', id);
      }
      const country = popup.getByRole('combobox', { name: 'Country where you work (for the minimum wage)', includeHidden: true });
      assert.equal(await country.count(), 2, 'the introduction\'s and the settings\' lists, both labelled');
      assert.ok((await popup.$$eval('#onboarding-country option', (options) => options.length)) > 240);
      // With the keyboard alone: a country chosen by its first letters, its minimum at once.
      await popup.focus('#onboarding-country');
      await popup.keyboard.type('Germ');
      await popup.waitForSelector('#onboarding-minimum [data-figure="minimum-threshold"][data-jurisdiction="DE"]');
      assert.equal(await popup.inputValue('#onboarding-display-currency'), 'EUR');
      assert.match(await popup.textContent('#onboarding-minimum'), /^Minimum wage \(Germany\): \d+[.,]\d\d\u00a0EUR\/h since \d{4}-\d\d-\d\d — source: /);
      // Skipped, it stays away, and the settings show it again.
      await popup.click('[data-action="onboarding-skip"]');
      await popup.waitForSelector('#onboarding', { state: 'hidden' });
      assert.equal(JSON.parse((await stored(fresh.worker)).raw.settings).onboarding, 'skipped');
      await popup.reload();
      await popup.waitForSelector('body[data-opened-ms]');
      assert.equal(await visible(popup, '#onboarding'), false);
      await popup.click('[data-view="settings"]');
      await popup.click('[data-action="onboarding-show"]');
      await popup.waitForSelector('#onboarding', { state: 'visible' });
      assert.equal(await popup.evaluate(() => document.activeElement.id), 'onboarding-title');
    } finally {
      await fresh.close();
    }
  });

  test('in French: France, then États-Unis > Californie, with the local minimum, its date and source', async () => {
    const fresh = await launch(server.hostRules, undefined, 'fr');
    try {
      const popup = await openFresh(fresh);
      assert.equal(await popup.textContent('#onboarding-title'), 'Bienvenue dans piecerate');
      assert.equal(await popup.textContent('[data-figure="nothing-measured"]'),
        'Rien de mesuré pour l\'instant : ouvrez MTurk ou Prolific, ou lancez le chrono.');
      const minimum = () => popup.textContent('#onboarding-minimum [data-figure="minimum-threshold"]');
      await popup.selectOption('#onboarding-country', { label: 'France' });
      await popup.waitForSelector('#onboarding-minimum [data-jurisdiction="FR"]');
      assert.match(await minimum(), /^Salaire minimum \(France\) : \d+[.,]\d\d\u00a0EUR\/h depuis le \d{4}-\d\d-\d\d — source : OpenFisca France parameters$/);
      assert.equal(await popup.inputValue('#onboarding-display-currency'), 'EUR');
      await popup.selectOption('#onboarding-country', { label: 'États-Unis' });
      assert.equal(await popup.inputValue('#onboarding-display-currency'), 'USD');
      await popup.selectOption('#onboarding-region', { label: 'Californie' });
      await popup.waitForSelector('#onboarding-minimum [data-jurisdiction="US-CA"]');
      assert.match(await minimum(), /^Salaire minimum \(Californie\) : \d+[.,]\d\d\u00a0USD\/h depuis le \d{4}-\d\d-\d\d — source : \S.+$/);
      // The currency stays the worker's to change.
      await popup.selectOption('#onboarding-display-currency', 'EUR');
      assert.match(await popup.$eval('#onboarding-display-currency option:checked', (option) => option.textContent), /^EUR — Euro$/);
      await popup.click('[data-action="onboarding-done"]');
      await popup.waitForSelector('#onboarding', { state: 'hidden' });
      const settings = JSON.parse((await stored(fresh.worker)).raw.settings);
      assert.deepEqual([settings.country, settings.region, settings.display_currency, settings.onboarding], ['US', 'US-CA', 'EUR', 'done']);
      // The dashboard and the settings now say the same.
      assert.match(await popup.textContent('#dashboard [data-figure="minimum-threshold"]'), /^Salaire minimum \(Californie\) : /);
      assert.equal(await popup.inputValue('#region'), 'US-CA');
      await popup.reload();
      await popup.waitForSelector('body[data-opened-ms]');
      assert.equal(await visible(popup, '#onboarding'), false);
    } finally {
      await fresh.close();
    }
  });

  test('settings damaged in storage: the field is named in the worker\'s language and nothing else is lost', async () => {
    const fresh = await launch(server.hostRules, undefined, 'fr');
    try {
      const damaged = JSON.stringify({ country: 'ZZ', display_currency: 'EUR', idle_cutoff_seconds: 30,
        collector_url: 'https://collector.example.org', sharing: false, onboarding: 'done', extra: 'x'.repeat(100_000) });
      await fresh.worker.evaluate((settings) => chrome.storage.local.set({ settings }), damaged);
      const popup = await openFresh(fresh);
      const status = await popup.textContent('#status');
      assert.match(status, /^Le réglage enregistré « Pays où vous travaillez \(pour le salaire minimum\) » n'a pas pu être lu \('ZZ' /);
      assert.ok(status.length < 400, status);
      // The readable fields are kept, and nothing was written until the worker saves.
      assert.equal(await popup.inputValue('#idle-cutoff'), '30');
      assert.equal(await popup.inputValue('#collector-url'), 'https://collector.example.org');
      assert.equal(await popup.inputValue('#display-currency'), 'EUR');
      assert.equal((await stored(fresh.worker)).raw.settings, damaged);
      // An oversized value sent as the form: refused with the field named, the stored settings kept.
      const reply = await popup.evaluate(() => chrome.runtime.sendMessage({ kind: 'save_settings',
        form: { country: 'F'.repeat(1_000_000), idle_cutoff_seconds: '60' } }));
      assert.equal(reply.field, 'country');
      assert.ok(reply.error.length < 200, reply.error);
      assert.equal((await stored(fresh.worker)).raw.settings, damaged);
      await popup.click('[data-view="settings"]');
      await popup.selectOption('#country', { label: 'France' });
      await popup.click('[data-action="save-settings"]');
      await popup.waitForFunction(() => document.getElementById('status').textContent === 'Réglages enregistrés.');
      const settings = JSON.parse((await stored(fresh.worker)).raw.settings);
      assert.deepEqual([settings.country, settings.idle_cutoff_seconds, settings.collector_url], ['FR', 30, 'https://collector.example.org']);
    } finally {
      await fresh.close();
    }
  });
});
