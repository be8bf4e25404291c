//! The brief as one HTML document: maud templates over the catalogue of one language. maud
//! escapes every value it inserts (file names, notes, sources), so nothing here escapes by hand.

use analysis::report::{Cell, CellKey, CurrencyBasis};
use analysis::{CellMinimumWage, Report};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::catalogue::Catalogue;
use crate::{Figures, Language, Provenance, Source, charts};

/// The brief's whole stylesheet, inlined in its `<style>` element (the collector allows exactly
/// this text by its hash). Sized for A4 paper: printed, the brief takes two to four pages.
pub const STYLESHEET: &str = include_str!("brief.css");

/// How figures are written in one language.
pub(crate) struct Numbers {
    catalogue: &'static Catalogue,
}

impl Numbers {
    fn decimal(&self, value: f64, decimals: usize) -> String {
        format!("{value:.decimals$}").replace('.', &self.catalogue.decimal_separator.to_string())
    }

    /// `$2.07` or `2,07 $`.
    pub(crate) fn dollars(&self, value: f64) -> String {
        (self.catalogue.dollars)(&self.decimal(value, 2))
    }

    /// An axis label: `$5`.
    pub(crate) fn dollars_whole(&self, value: f64) -> String {
        (self.catalogue.dollars)(&self.decimal(value, 0))
    }

    fn percent(&self, share: f64) -> String {
        (self.catalogue.percent)(&self.decimal(share * 100.0, 0))
    }

    fn interval(&self, interval: Option<[f64; 2]>) -> String {
        match interval {
            Some([low, high]) => (self.catalogue.interval)(&self.dollars(low), &self.dollars(high)),
            None => self.catalogue.no_interval.to_owned(),
        }
    }

    /// Why a cell shows no figure.
    pub(crate) fn suppression(&self, cell: &Cell) -> String {
        match cell.n_workers_fewer_than {
            Some(k) => (self.catalogue.suppressed_fewer)(k),
            None => self.catalogue.suppressed_complementary.to_owned(),
        }
    }
}

/// `2024-05`.
pub(crate) fn month_label((year, month): (i64, i64)) -> String {
    format!("{year:04}-{month:02}")
}

/// The brief of `figures` in `language`, with its provenance: one complete HTML document.
pub fn render_html(figures: &Figures, provenance: &Provenance, language: Language) -> String {
    let c = language.catalogue();
    let n = Numbers { catalogue: c };
    let reports = [
        &figures.all.overall,
        &figures.all.by_platform,
        &figures.all.by_platform_country,
        &figures.all.by_month,
        &figures.paid.overall,
        &figures.paid.by_platform,
        &figures.paid.by_platform_country,
        &figures.paid.by_month,
    ];
    let cells = || reports.iter().flat_map(|report| &report.cells);
    let synthetic = cells().any(|cell| cell.contains_simulated);
    let requester = cells().any(|cell| cell.contains_requester_data);
    // The notes of the table (each report of the brief has its own count of workers left out,
    // which would repeat nearly the same sentence eight times).
    let mut notes: Vec<&str> = Vec::new();
    for note in &figures.all.by_platform_country.notes {
        if !notes.contains(&note.as_str()) {
            notes.push(note);
        }
    }
    let months: Vec<(i64, i64)> =
        figures.all.by_month.cells.iter().filter_map(|cell| cell.key.month).collect();
    let published_months = figures.all.by_month.cells.iter().filter(|cell| !cell.suppressed()).count();
    let overall = &figures.all.overall;
    let markup = html! {
        (DOCTYPE)
        html lang=(language.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (c.title) }
                style { (PreEscaped(STYLESHEET)) }
            }
            body {
                main {
                    header {
                        h1 { (c.title) }
                        p class="subtitle" { (c.subtitle) }
                        p class="period" {
                            @match (months.first(), months.last()) {
                                (Some(first), Some(last)) => { ((c.period)(&month_label(*first), &month_label(*last))) }
                                _ => { (c.period_unknown) }
                            }
                            @if let Some(s) = overall.cells.first().and_then(|cell| cell.statistics.as_ref()) {
                                " · " ((c.workers)(s.n_workers))
                            }
                        }
                        @if let Source::Observatory { snapshot: Some(snapshot), .. } = &provenance.source {
                            p class="as-of" id="as-of" {
                                (c.as_of) " " a href={ "/snapshots/" (snapshot.date) } { (snapshot.date) } ", SHA-256 "
                                code { (snapshot.short_hash()) } " (" (c.as_of_note) ")."
                            }
                        }
                    }
                    @if synthetic {
                        p class="warning" role="note" { (c.synthetic_warning) }
                    }
                    @if requester {
                        p class="warning" role="note" { (c.requester_warning) }
                    }
                    (headline(figures, c, &n))
                    section aria-labelledby="spread-heading" {
                        h2 id="spread-heading" { (c.spread_heading) }
                        figure {
                            (charts::spread(&figures.all.by_platform, &figures.all.by_platform_country, c, &n))
                            figcaption { (c.spread_legend) }
                        }
                        (spread_figures(&figures.all.by_platform, c, &n))
                    }
                    @if months.len() > 1 && published_months > 0 {
                        section aria-labelledby="trend-heading" class="trend" {
                            h2 id="trend-heading" { (c.trend_heading) }
                            figure {
                                (charts::trend(&figures.all.by_month, &figures.paid.by_month, c, &n))
                                figcaption { (c.trend_legend) }
                            }
                            (trend_figures(&figures.all.by_month, &figures.paid.by_month, c, &n))
                        }
                    } @else if months.len() == 1 {
                        p { (c.trend_single_month) }
                    }
                    (table(&figures.all.by_platform_country, &figures.paid.by_platform_country, c, &n))
                    @if !notes.is_empty() {
                        section aria-labelledby="notes-heading" {
                            h2 id="notes-heading" { (c.notes_heading) }
                            ul {
                                @for note in &notes {
                                    @match crate::note_in(note, language) {
                                        Some(translated) => li { (translated) },
                                        None => li lang="en" { (note) },
                                    }
                                }
                            }
                        }
                    }
                    (methodology(overall, synthetic, requester, c, &n))
                    (sources(&figures.all.by_platform_country, c))
                    (provenance_section(provenance, c))
                }
            }
        }
    };
    markup.into_string()
}

