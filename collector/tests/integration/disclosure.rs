//! The attacker: a database of many small cells (three platforms, six countries, three months,
//! cells of 1 to 15 workers, some workers on two platforms or in several months, some left out
//! for too few hours or an implausible wage), every report the API publishes (each grouping ×
//! month filter × method, as JSON and as CSV), and every subtraction between them an attacker
//! would try: a parent minus its published children along each dimension (all months minus the
//! published months included), the same cell under two methods, `mean × n` differences, and the
//! order-statistic algebra of the median's interval and the percentiles. The intervals of the
//! shares and the mean must be absent from suppressed cells (JSON and CSV); a share's must tell
//! nothing the share and its count of workers do not, and a small cell's mean interval must be
//! rounded like its mean. The test knows the truth (it computes each cell and each worker's
//! figures with the library from the records it uploaded) and fails on any suppressed cell's
//! worker count, task count, hours, mean or median, or any individual's wage, hours or task
//! count that an attack recovers.
//!
//! Before disclosure control (the tree of December 2026 with only the 10-worker threshold) the
//! test fails on both backends: every grouping leaks suppressed cells by subtraction (the issue's
//! `by=country` DE minus `by=platform,country` DE attack), months leak against all months, and
//! cells of exactly 10 workers give their lowest and highest wage through p10, p90 and the
//! interval's ends.

use std::collections::{BTreeMap, BTreeSet};

use analysis::stats::{median_confidence_interval, percentile, wilson_interval};
use analysis::{Method, Record, RecordFields, WorkerTotals};
use serde_json::{Value, json};

use crate::support::{databases, start};

const PLATFORMS: [&str; 3] = ["mturk", "prolific", "toloka"];
const COUNTRIES: [&str; 6] = ["US", "DE", "GB", "IN", "KE", "BR"];
const MONTHS: [i64; 3] = [5, 6, 7];
const MIN_WORKERS: usize = 10;
const MIN_HOURS: f64 = 0.5;
const MAX_HOURLY_USD: f64 = 200.0;

/// How close an attacker must get to have recovered a value: an exact count, hours to 36
/// seconds, a wage to the cent (the attacks recovered wages to a tenth of a cent).
const COUNT_TOLERANCE: f64 = 0.5;
const HOURS_TOLERANCE: f64 = 0.01;
const WAGE_TOLERANCE: f64 = 0.01;

/// A small deterministic generator, so that a failure can be replayed.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One uploaded record, kept in the form the test needs for the truth.
#[derive(Debug, Clone)]
struct Work {
    id: u64,
    platform: &'static str,
    country: &'static str,
    month: i64,
    day: i64,
    hour: i64,
    task: bool,
    outcome: &'static str,
    active: i64,
    reward_cents: i64,
}

impl Work {
    fn times(&self) -> (String, String) {
        let start = format!("2024-{:02}-{:02}T{:02}:00:00Z", self.month, self.day, self.hour);
        let start = analysis::Timestamp::parse(&start).expect("a valid time");
        let hours = (self.active + 3599) / 3600;
        let end =
            analysis::Timestamp::from_unix_seconds(start.unix_seconds() + hours * 3600).expect("in range");
        (start.to_string(), end.to_string())
    }

    fn json(&self) -> Value {
        let (started_at, ended_at) = self.times();
        let reward = format!("{}.{:02}", self.reward_cents / 100, self.reward_cents % 100);
        json!({
            "record_id": format!("00000000-0000-4000-8000-{:012}", self.id),
            "install_id": "self",
            "platform": self.platform,
            "country": self.country,
            "kind": if self.task { "task" } else { "unpaid" },
            "category": if self.task { "survey" } else { "search" },
            "outcome": if self.task { Value::from(self.outcome) } else { Value::Null },
            "started_at": started_at,
            "ended_at": ended_at,
            "active_seconds": self.active,
            "reward": if self.task { Value::from(reward) } else { Value::Null },
            "bonus": null,
            "currency": if self.task { Value::from("USD") } else { Value::Null },
        })
    }

