//! The public dashboard at `/`: server-rendered HTML that reads the cached wage reports, needs
//! no JavaScript, and loads nothing but its own stylesheet. Also the methodology page.

use analysis::report::{Cell, Dimension};
use analysis::{CellMinimumWage, Grouping, Method, Report};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use maud::{Markup, html};

use super::SharedState;
use super::api::query_parameters;
use super::chart::spread_per_platform;
use super::html::{dollars, page as html_page};
use super::openapi::MethodNotAllowed;
use super::wire::{DashboardParams, ErrorBody};
use crate::error::AppError;
use crate::wages::WagesQuery;

const METHODOLOGY: &str = include_str!("../../../docs/methodology.md");

/// One plain-language paragraph per method the dashboard offers.
fn explanation(method: Method) -> &'static str {
    match method {
        Method::All => {
            "Counts every minute workers recorded: tasks that paid, tasks that ended unpaid (returned, rejected, abandoned or screened out), and unpaid work between tasks such as searching for work and taking unpaid qualification tests. This is the headline figure: what workers actually earn for each hour they give to the platform."
        }
        Method::Task => {
            "Counts the time of every task, paid or not, but leaves out the unpaid work between tasks, such as searching for work. It shows what rejections and returned tasks cost workers, but not what searching costs them."
        }
        _ => {
            "Counts only the time spent on tasks that paid. This is closest to the rate platforms advertise and is always the highest of the three figures; the distance to \u{201c}all time\u{201d} is the unpaid work."
        }
    }
}

fn method_label(method: Method) -> &'static str {
    match method {
        Method::All => "all time",
        Method::Task => "task time",
        _ => "paid time only",
    }
}

fn share(value: Option<f64>) -> String {
    value.map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_else(|| "–".into())
}

fn country_name(cell: &Cell) -> String {
    match cell.key.country.flatten() {
        Some(country) => format!("{} ({country})", country.name()),
        None => "country not given".into(),
    }
}

/// Currency signs people read faster than codes; every other currency shows its ISO code.
const CURRENCY_SIGNS: [(&str, &str); 8] = [
    ("USD", "$"),
    ("GBP", "£"),
    ("EUR", "€"),
    ("BRL", "R$"),
    ("CAD", "CA$"),
    ("MXN", "MX$"),
    ("INR", "₹"),
    ("PHP", "₱"),
];

/// A cell's local minimum wage: "R$6.42/h since 2024-01-01", with its source on hover, or why
/// there is none to compare with.
fn threshold(minimum: &CellMinimumWage) -> Markup {
    match (minimum.hourly_local, &minimum.currency, &minimum.in_force_from) {
        (Some(hourly), Some(currency), Some(since)) => {
            let amount = match CURRENCY_SIGNS.iter().find(|(code, _)| code == currency) {
                Some((_, sign)) => format!("{sign}{hourly:.2}"),
                None => format!("{hourly:.2} {currency}"),
            };
            let lowest =
                if minimum.basis == Some("lowest_regional") { " (lowest regional rate)" } else { "" };
            html! {
                span title={ "source: " (minimum.source.unwrap_or("")) } { (amount) "/h since " (since) (lowest) }
            }
        }
        _ => html! {
            span title=(minimum.reason.as_deref().unwrap_or("")) {
                @if minimum.status == "none" { "no statutory minimum" } @else { "not known" }
            }
        },
    }
}

fn table(report: &Report) -> Markup {
    html! {
        div class="table-scroll" {
            table id="wages-table" {
                caption {
                    "Effective hourly wage per worker, US dollars. Each worker counts once per cell; the interval is a 95% confidence interval of the median."
                }
                thead {
                    tr {
                        @for heading in ["Platform", "Country", "Workers", "Median", "95% interval", "Mean",
                            "Below local minimum wage", "Local minimum used", "Below US $7.25"] {
                            th scope="col" { (heading) }
                        }
                    }
                }
                tbody {
                    @for cell in &report.cells {
                        (row(report, cell))
                    }
                    @if report.cells.is_empty() {
                        tr { td colspan="9" { "No records yet." } }
                    }
                }
            }
        }
    }
}

