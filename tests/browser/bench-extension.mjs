// The extension's benchmark (docs/benchmarks.md, "Browser extension budget"), run by
// scripts/bench-extension after extension/build: with the built extension in Debian's headless
// Chromium, the import of 100,000 records through the popup, the popup's opening time with
// them stored, their export, and the background's time per page event. Prints one line each.
import { launch, sleep } from './extension-helpers.mjs';
import { startFixtureServer } from './fixture-server.mjs';
import { syntheticExport } from './synthetic-records.mjs';

const RECORDS = Number(process.env.RECORDS ?? 100_000);
const POPUP_OPENINGS = Number(process.env.POPUP_OPENINGS ?? 15);
const PAGE_EVENTS = Number(process.env.PAGE_EVENTS ?? 200);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (values, digits = 0) => {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v) => v.toFixed(digits);
  return `median ${f(quantile(sorted, 0.5))} ms, p95 ${f(quantile(sorted, 0.95))} ms, min ${f(sorted[0])}, max ${f(sorted.at(-1))} (n=${sorted.length})`;
};

const server = await startFixtureServer();
const browser = await launch(server.hostRules);
try {
  const openPopup = async () => {
    const page = await browser.context.newPage();
    await page.goto(browser.popupUrl);
    await page.waitForSelector('body[data-ready-at-ms]');
    return page;
  };

  const importer = await openPopup();
  const file = Buffer.from(syntheticExport(RECORDS, Date.now()));
  const importStarted = performance.now();
  await importer.setInputFiles('#import-file', { name: 'records.csv', mimeType: 'text/csv', buffer: file });
  await importer.waitForFunction(() => /records imported/.test(document.getElementById('status').textContent), null, { timeout: 600_000 });
  const importMs = performance.now() - importStarted;
  console.log(`import of ${RECORDS} records (CSV v1, ${(file.length / 1e6).toFixed(1)} MB) through the popup: ${(importMs / 1000).toFixed(2)} s — ${await importer.textContent('#status')}`);
  await importer.close();

  const ready = [];
  const drawn = [];
  for (let i = 0; i < POPUP_OPENINGS; i += 1) {
    const popup = await openPopup();
    ready.push(Number(await popup.getAttribute('body', 'data-ready-at-ms')));
    drawn.push(Number(await popup.getAttribute('body', 'data-opened-ms')));
    await popup.close();
  }
  console.log(`popup opening with ${RECORDS} records, navigation start to figures drawn (wasm compilation included): ${summary(ready)}`);
  console.log(`popup opening with ${RECORDS} records, module started to figures drawn: ${summary(drawn, 1)}`);

  for (const [action, name] of [['export-csv', 'CSV v1'], ['export-json', 'JSON Lines']]) {
    const popup = await openPopup();
    const download = popup.waitForEvent('download', { timeout: 600_000 });
    const started = performance.now();
    await popup.click(`[data-action="${action}"]`);
    const stream = await (await download).createReadStream();
    let bytes = 0;
    for await (const chunk of stream) bytes += chunk.length;
    console.log(`export of ${RECORDS} records as ${name} (${(bytes / 1e6).toFixed(1)} MB): ${((performance.now() - started) / 1000).toFixed(2)} s`);
    await popup.close();
  }

  const page = await openPopup();
  const times = await page.evaluate(async (count) => {
    const out = [];
    for (let i = 0; i < count; i += 1) {
      const started = performance.now();
      await chrome.runtime.sendMessage({ kind: 'page', url: 'https://worker.mturk.com/projects', focused: true, visible: true, values: { alert: [] } });
      out.push(performance.now() - started);
    }
    return out;
  }, PAGE_EVENTS);
  console.log(`page event round trip (message, adapter, tracker, storage write), ${RECORDS} records stored: ${summary(times, 2)}`);
  await page.close();
  await sleep(100);
} finally {
  await browser.close();
  await server.close();
}
