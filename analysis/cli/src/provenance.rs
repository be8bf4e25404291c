//! The provenance of a report: what made it (tool, version, commit, reference tables), when,
//! from what (each input's name, SHA-256, record count and period) and with which parameters,
//! so that a figure can be cited, traced to a file and recomputed (`piecerate report --check`).
//! The JSON rendering carries it as the object `provenance`; the others as a footer.

use analysis::record_filter::{RecordFilter, country_word};
use analysis::reference_versions::REFERENCE_TABLES;
use analysis::{Method, ReportOptions, Timestamp};
use serde::{Deserialize, Serialize};

/// Everything a report was made from. `docs/report-format.md` describes each field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Provenance {
    pub tool: String,
    pub version: String,
    /// The commit the binary was built from, when it was built from a git checkout.
    pub commit: Option<String>,
    /// When the report was made (`--generated-at` or `SOURCE_DATE_EPOCH` fix it).
    pub generated_at: String,
    pub parameters: Parameters,
    pub inputs: Vec<InputFacts>,
    /// Records left out, over all inputs, because their `record_id` had been read before.
    pub repeated_records: u64,
    /// The fingerprints of the salts of the requester imports among the inputs; more than one
    /// means a worker may be counted as several.
    pub import_salts: Vec<String>,
    pub reference_tables: Vec<TableFacts>,
}

/// The flags that shape the figures, as `piecerate report` takes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Parameters {
    pub method: String,
    /// `--methods`: the methods side by side, comma-separated (`method` is then the broadest);
    /// absent from reports of one method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<String>,
    pub by: String,
    pub min_workers: u32,
    pub min_hours: f64,
    pub max_hourly_usd: f64,
    pub currency_basis: String,
    pub strict: bool,
    /// `--disclosure-control`; absent from reports made without it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disclosure_control: bool,
    /// `--from`, `--to`, `--platform`, `--country`; absent from reports made without them.
    #[serde(flatten)]
    pub filters: FilterParameters,
    /// `piecerate compare`'s periods and bootstrap; absent from reports.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<ComparisonParameters>,
}

/// The flags of `piecerate compare` beyond a report's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ComparisonParameters {
    pub before: String,
    pub after: String,
    pub seed: u64,
    pub replicates: u32,
}

/// The filters of a report as its command line gives them, each absent when not given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FilterParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl FilterParameters {
    pub(crate) fn of(filter: &RecordFilter) -> FilterParameters {
        FilterParameters {
            from: filter.from().map(|day| day.to_string()),
            to: filter.to().map(|day| day.to_string()),
            platform: filter
                .platforms()
                .map(|list| list.iter().map(|platform| platform.as_str()).collect::<Vec<_>>().join(",")),
            country: filter
                .countries()
                .map(|list| list.iter().map(|country| country_word(*country)).collect::<Vec<_>>().join(",")),
        }
    }

    /// The filter again, as the flags would parse it.
    pub(crate) fn filter(&self) -> anyhow::Result<RecordFilter> {
        use crate::filter_args::{FilterArgs, parse_countries, parse_day, parse_platforms};
        let field = |name: &'static str| move |error: String| anyhow::anyhow!("{name}: {error}");
        let args = FilterArgs {
            from: self.from.as_deref().map(parse_day).transpose().map_err(field("from"))?,
            to: self.to.as_deref().map(parse_day).transpose().map_err(field("to"))?,
            platform: self.platform.as_deref().map(parse_platforms).transpose().map_err(field("platform"))?,
            country: self.country.as_deref().map(parse_countries).transpose().map_err(field("country"))?,
        };
        args.filter().map_err(anyhow::Error::msg)
    }
}

impl Parameters {
    /// The parameters of a report made with `options` (a comparison adds its own).
    pub(crate) fn of(
        options: &ReportOptions,
        strict: bool,
        disclosure_control: bool,
        filter: &RecordFilter,
    ) -> Parameters {
        Parameters {
            method: options.method.to_string(),
            methods: None,
            by: options.grouping.to_string(),
            min_workers: options.min_workers,
            min_hours: options.min_hours,
            max_hourly_usd: options.max_hourly_usd,
            currency_basis: options.currency_basis.as_str().to_owned(),
            strict,
            disclosure_control,
            filters: FilterParameters::of(filter),
            comparison: None,
        }
    }

    /// The methods side by side, as `--methods` gives them (`None` for a report of one method).
    pub(crate) fn side_by_side(&self) -> anyhow::Result<Option<Vec<Method>>> {
        self.methods
            .as_deref()
            .map(|list| {
                crate::report_command::parse_methods(list)
                    .map(|methods| methods.0)
                    .map_err(|error| anyhow::anyhow!("methods: {error}"))
            })
            .transpose()
    }

