//! `piecerate report --check REPORT.json` and `piecerate compare --check COMPARISON.json`: make
//! a report or a comparison again from its provenance and say whether every figure is the same,
//! so that anyone holding the inputs can verify a published one. An input whose SHA-256 is not
//! the one recorded is refused, by name: the figures of other data prove nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use analysis::Timestamp;
use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::open_input;
use crate::provenance::Provenance;
use crate::render::{Format, render};
use crate::report_command::{ReportArgs, ReportInputArgs, Sources, make};

/// What `--check` makes again: a report (`piecerate report`) or a comparison (`piecerate compare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    Report,
    Comparison,
}

impl Checked {
    fn noun(self) -> &'static str {
        match self {
            Checked::Report => "report",
            Checked::Comparison => "comparison",
        }
    }

    fn command(self) -> &'static str {
        match self {
            Checked::Report => "piecerate report --format json",
            Checked::Comparison => "piecerate compare --format json",
        }
    }
}

/// `piecerate report --check`: the report made again with the parameters of its provenance.
pub(crate) fn run(report_path: &Path, args: &ReportArgs) -> Result<()> {
    check(report_path, &args.read.input, Checked::Report, |provenance, inputs| {
        let parameters = &provenance.parameters;
        let again = ReportInputArgs {
            input: inputs.to_vec(),
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
        let side_by_side = parameters.side_by_side()?;
        let sources = Sources {
            args: &again,
            filter: &filter,
            disclosure_control: parameters.disclosure_control,
            inputs,
            generated_at: recorded_time(provenance)?,
        };
        let made = make(sources, side_by_side.as_deref())?;
        let json = render(&made.report, Format::Json, &made.input, &made.provenance)?;
        Ok((json, made.provenance))
    })
}

/// The generation time a provenance records, which the figures made again record too.
pub(crate) fn recorded_time(provenance: &Provenance) -> Result<Timestamp> {
    Timestamp::parse(&provenance.generated_at).context("the provenance's generated_at is not a time")
}

/// Makes the JSON document at `path` again with `remake` (given its provenance and the inputs:
/// those given, else those it names, each checked against its recorded SHA-256) and says
/// whether every figure outside the provenance is the same: Ok when it is, an error naming how
/// many differ (after printing each) when not.
pub(crate) fn check(
    path: &Path,
    given: &[PathBuf],
    checked: Checked,
    remake: impl FnOnce(&Provenance, &[PathBuf]) -> Result<(String, Provenance)>,
) -> Result<()> {
    let noun = checked.noun();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {noun} {}", path.display()))?;
    let recorded: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON {noun} ({})", path.display(), checked.command()))?;
    let provenance: Provenance = serde_json::from_value(
        recorded
            .get("provenance")
            .cloned()
            .with_context(|| format!("the {noun} has no provenance to make it again from"))?,
    )
    .with_context(|| format!("the provenance of {} is not one this piecerate reads", path.display()))?;
    // The document says what it is; its provenance must then hold what makes it again (a
    // comparison's periods, seed and replicates, which serde would otherwise skip when unreadable).
    let is_comparison = recorded
        .get("schema")
        .and_then(Value::as_str)
        .is_some_and(|schema| schema.starts_with("piecerate.compare/"));
    match (checked, is_comparison) {
        (Checked::Report, true) => {
            bail!("{} is a comparison, not a report: check it with piecerate compare --check", path.display())
        }
        (Checked::Comparison, false) => {
            bail!("{} is a report, not a comparison: check it with piecerate report --check", path.display())
        }
        _ => {}
    }
    if (checked == Checked::Comparison) != provenance.parameters.comparison.is_some() {
        bail!(
            "the provenance of {} is not one this piecerate reads: its parameters before, after, seed and replicates {}",
            path.display(),
            if checked == Checked::Comparison {
                "are missing or not valid"
            } else {
                "belong to a comparison"
            }
        );
    }
    let inputs: Vec<PathBuf> = if given.is_empty() {
        provenance.inputs.iter().map(|input| PathBuf::from(&input.name)).collect()
    } else {
        given.to_vec()
    };
    if inputs.len() != provenance.inputs.len() {
        bail!(
            "the {noun} was made from {} input{}, and {} {} given",
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
                "input {} is not the one the {noun} was made from: its SHA-256 is {sha256}, the {noun} records {} for {}",
                path.display(),
                input.sha256,
                input.name
            );
        }
    }
    let (json, made) = remake(&provenance, &inputs)?;
    let rerun: Value = serde_json::from_str(&json)?;
    let differences = differences(&recorded, &rerun);
    let version_note = if provenance.version == made.version && provenance.commit == made.commit {
        String::new()
    } else {
        format!(
            " (made by piecerate {} at commit {}, checked with {} at commit {})",
            provenance.version,
            provenance.commit.as_deref().unwrap_or("unknown"),
            made.version,
            made.commit.as_deref().unwrap_or("unknown")
        )
    };
    let cells = recorded["cells"].as_array().map_or(0, Vec::len);
    let mut stdout = std::io::stdout().lock();
    if differences.is_empty() {
        writeln!(
            stdout,
            "{}: identical: the {cells} cell{} and every other figure were made again from the same inputs{version_note}",
            path.display(),
            if cells == 1 { "" } else { "s" }
        )?;
        return Ok(());
    }
    for difference in &differences {
        writeln!(stdout, "{difference}")?;
    }
    bail!(
        "{}: {} figure{} differ{} from the {noun} made again{version_note}",
        path.display(),
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
