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
mod history;
pub(crate) mod popup;
pub(crate) mod storage;

#[cfg(test)]
mod tests;
