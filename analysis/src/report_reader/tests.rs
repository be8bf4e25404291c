//! The reader in ranges against the general reader from the start: the same report and the same
//! bad lines at the same line numbers, whatever the number of threads and wherever the ranges
//! fall, in CSV and in JSON Lines, with progress that adds up to the input once.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};

use super::*;
use crate::format::{record_to_json, records_to_csv};
use crate::report::{Report, ReportOptions};
use crate::simulate::{Simulation, SimulationOptions};

fn options() -> ReportOptions {
    ReportOptions {
        method: "session:15".parse().unwrap(),
        grouping: "platform,country,month".parse().unwrap(),
        min_workers: 1,
        ..ReportOptions::default()
    }
}

fn simulated(workers: u64) -> Vec<Record> {
    Simulation::new(SimulationOptions { workers, seed: 3 }).collect()
}

/// Everything one read gave.
#[derive(Debug, PartialEq)]
struct Outcome {
    report: Report,
    bad_lines: Vec<BadLine>,
    result: Result<ReadSummary, String>,
}

type OnBadLine<'a> = &'a mut dyn FnMut(BadLine) -> Result<(), Infallible>;

fn outcome(
    read: impl FnOnce(&mut ReportBuilder, OnBadLine) -> Result<ReadSummary, ReadError<Infallible>>,
) -> Outcome {
    let mut builder = ReportBuilder::new(options());
    let mut bad_lines = Vec::new();
    let result = read(&mut builder, &mut |bad| {
        bad_lines.push(bad);
        Ok(())
    });
    Outcome { report: builder.finish(), bad_lines, result: result.map_err(|error| error.to_string()) }
}

fn general(input: &[u8], strict: bool) -> Outcome {
    filtered_general(input, strict, &RecordFilter::EVERYTHING)
}

fn filtered_general(input: &[u8], strict: bool, filter: &RecordFilter) -> Outcome {
    outcome(|builder, on_bad_line| {
        read_stream(input, builder, &mut RecordIds::new(), strict, filter, on_bad_line)
    })
}

fn in_ranges(input: &[u8], threads: usize, strict: bool) -> Outcome {
    filtered_in_ranges(input, threads, strict, &RecordFilter::EVERYTHING)
}

fn filtered_in_ranges(input: &[u8], threads: usize, strict: bool, filter: &RecordFilter) -> Outcome {
    outcome(|builder, on_bad_line| {
        read_in_threads(input, threads, builder, &mut RecordIds::new(), strict, filter, on_bad_line)
    })
}

/// Reads `input` in one to six ranges, skipping bad lines and under `strict`, and compares
/// each read with the general reader's.
fn check(input: &[u8]) {
    let expected = general(input, false);
    assert!(!expected.bad_lines.is_empty() && expected.result.is_ok(), "{:?}", expected.result);
    let expected_strict = general(input, true);
    for threads in 1..=6 {
        assert_eq!(in_ranges(input, threads, false), expected, "{threads} threads");
        // A strict read stops early, so its report is partial: only where it stops counts.
        let strict = in_ranges(input, threads, true);
        // It stops at the first bad line, or before any at the first repeated record id.
        let first = expected_strict.bad_lines.len().min(1);
        assert_eq!(strict.bad_lines, expected_strict.bad_lines[..first], "{threads} threads, strict");
        assert_eq!(strict.result, expected_strict.result, "{threads} threads, strict");
    }
}

/// Good lines of a simulated CSV file, with bad ones, blank ones and CRLF endings among them.
fn csv_with_bad_lines() -> Vec<u8> {
    let text = records_to_csv(&simulated(25));
    let mut input = b"\n\r\n".to_vec();
    for (index, line) in text.lines().enumerate() {
        input.extend_from_slice(line.as_bytes());
        input.extend_from_slice(if index % 7 == 3 { b"\r\n" } else { b"\n" });
        match index % 97 {
            10 => input.extend_from_slice(line.replacen(",mturk,", ",fiverr,", 1).as_bytes()),
            20 => input.extend_from_slice(b"not,a,record"),
            30 => input.extend_from_slice(&line.as_bytes()[..line.len() - 3]),
            40 => input.extend_from_slice(b"\xff\xfe,x"),
            50 => input.extend_from_slice(b"\n"),
            _ => continue,
        }
        input.push(b'\n');
    }
    input
}

#[test]
fn csv_in_ranges_reads_as_from_the_start() {
    let input = csv_with_bad_lines();
    check(&input);
    // Without a final line break.
    check(input.strip_suffix(b"\n").unwrap());
}

