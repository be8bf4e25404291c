// The collector's public pages in Debian's headless Chromium: a demo collector (synthetic data
// in a temporary SQLite database) on a free loopback port. The dashboard must render its table
// and charts, mark suppressed cells, filter by method, month and platform through links, offer
// the CSV, speak English and French, print with its data period and date, stay readable
// without JavaScript and on a phone, and make no request that leaves localhost; every page
// (dashboard, methodology, privacy, error pages, brief, snapshots) must pass axe-core with no violation at 375
// and 1280 pixels in both languages.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
// axe-core from tests/browser/node_modules (pinned in package-lock.json), injected into each
// page by the DevTools protocol: nothing is fetched, and the pages' policy allows no script.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [375, 1280];
const LOCALES = { en: 'en-GB', fr: 'fr-FR' };
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-quic'];

let collector;
let base;
let browser;
let directory;
/// Every request any page made, and those that did not go to the collector.
const requests = [];
const foreign = [];

/// Starts `piecerate-collector serve --demo` through cargo (building it if needed) and waits for
/// the line that names its address.
function startCollector(databasePath) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('cargo', ['run', '--quiet', '-p', 'collector', '--', 'serve', '--demo',
      '--listen', '127.0.0.1:0', '--demo-database-url', `sqlite://${databasePath}`, '--demo-workers', '1500'],
    { cwd: ROOT, env: { ...process.env, PIECERATE_LOG: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`the collector did not start within 10 minutes:\n${log}`)), 600_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = /piecerate-collector listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`the collector exited with ${code}:\n${log}`)));
  });
}

async function newPage(options = {}) {
  const context = await browser.newContext(options);
  // Anything not addressed to the collector is recorded and refused, so the test can also tell
  // that the page would have worked offline.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith(`${base}/`) || url === base) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  return context.newPage();
}

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'piecerate-dashboard-'));
  collector = await startCollector(join(directory, 'demo.db'));
  base = collector.url;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, { timeout: 660_000 });

after(async () => {
  await browser?.close();
  collector?.child.kill('SIGTERM');
  if (directory) rmSync(directory, { recursive: true, force: true });
});

