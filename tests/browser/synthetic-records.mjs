// A worker's export of many records (CSV v1), made up for the store's test and benchmark, and
// the figures the popup must show for it, computed here independently of the extension.

export const HEADER = 'record_id,install_id,platform,country,kind,category,outcome,started_at,ended_at,active_seconds,reward,bonus,currency';
const DAY_MS = 86_400_000;
const TASK_ACTIVE_SECONDS = 280;
const SEARCH_ACTIVE_SECONDS = 240;

const hex = (n, width) => n.toString(16).padStart(width, '0');
const iso = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const isSearch = (index) => index % 5 === 4;

/// `count` records spread evenly over the 60 days before `now`: four in five are approved
/// tasks (MTurk and Prolific alternately), one in five is search time.
export function syntheticExport(count, now) {
  const lines = [HEADER];
  for (let i = 0; i < count; i += 1) {
    const start = new Date(startMs(i, count, now));
    const end = new Date(start.getTime() + 300_000);
    const id = `${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`;
    const common = `${id},local-seed,${i % 2 ? 'mturk' : 'prolific'},FR`;
    lines.push(isSearch(i)
      ? `${common},unpaid,search,,${iso(start)},${iso(end)},${SEARCH_ACTIVE_SECONDS},,,`
      : `${common},task,,approved,${iso(start)},${iso(end)},${TASK_ACTIVE_SECONDS},${i % 2 ? '0.45' : '1.20'},,${i % 2 ? 'USD' : 'GBP'}`);
  }
  return lines.join('\n') + '\n';
}

function startMs(index, count, now) {
  return now - 60 * DAY_MS + Math.floor((index * 60 * DAY_MS) / count);
}

/// What the popup's "today" and "month" sections must count for `syntheticExport(count, now)`
/// when opened at `openedAt` in a browser whose `Date.getTimezoneOffset()` is
/// `timezoneOffsetMinutes`: records go to the local day of their start (at the browser's current
/// UTC offset, as the extension files them), months are calendar months.
export function expectedFigures(count, now, openedAt, timezoneOffsetMinutes) {
  const offsetMs = -timezoneOffsetMinutes * 60_000;
  const localDay = (ms) => Math.floor((ms + offsetMs) / DAY_MS);
  const today = localDay(openedAt);
  const todayDate = new Date(today * DAY_MS);
  const monthStart = Date.UTC(todayDate.getUTCFullYear(), todayDate.getUTCMonth(), 1) / DAY_MS;
  const periods = { today: [today, today], month: [monthStart, today] };
  const figures = {};
  for (const [name, [from, to]] of Object.entries(periods)) {
    let tasks = 0;
    let searches = 0;
    for (let i = 0; i < count; i += 1) {
      const day = localDay(startMs(i, count, now));
      if (day < from || day > to) continue;
      if (isSearch(i)) searches += 1;
      else tasks += 1;
    }
    figures[name] = {
      tasks: String(tasks),
      paidHours: ((tasks * TASK_ACTIVE_SECONDS) / 3600).toFixed(2),
      unpaidHours: ((searches * SEARCH_ACTIVE_SECONDS) / 3600).toFixed(2),
    };
  }
  return figures;
}
