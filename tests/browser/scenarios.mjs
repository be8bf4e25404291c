// The fixture scenarios both browsers' end-to-end tests run (extension.test.mjs for Chromium,
// extension-firefox.test.mjs for Firefox): the worker's steps where playwright's and
// puppeteer's pages read the same, and what the extension must have stored.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sleep, work } from './extension-storage.mjs';
import { HITAPPS, TOLOKA_POOLS } from './fixture-server.mjs';

/// A record's span from start to end, in seconds.
export const seconds = (record) => (Date.parse(record.ended_at) - Date.parse(record.started_at)) / 1000;

/// MTurk, "Label street images" accepted after searching the projects page, worked on and
/// submitted: a search stretch of about `searchSeconds` (at most `maxSearchSeconds`), then the
/// task, spanning the wall time from accept to submit (`accepted`, `submitted`: Date.now()).
export function assertSearchThenLabelTask([search, task], { accepted, submitted, maxSearchSeconds }) {
  assert.equal(search?.kind, 'unpaid', JSON.stringify(search));
  assert.equal(search.category, 'search');
  assert.equal(search.platform, 'mturk');
  assert.ok(Number(search.active_seconds) >= 1 && Number(search.active_seconds) <= maxSearchSeconds, JSON.stringify(search));
  assert.equal(task?.kind, 'task', JSON.stringify(task));
  assert.equal(task.outcome, 'submitted');
  assert.equal(task.reward, '0.5');
  assert.equal(task.currency, 'USD');
  assert.equal(task.country, 'FR');
  assert.equal(task.title, 'Label street images');
  assert.equal(task.requester, 'Street Scenes Lab');
  const wall = (submitted - accepted) / 1000;
  assert.ok(seconds(task) <= wall + 2 && seconds(task) >= wall - 2, `${seconds(task)} vs ${wall}`);
  assert.ok(Number(task.active_seconds) >= 2 && Number(task.active_seconds) <= seconds(task), JSON.stringify(task));
}

/// On Prolific: searching the study list, taking part in "Attitudes to commuting", and being
/// screened out of it (the completion page's code).
export async function screenOutOfStudy(page) {
  await page.goto('https://app.prolific.com/studies');
  await page.waitForSelector('[id^="take-part-"]');
  await work(page, 1500);
  await page.click('#take-part-6650f2c1a8e3b4d5e6f70812');
  await page.waitForSelector('#return-study');
  await sleep(2000);
  await page.goto('https://app.prolific.com/submissions/complete?cc=SCREENOUT');
  await page.waitForSelector('#status');
}

/// What `screenOutOfStudy` stores: the study, screened out with its screening payment, and the
/// search before it.
export function assertScreenedOut(records) {
  const study = records.find((r) => r.kind === 'task');
  assert.equal(study?.platform, 'prolific', JSON.stringify(records));
  assert.equal(study.outcome, 'screened_out');
  assert.equal(study.reward, '0.14');
  assert.equal(study.currency, 'GBP');
  assert.equal(study.title, 'Attitudes to commuting');
  assert.ok(Number(study.active_seconds) >= 1 && Number(study.active_seconds) <= seconds(study) + 1, JSON.stringify(study));
  const search = records.find((r) => r.kind === 'unpaid');
  assert.equal(search?.platform, 'prolific');
}

/// The requester history's row of `requester` in the popup, read through `attribute(selector,
/// name)` (each browser's driver reads attributes its own way).
export async function requesterRow(attribute, requester) {
  const row = `#history tr.requester[data-requester="${requester}"]`;
  const read = (figure, name) => attribute(`${row} [data-figure="${figure}"]`, name);
  return {
    seconds: Number(await read('time', 'data-seconds')),
    returnedSeconds: Number(await read('time', 'data-returned-seconds')),
    wageUsd: Number(await read('wage', 'data-usd')),
    approvedUsd: Number(await read('earnings', 'data-approved-usd')),
    pendingUsd: Number(await read('earnings', 'data-pending-usd')),
    approvalSeconds: await read('approval-time', 'data-seconds'),
  };
}

