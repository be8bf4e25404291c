// The collector's public dashboard in Debian's headless Chromium: a demo collector (synthetic
// data in a temporary SQLite database) on a free loopback port; the page must render its table
// and chart, mark suppressed cells, switch methods, offer the CSV, stay readable without
// JavaScript, and make no request that leaves localhost.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
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
      '--listen', '127.0.0.1:0', '--demo-database-url', `sqlite://${databasePath}`, '--demo-workers', '400'],
    { cwd: ROOT, env: { ...process.env, PIECERATE_LOG: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`the collector did not start within 10 minutes:\n${log}`)), 600_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = /piecerate-collector listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
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

test('the dashboard shows the table, the chart and suppressed cells, all from localhost', async () => {
  const page = await newPage();
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  assert.match(await page.locator('#demo-banner').innerText(), /synthetic demonstration data/);

  const published = page.locator('#wages-table tbody tr.published');
  const suppressed = page.locator('#wages-table tbody tr.suppressed');
  assert.ok(await published.count() > 0, 'no published cell');
  assert.ok(await suppressed.count() > 0, 'no suppressed cell');
  const suppressedText = await suppressed.filter({ hasText: 'fewer than 10' }).first().innerText();
  assert.match(suppressedText, /suppressed/);
  // Every suppressed row, complementary suppression included, shows no figure at all.
  for (const text of await suppressed.allInnerTexts()) {
    assert.match(text, /suppressed/);
    assert.doesNotMatch(text, /\$\d|\d%/, `a suppressed cell shows a figure: ${text}`);
  }
  const firstRow = await published.first().locator('td').allInnerTexts();
  assert.equal(firstRow.length, 9);
  assert.match(firstRow[3], /^\$\d+\.\d\d$/, `median: ${firstRow[3]}`);
  assert.match(firstRow[4], /^\$\d+\.\d\d–\$\d+\.\d\d$/, `interval: ${firstRow[4]}`);
  assert.match(firstRow[6], /^(\d+%|–)$/, `share below the local minimum: ${firstRow[6]}`);
  // Each country row names the minimum it was compared with, in local currency and dated.
  assert.match(firstRow[7], /^(.+\/h since \d{4}-\d\d-\d\d.*|no statutory minimum|not known|–)$/, `threshold: ${firstRow[7]}`);
  const us = published.filter({ hasText: 'United States' }).first();
  if (await us.count() > 0) {
    assert.equal(await us.locator('td.threshold').innerText(), '$7.25/h since 2009-07-24');
  }

  const chart = page.locator('svg#spread-chart');
  assert.ok(await chart.isVisible(), 'the chart is not visible');
  assert.ok(await chart.locator('g.platform rect.box').count() > 0, 'no box drawn');
  const box = await chart.locator('g.platform rect.box').first().boundingBox();
  assert.ok(box.width > 0 && box.height > 0, 'the box has no size');
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.demo-banner')).borderTopStyle);
  assert.equal(styled, 'solid', 'the stylesheet did not load');

  assert.deepEqual(foreign, [], 'requests left localhost');
  assert.ok(requests.some((url) => url.endsWith('/assets/dashboard.css')));
});

test('the method selector switches the figures and explains them; the CSV downloads', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  // The medians of each cell published under both methods, by platform and country.
  const medians = async () => {
    const rows = await page.locator('#wages-table tbody tr.published').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText)));
    return new Map(rows.map((cells) => [`${cells[0]} ${cells[1]}`, Number(cells[3].replace('$', ''))]));
  };
  const allMedians = await medians();
  await page.getByRole('link', { name: 'paid time only' }).click();
  await page.waitForURL(`${base}/?method=paid`);
  assert.equal(await page.locator('nav.methods a[aria-current="page"]').innerText(), 'paid time only');
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
  const csv = await download.text();
  assert.match(csv.split('\n')[0], /^platform,country,suppressed,n_workers/);
  await page.getByRole('link', { name: 'How these figures are computed' }).click();
  assert.match(await page.locator('pre.methodology').innerText(), /effective hourly wage/i);
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
