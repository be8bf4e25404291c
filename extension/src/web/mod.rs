//! The browser shell (wasm32 only): bindings to the extension APIs, the background's event
//! handlers and the popup. Each handler translates browser values to the plain Rust types of
//! the other modules and back; the logic lives there.

mod api;
#[expect(
    unreachable_pub,
    reason = "wasm-bindgen exports only `pub` functions, and the browser, not Rust, calls them"
)]
mod background;
mod error;
mod evidence;
mod history;
pub(crate) mod popup;
pub(crate) mod storage;

#[cfg(test)]
mod tests;

/// Hands the module `reference-tables.bin`, the exchange rates and minimum wages it is built
/// without (`analysis::provide_tables`). Each loader (`background.js`, and `module.js` for the
/// popup and the evidence page) calls it before anything else; a file of another build is
/// refused with both SHA-256 values named.
#[wasm_bindgen::prelude::wasm_bindgen]
#[expect(unreachable_pub, reason = "wasm-bindgen exports only `pub` functions, and the loaders call it")]
pub fn provide_tables(file: Vec<u8>) -> Result<(), wasm_bindgen::JsValue> {
    analysis::provide_tables(file).map_err(|error| js_sys::Error::new(&error.to_string()).into())
}
