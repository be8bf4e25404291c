//! The public dashboard at `/`: server-rendered HTML that reads the cached wage reports, needs
//! no JavaScript, and loads nothing but its own stylesheet. Its filters (hours counted, month,
//! platform) and its language are links: every figure on it comes from the same disclosure-
//! controlled `Publication` as the JSON and CSV answers, through a typed `WagesQuery`; a
//! platform filter only selects among cells already published.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use analysis::{
    Cell, CellMinimumWage, CountryCode, Dimension, Grouping, Method, Platform, Report, Timestamp,
};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use super::SharedState;
use super::catalogue::Catalogue;
use super::chart::{PlatformTrend, interval, spread_per_platform, trends};
use super::html::{Here, page as html_page};
use super::language::{Language, Locale, PageParameters, PageQuery};
use super::openapi::MethodNotAllowed;
use super::wire::{DashboardParams, ErrorBody};
use crate::error::AppError;
use crate::wages::{CachedReport, WagesQuery, parse_month};

/// What the dashboard shows, read from its query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Choice {
    method: Method,
    /// Year and month.
    month: Option<(i64, i64)>,
    platform: Option<Platform>,
}

impl PageParameters for Choice {
    fn take(query: &mut HashMap<String, String>) -> Result<Choice, AppError> {
        Choice::parse(&DashboardParams {
            method: query.remove("method"),
            month: query.remove("month"),
            platform: query.remove("platform"),
        })
    }
}

impl Choice {
    /// Reads the dashboard's parameters; each bad value is a 400 naming its parameter.
    fn parse(params: &DashboardParams) -> Result<Choice, AppError> {
        let word = params.method.as_deref().unwrap_or("all");
        let method = Method::STANDARD
            .into_iter()
            .find(|method| method.to_string() == word)
            .ok_or_else(|| AppError::BadRequest("method: must be all, task or paid".into()))?;
        let month = params
            .month
            .as_deref()
            .map(parse_month)
            .transpose()
            .map_err(AppError::BadRequest)?
            .map(|number| (number / 100, number % 100));
        let platform = params
            .platform
            .as_deref()
            .map(Platform::parse)
            .transpose()
            .map_err(|error| AppError::BadRequest(format!("platform: {error}")))?;
        Ok(Choice { method, month, platform })
    }

    /// The query parameters that make this choice, as the page's links write them.
    fn parameters(&self) -> Vec<(&'static str, String)> {
        let mut parameters = Vec::new();
        if self.method != Method::All {
            parameters.push(("method", self.method.to_string()));
        }
        if let Some((year, month)) = self.month {
            parameters.push(("month", format!("{year:04}-{month:02}")));
        }
        if let Some(platform) = self.platform {
            parameters.push(("platform", platform.as_str().to_owned()));
        }
        parameters
    }

    /// A link to this choice in `locale`.
    fn href(&self, locale: &Locale) -> String {
        let parameters = self.parameters();
        let borrowed: Vec<(&str, &str)> =
            parameters.iter().map(|(name, value)| (*name, value.as_str())).collect();
        locale.link("/", &borrowed)
    }

    /// Whether a cell is one of the chosen platform's (every cell, without a platform filter).
    fn shows(&self, cell: &Cell) -> bool {
        self.platform.is_none() || cell.key.platform == self.platform
    }
}

fn method_label(text: &Catalogue, method: Method) -> &'static str {
    match method {
        Method::All => text.method_all,
        Method::Task => text.method_task,
        _ => text.method_paid,
    }
}

fn explanation(text: &Catalogue, method: Method) -> &'static str {
    match method {
        Method::All => text.explanation_all,
        Method::Task => text.explanation_task,
        _ => text.explanation_paid,
    }
}

/// A country as the pages name it, in the page's language and short enough for a phone's
/// label column, with its code: "India (IN)", "États-Unis (US)".
fn country_name(country: CountryCode, language: Language) -> String {
    format!("{} ({})", country.short_name_in(language.country_names()), country.as_str())
}

