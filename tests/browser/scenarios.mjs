// The fixture scenarios both browsers' end-to-end tests run (extension.test.mjs for Chromium,
// extension-firefox.test.mjs for Firefox): the worker's steps where playwright's and
// puppeteer's pages read the same, and what the extension must have stored.
import assert from 'node:assert/strict';

import { sleep, work } from './extension-storage.mjs';

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
