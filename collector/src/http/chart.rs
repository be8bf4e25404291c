//! The SVG chart of the dashboard: the spread of effective hourly wages per platform (10th to
//! 90th percentile whiskers, quartile box, median), drawn on the server from a report, with the
//! US federal minimum wage as a reference line. Suppressed platforms are named, not drawn.

use std::fmt::Write;

use analysis::{Report, US_FEDERAL_MINIMUM_HOURLY_USD};

use super::dashboard::escape;

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

/// One row per platform cell of a report grouped by platform.
pub fn spread_per_platform(report: &Report) -> String {
    let rows = report.cells.len().max(1) as f64;
    let height = TOP + rows * ROW_HEIGHT + AXIS_HEIGHT;
    let max = axis_max(report);
    let plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
    let x = |usd: f64| LABEL_WIDTH + (usd.clamp(0.0, max) / max) * plot_width;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" id="spread-chart" role="img" aria-labelledby="spread-title" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title id="spread-title">Effective hourly wage per platform, US dollars: 10th, 25th, 50th, 75th and 90th percentile of workers</title>"#
    );
    if report.cells.is_empty() {
        let _ =
            write!(svg, r#"<text x="{LABEL_WIDTH}" y="{}">No records yet.</text>"#, TOP + ROW_HEIGHT / 2.0);
    }
    for (index, cell) in report.cells.iter().enumerate() {
        let middle = TOP + index as f64 * ROW_HEIGHT + ROW_HEIGHT / 2.0;
        let platform = escape(cell.platform.unwrap_or("all platforms"));
        match &cell.statistics {
            Some(s) => {
                let _ = write!(
                    svg,
                    r#"<g class="platform" data-platform="{platform}"><text x="0" y="{}">{platform} ({} workers)</text>"#,
                    middle + 4.0,
                    s.n_workers
                );
                let _ = write!(
                    svg,
                    r#"<line class="whisker" x1="{:.1}" x2="{:.1}" y1="{middle}" y2="{middle}"/><rect class="box" x="{:.1}" y="{}" width="{:.1}" height="{}"/><line class="median" x1="{:.1}" x2="{:.1}" y1="{}" y2="{}"/><title>{platform}: median ${:.2}/h, middle half ${:.2}–${:.2}/h, 10th–90th percentile ${:.2}–${:.2}/h</title></g>"#,
                    x(s.p10_hourly_usd),
                    x(s.p90_hourly_usd),
                    x(s.p25_hourly_usd),
                    middle - 9.0,
                    (x(s.p75_hourly_usd) - x(s.p25_hourly_usd)).max(1.0),
                    18.0,
                    x(s.median_hourly_usd),
                    x(s.median_hourly_usd),
                    middle - 11.0,
                    middle + 11.0,
                    s.median_hourly_usd,
                    s.p25_hourly_usd,
                    s.p75_hourly_usd,
                    s.p10_hourly_usd,
                    s.p90_hourly_usd,
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r#"<g class="platform suppressed" data-platform="{platform}"><text x="0" y="{0}">{platform}</text><text x="{LABEL_WIDTH}" y="{0}">fewer than {1} workers: not published</text></g>"#,
                    middle + 4.0,
                    cell.n_workers_fewer_than.unwrap_or(report.min_workers)
                );
            }
        }
    }
    let axis_y = TOP + rows * ROW_HEIGHT + 4.0;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LABEL_WIDTH}" x2="{}" y1="{axis_y}" y2="{axis_y}"/>"#,
        WIDTH - RIGHT_MARGIN
    );
    let step = if max > 40.0 { 10.0 } else { 5.0 };
    let mut tick = 0.0;
    while tick <= max + 0.01 {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">${tick}</text>"#,
            x(tick),
            axis_y + 16.0
        );
        tick += step;
    }
    let reference = x(US_FEDERAL_MINIMUM_HOURLY_USD);
    let _ = write!(
        svg,
        r#"<line class="reference" x1="{reference:.1}" x2="{reference:.1}" y1="{TOP}" y2="{axis_y}"/><text class="reference-label" x="{reference:.1}" y="{}" text-anchor="middle">US federal minimum ${US_FEDERAL_MINIMUM_HOURLY_USD}/h</text>"#,
        axis_y + 32.0
    );
    svg.push_str("</svg>");
    svg
}
