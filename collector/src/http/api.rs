//! The JSON API under `/v1`, plus `/healthz` and `/metrics`. Each handler translates HTTP to a
//! call of `ingest`, `db` or `wages` and back; the rules live there.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use analysis::json;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::SharedState;
use super::openapi::{DOCUMENT, MethodNotAllowed};
use super::wire::{
    Batch, BatchCounts, Challenge, Credentials, Enrollment as EnrollmentBody, Erased, ErrorBody, Health,
    HealthStatus, ReportDocument, RetryAfterSeconds, UploadHeaders, WagesParams, by_values,
};
use crate::auth::{bearer_token, new_credentials, token_hash};
use crate::db::{BatchRules, EnrollError, Install, StoreError};
use crate::error::AppError;
use crate::ingest::{BatchError, BatchLimits, RecordProblem, decode_body, parse_batch};
use crate::proof_of_work::ProofError;
use crate::wages::{CachedReport, WagesQuery};

/// The largest enrollment body: it carries at most a consent version.
const MAX_ENROLL_BODY_BYTES: usize = 4096;
const MAX_CONSENT_VERSION_LEN: usize = 64;
/// The longest challenge or nonce read; an issued challenge is under 100 bytes.
const MAX_PROOF_FIELD_LEN: usize = 256;

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    summary = "Liveness and database reachability",
    responses(
        (status = 200, description = "Healthy: {\"status\": \"ok\"}.", body = Health),
        (status = 405, response = MethodNotAllowed),
        (status = 503, description = "The database is unreachable.", body = Health),
    )
)]
pub(super) async fn health(State(state): State<SharedState>) -> Response {
    match state.database.data_version().await {
        Ok(_) => Json(Health { status: HealthStatus::Ok }).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: HealthStatus::DatabaseUnreachable }))
                .into_response()
        }
    }
}

#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    summary = "Prometheus metrics",
    description = "piecerate_http_requests_total{route,status}, piecerate_records_total{outcome=accepted|duplicate|rejected}, piecerate_http_request_duration_seconds{route} histogram. For the operator's scraper: it carries no CORS headers, so no web page can read it.",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4.", body = String, content_type = "text/plain"),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn metrics(State(state): State<SharedState>) -> Response {
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], state.metrics.render()).into_response()
}

/// Marks a JSON answer that the demo must pass on as it is: `/v1/openapi.json`, whose top level
/// is an OpenAPI document, where a `data_notice` key would make it invalid.
#[derive(Debug, Clone, Copy)]
pub(super) struct ServedAsIs;

#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    operation_id = "openapi",
    summary = "This document",
    description = "Derived from the collector's handlers and wire types; docs/openapi.json in the repository is a snapshot of it.",
    responses(
        (status = 200, description = "OpenAPI 3.1", body = Object),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn openapi() -> Response {
    let mut response =
        ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], DOCUMENT.as_str())
            .into_response();
    response.extensions_mut().insert(ServedAsIs);
    response
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

/// The demo holds synthetic data only: it refuses to enroll, store or erase anything for a
/// worker, with 403, before any token is looked at. Each write handler takes this first; as an
/// extractor (not a layer of the write router) it lets a method the route does not take get its
/// 405, on the demo too.
#[derive(Debug)]
pub(super) struct WritesAccepted;

impl FromRequestParts<SharedState> for WritesAccepted {
    type Rejection = AppError;

    async fn from_request_parts(_: &mut Parts, state: &SharedState) -> Result<Self, AppError> {
        if !state.config.demo {
            return Ok(WritesAccepted);
        }
        Err(AppError::Forbidden(
            "this is a demonstration collector serving synthetic data: it enrolls no installs and stores or erases no records; send workers' data to a collector run without --demo".into(),
        ))
    }
}

