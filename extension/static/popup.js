// piecerate popup loader: the page is drawn and driven by the Rust module, which it loads.
import { popup_main } from './extension.js';
import { fillStaticTexts } from './i18n.js';
import { loadModule } from './module.js';

globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome;
fillStaticTexts(globalThis.piecerateApi.i18n);
await loadModule();
await popup_main();
