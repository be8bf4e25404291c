//! Why something the browser shell did failed: the browser refused or answered unexpectedly,
//! stored state or a message did not read, or what the worker typed or chose to import is not
//! acceptable. The popup and the log show these as text; the kinds stay apart so each caller
//! can tell them apart.

use analysis::RecordError;
use wasm_bindgen::JsValue;

use crate::json::JsonError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum WebError {
    /// A browser API failed, or gave something other than what it documents; its own words.
    #[error("{0}")]
    Browser(String),
    /// Stored state, a message or an answer could not be read.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// Something the worker typed is refused (the manual timer's form, an unknown action).
    #[error(transparent)]
    Input(#[from] RecordError),
    /// A file the worker chose to import is not records.
    #[error("{0}")]
    Import(String),
    /// The background refused what the popup asked of it; its words.
    #[error("{0}")]
    Background(String),
    /// The popup was asked for an action it does not have.
    #[error("unknown action {0}")]
    UnknownAction(String),
}

impl WebError {
    /// A failed browser call.
    pub(crate) fn browser(error: &JsValue) -> WebError {
        WebError::Browser(super::api::describe(error))
    }

    /// A browser call that answered with something it should not have.
    pub(crate) fn unexpected(what: &str) -> WebError {
        WebError::Browser(what.to_owned())
    }
}
