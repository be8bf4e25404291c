// piecerate popup loader: the page itself is drawn and driven by the Rust module.
import init, { popup_main } from './extension.js';

globalThis.piecerateApi = globalThis.browser ?? globalThis.chrome;
await init({ module_or_path: new URL('./extension_bg.wasm', import.meta.url) });
await popup_main();
