//! Bad lines and rows on stderr: each named with its file and line, but a problem repeated on
//! many lines with only its numbers changing (every timestamp of a file without a zone, say) is
//! written once with its fix and then counted, so the one message that matters is not lost among thousands of copies.

use std::collections::HashMap;
use std::io::{self, Write};

/// How many lines of one kind of problem are written in full before the rest are only counted.
const WRITTEN_PER_KIND: u32 = 1;
/// How many problems an error about an input that gave nothing quotes.
const QUOTED_REASONS: usize = 3;

/// The problems of the inputs of one run.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    /// Per kind of problem in the current input: how often it was seen and its first line.
    kinds: HashMap<String, Kind>,
    /// Kinds in the order they were first seen, for the summary.
    order: Vec<String>,
    /// The first problem of each of the first kinds seen in the run.
    first: Vec<String>,
}

#[derive(Debug)]
struct Kind {
    count: u64,
    first_line: u64,
    last_line: u64,
    problem: String,
}

impl Problems {
    /// Writes `NAME:LINE: problem`, or counts it when the same kind was written already.
    pub(crate) fn add(
        &mut self,
        out: &mut impl Write,
        name: &str,
        line: u64,
        problem: &str,
    ) -> io::Result<()> {
        let text = format!("{name}:{line}: {problem}");
        let key = kind_of(problem);
        let kind = self.kinds.entry(key.clone()).or_insert_with(|| Kind {
            count: 0,
            first_line: line,
            last_line: line,
            problem: problem.to_owned(),
        });
        kind.count += 1;
        kind.last_line = line;
        if kind.count == 1 {
            self.order.push(key);
            if self.first.len() < QUOTED_REASONS {
                self.first.push(text.clone());
            }
        }
        if kind.count <= u64::from(WRITTEN_PER_KIND) {
            // One write per line, so that the line reaches the terminal whole.
            out.write_all(format!("{text}\n").as_bytes())?;
        }
        Ok(())
    }

    /// Ends an input: writes how many more lines had each problem written only once.
    pub(crate) fn end_input(&mut self, out: &mut impl Write, name: &str, unit: &str) -> io::Result<()> {
        for key in std::mem::take(&mut self.order) {
            let kind = &self.kinds[&key];
            let more = kind.count - u64::from(WRITTEN_PER_KIND).min(kind.count);
            if more > 0 {
                let text = format!(
                    "piecerate: {name}: {more} more {unit}{} (up to line {}) had the same problem as line {}: {}\n",
                    if more == 1 { "" } else { "s" },
                    kind.last_line,
                    kind.first_line,
                    kind.problem
                );
                out.write_all(text.as_bytes())?;
            }
        }
        self.kinds.clear();
        Ok(())
    }

    /// The first problems of the run, for an error that says why nothing could be read.
    pub(crate) fn first_reasons(&self) -> String {
        if self.first.is_empty() {
            return String::new();
        }
        format!(
            "; the first problem{}: {}",
            if self.first.len() == 1 { "" } else { "s" },
            self.first.join(" | ")
        )
    }
}

/// A problem without its digits: lines whose problems differ only in numbers (the line's time,
/// a count) have the same problem, while different values quoted back ('fiverr', 'three cents')
/// stay apart and are each written.
fn kind_of(problem: &str) -> String {
    problem.chars().filter(|character| !character.is_ascii_digit()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_differing_only_in_numbers_are_of_one_kind() {
        assert_eq!(
            kind_of("AcceptTime: '2020-02-06 23:22:13' has no time zone; e.g. -05:00"),
            kind_of("AcceptTime: '2020-02-04 10:25:54' has no time zone; e.g. -05:00")
        );
        assert_ne!(
            kind_of("Reward: '-$0.03' is not a reward"),
            kind_of("Reward: 'three cents' is not a reward")
        );
    }

    #[test]
    fn a_repeated_problem_is_written_once_then_counted() {
        let mut problems = Problems::default();
        let mut out = Vec::new();
        for line in 2..=34 {
            problems.add(&mut out, "f.csv", line, &format!("AcceptTime: '{line}' has no time zone")).unwrap();
        }
        problems.add(&mut out, "f.csv", 35, "platform: 'x' is unknown").unwrap();
        problems.end_input(&mut out, "f.csv", "line").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "f.csv:2: AcceptTime: '2' has no time zone\nf.csv:35: platform: 'x' is unknown\npiecerate: f.csv: 32 more lines (up to line 34) had the same problem as line 2: AcceptTime: '2' has no time zone\n"
        );
        assert!(problems.first_reasons().contains("f.csv:2: AcceptTime"));
    }
}
