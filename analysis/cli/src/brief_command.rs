//! `piecerate brief`: the records of `report` in, the advocate's brief out — a self-contained
//! HTML document, or that document printed to PDF by a headless browser — in English or French.
//! It takes every input, filter and parameter of `report`; the renderer is the
//! `piecerate-brief` package, which the collector's `/brief` uses too.

use std::io::Write;
use std::path::PathBuf;

use analysis::report::{DisclosureRules, Publication};
use analysis::{Grouping, Method, Report, ReportBuilder, ReportOptions};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use piecerate_brief::pdf::{Browser, DEFAULT_TIMEOUT};
use piecerate_brief::{Figures, InputFile, Language, Provenance, Source, render_html};

use crate::Output;
use crate::report_command::{Read, ReportArgs, Sources, read};

#[derive(Debug, Clone, Args)]
// The brief always shows the methods `all` and `paid` by its own groupings, and is written as HTML
// or PDF: `report`'s flags for those are hidden here (and refused if given), and `--format`
// is the brief's own.
#[command(
    mut_arg("format", |arg| arg.long("report-format").hide(true)),
    mut_arg("method", |arg| arg.hide(true)),
    mut_arg("methods", |arg| arg.hide(true)),
    mut_arg("by", |arg| arg.hide(true)),
    mut_arg("check", |arg| arg.hide(true)),
)]
pub(crate) struct BriefArgs {
    #[command(flatten)]
    pub(crate) report: ReportArgs,
    /// html (self-contained: inline CSS and SVG, no script) or pdf (the same HTML printed by a
    /// headless browser). Default: from the extension of --out, else html.
    #[arg(long = "format", id = "brief_format", value_enum, value_name = "FORMAT")]
    pub(crate) brief_format: Option<BriefFormat>,
    /// The language of the brief: en or fr.
    #[arg(long, default_value = "en", value_parser = parse_language)]
    pub(crate) lang: Language,
    /// The browser that prints the PDF (Chromium, Google Chrome or Microsoft Edge). Default: the
    /// first of chromium, chromium-browser, google-chrome, microsoft-edge on PATH.
    #[arg(long, env = "PIECERATE_BROWSER", value_name = "PATH")]
    pub(crate) browser: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BriefFormat {
    Html,
    Pdf,
}

fn parse_language(text: &str) -> Result<Language, String> {
    text.parse()
}

/// The format asked for, or the one `--out`'s extension names.
fn format_of(args: &BriefArgs) -> Result<BriefFormat> {
    if let Some(format) = args.brief_format {
        return Ok(format);
    }
    let Some(out) = &args.report.out else { return Ok(BriefFormat::Html) };
    match out.extension().and_then(|extension| extension.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => Ok(BriefFormat::Pdf),
        Some("html" | "htm") => Ok(BriefFormat::Html),
        _ => bail!(
            "--out {}: cannot tell the brief's format from the file's extension; name the file .pdf or .html, or give --format pdf|html",
            out.display()
        ),
    }
}

pub(crate) fn run(args: BriefArgs) -> Result<()> {
    let report = &args.report;
    if report.check.is_some() {
        bail!(
            "--check: the brief is not checked from a report; run piecerate report --check on the report instead"
        );
    }
    if report.methods.is_some() {
        bail!("--methods: the brief always shows two methods side by side, all and paid; drop --methods");
    }
    if report.read.method != Method::All {
        bail!("--method: the brief always shows two methods side by side, all and paid; drop --method");
    }
    if !report.read.by.dimensions().is_empty() {
        bail!(
            "--by: the brief has its own groupings (overall, per platform, per platform and country, per month); drop --by"
        );
    }
    if report.disclosure_control && report.read.currency_basis != analysis::report::CurrencyBasis::Usd {
        bail!(
            "--currency-basis ppp: a brief under --disclosure-control is published in US dollars, as the observatory publishes; drop one of the two"
        );
    }
    let format = format_of(&args)?;
    // Found before the records are read, so a missing browser fails at once.
    let browser = match format {
        BriefFormat::Pdf => Some(Browser::find(args.browser.as_deref())?),
        BriefFormat::Html => None,
    };
    let options = ReportOptions {
        method: Method::All,
        grouping: "platform,country,month".parse().expect("a valid grouping"),
        min_workers: report.read.min_workers,
        min_hours: report.read.min_hours,
        max_hourly_usd: report.read.max_hourly_usd,
        currency_basis: analysis::report::CurrencyBasis::Usd,
    };
    let filter = report.read.filters.filter().unwrap_or_else(|message| crate::usage_error(&message));
    let sources = Sources::of_flags(&report.read, &filter, report.disclosure_control)?;
    let Read { builder, notes, provenance, .. } = read(sources, None, options.clone())?;
    let totals = builder.into_totals().context("reading the records into per-worker totals")?;
    let mut figures = if report.disclosure_control {
        // As the observatory publishes: every report built and protected together.
        let rules = DisclosureRules { min_workers: report.read.min_workers, ..DisclosureRules::default() };
        let publication = Publication::new(options, rules, &Figures::METHODS, totals)?;
        Figures::build(|method, grouping| publication.report(method, grouping, None))?
    } else {
        Figures::build(|method, grouping: &Grouping| -> Result<Report> {
            let mut builder = ReportBuilder::new(ReportOptions {
                method,
                grouping: grouping.clone(),
                currency_basis: report.read.currency_basis,
                ..options.clone()
            });
            for (install, cell, worker_totals) in &totals {
                builder.add_totals(install, cell, worker_totals)?;
            }
            Ok(builder.finish())
        })?
    };
    figures.all.by_platform_country.notes.extend(notes);
    let period = provenance
        .inputs
        .iter()
        .filter_map(|input| input.first_started_at.as_deref().zip(input.last_started_at.as_deref()))
        .fold(None::<(String, String)>, |period, (first, last)| {
            let (first, last) = (&first[..10], &last[..10]);
            Some(match period {
                None => (first.to_owned(), last.to_owned()),
                Some((a, b)) => (a.min(first.to_owned()), b.max(last.to_owned())),
            })
        });
    let flags = provenance.parameters.command_line();
    let flags = flags.strip_prefix("--method all").unwrap_or(&flags).trim_start();
    let brief_provenance = Provenance {
        generated_at: provenance.generated_at.clone(),
        tool: format!("{} {}", provenance.tool, provenance.version),
        commit: provenance.commit.clone(),
        period,
        parameters: format!("piecerate brief --lang {} {flags}", args.lang.code()),
        source: Source::Files {
            inputs: provenance
                .inputs
                .iter()
                .map(|input| InputFile {
                    name: input.name.clone(),
                    sha256: input.sha256.clone(),
                    bytes: input.bytes,
                    records: input.records,
                    bad_lines: input.bad_lines,
                })
                .collect(),
            repeated_records: provenance.repeated_records,
        },
    };
    let html = render_html(&figures, &brief_provenance, args.lang);
    let bytes = match &browser {
        Some(browser) => browser.print(&html, DEFAULT_TIMEOUT)?,
        None => html.into_bytes(),
    };
    let mut output = Output::open(report.out.as_ref())?;
    output.writer().write_all(&bytes).context("cannot write the brief")?;
    output.finish()
}
