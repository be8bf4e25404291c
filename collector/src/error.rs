//! The one error type of the HTTP layer. Client errors say exactly what was wrong (field,
//! value, limit); internal errors say nothing internal to the client and are logged in full.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::db::DbError;
use crate::http::ErrorBody;
use crate::ingest::{BatchError, RecordProblem};

#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{message}")]
    Unprocessable { message: String, errors: Vec<RecordProblem> },
    #[error("the request took longer than {} s; send it again", .0.as_secs())]
    Timeout(Duration),
    #[error("too many requests; retry after {} s", retry_seconds(*retry_after))]
    TooManyRequests { retry_after: Duration },
    /// The server failed; the answer says nothing internal, the log says everything.
    #[error("internal error")]
    Internal(#[from] DbError),
    /// The server failed while writing, before the write committed. (An error of the commit
    /// itself can in principle come after the database committed, when the connection breaks:
    /// then sending the same batch again counts its records as duplicates, and nothing is lost.)
    #[error("internal error; nothing of this request was stored")]
    NotStored(#[source] DbError),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal(_) | AppError::NotStored(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The wait a 429 asks for, in whole seconds, rounded up and at least 1: the same figure in
/// its `Retry-After` header and in its text.
fn retry_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl From<BatchError> for AppError {
    fn from(error: BatchError) -> AppError {
        match error {
            BatchError::TooLarge(message) => AppError::PayloadTooLarge(message),
            BatchError::UnsupportedEncoding(message) => AppError::UnsupportedMediaType(message),
            BatchError::Malformed(message) => AppError::BadRequest(message),
            BatchError::Invalid(errors) => AppError::Unprocessable {
                message: format!("{} problem(s) in the batch; nothing was stored", errors.len()),
                errors,
            },
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            AppError::Internal(error) | AppError::NotStored(error) => {
                let mut chain = error.to_string();
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    chain.push_str(": ");
                    chain.push_str(&cause.to_string());
                    source = cause.source();
                }
                tracing::error!(error = %chain, "internal error");
                ErrorBody { error: self.to_string(), errors: Vec::new() }
            }
            AppError::Unprocessable { message, errors } => {
                ErrorBody { error: message.clone(), errors: errors.clone() }
            }
            other => ErrorBody { error: other.to_string(), errors: Vec::new() },
        };
        let mut response = (status, axum::Json(body)).into_response();
        match &self {
            AppError::Unauthorized(_) => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::TooManyRequests { retry_after } => {
                let seconds = retry_seconds(*retry_after);
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn message(error: AppError) -> (StatusCode, String) {
        let response = error.into_response();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.expect("a body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        (status, body["error"].as_str().expect("a message").to_owned())
    }

    #[tokio::test]
    async fn a_429_says_the_same_wait_in_its_header_and_its_text() {
        for (wait, seconds) in [(29.2, "30"), (30.0, "30"), (0.1, "1"), (0.0, "1")] {
            let error = AppError::TooManyRequests { retry_after: Duration::from_secs_f64(wait) };
            let response = error.into_response();
            assert_eq!(response.headers()[header::RETRY_AFTER], seconds, "{wait}");
            let (status, text) =
                message(AppError::TooManyRequests { retry_after: Duration::from_secs_f64(wait) }).await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(text, format!("too many requests; retry after {seconds} s"), "{wait}");
        }
    }

    #[tokio::test]
    async fn only_a_failed_write_says_nothing_was_stored() {
        let (status, read) = message(AppError::Internal(DbError::UnknownScheme)).await;
        assert_eq!((status, read.as_str()), (StatusCode::INTERNAL_SERVER_ERROR, "internal error"));
        let (status, write) = message(AppError::NotStored(DbError::UnknownScheme)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(write, "internal error; nothing of this request was stored");
        assert!(!write.contains("sqlite") && !read.contains("sqlite"), "nothing internal is said");
    }
}