fn headline(figures: &Figures, c: &Catalogue, n: &Numbers) -> Markup {
    let all = figures.all.overall.cells.first();
    let paid = figures.paid.overall.cells.first();
    let all_statistics = all.and_then(|cell| cell.statistics.as_ref());
    html! {
        section aria-labelledby="headline-heading" class="headline" {
            h2 id="headline-heading" { (c.headline_heading) }
            @match all_statistics {
                None => {
                    p class="nothing" id="nothing-published" { ((c.nothing_published)(figures.all.overall.min_workers)) }
                }
                Some(s) => {
                    div class="figures" {
                        div class="figure" id="headline-median-all" {
                            p class="label" { (c.median_all) }
                            p class="value" { (n.dollars(s.median_hourly_usd)) (c.per_hour) }
                            p class="interval" { (n.interval(s.median_ci95_usd)) }
                            p class="explained" { (c.median_all_explained) }
                        }
                        div class="figure" id="headline-median-paid" {
                            p class="label" { (c.median_paid) }
                            @match paid.and_then(|cell| cell.statistics.as_ref()) {
                                Some(p) => {
                                    p class="value" { (n.dollars(p.median_hourly_usd)) (c.per_hour) }
                                    p class="interval" { (n.interval(p.median_ci95_usd)) }
                                }
                                None => { p class="value" { (c.not_published) } }
                            }
                            p class="explained" { (c.median_paid_explained) }
                        }
                        div class="figure" id="headline-below-minimum" {
                            p class="label" { (c.below_minimum) }
                            @match s.share_below_local_minimum {
                                Some(share) => {
                                    p class="value" { (n.percent(share)) }
                                    @if let Some([low, high]) = s.share_below_local_minimum_ci95 {
                                        p class="interval" { ((c.interval)(&n.percent(low), &n.percent(high))) }
                                    }
                                    p class="explained" { ((c.below_minimum_explained)(s.n_workers_with_known_minimum)) }
                                }
                                None => { p class="explained" { (c.below_minimum_unknown) } }
                            }
                        }
                        div class="figure" id="headline-unpaid" {
                            p class="label" { (c.unpaid_time) }
                            @if s.hours_paid > 0.0 {
                                p class="value" { ((c.unpaid_minutes)((s.hours_unpaid / s.hours_paid * 60.0).round() as u64)) }
                            } @else {
                                p class="value" { (c.not_published) }
                            }
                            p class="explained" { (c.unpaid_explained) }
                        }
                    }
                }
            }
        }
    }
}