/// The axe-core violations of the page as it is now, one line each.
async function violations(page) {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations.map((violation) =>
    `${violation.id} (${violation.impact}): ${violation.help}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/// A published row of the wages table: its label, then its figures.
async function publishedRows(page) {
  return page.locator('#wages-table tbody tr.published').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th').innerText.replace(/\s+/g, ' ').trim(),
      ...[...tr.querySelectorAll('td')].map((td) => td.innerText)]));
}

test('the dashboard shows the table, the charts and suppressed cells, all from localhost', async () => {
  const page = await newPage();
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  assert.match(await page.locator('#demo-banner').innerText(), /synthetic demonstration data/);
  // The issue: "Data version 1593" instead of what the figures are of, and when.
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /data version/i);
  assert.match(await page.locator('#data-period').innerText(), /^Data from [A-Z][a-z]+ \d{4} to [A-Z][a-z]+ \d{4} · figures computed \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

  const published = page.locator('#wages-table tbody tr.published');
  const suppressed = page.locator('#wages-table tbody tr.suppressed');
  assert.ok(await published.count() > 0, 'no published cell');
  assert.ok(await suppressed.count() > 0, 'no suppressed cell');
  const suppressedText = await suppressed.filter({ hasText: 'fewer than 10' }).first().innerText();
  assert.match(suppressedText, /suppressed/);
  // Every suppressed row, complementary suppression included, shows no figure at all.
  for (const row of await suppressed.allInnerTexts()) {
    assert.match(row, /suppressed/);
    assert.doesNotMatch(row, /\$\d|\d%/, `a suppressed cell shows a figure: ${row}`);
  }
  // The issue: at 375 px the table showed only Platform, Country and Workers.
  const [first] = await publishedRows(page);
  assert.equal(first.length, 7);
  assert.match(first[0], /^[a-z]+ .+ \([A-Z]{2}\)$|^[a-z]+ country not given$/, `label: ${first[0]}`);
  assert.match(first[2], /^\$\d+\.\d\d$/, `median: ${first[2]}`);
  assert.match(first[3], /^\$\d+\.\d\d–\$\d+\.\d\d$/, `interval: ${first[3]}`);
  assert.match(first[5], /^(\d+%|–)$/, `share below the local minimum: ${first[5]}`);
  // Each country's minimum, in local currency and dated.
  const us = page.locator('#thresholds-table tr[data-country="US"]');
  if (await us.count() > 0) {
    assert.equal(await us.locator('td.threshold').innerText(), '$7.25/h');
    assert.equal(await us.locator('td').nth(1).innerText(), '2009-07-24');
  }
  assert.ok(await page.locator('#thresholds-table tbody tr').count() > 0, 'no threshold shown');

  const chart = page.locator('svg#spread-chart');
  assert.ok(await chart.isVisible(), 'the chart is not visible');
  assert.ok(await chart.locator('g.platform rect.box').count() > 0, 'no box drawn');
  const box = await chart.locator('g.platform rect.box').first().boundingBox();
  assert.ok(box.width > 0 && box.height > 0, 'the box has no size');
  // The spread's figures as text beside the chart, not in SVG titles.
  assert.equal(await chart.locator('g title').count(), 0);
  assert.equal(await page.locator('#spread-figures tbody tr').count(), await chart.locator('g.platform').count());
  // A trend per platform, with a band and its figures.
  const trends = page.locator('figure.trend');
  assert.ok(await trends.count() > 0, 'no trend chart');
  assert.ok(await trends.first().locator('polygon.band').count() > 0, 'no interval band');
  assert.ok(await trends.first().locator('polyline.median-line').count() > 0, 'no median line');
  await trends.first().locator('summary').click();
  assert.match(await trends.first().locator('table tbody tr').first().innerText(), /^[A-Z][a-z]+ \d{4}\t/);
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.demo-banner')).borderTopStyle);
  assert.equal(styled, 'solid', 'the stylesheet did not load');

  assert.deepEqual(foreign, [], 'requests left localhost');
  assert.ok(requests.some((url) => url.endsWith('/assets/dashboard.css')));
});

test('the method, month and platform links filter the figures; the CSV downloads', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  const medians = async () => new Map((await publishedRows(page)).map((cells) => [cells[0], Number(cells[2].replace('$', ''))]));
  const allMedians = await medians();
  await page.getByRole('link', { name: 'paid time only' }).click();
  await page.waitForURL(`${base}/?method=paid`);
  assert.equal(await page.locator('.filters .methods a[aria-current="page"]').innerText(), 'paid time only');
  assert.match(await page.locator('#method-explanation').innerText(), /only the time spent on tasks that paid/);
  const paidMedians = await medians();
  const both = [...paidMedians.keys()].filter((cell) => allMedians.has(cell));
  assert.ok(both.length > 0, 'no cell published under both methods');
  for (const cell of both) {
    assert.ok(paidMedians.get(cell) >= allMedians.get(cell), `${cell}: paid ${paidMedians.get(cell)} is below all ${allMedians.get(cell)}`);
  }
  const href = await page.locator('#csv-download').getAttribute('href');
  assert.equal(href, '/v1/wages.csv?by=platform,country&method=paid');
  const download = await page.request.get(new URL(href, base).href);
  assert.match(download.headers()['content-type'], /^text\/csv/);
  assert.match((await download.text()).split('\n')[0], /^platform,country,suppressed,n_workers/);

  // The issue: `/?month=2025-01` was ignored. A month's link shows that month's figures, the
  // same as the API's for that month.
  // A month in which mturk has published cells under paid time, found through the API.
  const byMonth = await (await page.request.get(`${base}/v1/wages?by=platform,month&method=paid`)).json();
  const monthParameter = byMonth.cells.find((cell) => cell.platform === 'mturk' && !cell.suppressed).month;
  const month = page.locator(`.filters .months a[href$="month=${monthParameter}"]`);
  await month.click();
  await page.waitForURL(`${base}/?method=paid&month=${monthParameter}`);
  assert.match(await page.locator('.filters .months a[aria-current="page"]').getAttribute('href'), new RegExp(`month=${monthParameter}$`));
  const monthName = new Date(`${monthParameter}-15`).toLocaleString('en-GB', { month: 'long', year: 'numeric' });
  assert.equal(await page.locator('#showing').innerText(), `Showing ${monthName}.`);
  // The spread's figures and the table are the API's for that month.
  const api = async (by) => (await (await page.request.get(`${base}/v1/wages?by=${by}&method=paid&month=${monthParameter}`)).json())
    .cells.filter((cell) => !cell.suppressed);
  const spread = await page.locator('#spread-figures tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th').innerText, tr.querySelectorAll('td')[3]?.innerText]));
  const mturk = (await api('platform')).find((cell) => cell.platform === 'mturk');
  assert.deepEqual(spread.find(([platform]) => platform === 'mturk'), ['mturk', `$${mturk.median_hourly_usd.toFixed(2)}`]);
  const apiCells = new Set((await api('platform,country')).map((cell) =>
    [cell.platform, cell.country, cell.median_hourly_usd.toFixed(2)].join(' ')));
  const shown = (await publishedRows(page)).map((cells) =>
    [cells[0].split(' ')[0], cells[0].match(/\(([A-Z]{2})\)$/)?.[1], cells[2].replace('$', '')].join(' '));
  assert.deepEqual(new Set(shown), apiCells, `the table is not the API's for ${monthParameter}`);
  // The platform link keeps the month and shows only that platform.
  await page.locator('.filters .platforms a', { hasText: 'mturk' }).click();
  await page.waitForURL(new RegExp(`month=${monthParameter}&platform=mturk`));
  for (const cells of await publishedRows(page)) assert.match(cells[0], /^mturk /);
  assert.deepEqual(await page.locator('svg#spread-chart g.platform').evaluateAll((gs) => gs.map((g) => g.dataset.platform)), ['mturk']);
  assert.deepEqual(await page.locator('figure.trend').evaluateAll((fs) => fs.map((f) => f.dataset.platform)), ['mturk']);

  await page.getByRole('link', { name: 'How these figures are computed' }).click();
  assert.match(await page.locator('article.methodology h1').innerText(), /^Methodology/);
  assert.deepEqual(foreign, [], 'requests left localhost');
});

