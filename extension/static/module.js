// Loads the Rust module for an extension page and hands it the reference tables beside it
// (reference-tables.bin: the exchange rates and minimum wages the module is built without; see
// background.js). A file the module refuses, from a damaged or mismatched install, is named on
// the page in the module's words rather than leaving it blank.
import init, { provide_tables } from './extension.js';

export async function loadModule() {
  const tables = fetch(new URL('./reference-tables.bin', import.meta.url)).then((response) => response.arrayBuffer());
  await init({ module_or_path: new URL('./extension_bg.wasm', import.meta.url) });
  try {
    provide_tables(new Uint8Array(await tables));
  } catch (error) {
    const alert = document.createElement('p');
    alert.setAttribute('role', 'alert');
    alert.dataset.figure = 'tables-error';
    alert.textContent = error.message;
    document.body.prepend(alert);
    throw error;
  }
}
