//! The HTTP surface: routes, shared state and the middleware every request passes through
//! (metrics and logs without request metadata, CORS, the demo notice). Handlers are thin.

mod api;
mod brief;
mod catalogue;
mod chart;
mod cors;
mod dashboard;
mod error_page;
mod html;
mod language;
mod methodology;
mod openapi;
mod privacy;
mod snapshots;
mod wire;

pub(crate) use wire::ErrorBody;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Config;
use crate::db::{Database, DbError};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::proof_of_work::ChallengeKey;
use crate::rate_limit::{RateLimiter, SourceLimiter};
use crate::wages::{CachedReport, DEMO_NOTICE, PublishingRules, WagesCache, WagesQuery};

/// What every handler can reach.
#[derive(Debug)]
pub(crate) struct AppState {
    pub config: Config,
    pub database: Database,
    pub metrics: Metrics,
    pub wages: Arc<WagesCache>,
    /// The brief, per language and data version (`brief.rs`).
    pub briefs: brief::BriefCache,
    /// Keyed by the install's database key.
    pub upload_limiter: RateLimiter<i64>,
    /// Keyed by a hash of the source address (see `rate_limit`).
    pub enroll_limiter: SourceLimiter,
    pub auth_failure_limiter: SourceLimiter,
    /// Authenticates enrollment challenges.
    pub challenges: ChallengeKey,
}

impl AppState {
    pub(crate) fn new(config: Config, database: Database, challenges: ChallengeKey) -> AppState {
        AppState {
            challenges,
            upload_limiter: RateLimiter::new(config.upload_rate),
            enroll_limiter: SourceLimiter::new(config.enroll_rate),
            auth_failure_limiter: SourceLimiter::new(config.auth_failure_rate),
            config,
            database,
            metrics: Metrics::default(),
            wages: Arc::default(),
            briefs: brief::BriefCache::default(),
        }
    }

    fn publishing_rules(&self) -> PublishingRules {
        publishing_rules(&self.config)
    }

    /// The published report for `query`, from the wage cache.
    async fn wages_report(&self, query: &WagesQuery) -> Result<Arc<CachedReport>, DbError> {
        self.wages.get(&self.database, query, self.publishing_rules()).await
    }
}

/// What shapes every report the collector publishes, live or in a snapshot.
pub(crate) fn publishing_rules(config: &Config) -> PublishingRules {
    PublishingRules {
        min_workers: config.min_workers,
        min_hours: config.min_hours,
        eligible_after_days: config.eligible_after_days,
        disclosure: analysis::report::DisclosureRules {
            min_workers: config.min_workers,
            exact_quantiles_min_workers: config.exact_quantiles_min_workers,
            small_cell_wage_step_usd: config.small_cell_wage_step_usd,
            ..analysis::report::DisclosureRules::default()
        },
        demo: config.demo,
        max_staleness: config.wages_max_staleness,
    }
}

pub(crate) type SharedState = Arc<AppState>;

/// The routes of the three routers, with the OpenAPI description of each documented route
/// (`routes!` takes a route's path and method from its handler's `#[utoipa::path]`, so the
/// document describes exactly the routes served).
struct Routes {
    reads: OpenApiRouter<SharedState>,
    operators: OpenApiRouter<SharedState>,
    writes: OpenApiRouter<SharedState>,
}

fn routes() -> Routes {
    let reads = OpenApiRouter::new()
        .routes(routes!(dashboard::page))
        .route("/methodology", get(methodology::page_handler))
        .route("/brief", get(brief::html))
        .route("/brief.pdf", get(brief::pdf))
        .route("/privacy", get(privacy::page))
        .route("/assets/dashboard.css", get(html::stylesheet))
        .routes(routes!(api::health))
        .routes(routes!(api::openapi))
        .routes(routes!(api::wages_json))
        .routes(routes!(api::wages_csv))
        .routes(routes!(snapshots::list))
        .routes(routes!(snapshots::list_json))
        .routes(routes!(snapshots::one))
        .fallback(api::not_found);
    // For the operator's scraper, not for browsers: no CORS rule, so no web page can read it.
    let operators = OpenApiRouter::new().routes(routes!(api::metrics));
    let writes = OpenApiRouter::new()
        .routes(routes!(api::enrollment_challenge))
        .routes(routes!(api::enroll))
        .routes(routes!(api::erase))
        .routes(routes!(api::upload));
    Routes { reads, operators, writes }
}

