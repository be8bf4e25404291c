//! `piecerate report --check REPORT.json`: makes a report again from its provenance and says
//! whether every figure is the same, so that anyone holding the inputs can verify a published
//! report. An input whose SHA-256 is not the one recorded is refused, by name: the figures of
//! other data prove nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use analysis::Timestamp;
use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::open_input;
use crate::provenance::Provenance;
use crate::render::{Format, render};
use crate::report_command::{ReportArgs, ReportInputArgs, make};

pub(crate) fn run(report_path: &Path, args: &ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(report_path)
        .with_context(|| format!("cannot read the report {}", report_path.display()))?;
    let recorded: Value = serde_json::from_str(&text).with_context(|| {
        format!("{} is not a JSON report (piecerate report --format json)", report_path.display())
    })?;
    let provenance: Provenance = serde_json::from_value(
        recorded.get("provenance").cloned().context("the report has no provenance to make it again from")?,
    )
    .with_context(|| {
        format!("the provenance of {} is not one this piecerate reads", report_path.display())
    })?;
    let inputs: Vec<PathBuf> = if args.read.input.is_empty() {
        provenance.inputs.iter().map(|input| PathBuf::from(&input.name)).collect()
    } else {
        args.read.input.clone()
    };
    if inputs.len() != provenance.inputs.len() {
        bail!(
            "the report was made from {} input{}, and {} {} given",
            provenance.inputs.len(),
            if provenance.inputs.len() == 1 { "" } else { "s" },
            inputs.len(),
            if inputs.len() == 1 { "is" } else { "are" }
        );
    }
    for (path, input) in inputs.iter().zip(&provenance.inputs) {
        if open_input::is_stdin(path) {
            bail!("{}: standard input cannot be checked; give the file with --input", input.name);
        }
        let (sha256, _) = open_input::hash_file(path).with_context(|| {
            format!("cannot read input {} (give the inputs with --input if they moved)", path.display())
        })?;
        if sha256 != input.sha256 {
            bail!(
                "input {} is not the one the report was made from: its SHA-256 is {sha256}, the report records {} for {}",
                path.display(),
                input.sha256,
                input.name
            );
        }
    }
    let parameters = &provenance.parameters;
    let again = ReportInputArgs {
        input: inputs.clone(),
        method: parameters.method.parse().map_err(|error: String| anyhow::anyhow!("method: {error}"))?,
        by: parameters.by.parse().map_err(|error: String| anyhow::anyhow!("by: {error}"))?,
        min_workers: parameters.min_workers,
        min_hours: parameters.min_hours,
        max_hourly_usd: parameters.max_hourly_usd,
        currency_basis: parameters
            .currency_basis
            .parse()
            .map_err(|error: String| anyhow::anyhow!("currency_basis: {error}"))?,
        strict: parameters.strict,
        ..args.read.clone()
    };
    let filter = parameters.filters.filter().context("the provenance's filters")?;
    let generated_at =
        Timestamp::parse(&provenance.generated_at).context("the provenance's generated_at is not a time")?;
    let made = make(&again, &filter, parameters.disclosure_control, &inputs, generated_at)?;
    let rerun: Value =
        serde_json::from_str(&render(&made.report, Format::Json, &made.input, &made.provenance)?)?;
    let differences = differences(&recorded, &rerun);
    let version_note =
        if provenance.version == made.provenance.version && provenance.commit == made.provenance.commit {
            String::new()
        } else {
            format!(
                " (made by piecerate {} at commit {}, checked with {} at commit {})",
                provenance.version,
                provenance.commit.as_deref().unwrap_or("unknown"),
                made.provenance.version,
                made.provenance.commit.as_deref().unwrap_or("unknown")
            )
        };
    let cells = recorded["cells"].as_array().map_or(0, Vec::len);
    let mut stdout = std::io::stdout().lock();
    if differences.is_empty() {
        writeln!(
            stdout,
            "{}: identical: the {cells} cell{} and every other figure were made again from the same inputs{version_note}",
            report_path.display(),
            if cells == 1 { "" } else { "s" }
        )?;
        return Ok(());
    }
    for difference in &differences {
        writeln!(stdout, "{difference}")?;
    }
    bail!(
        "{}: {} figure{} differ{} from the report made again{version_note}",
        report_path.display(),
        differences.len(),
        if differences.len() == 1 { "" } else { "s" },
        if differences.len() == 1 { "s" } else { "" }
    )
}

/// Every figure outside the provenance that differs, as `cell platform=mturk country=US:
/// median_hourly_usd: 2.07 in the report, 2.08 made again`.
fn differences(recorded: &Value, rerun: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let keys = |value: &Value| -> Vec<String> {
        value.as_object().map(|object| object.keys().cloned().collect()).unwrap_or_default()
    };
    let mut top: Vec<String> = keys(recorded);
    top.extend(keys(rerun));
    top.sort();
    top.dedup();
    for key in top.iter().filter(|key| *key != "provenance" && *key != "cells") {
        if recorded.get(key) != rerun.get(key) {
            found.push(format!(
                "{key}: {} in the report, {} made again",
                show(recorded.get(key)),
                show(rerun.get(key))
            ));
        }
    }
    let empty = Vec::new();
    let old = recorded["cells"].as_array().unwrap_or(&empty);
    let new = rerun["cells"].as_array().unwrap_or(&empty);
    for index in 0..old.len().max(new.len()) {
        let (a, b) = (old.get(index), new.get(index));
        if a == b {
            continue;
        }
        let label = cell_label(a.or(b).expect("one of them"));
        let mut fields = keys(a.unwrap_or(&Value::Null));
        fields.extend(keys(b.unwrap_or(&Value::Null)));
        fields.sort();
        fields.dedup();
        if a.is_none() || b.is_none() {
            found.push(format!(
                "cell {label}: {} made again",
                if a.is_none() { "only" } else { "missing when" }
            ));
            continue;
        }
        for field in fields {
            let (x, y) = (a.and_then(|a| a.get(&field)), b.and_then(|b| b.get(&field)));
            if x != y {
                found.push(format!(
                    "cell {label}: {field}: {} in the report, {} made again",
                    show(x),
                    show(y)
                ));
            }
        }
    }
    found
}

fn cell_label(cell: &Value) -> String {
    let parts: Vec<String> = ["platform", "country", "month", "category"]
        .iter()
        .filter_map(|key| {
            cell.get(*key).map(|value| format!("{key}={}", value.as_str().unwrap_or("unknown")))
        })
        .collect();
    if parts.is_empty() { "(all workers)".to_owned() } else { parts.join(" ") }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}
