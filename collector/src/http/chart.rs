//! The SVG chart of the dashboard: the spread of effective hourly wages per platform (10th to
//! 90th percentile whiskers, quartile box, median), drawn on the server from a report, with the
//! US federal minimum wage as a reference line. Suppressed platforms are named, not drawn.

use analysis::{Report, US_FEDERAL_MINIMUM_HOURLY_USD};
use maud::{Markup, html};

use super::html::dollars;

const WIDTH: f64 = 760.0;
const LABEL_WIDTH: f64 = 190.0;
const RIGHT_MARGIN: f64 = 20.0;
const ROW_HEIGHT: f64 = 34.0;
const TOP: f64 = 10.0;
const AXIS_HEIGHT: f64 = 40.0;

/// A round upper bound for the axis: the next multiple of 5 dollars above every p90.
fn axis_max(report: &Report) -> f64 {
    let highest = report
        .cells
        .iter()
        .filter_map(|cell| cell.statistics.as_ref())
        .map(|s| s.p90_hourly_usd)
        .fold(US_FEDERAL_MINIMUM_HOURLY_USD, f64::max);
    (highest / 5.0).ceil().max(1.0) * 5.0
}

/// One row per platform cell of a report grouped by platform. SVG elements are closed
/// explicitly (`<line …></line>`): inside HTML, only a closing tag ends an SVG element.
pub(super) fn spread_per_platform(report: &Report) -> Markup {
    let rows = report.cells.len().max(1) as f64;
    let height = TOP + rows * ROW_HEIGHT + AXIS_HEIGHT;
    let max = axis_max(report);
    let plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
    let x = |usd: f64| LABEL_WIDTH + (usd.clamp(0.0, max) / max) * plot_width;
    let axis_y = TOP + rows * ROW_HEIGHT + 4.0;
    let step = if max > 40.0 { 10.0 } else { 5.0 };
    let ticks = (0..).map(|i| f64::from(i) * step).take_while(|tick| *tick <= max + 0.01);
    let reference = x(US_FEDERAL_MINIMUM_HOURLY_USD);
    let one_decimal = |value: f64| format!("{value:.1}");
    html! {
        svg class="chart" id="spread-chart" role="img" aria-labelledby="spread-title"
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            xmlns="http://www.w3.org/2000/svg" {
            title id="spread-title" {
                "Effective hourly wage per platform, US dollars: 10th, 25th, 50th, 75th and 90th percentile of workers"
            }
            @if report.cells.is_empty() {
                text x=(LABEL_WIDTH) y=(TOP + ROW_HEIGHT / 2.0) { "No records yet." }
            }
            @for (index, cell) in report.cells.iter().enumerate() {
                @let middle = TOP + index as f64 * ROW_HEIGHT + ROW_HEIGHT / 2.0;
                @let platform = cell.key.platform.map_or("all platforms", |platform| platform.as_str());
                @match &cell.statistics {
                    Some(s) => {
                        g class="platform" data-platform=(platform) {
                            text x="0" y=(middle + 4.0) { (platform) " (" (s.n_workers) " workers)" }
                            line class="whisker" x1=(one_decimal(x(s.p10_hourly_usd))) x2=(one_decimal(x(s.p90_hourly_usd)))
                                y1=(middle) y2=(middle) {}
                            rect class="box" x=(one_decimal(x(s.p25_hourly_usd))) y=(middle - 9.0)
                                width=(one_decimal((x(s.p75_hourly_usd) - x(s.p25_hourly_usd)).max(1.0))) height="18" {}
                            line class="median" x1=(one_decimal(x(s.median_hourly_usd))) x2=(one_decimal(x(s.median_hourly_usd)))
                                y1=(middle - 11.0) y2=(middle + 11.0) {}
                            title {
                                (platform) ": median " (dollars(s.median_hourly_usd)) "/h, middle half "
                                (dollars(s.p25_hourly_usd)) "–" (dollars(s.p75_hourly_usd)) "/h, 10th–90th percentile "
                                (dollars(s.p10_hourly_usd)) "–" (dollars(s.p90_hourly_usd)) "/h"
                            }
                        }
                    }
                    None => {
                        g class="platform suppressed" data-platform=(platform) {
                            text x="0" y=(middle + 4.0) { (platform) }
                            text x=(LABEL_WIDTH) y=(middle + 4.0) {
                                @if cell.complementary_suppression {
                                    "not published: it would reveal a smaller group by subtraction"
                                } @else {
                                    "fewer than " (cell.n_workers_fewer_than.unwrap_or(report.min_workers)) " workers: not published"
                                }
                            }
                        }
                    }
                }
            }
            line class="axis" x1=(LABEL_WIDTH) x2=(WIDTH - RIGHT_MARGIN) y1=(axis_y) y2=(axis_y) {}
            @for tick in ticks {
                text x=(one_decimal(x(tick))) y=(axis_y + 16.0) text-anchor="middle" { "$" (tick) }
            }
            line class="reference" x1=(one_decimal(reference)) x2=(one_decimal(reference)) y1=(TOP) y2=(axis_y) {}
            text class="reference-label" x=(one_decimal(reference)) y=(axis_y + 32.0) text-anchor="middle" {
                "US federal minimum $" (US_FEDERAL_MINIMUM_HOURLY_USD) "/h"
            }
        }
    }
}