/// A published cell's nine columns, or a suppressed cell that says why it shows no figure.
fn row(report: &Report, cell: &Cell) -> Markup {
    let platform = cell.key.platform.map_or("all", |platform| platform.as_str());
    let country = country_name(cell);
    match &cell.statistics {
        Some(s) => {
            let interval = s
                .median_ci95_usd
                .map(|[low, high]| format!("{}–{}", dollars(low), dollars(high)))
                .unwrap_or_else(|| "–".into());
            html! {
                tr class="published" {
                    td { (platform) }
                    td { (country) }
                    td { (s.n_workers) }
                    td { (dollars(s.median_hourly_usd)) }
                    td { (interval) }
                    td { (dollars(s.mean_hourly_usd)) }
                    td { (share(s.share_below_local_minimum)) }
                    td class="threshold" {
                        @match &cell.minimum_wage {
                            Some(minimum) => (threshold(minimum)),
                            None => "–",
                        }
                    }
                    td { (share(Some(s.share_below_usd_7_25))) }
                }
            }
        }
        None if cell.complementary_suppression => html! {
            tr class="suppressed" data-suppressed="true" data-complementary="true" {
                td { (platform) }
                td { (country) }
                td { "–" }
                td class="suppressed-note" colspan="6" {
                    "suppressed: published, it would let a smaller group's figures be worked out by subtraction from other published figures"
                }
            }
        },
        None => html! {
            tr class="suppressed" data-suppressed="true" {
                td { (platform) }
                td { (country) }
                td { "fewer than " (cell.n_workers_fewer_than.unwrap_or(report.min_workers)) }
                td class="suppressed-note" colspan="6" {
                    "suppressed: too few workers to publish without pointing at individuals"
                }
            }
        },
    }
}

/// The published report of the dashboard's `method` by these dimensions.
async fn report(
    state: &SharedState,
    method: Method,
    by: &[Dimension],
) -> Result<std::sync::Arc<crate::wages::CachedReport>, AppError> {
    let query = WagesQuery::new(method, Grouping::new(by), None)
        .expect("the dashboard asks only for standard methods by platform and country, which are published");
    Ok(state.wages_report(&query).await?)
}

/// `GET /?method=all|task|paid`.
#[utoipa::path(
    get,
    path = "/",
    operation_id = "dashboard",
    summary = "The public dashboard (HTML)",
    params(DashboardParams),
    responses(
        (status = 200, description = "HTML page.", body = String, content_type = "text/html"),
        (status = 400, description = "method is not all, task or paid, or is given more than once; the message names it.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn page(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let params = DashboardParams { method: query_parameters(query.as_deref())?.remove("method") };
    let word = params.method.as_deref().unwrap_or("all");
    let method = Method::STANDARD
        .into_iter()
        .find(|method| method.to_string() == word)
        .ok_or_else(|| AppError::BadRequest("method: must be all, task or paid".into()))?;
    let by_platform = report(&state, method, &[Dimension::Platform]).await?;
    let by_country = report(&state, method, &[Dimension::Platform, Dimension::Country]).await?;
    let body = html! {
        header {
            h1 { "Effective hourly wages on microtask platforms" }
            p class="lead" {
                "What click workers earn per hour of work, including the unpaid time platforms do not count, pooled from workers who record their own work with the piecerate browser extension. No figure is shown for a group of fewer than "
                (state.config.min_workers) " workers, nor for a group whose figures would let a smaller one's be worked out by subtraction; groups of fewer than "
                (state.config.exact_quantiles_min_workers) " workers show their wages rounded to $"
                (format!("{:.2}", state.config.small_cell_wage_step_usd)) "."
            }
        }
        nav class="methods" aria-label="Which hours count" {
            span { "Hours counted:" }
            @for choice in Method::STANDARD {
                a href={ "/?method=" (choice) } aria-current=[(choice == method).then_some("page")] {
                    (method_label(choice))
                }
            }
        }
        p class="method-explanation" id="method-explanation" {
            (explanation(method)) " " a href="/methodology" { "How these figures are computed" } "."
        }
        section {
            h2 { "Spread per platform" }
            (spread_per_platform(&by_platform.report))
        }
        section {
            h2 { "By platform and country" }
            (table(&by_country.report))
            p class="downloads" {
                a id="csv-download" href={ "/v1/wages.csv?by=platform,country&method=" (method) } download {
                    "Download this table as CSV"
                }
                a href={ "/v1/wages?by=platform,country&method=" (method) } { "the same as JSON" }
                a href="/v1/openapi.json" { "API description" }
            }
        }
        @if !by_country.report.notes.is_empty() {
            section class="notes" {
                h2 { "Notes" }
                ul {
                    @for note in &by_country.report.notes {
                        li { (note) }
                    }
                }
            }
        }
        footer {
            p {
                "Local minimum wages are the statutory ones in force in each month of the workers' counted time, in local currency, from the dated table shipped with the analysis library (sources on hover and in the methodology); exchange rates likewise. Workers with less than "
                (state.config.min_hours) " hours in a cell are left out of it."
            }
            (super::snapshots::as_of(state.database.latest_snapshot().await?.as_ref()))
        }
    };
    Ok(html_page("piecerate: effective hourly wages of microtask workers", state.config.demo, body))
}

/// `GET /methodology`: the methodology document, as written in `docs/methodology.md`.
pub(super) async fn methodology(State(state): State<SharedState>) -> Response {
    let body = html! {
        p { a href="/" { "Back to the wages" } }
        pre class="methodology" { (METHODOLOGY) }
    };
    html_page("piecerate: methodology", state.config.demo, body)
}
