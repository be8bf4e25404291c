// piecerate popup loader: the page itself is drawn and driven by the Rust module.
import init, { popup_main } from './extension.js';

const api = (globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome);
await init({ module_or_path: new URL('./extension_bg.wasm', import.meta.url) });
await popup_main();

// Without access to the platforms' sites (withheld at install, or revoked later in the
// browser's add-on settings, which Firefox and Chromium both allow) no content script runs
// there and nothing is timed: say so, and ask for it when the worker clicks (a request needs
// the click).
const sites = { origins: api.runtime.getManifest().host_permissions };
const notice = document.getElementById('site-access');
const hosts = sites.origins.map((pattern) => pattern.replace(/^https:\/\/|\/\*$/g, '')).join(', ');
document.getElementById('site-access-text').textContent = api.i18n.getMessage('siteAccessMissing', [hosts]);
const showAccess = async () => {
  notice.hidden = await api.permissions.contains(sites);
};
document.getElementById('grant-site-access').addEventListener('click', () => {
  api.permissions.request(sites).then(showAccess, showAccess);
});
api.permissions.onAdded.addListener(showAccess);
api.permissions.onRemoved.addListener(showAccess);
await showAccess();
