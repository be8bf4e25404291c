//! The popup's figures: today, this week and this month, from the stored daily totals, with
//! the library's wage definition and the minimum wage in force today where the worker works;
//! rendered as a view tree (`crate::view`) so the view can be tested without a browser.

use analysis::minimum_wage::{self, Basis, Jurisdiction, Period, Threshold, Unknown};
use analysis::time::Date;
use analysis::{Currency, Method, Platform, Timestamp, WorkerTotals};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::store::DailyTotals;
use crate::view::{Element, Node, element};

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
    /// `None` until the worker sets their country.
    pub minimum: Option<WorkerMinimum>,
    /// Whether anything was ever measured or imported; until then the popup says how to start
    /// instead of showing three empty periods.
    pub measured: bool,
}

/// The minimum wage the worker's figures are compared with: the one in force today in their
/// region (or their whole country), or why there is none to compare with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkerMinimum {
    pub jurisdiction: Jurisdiction,
    pub threshold: Threshold,
    /// US dollars per hour at this month's exchange rate; `None` unless the threshold is known
    /// and its currency has a shipped rate, and then nothing is compared.
    pub hourly_usd: Option<f64>,
}

impl WorkerMinimum {
    /// The minimum in force on the (UTC) day of `now`, converted at the rate of its month.
    pub fn in_force(jurisdiction: Jurisdiction, now: Timestamp) -> WorkerMinimum {
        let today = Date::of(now);
        let threshold = minimum_wage::in_force(&jurisdiction, today);
        let (year, month) = today.year_month();
        let hourly_usd = match threshold {
            Threshold::Known(row) => row.hourly_usd(year, month),
            _ => None,
        };
        WorkerMinimum { jurisdiction, threshold, hourly_usd }
    }
}

/// The dashboard of the local day `today` (days since 1970-01-01), with the minimum wage of
/// `jurisdiction` in force at `now`.
pub fn dashboard(
    daily: &DailyTotals,
    today: i64,
    jurisdiction: Option<Jurisdiction>,
    now: Timestamp,
) -> Dashboard {
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
        minimum: jurisdiction.map(|jurisdiction| WorkerMinimum::in_force(jurisdiction, now)),
        measured: daily.entries().next().is_some(),
    }
}

/// How the worker sees figures: amounts in their display currency at this month's rate, numbers
/// with the decimal separator of the popup's language, and their country and region by their
/// names in that language (from the name lists in the messages, `extension/locale_names.py`; the
/// library ships none to the extension).
#[derive(Debug, Clone, Copy)]
pub struct FigureFormat<'a> {
    pub currency: Currency,
    pub at: Timestamp,
    pub country_name: &'a str,
    /// `.` or `,`: the `decimalSeparator` message of the popup's language.
    pub decimal_separator: &'a str,
    /// The region's name when one is chosen.
    pub region_name: &'a str,
}