/// What `requesterRow` must show for `requester`'s tasks among the stored records: its time
/// (returned tasks' included, and there must be some), and its wage, the pay of submitted tasks
/// (approved or pending) over all of it; MTurk pays in dollars, so no exchange rate enters.
export function assertRequesterRow(records, requester, shown) {
  const tasks = records.filter((r) => r.kind === 'task' && r.requester === requester);
  const time = tasks.reduce((sum, r) => sum + Number(r.active_seconds), 0);
  const returned = tasks.filter((r) => r.outcome === 'returned').reduce((sum, r) => sum + Number(r.active_seconds), 0);
  const pay = tasks.filter((r) => r.outcome === 'submitted').reduce((sum, r) => sum + Number(r.reward), 0);
  assert.ok(tasks.some((r) => r.outcome === 'returned') && tasks.some((r) => r.outcome === 'submitted'), JSON.stringify(tasks));
  assert.equal(shown.seconds, time);
  assert.equal(shown.returnedSeconds, returned);
  assert.ok(Math.abs(shown.wageUsd - (pay * 3600) / time) < 1e-4, `${shown.wageUsd} vs ${(pay * 3600) / time}`);
  assert.ok(Math.abs(shown.approvedUsd + shown.pendingUsd - pay) < 1e-9, JSON.stringify(shown));
  return pay;
}

/// The study's row shows the advertised rate (the study's reward over its estimated time) next to
/// the measured one: their ratio is the records' own, whatever the exchange rate of the month.
export async function assertAdvertisedAndActual(attribute, records, study, { reward, minutes }) {
  const row = `#history tr.project[data-project="${study}"]`;
  const advertised = Number(await attribute(`${row} [data-figure="advertised"]`, 'data-usd'));
  const measured = Number(await attribute(`${row} [data-figure="wage"]`, 'data-usd'));
  const tasks = records.filter((r) => r.kind === 'task' && r.title === study);
  const paid = tasks.filter((r) => r.outcome !== 'returned').reduce((sum, r) => sum + Number(r.reward), 0);
  const time = tasks.reduce((sum, r) => sum + Number(r.active_seconds), 0);
  assert.ok(advertised > 0 && measured > 0, `${advertised} ${measured}`);
  const expected = (reward / (minutes * 60)) / (paid / time);
  assert.ok(Math.abs(advertised / measured - expected) < 1e-3 * expected, `${advertised / measured} vs ${expected}`);
}

// One stretch of UHRS work on the fixture site, as both browsers' time-tier tests play it: a
// search on the marketplace, then a HitApp worked and left for the marketplace again. Gives the
// wall-clock bounds of the stretch, which its measured time must fall within.
export async function uhrsStretch(page) {
  const [app] = Object.keys(HITAPPS);
  await page.goto('https://www.uhrs.ai/marketplace/tasks/all');
  await work(page, 2500);
  const started = Date.now();
  await page.click(`#start-${app}`);
  await page.waitForSelector('#judgment');
  await work(page, 3500);
  await page.click('#back-to-marketplace');
  await page.waitForSelector('.tasks-as-grid-grid');
  return { started, ended: Date.now() };
}

/// On Microworkers: searching the job list, opening "Find a phone number" (its page is the task:
/// no accept step) and sending its proof. Answers the wall times the job was opened and sent.
export async function sendMicroworkersProof(page) {
  await page.goto('https://www.microworkers.com/jobs.php?page=1');
  await page.waitForSelector('.jobslist');
  await work(page, 1500);
  const opened = Date.now();
  await page.click('.jobname a');
  await page.waitForSelector('form[action="/jobs_i_did_it.php"]');
  await work(page, 2500);
  const sent = Date.now();
  await page.click('input[name="B1"]');
  await page.waitForSelector('a[href="/jobs.php"]');
  return { opened, sent };
}

