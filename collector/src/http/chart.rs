//! The dashboard's SVG charts, drawn on the server from published reports: the spread of
//! effective hourly wages per platform (10th to 90th percentile whiskers, quartile box, median,
//! the US federal minimum as a reference line) and the monthly trend of each platform's median
//! with its 95% interval as a band. Suppressed cells are named, never drawn.
//!
//! Each chart is 360 units wide and drawn at most at that width, so its 14-unit labels stay
//! at least 12 CSS pixels tall on a 375-pixel phone; every figure a chart draws is also in a
//! table beside it, for screen readers, touch and copying.

use analysis::{Cell, Platform, Report, US_FEDERAL_MINIMUM_HOURLY_USD};
use maud::{Markup, html};

use super::catalogue::Catalogue;
use super::language::Language;

const WIDTH: f64 = 360.0;
const SIDE: f64 = 10.0;
const ROW_HEIGHT: f64 = 52.0;
const TOP: f64 = 6.0;
const AXIS_HEIGHT: f64 = 48.0;

/// A round upper bound for an axis and its step: ticks a reader can add up at a glance.
fn axis(highest: f64) -> (f64, f64) {
    let highest = highest.max(US_FEDERAL_MINIMUM_HOURLY_USD);
    let step = match highest {
        h if h <= 20.0 => 5.0,
        h if h <= 50.0 => 10.0,
        h if h <= 125.0 => 25.0,
        _ => 50.0,
    };
    ((highest / step).ceil().max(1.0) * step, step)
}

fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

/// How a suppressed cell is named instead of drawn.
fn not_published(text: &Catalogue, report: &Report, cell: &Cell) -> String {
    if cell.complementary_suppression {
        text.suppressed_complementary.to_owned()
    } else {
        let k = cell.n_workers_fewer_than.unwrap_or(report.min_workers).to_string();
        format!("{}: {}", (text.fewer_than)(&k), text.not_published)
    }
}

fn platform_name(cell: &Cell, text: &Catalogue) -> String {
    cell.key.platform.map_or_else(|| text.all_platforms.to_owned(), |platform| platform.as_str().to_owned())
}

/// One row per platform cell of a report grouped by platform, then the same figures as a table.
/// SVG elements are closed explicitly (`<line …></line>`): inside HTML, only a closing tag ends
/// an SVG element.
pub(super) fn spread_per_platform(report: &Report, cells: &[&Cell], language: Language) -> Markup {
    let text = Catalogue::of(language);
    let rows = cells.len().max(1) as f64;
    let height = TOP + rows * ROW_HEIGHT + AXIS_HEIGHT;
    let highest = cells.iter().filter_map(|cell| cell.statistics.as_ref()).map(|s| s.p90_hourly_usd);
    let (max, step) = axis(highest.fold(0.0, f64::max));
    let plot_width = WIDTH - 2.0 * SIDE;
    let x = |usd: f64| SIDE + (usd.clamp(0.0, max) / max) * plot_width;
    let axis_y = TOP + rows * ROW_HEIGHT + 4.0;
    let ticks = (0..).map(|i| f64::from(i) * step).take_while(|tick| *tick <= max + 0.01);
    let reference = x(US_FEDERAL_MINIMUM_HOURLY_USD);
    let reference_label = (text.reference_line)(&language.dollars(US_FEDERAL_MINIMUM_HOURLY_USD));
    // The label is centred on the line, but kept inside the chart (14-unit characters are
    // about 7.6 units wide).
    let half_label = reference_label.chars().count() as f64 * 3.8;
    let label_x = reference.clamp(SIDE + half_label, (WIDTH - SIDE - half_label).max(SIDE + half_label));
    html! {
        svg class="chart" id="spread-chart" role="img" aria-labelledby="spread-title"
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            xmlns="http://www.w3.org/2000/svg" {
            title id="spread-title" { (text.spread_title) }
            @if cells.is_empty() {
                text x=(SIDE) y=(TOP + ROW_HEIGHT / 2.0) { (text.no_records) }
            }
            @for (index, cell) in cells.iter().enumerate() {
                @let top = TOP + index as f64 * ROW_HEIGHT;
                @let platform = platform_name(cell, text);
                @match &cell.statistics {
                    Some(s) => {
                        g class="platform" data-platform=(platform) {
                            text x=(SIDE) y=(top + 16.0) {
                                (platform) " (" ((text.workers)(&language.integer(s.n_workers))) ")"
                            }
                            @let middle = top + 34.0;
                            line class="whisker" x1=(one_decimal(x(s.p10_hourly_usd))) x2=(one_decimal(x(s.p90_hourly_usd)))
                                y1=(middle) y2=(middle) {}
                            rect class="box" x=(one_decimal(x(s.p25_hourly_usd))) y=(middle - 8.0)
                                width=(one_decimal((x(s.p75_hourly_usd) - x(s.p25_hourly_usd)).max(1.0))) height="16" {}
                            line class="median" x1=(one_decimal(x(s.median_hourly_usd))) x2=(one_decimal(x(s.median_hourly_usd)))
                                y1=(middle - 10.0) y2=(middle + 10.0) {}
                        }
                    }
                    None => {
                        g class="platform suppressed" data-platform=(platform) {
                            text x=(SIDE) y=(top + 16.0) { (platform) }
                            text class="suppressed-label" x=(SIDE) y=(top + 38.0) {
                                @if cell.complementary_suppression { (text.not_published) }
                                @else { ((text.fewer_than)(&cell.n_workers_fewer_than.unwrap_or(report.min_workers).to_string())) }
                            }
                        }
                    }
                }
            }
            line class="axis" x1=(SIDE) x2=(WIDTH - SIDE) y1=(axis_y) y2=(axis_y) {}
            @for tick in ticks {
                @let anchor = if tick == 0.0 { "start" } else if tick >= max { "end" } else { "middle" };
                text x=(one_decimal(x(tick))) y=(axis_y + 18.0) text-anchor=(anchor) { (language.dollars(tick).replace(".00", "").replace(",00", "")) }
            }
            line class="reference" x1=(one_decimal(reference)) x2=(one_decimal(reference)) y1=(TOP) y2=(axis_y) {}
            text class="reference-label" x=(one_decimal(label_x)) y=(axis_y + 38.0) text-anchor="middle" {
                (reference_label)
            }
        }
        div class="table-scroll" role="region" tabindex="0" aria-labelledby="spread-caption" {
        table class="figures" id="spread-figures" {
            caption id="spread-caption" { (text.spread_caption) }
            thead {
                tr {
                    th scope="col" { (text.column_platform) }
                    @for heading in [text.column_workers, text.percentile_10, text.percentile_25, text.column_median, text.percentile_75, text.percentile_90] {
                        th scope="col" { (heading) }
                    }
                }
            }
            tbody {
                @for cell in cells {
                    tr {
                        th scope="row" { (platform_name(cell, text)) }
                        @match &cell.statistics {
                            Some(s) => {
                                td { (language.integer(s.n_workers)) }
                                @for value in [s.p10_hourly_usd, s.p25_hourly_usd, s.median_hourly_usd, s.p75_hourly_usd, s.p90_hourly_usd] {
                                    td { (language.dollars(value)) }
                                }
                            }
                            None => td colspan="6" class="suppressed-note" { (not_published(text, report, cell)) }
                        }
                    }
                }
            }
        }
        }
    }
}

