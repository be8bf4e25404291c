//! The JSON API under `/v1`, plus `/healthz` and `/metrics`. Each handler translates HTTP to a
//! call of `ingest`, `db` or `wages` and back; the rules live there.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use analysis::json;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::SharedState;
use crate::auth::{bearer_token, new_credentials, token_hash};
use crate::db::{BatchRules, EnrollError, Install, StoreError};
use crate::error::AppError;
use crate::ingest::{BatchError, BatchLimits, RecordProblem, decode_body, parse_batch};
use crate::proof_of_work::ProofError;
use crate::wages::{CachedReport, WagesQuery};

/// The OpenAPI 3.1 description of this API, kept next to the code it describes.
const OPENAPI: &str = include_str!("../../openapi.json");
/// The largest enrollment body: it carries at most a consent version.
const MAX_ENROLL_BODY_BYTES: usize = 4096;
const MAX_CONSENT_VERSION_LEN: usize = 64;
/// The longest challenge or nonce read; an issued challenge is under 100 bytes.
const MAX_PROOF_FIELD_LEN: usize = 256;

pub(super) async fn health(State(state): State<SharedState>) -> Response {
    match state.database.data_version().await {
        Ok(_) => Json(json!({ "status": "ok" })).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unreachable" })))
                .into_response()
        }
    }
}

pub(super) async fn metrics(State(state): State<SharedState>) -> Response {
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], state.metrics.render()).into_response()
}

pub(super) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], OPENAPI).into_response()
}

pub(super) async fn not_found() -> AppError {
    AppError::NotFound("no such page or endpoint; the API is described at /v1/openapi.json".into())
}

/// Reads the body, refusing more than `limit` bytes with 413 whatever `Content-Length` says.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, AppError> {
    let too_large = || AppError::PayloadTooLarge(format!("the body is larger than {limit} bytes, the limit"));
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit).await.map_err(|_| too_large())
}

fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if media_type.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType(format!(
            "Content-Type must be application/json (got '{}')",
            content_type.chars().take(64).collect::<String>()
        )))
    }
}

/// The address the request came from, for the per-source rate limits only (never stored or
/// logged). Behind a reverse proxy this is the proxy's address. A request that did not come
/// through the accept loop (none in the collector) counts as one shared source.
fn source_address(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(address)| address.ip())
}

/// The install of the request's bearer token, for the handlers that act for an install; 401 for
/// a missing, malformed or unknown token (including the token of an erased install), and 429
/// once the request's source has failed too often.
#[derive(Debug)]
pub(super) struct AuthenticatedInstall(Install);

impl FromRequestParts<SharedState> for AuthenticatedInstall {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, AppError> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let install = match bearer_token(header) {
            None => Err("send the install's token as Authorization: Bearer TOKEN"),
            Some(token) => state
                .database
                .install_by_token_hash(&token_hash(token))
                .await?
                .ok_or("this token is not valid: it was never issued, or its install was erased"),
        };
        match install {
            Ok(install) => Ok(AuthenticatedInstall(install)),
            Err(message) => {
                state
                    .auth_failure_limiter
                    .check(source_address(&parts.extensions))
                    .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
                Err(AppError::Unauthorized(message.into()))
            }
        }
    }
}