#[test]
fn csv_with_a_quote_or_a_stray_carriage_return_is_read_again_whole() {
    let plain = csv_with_bad_lines();
    let at = plain.len() * 4 / 5;
    let at = at + plain[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    for odd in [&b"\"a\",\"quoted\nline\"\n"[..], b"a stray\rcarriage return\n"] {
        let input = [&plain[..at], odd, &plain[at..]].concat();
        check(&input);
        let watched = Watched::new(&input);
        let _ = read_in_threads(
            &watched,
            3,
            &mut ReportBuilder::new(options()),
            &mut RecordIds::new(),
            false,
            &RecordFilter::EVERYTHING,
            |_| Ok::<_, ()>(()),
        );
        assert_eq!(watched.restarts.load(Ordering::Relaxed), 1);
    }
}

#[test]
fn json_lines_in_ranges_read_as_from_the_start_even_when_a_range_starts_with_a_bad_line() {
    let mut input = Vec::new();
    for (index, record) in simulated(25).iter().enumerate() {
        input.extend_from_slice(record_to_json(record).to_string().as_bytes());
        input.push(b'\n');
        match index % 5 {
            1 => input.extend_from_slice(b"not json\n"),
            3 => input.extend_from_slice(b"\n{\"record_id\": 1}\n"),
            _ => {}
        }
    }
    // The test is only worth something if a block starts with a line that does not look like
    // JSON Lines on its own.
    let block_starts = block_starts(&input, 0);
    assert!(block_starts.len() > 20);
    assert!(block_starts.iter().any(|&start| start < input.len() && input[start] != b'{'));
    check(&input);
}

/// Where each block of `input` read from `from` starts, as the readers are handed them.
fn block_starts(input: &[u8], from: u64) -> Vec<usize> {
    let mut blocks = Blocks {
        input,
        reader: input.open(from..input.size()).unwrap(),
        carry: Vec::new(),
        next_index: 0,
        over: false,
        hasher: None,
    };
    let (mut starts, mut at) = (Vec::new(), from as usize);
    while let Some((buffer, block)) = blocks.next(Vec::new()).unwrap() {
        assert_eq!(block.index, starts.len());
        assert_eq!(&buffer[..block.length], &input[at..at + block.length]);
        starts.push(at);
        at += block.length;
        assert!(block.at_end || input[at - 1] == b'\n', "a block ends with a line break");
    }
    assert_eq!(at, input.len(), "the blocks hold the whole input");
    starts
}

#[test]
fn blocks_are_whole_lines_that_add_up_to_the_input() {
    let csv = csv_with_bad_lines();
    let long_line = [&b"x".repeat(5 * BLOCK_BYTES)[..], b"\n", &csv[..]].concat();
    for input in [&csv[..], csv.strip_suffix(b"\n").unwrap(), &long_line, b"", b"\n", b"no line break"] {
        for from in [0, 1] {
            let from = from.min(input.len() as u64);
            block_starts(input, from);
        }
    }
}

#[test]
fn an_input_whose_first_line_is_not_the_header_is_not_records() {
    let input = b"\n\nworker,hours,pay\nw1,2,10\n";
    for threads in [1, 4] {
        let read = in_ranges(input, threads, false);
        assert_eq!(read.result, general(input, false).result);
        let error = read.result.unwrap_err();
        assert!(error.starts_with("line 3: the header is not record format v1"), "{error}");
        assert!(read.bad_lines.is_empty());
    }
}

#[test]
fn empty_and_blank_inputs_hold_no_records() {
    for input in [&b""[..], b"\n\n", b"\r\n\r\n\n"] {
        for threads in [1, 3] {
            let read = in_ranges(input, threads, false);
            assert_eq!(read.result, Ok(ReadSummary::default()), "{input:?}");
            assert_eq!(read.result, general(input, false).result, "{input:?}");
        }
    }
}

#[test]
fn progress_and_the_bytes_in_order_add_up_to_the_input_once_after_the_last_restart() {
    let csv = csv_with_bad_lines();
    let quoted = [&csv[..], b"\"a\",b\n"].concat();
    let json_lines: Vec<u8> =
        simulated(5).iter().flat_map(|record| format!("{}\n", record_to_json(record)).into_bytes()).collect();
    let no_final_line_break = csv.strip_suffix(b"\n").unwrap().to_vec();
    let blank = b"\n\r\n\n".to_vec();
    let quoted_header = b"\"record_id\",install_id\n".to_vec();
    for (input, restarts) in [
        (&csv, 0),
        (&quoted, 1),
        (&json_lines, 0),
        (&no_final_line_break, 0),
        (&Vec::new(), 0),
        (&blank, 0),
        (&quoted_header, 1),
    ] {
        for threads in [1, 4] {
            let watched = Watched::new(input);
            read_in_threads(
                &watched,
                threads,
                &mut ReportBuilder::new(options()),
                &mut RecordIds::new(),
                false,
                &RecordFilter::EVERYTHING,
                |_| Ok::<_, ()>(()),
            )
            .ok();
            assert_eq!(watched.restarts.load(Ordering::Relaxed), restarts);
            assert_eq!(watched.progress.load(Ordering::Relaxed), input.len() as u64, "{threads} threads");
            assert!(*watched.in_order.lock().unwrap() == **input, "{threads} threads: the bytes in order");
        }
    }
}

#[test]
fn the_handler_can_stop_the_read() {
    let input = csv_with_bad_lines();
    for threads in [1, 4] {
        let mut seen = 0;
        let result = read_in_threads(
            input.as_slice(),
            threads,
            &mut ReportBuilder::new(options()),
            &mut RecordIds::new(),
            false,
            &RecordFilter::EVERYTHING,
            |bad| {
                seen += 1;
                if seen == 2 { Err(bad.line) } else { Ok(()) }
            },
        );
        let first_two = general(&input, false).bad_lines[..2].to_vec();
        assert!(matches!(result, Err(ReadError::Handler(line)) if line == first_two[1].line), "{result:?}");
    }
}

/// A slice that records the progress reported to it (from the last restart) and its restarts.
struct Watched<'a> {
    bytes: &'a [u8],
    progress: AtomicU64,
    restarts: AtomicU64,
    /// The bytes passed to `in_order` since the last restart.
    in_order: Mutex<Vec<u8>>,
}