/// What `sendMicroworkersProof` stores: the search, then the job, submitted, paid the $0.30 its
/// page states, spanning the time from opening its page to sending its proof.
export function assertMicroworkersJob(records, { opened, sent }) {
  const job = records.find((r) => r.kind === 'task');
  assert.equal(job?.platform, 'microworkers', JSON.stringify(records));
  assert.equal(job.outcome, 'submitted');
  assert.equal(job.reward, '0.3');
  assert.equal(job.currency, 'USD');
  const wall = (sent - opened) / 1000;
  assert.ok(seconds(job) <= wall + 2 && seconds(job) >= wall - 2, `${seconds(job)} vs ${wall}`);
  assert.ok(Number(job.active_seconds) >= 1 && Number(job.active_seconds) <= seconds(job), JSON.stringify(job));
  const search = records.find((r) => r.kind === 'unpaid');
  assert.equal(search?.platform, 'microworkers', JSON.stringify(records));
  assert.equal(search.category, 'search');
}

/// The Microworkers job whose page was redesigned: what the worker is told.
export const MICROWORKERS_CHANGED_URL = 'https://www.microworkers.com/jobs_details.php?Id=c7d2e9b05a13';
export const MICROWORKERS_CHANGED_PROBLEM = /^microworkers job: reward: no summary text containing 'You will earn: \$'/;

// One stretch of Toloka work on the fixture site: a search on the list of tasks, then a pool
// opened, two assignments worked (the first submitted opens the next, as on the real site),
// and back to the list, which ends the stretch (no address says a task was submitted). Gives
// the wall-clock bounds of the stretch.
export async function tolokaStretch(page) {
  const [pool] = Object.keys(TOLOKA_POOLS);
  await page.goto('https://toloka.yandex.com/tasks');
  await work(page, 2500);
  const started = Date.now();
  await page.click(`#open-${pool}`);
  await page.waitForSelector('#assignment');
  await work(page, 2000);
  // Marks this page, so that the next assignment's page is told apart from it.
  await page.evaluate(() => { document.body.dataset.submitted = 'yes'; });
  await page.click('#submit-assignment');
  await page.waitForSelector('body:not([data-submitted]) #assignment');
  await work(page, 2000);
  await page.click('#back-to-tasks');
  await page.waitForSelector('.snippet');
  return { started, ended: Date.now() };
}

const PIECERATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'debug', 'piecerate');

/// Runs the built `piecerate verify-evidence` (scripts/test-extension builds it) on `bytes`.
function verifyEvidence(bytes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'piecerate-evidence-'));
  try {
    const file = path.join(dir, 'evidence.json');
    writeFileSync(file, bytes);
    return spawnSync(PIECERATE, ['verify-evidence', file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/// An evidence file the extension exported, `text`, after tasks of `requester`: the CLI verifies
/// it and prints the requester's events; the same file with one byte of one of those entries
/// edited fails, naming that entry.
export function assertEvidenceVerifiesAndOneByteFails(text, requester) {
  const good = verifyEvidence(text);
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /the chain verifies: \d+ entries/);
  assert.ok(good.stdout.includes(`requester "${requester}"`), good.stdout);
  const document = JSON.parse(text);
  const position = document.entries.findIndex((entry) => entry.requester === requester);
  assert.ok(position >= 0, text);
  const entry = document.entries[position];
  // One byte of that entry's serialized form: the last letter of its requester's name.
  const at = text.indexOf(`"requester":"${requester}"`, text.indexOf(`{"index":${entry.index},`)) + `"requester":"${requester}`.length - 1;
  const bytes = Buffer.from(text, 'utf8');
  bytes[at] = bytes[at] === 0x78 ? 0x79 : 0x78;
  const bad = verifyEvidence(bytes);
  assert.notEqual(bad.status, 0, bad.stdout);
  assert.match(bad.stderr, /the evidence does NOT verify/);
  assert.ok(bad.stderr.includes(`entries[${position}] (entry index ${entry.index}): hash:`), bad.stderr);
  return document;
}
