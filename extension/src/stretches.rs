//! The pay a worker types for the stretches of work measured on time-tier platforms
//! (`adapters::time_tier`; the tracker keeps them until then): one stretch's pay, or a day's
//! earnings from the platform's statement spread over that day's stretches of that platform in
//! proportion to their active time. Either way the record is the measured time against the
//! stated pay. Each typed figure is read here with an error naming its field; the popup's list
//! of the stretches waiting is rendered here too.

use analysis::time::Date;
use analysis::{Currency, Money, Platform, RecordError};

use crate::tracker::{Event, Millis, PricedStretches, Stretch};

/// The local day (days since 1970-01-01 where the worker is) of an instant.
pub fn local_day(at: Millis, utc_offset_minutes: i64) -> i64 {
    (at.div_euclid(1000) + utc_offset_minutes * 60).div_euclid(86_400)
}

/// An amount the worker typed, read for `field`: a plain non-negative decimal (the library's
/// `Money`); empty is refused, since it would silently mean nothing was paid.
pub fn typed_amount(field: &'static str, text: &str) -> Result<Money, RecordError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(RecordError::new(field, "is empty: type what the platform paid (0 if nothing)"));
    }
    Money::parse(text).map_err(|problem| RecordError::new(field, problem))
}

/// A currency the worker typed (`USD`, `eur`), read for `field`.
pub fn typed_currency(field: &'static str, text: &str) -> Result<Currency, RecordError> {
    Currency::parse(&text.trim().to_ascii_uppercase()).map_err(|problem| RecordError::new(field, problem))
}

/// A day the worker chose, `YYYY-MM-DD`, as days since 1970-01-01.
pub fn typed_day(field: &'static str, text: &str) -> Result<i64, RecordError> {
    Date::parse(text.trim()).map(Date::days_since_epoch).map_err(|problem| RecordError::new(field, problem))
}