    /// The flags as they are typed.
    pub(crate) fn command_line(&self) -> String {
        let mut flags = match &self.methods {
            Some(methods) => format!("--methods {methods}"),
            None => format!("--method {}", self.method),
        };
        if !self.by.is_empty() {
            flags.push_str(&format!(" --by {}", self.by));
        }
        flags.push_str(&format!(
            " --min-workers {} --min-hours {} --max-hourly-usd {} --currency-basis {}",
            self.min_workers, self.min_hours, self.max_hourly_usd, self.currency_basis
        ));
        if self.strict {
            flags.push_str(" --strict");
        }
        if self.disclosure_control {
            flags.push_str(" --disclosure-control");
        }
        for (flag, value) in [
            ("--from", &self.filters.from),
            ("--to", &self.filters.to),
            ("--platform", &self.filters.platform),
            ("--country", &self.filters.country),
        ] {
            if let Some(value) = value {
                flags.push_str(&format!(" {flag} {value}"));
            }
        }
        if let Some(comparison) = &self.comparison {
            flags = format!(
                "--before {} --after {} --seed {} --replicates {} {flags}",
                comparison.before, comparison.after, comparison.seed, comparison.replicates
            );
        }
        flags
    }
}

/// One input as it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct InputFacts {
    /// As given on the command line (`-` for standard input).
    pub name: String,
    /// Of the bytes as they were read (a gzip file's compressed bytes), as `sha256sum` shows it.
    pub sha256: String,
    pub bytes: u64,
    /// Records counted in the report.
    pub records: u64,
    pub repeated_records: u64,
    /// Valid records the filters left out; absent when none was.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub filtered_out_records: u64,
    pub bad_lines: u64,
    /// The earliest and latest `started_at` of the records counted.
    pub first_started_at: Option<String>,
    pub last_started_at: Option<String>,
    pub import_salts: Vec<String>,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// One reference table compiled into the binary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TableFacts {
    pub name: String,
    pub file: String,
    pub rows: u32,
    pub latest: Option<String>,
    /// The first 12 hex digits of the file's SHA-256.
    pub sha256: String,
}

/// The tables this binary carries.
pub(crate) fn reference_tables() -> Vec<TableFacts> {
    REFERENCE_TABLES
        .iter()
        .map(|table| TableFacts {
            name: table.name.to_owned(),
            file: table.file.to_owned(),
            rows: table.rows,
            latest: table.latest.map(str::to_owned),
            sha256: table.sha256.to_owned(),
        })
        .collect()
}

/// The salt fingerprint as provenance writes it.
pub(crate) fn salt_name(salt: Option<analysis::import::SaltFingerprint>) -> String {
    salt.map_or_else(|| "unrecorded".to_owned(), |salt| salt.to_string())
}

impl Provenance {
    /// The provenance of what this binary made at `generated_at` with `parameters` from
    /// `inputs`: the one place the tool, its version and commit and its reference tables are
    /// written, for reports and comparisons alike.
    pub(crate) fn new(
        generated_at: Timestamp,
        parameters: Parameters,
        inputs: Vec<InputFacts>,
        repeated_records: u64,
        import_salts: Vec<String>,
    ) -> Provenance {
        Provenance {
            tool: "piecerate".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            commit: option_env!("PIECERATE_GIT_COMMIT").map(str::to_owned),
            generated_at: generated_at.to_string(),
            parameters,
            inputs,
            repeated_records,
            import_salts,
            reference_tables: reference_tables(),
        }
    }

    /// The same facts as lines of text, for the footers of the CSV, table and Markdown renderings.
    pub(crate) fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "Made by {} {} (commit {}) at {}.",
            self.tool,
            self.version,
            self.commit.as_deref().unwrap_or("unknown"),
            self.generated_at
        )];
        lines.push(format!("Parameters: {}.", self.parameters.command_line()));
        for input in &self.inputs {
            let period = match (&input.first_started_at, &input.last_started_at) {
                (Some(first), Some(last)) => format!(", started from {first} to {last}"),
                _ => String::new(),
            };
            let salts = if input.import_salts.is_empty() {
                String::new()
            } else {
                format!(
                    ", import salt{} {}",
                    if input.import_salts.len() == 1 { "" } else { "s" },
                    input.import_salts.join(" ")
                )
            };
            let filtered = if input.filtered_out_records > 0 {
                format!(", {} left out by the filters", input.filtered_out_records)
            } else {
                String::new()
            };
            lines.push(format!(
                "Input {}: sha256 {}, {} bytes, {} records counted ({} repeated, {} bad lines{filtered}){period}{salts}.",
                input.name, input.sha256, input.bytes, input.records, input.repeated_records, input.bad_lines
            ));
        }
        if self.repeated_records > 0 {
            lines.push(format!("Repeated records left out: {}.", self.repeated_records));
        }
        if self.import_salts.len() > 1 {
            lines.push(format!(
                "Warning: the inputs mix {} import salts ({}); a worker imported in separate runs is counted as several.",
                self.import_salts.len(),
                self.import_salts.join(", ")
            ));
        }
        let tables: Vec<String> = self
            .reference_tables
            .iter()
            .map(|table| {
                let latest =
                    table.latest.as_deref().map_or_else(String::new, |latest| format!(", latest {latest}"));
                format!(
                    "{} ({}, {} rows{latest}, sha256 {})",
                    table.name, table.file, table.rows, table.sha256
                )
            })
            .collect();
        lines.push(format!("Reference tables: {}.", tables.join("; ")));
        lines
    }
}
