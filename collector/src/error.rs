//! The one error type of the HTTP layer. Client errors say exactly what was wrong (field,
//! value, limit); internal errors say nothing internal to the client and are logged in full.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::db::DbError;
use crate::ingest::{BatchError, RecordProblem};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{message}")]
    Unprocessable { message: String, errors: Vec<RecordProblem> },
    #[error("the request took longer than {} s; send it again", .0.as_secs())]
    Timeout(Duration),
    #[error("too many requests; retry after {} s", retry_after.as_secs())]
    TooManyRequests { retry_after: Duration },
    #[error("internal error")]
    Internal(#[from] DbError),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
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
            AppError::Internal(error) => {
                let mut chain = error.to_string();
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    chain.push_str(": ");
                    chain.push_str(&cause.to_string());
                    source = cause.source();
                }
                tracing::error!(error = %chain, "internal error");
                json!({ "error": "internal error; nothing of this request was stored" })
            }
            AppError::Unprocessable { message, errors } => json!({ "error": message, "errors": errors }),
            other => json!({ "error": other.to_string() }),
        };
        let mut response = (status, axum::Json(body)).into_response();
        match &self {
            AppError::Unauthorized(_) => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::TooManyRequests { retry_after } => {
                let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            }
            _ => {}
        }
        response
    }
}
