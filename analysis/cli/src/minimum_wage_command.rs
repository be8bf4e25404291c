//! `piecerate minimum-wage`: the statutory minimum wage in force in a country or region on a
//! day, with its source, so that anyone can check the threshold a report used.

use std::io::Write;

use analysis::minimum_wage::{Jurisdiction, Threshold, in_force};
use analysis::time::{Date, Timestamp};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub(crate) struct MinimumWageArgs {
    /// An ISO 3166-1 country code (GB), or an ISO 3166-2 region code (US-CA, CA-ON).
    #[arg(value_name = "COUNTRY[-REGION]", value_parser = parse_jurisdiction)]
    jurisdiction: Jurisdiction,
    /// The day to look at (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Option<Date>,
    #[arg(long, value_enum, default_value_t = MinimumWageFormat::Text)]
    format: MinimumWageFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MinimumWageFormat {
    Text,
    Json,
}

fn parse_jurisdiction(text: &str) -> Result<Jurisdiction, String> {
    Jurisdiction::parse(text).map_err(|error| error.to_string())
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).map_err(|error| error.to_string())
}

fn today() -> Result<Date> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs();
    Ok(Date::of(Timestamp::nearest_to_unix_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))))
}

/// The answer as the JSON object `docs/cli.md` documents.
fn answer(jurisdiction: &Jurisdiction, date: Date, threshold: &Threshold) -> Value {
    let number =
        |value: Option<rust_decimal::Decimal>| value.and_then(|v| v.round_dp(6).normalize().to_f64());
    let row = threshold.row();
    let rate = row.and_then(|row| row.rate);
    let (year, month) = date.year_month();
    json!({
        "country": jurisdiction.country.as_str(),
        "region": jurisdiction.region,
        "date": date.to_string(),
        "status": threshold.status(),
        "currency": rate.map(|rate| rate.currency.as_str().to_owned()),
        "amount": number(rate.map(|rate| rate.amount)),
        "period": rate.map(|rate| rate.period.as_str()),
        "hours_per_period": number(rate.and_then(|rate| rate.hours_per_period)),
        "hourly_local": number(rate.and_then(|rate| rate.hourly())),
        "hourly_usd": match threshold {
            Threshold::Known(row) => row.hourly_usd(year, month).map(|usd| (usd * 10_000.0).round() / 10_000.0),
            _ => None,
        },
        "in_force_from": row.map(|row| row.in_force_from.to_string()),
        "basis": row.map(|row| match row.basis {
            analysis::minimum_wage::Basis::Statutory => "statutory",
            analysis::minimum_wage::Basis::LowestRegional => "lowest_regional",
            analysis::minimum_wage::Basis::NoStatutoryMinimum => "none",
            analysis::minimum_wage::Basis::AmountNotInSources => "unknown",
        }),
        "applies_to": row.map(|row| row.jurisdiction()),
        "source": row.map(|row| row.source),
        "source_file": row.map(|row| format!("analysis/data/minimum-wage/{}", row.source_file)),
        "note": row.map(|row| row.note),
        "reason": threshold.reason(jurisdiction),
    })
}

fn text(answer: &Value) -> String {
    let field = |key: &str| match &answer[key] {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        // Money with its cents, as people write it.
        Value::Number(number) if key != "hours_per_period" => {
            number.as_f64().map(|value| format!("{value:.2}"))
        }
        other => Some(other.to_string()),
    };
    let place = field("region").or_else(|| field("country")).unwrap_or_default();
    let date = field("date").unwrap_or_default();
    let mut out = match (field("hourly_local"), field("reason")) {
        (Some(hourly), _) => format!(
            "Minimum wage in {place} on {date}: {} {} per {} ({hourly} {} an hour, {} USD at that month's exchange rate)\n",
            field("amount").unwrap_or_default(),
            field("currency").unwrap_or_default(),
            field("period").unwrap_or_default(),
            field("currency").unwrap_or_default(),
            field("hourly_usd").unwrap_or_else(|| "n/a".to_owned()),
        ),
        (None, Some(reason)) => {
            format!("Minimum wage in {place} on {date}: none to compare with: {reason}\n")
        }
        (None, None) => format!("Minimum wage in {place} on {date}: not known\n"),
    };
    for (label, key) in [
        ("in force from", "in_force_from"),
        ("applies as", "applies_to"),
        ("basis", "basis"),
        ("source", "source"),
        ("evidence", "source_file"),
        ("note", "note"),
    ] {
        if let Some(value) = field(key) {
            out.push_str(&format!("  {label}: {value}\n"));
        }
    }
    out
}

pub(crate) fn run(args: MinimumWageArgs) -> Result<()> {
    let date = match args.date {
        Some(date) => date,
        None => today()?,
    };
    let threshold = in_force(&args.jurisdiction, date);
    let answer = answer(&args.jurisdiction, date, &threshold);
    let output = match args.format {
        MinimumWageFormat::Json => serde_json::to_string_pretty(&answer)? + "\n",
        MinimumWageFormat::Text => text(&answer),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(output.as_bytes()).context("cannot write to standard output")?;
    Ok(())
}
