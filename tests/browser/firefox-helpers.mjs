// Launching Debian's Firefox ESR with the built extension (extension/dist/firefox) through
// puppeteer-core over WebDriver BiDi, and reading what the extension stored.
//
// Firefox has no --host-resolver-rules: its proxy settings point at a CONNECT proxy here that
// sends the fixture hosts to the fixture server and refuses every other host, so nothing
// leaves the machine. The extension is installed as a temporary add-on (BiDi
// webExtension.install, as about:debugging does), with a fixed internal UUID so that its
// pages' addresses are known. Firefox's BiDi refuses navigations to moz-extension:// pages
// unless started with -remote-allow-system-access.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

import { fillChecked, noonEnvironment, parseStored } from './extension-storage.mjs';
import { HOSTS, startFixtureServer } from './fixture-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const EXTENSION_DIR = process.env.PIECERATE_FIREFOX_EXTENSION ?? path.resolve(here, '..', '..', 'extension', 'dist', 'firefox');
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
const EXTENSION_UUID = '5e1f0c3a-8a6b-4c1e-9d2f-2b7c4d9a1e01';
export const BACKGROUND_IDLE_MS = 2000;

/// An HTTP proxy that tunnels CONNECT to the fixture hosts' port 443 into the fixture server
/// and refuses everything else (Firefox's own update and telemetry requests included).
async function startProxy(fixturePort) {
  const allowed = new Set(HOSTS.map((host) => `${host}:443`));
  // Tunnels leave the HTTP server's bookkeeping once connected: they are closed here.
  const tunnels = new Set();
  const proxy = http.createServer((request, response) => {
    response.writeHead(403, { 'Content-Type': 'text/plain' });
    response.end('only CONNECT to the fixture hosts');
  });
  proxy.on('connect', (request, client, head) => {
    if (!allowed.has(request.url)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(fixturePort, '127.0.0.1', () => {
      tunnels.add(client).add(upstream);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => tunnels.delete(client));
    upstream.on('close', () => tunnels.delete(upstream));
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: proxy.address().port,
    close: async () => {
      const closed = new Promise((resolve) => proxy.close(resolve));
      proxy.closeAllConnections();
      for (const socket of tunnels) socket.destroy();
      await closed;
    },
  };
}

/// Loads one of the extension's own pages in `page`. puppeteer's goto waits for navigation
/// events that Firefox's BiDi does not send for moz-extension:// documents, so the BiDi
/// navigation is awaited directly and then the page's own readiness mark.
export async function openExtensionPage(page, url, readyMark = 'body[data-opened-ms]') {
  await page.mainFrame().browsingContext.navigate(url, 'complete');
  await page.waitForSelector(readyMark);
}

export async function launchFirefox(server) {
  const gecko = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8')).browser_specific_settings.gecko;
  const proxy = await startProxy(server.port);
  // Downloads (the extension's exports) go to this folder without a dialog.
  const downloads = mkdtempSync(path.join(tmpdir(), 'piecerate-firefox-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    env: noonEnvironment(),
    headless: true,
    acceptInsecureCerts: true,
    args: ['-remote-allow-system-access'],
    extraPrefsFirefox: {
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': proxy.port,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': proxy.port,
      'network.proxy.no_proxies_on': '',
      // The collector the sharing test runs on 127.0.0.1 is reached directly.
      'network.proxy.allow_hijacking_localhost': false,
      // Firefox suspends an idle background event page after 30 s (a worker reading a long
      // task); 2 s here, so that the tests cross suspensions and restarts of the background.
      'extensions.background.idle.timeout': BACKGROUND_IDLE_MS,
      // permissions.request() grants without the prompt a test cannot click.
      'extensions.webextOptionalPermissionPrompts': false,
      'extensions.webextensions.uuids': JSON.stringify({ [gecko.id]: EXTENSION_UUID }),
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.alwaysOpenPanel': false,
      'browser.download.start_downloads_in_tmp_dir': false,
    },
  });
  let extensionId;
  try {
    extensionId = await browser.installExtension(EXTENSION_DIR);
  } catch (error) {
    await browser.close();
    await proxy.close();
    throw error;
  }
  const base = `moz-extension://${EXTENSION_UUID}`;
  // A tab kept on the extension's popup page, behind the tabs the tests work in: an extension
  // page is where storage.local and the granted permissions can be read in Firefox (the
  // background is an event page, not a service worker the driver can reach).
  const extensionTab = await browser.newPage();
  await openExtensionPage(extensionTab, `${base}/popup.html`);
  return {
    browser,
    extensionId,
    gecko,
    popupUrl: `${base}/popup.html`,
    base,
    downloads,
    stored: async () => parseStored(await extensionTab.evaluate(() => globalThis.browser.storage.local.get(null))),
    permissions: () => extensionTab.evaluate(() => globalThis.browser.permissions.getAll()),
    /// Whether the background event page is running now (not suspended).
    backgroundRunning: () => extensionTab.evaluate(() =>
      globalThis.browser.extension.getViews().some((view) => view.location.pathname === '/_generated_background_page.html')),
    /// Runs `action(api)` with the extension's API in an extension page.
    inExtension: (action, ...args) => extensionTab.evaluate(action, ...args),
    close: async () => {
      await browser.close();
      await proxy.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/// The popup's settings form, filled and saved; returns the status line.
export async function saveSettings(page, popupUrl, values) {
  await openExtensionPage(page, popupUrl);
  await page.click('[data-view="settings"]');
  for (const [id, value] of Object.entries(values)) {
    if (typeof value === 'boolean') {
      if ((await page.$eval(`#${id}`, (input) => input.checked)) !== value) await page.click(`#${id}`);
    } else if (await page.$eval(`#${id}`, (field) => field.tagName === 'SELECT')) {
      await page.select(`#${id}`, value);
    } else {
      await fillChecked(() => page.locator(`#${id}`).fill(value), () => page.$eval(`#${id}`, (field) => field.value), id, value);
    }
  }
  await page.click('[data-action="save-settings"]');
  await page.waitForFunction(() => document.getElementById('status').textContent.length > 0);
  return page.$eval('#status', (status) => status.textContent);
}

/// The fixture sites and Firefox with the extension, the settings saved for a worker in Kenya
/// paid in US dollars (the platforms turned on in the settings are tested so), and a tab to
/// work in. `close` stops both.
export async function launchFirefoxInKenya() {
  const server = await startFixtureServer();
  const firefox = await launchFirefox(server);
  const page = await firefox.browser.newPage();
  const saved = await saveSettings(page, firefox.popupUrl, { 'idle-cutoff': '5', country: 'KE', 'display-currency': 'USD' });
  assert.equal(saved, 'Settings saved.');
  return { server, firefox, page, close: async () => { await firefox.close(); await server.close(); } };
}