impl Watched<'_> {
    fn new(bytes: &[u8]) -> Watched<'_> {
        Watched {
            bytes,
            progress: AtomicU64::new(0),
            restarts: AtomicU64::new(0),
            in_order: Mutex::default(),
        }
    }
}

impl Input for Watched<'_> {
    type Reader<'b>
        = &'b [u8]
    where
        Self: 'b;

    fn size(&self) -> u64 {
        self.bytes.size()
    }

    fn open(&self, range: Range<u64>) -> io::Result<&[u8]> {
        self.bytes.open(range)
    }

    fn progress(&self, bytes: u64) {
        self.progress.fetch_add(bytes, Ordering::Relaxed);
    }

    fn restart(&self) {
        self.progress.store(0, Ordering::Relaxed);
        self.restarts.fetch_add(1, Ordering::Relaxed);
        self.in_order.lock().unwrap().clear();
    }

    fn in_order(&self, bytes: &[u8]) {
        self.in_order.lock().unwrap().extend_from_slice(bytes);
    }
}

/// Reads `inputs` into one report as the CLI does: a first pass, then, when two record ids were
/// alike, a second pass by one reader.
fn both_passes(inputs: &[&[u8]], threads: usize, strict: bool) -> (Report, Result<Vec<ReadSummary>, String>) {
    let pass = |ids: &mut RecordIds| {
        let mut builder = ReportBuilder::new(options());
        let summaries: Result<Vec<ReadSummary>, String> = inputs
            .iter()
            .map(|input| {
                read_in_threads(*input, threads, &mut builder, ids, strict, &RecordFilter::EVERYTHING, |_| {
                    Ok::<_, Infallible>(())
                })
                .map_err(|error| error.to_string())
            })
            .collect();
        (builder.finish(), summaries)
    };
    let mut ids = RecordIds::new();
    let first = pass(&mut ids);
    match ids.second_pass() {
        Some(mut exact) => pass(&mut exact),
        None => first,
    }
}

