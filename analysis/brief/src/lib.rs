//! The advocate's brief: wage reports rendered as one short, printable, citable document — the
//! headline under two definitions of the wage, the spread per platform, the monthly trend, the
//! table per platform and country against the local minimum wage, the methodology, the sources
//! and the provenance — in English or French.
//!
//! One renderer for everyone who publishes one: `piecerate brief` (from record files) and the
//! collector's `/brief` and `/brief.pdf` (from its published, disclosure-controlled figures) both
//! call [`render_html`]. The HTML is self-contained (inline CSS and SVG, no script, nothing
//! fetched) and the PDF is that same HTML printed by a headless browser ([`pdf`]), so the two
//! cannot say different things. `docs/brief.md` says why the PDF is made this way.

mod catalogue;
mod charts;
mod document;
mod notes;
pub mod pdf;

use analysis::{Grouping, Method, Report};

pub use catalogue::Language;
pub use document::{STYLESHEET, render_html};
pub use notes::note_in;

/// The reports of one method the brief is made of.
#[derive(Debug, Clone)]
pub struct MethodReports {
    /// One cell for all workers: the headline.
    pub overall: Report,
    /// The spread per platform (the chart).
    pub by_platform: Report,
    /// The table.
    pub by_platform_country: Report,
    /// The monthly trend.
    pub by_month: Report,
}

/// Everything the brief shows: the reports of the two definitions of the wage side by side, as
/// the ILO's 2018 report does — all time workers give (`all`, the headline) and paid time only.
#[derive(Debug, Clone)]
pub struct Figures {
    pub all: MethodReports,
    pub paid: MethodReports,
}

impl Figures {
    /// The methods of the brief, in the order of [`Figures`]' fields.
    pub const METHODS: [Method; 2] = [Method::All, Method::Paid];

    /// The groupings of each method's reports, in the order of [`MethodReports`]' fields.
    pub fn groupings() -> [Grouping; 4] {
        ["", "platform", "platform,country", "month"].map(|by| by.parse().expect("a valid grouping"))
    }

    /// Asks `report` for each method and grouping the brief needs.
    pub fn build<E>(mut report: impl FnMut(Method, &Grouping) -> Result<Report, E>) -> Result<Figures, E> {
        let [overall, platform, platform_country, month] = Figures::groupings();
        let mut of = |method| -> Result<MethodReports, E> {
            Ok(MethodReports {
                overall: report(method, &overall)?,
                by_platform: report(method, &platform)?,
                by_platform_country: report(method, &platform_country)?,
                by_month: report(method, &month)?,
            })
        };
        Ok(Figures { all: of(Method::All)?, paid: of(Method::Paid)? })
    }
}

/// What the figures were made from, when and how: the brief's last section, so that anyone can
/// cite it and trace it.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// RFC 3339, UTC.
    pub generated_at: String,
    /// `piecerate 0.1.0` or `piecerate-collector 0.1.0`.
    pub tool: String,
    /// The git commit the binary was built from, when known.
    pub commit: Option<String>,
    /// The first and last day of the records (`YYYY-MM-DD`), when known.
    pub period: Option<(String, String)>,
    /// The parameters, as the command line or the observatory's configuration states them.
    pub parameters: String,
    pub source: Source,
}

/// Where the records came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Record files read by `piecerate brief`.
    Files { inputs: Vec<InputFile>, repeated_records: u64 },
    /// An observatory's published figures (its database has no file to hash).
    Observatory {
        /// The number of workers' totals the publication was built from.
        workers: u64,
        /// Shown first, e.g. that the observatory runs on synthetic demonstration data.
        notice: Option<String>,
        /// The observatory's latest citable snapshot, which the brief names under its title.
        snapshot: Option<Citation>,
    },
}

/// A citable snapshot: its UTC day (`YYYY-MM-DD`) and the SHA-256 of its JSON document, in hex.
#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    pub date: String,
    pub sha256: String,
}

impl Citation {
    /// The first twelve hex digits, as pages quote the hash (the dashboard does the same).
    pub fn short_hash(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }
}

/// One input file as it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct InputFile {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
    pub bad_lines: u64,
}
