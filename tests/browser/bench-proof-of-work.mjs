// How fast the built extension solves enrollment's proof of work in Debian's headless Chromium
// (docs/benchmarks.md, "Enrollment's proof of work"): the real collector asks for DIFFICULTY
// bits, the extension enrolls (its status says how many hashes it tried and in how many
// milliseconds), erases, and enrolls again, ROUNDS times. Prints the hash rate and the
// difficulty whose expected work, 2^d hashes, takes about a second at that rate.
//   node bench-proof-of-work.mjs            (after extension/build and cargo build -p collector)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startCollector } from './collector-process.mjs';
import { launch, saveSettings, stored } from './extension-helpers.mjs';
import { waitFor } from './extension-storage.mjs';

const DIFFICULTY = Number(process.env.DIFFICULTY ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 10);

const dir = mkdtempSync(path.join(tmpdir(), 'piecerate-pow-'));
const collector = await startCollector(path.join(dir, 'collector.db'), '127.0.0.1:0', ['--enroll-difficulty-bits', String(DIFFICULTY)]);
const browser = await launch('MAP nothing.invalid 127.0.0.1');
const page = await browser.context.newPage();
let hashes = 0;
let milliseconds = 0;
try {
  for (let round = 1; round <= ROUNDS; round += 1) {
    await saveSettings(page, browser.popupUrl, { 'idle-cutoff': '5', country: 'FR', 'collector-url': collector.address, sharing: true });
    const status = await waitFor(async () => { const s = await stored(browser.worker); return s.sync?.last_status?.startsWith('enrolled') && s.sync.last_status; }, 'the enrollment');
    const [, tried, ms] = /: (\d+) hashes in (\d+) ms/.exec(status).map(Number);
    hashes += tried;
    milliseconds += ms;
    console.log(`round ${round}: ${tried} hashes in ${ms} ms (${Math.round(tried / ms)} per ms)`);
    await page.goto(browser.popupUrl);
    await page.waitForSelector('body[data-opened-ms]');
    await page.click('[data-view="settings"]');
    await page.click('[data-action="erase-shared"]');
    await waitFor(async () => (await stored(browser.worker)).sync?.last_status === 'erased', 'the erasure');
  }
  const perSecond = (hashes / milliseconds) * 1000;
  console.log(`${ROUNDS} enrollments at ${DIFFICULTY} bits: ${hashes} hashes in ${milliseconds} ms, ${Math.round(perSecond)} hashes/s`);
  console.log(`expected time of one enrollment at d bits (2^d hashes): ${[18, 19, 20, 21, 22].map((d) => `${d}: ${Math.round((2 ** d / perSecond) * 1000)} ms`).join(', ')}`);
} finally {
  await browser.close();
  await collector.stop();
  rmSync(dir, { recursive: true, force: true });
}
