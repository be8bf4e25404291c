//! The brief's two SVG charts, drawn from reports: the spread of wages per platform with the
//! US federal and local minimum wages, and the monthly trend of the medians with their
//! intervals. Each chart's figures are also written as a table next to it (`document.rs`), for
//! readers who cannot see it. SVG elements are closed explicitly (`<line …></line>`): inside
//! HTML only a closing tag ends an SVG element. No `style` attribute: the collector's security
//! policy allows only the brief's own stylesheet.

use analysis::report::Cell;
use analysis::{Report, US_FEDERAL_MINIMUM_HOURLY_USD};
use maud::{Markup, html};

use crate::catalogue::Catalogue;
use crate::document::{Numbers, month_label};

const WIDTH: f64 = 680.0;
const LABEL_WIDTH: f64 = 150.0;
const RIGHT_MARGIN: f64 = 16.0;

/// One decimal is plenty for coordinates and keeps the document small.
fn at(value: f64) -> String {
    format!("{value:.1}")
}

/// A round upper bound for a dollar axis: the next multiple of `step` above `highest`.
fn axis_max(highest: f64, step: f64) -> f64 {
    (highest / step).ceil().max(1.0) * step
}

/// The spread per platform (`by_platform`), with each country's local minimum on that platform
/// (`by_platform_country`) as marks.
pub(crate) fn spread(
    by_platform: &Report,
    by_platform_country: &Report,
    c: &Catalogue,
    n: &Numbers,
) -> Markup {
    const ROW: f64 = 30.0;
    const TOP: f64 = 22.0;
    const AXIS: f64 = 30.0;
    let minimums = |cell: &Cell| -> Vec<(String, f64)> {
        by_platform_country
            .cells
            .iter()
            .filter(|other| other.key.platform == cell.key.platform && !other.suppressed())
            .filter_map(|other| {
                let usd = other.minimum_wage.as_ref()?.hourly_usd?;
                let country = other.key.country.flatten()?;
                Some((country.as_str().to_owned(), usd))
            })
            .collect()
    };
    let highest = by_platform
        .cells
        .iter()
        .filter_map(|cell| {
            cell.statistics
                .as_ref()
                .map(|s| s.p90_hourly_usd.max(minimums(cell).iter().map(|m| m.1).fold(0.0, f64::max)))
        })
        .fold(US_FEDERAL_MINIMUM_HOURLY_USD, f64::max);
    let max = axis_max(highest, 5.0);
    let rows = by_platform.cells.len().max(1) as f64;
    let height = TOP + rows * ROW + AXIS;
    let plot = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
    let x = |usd: f64| LABEL_WIDTH + (usd.clamp(0.0, max) / max) * plot;
    let axis_y = TOP + rows * ROW;
    let step = if max > 40.0 {
        10.0
    } else if max > 15.0 {
        5.0
    } else {
        1.0
    };
    let ticks: Vec<f64> = (0..).map(|i| f64::from(i) * step).take_while(|tick| *tick <= max + 0.01).collect();
    let reference = x(US_FEDERAL_MINIMUM_HOURLY_USD);
    html! {
        svg class="chart" role="img" aria-labelledby="spread-title" viewBox={ "0 0 " (WIDTH) " " (at(height)) } {
            title id="spread-title" { (c.spread_title) }
            @for tick in &ticks {
                line class="grid" x1=(at(x(*tick))) x2=(at(x(*tick))) y1=(TOP) y2=(at(axis_y)) {}
                text class="tick" x=(at(x(*tick))) y=(at(axis_y + 14.0)) text-anchor="middle" { (n.dollars_whole(*tick)) }
            }
            path class="minimum" d={ "M4 " (at(TOP - 16.0)) " l-4 7 h8 z" } {}
            text class="reference-label" x="12" y=(at(TOP - 9.0)) { (c.local_minimum_marks) }
            line class="reference" x1=(at(reference)) x2=(at(reference)) y1=(TOP - 6.0) y2=(at(axis_y)) {}
            text class="reference-label" x=(at(reference)) y=(TOP - 9.0) text-anchor="middle" { (c.us_federal_line) }
            @for (index, cell) in by_platform.cells.iter().enumerate() {
                @let middle = TOP + index as f64 * ROW + ROW / 2.0;
                @let platform = cell.key.platform.map_or("", |platform| platform.as_str());
                text class="label" x="0" y=(at(middle + 4.0)) { (platform) }
                @match &cell.statistics {
                    Some(s) => {
                        line class="whisker" x1=(at(x(s.p10_hourly_usd))) x2=(at(x(s.p90_hourly_usd))) y1=(at(middle)) y2=(at(middle)) {}
                        rect class="box" x=(at(x(s.p25_hourly_usd))) y=(at(middle - 8.0))
                            width=(at((x(s.p75_hourly_usd) - x(s.p25_hourly_usd)).max(1.0))) height="16" {}
                        line class="median" x1=(at(x(s.median_hourly_usd))) x2=(at(x(s.median_hourly_usd))) y1=(at(middle - 10.0)) y2=(at(middle + 10.0)) {}
                        @for (_, usd) in minimums(cell) {
                            @let mx = x(usd);
                            path class="minimum" d={ "M" (at(mx)) " " (at(middle + 9.0)) " l-4 7 h8 z" } {}
                        }
                    }
                    None => {
                        text class="suppressed" x=(LABEL_WIDTH) y=(at(middle + 4.0)) { (n.suppression(cell)) }
                    }
                }
            }
            @if by_platform.cells.is_empty() {
                text class="suppressed" x=(LABEL_WIDTH) y=(at(TOP + ROW / 2.0)) { (c.no_platform_published) }
            }
        }
    }
}

