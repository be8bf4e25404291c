//! The citable snapshots (`crate::snapshots`): `/snapshots` lists them (HTML, or JSON by
//! `Accept` and at `/snapshots.json`); `/snapshots/YYYY-MM-DD` is one as a page and
//! `/snapshots/YYYY-MM-DD.json` its document, served byte for byte as stored, so that its
//! SHA-256 is the one published with it. The pages are in English or French, chosen as every
//! page's (`?lang=`, else `Accept-Language`), with the switch; the JSON is the same for all.

use analysis::Timestamp;
use analysis::time::Date;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::Value;

use super::SharedState;
use super::api::ServedAsIs;
use super::catalogue::Catalogue;
use super::html::{Here, page};
use super::language::{Language, Locale, PageQuery};
use super::openapi::MethodNotAllowed;
use super::wire::{ErrorBody, SnapshotEntry, SnapshotListing};
use crate::db::{DbError, SnapshotSummary, StoredSnapshot};
use crate::error::AppError;

/// How many characters of a bad path segment an error message repeats.
const ECHOED_CHARS: usize = 24;

fn published_at(summary: &SnapshotSummary) -> String {
    Timestamp::from_unix_seconds(summary.published_at)
        .map_or_else(|_| summary.published_at.to_string(), |time| time.to_string())
}

fn entry(summary: &SnapshotSummary) -> SnapshotEntry {
    SnapshotEntry {
        date: summary.day.clone(),
        published_at: published_at(summary),
        sha256: summary.content_sha256.clone(),
        url: format!("/snapshots/{}", summary.day),
        json_url: format!("/snapshots/{}.json", summary.day),
    }
}

/// Whether the client asked for JSON rather than a page: its `Accept` names
/// `application/json` before any HTML type (a browser names HTML first).
fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|value| value.to_str().ok()).unwrap_or("");
    accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .find(|media| media == "application/json" || media == "text/html" || media == "application/xhtml+xml")
        .is_some_and(|media| media == "application/json")
}

async fn listing(state: &SharedState) -> Result<SnapshotListing, AppError> {
    let snapshots = state.database.snapshots().await?;
    Ok(SnapshotListing {
        interval_days: state.config.snapshot_interval_days,
        snapshots: snapshots.iter().map(entry).collect(),
    })
}