/// The OpenAPI document of every route the collector serves.
pub(crate) fn openapi_document() -> utoipa::openapi::OpenApi {
    let Routes { reads, operators, writes } = routes();
    let mut document = openapi::ApiDoc::openapi();
    for routes in [writes, reads, operators] {
        document.merge(routes.into_openapi());
    }
    openapi::complete(&mut document);
    document
}

pub(crate) fn router(state: SharedState) -> Router {
    let Routes { reads, operators, writes } = routes();
    let (reads, operators, writes) =
        (reads.split_for_parts().0, operators.split_for_parts().0, writes.split_for_parts().0);
    // Each router's CORS rule wraps its routes outside the time limit and the demo notice, so
    // that every answer a browser may read, a 408 included, carries it.
    // A browser asking for a page gets a client error as a page; the API keeps its JSON.
    let reads = with_limit_and_notice(reads, &state)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), error_page::for_browsers))
        .layer(cors::public());
    let writes = with_limit_and_notice(writes, &state)
        .layer(cors::extension_origins())
        .layer(middleware::from_fn(cors::refuse_other_origins));
    let operators = with_limit_and_notice(operators, &state);
    reads
        .merge(writes)
        .merge(operators)
        .layer(middleware::from_fn(cors::preflights_answer_no_content))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), observe))
        .with_state(state)
}

/// The JSON body of a 405, then the time limit, then the demo notice around them, on every
/// route of `router`.
fn with_limit_and_notice(router: Router<SharedState>, state: &SharedState) -> Router<SharedState> {
    router
        .layer(middleware::from_fn(method_not_allowed_as_json))
        .layer(middleware::from_fn_with_state(Arc::clone(state), time_limit))
        .layer(middleware::from_fn_with_state(Arc::clone(state), demo_notice))
}

/// Counts and times every request by route pattern and status. The log line names the route,
/// status and duration only: no address, user agent, path parameters or body.
async fn observe(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().clone();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.observe_request(&route, status, elapsed);
    tracing::info!(%method, route = %route, status, elapsed_us = elapsed.as_micros() as u64, "request");
    response
}

/// Gives the 405 that axum answers, with an empty body, for a method a route does not take,
/// the JSON error body of every other error. (Its `Allow` header, which axum adds outside the
/// route's layers, lists the methods the route takes.)
async fn method_not_allowed_as_json(request: Request, next: Next) -> Response {
    let method: String = request.method().as_str().chars().take(16).collect();
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    AppError::MethodNotAllowed(format!(
        "method {method} is not allowed here; the Allow header lists the methods this endpoint answers"
    ))
    .into_response()
}

/// Answers 408 to a request that takes longer than `request_timeout`, body included, so a client
/// that stalls cannot hold a connection and its buffers for ever. A batch cut off this way is
/// rolled back (its transaction is dropped uncommitted) unless it had committed already, in
/// which case sending it again counts its records as duplicates.
async fn time_limit(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout(state.config.request_timeout).into_response(),
    }
}

/// In demo mode, every answer carries the notice: a header on all, and a `data_notice` field
/// in every JSON object answer (pages show a banner of their own).
async fn demo_notice(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !state.config.demo {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts.headers.insert("piecerate-data-notice", HeaderValue::from_static(DEMO_NOTICE));
    let is_json = parts.extensions.get::<api::ServedAsIs>().is_none()
        && parts
            .headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_json {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut object)) if !object.contains_key("data_notice") => {
            object.insert("data_notice".into(), Value::from(DEMO_NOTICE));
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(serde_json::to_vec(&object).expect("values serialize"))
        }
        _ => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}
