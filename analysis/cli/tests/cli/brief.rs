//! `piecerate brief`: the HTML is self-contained and escapes what comes from inputs, a brief of
//! nothing publishable says so, and the PDF — printed by the headless Chromium that
//! `scripts/install-deps` installs, read back with poppler's `pdftotext` and `pdftoppm` — has two
//! to four pages whose headline figures are those of `report --format json`, in English and
//! French.

use std::path::Path;
use std::process::Command;

use crate::common::{path_str, piecerate};

/// Synthetic records of `workers` workers in `dir`.
fn simulated(dir: &Path, workers: u32) -> std::path::PathBuf {
    let records = dir.join("records.csv");
    piecerate(&["simulate", "--workers", &workers.to_string(), "--seed", "7", "--out", path_str(&records)])
        .ok();
    records
}

fn report_json(records: &Path, method: &str) -> serde_json::Value {
    let json =
        piecerate(&["report", "--input", path_str(records), "--method", method, "--format", "json"]).ok();
    serde_json::from_str(&json).unwrap()
}

fn tool(name: &str, args: &[&str]) -> String {
    let output = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{name} (poppler-utils, scripts/install-deps): {error}"));
    assert!(output.status.success(), "{name} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// `2.0712` as the brief writes dollars: `$2.07` or `2,07 $`.
fn dollars(value: f64, lang: &str) -> String {
    let text = format!("{value:.2}");
    if lang == "fr" { format!("{} $", text.replace('.', ",")) } else { format!("${text}") }
}

#[test]
fn the_pdf_has_two_to_four_pages_whose_headline_is_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let records = simulated(dir.path(), 400);
    let all = report_json(&records, "all");
    let paid = report_json(&records, "paid");
    let cell = |report: &serde_json::Value| report["cells"][0].clone();
    let (all, paid) = (cell(&all), cell(&paid));
    assert_eq!(all["suppressed"], false);
    for lang in ["en", "fr"] {
        let pdf = dir.path().join(format!("brief-{lang}.pdf"));
        piecerate(&["brief", "--input", path_str(&records), "--lang", lang, "--out", path_str(&pdf)]).ok();
        let info = tool("pdfinfo", &[path_str(&pdf)]);
        let pages: u32 = info
            .lines()
            .find_map(|line| line.strip_prefix("Pages:"))
            .expect("pdfinfo names the pages")
            .trim()
            .parse()
            .unwrap();
        assert!((2..=4).contains(&pages), "{lang}: {pages} pages");
        assert!(info.contains("A4"), "{lang}: {info}");
        // Every page renders.
        let prefix = dir.path().join(format!("page-{lang}"));
        tool("pdftoppm", &["-r", "30", "-png", path_str(&pdf), path_str(&prefix)]);
        let rendered = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|entry| {
                entry.as_ref().unwrap().file_name().to_string_lossy().starts_with(&format!("page-{lang}"))
            })
            .count();
        assert_eq!(rendered as u32, pages, "{lang}");
        let text = tool("pdftotext", &[path_str(&pdf), "-"]).replace('\u{a0}', " ");
        let first_page =
            tool("pdftotext", &["-f", "1", "-l", "1", path_str(&pdf), "-"]).replace('\u{a0}', " ");
        for (name, cell) in [("all", &all), ("paid", &paid)] {
            let median = dollars(cell["median_hourly_usd"].as_f64().unwrap(), lang);
            assert!(
                first_page.contains(&format!("{median}/h")),
                "{lang}: the median under {name}, {median}/h"
            );
            for end in cell["median_ci95_usd"].as_array().unwrap() {
                let end = dollars(end.as_f64().unwrap(), lang);
                assert!(first_page.contains(&end), "{lang}: the interval of the median under {name}: {end}");
            }
        }
        let share = format!("{:.0}", all["share_below_local_minimum"].as_f64().unwrap() * 100.0);
        let share = if lang == "fr" { format!("{share} %") } else { format!("{share}%") };
        assert!(first_page.contains(&share), "{lang}: the share below the local minimum, {share}");
        for end in all["share_below_local_minimum_ci95"].as_array().unwrap() {
            let end = format!("{:.0}", end.as_f64().unwrap() * 100.0);
            let end = if lang == "fr" { format!("{end} %") } else { format!("{end}%") };
            assert!(first_page.contains(&end), "{lang}: the share's interval, {end}");
        }
        let known = all["n_workers_with_known_minimum"].as_u64().unwrap().to_string();
        assert!(first_page.contains(&known), "{lang}: the workers whose minimum is known, {known}");
        let (title, methodology) = match lang {
            "en" => ("Effective hourly wages of microtask work", "How this was measured"),
            _ => ("Salaires horaires effectifs du micro-travail", "Méthode"),
        };
        assert!(first_page.contains(title), "{lang}");
        assert!(text.contains(methodology) && text.contains("Provenance"), "{lang}");
        // The provenance names the input's hash.
        let sha = tool("sha256sum", &[path_str(&records)]);
        assert!(text.contains(sha.split_whitespace().next().unwrap()), "{lang}: the input's SHA-256");
    }
}

