// Launching Debian's Chromium with the built extension, and reading what the extension stored.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { fillChecked, noonEnvironment, parseStored } from './extension-storage.mjs';

export { sleep, work } from './extension-storage.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const EXTENSION_DIR = path.resolve(here, '..', '..', 'extension', 'dist', 'chromium');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// axe-core from tests/browser/node_modules (pinned in package-lock.json), injected into the
// extension's pages through the DevTools protocol: nothing is fetched, and their policy allows
// no other script.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/// Chromium with the extension in `extensionDir` (the build's folder unless told otherwise: the
/// package tests load an unzipped package), in the browser language `language`.
export async function launch(hostRules, extensionDir = EXTENSION_DIR, language = 'en-US') {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'piecerate-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    env: noonEnvironment(),
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      `--load-extension=${extensionDir}`, `--disable-extensions-except=${extensionDir}`,
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-quic', `--host-resolver-rules=${hostRules}`, '--ignore-certificate-errors', `--lang=${language}`],
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

/// Everything the extension keeps in storage.local, read through its service worker, parsed.
export async function stored(worker) {
  return parseStored(await worker.evaluate(() => chrome.storage.local.get(null)));
}

export async function saveSettings(page, popupUrl, values) {
  await page.goto(popupUrl);
  await page.waitForSelector('body[data-opened-ms]');
  await page.click('[data-view="settings"]');
  // In order: the region list follows the country typed before it.
  for (const [id, value] of Object.entries(values)) {
    if (typeof value === 'boolean') await page.setChecked(`#${id}`, value);
    else if (await page.$eval(`#${id}`, (field) => field.tagName === 'SELECT')) await page.selectOption(`#${id}`, value);
    else await fillChecked(() => page.fill(`#${id}`, value), () => page.inputValue(`#${id}`), id, value);
  }
  await page.click('[data-action="save-settings"]');
  await page.waitForFunction(() => document.getElementById('status').textContent.length > 0);
  return page.textContent('#status');
}

/// The axe-core violations of `page` as it is now, one line each: every rule axe runs by
/// default, and WCAG 2.2's target size (24 px), which it does not.
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => globalThis.axe.run(document,
    { resultTypes: ['violations'], rules: { 'target-size': { enabled: true } } }));
  return results.violations.map((violation) =>
    `${violation.id} (${violation.impact}): ${violation.help}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
