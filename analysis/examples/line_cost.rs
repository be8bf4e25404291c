//! What one line of a large CSV input costs `piecerate report`, stage by stage, in nanoseconds:
//! finding the lines (`memchr`, as the report's reader does), reading each into a `Record`
//! (`record_from_plain_csv_text`, the report's fast path), and reading each and adding it to a
//! `ReportBuilder` grouped by platform and country (the last two apart give the adding's cost).
//!
//!     cargo run --release -p analysis --example line_cost -- FILE [LINES]
//!
//! The first LINES data lines of FILE (2,000,000 by default; the benchmark file of
//! `scripts/bench-report` suits) are cut into blocks of about 1 MiB of whole lines, and each
//! block is copied into one buffer before it is timed, as the report's reader reads its blocks,
//! so the bytes are in cache as they are there. Each stage is timed three times over all blocks.
//! A single line repeated in a loop costs far less than these varied lines
//! (docs/benchmarks.md, "Wage report").

use std::hint::black_box;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use analysis::format::record_from_plain_csv_text;
use analysis::report::{Dimension, Grouping, ReportBuilder, ReportOptions};

const BLOCK_BYTES: usize = 1 << 20;
const ROUNDS: usize = 3;

fn main() -> Result<(), String> {
    let mut arguments = std::env::args().skip(1);
    let path = arguments.next().ok_or("usage: line_cost FILE [LINES]")?;
    let most_lines = match arguments.next() {
        Some(text) => text.parse::<usize>().map_err(|_| format!("LINES: '{text}' is not a whole number"))?,
        None => 2_000_000,
    };
    let file = std::fs::File::open(&path).map_err(|error| format!("{path}: {error}"))?;
    let data_lines = std::io::BufReader::new(file)
        .lines()
        .skip(1)
        .take(most_lines)
        .collect::<Result<Vec<String>, _>>()
        .map_err(|error| format!("{path}: {error}"))?;
    if data_lines.is_empty() {
        return Err(format!("{path}: no line after the header"));
    }
    let blocks = blocks_of(&data_lines);
    let lines = data_lines.len() as f64;
    let mut out = std::io::stdout().lock();
    let written = |result: std::io::Result<()>| result.map_err(|error| format!("standard output: {error}"));
    written(writeln!(out, "{} lines of {path} in {} blocks", data_lines.len(), blocks.len()))?;

    let mut buffer = String::with_capacity(2 * BLOCK_BYTES);
    for _ in 0..ROUNDS {
        let (mut finding, mut reading, mut reading_and_adding) =
            (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let mut records = 0usize;
        let mut builder = ReportBuilder::new(ReportOptions {
            grouping: Grouping::new(&[Dimension::Platform, Dimension::Country]),
            ..ReportOptions::default()
        });
        for block in &blocks {
            buffer.clear();
            buffer.push_str(block);
            let started = Instant::now();
            for_each_line(&buffer, |line, _| {
                black_box(line);
            });
            finding += started.elapsed();

            let started = Instant::now();
            for_each_line(&buffer, |line, number| {
                records += usize::from(black_box(record_from_plain_csv_text(line, number)).is_ok());
            });
            reading += started.elapsed();

            let started = Instant::now();
            for_each_line(&buffer, |line, number| {
                if let Ok(record) = record_from_plain_csv_text(line, number) {
                    builder.add(&record);
                }
            });
            reading_and_adding += started.elapsed();
        }
        black_box(builder.finish());
        let per_line = |time: Duration| time.as_nanos() as f64 / lines;
        written(writeln!(
            out,
            "finding lines {:.1} ns, reading records {:.1} ns, reading and adding to the report {:.1} ns \
             a line; {records} of the {} lines are records",
            per_line(finding),
            per_line(reading),
            per_line(reading_and_adding),
            data_lines.len(),
        ))?;
    }
    Ok(())
}

/// Calls `visit` with each line of `block` (which ends with a line break) and a line number for
/// error messages (from 2 in each block, as if after a header).
fn for_each_line(block: &str, mut visit: impl FnMut(&str, u64)) {
    let mut start = 0;
    for (index, end) in memchr::memchr_iter(b'\n', block.as_bytes()).enumerate() {
        visit(&block[start..end], index as u64 + 2);
        start = end + 1;
    }
}

/// The lines joined into blocks of about [`BLOCK_BYTES`], each ending with a line break.
fn blocks_of(lines: &[String]) -> Vec<String> {
    let mut blocks = vec![String::new()];
    for line in lines {
        let block = blocks.last_mut().expect("one block at least");
        block.push_str(line);
        block.push('\n');
        if block.len() >= BLOCK_BYTES {
            blocks.push(String::new());
        }
    }
    blocks.retain(|block| !block.is_empty());
    blocks
}