#[test]
fn the_html_is_self_contained_and_escapes_what_comes_from_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let records = simulated(dir.path(), 60);
    // A file name is text from the user: it must come out as text.
    let hostile = dir.path().join("<b onmouseover=alert(1)>&x.csv");
    std::fs::copy(&records, &hostile).unwrap();
    let html = piecerate(&["brief", "--input", path_str(&hostile), "--format", "html"]).ok();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    let lower = html.to_lowercase();
    for forbidden in [
        "<script", "src=", "href=", "url(", "@import", "http:", "https:", "<link", "<iframe", "<object",
        "<img",
    ] {
        assert!(!lower.contains(forbidden), "the brief contains {forbidden}");
    }
    assert!(html.contains("&lt;b onmouseover=alert(1)&gt;&amp;x.csv"), "the file name is escaped");
    assert!(!html.contains("<b onmouseover"));
    // Every chart has its figures as text: a table after each SVG.
    assert!(
        html.contains("<svg")
            && html.contains("role=\"img\"")
            && html.contains("<title id=\"spread-title\">")
    );
    assert!(html.contains("class=\"figures-table\""));
}

#[test]
fn a_brief_with_no_publishable_cell_says_so_and_shows_no_figure() {
    let dir = tempfile::tempdir().unwrap();
    let records = simulated(dir.path(), 6);
    for lang in ["en", "fr"] {
        let html = piecerate(&["brief", "--input", path_str(&records), "--lang", lang]).ok();
        assert!(html.contains("id=\"nothing-published\""), "{lang}");
        assert!(!html.contains("headline-median-all"), "{lang}");
        let suppressed = if lang == "en" {
            "suppressed: fewer than 10 workers"
        } else {
            "masqué\u{a0}: moins de 10 travailleurs"
        };
        assert!(html.contains(suppressed), "{lang}: suppressed cells say so");
        // No wage figure anywhere in the table: every row of it is a suppressed one.
        let table = &html[html.find("id=\"cells-table\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(
            table.matches("<tr>").count() - 1,
            table.matches("class=\"suppressed\"").count(),
            "{lang}"
        );
    }
}

#[test]
fn the_brief_refuses_what_it_cannot_do_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let records = simulated(dir.path(), 6);
    let input = path_str(&records);
    for (args, flag) in [
        (vec!["--method", "paid"], "--method"),
        (vec!["--by", "platform"], "--by"),
        (vec!["--out", "brief.txt"], "--out"),
        (vec!["--lang", "de"], "de"),
        (vec!["--format", "pdf", "--browser", "/nonexistent/chromium"], "/nonexistent/chromium"),
    ] {
        let mut all = vec!["brief", "--input", input];
        all.extend(args);
        let run = piecerate(&all);
        assert_ne!(run.status, 0, "{all:?}");
        assert!(run.stderr.contains(flag), "{all:?}: {}", run.stderr);
    }
    // Without any browser on PATH, the error says how to get a PDF anyway.
    let output = Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .args(["brief", "--input", input, "--out", path_str(&dir.path().join("b.pdf"))])
        .env("PATH", dir.path())
        .env_remove("PIECERATE_BROWSER")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("--browser") && stderr.contains("brief.html"),
        "{stderr}"
    );
    assert!(!dir.path().join("b.pdf").exists());
}