/// `GET /v1/installs/challenge`: a proof-of-work challenge for one enrollment (`proof_of_work`).
#[utoipa::path(
    get,
    path = "/v1/installs/challenge",
    operation_id = "enrollmentChallenge",
    summary = "A proof-of-work challenge for one enrollment",
    description = "A new challenge for POST /v1/installs, valid for ten minutes and for one enrollment. Finding its nonce takes a worker's browser about a second at the default difficulty (--enroll-difficulty-bits); a script pays it for each install it makes. Answers only requests without an Origin or from a browser extension, like the other enrollment routes; a collector started with --demo refuses it (403). Never cached (Cache-Control: no-store).",
    responses(
        (status = 200, description = "A challenge.", body = Challenge),
        (status = 403, description = "Sent from a web origin that is not a browser extension, or to a collector started with --demo.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn enrollment_challenge(_: WritesAccepted, State(state): State<SharedState>) -> Response {
    let challenge = state.challenges.issue(state.config.clock.now(), state.config.enroll_difficulty_bits);
    let expires_at = analysis::Timestamp::from_unix_seconds(challenge.expires_at)
        .map_or_else(|_| challenge.expires_at.to_string(), |time| time.to_string());
    let body = Challenge { challenge: challenge.text, difficulty: challenge.difficulty, expires_at };
    // Each answer is new: no cache may hand one challenge to two clients.
    ([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response()
}

/// `POST /v1/installs`: a new anonymous install. The body is
/// `{"challenge": "...", "nonce": "...", "consent_version": "..."}`, the last optional.
#[utoipa::path(
    post,
    path = "/v1/installs",
    operation_id = "enroll",
    summary = "Enroll an anonymous install",
    description = "Creates an install with a random id and a random bearer token. The token is shown once; the collector keeps only its SHA-256 hash. The body must carry a solved proof of work: a challenge from GET /v1/installs/challenge, unexpired and not used before, and a nonce such that SHA-256 of the challenge's bytes followed by the nonce's begins with the challenge's difficulty in zero bits; anything else is refused with 422 naming the field (challenge or nonce), and stores nothing. Rate limited per source address (429 with Retry-After). consent_version, when given, is a string (null is refused: leave the field out); a field given twice refuses the body (400). A collector started with --demo refuses to enroll (403). The install counts in published figures once it has uploaded on --eligible-after-days distinct days (docs/collector.md).",
    request_body(content = EnrollmentBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Enrolled.", body = Credentials),
        (status = 400, description = "Not JSON, or a field given more than once.", body = ErrorBody),
        (status = 403, description = "Sent from a web origin that is not a browser extension, or to a collector started with --demo.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
        (status = 408, description = "The request took longer than the collector's request timeout (30 s by default). Nothing was stored.", body = ErrorBody),
        (status = 413, description = "The body is larger than 4096 bytes.", body = ErrorBody),
        (status = 415, description = "A body was sent with a Content-Type other than application/json.", body = ErrorBody),
        (status = 422, description = "The body is not an object or has a field other than challenge, nonce and consent_version; challenge or nonce is missing, not a string, or not a solved, unexpired, unused proof of work (the error names the field); or consent_version is not a string of 1 to 64 letters, digits or - _ . : (null included).", body = ErrorBody),
        (status = 429, description = "Too many enrollments from this source address.", body = ErrorBody,
            headers(("Retry-After" = inline(RetryAfterSeconds), description = "Seconds to wait, rounded up; the error text says the same number."))),
    )
)]
pub(super) async fn enroll(
    _: WritesAccepted,
    State(state): State<SharedState>,
    request: Request,
) -> Result<Response, AppError> {
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
            let body = Credentials { install_id: public_id.as_str().to_owned(), token };
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
#[utoipa::path(
    post,
    path = "/v1/records",
    operation_id = "upload",
    summary = "Upload a batch of records",
    description = "A batch of 1 to 1000 records in format v1 JSON (docs/record-format.md), as {\"records\": [...]}. The install comes from the token: each record's install_id may be omitted or carry anything (the extension sends \"self\"); the collector reads every record as the token's install. Records are validated by the analysis library (analysis::format::record_of_install_from_json): unknown keys and keys given twice are refused, and one task may pay at most analysis::record::MAX_TASK_PAY_USD (1000 US dollars, reward plus bonus at the record month's exchange rate). started_at and ended_at are stored rounded outward to the hour (started_at down, ended_at up); active_seconds is kept exactly. Idempotent by record_id per install: a record already stored with the same content (after rounding) counts as a duplicate and is not stored again; the same record_id with different content is an error. If any record is invalid, nothing of the batch is stored (422, one error per bad record). The body may be gzip-compressed (Content-Encoding: gzip). The 200 is sent only after the batch is committed. A collector started with --demo refuses it (403): it holds synthetic data only.",
    security(("bearer" = [])),
    params(UploadHeaders),
    request_body(content = Batch, content_type = "application/json"),
    responses(
        (status = 200, description = "Committed.", body = BatchCounts),
        (status = 400, description = "Not JSON; not valid gzip, or anything after the end of the gzip stream (a second gzip member, trailing bytes); \"records\" given more than once.", body = ErrorBody),
        (status = 401, description = "Missing, malformed or unknown token (including the token of an erased install).", body = ErrorBody),
        (status = 403, description = "The request came from a web origin that is not a browser extension, or went to a collector started with --demo.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
        (status = 408, description = "The request took longer than the collector's request timeout (30 s by default), body included. Nothing was stored unless the batch had already committed; sending it again is safe.", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB, or decompresses to more than 4 MiB.", body = ErrorBody),
        (status = 415, description = "Content-Type is not application/json, or Content-Encoding is neither gzip nor identity.", body = ErrorBody),
        (status = 422, description = "Invalid records, a batch of 0 or more than 1000 records, unknown top-level fields, a record_id reused with different content, records that would make the install's stored records span more than the collector's limit of distinct countries (3 by default; one error with field country naming the limit), or more than its limit of platform × country × month cells (1000 by default; one error with field records). Nothing was stored.", body = ErrorBody),
        (status = 429, description = "This install uploads too often, or the request's source failed authentication too often.", body = ErrorBody,
            headers(("Retry-After" = inline(RetryAfterSeconds), description = "Seconds to wait, rounded up; the error text says the same number."))),
    )
)]
pub(super) async fn upload(
    _: WritesAccepted,
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
            Ok(Json(BatchCounts { accepted: counts.accepted, duplicates: counts.duplicates }).into_response())
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
#[utoipa::path(
    delete,
    path = "/v1/installs/me",
    operation_id = "erase",
    summary = "Erase this install and every record it sent",
    description = "Deletes every record of the token's install, its totals and the install, in one transaction. The token is refused afterwards (401). On SQLite the erased rows are also overwritten in the database's files (secure_delete, then a WAL checkpoint that truncates the log) before the answer; on PostgreSQL the operator's VACUUM and backup retention finish the job (docs/collector.md). A collector started with --demo refuses it (403): it holds synthetic data only.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Erased.", body = Erased),
        (status = 401, description = "Missing, malformed or unknown token (including the token of an install already erased).", body = ErrorBody),
        (status = 403, description = "The request came from a web origin that is not a browser extension, or went to a collector started with --demo.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
        (status = 429, description = "The request's source failed authentication too often.", body = ErrorBody,
            headers(("Retry-After" = inline(RetryAfterSeconds), description = "Seconds to wait, rounded up; the error text says the same number."))),
    )
)]
pub(super) async fn erase(
    _: WritesAccepted,
    State(state): State<SharedState>,
    AuthenticatedInstall(install): AuthenticatedInstall,
) -> Result<Response, AppError> {
    let erased = state.database.erase_install(&install).await.map_err(AppError::NotStored)?;
    state.upload_limiter.forget(&install.key);
    Ok(Json(Erased { records_erased: erased.records, installs_erased: erased.installs }).into_response())
}

/// A query's parameters by name. A parameter given twice is refused (400, naming it) rather
/// than one of its values taken: readers disagree on which one counts.
pub(super) fn query_parameters(query: Option<&str>) -> Result<HashMap<String, String>, AppError> {
    let mut parameters = HashMap::new();
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if parameters.contains_key(name.as_ref()) {
            return Err(AppError::BadRequest(format!(
                "{}: the parameter is given more than once; give it once",
                name.chars().take(32).collect::<String>()
            )));
        }
        parameters.insert(name.into_owned(), value.into_owned());
    }
    Ok(parameters)
}