fn country_label(cell: &Cell, language: Language) -> Markup {
    match cell.key.country.flatten() {
        Some(country) => html! { (country_name(country, language)) },
        None => html! { (Catalogue::of(language).country_not_given) },
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

/// A minimum wage's hourly amount in local currency ("R$6.42/h"), or why there is none.
fn threshold_amount(minimum: &CellMinimumWage, language: Language) -> String {
    let text = Catalogue::of(language);
    match (minimum.hourly_local, &minimum.currency) {
        (Some(hourly), Some(currency)) => {
            let sign = CURRENCY_SIGNS
                .iter()
                .find(|(code, _)| code == currency)
                .map_or(currency.as_str(), |(_, sign)| sign);
            let lowest = if minimum.basis == Some("lowest_regional") {
                format!(" ({})", text.lowest_regional)
            } else {
                String::new()
            };
            format!("{}{}{lowest}", language.money(hourly, sign), text.per_hour)
        }
        _ if minimum.status == "none" => text.no_statutory_minimum.to_owned(),
        _ => text.minimum_not_known.to_owned(),
    }
}

/// The reports of one page view, all from the publication of one data version.
struct Reports {
    by_platform: Arc<CachedReport>,
    by_country: Arc<CachedReport>,
    by_platform_month: Arc<CachedReport>,
    by_month: Arc<CachedReport>,
}

async fn report(
    state: &SharedState,
    method: Method,
    by: &[Dimension],
    month: Option<(i64, i64)>,
) -> Result<Arc<CachedReport>, AppError> {
    let query = WagesQuery::new(method, Grouping::new(by), month.map(|(year, month)| year * 100 + month))
        .expect("the dashboard asks only for standard methods by platform, country and month, which are published");
    Ok(state.wages_report(&query).await?)
}

impl Reports {
    async fn of(state: &SharedState, choice: &Choice) -> Result<Reports, AppError> {
        let method = choice.method;
        Ok(Reports {
            by_platform: report(state, method, &[Dimension::Platform], choice.month).await?,
            by_country: report(state, method, &[Dimension::Platform, Dimension::Country], choice.month)
                .await?,
            by_platform_month: report(state, method, &[Dimension::Platform, Dimension::Month], None).await?,
            by_month: report(state, method, &[Dimension::Month], None).await?,
        })
    }

    /// Every month with a listed cell, in order: the span of the data.
    fn months(&self) -> Vec<(i64, i64)> {
        let mut months: Vec<(i64, i64)> =
            self.by_platform_month.report.cells.iter().filter_map(|cell| cell.key.month).collect();
        months.sort_unstable();
        months.dedup();
        months
    }

    /// Every platform with a listed cell, in the report's order.
    fn platforms(&self) -> Vec<Platform> {
        let mut platforms: Vec<Platform> =
            self.by_platform_month.report.cells.iter().filter_map(|cell| cell.key.platform).collect();
        platforms.sort_unstable();
        platforms.dedup();
        platforms
    }
}

/// The cells of a report grouped by month (and more), by month.
fn month_cells<'a>(cells: impl Iterator<Item = &'a Cell>) -> Vec<((i64, i64), &'a Cell)> {
    cells.filter_map(|cell| cell.key.month.map(|month| (month, cell))).collect()
}

/// The line under the heading that says what the figures are of and when they were made:
/// the span of months of the data and the time of this page. The latest snapshot's citation
/// follows it.
fn data_period(text: &Catalogue, language: Language, months: &[(i64, i64)], generated: Timestamp) -> Markup {
    let stamp = generated.to_string();
    let at = format!("{} {}", &stamp[..10], &stamp[11..16]);
    html! {
        p class="data-period" id="data-period" {
            @match (months.first(), months.last()) {
                (Some(first), Some(last)) => ((text.period)(&language.month(*first), &language.month(*last))),
                _ => (text.no_period),
            }
            " · " ((text.generated)(&at))
        }
    }
}

fn now() -> Timestamp {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX));
    Timestamp::nearest_to_unix_seconds(seconds)
}

