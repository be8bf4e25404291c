// piecerate background loader: registers the browser's event listeners synchronously (as
// Manifest V3 requires) and hands every event to the Rust module, one at a time.
import init, * as piecerate from './extension.js';

globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome;
const api = globalThis.piecerateApi;
// The module is built without the exchange rates and minimum wages: it is handed them from the
// file beside it before its first event (docs/extension.md, "The reference tables").
const tables = fetch(new URL('./reference-tables.bin', import.meta.url)).then((response) => response.arrayBuffer());
const ready = Promise.all([init({ module_or_path: new URL('./extension_bg.wasm', import.meta.url) }), tables])
  .then(([, file]) => piecerate.provide_tables(new Uint8Array(file)));

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

// The platforms the worker turned on in the settings are optional host permissions: the
// content script is registered for the granted ones only, again whenever the permissions
// change (granted from the popup or withdrawn in the browser's own settings). Plain
// JavaScript: this is browser plumbing with no decision in it, and keeps it out of the wasm.
const OPTIONAL_SCRIPT = 'piecerate-optional-hosts';
const registerOptional = async () => {
  const optional = api.runtime.getManifest().optional_host_permissions ?? [];
  const granted = new Set((await api.permissions.getAll()).origins ?? []);
  const matches = optional.filter((origin) => granted.has(origin));
  const registered = await api.scripting.getRegisteredContentScripts({ ids: [OPTIONAL_SCRIPT] });
  // Unchanged (the usual case when the background wakes): no gap in which a page loads unseen.
  if (JSON.stringify([...(registered[0]?.matches ?? [])].sort()) === JSON.stringify([...matches].sort())) return;
  if (registered.length > 0) await api.scripting.unregisterContentScripts({ ids: [OPTIONAL_SCRIPT] });
  if (matches.length > 0) {
    await api.scripting.registerContentScripts([{ id: OPTIONAL_SCRIPT, matches, js: ['content.js'], runAt: 'document_start' }]);
  }
};
let registering = Promise.resolve();
const reregister = () => {
  registering = registering.then(registerOptional).catch((error) => console.warn('piecerate:', error));
  return registering;
};
api.permissions.onAdded.addListener(reregister);
api.permissions.onRemoved.addListener(reregister);
reregister();
