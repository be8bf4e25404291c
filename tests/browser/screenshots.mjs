// Screenshots of the extension's popup and of the collector's dashboard for the documentation
// and the store listings, made in Debian's headless Chromium from what the tests run (never by
// hand): the built extension on the fixture copies of MTurk and Prolific, and a demo collector.
// Run through scripts/screenshots; writes docs/screenshots/.
//
// The popup's data: a few tasks worked on the fixture sites, plus the tests' synthetic export
// (synthetic-records.mjs) as the worker's earlier history, so that the week, the month and the
// 14-day chart have something to show. The collector's data is its demo (`serve --demo`), which
// says on every page that it is synthetic.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { EXTENSION_DIR, launch, saveSettings, stored, work } from './extension-helpers.mjs';
import { noonEnvironment, waitForRecords } from './extension-storage.mjs';
import { startCollector } from './collector-process.mjs';
import { PROJECTS, startFixtureServer } from './fixture-server.mjs';
import { syntheticExport } from './synthetic-records.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'docs', 'screenshots'));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const [LABEL, TRANSCRIBE] = Object.keys(PROJECTS);
/// The size both stores accept for a screenshot.
const STORE = { width: 1280, height: 800 };
const written = [];

async function save(target, name, options = {}) {
  const file = path.join(out, name);
  await target.screenshot({ path: file, ...options });
  written.push(file);
}

/// The popup as the worker opens it, `width` CSS pixels wide, whole.
async function shootPopup(context, popupUrl, name, view) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 400, height: 600 });
  await page.goto(popupUrl);
  await page.waitForSelector('body[data-opened-ms]');
  if (view) await page.click(`[data-view="${view}"]`);
  await save(page, name, { fullPage: true });
  const image = readFileSync(path.join(out, name));
  await page.close();
  return image;
}

/// A store-sized picture: the popup's screenshot on the extension's colour, with a caption.
async function storeImage(context, popup, caption, name) {
  const page = await context.newPage();
  await page.setViewportSize(STORE);
  await page.setContent(`<!doctype html><html><body style="margin:0;height:${STORE.height}px;display:flex;align-items:center;
    justify-content:center;gap:48px;background:#23395d;font:600 30px/1.3 system-ui,sans-serif;color:#fff">
    <p style="max-width:420px">${caption}</p>
    <img alt="" style="max-height:${STORE.height - 60}px;box-shadow:0 6px 24px #0008" src="data:image/png;base64,${popup.toString('base64')}">
    </body></html>`);
  await save(page, name);
  await page.close();
}

async function workOnFixtureSites(browser, page) {
  await page.goto('https://worker.mturk.com/projects');
  await work(page, 2500);
  await page.click(`#accept-${LABEL}`);
  await page.waitForSelector('iframe.task-frame');
  await work(page, 4000);
  await page.frameLocator('iframe.task-frame').locator('#submit-hit').click();
  await page.waitForSelector('.mturk-alert-content h3');
  await page.goto('https://worker.mturk.com/projects');
  await page.click(`#accept-${TRANSCRIBE}`);
  await page.waitForSelector('iframe.task-frame');
  await work(page, 2000);
  await page.click('#return');
  await page.waitForSelector('.mturk-alert-content h3');
  await waitForRecords(async () => (await stored(browser.worker)).records, 0, 3);
}

/// The popup in `language`, with the fixture sites' tasks and the synthetic history.
async function shootExtension(server, language, settings, captions) {
  const browser = await launch(server.hostRules, EXTENSION_DIR, language);
  try {
    const page = await browser.context.newPage();
    await page.goto(browser.popupUrl);
    await page.waitForSelector('body[data-opened-ms]');
    // The history first (60 days up to a few hours ago, today's morning included, so that
    // today's figure is not a few seconds of fixture work alone), then tasks on the fixture sites.
    const history = syntheticExport(400, Date.now());
    await page.setInputFiles('#import-file', { name: 'history.csv', mimeType: 'text/csv', buffer: Buffer.from(history) });
    await page.waitForFunction(() => /400/.test(document.getElementById('status').textContent));
    await saveSettings(page, browser.popupUrl, settings);
    await workOnFixtureSites(browser, page);
    const code = language.slice(0, 2);
    const popup = await shootPopup(browser.context, browser.popupUrl, `popup-wage-${code}.png`);
    await shootPopup(browser.context, browser.popupUrl, `popup-settings-${code}.png`, 'settings');
    await storeImage(browser.context, popup, captions.wage, `store-wage-${code}-1280x800.png`);
  } finally {
    await browser.close();
  }
}

async function shootCollector() {
  const directory = mkdtempSync(path.join(tmpdir(), 'piecerate-screenshots-'));
  const collector = await startCollector(path.join(directory, 'unused.db'), '127.0.0.1:0',
    ['--demo', '--demo-database-url', `sqlite://${path.join(directory, 'demo.db')}`, '--demo-workers', '400']);
  const browser = await chromium.launch({ executablePath: CHROMIUM, env: noonEnvironment(),
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: STORE });
    await page.goto(`${collector.address}/`);
    await page.waitForSelector('#wages-table');
    await save(page, 'collector-dashboard-1280x800.png');
    await page.goto(`${collector.address}/privacy?lang=fr`);
    await save(page, 'collector-privacy-fr-1280x800.png');
  } finally {
    await browser.close();
    await collector.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

mkdirSync(out, { recursive: true });
const server = await startFixtureServer();
try {
  await shootExtension(server, 'en-US', { country: 'US', region: 'US-CA', 'display-currency': 'USD' },
    { wage: 'Your real hourly wage on MTurk and Prolific, unpaid time included' });
  await shootExtension(server, 'fr', { country: 'FR', 'display-currency': 'EUR' },
    { wage: 'Votre vrai salaire horaire sur MTurk et Prolific, temps non payé compris' });
} finally {
  await server.close();
}
await shootCollector();
assert.ok(written.length >= 8);
writeFileSync(path.join(out, 'README.md'), `# Screenshots

Made by \`scripts/screenshots\` (\`tests/browser/screenshots.mjs\`) in Debian's headless
Chromium, never by hand: regenerate them after a change to the popup or the dashboard.

- \`popup-*-en.png\`, \`popup-*-fr.png\`: the built extension's popup (the *Wage* and *Settings*
  tabs), in English and French, after tasks worked on the end-to-end tests' fixture copies of
  MTurk, over an earlier history imported from the tests' synthetic export
  (\`tests/browser/synthetic-records.mjs\`). The figures are test data, not a real worker's.
- \`store-wage-*-1280x800.png\`: the same popup at the size the Chrome Web Store and
  addons.mozilla.org ask for.
- \`collector-*-1280x800.png\`: a collector serving its synthetic demo (\`piecerate-collector
  serve --demo\`, as its banner says) and its privacy policy.
`);
console.log(`screenshots: ${written.length} images in ${out}`);