test('the French dashboard speaks French, writes numbers the French way, and switches back', async () => {
  const page = await newPage({ locale: LOCALES.fr });
  await page.goto(`${base}/`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.equal(await page.locator('h1').innerText(), 'Salaires horaires effectifs sur les plateformes de micro-travail');
  assert.match(await page.locator('#data-period').innerText(), /^Données de [a-zéû]+ \d{4} à [a-zéû]+ \d{4} · chiffres calculés le \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  assert.match(await page.locator('#demo-banner').innerText(), /données de démonstration synthétiques/);
  const [first] = await publishedRows(page);
  assert.match(first[2], /^\d+,\d\d\u202f\$$/, `median: ${first[2]}`);
  assert.match(first[5], /^(\d+\u202f%|–)$/, `share: ${first[5]}`);
  const body = await page.locator('main').innerText();
  for (const english of ['Hours counted', 'Spread per platform', 'By platform and country', 'suppressed:']) {
    assert.ok(!body.includes(english), `English on the French page: ${english}`);
  }
  await page.getByRole('link', { name: 'temps payé seulement' }).click();
  await page.waitForURL(`${base}/?method=paid`);
  await page.locator('#language-switch').click();
  await page.waitForURL(`${base}/?method=paid&lang=en`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  // The choice lives in the URL: the page's links carry it.
  assert.equal(await page.getByRole('link', { name: 'all time' }).getAttribute('href'), '/?lang=en');
  assert.deepEqual(foreign, [], 'requests left localhost');
});

test('on a 375-pixel phone the charts are legible and the table keeps its labels in view', async () => {
  const page = await newPage({ viewport: { width: 375, height: 800 }, deviceScaleFactor: 2 });
  await page.goto(`${base}/`);
  // The issue: the chart's labels rendered at about 6 px on a phone.
  const sizes = await page.locator('svg.chart').evaluateAll((svgs) => svgs.flatMap((svg) => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map((text) => [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale]);
  }));
  assert.ok(sizes.length > 10, 'no chart label');
  for (const [label, size] of sizes) assert.ok(size >= 12, `"${label}" is ${size.toFixed(1)} px on a phone`);
  // Nothing but the table's own region scrolls sideways.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page scrolls sideways');
  const region = page.locator('.table-scroll:has(#wages-table)');
  assert.equal(await region.getAttribute('role'), 'region');
  const label = page.locator('#wages-table tbody tr.published th').first();
  const before = await label.boundingBox();
  await region.evaluate((element) => { element.scrollLeft = element.scrollWidth; });
  const after = await label.boundingBox();
  assert.ok(await region.evaluate((element) => element.scrollLeft > 0), 'the table does not scroll');
  assert.equal(Math.round(after.x), Math.round(before.x), 'the row labels scroll away');
  assert.ok(before.width < 200, `the label column takes ${before.width} px`);
  assert.deepEqual(foreign, [], 'requests left localhost');
});

test('printed, the dashboard states its data period and date on a few pages', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  const asOf = await page.locator('#data-period').innerText();
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const file = join(directory, 'dashboard.pdf');
  writeFileSync(file, pdf);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))[1]);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  // The issue: six pages with no data period or date.
  assert.ok(pages <= 4, `the printed dashboard has ${pages} pages`);
  assert.ok(text.includes(asOf.replace(/\s+/g, ' ')), `the print does not state "${asOf}"`);
  assert.match(text, /Effective hourly wages on microtask platforms/);
  assert.match(text, /synthetic demonstration data/);
  assert.doesNotMatch(text, /Download this table/, 'the controls are printed');
});

