// The extension's benchmark (docs/benchmarks.md, "Browser extension budget"), run by
// scripts/bench-extension after extension/build: with the built extension in Debian's headless
// Chromium, the import of 500,000 records through the popup (issue 13's long history), the
// popup's opening time with them stored, the Requesters tab's opening and a search over that
// history, their export, the background's time per page event, and the background service
// worker's cold start. Prints one line each; asserts no time (the tests check behaviour).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { launch, sleep } from './extension-helpers.mjs';
import { startFixtureServer } from './fixture-server.mjs';
import { syntheticExport } from './synthetic-records.mjs';

const RECORDS = Number(process.env.RECORDS ?? 500_000);
const POPUP_OPENINGS = Number(process.env.POPUP_OPENINGS ?? 15);
const HISTORY_OPENINGS = Number(process.env.HISTORY_OPENINGS ?? 5);
const PAGE_EVENTS = Number(process.env.PAGE_EVENTS ?? 200);
const COLD_STARTS = Number(process.env.COLD_STARTS ?? 15);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (values, digits = 0) => {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v) => v.toFixed(digits);
  return `median ${f(quantile(sorted, 0.5))} ms, p95 ${f(quantile(sorted, 0.95))} ms, min ${f(sorted[0])}, max ${f(sorted.at(-1))} (n=${sorted.length})`;
};

/// `expression`'s value (a string) in the extension's service worker as it is now. Playwright
/// loses track of a worker that Chromium stops and starts again, so this attaches to its target
/// through the page's DevTools session and speaks to it in raw protocol messages.
async function evaluateInWorker(cdp, expression) {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((info) => info.type === 'service_worker' && info.url.endsWith('/background.js'));
  if (!target) throw new Error('no service worker target');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  try {
    const answer = new Promise((resolve) => {
      const listener = (event) => {
        const message = JSON.parse(event.message);
        if (event.sessionId !== sessionId || message.id !== 1) return;
        cdp.off('Target.receivedMessageFromTarget', listener);
        resolve(message);
      };
      cdp.on('Target.receivedMessageFromTarget', listener);
    });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }) });
    const { result, error } = await answer;
    if (error || result.exceptionDetails) throw new Error(`evaluating in the worker: ${JSON.stringify(error ?? result.exceptionDetails)}`);
    return result.result.value;
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId });
  }
}

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
  // Playwright takes files over 50 MB by path only.
  const fileDir = mkdtempSync(path.join(tmpdir(), 'piecerate-bench-'));
  const filePath = path.join(fileDir, 'records.csv');
  writeFileSync(filePath, file);
  const importStarted = performance.now();
  await importer.setInputFiles('#import-file', filePath);
  await importer.waitForFunction(() => /records imported/.test(document.getElementById('status').textContent), null, { timeout: 600_000, polling: 100 });
  const importMs = performance.now() - importStarted;
  rmSync(fileDir, { recursive: true, force: true });
  console.log(`import of ${RECORDS} records (CSV v1, ${(file.length / 1e6).toFixed(1)} MB) through the popup: ${(importMs / 1000).toFixed(2)} s (target < 60 s) — ${await importer.textContent('#status')}`);
  await importer.close();

  const ready = [];
  const drawn = [];
  for (let i = 0; i < POPUP_OPENINGS; i += 1) {
    const popup = await openPopup();
    ready.push(Number(await popup.getAttribute('body', 'data-ready-at-ms')));
    drawn.push(Number(await popup.getAttribute('body', 'data-opened-ms')));
    await popup.close();
  }
  console.log(`popup opening with ${RECORDS} records, navigation start to figures drawn (wasm compilation included): ${summary(ready)} (target: median < 200 ms)`);
  console.log(`popup opening with ${RECORDS} records, module started to figures drawn: ${summary(drawn, 1)}`);

  // The Requesters tab reads every record and the pay states and builds the history's rows
  // (extension/src/web/history.rs); a search redraws the rows from that history, in the input
  // event's own handler, so the time to the end of dispatchEvent is the whole search.
  const historyOpen = [];
  const searches = [];
  for (let i = 0; i < HISTORY_OPENINGS; i += 1) {
    const popup = await openPopup();
    const started = await popup.evaluate(() => {
      const started = performance.now();
      document.querySelector('[data-view="requesters"]').click();
      return started;
    });
    await popup.waitForSelector('#history table.history', { timeout: 300_000 });
    historyOpen.push(await popup.evaluate((from) => performance.now() - from, started));
    for (const text of ['mturk', 'no such requester', '']) {
      searches.push(await popup.evaluate((value) => {
        const input = document.getElementById('history-search');
        const begun = performance.now();
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        return performance.now() - begun;
      }, text));
    }
    if (!(await popup.$('#history table.history'))) throw new Error('the history is gone after the searches');
    await popup.close();
  }
  console.log(`Requesters tab with ${RECORDS} records, click to rows drawn (every record read): ${summary(historyOpen)}`);
  console.log(`search over that history, one keystroke's redraw: ${summary(searches, 2)}`);

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

  // Cold start: the DevTools protocol's ServiceWorker domain stops the background worker (as
  // the browser does after 30 s idle); the first message, a content script's `plan` for an MTurk
  // page, then starts a new one. Measured three ways: the message's round trip from the page;
  // the worker's start (its `performance.timeOrigin`) to the reply's arrival in the page, on the
  // wall clock both share; and the worker's own clock when it had answered that first message
  // (`piecerateFirstMessageMs`, set by background.js), i.e. its start to its first handled message.
  const cdp = await browser.context.newCDPSession(page);
  const running = new Map();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) {
      if (version.scriptURL.startsWith(`chrome-extension://${browser.extensionId}/`)) running.set(version.versionId, version.runningStatus);
    }
  });
  await cdp.send('ServiceWorker.enable');
  const roundTrip = [];
  const startToReply = [];
  const startToHandled = [];
  for (let i = 0; i < COLD_STARTS; i += 1) {
    await cdp.send('ServiceWorker.stopAllWorkers');
    const stopped = Date.now();
    while (![...running.values()].every((status) => status === 'stopped') || running.size === 0) {
      if (Date.now() - stopped > 10_000) throw new Error(`the service worker did not stop: ${JSON.stringify([...running])}`);
      await sleep(20);
    }
    await sleep(300);
    const { took, repliedAt } = await page.evaluate(async () => {
      const started = performance.now();
      const reply = await chrome.runtime.sendMessage({ kind: 'plan', url: 'https://worker.mturk.com/projects' });
      if (reply?.error) throw new Error(reply.error);
      const took = performance.now() - started;
      return { took, repliedAt: performance.timeOrigin + started + took };
    });
    const own = JSON.parse(await evaluateInWorker(cdp, 'JSON.stringify({ origin: performance.timeOrigin, handled: globalThis.piecerateFirstMessageMs })'));
    if (typeof own.handled !== 'number' || own.origin < stopped) throw new Error(`no restarted worker: ${JSON.stringify(own)}`);
    roundTrip.push(took);
    startToReply.push(repliedAt - own.origin);
    startToHandled.push(own.handled);
  }
  await cdp.detach();
  console.log(`background cold start (worker stopped, ${RECORDS} records stored), first message's round trip from the page: ${summary(roundTrip, 1)}`);
  console.log(`background cold start, worker's start to the reply in the page: ${summary(startToReply, 1)}`);
  console.log(`background cold start, worker's start to its first handled message (its own clock): ${summary(startToHandled, 1)} (target: < 100 ms)`);
  await page.close();
  await sleep(100);
} finally {
  await browser.close();
  await server.close();
}
