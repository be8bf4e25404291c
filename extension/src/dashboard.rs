//! The popup's figures: today, this week and this month, from the stored daily totals, with
//! the library's wage definition and minimum wages; rendered as escaped HTML so the view can
//! be tested without a browser.

use std::fmt::Write as _;

use analysis::report::hourly_minimum_wage_usd;
use analysis::{Currency, Method, Platform, Timestamp, WorkerTotals};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::settings::Settings;
use crate::store::DailyTotals;

/// Looks a message up by its `_locales` name, with `$1`-style substitutions.
pub type Translate<'a> = &'a dyn Fn(&str, &[&str]) -> String;

/// The days covered by each period, in local day numbers (days since 1970-01-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub today: i64,
    pub week_start: i64,
    pub month_start: i64,
}

impl Periods {
    /// Weeks start on Monday; 1970-01-01 was a Thursday.
    pub fn for_day(today: i64) -> Periods {
        let weekday_from_monday = (today + 3).rem_euclid(7);
        let (year, month) =
            Timestamp::from_unix_seconds(today * 86_400).map(Timestamp::year_month).unwrap_or((2005, 1));
        let month_start = (today - 40..=today)
            .rev()
            .take_while(|&day| {
                Timestamp::from_unix_seconds(day * 86_400).map(Timestamp::year_month).ok()
                    == Some((year, month))
            })
            .last()
            .unwrap_or(today);
        Periods { today, week_start: today - weekday_from_monday, month_start }
    }
}

/// Totals of one period, overall and per platform.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodTotals {
    pub all: WorkerTotals,
    pub by_platform: Vec<(Platform, WorkerTotals)>,
}

fn period_totals(daily: &DailyTotals, from_day: i64, to_day: i64) -> PeriodTotals {
    let mut result = PeriodTotals::default();
    for (day, platform, totals) in daily.entries() {
        if day < from_day || day > to_day {
            continue;
        }
        result.all.merge(&totals);
        // Kept in platform order as they come (no sort: see `fixed` on the module's size).
        match result.by_platform.iter().position(|(p, _)| *p >= platform) {
            Some(index) if result.by_platform[index].0 == platform => {
                result.by_platform[index].1.merge(&totals)
            }
            Some(index) => result.by_platform.insert(index, (platform, totals)),
            None => result.by_platform.push((platform, totals)),
        }
    }
    result
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub today: PeriodTotals,
    pub week: PeriodTotals,
    pub month: PeriodTotals,
    /// Paid and unpaid hours of the last 14 days, oldest first.
    pub recent_days: Vec<(i64, f64, f64)>,
    pub minimum_wage_usd: Option<f64>,
}

pub fn dashboard(daily: &DailyTotals, today: i64, country: Option<analysis::CountryCode>) -> Dashboard {
    let periods = Periods::for_day(today);
    let recent_days = (today - 13..=today)
        .map(|day| {
            let totals = period_totals(daily, day, day).all;
            (day, totals.paid_task_time.hours(), totals.unpaid_time(Method::All).hours())
        })
        .collect();
    Dashboard {
        today: period_totals(daily, periods.today, today),
        week: period_totals(daily, periods.week_start, today),
        month: period_totals(daily, periods.month_start, today),
        recent_days,
        minimum_wage_usd: country.and_then(hourly_minimum_wage_usd),
    }
}

/// How the worker sees figures: amounts in their display currency at this month's rate, and
/// their country by its name in the popup's language (the browser knows the names; the library
/// ships none to the extension).
#[derive(Debug, Clone, Copy)]
pub struct Display<'a> {
    pub currency: Currency,
    pub at: Timestamp,
    pub country_name: &'a str,
}

impl Display<'_> {
    fn amount(&self, usd: Decimal) -> String {
        let local = analysis::money::usd_to_currency(usd, self.currency, self.at);
        format!("{} {}", local.round_dp(2), self.currency)
    }

    fn hourly(&self, usd_per_hour: f64) -> String {
        let usd = Decimal::from_f64_retain(usd_per_hour).unwrap_or_default();
        let local = analysis::money::usd_to_currency(usd, self.currency, self.at);
        format!("{} {}/h", fixed_decimal(local, 2), self.currency)
    }
}

/// `value` with exactly `places` decimals, rounded half to even on its exact binary value as
/// Rust's `{:.N}` rounds a float, but through `Decimal`: the wasm module then carries no float
/// formatting code (see the size budget in `docs/benchmarks.md`). `–` for a non-finite value.
pub fn fixed(value: f64, places: u32) -> String {
    Decimal::from_f64_retain(value).map_or_else(|| "–".to_owned(), |exact| fixed_decimal(exact, places))
}

fn fixed_decimal(value: Decimal, places: u32) -> String {
    let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointNearestEven);
    format!("{rounded:.prec$}", prec = places as usize)
}

pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn hours(seconds: analysis::Seconds) -> String {
    fixed(seconds.hours(), 2)
}