/// `GET /v1/installs/challenge`: a proof-of-work challenge for one enrollment (`proof_of_work`).
pub(super) async fn enrollment_challenge(State(state): State<SharedState>) -> Response {
    let challenge = state.challenges.issue(state.config.clock.now(), state.config.enroll_difficulty_bits);
    let expires_at = analysis::Timestamp::from_unix_seconds(challenge.expires_at)
        .map_or_else(|_| challenge.expires_at.to_string(), |time| time.to_string());
    let body = json!({
        "challenge": challenge.text,
        "difficulty": challenge.difficulty,
        "expires_at": expires_at,
    });
    // Each answer is new: no cache may hand one challenge to two clients.
    ([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response()
}

/// `POST /v1/installs`: a new anonymous install. The body is
/// `{"challenge": "...", "nonce": "...", "consent_version": "..."}`, the last optional.
pub(super) async fn enroll(State(state): State<SharedState>, request: Request) -> Result<Response, AppError> {
    state
        .enroll_limiter
        .check(source_address(request.extensions()))
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body, MAX_ENROLL_BODY_BYTES).await?;
    let enrollment = if body.iter().all(u8::is_ascii_whitespace) {
        parse_enrollment(b"{}")?
    } else {
        require_json(&parts.headers)?;
        parse_enrollment(&body)?
    };
    let now = state.config.clock.now();
    let solved =
        state.challenges.check(&enrollment.challenge, &enrollment.nonce, now).map_err(proof_refused)?;
    let (public_id, token) = new_credentials();
    let enrolled = state
        .database
        .enroll(&public_id, &token_hash(&token), enrollment.consent_version.as_deref(), &solved, now)
        .await;
    match enrolled {
        Ok(_) => {
            let body = json!({ "install_id": public_id.as_str(), "token": token });
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        Err(EnrollError::ChallengeUsed) => Err(proof_refused(ProofError::Used)),
        Err(EnrollError::Db(error)) => Err(AppError::NotStored(error)),
    }
}

fn proof_refused(error: ProofError) -> AppError {
    let field = error.field();
    AppError::Unprocessable {
        message: format!("the enrollment's proof of work is not valid: {field} {error}; nothing was stored"),
        errors: vec![RecordProblem { index: None, field: field.into(), problem: error.to_string() }],
    }
}

/// What an enrollment request carries.
#[derive(Debug)]
struct Enrollment {
    consent_version: Option<String>,
    challenge: String,
    nonce: String,
}

fn parse_enrollment(body: &[u8]) -> Result<Enrollment, AppError> {
    let invalid = |field: &str, problem: String| AppError::Unprocessable {
        message: "the enrollment body is not valid".into(),
        errors: vec![RecordProblem { index: None, field: field.into(), problem }],
    };
    let text = std::str::from_utf8(body)
        .map_err(|_| AppError::BadRequest("the body is not valid JSON: not UTF-8".into()))?;
    // The library's reader, which keeps a repeated key (serde_json's map keeps only the last).
    let value = json::parse(text)
        .map_err(|error| AppError::BadRequest(format!("the body is not valid JSON: {error}")))?;
    let json::Value::Object(object) = value else {
        return Err(invalid(
            "body",
            "expected a JSON object such as {\"challenge\": \"...\", \"nonce\": \"...\", \"consent_version\": \"2024-05\"}"
                .into(),
        ));
    };
    const FIELDS: [&str; 3] = ["consent_version", "challenge", "nonce"];
    if let Some(unknown) = object.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        let unknown: String = unknown.chars().take(40).collect();
        return Err(invalid(
            &unknown,
            "unknown field; an enrollment carries only challenge, nonce and consent_version".into(),
        ));
    }
    if let Some(repeated) = FIELDS.iter().find(|field| object.keys().filter(|key| key == *field).count() > 1)
    {
        return Err(AppError::BadRequest(format!(
            "the key \"{repeated}\" is given more than once; an enrollment carries it at most once"
        )));
    }
    let consent_version = match object.get("consent_version") {
        None => None,
        Some(json::Value::String(version))
            if (1..=MAX_CONSENT_VERSION_LEN).contains(&version.len())
                && version.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) =>
        {
            Some(version.clone())
        }
        Some(json::Value::String(_)) => {
            return Err(invalid(
                "consent_version",
                format!("must be a string of 1 to {MAX_CONSENT_VERSION_LEN} letters, digits or - _ . :"),
            ));
        }
        Some(other) => {
            return Err(invalid(
                "consent_version",
                format!(
                    "must be a string of 1 to {MAX_CONSENT_VERSION_LEN} letters, digits or - _ . :, got {}; leave the field out when there is no version",
                    other.kind()
                ),
            ));
        }
    };
    let required = |field: &'static str| match object.get(field) {
        Some(json::Value::String(text)) if text.len() <= MAX_PROOF_FIELD_LEN => Ok(text.clone()),
        Some(json::Value::String(_)) => {
            Err(invalid(field, format!("is longer than {MAX_PROOF_FIELD_LEN} bytes")))
        }
        Some(other) => Err(invalid(field, format!("must be a string, got {}", other.kind()))),
        None => Err(invalid(
            field,
            "missing: enrolling needs a solved proof of work; GET /v1/installs/challenge, find a nonce \
             such that SHA-256(challenge followed by nonce) begins with `difficulty` zero bits, and send \
             both"
                .into(),
        )),
    };
    Ok(Enrollment { consent_version, challenge: required("challenge")?, nonce: required("nonce")? })
}