/// Reads the pay a worker typed for measured stretches of work into the tracker's event. An
/// amount over the library's bound on one task's pay is refused here, for a day's earnings as
/// for one stretch (no day of microwork pays that much: it is a slip of the keyboard or of the
/// unit), so the records the tracker then makes are never refused and no stretch is lost.
pub fn priced(
    now: Millis,
    platform: &str,
    which: PricedStretches,
    (field, amount): (&'static str, &str),
    currency: &str,
) -> Result<Event, RecordError> {
    let platform = Platform::parse(platform).map_err(|p| RecordError::new("platform", p))?;
    let amount = typed_amount(field, amount)?;
    let currency = typed_currency("currency", currency)?;
    let usd = amount.to_usd(currency, analysis::Timestamp::nearest_to_unix_seconds(now.div_euclid(1000)));
    let bound = analysis::record::MAX_TASK_PAY_USD;
    if usd > rust_decimal::Decimal::from(bound) {
        return Err(RecordError::new(
            field,
            format!(
                "{amount} {currency} is about {} USD; no task or day of microwork pays more than {bound} USD",
                usd.round_dp(2)
            ),
        ));
    }
    Ok(Event::Priced { now, platform, which, amount, currency })
}

/// Splits `amount` over stretches in proportion to their active time, each share rounded down
/// to the millionth a `Money` holds and the remainder given to the last, so the shares add up
/// to exactly the amount typed. In whole millionths (integers): a decimal division would add
/// about 20 KB to the wasm module.
pub fn spread(amount: Money, stretches: &[Stretch]) -> Vec<Money> {
    // A `Money` has at most six decimals and at most 10^12 units, so this fits an i128 easily.
    let decimal = amount.decimal();
    let micros = decimal.mantissa() * 10i128.pow(6u32.saturating_sub(decimal.scale()));
    let total: i128 = stretches.iter().map(|stretch| i128::from(stretch.active_ms.max(0))).sum();
    let mut given = 0i128;
    let mut shares = Vec::with_capacity(stretches.len());
    for (index, stretch) in stretches.iter().enumerate() {
        let share = if index + 1 == stretches.len() {
            micros - given
        } else {
            (micros * i128::from(stretch.active_ms.max(0))).checked_div(total).unwrap_or(0)
        };
        given += share;
        // Never negative nor more precise than six decimals, so it always parses; as a u64
        // (a share is at most 10^18 millionths), whose printing the module has already.
        let share = u64::try_from(share).unwrap_or(0);
        let text = format!("{}.{:06}", share / 1_000_000, share % 1_000_000);
        shares.push(Money::parse(&text).unwrap_or(Money::ZERO));
    }
    shares
}

/// At most this many stretches are listed with a form each (the oldest first); the day's form
/// covers the rest.
pub const LISTED: usize = 50;

/// The stretches waiting for their pay as the popup shows them: what was measured (when, the
/// active and the wall minutes) beside the fields the worker types, and the form for a day's
/// earnings. Each stretch's fields are named by its platform and start (`pay-uhrs-1764...`).
pub fn render_waiting(
    waiting: &[Stretch],
    utc_offset_minutes: i64,
    currency: Currency,
    t: crate::dashboard::Translate<'_>,
) -> Vec<crate::view::Node> {
    use crate::view::element;
    if waiting.is_empty() {
        return Vec::new();
    }
    // In the order they finished, which is the order they started but for stretches of two
    // platforms worked at once (no sort: its code would cost the module 3 KB).
    let sorted = waiting;
    let mut head = element("tr");
    for key in ["platform", "waitingStarted", "waitingActive", "waitingSpan", "waitingPay", "currency"] {
        head.push(element("th").text(t(key, &[])));
    }
    head.push(element("th"));
    let mut body = element("tbody");
    for stretch in sorted.iter().take(LISTED) {
        let id = format!("{}-{}", stretch.platform, stretch.first);
        let started = local_time(stretch.first, utc_offset_minutes);
        body.push(
            element("tr")
                .attribute("data-stretch", id.clone())
                .child(element("td").text(stretch.platform.as_str()))
                .child(element("td").text(started.clone()))
                .child(element("td").attribute("data-measured", "active").text(minutes(stretch.active_ms)))
                .child(
                    element("td")
                        .attribute("data-measured", "span")
                        .text(minutes(stretch.last - stretch.first)),
                )
                .child(element("td").child(field(
                    &format!("pay-{id}"),
                    "reward",
                    "",
                    t("waitingPayFor", &[&started]),
                )))
                .child(element("td").child(field(
                    &format!("currency-{id}"),
                    "currency",
                    currency.as_str(),
                    t("currencyFor", &[&started]),
                )))
                .child(
                    element("td").child(
                        element("button")
                            .attribute("type", "button")
                            .attribute(
                                "data-action",
                                format!("price-stretch:{}:{}", stretch.platform, stretch.first),
                            )
                            .text(t("waitingSave", &[])),
                    ),
                ),
        );
    }
    let mut nodes: Vec<crate::view::Node> = vec![
        element("h2").text(t("waitingTitle", &[])).into(),
        element("p").attribute("class", "muted").text(t("waitingHelp", &[])).into(),
        element("table").child(element("thead").child(head)).child(body).into(),
    ];
    if sorted.len() > LISTED {
        let more = (sorted.len() - LISTED).to_string();
        nodes.push(element("p").attribute("class", "muted").text(t("waitingMore", &[&more])).into());
    }
    // One choice per platform and local day, with what was measured that day.
    let mut days: Vec<(Platform, i64, usize, Millis)> = Vec::new();
    for stretch in sorted {
        let day = local_day(stretch.first, utc_offset_minutes);
        match days.iter_mut().find(|(platform, d, ..)| *platform == stretch.platform && *d == day) {
            Some(entry) => {
                entry.2 += 1;
                entry.3 += stretch.active_ms;
            }
            None => days.push((stretch.platform, day, 1, stretch.active_ms)),
        }
    }
    let mut select = element("select").attribute("id", "day-choice").attribute("data-field", "day");
    for (platform, day, count, active_ms) in days {
        let date = day_text(day);
        select.push(element("option").attribute("value", format!("{platform}|{date}")).text(t(
            "waitingDayOption",
            &[platform.as_str(), &date, &count.to_string(), &minutes(active_ms)],
        )));
    }
    let day_form = element("fieldset")
        .child(element("legend").text(t("waitingDayTitle", &[])))
        .child(element("label").child(element("span").text(t("waitingDay", &[]))).child(select))
        .child(element("label").child(element("span").text(t("waitingDayAmount", &[]))).child(input(
            "day-amount",
            "amount",
            "",
        )))
        .child(element("label").child(element("span").text(t("currency", &[]))).child(input(
            "day-currency",
            "currency",
            currency.as_str(),
        )))
        .child(
            element("button")
                .attribute("type", "button")
                .attribute("data-action", "price-day")
                .text(t("waitingSave", &[])),
        );
    nodes.push(day_form.into());
    nodes
}

/// An input named `id`, for the field `data_field` of the pay the background reads (the field a
/// refusal names: `priced`, `typed_day`), so the popup marks the right one.
fn input(id: &str, data_field: &'static str, value: &str) -> crate::view::Element {
    crate::view::element("input")
        .attribute("id", id.to_owned())
        .attribute("data-field", data_field)
        .attribute("value", value)
        .attribute("size", "8")
}

/// An input in a table cell, named for screen readers by what it is for.
fn field(id: &str, data_field: &'static str, value: &str, label: String) -> crate::view::Element {
    input(id, data_field, value).attribute("aria-label", label)
}

/// A duration as minutes and seconds (`12:05`), rounded to the nearest second.
fn minutes(ms: Millis) -> String {
    let seconds = (ms.max(0) + 500) / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// `YYYY-MM-DD HH:MM` where the worker is.
fn local_time(ms: Millis, utc_offset_minutes: i64) -> String {
    let seconds = ms.div_euclid(1000) + utc_offset_minutes * 60;
    let of_day = seconds.rem_euclid(86_400);
    format!("{} {:02}:{:02}", day_text(seconds.div_euclid(86_400)), of_day / 3600, of_day % 3600 / 60)
}

fn day_text(day: i64) -> String {
    // The day of a stretch measured by this browser is always within the library's range.
    Date::of(analysis::Timestamp::nearest_to_unix_seconds(day * 86_400)).to_string()
}