/// The filters: links to the same page with one choice changed.
fn filters(choice: &Choice, locale: &Locale, months: &[(i64, i64)], platforms: &[Platform]) -> Markup {
    let text = Catalogue::of(locale.language);
    let language = locale.language;
    html! {
        nav class="filters" aria-label=(text.filters) {
            p class="filter methods" {
                span class="filter-name" { (text.hours_counted) }
                @for method in Method::STANDARD {
                    a href=(Choice { method, ..*choice }.href(locale)) aria-current=[(method == choice.method).then_some("page")] {
                        (method_label(text, method))
                    }
                }
            }
            p class="filter months" {
                span class="filter-name" { (text.month_filter) }
                a href=(Choice { month: None, ..*choice }.href(locale)) aria-current=[choice.month.is_none().then_some("page")] {
                    (text.all_months)
                }
                // Grouped by year: a year's months name only the month, with the year for
                // screen readers (a phone shows three years of months in a few lines).
                @for (index, month) in months.iter().enumerate() {
                    @if index == 0 || months[index - 1].0 != month.0 {
                        span class="year" { (month.0) }
                    }
                    a href=(Choice { month: Some(*month), ..*choice }.href(locale))
                        aria-current=[(choice.month == Some(*month)).then_some("page")] {
                        (language.month_name_short(month.1)) span class="visually-hidden" { " " (month.0) }
                    }
                }
            }
            p class="filter platforms" {
                span class="filter-name" { (text.platform_filter) }
                a href=(Choice { platform: None, ..*choice }.href(locale)) aria-current=[choice.platform.is_none().then_some("page")] {
                    (text.all_platforms)
                }
                @for platform in platforms {
                    a href=(Choice { platform: Some(*platform), ..*choice }.href(locale))
                        aria-current=[(choice.platform == Some(*platform)).then_some("page")] {
                        (platform.as_str())
                    }
                }
            }
        }
    }
}

/// The table per platform and country: a sticky first column names each row, so a phone
/// scrolling sideways keeps it in view.
fn table(report: &Report, cells: &[&Cell], language: Language) -> Markup {
    let text = Catalogue::of(language);
    html! {
        div class="table-scroll" role="region" tabindex="0" aria-labelledby="wages-caption" {
            table id="wages-table" {
                caption id="wages-caption" { (text.table_caption) }
                thead {
                    tr {
                        @for heading in [text.column_platform_country, text.column_workers, text.column_median, text.column_interval,
                            text.column_mean, text.column_below_local, text.column_below_reference] {
                            th scope="col" { (heading) }
                        }
                    }
                }
                tbody {
                    @for cell in cells {
                        (row(report, cell, language))
                    }
                    @if cells.is_empty() {
                        tr { td colspan="7" { (text.nothing_for_this_choice) } }
                    }
                }
            }
        }
    }
}

/// A published cell's figures, or a suppressed cell that says why it shows none.
fn row(report: &Report, cell: &Cell, language: Language) -> Markup {
    let text = Catalogue::of(language);
    let label = html! {
        th scope="row" {
            span class="platform-name" { (cell.key.platform.map_or(text.all_platforms, |platform| platform.as_str())) }
            " " span class="country-name" { (country_label(cell, language)) }
        }
    };
    let share = |value: Option<f64>| value.map_or_else(|| "–".to_owned(), |share| language.percent(share));
    match &cell.statistics {
        Some(s) => html! {
            tr class="published" {
                (label)
                td { (language.integer(s.n_workers)) }
                td { (language.dollars(s.median_hourly_usd)) }
                td { (interval(s.median_ci95_usd, language)) }
                td { (language.dollars(s.mean_hourly_usd)) }
                td { (share(s.share_below_local_minimum)) }
                td { (share(Some(s.share_below_usd_7_25))) }
            }
        },
        None if cell.complementary_suppression => html! {
            tr class="suppressed" data-suppressed="true" data-complementary="true" {
                (label)
                td { "–" }
                td class="suppressed-note" colspan="5" { (text.suppressed_complementary) }
            }
        },
        None => html! {
            tr class="suppressed" data-suppressed="true" {
                (label)
                td { ((text.fewer_than)(&cell.n_workers_fewer_than.unwrap_or(report.min_workers).to_string())) }
                td class="suppressed-note" colspan="5" { (text.suppressed_small) }
            }
        },
    }
}

