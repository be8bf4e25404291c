// piecerate popup loader: the page itself is drawn and driven by the Rust module.
import init, { popup_main } from './extension.js';

globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome;
// The page's language is the messages' (`locale`), so that a screen reader reads French with a
// French voice; set here, before anything is drawn, at no cost to the module's size.
document.documentElement.lang = globalThis.piecerateApi.i18n.getMessage('locale');
await init({ module_or_path: new URL('./extension_bg.wasm', import.meta.url) });
await popup_main();