/// The query of `/v1/wages` and `/v1/wages.csv`; unknown parameters are refused.
fn wages_query(query: Option<&str>) -> Result<WagesQuery, AppError> {
    let params = query_parameters(query)?;
    if let Some(unknown) = params.keys().find(|key| !["by", "method", "month"].contains(&key.as_str())) {
        return Err(AppError::BadRequest(format!(
            "unknown parameter '{}'; expected by, method, month",
            unknown.chars().take(32).collect::<String>()
        )));
    }
    let mut params = params;
    let params = WagesParams {
        by: params.remove("by"),
        method: params.remove("method"),
        month: params.remove("month"),
    };
    let query = WagesQuery::parse(params.by.as_deref(), params.method.as_deref(), params.month.as_deref())
        .map_err(AppError::BadRequest)?;
    // The library reads a grouping leniently (spaces, repeats); the API takes each dimension
    // once, written as the document's enumeration says.
    if let Some(by) = params.by.filter(|by| !by_values().contains(by)) {
        return Err(AppError::BadRequest(format!(
            "by: '{}' is not a grouping; expected distinct dimensions among platform, country, month, comma-separated without spaces, e.g. platform,country",
            by.chars().take(48).collect::<String>()
        )));
    }
    Ok(query)
}

fn report_headers(report: &CachedReport, content_type: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::HeaderName::from_static("piecerate-data-version"),
        HeaderValue::from(report.basis.data_version),
    );
    // The date of the snapshot whose figures these are (absent before the first): the CSV's
    // "as of", which its rows have no place for.
    if let Some(snapshot) = &report.basis.snapshot
        && let Ok(day) = HeaderValue::from_str(&snapshot.day)
    {
        headers.insert(header::HeaderName::from_static("piecerate-snapshot"), day);
    }
    headers
}