#[test]
fn a_record_read_twice_counts_once_and_the_first_copy_is_kept_whatever_the_threads() {
    let records = simulated(25);
    let csv = records_to_csv(&records);
    let n = records.len() as u64;
    let (once, summaries) = both_passes(&[csv.as_bytes()], 3, false);
    assert_eq!(summaries.unwrap()[0].repeated, 0);
    assert_eq!(once, general(csv.as_bytes(), false).report);
    // The file's records again in the same input, changed, so that counting the later copy
    // instead of the first would change the report.
    let again: String =
        csv.lines().skip(1).map(|line| format!("{}\n", line.replace(",approved,", ",rejected,"))).collect();
    let doubled = format!("{csv}{again}");
    for threads in 1..=4 {
        let (report, summaries) = both_passes(&[doubled.as_bytes()], threads, false);
        assert_eq!(report, once, "{threads} threads");
        let summary = &summaries.unwrap()[0];
        assert_eq!((summary.records, summary.repeated), (n, n));
        let (_, strict) = both_passes(&[doubled.as_bytes()], threads, true);
        let expected =
            format!("line {}: record_id {} was already read (input 0)", n + 2, records[0].record_id());
        assert_eq!(strict, Err(expected), "{threads} threads, strict");
    }
    // The same input twice, and JSON Lines after CSV.
    let json: String = records.iter().map(|record| format!("{}\n", record_to_json(record))).collect();
    for second in [csv.as_bytes(), json.as_bytes()] {
        let (report, summaries) = both_passes(&[csv.as_bytes(), second], 2, false);
        assert_eq!(report, once);
        let summaries = summaries.unwrap();
        assert_eq!((summaries[1].records, summaries[1].repeated), (0, n));
        assert_eq!(summaries[0].first_started_at, records.iter().map(Record::started_at).min());
        assert_eq!(summaries[0].last_started_at, records.iter().map(Record::started_at).max());
        let (_, strict) = both_passes(&[csv.as_bytes(), second], 2, true);
        assert!(strict.unwrap_err().ends_with("was already read (input 0)"));
    }
}

#[test]
fn repeated_keys_are_found_across_and_within_sorted_runs() {
    let runs = vec![vec![1, 5, 9], vec![2, 5, 7, 7], vec![], vec![3, 9]];
    assert_eq!(repeated_keys(&runs), HashSet::from([5, 7, 9]));
    assert!(repeated_keys(&[vec![1, 2], vec![3]]).is_empty());
}

#[test]
fn a_filtered_read_gives_the_report_of_the_records_kept_whatever_the_threads() {
    use crate::codes::CountryCode;
    use crate::record::Platform;
    use crate::time::Date;
    let records = simulated(60);
    let mut days: Vec<Date> = records.iter().map(|record| Date::of(record.started_at())).collect();
    days.sort_unstable();
    let (from, to) = (days[days.len() / 4], days[days.len() * 3 / 4]);
    let countries: Vec<Option<CountryCode>> = records.iter().take(3).map(Record::country).collect();
    let filter = RecordFilter::new(
        Some(from),
        Some(to),
        Some(&[Platform::Mturk, Platform::Prolific]),
        Some(&countries),
    )
    .unwrap();
    let kept: Vec<Record> = records.iter().filter(|record| filter.keeps(record)).cloned().collect();
    assert!(!kept.is_empty() && kept.len() < records.len(), "the filter keeps some records and not all");
    let expected = crate::report::report(&kept, options());
    let csv = records_to_csv(&records);
    let json: String = records.iter().map(|record| format!("{}\n", record_to_json(record))).collect();
    for input in [csv.as_bytes(), json.as_bytes()] {
        let whole = filtered_general(input, false, &filter);
        assert_eq!(whole.report, expected);
        let summary = whole.result.clone().unwrap();
        assert_eq!(summary.records, kept.len() as u64);
        assert_eq!(summary.filtered_out, (records.len() - kept.len()) as u64);
        assert_eq!(summary.first_started_at, kept.iter().map(Record::started_at).min());
        for threads in 1..=5 {
            assert_eq!(filtered_in_ranges(input, threads, false, &filter), whole, "{threads} threads");
        }
    }
    // A repeat stays a repeat even when the filter leaves its first copy out: the first copy
    // in reading order decides, then the filter. Here the first copy is on MTurk, left out; its
    // repeat, changed to Prolific, is not counted either.
    let mturk_line = csv.lines().skip(1).find(|line| line.contains(",mturk,")).unwrap();
    let doubled = format!("{csv}{}\n", mturk_line.replacen(",mturk,", ",prolific,", 1));
    let prolific_only = RecordFilter::new(None, None, Some(&[Platform::Prolific]), None).unwrap();
    let on_prolific = records.iter().filter(|record| record.platform() == Platform::Prolific).count();
    let mut ids = RecordIds::new();
    let read = |ids: &mut RecordIds| {
        read_stream(
            doubled.as_bytes(),
            &mut ReportBuilder::new(options()),
            ids,
            false,
            &prolific_only,
            |_| Ok::<_, ()>(()),
        )
        .unwrap()
    };
    read(&mut ids);
    let summary = read(&mut ids.second_pass().expect("a repeated id"));
    assert_eq!((summary.records, summary.repeated), (on_prolific as u64, 1));
}