fn spread_figures(by_platform: &Report, c: &Catalogue, n: &Numbers) -> Markup {
    html! {
        table class="figures-table" {
            caption { (c.spread_figures_caption) }
            thead {
                tr {
                    @for heading in [c.platform, c.workers_column, c.p10, c.p25, c.median, c.p75, c.p90, c.below_usd_7_25] {
                        th scope="col" { (heading) }
                    }
                }
            }
            tbody {
                @for cell in &by_platform.cells {
                    tr {
                        th scope="row" { (cell.key.platform.map_or("", |platform| platform.as_str())) }
                        @match &cell.statistics {
                            Some(s) => {
                                td { (s.n_workers) }
                                @for value in [s.p10_hourly_usd, s.p25_hourly_usd, s.median_hourly_usd, s.p75_hourly_usd, s.p90_hourly_usd] {
                                    td { (n.dollars(value)) }
                                }
                                td { (n.percent(s.share_below_usd_7_25)) }
                            }
                            None => { td colspan="7" class="suppressed" { (n.suppression(cell)) } }
                        }
                    }
                }
                @if by_platform.cells.is_empty() {
                    tr { td colspan="8" { (c.no_platform_published) } }
                }
            }
        }
    }
}

/// A median and its interval in one table cell.
fn median_cell(cell: Option<&Cell>, c: &Catalogue, n: &Numbers) -> Markup {
    match cell {
        Some(cell) => match &cell.statistics {
            Some(s) => html! {
                td {
                    (n.dollars(s.median_hourly_usd))
                    @if let Some([low, high]) = s.median_ci95_usd {
                        span class="ci" { " (" (n.dollars(low)) "–" (n.dollars(high)) ")" }
                    }
                }
            },
            None => html! { td class="suppressed" { (n.suppression(cell)) } },
        },
        None => html! { td class="suppressed" { (c.not_published) } },
    }
}