impl FigureFormat<'_> {
    /// Money: always two decimals, then a no-break space and the currency, so that a line never
    /// breaks between an amount and its unit.
    pub(crate) fn amount(&self, usd: Decimal) -> String {
        let local = analysis::money::usd_to_currency(usd, self.currency, self.at);
        format!("{}\u{a0}{}", self.decimal(fixed_decimal(local, 2)), self.currency)
    }

    pub(crate) fn hourly(&self, usd_per_hour: f64) -> String {
        let usd = Decimal::from_f64_retain(usd_per_hour).unwrap_or_default();
        self.amount(usd) + "/h"
    }

    /// `value` with exactly `places` decimals, written as the popup's language writes numbers.
    pub(crate) fn number(&self, value: f64, places: u32) -> String {
        self.decimal(fixed(value, places))
    }

    fn decimal(&self, text: String) -> String {
        match text.split_once('.') {
            Some((whole, fraction)) => format!("{whole}{}{fraction}", self.decimal_separator),
            None => text,
        }
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

/// The dashboard as a view tree (`crate::view`). Every figure carries `data-figure` (and
/// machine-readable values) so tests and assistive tools can find it.
pub fn render(view: &Dashboard, display: FigureFormat<'_>, t: Translate<'_>) -> Vec<Node> {
    let mut nodes = Vec::new();
    if let Some(minimum) = &view.minimum {
        nodes.push(render_minimum(minimum, display, t).into());
    }
    if !view.measured {
        nodes.push(
            element("p").attribute("data-figure", "nothing-measured").text(t("nothingMeasured", &[])).into(),
        );
        return nodes;
    }
    let place = view.minimum.map(|minimum| place(&minimum, display));
    let comparison = view.minimum.and_then(|minimum| minimum.hourly_usd).zip(place);
    for (name, title, period) in [
        ("today", t("periodToday", &[]), &view.today),
        ("week", t("periodWeek", &[]), &view.week),
        ("month", t("periodMonth", &[]), &view.month),
    ] {
        nodes.push(render_period(name, title, period, comparison, display, t).into());
    }
    let mut breakdown =
        element("section").attribute("class", "breakdown").child(element("h2").text(t("perPlatform", &[])));
    if view.month.by_platform.is_empty() {
        breakdown.push(element("p").text(t("noRecords", &[])));
    } else {
        let mut head = element("tr");
        for key in ["platform", "earnings", "hoursAll", "hourlyWage"] {
            head.push(element("th").text(t(key, &[])));
        }
        let mut body = element("tbody");
        for (platform, totals) in &view.month.by_platform {
            let usd = totals.hourly_wage_usd(Method::All);
            body.push(
                element("tr")
                    .attribute("data-platform", platform.to_string())
                    .child(element("td").text(platform.to_string()))
                    .child(element("td").text(display.amount(totals.earnings_usd)))
                    .child(element("td").text(display.number(totals.counted_time(Method::All).hours(), 2)))
                    .child(
                        element("td")
                            .attribute("data-figure", "platform-wage")
                            .attribute(
                                "data-usd",
                                usd.map_or(String::new(), |w| {
                                    fixed_decimal(Decimal::from_f64_retain(w).unwrap_or_default(), 10)
                                }),
                            )
                            .text(usd.map_or("–".to_owned(), |w| display.hourly(w))),
                    ),
            );
        }
        breakdown.push(element("table").child(element("thead").child(head)).child(body));
    }
    nodes.push(breakdown.into());
    nodes.push(render_chart(&view.recent_days, display, t).into());
    nodes
}

/// Where the minimum applies, as the comparisons name it: the region's or the country's name in
/// the popup's language.
fn place<'a>(minimum: &WorkerMinimum, display: FigureFormat<'a>) -> &'a str {
    if minimum.jurisdiction.region.is_some() { display.region_name } else { display.country_name }
}

/// The worker's own minimum: its amount per hour in its currency, since when and from which
/// source; or, when there is none to compare with, the library's reason, never a number. The
/// settings show it too, as soon as a country is chosen.
pub fn render_minimum(minimum: &WorkerMinimum, display: FigureFormat<'_>, t: Translate<'_>) -> Element {
    let place = place(minimum, display);
    let jurisdiction = minimum.jurisdiction;
    let figure = element("p")
        .attribute("data-figure", "minimum-threshold")
        .attribute("data-status", minimum.threshold.status())
        .attribute("data-jurisdiction", jurisdiction.to_string());
    let section = element("section").attribute("class", "threshold");
    let known = match minimum.threshold {
        Threshold::Known(row) => row.rate.zip(row.hourly_local()).map(|(rate, hourly)| (row, rate, hourly)),
        _ => None,
    };
    let Some((row, rate, hourly)) = known else {
        let reason = reason(&minimum.threshold, place, t);
        return section.child(figure.text(t("minimumNoComparison", &[&reason])));
    };
    let amount = fixed_decimal(hourly, 2);
    let figure = figure
        .attribute("data-local", amount.clone())
        .attribute("data-currency", rate.currency.to_string())
        .attribute("data-since", row.in_force_from.to_string())
        .attribute("data-usd", minimum.hourly_usd.map_or(String::new(), |usd| fixed(usd, 4)))
        .attribute("title", row.note)
        .text(t(
            "minimumThreshold",
            &[
                place,
                &format!("{}\u{a0}{}/h", display.decimal(amount.clone()), rate.currency),
                &row.in_force_from.to_string(),
                row.source,
            ],
        ));
    let mut section = section.child(figure);
    // A national figure of a country whose minimums are set per region is only the lowest of
    // them; one of a country with regional minimums may be below the worker's own.
    if jurisdiction.region.is_none() && !minimum_wage::regions(jurisdiction.country).is_empty() {
        let key =
            if row.basis == Basis::LowestRegional { "minimumLowestRegional" } else { "minimumChooseRegion" };
        section.push(
            element("p")
                .attribute("class", "muted")
                .attribute("data-figure", "minimum-region-hint")
                .text(t(key, &[display.country_name])),
        );
    }
    section
}