/// The months of one platform (or of all, `None`) in a report grouped by month, in order.
pub(super) struct PlatformTrend<'a> {
    pub platform: Option<Platform>,
    pub months: Vec<((i64, i64), &'a Cell)>,
}

/// The trend charts: one small chart per platform, all on one scale and one span of months,
/// each followed by its figures.
pub(super) fn trends(
    report: &Report,
    trends: &[PlatformTrend<'_>],
    span: &[(i64, i64)],
    language: Language,
) -> Markup {
    let text = Catalogue::of(language);
    let highest = trends
        .iter()
        .flat_map(|trend| &trend.months)
        .filter_map(|(_, cell)| cell.statistics.as_ref())
        .map(|s| s.median_ci95_usd.map_or(s.median_hourly_usd, |[_, high]| high));
    let (max, step) = axis(highest.fold(0.0, f64::max));
    html! {
        @if span.len() < 2 {
            p { (text.trend_one_month) }
        }
        div class="trends" {
            @for (index, trend) in trends.iter().enumerate() {
                @let platform = trend.platform.map_or(text.all_platforms, Platform::as_str);
                figure class="trend" data-platform=(trend.platform.map_or("all", Platform::as_str)) {
                    (trend_chart(trend, span, max, step, index, language))
                    details {
                        summary { (text.trend_figures) ": " (platform) }
                        div class="table-scroll" role="region" tabindex="0" aria-labelledby={ "trend-caption-" (index) } {
                        table class="figures" {
                            caption id={ "trend-caption-" (index) } { ((text.trend_caption)(platform)) }
                            thead {
                                tr {
                                    @for heading in [text.column_month, text.column_workers, text.column_median, text.column_interval] {
                                        th scope="col" { (heading) }
                                    }
                                }
                            }
                            tbody {
                                @for (month, cell) in &trend.months {
                                    tr {
                                        th scope="row" { (language.month(*month)) }
                                        @match &cell.statistics {
                                            Some(s) => {
                                                td { (language.integer(s.n_workers)) }
                                                td { (language.dollars(s.median_hourly_usd)) }
                                                td { (interval(s.median_ci95_usd, language)) }
                                            }
                                            None => td colspan="3" class="suppressed-note" { (not_published(text, report, cell)) }
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
    }
}

/// An interval as the pages write it: `$1.20–$2.40`, or a dash when there is none.
pub(super) fn interval(interval: Option<[f64; 2]>, language: Language) -> String {
    interval
        .map(|[low, high]| format!("{}–{}", language.dollars(low), language.dollars(high)))
        .unwrap_or_else(|| "–".into())
}

/// A published month of a trend: the month, its median and the median's interval.
type TrendPoint = ((i64, i64), f64, Option<[f64; 2]>);

const TREND_HEIGHT: f64 = 210.0;
const TREND_LEFT: f64 = 46.0;
const TREND_RIGHT: f64 = 14.0;
const TREND_TOP: f64 = 34.0;
const TREND_BOTTOM: f64 = 30.0;

/// One platform's trend: the median's line over the months it is published, broken where a
/// month is not, over a band from its interval's low to high end.
fn trend_chart(
    trend: &PlatformTrend<'_>,
    span: &[(i64, i64)],
    max: f64,
    step: f64,
    index: usize,
    language: Language,
) -> Markup {
    let text = Catalogue::of(language);
    let plot_width = WIDTH - TREND_LEFT - TREND_RIGHT;
    let plot_bottom = TREND_HEIGHT - TREND_BOTTOM;
    let position = |month: (i64, i64)| span.iter().position(|m| *m == month).unwrap_or(0);
    let x = |month: (i64, i64)| match span.len() {
        0 | 1 => TREND_LEFT + plot_width / 2.0,
        n => TREND_LEFT + position(month) as f64 / (n - 1) as f64 * plot_width,
    };
    let y = |usd: f64| plot_bottom - (usd.clamp(0.0, max) / max) * (plot_bottom - TREND_TOP);
    // Runs of consecutive months of the span with a published median.
    let mut runs: Vec<Vec<TrendPoint>> = Vec::new();
    let mut previous: Option<usize> = None;
    for (month, cell) in &trend.months {
        let Some(s) = &cell.statistics else {
            previous = None;
            continue;
        };
        let at = position(*month);
        let point = (*month, s.median_hourly_usd, s.median_ci95_usd);
        match (previous, runs.last_mut()) {
            (Some(before), Some(run)) if before + 1 == at => run.push(point),
            _ => runs.push(vec![point]),
        }
        previous = Some(at);
    }
    let ticks = (0..).map(|i| f64::from(i) * step).take_while(|tick| *tick <= max + 0.01);
    let title_id = format!("trend-title-{index}");
    let platform = trend.platform.map_or(text.all_platforms, Platform::as_str);
    html! {
        svg class="chart trend-chart" role="img" aria-labelledby=(title_id)
            viewBox={ "0 0 " (WIDTH) " " (TREND_HEIGHT) } width=(WIDTH) height=(TREND_HEIGHT)
            xmlns="http://www.w3.org/2000/svg" {
            title id=(title_id) { ((text.trend_title)(platform)) }
            text class="chart-heading" x=(SIDE) y="18" { (platform) }
            @for tick in ticks {
                line class="grid" x1=(TREND_LEFT) x2=(WIDTH - TREND_RIGHT) y1=(one_decimal(y(tick))) y2=(one_decimal(y(tick))) {}
                text x=(TREND_LEFT - 6.0) y=(one_decimal(y(tick) + 5.0)) text-anchor="end" {
                    (language.dollars(tick).replace(".00", "").replace(",00", ""))
                }
            }
            @for run in &runs {
                @let with_interval: Vec<_> = run.iter().filter_map(|(m, _, ci)| ci.map(|[low, high]| (x(*m), low, high))).collect();
                @if with_interval.len() > 1 {
                    polygon class="band" points={
                        @for (px, _, high) in &with_interval { (one_decimal(*px)) "," (one_decimal(y(*high))) " " }
                        @for (px, low, _) in with_interval.iter().rev() { (one_decimal(*px)) "," (one_decimal(y(*low))) " " }
                    } {}
                } @else if let Some((px, low, high)) = with_interval.first() {
                    line class="band-bar" x1=(one_decimal(*px)) x2=(one_decimal(*px)) y1=(one_decimal(y(*low))) y2=(one_decimal(y(*high))) {}
                }
                @if run.len() > 1 {
                    polyline class="median-line" points={
                        @for (month, median, _) in run { (one_decimal(x(*month))) "," (one_decimal(y(*median))) " " }
                    } {}
                }
                @for (month, median, _) in run {
                    circle class="median-point" cx=(one_decimal(x(*month))) cy=(one_decimal(y(*median))) r="3" {}
                }
            }
            line class="axis" x1=(TREND_LEFT) x2=(WIDTH - TREND_RIGHT) y1=(plot_bottom) y2=(plot_bottom) {}
            @if let (Some(first), Some(last)) = (span.first(), span.last()) {
                @if span.len() == 1 {
                    text x=(one_decimal(x(*first))) y=(plot_bottom + 20.0) text-anchor="middle" { (language.month_short(*first)) }
                } @else {
                    text x=(TREND_LEFT) y=(plot_bottom + 20.0) text-anchor="start" { (language.month_short(*first)) }
                    text x=(WIDTH - TREND_RIGHT) y=(plot_bottom + 20.0) text-anchor="end" { (language.month_short(*last)) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_a_round_figure_above_the_highest_value() {
        assert_eq!(axis(0.0), (10.0, 5.0), "the reference line is always on the axis");
        assert_eq!(axis(12.3), (15.0, 5.0));
        assert_eq!(axis(20.0), (20.0, 5.0));
        assert_eq!(axis(33.0), (40.0, 10.0));
        assert_eq!(axis(180.0), (200.0, 50.0));
    }
}
