// piecerate evidence page loader: the page is drawn by the Rust module (web/evidence.rs).
import { evidence_main } from './extension.js';
import { fillStaticTexts } from './i18n.js';
import { loadModule } from './module.js';

globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome;
fillStaticTexts(globalThis.piecerateApi.i18n);
await loadModule();
await evidence_main();