    fn record(&self, worker: usize) -> Record {
        let (started_at, ended_at) = self.times();
        let record_id = format!("00000000-0000-4000-8000-{:012}", self.id);
        let install = format!("worker-{worker}");
        let active = self.active.to_string();
        let reward = format!("{}.{:02}", self.reward_cents / 100, self.reward_cents % 100);
        Record::from_fields(&RecordFields {
            record_id: &record_id,
            install_id: &install,
            platform: self.platform,
            country: self.country,
            kind: if self.task { "task" } else { "unpaid" },
            category: if self.task { "survey" } else { "search" },
            outcome: if self.task { self.outcome } else { "" },
            started_at: &started_at,
            ended_at: &ended_at,
            active_seconds: &active,
            reward: if self.task { &reward } else { "" },
            bonus: "",
            currency: if self.task { "USD" } else { "" },
        })
        .expect("the test's records are valid")
    }
}

/// Workers and their records: every platform × country cell gets 1 to 15 workers of its own;
/// some also work on a second platform, most in one month, some in two or three; some work too
/// little in a month to count there, a few claim a wage no microtask pays.
fn workers() -> Vec<Vec<Work>> {
    let mut random = Generator(0x9e37_79b9_7f4a_7c15);
    let mut next_id = 0;
    let mut workers = Vec::new();
    for platform in PLATFORMS {
        for country in COUNTRIES {
            // Cells of exactly 10 workers are the order-statistic attack's favourite.
            let size = if random.chance(20) { 10 } else { 1 + random.below(15) };
            for _ in 0..size {
                let mut work = Vec::new();
                let mut platforms = vec![platform];
                if random.chance(12) {
                    platforms.push(
                        PLATFORMS[((random.below(2) + 1) as usize
                            + PLATFORMS.iter().position(|p| *p == platform).unwrap())
                            % 3],
                    );
                }
                // July is quiet: its cells are small beside May's and June's.
                let months: Vec<i64> = match random.below(20) {
                    0..=5 => vec![5],
                    6..=11 => vec![6],
                    12 => vec![7],
                    13..=16 => vec![5, 6],
                    17 => vec![6, 7],
                    _ => MONTHS.to_vec(),
                };
                let implausible = random.chance(4);
                for (index, &on) in platforms.iter().enumerate() {
                    for &month in &months {
                        // Each piece of work falls on a random day of the month, at a random hour
                        // of this platform's half of the day.
                        let when = |random: &mut Generator| {
                            (2 + random.below(24) as i64, (index as i64) * 12 + random.below(11) as i64)
                        };
                        let work_at = |(day, hour), id, task, outcome, active, reward_cents| Work {
                            id,
                            platform: on,
                            country,
                            month,
                            day,
                            hour,
                            task,
                            outcome,
                            active,
                            reward_cents,
                        };
                        // Some work too little to count anywhere; a few who work in several
                        // months work too little in one of them.
                        let light = random.chance(if months.len() == 1 { 12 } else { 3 });
                        let tasks = if light { 1 } else { 1 + random.below(4) };
                        for _ in 0..tasks {
                            next_id += 1;
                            let outcome = match random.below(10) {
                                0 => "rejected",
                                1 => "returned",
                                _ => "approved",
                            };
                            let active =
                                if light { 300 + random.below(900) } else { 600 + random.below(3000) } as i64;
                            let reward_cents =
                                if implausible { 50_000 } else { 5 + random.below(600) } as i64;
                            let at = when(&mut random);
                            work.push(work_at(at, next_id, true, outcome, active, reward_cents));
                        }
                        if !light && random.chance(60) {
                            next_id += 1;
                            let at = when(&mut random);
                            let active = 120 + random.below(1500) as i64;
                            work.push(work_at(at, next_id, false, "", active, 0));
                        }
                    }
                }
                workers.push(work);
            }
        }
    }
    workers
}