/// `GET /v1/wages`: the `piecerate.report/1` JSON.
#[utoipa::path(
    get,
    path = "/v1/wages",
    operation_id = "wages",
    summary = "Effective hourly wages (piecerate.report/1)",
    description = "The figures of the latest snapshot (/snapshots): computed by the analysis library from the totals that snapshot was computed from, cached, and recomputed when a new snapshot is published or an erasure removed a worker from them; as_of names the snapshot (null before the first). Uploads reach these figures with the next snapshot, under its rule (a cell moves only when none or at least min_workers of its workers changed). Cells with fewer than min_workers workers (at least 10) publish no statistics. The schema is described in docs/report-format.md.",
    params(WagesParams),
    responses(
        (status = 200, description = "The report.", body = ReportDocument,
            headers(("Piecerate-Data-Version" = i64, description = "The data version the report was computed at."),
                ("Piecerate-Snapshot" = String, description = "The date (YYYY-MM-DD) of the snapshot whose figures these are; absent before the first snapshot."))),
        (status = 400, description = "An unknown parameter, a parameter given more than once, or a value the parameter does not take; the message names the parameter.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn wages_json(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let report = state.wages_report(&wages_query(query.as_deref())?).await?;
    Ok((report_headers(&report, "application/json"), report.json.clone()).into_response())
}

/// `GET /v1/wages.csv`: the same report as CSV.
#[utoipa::path(
    get,
    path = "/v1/wages.csv",
    operation_id = "wagesCsv",
    summary = "The same report as CSV",
    description = "One row per cell: the grouping columns, then suppressed, n_workers, n_workers_fewer_than, n_tasks, hours_paid, hours_unpaid, mean/median/p10/p25/p75/p90 hourly USD, the median's 95% interval, share_below_local_minimum, share_below_usd_7_25, contains_simulated, contains_requester_data, then n_workers_with_known_minimum, the minimum wage used (minimum_wage_status, _hourly_local, _currency, _in_force_from, _basis, _source, _hourly_usd, _reason), currency_basis, the shares' Wilson 95% intervals (share_below_local_minimum_ci95_low, _high, share_below_usd_7_25_ci95_low, _high) and the mean's bootstrap 95% interval (mean_ci95_low_usd, mean_ci95_high_usd).",
    params(WagesParams),
    responses(
        (status = 200, description = "The report as CSV.", body = String, content_type = "text/csv",
            headers(("Piecerate-Data-Version" = i64, description = "The data version the report was computed at."),
                ("Piecerate-Snapshot" = String, description = "The date (YYYY-MM-DD) of the snapshot whose figures these are; absent before the first snapshot."))),
        (status = 400, description = "An unknown parameter, a parameter given more than once, or a value the parameter does not take; the message names the parameter.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn wages_csv(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let report = state.wages_report(&wages_query(query.as_deref())?).await?;
    let disposition = HeaderValue::from_static("attachment; filename=\"piecerate-wages.csv\"");
    Ok((
        report_headers(&report, "text/csv; charset=utf-8"),
        [(header::CONTENT_DISPOSITION, disposition)],
        report.csv.clone(),
    )
        .into_response())
}