fn trend_figures(all: &Report, paid: &Report, c: &Catalogue, n: &Numbers) -> Markup {
    let cells: Vec<&Cell> = all.cells.iter().collect();
    // Two tables side by side when there are many months, so the figures fit the page.
    let half = if cells.len() > 8 { cells.len().div_ceil(2) } else { cells.len().max(1) };
    html! {
        div class="trend-figures" {
            @for chunk in cells.chunks(half) {
                table class="figures-table" {
                    caption { (c.trend_figures_caption) }
                    thead {
                        tr {
                            @for heading in [c.month, c.workers_column, c.median_all_short, c.median_paid_short] {
                                th scope="col" { (heading) }
                            }
                        }
                    }
                    tbody {
                        @for cell in chunk {
                            @let month = cell.key.month.map(month_label).unwrap_or_default();
                            tr {
                                th scope="row" { (month) }
                                @match &cell.statistics {
                                    Some(s) => {
                                        td { (s.n_workers) }
                                        (median_cell(Some(cell), c, n))
                                        (median_cell(paid.cells.iter().find(|other| other.key == cell.key), c, n))
                                    }
                                    None => { td colspan="3" class="suppressed" { (n.suppression(cell)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A country's name in the brief's language, short enough for a table row ("United States",
/// "Corée du Sud"), with its ISO code, which keeps it unambiguous.
fn country_label(key: &CellKey, c: &Catalogue) -> String {
    match key.country.flatten() {
        Some(country) => format!("{} ({})", country.short_name_in(c.country_names), country.as_str()),
        None => c.country_unknown.to_owned(),
    }
}

/// The threshold a cell's workers were compared with, in local currency, with its date.
fn threshold(minimum: Option<&CellMinimumWage>, c: &Catalogue, n: &Numbers) -> Markup {
    let Some(minimum) = minimum else { return html! { "–" } };
    match (minimum.hourly_local, &minimum.currency, &minimum.in_force_from) {
        (Some(hourly), Some(currency), Some(since)) => {
            let amount = format!("{}\u{a0}{currency}", n.decimal(hourly, 2));
            html! {
                ((c.threshold)(&amount, since))
                @if minimum.basis == Some("lowest_regional") { " (" (c.lowest_regional) ")" }
            }
        }
        _ if minimum.status == "none" => html! { (c.no_statutory_minimum) },
        _ => html! { (c.minimum_not_known) },
    }
}

fn table(all: &Report, paid: &Report, c: &Catalogue, n: &Numbers) -> Markup {
    html! {
        // Focusable: on a phone the table scrolls sideways, and a keyboard must reach it.
        section aria-labelledby="table-heading" class="cells" tabindex="0" {
            h2 id="table-heading" { (c.table_heading) }
            table id="cells-table" {
                caption { (c.table_caption) }
                colgroup {
                    @for width in ["9%", "15%", "6%", "16%", "16%", "7%", "23%", "8%"] {
                        col width=(width) {}
                    }
                }
                thead {
                    tr {
                        @for heading in [c.platform, c.country, c.workers_column, c.median_all_column, c.median_paid_column,
                            c.below_minimum_column, c.threshold_column, c.unpaid_column] {
                            th scope="col" { (heading) }
                        }
                    }
                }
                tbody {
                    @for cell in &all.cells {
                        tr {
                            th scope="row" { (cell.key.platform.map_or("", |platform| platform.as_str())) }
                            th scope="row" class="country" { (country_label(&cell.key, c)) }
                            @match &cell.statistics {
                                Some(s) => {
                                    td {
                                        (s.n_workers)
                                        @if let Some(step) = s.wages_rounded_to_usd {
                                            br; span class="ci" { ((c.rounded_note)(&n.dollars(step))) }
                                        }
                                    }
                                    (median_cell(Some(cell), c, n))
                                    (median_cell(paid.cells.iter().find(|other| other.key == cell.key), c, n))
                                    td {
                                        @match s.share_below_local_minimum {
                                            Some(share) => {
                                                (n.percent(share))
                                                @if let Some([low, high]) = s.share_below_local_minimum_ci95 {
                                                    br; span class="ci" { "(" (n.percent(low)) "–" (n.percent(high)) ")" }
                                                }
                                            }
                                            None => { "–" }
                                        }
                                    }
                                    td class="threshold" { (threshold(cell.minimum_wage.as_ref(), c, n)) }
                                    td {
                                        @if s.hours_paid > 0.0 { ((s.hours_unpaid / s.hours_paid * 60.0).round() as u64) } @else { "–" }
                                    }
                                }
                                None => { td colspan="6" class="suppressed" { (n.suppression(cell)) } }
                            }
                        }
                    }
                    @if all.cells.is_empty() {
                        tr { td colspan="8" { (c.no_cell) } }
                    }
                }
            }
        }
    }
}

fn methodology(overall: &Report, synthetic: bool, requester: bool, c: &Catalogue, n: &Numbers) -> Markup {
    let hours = n.decimal(overall.min_hours, if overall.min_hours.fract() == 0.0 { 0 } else { 1 });
    let max = n.dollars_whole(overall.max_hourly_usd);
    html! {
        section aria-labelledby="methodology-heading" class="box" {
            h2 id="methodology-heading" { (c.methodology_heading) }
            p { (c.method_all_definition) }
            p { (c.method_paid_definition) }
            p { (c.median_interval_definition) }
            p { (c.minimum_definition) }
            p { ((c.suppression_definition)(overall.min_workers, &hours, &max)) }
            @if overall.disclosure.is_some() {
                p { (c.disclosure_definition) }
            }
            @if overall.currency_basis == CurrencyBasis::Ppp {
                p { (c.ppp_definition) }
            }
            p class=[(!requester).then_some("secondary")] { (c.requester_definition) }
            p class=[(!synthetic).then_some("secondary")] { (c.synthetic_definition) }
        }
    }
}

fn sources(by_platform_country: &Report, c: &Catalogue) -> Markup {
    let mut minimum_sources: Vec<&str> =
        by_platform_country.cells.iter().filter_map(|cell| cell.minimum_wage.as_ref()?.source).collect();
    minimum_sources.sort_unstable();
    minimum_sources.dedup();
    html! {
        section aria-labelledby="sources-heading" class="sources" {
            h2 id="sources-heading" { (c.sources_heading) }
            ul {
                @for table in analysis::reference_versions::REFERENCE_TABLES {
                    li {
                        strong { (table.file) } ": " ((c.table_source)(table.file)) " "
                        span class="facts" { ((c.table_facts)(table.rows, table.latest.unwrap_or("–"), table.sha256)) }
                    }
                }
            }
            @if !minimum_sources.is_empty() {
                p { (c.minimum_sources_used) ": " (minimum_sources.join("; ")) "." }
            }
        }
    }
}

fn provenance_section(provenance: &Provenance, c: &Catalogue) -> Markup {
    html! {
        section aria-labelledby="provenance-heading" id="provenance" {
            h2 id="provenance-heading" { (c.provenance_heading) }
            dl {
                dt { (c.generated_at) }
                dd { (provenance.generated_at) }
                dt { (c.made_by) }
                dd { (provenance.tool) " (" (provenance.commit.as_deref().unwrap_or(c.commit_unknown)) ")" }
                dt { (c.parameters) }
                dd { code { (provenance.parameters) } }
                @if let Some((first, last)) = &provenance.period {
                    dt { (c.period_label) }
                    dd { (first) " – " (last) }
                }
                dt { (c.inputs_label) }
                dd {
                    @match &provenance.source {
                        Source::Files { inputs, repeated_records } => {
                            ul {
                                @for input in inputs {
                                    li {
                                        code { (input.name) } ": SHA-256 " code class="hash" { (input.sha256) } ", "
                                        ((c.input_facts)(input.records, input.bad_lines, input.bytes))
                                    }
                                }
                            }
                            @if *repeated_records > 0 {
                                p { ((c.repeated_records)(*repeated_records)) }
                            }
                        }
                        Source::Observatory { workers, notice, .. } => {
                            @if let Some(notice) = notice {
                                p { strong { (notice) } }
                            }
                            p { ((c.observatory_source)(*workers)) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use analysis::{ReportBuilder, ReportOptions};

    use super::*;

    #[test]
    fn countries_are_named_in_the_briefs_language() {
        let key = |code: &str| CellKey {
            platform: None,
            country: Some(Some(analysis::CountryCode::parse(code).expect("a code"))),
            month: None,
            category: None,
        };
        for (code, english, french) in [
            ("GB", "United Kingdom (GB)", "Royaume-Uni (GB)"),
            ("IR", "Iran (IR)", "Iran (IR)"),
            ("DE", "Germany (DE)", "Allemagne (DE)"),
            ("KR", "South Korea (KR)", "Corée du Sud (KR)"),
        ] {
            assert_eq!(country_label(&key(code), Language::En.catalogue()), english);
            assert_eq!(country_label(&key(code), Language::Fr.catalogue()), french);
        }
    }

    #[test]
    fn a_brief_of_no_records_says_so_in_each_language() {
        let figures = Figures::build(|method, grouping| -> Result<Report, ()> {
            let options = ReportOptions { method, grouping: grouping.clone(), ..ReportOptions::default() };
            Ok(ReportBuilder::new(options).finish())
        })
        .unwrap();
        let provenance = Provenance {
            generated_at: "2026-12-01T00:00:00Z".into(),
            tool: "piecerate 0.1.0".into(),
            commit: None,
            period: None,
            parameters: "--min-workers 10".into(),
            source: Source::Observatory { workers: 0, notice: Some("<i>notice</i>".into()), snapshot: None },
        };
        for (language, nothing, no_cell) in [
            (Language::En, "No figure can be published", "No group of workers"),
            (Language::Fr, "Aucun chiffre ne peut être publié", "Aucun groupe de travailleurs"),
        ] {
            let html = render_html(&figures, &provenance, language);
            assert!(html.contains(nothing) && html.contains(no_cell), "{language:?}");
            assert!(html.contains(&format!("<html lang=\"{}\">", language.code())));
            assert!(html.contains("&lt;i&gt;notice&lt;/i&gt;") && !html.contains("<i>notice"));
            assert!(!html.contains("trend-heading"), "no trend without months");
        }
        assert_eq!("fr".parse::<Language>(), Ok(Language::Fr));
        assert!("de".parse::<Language>().unwrap_err().contains("en or fr"));
    }
}
