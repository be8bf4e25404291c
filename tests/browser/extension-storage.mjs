// What both browsers' end-to-end tests share: reading the extension's storage.local into
// records, waiting, and moving the mouse as a worker does. The browser-specific launchers are
// extension-helpers.mjs (Chromium) and firefox-helpers.mjs (Firefox).

const RECORD_FIELDS = ['record_id', 'install_id', 'platform', 'country', 'kind', 'category', 'outcome', 'started_at',
  'ended_at', 'active_seconds', 'reward', 'bonus', 'currency', 'title', 'requester', 'task_key', 'advertised_reward',
  'advertised_seconds'];

/// Everything in storage.local (as `storage.local.get(null)` returns it), parsed: records (the
/// 13 fields plus title, requester, task id and advertised reward and seconds; the last three
/// absent from lines of the older layout), problems, sync state, outbox and settings.
export function parseStored(all) {
  const records = [];
  const chunks = Object.keys(all).filter((key) => key.startsWith('records/')).sort((a, b) => Number(a.split('/')[1]) - Number(b.split('/')[1]));
  for (const key of chunks) {
    for (const line of all[key].split('\n').filter(Boolean)) {
      const fields = line.split('\t');
      records.push(Object.fromEntries(RECORD_FIELDS.map((name, index) => [name, fields[index]])));
    }
  }
  const parse = (key) => (all[key] ? JSON.parse(all[key]) : null);
  return { records, problems: parse('problems') ?? [], sync: parse('sync'), outbox: parse('outbox') ?? [], settings: parse('settings'), raw: all };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// The environment to start a browser in: a time zone (`Etc/GMT±N`) where it is about noon now.
/// The popup's today, week and month start afresh at local midnight, so a run that crossed one
/// would see records of "yesterday" missing from today's figures; a test run lasts minutes.
export function noonEnvironment() {
  // Local hour = UTC hour + offset; Etc/GMT-N is UTC+N (the sign is inverted in these names).
  const offset = 12 - new Date().getUTCHours();
  return { ...process.env, TZ: `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}` };
}

/// Moves the mouse over a page for `ms`, as a worker does while working (`page.mouse.move` is
/// the same in playwright and puppeteer). `frame` (playwright only) is a frame to hover too.
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

/// Waits (up to 10 s) until `read()` gives at least `count` more records than `before`, and
/// returns those after `before`.
export async function waitForRecords(read, before, count) {
  for (let i = 0; i < 40; i += 1) {
    const records = (await read()).slice(before);
    if (records.length >= count) return records;
    await sleep(250);
  }
  return (await read()).slice(before);
}

/// Polls `check` (up to 15 s) until it gives a truthy value, and returns that value.
export async function waitFor(check, what) {
  for (let i = 0; i < 60; i += 1) {
    const value = await check();
    if (value) return value;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/// Fills a text field and reads it back: on a loaded machine a run once found a collector address
/// cut short in the field ('http://127'), so a field that does not read back what was filled is
/// filled again (at most three times) before the test goes on.
export async function fillChecked(fill, read, id, value) {
  for (let attempt = 1; ; attempt += 1) {
    await fill();
    const got = await read();
    if (got === value) return;
    if (attempt === 3) throw new Error(`#${id} reads '${got}' after filling it with '${value}'`);
  }
}