/// The monthly medians of `all` and `paid` (reports by month) with their intervals as bands.
pub(crate) fn trend(all: &Report, paid: &Report, c: &Catalogue, n: &Numbers) -> Markup {
    const HEIGHT: f64 = 180.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 30.0;
    const LEFT: f64 = 44.0;
    let mut months: Vec<(i64, i64)> =
        all.cells.iter().chain(&paid.cells).filter_map(|cell| cell.key.month).collect();
    months.sort_unstable();
    months.dedup();
    let highest = all
        .cells
        .iter()
        .chain(&paid.cells)
        .filter_map(|cell| cell.statistics.as_ref())
        .map(|s| s.median_ci95_usd.map_or(s.median_hourly_usd, |[_, high]| high))
        .fold(US_FEDERAL_MINIMUM_HOURLY_USD, f64::max);
    let max = axis_max(highest, 2.0);
    let plot_width = WIDTH - LEFT - RIGHT_MARGIN;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let last = months.len().saturating_sub(1).max(1) as f64;
    let x = |index: usize| LEFT + index as f64 / last * plot_width;
    let y = |usd: f64| TOP + plot_height - (usd.clamp(0.0, max) / max) * plot_height;
    let step = if max > 20.0 {
        5.0
    } else if max > 8.0 {
        2.0
    } else {
        1.0
    };
    let ticks: Vec<f64> = (0..).map(|i| f64::from(i) * step).take_while(|tick| *tick <= max + 0.01).collect();
    let label_every = months.len().div_ceil(8).max(1);
    // Each run of consecutive published months: its points (x, median, low, high).
    let runs = |report: &Report| -> Vec<Vec<(f64, f64, f64, f64)>> {
        let mut runs: Vec<Vec<(f64, f64, f64, f64)>> = vec![Vec::new()];
        for (index, month) in months.iter().enumerate() {
            let statistics = report
                .cells
                .iter()
                .find(|cell| cell.key.month == Some(*month))
                .and_then(|cell| cell.statistics.as_ref());
            match statistics {
                Some(s) => {
                    let [low, high] = s.median_ci95_usd.unwrap_or([s.median_hourly_usd; 2]);
                    runs.last_mut().expect("never empty").push((
                        x(index),
                        y(s.median_hourly_usd),
                        y(low),
                        y(high),
                    ));
                }
                None if runs.last().is_some_and(|run| !run.is_empty()) => runs.push(Vec::new()),
                None => {}
            }
        }
        runs.retain(|run| !run.is_empty());
        runs
    };
    let band = |run: &[(f64, f64, f64, f64)]| -> String {
        let upper = run.iter().map(|p| format!("{},{}", at(p.0), at(p.3)));
        let lower = run.iter().rev().map(|p| format!("{},{}", at(p.0), at(p.2)));
        upper.chain(lower).collect::<Vec<_>>().join(" ")
    };
    let line = |run: &[(f64, f64, f64, f64)]| -> String {
        run.iter().map(|p| format!("{},{}", at(p.0), at(p.1))).collect::<Vec<_>>().join(" ")
    };
    let reference = y(US_FEDERAL_MINIMUM_HOURLY_USD);
    html! {
        svg class="chart" role="img" aria-labelledby="trend-title" viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } {
            title id="trend-title" { (c.trend_title) }
            @for tick in &ticks {
                line class="grid" x1=(LEFT) x2=(at(WIDTH - RIGHT_MARGIN)) y1=(at(y(*tick))) y2=(at(y(*tick))) {}
                text class="tick" x=(LEFT - 4.0) y=(at(y(*tick) + 3.0)) text-anchor="end" { (n.dollars_whole(*tick)) }
            }
            line class="reference" x1=(LEFT) x2=(at(WIDTH - RIGHT_MARGIN)) y1=(at(reference)) y2=(at(reference)) {}
            text class="reference-label" x=(at(WIDTH - RIGHT_MARGIN)) y=(at(reference - 3.0)) text-anchor="end" { (c.us_federal_line) }
            @for run in runs(paid) {
                polygon class="band band-paid" points=(band(&run)) {}
            }
            @for run in runs(all) {
                polygon class="band band-all" points=(band(&run)) {}
            }
            @for run in runs(paid) {
                polyline class="trend trend-paid" points=(line(&run)) {}
            }
            @for run in runs(all) {
                polyline class="trend trend-all" points=(line(&run)) {}
            }
            @for (index, month) in months.iter().enumerate() {
                @if index % label_every == 0 {
                    text class="tick" x=(at(x(index))) y=(at(HEIGHT - BOTTOM + 16.0)) text-anchor="middle" { (month_label(*month)) }
                }
            }
        }
    }
}
