// piecerate popup loader: the page is drawn and driven by the Rust module, which it loads.
import init, { popup_main, provide_tables } from './extension.js';

globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome;
// The page's static texts, before the module draws the rest: every `data-i18n` element gets its
// message, every `data-i18n-href` link the page its message names (the privacy policy in the
// popup's language), and the page the messages' language (`locale`), so that a screen reader
// reads French with a French voice. Here rather than in the module: this much JavaScript costs
// the module's size budget nothing (docs/benchmarks.md).
const { i18n } = globalThis.piecerateApi;
document.documentElement.lang = i18n.getMessage('locale');
for (const element of document.querySelectorAll('[data-i18n]')) {
  element.textContent = i18n.getMessage(element.dataset.i18n) || element.dataset.i18n;
  if (element.dataset.i18nHref) element.setAttribute('href', i18n.getMessage(element.dataset.i18nHref));
}
// The module's exchange rates and minimum wages are in the file beside it (as in background.js).
const tables = fetch(new URL('./reference-tables.bin', import.meta.url)).then((response) => response.arrayBuffer());
await init({ module_or_path: new URL('./extension_bg.wasm', import.meta.url) });
try {
  provide_tables(new Uint8Array(await tables));
} catch (error) {
  // A damaged or mismatched install: say so, in the module's words, rather than a blank popup.
  const alert = document.createElement('p');
  alert.setAttribute('role', 'alert');
  alert.dataset.figure = 'tables-error';
  alert.textContent = error.message;
  document.body.prepend(alert);
  throw error;
}
await popup_main();