/// Why there is no minimum to compare with, in the popup's language: the cases of the library's
/// `Threshold::reason`, each a message of its own.
fn reason(threshold: &Threshold, place: &str, t: Translate<'_>) -> String {
    match threshold {
        Threshold::NoStatutoryMinimum(row) => t("minimumReasonNone", &[place, row.source]),
        Threshold::Unknown(Unknown::BeforeFirstKnown { first }) => {
            t("minimumReasonBeforeFirst", &[place, &first.to_string()])
        }
        Threshold::Unknown(Unknown::AmountNotInSources(row)) => {
            t("minimumReasonAmountUnknown", &[place, &row.in_force_from.to_string()])
        }
        Threshold::Unknown(Unknown::NoHoursConvention(row)) => match row.rate {
            Some(rate) => {
                let period = match rate.period {
                    Period::Hour => "perHour",
                    Period::Day => "perDay",
                    Period::Week => "perWeek",
                    Period::Month => "perMonth",
                };
                let amount = format!("{} {} {}", rate.amount, rate.currency, t(period, &[]));
                t("minimumReasonNoHours", &[place, &amount])
            }
            None => t("minimumReasonNotInSources", &[place]),
        },
        Threshold::Unknown(Unknown::NotInSources) | Threshold::Known(_) => {
            t("minimumReasonNotInSources", &[place])
        }
    }
}

fn render_period(
    name: &'static str,
    title: String,
    period: &PeriodTotals,
    comparison: Option<(f64, &str)>,
    display: FigureFormat<'_>,
    t: Translate<'_>,
) -> Element {
    let totals = &period.all;
    let headline = totals.hourly_wage_usd(Method::All);
    let mut section = element("section")
        .attribute("class", "period")
        .attribute("data-period", name)
        .child(element("h2").text(title))
        .child(
            element("p")
                .attribute("class", "headline")
                .child(
                    element("span")
                        .attribute("data-figure", "wage")
                        .attribute("data-usd", headline.map_or(String::new(), |w| fixed(w, 4)))
                        .text(headline.map_or(t("noTimeYet", &[]), |w| display.hourly(w))),
                )
                .text(" ")
                .child(element("small").text(t("methodAllExplained", &[]))),
        );
    let mut list = element("dl");
    for (key, figure, value, usd) in [
        ("earnings", "earnings", display.amount(totals.earnings_usd), Some(totals.earnings_usd.normalize())),
        ("paidHours", "paid-hours", display.number(totals.paid_task_time.hours(), 2), None),
        ("unpaidHours", "unpaid-hours", display.number(totals.unpaid_time(Method::All).hours(), 2), None),
        ("tasks", "tasks", totals.tasks.to_string(), None),
    ] {
        list.push(element("dt").text(t(key, &[])));
        let mut value = element("dd").attribute("data-figure", figure).text(value);
        if let Some(usd) = usd {
            value = value.attribute("data-usd", usd.to_string());
        }
        list.push(value);
    }
    section.push(list);
    if let (Some(wage), Some((minimum, place))) = (headline, comparison) {
        let percent = fixed(wage / minimum * 100.0, 0);
        let key = if wage < minimum { "belowMinimum" } else { "atOrAboveMinimum" };
        section.push(
            element("p")
                .attribute("class", if wage < minimum { "minimum below" } else { "minimum above" })
                .attribute("data-figure", "minimum")
                .text(t(key, &[&percent, place, &display.hourly(minimum)])),
        );
    }
    let mut methods = element("ul");
    for (method, key) in [(Method::Task, "methodTask"), (Method::Paid, "methodPaid")] {
        let wage = totals.hourly_wage_usd(method);
        methods.push(element("li").attribute("data-figure", format!("wage-{method}")).text(format!(
            "{}: {}",
            t(key, &[]),
            wage.map_or("–".to_owned(), |w| display.hourly(w))
        )));
    }
    section.child(element("details").child(element("summary").text(t("otherMethods", &[]))).child(methods))
}