// Issue 12 point 7: the brief handed to a regulator prints on two to four pages, and its
// headline medians are the API's figures for the same method, not a second computation that
// could drift from them.
test('printed, the brief fits on two to four pages and quotes the API\'s medians', async () => {
  const page = await newPage();
  const response = await page.goto(`${base}/brief`);
  assert.equal(response.status(), 200);
  const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  const file = join(directory, 'brief.pdf');
  writeFileSync(file, pdf);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))[1]);
  assert.ok(pages >= 2 && pages <= 4, `the printed brief has ${pages} pages`);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const [method, id] of [['all', 'headline-median-all'], ['paid', 'headline-median-paid']]) {
    const api = await (await page.request.get(`${base}/v1/wages?method=${method}&by=`)).json();
    assert.equal(api.cells.length, 1, `/v1/wages?method=${method}&by= has one overall cell`);
    const median = api.cells[0].median_hourly_usd;
    assert.equal(typeof median, 'number', `the API publishes no overall median for ${method}`);
    const expected = `$${median.toFixed(2)}`;
    const shown = await page.locator(`#${id} .value`).innerText();
    assert.ok(shown.startsWith(expected), `the brief's ${method} median is "${shown}", the API's ${expected}`);
    assert.ok(text.includes(expected), `the printed brief does not show the ${method} median ${expected}`);
  }
  assert.deepEqual(foreign, [], 'requests left localhost');
});

test('the dashboard reads the same without JavaScript', async () => {
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(`${base}/?method=task`);
  assert.ok(await page.locator('#wages-table tbody tr.published').count() > 0);
  assert.ok(await page.locator('svg#spread-chart g.platform').count() > 0);
  assert.equal(await page.locator('script').count(), 0);
  assert.deepEqual(foreign, [], 'requests left localhost');
});

test('a browser gets error pages, in its language; the API keeps JSON', async () => {
  for (const [language, heading] of [['en', 'Page not found'], ['fr', 'Page introuvable']]) {
    const page = await newPage({ locale: LOCALES[language] });
    const response = await page.goto(`${base}/nowhere`);
    assert.equal(response.status(), 404);
    assert.match(response.headers()['content-type'], /^text\/html/);
    assert.equal(await page.locator('main h1').innerText(), heading);
    const refused = await page.goto(`${base}/?month=2025-13`);
    assert.equal(refused.status(), 400);
    assert.match(await page.locator('main .error-message').innerText(), /^month: /);
    const api = await page.goto(`${base}/v1/wages?month=2025-13`);
    assert.equal(api.status(), 400);
    assert.match(api.headers()['content-type'], /^application\/json/);
  }
  assert.deepEqual(foreign, [], 'requests left localhost');
});

// The issue: no <main>, content outside regions, /methodology without a level-one heading, an
// unnamed scrollable region at 375 px. Every page, at both widths, in both languages.
for (const width of WIDTHS) {
  for (const language of Object.keys(LOCALES)) {
    test(`axe-core finds no violation at ${width} px in ${language}`, async () => {
      const page = await newPage({ viewport: { width, height: 900 }, locale: LOCALES[language] });
      await page.goto(`${base}/`);
      const month = new URL(await page.locator('.filters .months a').nth(1).getAttribute('href'), base).searchParams.get('month');
      await page.goto(`${base}/snapshots`);
      const snapshot = await page.locator('#snapshots-table tbody td:first-child a').first().getAttribute('href');
      assert.match(snapshot, /^\/snapshots\/\d{4}-\d\d-\d\d$/);
      // Each path with the language its page must declare: the brief takes its language from
      // ?lang=, every other page from the browser's.
      const paths = [...['/', `/?method=paid&month=${month}&platform=mturk`, '/methodology', '/privacy', '/nowhere',
        '/?month=2025-13', '/snapshots', snapshot].map((path) => [path, language]), [`/brief?lang=${language}`, language]];
      const found = [];
      // The harness sees what axe sees: a page with an image without a text fails.
      await page.setContent('<!doctype html><html lang="en"><title>t</title><main><h1>t</h1><img src="data:,"></main></html>');
      assert.ok((await violations(page)).some((violation) => violation.startsWith('image-alt')), 'axe-core did not run');
      for (const [path, pageLanguage] of paths) {
        await page.goto(`${base}${path}`);
        assert.equal(await page.locator('html').getAttribute('lang'), pageLanguage, path);
        // Open every chart's figures, so that the tables inside are checked too.
        await page.locator('details').evaluateAll((all) => all.forEach((details) => { details.open = true; }));
        for (const violation of await violations(page)) found.push(`${path}: ${violation}`);
      }
      assert.deepEqual(found, []);
      assert.deepEqual(foreign, [], 'requests left localhost');
    });
  }
}