/// `GET /snapshots`: the list as a page, or as JSON for a client that asks for it.
#[utoipa::path(
    get,
    path = "/snapshots",
    operation_id = "snapshots",
    summary = "Every citable snapshot (HTML, or JSON by Accept)",
    description = "The snapshots the collector published, the latest first: one per --snapshot-interval (daily by default), each dated by the server's UTC day, immutable, with the SHA-256 of its JSON document. A page, or the same as /snapshots.json when the Accept header names application/json before text/html.",
    responses(
        (status = 200, description = "The list, as a page or as JSON.", content(
            (String = "text/html"),
            (SnapshotListing = "application/json"),
        )),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn list(
    State(state): State<SharedState>,
    page_query: Result<PageQuery, AppError>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let listing = listing(&state).await?;
    if wants_json(&headers) {
        return Ok(Json(listing).into_response());
    }
    let PageQuery { locale, .. } = page_query?;
    let language = locale.language;
    let text = &Catalogue::of(language).snapshots;
    let body = html! {
        header {
            h1 { (text.list_heading) }
            p class="lead" {
                (text.list_lead) " (" code { "sha256sum 2026-12-01.json" } ")."
            }
        }
        @if listing.snapshots.is_empty() {
            p { (text.list_empty) }
        } @else {
            div class="table-scroll" role="region" tabindex="0" aria-labelledby="snapshots-caption" {
                table id="snapshots-table" {
                    caption id="snapshots-caption" { ((text.list_caption)(listing.interval_days)) }
                    thead { tr { th scope="col" { (text.column_date) } th scope="col" { (text.column_published_at) } th scope="col" { "SHA-256" } th scope="col" { "JSON" } } }
                    tbody {
                        @for snapshot in &listing.snapshots {
                            tr {
                                td { a href=(locale.link(&snapshot.url, &[])) { (snapshot.date) } }
                                td { (snapshot.published_at) }
                                td { code { (snapshot.sha256) } }
                                td { a href=(snapshot.json_url) { (snapshot.date) ".json" } }
                            }
                        }
                    }
                }
            }
        }
        p { a href=(locale.link("/", &[])) { (text.back_to_current) } " · " a href="/snapshots.json" { (text.list_as_json) } }
    };
    let here = Here { path: "/snapshots", parameters: &[] };
    Ok(page(locale, here, text.list_title, state.config.demo, body))
}

/// `GET /snapshots.json`.
#[utoipa::path(
    get,
    path = "/snapshots.json",
    operation_id = "snapshotsJson",
    summary = "Every citable snapshot (JSON)",
    description = "The snapshots the collector published, the latest first, each with its date, publication time, SHA-256 and URLs.",
    responses(
        (status = 200, description = "The list.", body = SnapshotListing),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn list_json(State(state): State<SharedState>) -> Result<Response, AppError> {
    Ok(Json(listing(&state).await?).into_response())
}

/// What a page says to be cited: "as of" the date of the snapshot whose figures it shows (the
/// latest), with its hash's first twelve digits and a link to it, in the page's language.
pub(super) fn as_of(latest: Option<&SnapshotSummary>, locale: Locale) -> Markup {
    let text = &Catalogue::of(locale.language).snapshots;
    html! {
        p class="as-of" id="as-of" {
            @match latest {
                Some(latest) => {
                    (text.cite_as_of) " " a href=(locale.link(&format!("/snapshots/{}", latest.day), &[])) { (latest.day) } ", SHA-256 "
                    code { (latest.content_sha256.get(..12).unwrap_or(&latest.content_sha256)) } " " (text.cite_figures_are) " "
                    a href=(locale.link("/snapshots", &[])) { (text.every_snapshot.to_lowercase()) } ")."
                }
                None => { (text.cite_none_before) " (" a href=(locale.link("/snapshots", &[])) { (text.every_snapshot.to_lowercase()) } ")." }
            }
        }
    }
}

/// A snapshot's name in its URL: a date, for its page, or a date and `.json`.
fn parse_name(name: &str) -> Result<(String, bool), AppError> {
    let (date, json) = match name.strip_suffix(".json") {
        Some(date) => (date, true),
        None => (name, false),
    };
    let date = Date::parse(date).map_err(|_| {
        AppError::BadRequest(format!(
            "snapshot: '{}' is not a date like 2026-12-01 (a snapshot is named by its UTC day, YYYY-MM-DD, with .json for its document)",
            name.chars().take(ECHOED_CHARS).collect::<String>()
        ))
    })?;
    Ok((date.to_string(), json))
}

/// `GET /snapshots/{snapshot}`: `YYYY-MM-DD` (a page) or `YYYY-MM-DD.json` (the document).
#[utoipa::path(
    get,
    path = "/snapshots/{snapshot}",
    operation_id = "snapshot",
    summary = "One citable snapshot: its page, or its JSON document",
    description = "YYYY-MM-DD gives the snapshot's page; YYYY-MM-DD.json its document (piecerate.snapshot/1: every report the collector publishes, of every grouping of platform, country and month under each method, as they stood that day), served byte for byte as stored: its SHA-256 is the Piecerate-Content-SHA256 header, the ETag and the sha256 of /snapshots.json. Never changes once published (Cache-Control: immutable). A collector started with --demo puts its data_notice inside the document, not around it.",
    params(("snapshot" = String, Path, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.json)?$", description = "The snapshot's day, YYYY-MM-DD, or YYYY-MM-DD.json for its document.")),
    responses(
        (status = 200, description = "The page or the document.", content(
            (String = "text/html"),
            (Object = "application/json"),
        ), headers(("Piecerate-Content-SHA256" = String, description = "SHA-256 of the JSON document, in hex."))),
        (status = 400, description = "The name is not a date like 2026-12-01 (with .json for the document).", body = ErrorBody),
        (status = 404, description = "No snapshot was published on that day.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn one(
    State(state): State<SharedState>,
    name: Result<Path<String>, PathRejection>,
    page_query: Result<PageQuery, AppError>,
) -> Result<Response, AppError> {
    let Path(name) = name.map_err(|_| {
        AppError::BadRequest(
            "snapshot: the name is not valid UTF-8 text; a snapshot is named like 2026-12-01".into(),
        )
    })?;
    let (day, json) = parse_name(&name)?;
    let snapshot = state.database.snapshot(&day).await?.ok_or_else(|| {
        AppError::NotFound(format!("no snapshot was published on {day}; /snapshots lists those that were"))
    })?;
    let hash = HeaderValue::from_str(&snapshot.summary.content_sha256).map_err(|_| {
        AppError::Internal(DbError::CorruptRow("a stored snapshot's hash is not text".into()))
    })?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", snapshot.summary.content_sha256)).map_err(|_| {
        AppError::Internal(DbError::CorruptRow("a stored snapshot's hash is not text".into()))
    })?;
    let headers = [
        (header::HeaderName::from_static("piecerate-content-sha256"), hash),
        (header::ETAG, etag),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
    ];
    if json {
        let mut response = (
            headers,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            snapshot.document,
        )
            .into_response();
        // The bytes are the ones hashed: the demo's notice is inside the document already.
        response.extensions_mut().insert(ServedAsIs);
        return Ok(response);
    }
    let PageQuery { locale, .. } = page_query?;
    let body = snapshot_page(&snapshot, locale)?;
    let title = (Catalogue::of(locale.language).snapshots.title)(&day);
    let path = format!("/snapshots/{day}");
    let page = page(locale, Here { path: &path, parameters: &[] }, &title, state.config.demo, body);
    Ok((headers, page).into_response())
}

/// A country code of a snapshot's cell as the page's language names it, or "country not given".
fn country_name(code: Option<&str>, language: Language) -> String {
    match code.and_then(|code| analysis::CountryCode::parse(code).ok()) {
        Some(country) => {
            format!("{} ({})", country.short_name_in(language.country_names()), country.as_str())
        }
        None => Catalogue::of(language).country_not_given.to_owned(),
    }
}

/// The headline table of a snapshot (all time, by platform and country), read from its
/// document, with how to cite and check it.
fn snapshot_page(snapshot: &StoredSnapshot, locale: Locale) -> Result<Markup, AppError> {
    let document: Value = serde_json::from_str(&snapshot.document).map_err(|error| {
        AppError::Internal(DbError::CorruptRow(format!("a stored snapshot is not JSON: {error}")))
    })?;
    let language = locale.language;
    let catalogue = Catalogue::of(language);
    let text = &catalogue.snapshots;
    let summary = &snapshot.summary;
    let headline = document["reports"]
        .as_array()
        .and_then(|reports| {
            reports
                .iter()
                .find(|r| r["method"] == "all" && r["by"] == "platform,country")
                .map(|r| &r["report"])
        })
        .cloned()
        .unwrap_or(Value::Null);
    let empty = Vec::new();
    let cells = headline["cells"].as_array().unwrap_or(&empty);
    let figure = |value: &Value| value.as_f64().map_or_else(|| "–".to_owned(), |v| language.dollars(v));
    let share = |value: &Value| value.as_f64().map_or_else(|| "–".to_owned(), |v| language.percent(v));
    let held = document["snapshot_rule"]["cells_as_in_previous_snapshot"].as_u64().unwrap_or(0);
    let min_changed = document["snapshot_rule"]["min_changed_workers"].as_u64().unwrap_or(10);
    let short_hash = summary.content_sha256.get(..12).unwrap_or(&summary.content_sha256);
    Ok(html! {
        header {
            h1 { ((text.heading)(&summary.day)) }
            p class="lead" {
                ((text.lead)(&summary.day)) " " q { ((text.citation)(&summary.day, short_hash)) } "."
            }
        }
        dl class="snapshot-facts" {
            dt { (text.published_at) } dd { (published_at(summary)) }
            dt { (text.sha256) } dd { code id="snapshot-sha256" { (summary.content_sha256) } }
            dt { (text.check) } dd { (text.download) " " a href={ "/snapshots/" (summary.day) ".json" } { (summary.day) ".json" } " " (text.and_run) " " code { "sha256sum " (summary.day) ".json" } (text.hashes_equal) }
            @if let Some(previous) = document["previous_snapshot"].as_str() {
                dt { (text.previous) } dd { a href=(locale.link(&format!("/snapshots/{previous}"), &[])) { (previous) } }
            }
            dt { (text.held_label) } dd {
                ((text.held)(&language.integer(held), &language.integer(min_changed)))
                " (" a href=(locale.link("/methodology", &[])) { (catalogue.nav_methodology.to_lowercase()) } ")."
            }
        }
        section {
            h2 { (text.table_heading) }
            div class="table-scroll" role="region" tabindex="0" aria-labelledby="snapshot-caption" {
                table id="snapshot-table" {
                    caption id="snapshot-caption" { (text.table_caption) }
                    thead { tr { @for heading in [catalogue.column_platform, catalogue.column_country, catalogue.column_workers, catalogue.column_median, catalogue.column_interval, catalogue.column_below_local, catalogue.column_below_reference] { th scope="col" { (heading) } } } }
                    tbody {
                        @for cell in cells {
                            @let platform = cell["platform"].as_str().unwrap_or(catalogue.all_platforms);
                            @let country = country_name(cell["country"].as_str(), language);
                            @if cell["suppressed"] == true {
                                tr class="suppressed" data-suppressed="true" {
                                    td { (platform) } td { (country) } td { "–" }
                                    td colspan="4" {
                                        @if cell["complementary_suppression"] == true { (catalogue.suppressed_complementary) }
                                        @else { (catalogue.suppressed_small) }
                                    }
                                }
                            } @else {
                                tr class="published" {
                                    td { (platform) } td { (country) }
                                    td { (cell["n_workers"].as_u64().map_or_else(|| "–".to_owned(), |n| language.integer(n))) }
                                    td { (figure(&cell["median_hourly_usd"])) }
                                    td { @match cell["median_ci95_usd"].as_array() {
                                        Some(ends) if ends.len() == 2 => { (figure(&ends[0])) "–" (figure(&ends[1])) }
                                        _ => "–",
                                    } }
                                    td { (share(&cell["share_below_local_minimum"])) }
                                    td { (share(&cell["share_below_usd_7_25"])) }
                                }
                            }
                        }
                        @if cells.is_empty() { tr { td colspan="7" { (text.nothing_published) } } }
                    }
                }
            }
        }
        p { a href=(locale.link("/snapshots", &[])) { (text.every_snapshot) } " · " a href=(locale.link("/", &[])) { (text.current_figures) } }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dates_or_dates_with_json() {
        assert_eq!(parse_name("2026-12-01").unwrap(), ("2026-12-01".into(), false));
        assert_eq!(parse_name("2026-12-01.json").unwrap(), ("2026-12-01".into(), true));
        for bad in
            ["2026-13-45", "2026-02-30", "..", "2026-12-1", "2026-12-01.csv", "2026-12-01.json.json", "", "x"]
        {
            assert!(matches!(parse_name(bad), Err(AppError::BadRequest(_))), "{bad}");
        }
        let AppError::BadRequest(message) = parse_name(&"9".repeat(10_000)).unwrap_err() else { panic!() };
        assert!(message.len() < 200, "{message}");
    }

    #[test]
    fn json_is_chosen_only_when_asked_before_html() {
        let with = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
            wants_json(&headers)
        };
        assert!(with("application/json"));
        assert!(with("application/json, text/html;q=0.5"));
        assert!(!with("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assert!(!with("*/*"));
        assert!(!wants_json(&HeaderMap::new()));
    }
}
