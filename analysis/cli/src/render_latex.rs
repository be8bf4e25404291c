//! The LaTeX rendering of a report, for papers: one `booktabs` table (`\toprule`, `\midrule`,
//! `\bottomrule`) with each cell's workers, median, mean and shares with their 95% intervals,
//! its notes under the table, and the provenance as comment lines. Every text that comes from
//! data (group names, notes, file names) goes through [`escape`].

use analysis::report::{CellStatistics, Report};

use crate::provenance::Provenance;

/// Text with LaTeX's special characters written as LaTeX prints them: `\ & % $ # _ { } ~ ^`,
/// and line breaks as spaces (a blank line would end the paragraph inside a cell).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn interval(ends: Option<[f64; 2]>, scale: f64, decimals: usize) -> String {
    // Rounded outward like the library's ends, with a nudge for ends already on a step.
    let step = 10f64.powi(decimals as i32) * scale;
    ends.map_or_else(
        || "n/a".to_owned(),
        |[low, high]| {
            format!(
                "[{:.decimals$}, {:.decimals$}]",
                (low * step + 1e-6).floor() / 10f64.powi(decimals as i32),
                (high * step - 1e-6).ceil() / 10f64.powi(decimals as i32)
            )
        },
    )
}

fn percent(share: f64) -> String {
    format!("{:.1}", share * 100.0)
}

fn figures(s: &CellStatistics) -> Vec<String> {
    vec![
        s.n_workers.to_string(),
        format!("{:.2}", s.median_hourly_usd),
        interval(s.median_ci95_usd, 1.0, 2),
        format!("{:.2}", s.mean_hourly_usd),
        interval(s.mean_ci95_usd, 1.0, 2),
        percent(s.share_below_usd_7_25),
        interval(Some(s.share_below_usd_7_25_ci95), 100.0, 1),
        s.share_below_local_minimum.map_or_else(|| "n/a".to_owned(), percent),
        interval(s.share_below_local_minimum_ci95, 100.0, 1),
    ]
}

const FIGURE_HEADERS: [&str; 9] = [
    "Workers",
    "Median \\$/h",
    "95\\% CI",
    "Mean \\$/h",
    "95\\% CI",
    "Below \\$7.25 (\\%)",
    "95\\% CI",
    "Below local min.\\ (\\%)",
    "95\\% CI",
];

pub(crate) fn render(report: &Report, title: &str, notes: &[String], provenance: &Provenance) -> String {
    let dimensions = report.grouping.dimensions();
    let mut out = String::new();
    for line in provenance.lines() {
        out.push_str(&format!("% {}\n", line.replace(['\n', '\r'], " ")));
    }
    out.push_str("% Needs \\usepackage{booktabs}.\n");
    out.push_str("\\begin{table}[htbp]\n\\centering\n\\small\n");
    out.push_str(&format!("\\caption{{{}.}}\n", escape(title)));
    out.push_str("\\label{tab:piecerate-wages}\n");
    let side_by_side = !report.methods.is_empty();
    let text_columns = dimensions.len().max(1) + usize::from(side_by_side);
    out.push_str(&format!(
        "\\begin{{tabular}}{{{}{}}}\n\\toprule\n",
        "l".repeat(text_columns),
        "r".repeat(FIGURE_HEADERS.len())
    ));
    let mut header: Vec<String> = dimensions.iter().map(|d| escape(&capitalised(d.as_str()))).collect();
    if dimensions.is_empty() {
        header.push("Group".to_owned());
    }
    if side_by_side {
        header.push("Method".to_owned());
    }
    header.extend(FIGURE_HEADERS.iter().map(|h| (*h).to_owned()));
    out.push_str(&format!("{} \\\\\n\\midrule\n", header.join(" & ")));
    for cell in &report.cells {
        let mut row: Vec<String> = dimensions
            .iter()
            .map(|d| escape(&cell.key.value(*d).unwrap_or_else(|| "unknown".to_owned())))
            .collect();
        if dimensions.is_empty() {
            row.push("All workers".to_owned());
        }
        if side_by_side {
            row.push(escape(&cell.method.map(|method| method.to_string()).unwrap_or_default()));
        }
        match &cell.statistics {
            Some(statistics) => row.extend(figures(statistics)),
            None => row.push(format!(
                "\\multicolumn{{{}}}{{l}}{{{}}}",
                FIGURE_HEADERS.len(),
                escape(&match cell.n_workers_fewer_than {
                    Some(k) => format!("suppressed: fewer than {k} workers"),
                    None => "suppressed so that no subtraction reveals a smaller cell".to_owned(),
                })
            )),
        }
        out.push_str(&format!("{} \\\\\n", row.join(" & ")));
    }
    out.push_str("\\bottomrule\n\\end{tabular}\n");
    if !notes.is_empty() {
        out.push_str("\\par\\smallskip\n\\begin{minipage}{\\linewidth}\\footnotesize\n");
        for note in notes {
            out.push_str(&format!("{}\\par\n", escape(note)));
        }
        out.push_str("\\end{minipage}\n");
    }
    out.push_str("\\end{table}\n");
    out
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            escape(r"50% of $7.25 & #1_{a}~b^c\d"),
            r"50\% of \$7.25 \& \#1\_\{a\}\textasciitilde{}b\textasciicircum{}c\textbackslash{}d"
        );
        assert_eq!(escape("two\nlines"), "two lines");
    }
}