/// The dimensions of a view: platform, country, month.
type Dims = [bool; 3];
/// The full coordinates of a cell; a month filter fixes the month as grouping by it would.
type Coords = (Option<String>, Option<String>, Option<i64>);
/// Where one published or suppressed figure sits: method, dimensions, coordinates.
type CellId = (&'static str, Dims, Coords);

fn all_dims() -> Vec<Dims> {
    (0..8).map(|bits| [bits & 1 != 0, bits & 2 != 0, bits & 4 != 0]).collect()
}

fn by_parameter(dims: Dims) -> String {
    let names: Vec<&str> = ["platform", "country", "month"]
        .iter()
        .zip(dims)
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
    names.join(",")
}

/// An interval an attacker knows a figure lies in.
#[derive(Debug, Clone, Copy)]
struct Known {
    low: f64,
    high: f64,
}

impl Known {
    fn exact(value: f64) -> Known {
        Known { low: value, high: value }
    }
    fn around(value: f64, half_width: f64) -> Known {
        Known { low: value - half_width, high: value + half_width }
    }
    fn plus(self, other: Known) -> Known {
        Known { low: self.low + other.low, high: self.high + other.high }
    }
    fn minus(self, other: Known) -> Known {
        Known { low: self.low - other.high, high: self.high - other.low }
    }
    fn times(self, factor: f64) -> Known {
        let (a, b) = (self.low * factor, self.high * factor);
        Known { low: a.min(b), high: a.max(b) }
    }
    fn product(self, other: Known) -> Known {
        let candidates =
            [self.low * other.low, self.low * other.high, self.high * other.low, self.high * other.high];
        Known {
            low: candidates.iter().copied().fold(f64::INFINITY, f64::min),
            high: candidates.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
    fn intersect(self, other: Known) -> Known {
        Known { low: self.low.max(other.low), high: self.high.min(other.high) }
    }
    /// Whether this pins `truth` down to `tolerance`.
    fn recovers(self, truth: f64, tolerance: f64) -> bool {
        self.high - self.low <= 2.0 * tolerance
            && truth >= self.low - tolerance
            && truth <= self.high + tolerance
    }
}

/// What an attacker reads from one cell of one answer.
#[derive(Debug, Clone, Default)]
struct Published {
    suppressed: bool,
    n: Option<f64>,
    tasks: Option<Known>,
    hours_paid: Option<Known>,
    hours_unpaid: Option<Known>,
    mean: Option<Known>,
    /// p10, p25, median, p75, p90.
    quantiles: Option<[Known; 5]>,
    interval: Option<(Known, Known)>,
}

const QUANTILES: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// Reads a cell of a JSON answer with the precision its fields are published at: wages to 4
/// decimals, or to `wages_rounded_to_usd` where a cell says so (interval ends rounded outward);
/// task counts exactly, or to the report's `disclosure_control.n_tasks_rounding_base`; hours
/// to 3 decimals, or to its `hours_rounding_base`.
fn read_cell(cell: &Value, control: &Value) -> Published {
    if cell["suppressed"] == true {
        return Published { suppressed: true, ..Published::default() };
    }
    let step = cell["wages_rounded_to_usd"].as_f64();
    let wage = |value: &Value| value.as_f64().map(|v| Known::around(v, step.map_or(0.00005, |s| s / 2.0)));
    let hours_base = control["hours_rounding_base"].as_f64().unwrap_or(0.001);
    let hours = |value: &Value| value.as_f64().map(|v| Known::around(v, hours_base / 2.0));
    let tasks_base = control["n_tasks_rounding_base"].as_f64().unwrap_or(0.0);
    let quantiles =
        ["p10_hourly_usd", "p25_hourly_usd", "median_hourly_usd", "p75_hourly_usd", "p90_hourly_usd"]
            .map(|name| wage(&cell[name]));
    let interval = cell["median_ci95_usd"].as_array().map(|ends| {
        let (low, high) = (ends[0].as_f64().expect("a number"), ends[1].as_f64().expect("a number"));
        match step {
            Some(step) => (Known { low, high: low + step }, Known { low: high - step, high }),
            None => (Known::around(low, 0.00005), Known::around(high, 0.00005)),
        }
    });
    Published {
        suppressed: false,
        n: cell["n_workers"].as_f64(),
        tasks: cell["n_tasks"].as_f64().map(|v| Known::around(v, tasks_base / 2.0)),
        hours_paid: hours(&cell["hours_paid"]),
        hours_unpaid: hours(&cell["hours_unpaid"]),
        mean: wage(&cell["mean_hourly_usd"]),
        quantiles: quantiles.iter().all(Option::is_some).then(|| quantiles.map(|q| q.expect("checked"))),
        interval,
    }
}

fn coords_of(cell: &Value, month_filter: Option<i64>) -> Coords {
    let month =
        cell["month"].as_str().map(|text| text[5..7].parse::<i64>().expect("a month")).or(month_filter);
    (
        cell["platform"].as_str().map(str::to_owned),
        cell.get("country").map(|country| country.as_str().unwrap_or("").to_owned()),
        month,
    )
}

/// Each share's Wilson interval, as the test recomputes it from the published share and count
/// alone (rounded outward to 4 decimals, as published): an interval that differs would tell
/// something the share and its count do not. A small cell's mean interval is on its rounding
/// steps. A suppressed cell publishes no interval.
fn check_intervals(findings: &mut Findings, context: &str, cell: &Value) {
    let object = cell.as_object().expect("a cell is an object");
    if cell["suppressed"] == true {
        for key in object.keys().filter(|key| key.contains("ci95")) {
            findings.add(format!("{context}: a suppressed cell publishes {key}"));
        }
        return;
    }
    for (share, count) in
        [("share_below_usd_7_25", "n_workers"), ("share_below_local_minimum", "n_workers_with_known_minimum")]
    {
        let published = &cell[format!("{share}_ci95")];
        let (Some(value), Some(n)) = (cell[share].as_f64(), cell[count].as_u64()) else {
            if !published.is_null() {
                findings.add(format!("{context}: {share}_ci95 {published} without its share"));
            }
            continue;
        };
        let below = (value * n as f64).round() as u64;
        let (low, high) = wilson_interval(below, n, 0.95).expect("a published share has workers");
        let expected = json!([(low * 1e4).floor() / 1e4, ((high * 1e4).ceil() / 1e4).min(1.0)]);
        if *published != expected {
            findings.add(format!(
                "{context}: {share}_ci95 {published} is not the interval of {below} of {n} ({expected})"
            ));
        }
    }
    // The mean's bootstrap interval depends on every wage: in a cell whose wages are rounded, its
    // ends are on the same steps (outward), or they would say more than the rounded mean.
    if let (Some(step), Some(ends)) =
        (cell["wages_rounded_to_usd"].as_f64(), cell["mean_ci95_usd"].as_array())
    {
        for end in ends.iter().map(|end| end.as_f64().expect("a number")) {
            if ((end / step).round() * step - end).abs() > 1e-9 {
                findings.add(format!("{context}: mean_ci95_usd end {end} is not a multiple of {step}"));
            }
        }
    }
}

/// The CSV answer's suppressed rows leave every interval column empty.
fn check_csv_intervals(findings: &mut Findings, context: &str, text: &str) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a header").clone();
    let suppressed = header.iter().position(|h| h == "suppressed").expect("a suppressed column");
    let intervals: Vec<usize> =
        header.iter().enumerate().filter(|(_, h)| h.contains("ci95")).map(|(i, _)| i).collect();
    assert!(intervals.len() >= 8, "{context}: the CSV has the intervals' columns: {header:?}");
    for row in reader.records() {
        let row = row.expect("a CSV row");
        if &row[suppressed] == "true" {
            for &column in intervals.iter().filter(|&&column| !row[column].is_empty()) {
                findings.add(format!("{context}: a suppressed CSV row publishes {}", &header[column]));
            }
        }
    }
}

/// One worker's figures in one cell, under one method.
#[derive(Debug, Clone, Copy)]
struct WorkerFigures {
    included: bool,
    wage: Option<f64>,
    hours: f64,
    hours_paid: f64,
    tasks: u64,
}

/// The truth of one cell: every worker with records in it.
#[derive(Debug, Clone, Default)]
struct Truth {
    workers: BTreeMap<usize, WorkerFigures>,
}

impl Truth {
    fn included(&self) -> Vec<&WorkerFigures> {
        self.workers.values().filter(|w| w.included).collect()
    }
    fn sorted_wages(&self) -> Vec<f64> {
        let mut wages: Vec<f64> = self.included().iter().map(|w| w.wage.expect("included")).collect();
        wages.sort_by(f64::total_cmp);
        wages
    }
}

fn method_of(name: &str) -> Method {
    name.parse().expect("a standard method")
}

/// The truth of a cell, from the records, through the library's own totals.
fn truth(
    base: &BTreeMap<(usize, &'static str, &'static str, i64), WorkerTotals>,
    method: &'static str,
    dims: Dims,
    coords: &Coords,
) -> Truth {
    let method = method_of(method);
    // The collector counts or leaves out a worker's totals in each platform, country and month,
    // and a coarser cell is the union of the finest cells that count.
    let counts = |totals: &WorkerTotals| {
        let hours = totals.counted_time(method).hours();
        hours >= MIN_HOURS && totals.hourly_wage_usd(method).is_some_and(|w| w <= MAX_HOURLY_USD)
    };
    let mut merged: BTreeMap<usize, (WorkerTotals, bool)> = BTreeMap::new();
    for ((worker, platform, country, month), totals) in base {
        let matches = (!dims[0] || coords.0.as_deref() == Some(*platform))
            && (!dims[1] || coords.1.as_deref() == Some(*country))
            && (coords.2.is_none() || coords.2 == Some(*month));
        if matches {
            let entry = merged.entry(*worker).or_default();
            if counts(totals) {
                entry.0.merge(totals);
                entry.1 = true;
            }
        }
    }
    let workers = merged
        .into_iter()
        .map(|(worker, (totals, included))| {
            let hours = totals.counted_time(method).hours();
            let wage = totals.hourly_wage_usd(method);
            let figures = WorkerFigures {
                included,
                wage,
                hours,
                hours_paid: totals.paid_task_time.hours(),
                tasks: totals.tasks,
            };
            (worker, figures)
        })
        .collect();
    Truth { workers }
}

/// Everything an attack recovered, one line each.
#[derive(Debug, Default)]
struct Findings(BTreeSet<String>);

impl Findings {
    fn add(&mut self, line: String) {
        self.0.insert(line);
    }
}

/// A claim that one residual is a single worker: checked against every worker of the cells.
fn check_individual(
    findings: &mut Findings,
    context: &str,
    truths: &[&Truth],
    wage: Option<Known>,
    hours: Known,
    hours_paid: Known,
    tasks: Known,
) {
    for truth in truths {
        for (worker, figures) in &truth.workers {
            if let (Some(wage), Some(true_wage)) = (wage, figures.wage)
                && figures.included
                && wage.recovers(true_wage, WAGE_TOLERANCE)
            {
                findings.add(format!("{context}: worker {worker}'s wage {true_wage:.4} ({wage:?})"));
            }
            if hours.recovers(figures.hours, HOURS_TOLERANCE) && figures.hours > 0.0 {
                findings.add(format!("{context}: worker {worker}'s hours {:.3} ({hours:?})", figures.hours));
            }
            if hours_paid.recovers(figures.hours_paid, HOURS_TOLERANCE) && figures.hours_paid > 0.0 {
                findings.add(format!("{context}: worker {worker}'s paid hours {:.3}", figures.hours_paid));
            }
            if tasks.recovers(figures.tasks as f64, COUNT_TOLERANCE) && figures.tasks > 0 {
                findings.add(format!("{context}: worker {worker}'s task count {}", figures.tasks));
            }
        }
    }
}

/// Parent minus its published children along one dimension.
fn subtract_children(
    findings: &mut Findings,
    context: &str,
    parent: &Published,
    children: &[(&Coords, &Published)],
    parent_truth: &Truth,
    child_truth: &dyn Fn(&Coords) -> Truth,
) {
    let (Some(n), Some(tasks), Some(paid), Some(unpaid), Some(mean)) =
        (parent.n, parent.tasks, parent.hours_paid, parent.hours_unpaid, parent.mean)
    else {
        return;
    };
    let mut n_left = n;
    let (mut tasks_left, mut paid_left, mut unpaid_left) = (tasks, paid, unpaid);
    let mut wages_left = mean.times(n);
    let mut suppressed = Vec::new();
    for (coords, child) in children {
        if child.suppressed {
            suppressed.push(*coords);
            continue;
        }
        let (Some(cn), Some(ct), Some(cp), Some(cu), Some(cm)) =
            (child.n, child.tasks, child.hours_paid, child.hours_unpaid, child.mean)
        else {
            continue;
        };
        n_left -= cn;
        tasks_left = tasks_left.minus(ct);
        paid_left = paid_left.minus(cp);
        unpaid_left = unpaid_left.minus(cu);
        wages_left = wages_left.minus(cm.times(cn));
    }
    let hours_left = paid_left.plus(unpaid_left);
    let mean_left = (n_left >= 1.0).then(|| wages_left.times(1.0 / n_left));
    if let [only] = suppressed[..] {
        // One suppressed child: the residual is taken for it.
        let truth = child_truth(only);
        let included = truth.included();
        let true_n = included.len() as f64;
        let true_tasks: u64 = included.iter().map(|w| w.tasks).sum();
        let true_paid: f64 = included.iter().map(|w| w.hours_paid).sum();
        let true_hours: f64 = included.iter().map(|w| w.hours).sum();
        let wages = truth.sorted_wages();
        let context = format!("{context}, suppressed child {only:?}");
        if (n_left - true_n).abs() < COUNT_TOLERANCE {
            findings.add(format!("{context}: its worker count {true_n}"));
        }
        if true_tasks > 0 && tasks_left.recovers(true_tasks as f64, COUNT_TOLERANCE) {
            findings.add(format!("{context}: its task count {true_tasks}"));
        }
        if true_paid > 0.0 && paid_left.recovers(true_paid, HOURS_TOLERANCE) {
            findings.add(format!("{context}: its paid hours {true_paid:.3}"));
        }
        if true_hours > 0.0 && hours_left.recovers(true_hours, HOURS_TOLERANCE) {
            findings.add(format!("{context}: its hours {true_hours:.3}"));
        }
        if let (Some(mean_left), false) = (mean_left, wages.is_empty()) {
            let true_mean = wages.iter().sum::<f64>() / wages.len() as f64;
            let true_median = percentile(&wages, 0.5).expect("not empty");
            if mean_left.recovers(true_mean, WAGE_TOLERANCE) {
                findings.add(format!("{context}: its mean {true_mean:.4}"));
            }
            if n_left <= 2.0 && mean_left.recovers(true_median, WAGE_TOLERANCE) {
                findings.add(format!("{context}: its median {true_median:.4}"));
            }
        }
    }
    if (n_left - 1.0).abs() < 0.5 {
        // One worker left: the residual is taken for that worker.
        let mut truths = vec![parent_truth.clone()];
        truths.extend(children.iter().map(|(coords, _)| child_truth(coords)));
        let truths: Vec<&Truth> = truths.iter().collect();
        check_individual(
            findings,
            &format!("{context}, one worker left"),
            &truths,
            mean_left,
            hours_left,
            paid_left,
            tasks_left,
        );
    }
}

/// The order-statistic algebra inside one published cell: the interval's ends are order
/// statistics, each percentile ties two neighbours, and `n × mean` closes the sum.
fn order_statistics(
    findings: &mut Findings,
    context: &str,
    cell: &Published,
    truth: &Truth,
    exact_min_workers: usize,
) {
    let (Some(n), Some(quantiles)) = (cell.n, cell.quantiles) else { return };
    let n = n as usize;
    let mut known: Vec<Option<Known>> = vec![None; n];
    let learn = |known: &mut Vec<Option<Known>>, rank: usize, value: Known| {
        let merged = match known[rank] {
            Some(old) => old.intersect(value),
            None => value,
        };
        known[rank] = Some(merged);
    };
    if let Some((low, high)) = cell.interval {
        let ranks: Vec<f64> = (1..=n).map(|r| r as f64).collect();
        if let Some((l, h)) = median_confidence_interval(&ranks, 0.95) {
            learn(&mut known, l as usize - 1, low);
            learn(&mut known, h as usize - 1, high);
        }
    }
    for _ in 0..4 {
        for (p, value) in QUANTILES.iter().zip(quantiles) {
            let h = (n - 1) as f64 * p;
            let below = h.floor() as usize;
            let fraction = h - below as f64;
            if fraction < 1e-9 {
                learn(&mut known, below, value);
                continue;
            }
            let above = below + 1;
            if let Some(x) = known[below] {
                // value = x + f (y - x)  =>  y = x + (value - x) / f
                learn(&mut known, above, x.plus(value.minus(x).times(1.0 / fraction)));
            }
            if let Some(y) = known[above] {
                // value = (1 - f) x + f y  =>  x = (value - f y) / (1 - f)
                learn(&mut known, below, value.minus(y.times(fraction)).times(1.0 / (1.0 - fraction)));
            }
        }
        let missing: Vec<usize> = (0..n).filter(|r| known[*r].is_none()).collect();
        if let ([rank], Some(mean)) = (&missing[..], cell.mean) {
            let mut rest = mean.product(Known::exact(n as f64));
            for value in known.iter().flatten() {
                rest = rest.minus(*value);
            }
            learn(&mut known, *rank, rest);
        }
    }
    let wages = truth.sorted_wages();
    if wages.len() != n {
        findings.add(format!(
            "{context}: published n_workers {n} but the cell has {} included workers",
            wages.len()
        ));
        return;
    }
    for (rank, value) in known.iter().enumerate() {
        let Some(value) = value else { continue };
        // A cell large enough to hide an individual may publish interior order statistics (the
        // median's interval is made of them); its lowest and highest wage never.
        let protected = n < exact_min_workers || rank == 0 || rank == n - 1;
        if protected && value.recovers(wages[rank], WAGE_TOLERANCE) {
            findings.add(format!("{context}: wage x({}) of {n} = {:.4} ({value:?})", rank + 1, wages[rank]));
        }
    }
}

#[tokio::test]
async fn no_subtraction_between_published_outputs_recovers_a_suppressed_cell_or_a_worker() {
    let workers = workers();
    let mut base: BTreeMap<(usize, &'static str, &'static str, i64), WorkerTotals> = BTreeMap::new();
    for (index, work) in workers.iter().enumerate() {
        for item in work {
            base.entry((index, item.platform, item.country, item.month))
                .or_default()
                .add(&item.record(index));
        }
    }
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        for work in &workers {
            let token = server.enroll().await;
            let records: Vec<Value> = work.iter().map(Work::json).collect();
            let stored = server.upload(&token, &records).await;
            assert_eq!(stored.status, 200, "{backend}: {}", stored.text);
        }
        // Every cell in one first snapshot, small ones included.
        server.running.shut_down().await.expect("stopping");
        crate::support::forget_snapshots(&database).await;
        let server = start(&database, |_| {}).await;
        server.publish_snapshot_now().await;
        let exact_min_workers = analysis::report::MIN_EXACT_QUANTILES_WORKERS as usize;
        // Everything the API publishes, merged by cell: a figure published anywhere is known.
        let mut knowledge: BTreeMap<CellId, Published> = BTreeMap::new();
        let mut answers = 0;
        let mut interval_findings = Findings::default();
        for method in ["all", "task", "paid"] {
            for dims in all_dims() {
                for filter in std::iter::once(None).chain(MONTHS.iter().map(|m| Some(*m))) {
                    let mut query = format!("?by={}&method={method}", by_parameter(dims));
                    if let Some(month) = filter {
                        query.push_str(&format!("&month=2024-{month:02}"));
                    }
                    let answer = server.get(&format!("/v1/wages{query}")).await;
                    assert_eq!(answer.status, 200, "{backend} {query}: {}", answer.text);
                    let csv = server.get(&format!("/v1/wages.csv{query}")).await;
                    assert_eq!(csv.status, 200, "{backend} {query}");
                    let csv_rows = csv.text.lines().count() - 1;
                    check_csv_intervals(&mut interval_findings, &format!("{backend} {query}"), &csv.text);
                    let cells = answer.body["cells"].as_array().expect("cells");
                    assert_eq!(
                        csv_rows,
                        cells.len(),
                        "{backend} {query}: the CSV lists the cells the JSON lists"
                    );
                    answers += 2;
                    let effective = [dims[0], dims[1], dims[2] || filter.is_some()];
                    for cell in cells {
                        let coords = coords_of(cell, filter);
                        check_intervals(
                            &mut interval_findings,
                            &format!("{backend} {query} {coords:?}"),
                            cell,
                        );
                        let read = read_cell(cell, &answer.body["disclosure_control"]);
                        knowledge
                            .entry((method, effective, coords))
                            .and_modify(|known| {
                                if known.suppressed {
                                    *known = read.clone();
                                }
                            })
                            .or_insert(read);
                    }
                }
            }
        }
        assert_eq!(answers, 3 * 8 * 4 * 2);
        let mut findings = interval_findings;
        let truth_of = |method: &'static str, dims: Dims, coords: &Coords| truth(&base, method, dims, coords);
        for ((method, dims, coords), parent) in &knowledge {
            if parent.suppressed {
                continue;
            }
            if parent.n.is_some_and(|n| n < MIN_WORKERS as f64) {
                findings.add(format!(
                    "{backend} {method} {coords:?}: a published cell of fewer than {MIN_WORKERS} workers"
                ));
            }
            let parent_truth = truth_of(method, *dims, coords);
            let context = format!("{backend} {method} by {} {coords:?}", by_parameter(*dims));
            order_statistics(&mut findings, &context, parent, &parent_truth, exact_min_workers);
            for dimension in 0..3 {
                if dims[dimension] {
                    continue;
                }
                let mut child_dims = *dims;
                child_dims[dimension] = true;
                let children: Vec<(&Coords, &Published)> = knowledge
                    .iter()
                    .filter(|((m, d, c), _)| {
                        m == method
                            && *d == child_dims
                            && (!dims[0] || c.0 == coords.0)
                            && (!dims[1] || c.1 == coords.1)
                            && (!dims[2] || c.2 == coords.2)
                    })
                    .map(|((_, _, c), published)| (c, published))
                    .collect();
                let child_truth = |c: &Coords| truth_of(method, child_dims, c);
                let context = format!(
                    "{context} minus its children by {}",
                    ["platform", "country", "month"][dimension]
                );
                subtract_children(&mut findings, &context, parent, &children, &parent_truth, &child_truth);
            }
            // The same cell under another method: the workers one method leaves out.
            for other in ["all", "task", "paid"] {
                if other <= *method {
                    continue;
                }
                let Some(second) = knowledge.get(&(other, *dims, coords.clone())) else { continue };
                let (Some(n1), Some(n2), Some(t1), Some(t2), Some(p1), Some(p2)) =
                    (parent.n, second.n, parent.tasks, second.tasks, parent.hours_paid, second.hours_paid)
                else {
                    continue;
                };
                if (n1 - n2).abs() == 1.0 {
                    let (tasks, paid) =
                        if n1 > n2 { (t1.minus(t2), p1.minus(p2)) } else { (t2.minus(t1), p2.minus(p1)) };
                    let other_truth = truth_of(other, *dims, coords);
                    check_individual(
                        &mut findings,
                        &format!("{context} under {method} minus under {other}"),
                        &[&parent_truth, &other_truth],
                        None,
                        Known { low: f64::NAN, high: f64::NAN },
                        paid,
                        tasks,
                    );
                }
            }
        }
        let published = knowledge.values().filter(|cell| !cell.suppressed).count();
        let suppressed = knowledge.len() - published;
        assert!(
            published >= 80 && suppressed > 100,
            "{backend}: the data must have both ({published}, {suppressed})"
        );
        assert!(
            findings.0.is_empty(),
            "{backend}: {} figures recovered from {published} published and {suppressed} suppressed cells:\n{}",
            findings.0.len(),
            findings.0.iter().take(2000).cloned().collect::<Vec<_>>().join("\n")
        );
    }
}
