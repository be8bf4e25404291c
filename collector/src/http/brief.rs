//! `/brief` and `/brief.pdf`: the advocate's brief of the observatory's published figures, made
//! by the same renderer as `piecerate brief` (package `piecerate-brief`) from the reports of the
//! one disclosure-controlled `Publication` every other answer comes from (the latest snapshot's
//! figures, `crate::wages`), and cached per basis of that publication and language. The PDF is the HTML printed by the browser the operator names
//! (`--browser`); without one `/brief.pdf` answers 503 and says how to get the PDF anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use piecerate_brief::pdf::{Browser, DEFAULT_TIMEOUT};
use piecerate_brief::{Citation, Figures, Language, Provenance, STYLESHEET, Source, render_html};
use sha2::{Digest, Sha256};

use super::SharedState;
use super::api::query_parameters;
use crate::db::DbError;
use crate::error::AppError;
use crate::wages::{Basis, DEMO_NOTICE};

/// One language's brief: the basis of its figures, its HTML and, once printed, its PDF.
type Made = (Basis, Arc<String>, Option<Arc<Vec<u8>>>);

/// The briefs made, by language.
#[derive(Debug, Default)]
pub(crate) struct BriefCache {
    entries: Mutex<HashMap<Language, Made>>,
}

/// The brief's language: `?lang=en|fr`, English by default; anything else is refused.
fn language(query: Option<&str>) -> Result<Language, AppError> {
    let mut parameters = query_parameters(query)?;
    let language = parameters.remove("lang");
    if let Some(name) = parameters.keys().next() {
        return Err(AppError::BadRequest(format!(
            "{}: the brief takes only lang (en or fr)",
            name.chars().take(32).collect::<String>()
        )));
    }
    language.map_or(Ok(Language::En), |code| {
        code.parse().map_err(|e: String| AppError::BadRequest(format!("lang: {e}")))
    })
}

/// The brief's HTML of the latest snapshot's figures, made once per basis and language.
async fn brief_html(state: &SharedState, language: Language) -> Result<(Basis, Arc<String>), AppError> {
    let version = Basis::read(&state.database).await?;
    if let Some((made, html, _)) = state.briefs.entries.lock().expect("no panics under lock").get(&language)
        && *made == version
    {
        return Ok((version, Arc::clone(html)));
    }
    let rules = state.publishing_rules();
    let (version, publication) = state.wages.publication(&state.database, &version, &rules).await?;
    let figures = Figures::build(|method, grouping| publication.report(method, grouping, None))
        .map_err(|e| DbError::CorruptRow(e.to_string()))?;
    let months: Vec<(i64, i64)> =
        figures.all.by_month.cells.iter().filter_map(|cell| cell.key.month).collect();
    let (first, last) = (months.first().copied(), months.last().copied());
    let month = |(year, month): (i64, i64)| format!("{year:04}-{month:02}");
    let config = &state.config;
    let provenance = Provenance {
        generated_at: now(),
        tool: format!("piecerate-collector {}", env!("CARGO_PKG_VERSION")),
        commit: option_env!("PIECERATE_GIT_COMMIT").map(str::to_owned),
        period: first.zip(last).map(|(first, last)| (month(first), month(last))),
        parameters: format!(
            "min_workers {}, min_hours {}, eligible_after_days {}, disclosure control (exact percentiles from {} workers; smaller cells' wages to ${})",
            config.min_workers,
            config.min_hours,
            config.eligible_after_days,
            config.exact_quantiles_min_workers,
            config.small_cell_wage_step_usd
        ),
        source: Source::Observatory {
            workers: figures
                .all
                .overall
                .cells
                .first()
                .and_then(|cell| cell.statistics.as_ref())
                .map_or(0, |s| s.n_workers),
            notice: config.demo.then(|| DEMO_NOTICE.to_owned()),
            // The snapshot whose figures these are, to cite "as of" its date and hash.
            snapshot: version.snapshot.as_ref().map(|snapshot| Citation {
                date: snapshot.day.clone(),
                sha256: snapshot.content_sha256.clone(),
            }),
        },
    };
    let html = Arc::new(render_html(&figures, &provenance, language));
    state
        .briefs
        .entries
        .lock()
        .expect("no panics under lock")
        .insert(language, (version.clone(), Arc::clone(&html), None));
    Ok((version, html))
}

/// Now, RFC 3339 UTC, for the brief's provenance.
fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    analysis::Timestamp::from_unix_seconds(seconds).map_or_else(|_| String::new(), |time| time.to_string())
}

/// The security policy of the brief: nothing but its own inline stylesheet, allowed by hash.
fn content_security_policy() -> HeaderValue {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLESHEET.as_bytes()));
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ))
    .expect("a header value")
}

/// `GET /brief?lang=en|fr`.
pub(super) async fn html(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let language = language(query.as_deref())?;
    let (_, html) = brief_html(&state, language).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, content_security_policy()),
        ],
        html.as_str().to_owned(),
    )
        .into_response())
}

/// `GET /brief.pdf?lang=en|fr`.
pub(super) async fn pdf(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let language = language(query.as_deref())?;
    let Some(path) = state.config.browser.clone() else {
        return Ok(unavailable(
            "This observatory cannot print the brief as PDF: no browser is configured. The operator can start \
             the collector with --browser PATH (or PIECERATE_BROWSER) naming Chromium, Google Chrome or Microsoft \
             Edge. Meanwhile the brief at /brief is the same document as HTML: print it to PDF from any browser.",
        ));
    };
    let (version, html) = brief_html(&state, language).await?;
    if let Some((made, _, Some(pdf))) =
        state.briefs.entries.lock().expect("no panics under lock").get(&language)
        && *made == version
    {
        return Ok(pdf_response(pdf));
    }
    let printed = tokio::task::spawn_blocking(move || {
        Browser::find(Some(&path)).and_then(|browser| browser.print(&html, DEFAULT_TIMEOUT))
    })
    .await
    .map_err(|e| DbError::CorruptRow(format!("printing the brief: {e}")))?;
    let pdf = match printed {
        Ok(pdf) => Arc::new(pdf),
        Err(error) => {
            tracing::error!(error = %error, "printing the brief");
            return Ok(unavailable(
                "This observatory could not print the brief as PDF just now (its browser failed); the brief at /brief \
                 is the same document as HTML: print it to PDF from any browser.",
            ));
        }
    };
    if let Some(entry) = state.briefs.entries.lock().expect("no panics under lock").get_mut(&language)
        && entry.0 == version
    {
        entry.2 = Some(Arc::clone(&pdf));
    }
    Ok(pdf_response(&pdf))
}

fn pdf_response(pdf: &Arc<Vec<u8>>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"))], pdf.as_ref().clone())
        .into_response()
}

fn unavailable(message: &'static str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
        message,
    )
        .into_response()
}