/// `POST /v1/records`: one batch, stored whole or not at all; answered after the commit.
pub(super) async fn upload(
    State(state): State<SharedState>,
    AuthenticatedInstall(install): AuthenticatedInstall,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    state
        .upload_limiter
        .check(&install.key, Instant::now())
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    require_json(&headers)?;
    let body = read_body(&headers, body, state.config.max_body_bytes).await?;
    let limits = BatchLimits {
        max_decompressed_bytes: state.config.max_decompressed_bytes,
        max_records: crate::config::MAX_BATCH_RECORDS,
    };
    let encoding = headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("unreadable"));
    let parsed = decode_body(&body, encoding, &limits)
        .and_then(|json| parse_batch(&json, &install.public_id, &limits));
    let batch = match parsed {
        Ok(batch) => batch,
        Err(error) => {
            if let BatchError::Invalid(problems) = &error {
                state.metrics.count_records(0, 0, problems.len() as u64);
            }
            return Err(error.into());
        }
    };
    let rules = BatchRules {
        max_countries: state.config.max_countries_per_install,
        max_cells: state.config.max_cells_per_install,
        eligible_after_days: state.config.eligible_after_days,
        today: state.config.clock.today(),
    };
    match state.database.store_batch(&install, &batch, &rules).await {
        Ok(counts) => {
            state.metrics.count_records(counts.accepted, counts.duplicates, 0);
            Ok(Json(json!({ "accepted": counts.accepted, "duplicates": counts.duplicates })).into_response())
        }
        Err(StoreError::Conflicts(errors)) => {
            state.metrics.count_records(0, 0, errors.len() as u64);
            Err(AppError::Unprocessable {
                message: format!(
                    "{} record(s) conflict with records already sent; nothing was stored",
                    errors.len()
                ),
                errors,
            })
        }
        Err(StoreError::InstallGone) => Err(AppError::Unauthorized("this install was erased".into())),
        Err(error @ StoreError::TooManyCountries { .. }) => Err(AppError::Unprocessable {
            message: format!("{error}; nothing was stored"),
            errors: vec![RecordProblem { index: None, field: "country".into(), problem: error.to_string() }],
        }),
        Err(error @ StoreError::TooManyCells { .. }) => Err(AppError::Unprocessable {
            message: format!("{error}; nothing was stored"),
            errors: vec![RecordProblem { index: None, field: "records".into(), problem: error.to_string() }],
        }),
        Err(StoreError::Db(error)) => Err(AppError::NotStored(error)),
    }
}

/// `DELETE /v1/installs/me`: erases every record of the token's install, and the install.
pub(super) async fn erase(
    State(state): State<SharedState>,
    AuthenticatedInstall(install): AuthenticatedInstall,
) -> Result<Response, AppError> {
    let erased = state.database.erase_install(&install).await.map_err(AppError::NotStored)?;
    state.upload_limiter.forget(&install.key);
    Ok(Json(json!({ "records_erased": erased.records, "installs_erased": erased.installs })).into_response())
}

/// The query of `/v1/wages` and `/v1/wages.csv`; unknown parameters are refused.
fn wages_query(params: &HashMap<String, String>) -> Result<WagesQuery, AppError> {
    if let Some(unknown) = params.keys().find(|key| !["by", "method", "month"].contains(&key.as_str())) {
        return Err(AppError::BadRequest(format!(
            "unknown parameter '{}'; expected by, method, month",
            unknown.chars().take(32).collect::<String>()
        )));
    }
    let get = |name: &str| params.get(name).map(String::as_str);
    WagesQuery::parse(get("by"), get("method"), get("month")).map_err(AppError::BadRequest)
}

fn report_headers(
    report: &CachedReport,
    content_type: &'static str,
) -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::HeaderName::from_static("piecerate-data-version"), HeaderValue::from(report.data_version)),
    ]
}

/// `GET /v1/wages`: the `piecerate.report/1` JSON.
pub(super) async fn wages_json(
    State(state): State<SharedState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let report = state.wages_report(&wages_query(&params)?).await?;
    Ok((report_headers(&report, "application/json"), report.json.clone()).into_response())
}

/// `GET /v1/wages.csv`: the same report as CSV.
pub(super) async fn wages_csv(
    State(state): State<SharedState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let report = state.wages_report(&wages_query(&params)?).await?;
    let disposition = HeaderValue::from_static("attachment; filename=\"piecerate-wages.csv\"");
    Ok((
        report_headers(&report, "text/csv; charset=utf-8"),
        [(header::CONTENT_DISPOSITION, disposition)],
        report.csv.clone(),
    )
        .into_response())
}
