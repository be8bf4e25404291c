// piecerate background loader: registers the browser's event listeners synchronously (as
// Manifest V3 requires) and hands every event to the Rust module, one at a time.
import init, * as piecerate from './extension.js';

globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome;
const api = globalThis.piecerateApi;
const ready = init({ module_or_path: new URL('./extension_bg.wasm', import.meta.url) });

let queue = Promise.resolve();
const serial = (task) => {
  const run = queue.then(() => ready).then(task);
  queue = run.catch((error) => console.warn('piecerate:', error));
  return run;
};

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  serial(() => piecerate.on_message(message, sender.tab?.id ?? -1, sender.frameId ?? 0))
    .then(sendResponse, sendResponse)
    // The worker's own clock (from its start) when its first message was answered: the
    // benchmark of its cold start reads it (scripts/bench-extension).
    .finally(() => { globalThis.piecerateFirstMessageMs ??= performance.now(); });
  return true;
});
api.tabs.onRemoved.addListener((tabId) => serial(() => piecerate.on_tab_closed(tabId)));
api.alarms.onAlarm.addListener(() => serial(() => piecerate.on_alarm()));
api.runtime.onStartup.addListener(() => serial(() => piecerate.on_browser_started()));
api.alarms.get('tick').then((alarm) => alarm || api.alarms.create('tick', { periodInMinutes: 1 }));