/// The minimum wage of each country of the published cells: the latest in force among them.
fn thresholds(cells: &[&Cell], language: Language) -> Markup {
    let text = Catalogue::of(language);
    let mut by_country: BTreeMap<String, (CountryCode, &CellMinimumWage)> = BTreeMap::new();
    for cell in cells {
        let (Some(country), Some(minimum)) = (cell.key.country.flatten(), &cell.minimum_wage) else {
            continue;
        };
        let entry = by_country.entry(country_name(country, language)).or_insert((country, minimum));
        if minimum.in_force_from > entry.1.in_force_from {
            *entry = (country, minimum);
        }
    }
    html! {
        @if !by_country.is_empty() {
            div class="table-scroll" role="region" tabindex="0" aria-labelledby="thresholds-caption" {
                table id="thresholds-table" {
                    caption id="thresholds-caption" { (text.thresholds_intro) }
                    thead {
                        tr {
                            @for heading in [text.column_country, text.column_minimum, text.column_since, text.column_source] {
                                th scope="col" { (heading) }
                            }
                        }
                    }
                    tbody {
                        @for (name, (country, minimum)) in &by_country {
                            tr data-country=(country.as_str()) {
                                th scope="row" { (name) }
                                td class="threshold" { (threshold_amount(minimum, language)) }
                                td { (minimum.in_force_from.as_deref().unwrap_or("–")) }
                                td class="source" {
                                    @match (minimum.source, &minimum.reason) {
                                        (Some(source), _) => span lang="en" { (source) },
                                        (None, Some(reason)) => span lang="en" { (reason) },
                                        (None, None) => "–",
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /?method=all|task|paid&month=YYYY-MM&platform=P&lang=en|fr`.
#[utoipa::path(
    get,
    path = "/",
    operation_id = "dashboard",
    summary = "The public dashboard (HTML)",
    params(DashboardParams),
    responses(
        (status = 200, description = "HTML page.", body = String, content_type = "text/html"),
        (status = 400, description = "method, month, platform or lang has a value it does not take, or is given more than once; the message names it. A browser (Accept: text/html) gets it as an HTML page.", body = ErrorBody),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub(super) async fn page(
    State(state): State<SharedState>,
    PageQuery { parameters: choice, locale }: PageQuery<Choice>,
) -> Result<Response, AppError> {
    let language = locale.language;
    let text = Catalogue::of(language);
    let reports = Reports::of(&state, &choice).await?;
    let months = reports.months();
    // The snapshot whose figures these are, not one published since they were read.
    let latest_snapshot = reports.by_country.basis.snapshot.clone();
    let platforms = reports.platforms();
    let spread_cells: Vec<&Cell> =
        reports.by_platform.report.cells.iter().filter(|cell| choice.shows(cell)).collect();
    let table_cells: Vec<&Cell> =
        reports.by_country.report.cells.iter().filter(|cell| choice.shows(cell)).collect();
    // All platforms together first (without a platform filter), then each platform with a
    // published month.
    let all_platforms = choice
        .platform
        .is_none()
        .then(|| PlatformTrend { platform: None, months: month_cells(reports.by_month.report.cells.iter()) });
    let per_platform = platforms
        .iter()
        .filter(|platform| choice.platform.is_none_or(|chosen| chosen == **platform))
        .map(|platform| PlatformTrend {
            platform: Some(*platform),
            months: month_cells(
                reports
                    .by_platform_month
                    .report
                    .cells
                    .iter()
                    .filter(|cell| cell.key.platform == Some(*platform)),
            ),
        });
    let platform_trends: Vec<PlatformTrend<'_>> = all_platforms
        .into_iter()
        .chain(per_platform)
        .filter(|trend| trend.months.iter().any(|(_, cell)| !cell.suppressed()))
        .collect();
    let config = &state.config;
    let step = language.dollars(config.small_cell_wage_step_usd);
    let shown: Vec<String> = [
        choice.month.map(|month| language.month(month)),
        choice.platform.map(|platform| platform.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let method = choice.method.to_string();
    let mut data_parameters = vec![format!("by=platform,country"), format!("method={method}")];
    if let Some((year, month)) = choice.month {
        data_parameters.push(format!("month={year:04}-{month:02}"));
    }
    let data_query = data_parameters.join("&");
    let body = html! {
        header class="intro" {
            h1 { (text.heading) }
            (data_period(text, language, &months, now()))
            (super::snapshots::as_of(latest_snapshot.as_ref(), locale))
            p class="lead" {
                ((text.lead)(&language.integer(u64::from(config.min_workers)),
                    &language.integer(u64::from(config.exact_quantiles_min_workers)), &step))
            }
        }
        (filters(&choice, &locale, &months, &platforms))
        p class="method-explanation" id="method-explanation" {
            (explanation(text, choice.method))
            span class="how-computed" { " " a href=(locale.link("/methodology", &[])) { (text.how_computed) } "." }
        }
        @if !shown.is_empty() {
            p class="showing" id="showing" { ((text.showing)(&shown.join(" · "))) }
        }
        section aria-labelledby="spread-heading" {
            h2 id="spread-heading" { (text.spread_heading) }
            (spread_per_platform(&reports.by_platform.report, &spread_cells, language))
        }
        section aria-labelledby="trend-heading" {
            h2 id="trend-heading" { (text.trend_heading) }
            p { (text.trend_intro) }
            (trends(&reports.by_platform_month.report, &platform_trends, &months, language))
        }
        section aria-labelledby="table-heading" {
            h2 id="table-heading" { (text.table_heading) }
            (table(&reports.by_country.report, &table_cells, language))
            p class="downloads" {
                a id="csv-download" href={ "/v1/wages.csv?" (data_query) } download { (text.download_csv) }
                a href={ "/v1/wages?" (data_query) } { (text.download_json) }
                a href="/v1/openapi.json" { (text.api_description) }
            }
        }
        section aria-labelledby="thresholds-heading" {
            h2 id="thresholds-heading" { (text.thresholds_heading) }
            (thresholds(&table_cells, language))
        }
        @if !reports.by_country.report.notes.is_empty() {
            section class="notes" aria-labelledby="notes-heading" {
                h2 id="notes-heading" { (text.notes_heading) }
                ul {
                    @for note in &reports.by_country.report.notes {
                        @match piecerate_brief::note_in(note, language.brief()) {
                            Some(translated) => li { (translated) },
                            None => li lang="en" { (note) },
                        }
                    }
                }
            }
        }
        section class="about" aria-labelledby="about-heading" {
            h2 id="about-heading" { (text.about_heading) }
            p { ((text.about)(&language.decimal(config.min_hours, 1))) }
        }
    };
    let parameters = choice.parameters();
    let borrowed: Vec<(&str, &str)> =
        parameters.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let here = Here { path: "/", parameters: &borrowed };
    Ok(html_page(locale, here, text.title, config.demo, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(method: Option<&str>, month: Option<&str>, platform: Option<&str>) -> DashboardParams {
        DashboardParams {
            method: method.map(str::to_owned),
            month: month.map(str::to_owned),
            platform: platform.map(str::to_owned),
        }
    }

    #[test]
    fn the_filters_are_read_into_a_choice_and_written_back_as_links() {
        let choice = Choice::parse(&params(Some("paid"), Some("2025-01"), Some("mturk"))).expect("valid");
        assert_eq!(
            choice,
            Choice { method: Method::Paid, month: Some((2025, 1)), platform: Some(Platform::Mturk) }
        );
        let english = Locale { language: Language::English, from_url: false };
        assert_eq!(choice.href(&english), "/?method=paid&month=2025-01&platform=mturk");
        let french = Locale { language: Language::French, from_url: true };
        assert_eq!(
            Choice { method: Method::All, ..choice }.href(&french),
            "/?month=2025-01&platform=mturk&lang=fr"
        );
        let default = Choice::parse(&params(None, None, None)).expect("defaults");
        assert_eq!(default.href(&english), "/");
        for (bad, field) in [
            (params(Some("hourly"), None, None), "method: "),
            (params(None, Some("2025-13"), None), "month: "),
            (params(None, Some("0000-00"), None), "month: "),
            (params(None, Some("January"), None), "month: "),
            (params(None, None, Some("upwork")), "platform: "),
            (params(None, None, Some("MTURK")), "platform: "),
        ] {
            let error = Choice::parse(&bad).unwrap_err().to_string();
            assert!(error.starts_with(field), "{error}");
        }
    }

    #[test]
    fn countries_are_named_in_the_pages_language() {
        for (code, english, french) in [
            ("US", "United States (US)", "États-Unis (US)"),
            ("DE", "Germany (DE)", "Allemagne (DE)"),
            ("BO", "Bolivia (BO)", "Bolivie (BO)"),
            ("CI", "Ivory Coast (CI)", "Côte d’Ivoire (CI)"),
        ] {
            let country = CountryCode::parse(code).expect("a code");
            assert_eq!(country_name(country, Language::English), english);
            assert_eq!(country_name(country, Language::French), french);
        }
    }
}
