//! Which versions of the reference tables (`analysis/data/`) this build carries, so that a
//! report can be traced to the minimum wages, exchange rates and PPP factors it used: the
//! binaries print them with `--version`. `build.rs` derives them from the files.

use std::fmt;

/// One compiled-in table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableVersion {
    /// What the table holds, e.g. "minimum wages".
    pub name: &'static str,
    /// Its file under `analysis/data/`.
    pub file: &'static str,
    /// Data rows, the header not counted.
    pub rows: u32,
    /// The latest period it covers (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`); none for the ISO lists.
    pub latest: Option<&'static str>,
    /// The first 12 hex digits of the file's SHA-256, as `sha256sum analysis/data/FILE` shows.
    pub sha256: &'static str,
}

/// Every reference table compiled into the library.
pub const REFERENCE_TABLES: &[TableVersion] = &include!(concat!(env!("OUT_DIR"), "/table_versions.rs"));

impl fmt::Display for TableVersion {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} ({}): {} rows", self.name, self.file, self.rows)?;
        if let Some(latest) = self.latest {
            write!(formatter, ", latest {latest}")?;
        }
        write!(formatter, ", sha256 {}", self.sha256)
    }
}

/// The text a binary's `--version` prints after its name: the version, the commit it was built
/// from (`None` outside a git checkout, e.g. from a source archive) and every table, one a line.
pub fn long_version(version: &str, commit: Option<&str>, commit_date: Option<&str>) -> String {
    let mut text = format!("{version}\ncommit: ");
    match (commit, commit_date) {
        (Some(commit), Some(date)) => text.push_str(&format!("{commit} ({date})")),
        (Some(commit), None) => text.push_str(commit),
        (None, _) => text.push_str("unknown (not built from a git checkout)"),
    }
    text.push_str("\nreference tables:");
    for table in REFERENCE_TABLES {
        text.push_str(&format!("\n  {table}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use sha2::Digest;

    use super::*;

    #[test]
    fn every_table_is_described_from_its_file() {
        let names: Vec<&str> = REFERENCE_TABLES.iter().map(|table| table.file).collect();
        assert_eq!(
            names,
            [
                "minimum_wages.csv",
                "usd_exchange_rates.csv",
                "ppp_factors.csv",
                "countries.csv",
                "currencies.csv"
            ]
        );
        for table in REFERENCE_TABLES {
            let bytes = std::fs::read(format!("{}/data/{}", env!("CARGO_MANIFEST_DIR"), table.file))
                .expect("reading the table");
            let text = String::from_utf8(bytes.clone()).expect("UTF-8");
            let rows = text.lines().skip(1).filter(|line| !line.is_empty()).count();
            assert_eq!(table.rows as usize, rows, "{}", table.file);
            let hash: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(table.sha256, &hash[..12], "{}", table.file);
        }
    }

    #[test]
    fn the_latest_period_is_the_greatest_of_the_table() {
        let latest = |file: &str| REFERENCE_TABLES.iter().find(|t| t.file == file).and_then(|t| t.latest);
        // In force from: a date. Exchange rates mix years and months; PPP factors are yearly.
        let minimum = latest("minimum_wages.csv").expect("a latest date");
        assert_eq!(minimum.len(), 10, "{minimum}");
        let rates = latest("usd_exchange_rates.csv").expect("a latest period");
        assert!(rates.len() == 4 || rates.len() == 7, "{rates}");
        assert_eq!(latest("ppp_factors.csv").map(str::len), Some(4));
        assert_eq!(latest("countries.csv"), None);
    }

    #[test]
    fn the_long_version_names_the_commit_or_says_it_is_unknown() {
        let text = long_version("1.2.3", Some("abcdef0123456789"), Some("2026-01-02"));
        assert!(
            text.starts_with("1.2.3\ncommit: abcdef0123456789 (2026-01-02)\nreference tables:\n"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 3 + REFERENCE_TABLES.len());
        assert!(text.contains("  minimum wages (minimum_wages.csv): "), "{text}");
        let unknown = long_version("1.2.3", None, None);
        assert!(unknown.contains("commit: unknown (not built from a git checkout)\n"), "{unknown}");
    }
}