/// The last 14 days' paid and unpaid hours as stacked bars over a scale from 0 to the next
/// whole hour above the tallest day, each bar under its day of the month; the same figures as
/// a table for those who cannot see the chart, and to read exact values.
fn render_chart(days: &[(i64, f64, f64)], display: FigureFormat<'_>, t: Translate<'_>) -> Element {
    let top = days.iter().map(|(_, paid, unpaid)| paid + unpaid).fold(1.0_f64, f64::max).ceil();
    let mut chart = element("svg")
        .attribute("viewBox", "0 0 300 100")
        .attribute("role", "img")
        .attribute("aria-label", t("chartTitle", &[]))
        .child(element("path").attribute("class", "axis").attribute("d", "M28 6V80H294"))
        .child(chart_label("24", "84", "end", "0".to_owned()))
        .child(chart_label("24", "12", "end", t("hoursShort", &[&fixed(top, 0)])));
    let mut rows = element("tbody");
    for (index, (day, paid, unpaid)) in days.iter().enumerate() {
        let date = Date::of(Timestamp::nearest_to_unix_seconds(day * 86_400)).to_string();
        let x = index * 19 + 30;
        let paid_height = paid / top * 74.0;
        let unpaid_height = unpaid / top * 74.0;
        for (class, y, height) in [
            ("paid", 80.0 - paid_height, paid_height),
            ("unpaid", 80.0 - paid_height - unpaid_height, unpaid_height),
        ] {
            chart.push(
                element("rect")
                    .attribute("class", class)
                    .attribute("x", x.to_string())
                    .attribute("y", fixed(y, 1))
                    .attribute("width", "15")
                    .attribute("height", fixed(height, 1)),
            );
        }
        chart.push(chart_label(
            &(x + 8).to_string(),
            "96",
            "middle",
            date[8..].trim_start_matches('0').to_owned(),
        ));
        rows.push(
            element("tr")
                .child(element("th").attribute("scope", "row").text(date))
                .child(element("td").text(display.number(*paid, 2)))
                .child(element("td").text(display.number(*unpaid, 2))),
        );
    }
    let mut head = element("tr");
    for key in ["date", "paidHours", "unpaidHours"] {
        head.push(element("th").attribute("scope", "col").text(t(key, &[])));
    }
    element("section")
        .attribute("class", "chart")
        .child(element("h2").text(t("chartTitle", &[])))
        .child(chart)
        .child(
            element("p")
                .attribute("class", "legend")
                .child(element("span").attribute("class", "swatch paid"))
                .text(format!(" {} ", t("paidHours", &[])))
                .child(element("span").attribute("class", "swatch unpaid"))
                .text(format!(" {}", t("unpaidHours", &[]))),
        )
        .child(
            element("details").child(element("summary").text(t("chartFigures", &[]))).child(
                element("table")
                    .attribute("data-figure", "chart-figures")
                    .child(element("thead").child(head))
                    .child(rows),
            ),
        )
}

/// A text of the chart at (`x`, `y`), anchored at its `anchor` ("end", "middle").
fn chart_label(x: &str, y: &str, anchor: &'static str, text: String) -> Element {
    element("text").attribute("x", x).attribute("y", y).attribute("text-anchor", anchor).text(text)
}