/// The dashboard as HTML. Every figure carries `data-figure` (and machine-readable values) so
/// tests and assistive tools can find it.
pub fn render(view: &Dashboard, settings: &Settings, display: Display<'_>, t: Translate<'_>) -> String {
    let mut html = String::new();
    for (name, title, period) in [
        ("today", t("periodToday", &[]), &view.today),
        ("week", t("periodWeek", &[]), &view.week),
        ("month", t("periodMonth", &[]), &view.month),
    ] {
        render_period(&mut html, name, &title, period, view.minimum_wage_usd, settings, display, t);
    }
    let _ = write!(html, "<section class=\"breakdown\"><h2>{}</h2>", escape(&t("perPlatform", &[])));
    if view.month.by_platform.is_empty() {
        let _ = write!(html, "<p>{}</p>", escape(&t("noRecords", &[])));
    } else {
        let _ = write!(
            html,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            escape(&t("platform", &[])),
            escape(&t("earnings", &[])),
            escape(&t("hoursAll", &[])),
            escape(&t("hourlyWage", &[]))
        );
        for (platform, totals) in &view.month.by_platform {
            let usd = totals.hourly_wage_usd(Method::All);
            let wage = usd.map_or("–".to_owned(), |w| display.hourly(w));
            let _ = write!(
                html,
                "<tr data-platform=\"{platform}\"><td>{platform}</td><td>{}</td><td>{}</td><td data-figure=\"platform-wage\" data-usd=\"{}\">{}</td></tr>",
                display.amount(totals.earnings_usd),
                hours(totals.counted_time(Method::All)),
                usd.map_or(String::new(), |w| fixed_decimal(
                    Decimal::from_f64_retain(w).unwrap_or_default(),
                    10
                )),
                escape(&wage)
            );
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</section>");
    render_chart(&mut html, &view.recent_days, t);
    html
}

#[expect(clippy::too_many_arguments, reason = "a private helper of render")]
fn render_period(
    html: &mut String,
    name: &str,
    title: &str,
    period: &PeriodTotals,
    minimum_usd: Option<f64>,
    settings: &Settings,
    display: Display<'_>,
    t: Translate<'_>,
) {
    let totals = &period.all;
    let _ = write!(html, "<section class=\"period\" data-period=\"{name}\"><h2>{}</h2>", escape(title));
    let headline = totals.hourly_wage_usd(Method::All);
    let _ = write!(
        html,
        "<p class=\"headline\"><span data-figure=\"wage\" data-usd=\"{}\">{}</span> <small>{}</small></p>",
        headline.map_or(String::new(), |w| fixed(w, 4)),
        escape(&headline.map_or(t("noTimeYet", &[]), |w| display.hourly(w))),
        escape(&t("methodAllExplained", &[]))
    );
    let _ = write!(
        html,
        "<dl><dt>{}</dt><dd data-figure=\"earnings\" data-usd=\"{}\">{}</dd><dt>{}</dt><dd data-figure=\"paid-hours\">{}</dd><dt>{}</dt><dd data-figure=\"unpaid-hours\">{}</dd><dt>{}</dt><dd data-figure=\"tasks\">{}</dd></dl>",
        escape(&t("earnings", &[])),
        totals.earnings_usd.normalize(),
        display.amount(totals.earnings_usd),
        escape(&t("paidHours", &[])),
        hours(totals.paid_task_time),
        escape(&t("unpaidHours", &[])),
        hours(totals.unpaid_time(Method::All)),
        escape(&t("tasks", &[])),
        totals.tasks
    );
    if let (Some(wage), Some(minimum), Some(_)) = (headline, minimum_usd, settings.country) {
        let percent = fixed(wage / minimum * 100.0, 0);
        let key = if wage < minimum { "belowMinimum" } else { "atOrAboveMinimum" };
        let _ = write!(
            html,
            "<p class=\"minimum {}\" data-figure=\"minimum\">{}</p>",
            if wage < minimum { "below" } else { "above" },
            escape(&t(key, &[&percent, display.country_name, &display.hourly(minimum)]))
        );
    }
    let _ = write!(html, "<details><summary>{}</summary><ul>", escape(&t("otherMethods", &[])));
    for (method, key) in [(Method::Task, "methodTask"), (Method::Paid, "methodPaid")] {
        let wage = totals.hourly_wage_usd(method);
        let _ = write!(
            html,
            "<li data-figure=\"wage-{method}\">{}: {}</li>",
            escape(&t(key, &[])),
            escape(&wage.map_or("–".to_owned(), |w| display.hourly(w)))
        );
    }
    html.push_str("</ul></details></section>");
}

fn render_chart(html: &mut String, days: &[(i64, f64, f64)], t: Translate<'_>) {
    let tallest = days.iter().map(|(_, paid, unpaid)| paid + unpaid).fold(0.0_f64, f64::max).max(1.0);
    let _ = write!(
        html,
        "<section class=\"chart\"><h2>{}</h2><svg viewBox=\"0 0 280 80\" role=\"img\" aria-label=\"{}\">",
        escape(&t("chartTitle", &[])),
        escape(&t("chartTitle", &[]))
    );
    for (index, (_, paid, unpaid)) in days.iter().enumerate() {
        let x = fixed(index as f64 * 20.0 + 2.0, 1);
        let paid_height = paid / tallest * 76.0;
        let unpaid_height = unpaid / tallest * 76.0;
        let _ = write!(
            html,
            "<rect class=\"paid\" x=\"{x}\" y=\"{}\" width=\"16\" height=\"{}\"/><rect class=\"unpaid\" x=\"{x}\" y=\"{}\" width=\"16\" height=\"{}\"/>",
            fixed(78.0 - paid_height, 1),
            fixed(paid_height, 1),
            fixed(78.0 - paid_height - unpaid_height, 1),
            fixed(unpaid_height, 1)
        );
    }
    let _ = write!(
        html,
        "</svg><p class=\"legend\"><span class=\"paid\">■</span> {} <span class=\"unpaid\">■</span> {}</p></section>",
        escape(&t("paidHours", &[])),
        escape(&t("unpaidHours", &[]))
    );
}
