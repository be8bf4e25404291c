// Launching Debian's Chromium with the built extension, and reading what the extension stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const EXTENSION_DIR = path.resolve(here, '..', '..', 'extension', 'dist', 'chromium');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function launch(hostRules) {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'piecerate-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      `--load-extension=${EXTENSION_DIR}`, `--disable-extensions-except=${EXTENSION_DIR}`,
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-quic', `--host-resolver-rules=${hostRules}`, '--ignore-certificate-errors'],
    ignoreHTTPSErrors: true,
  });
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker', { timeout: 15000 });
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    popupUrl: `chrome-extension://${extensionId}/popup.html`,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/// Everything in storage.local, parsed: records (the 13 fields plus title and requester) etc.
export async function stored(worker) {
  const all = await worker.evaluate(() => chrome.storage.local.get(null));
  const records = [];
  const names = ['record_id', 'install_id', 'platform', 'country', 'kind', 'category', 'outcome', 'started_at',
    'ended_at', 'active_seconds', 'reward', 'bonus', 'currency', 'title', 'requester'];
  const chunks = Object.keys(all).filter((key) => key.startsWith('records/')).sort((a, b) => Number(a.split('/')[1]) - Number(b.split('/')[1]));
  for (const key of chunks) {
    for (const line of all[key].split('\n').filter(Boolean)) {
      const fields = line.split('\t');
      records.push(Object.fromEntries(names.map((name, index) => [name, fields[index]])));
    }
  }
  const parse = (key) => (all[key] ? JSON.parse(all[key]) : null);
  return { records, problems: parse('problems') ?? [], sync: parse('sync'), outbox: parse('outbox') ?? [], settings: parse('settings'), raw: all };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// Moves the mouse over a page for `ms`, as a worker does while working.
export async function work(page, ms, frame) {
  const end = Date.now() + ms;
  let x = 100;
  while (Date.now() < end) {
    x = x === 100 ? 140 : 100;
    await page.mouse.move(x, 120);
    if (frame) await frame.locator('body').hover({ position: { x: x - 60, y: 20 } }).catch(() => {});
    await sleep(500);
  }
}

export async function saveSettings(page, popupUrl, values) {
  await page.goto(popupUrl);
  await page.waitForSelector('body[data-opened-ms]');
  await page.click('[data-view="settings"]');
  for (const [id, value] of Object.entries(values)) {
    if (typeof value === 'boolean') await page.setChecked(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
  await page.click('[data-action="save-settings"]');
  await page.waitForFunction(() => document.getElementById('status').textContent.length > 0);
  return page.textContent('#status');
}
