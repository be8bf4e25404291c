//! Synthetic records for demos, tests and benchmarks, calibrated to published figures on
//! microtask earnings (`docs/simulation.md`). Deterministic: the same options give the same
//! records, on every run.
//!
//! Records are made one worker at a time, so a simulation of any size streams in the memory of
//! its largest worker. Worker `i` depends only on the seed and `i`, never on how many workers
//! are simulated, so a larger simulation extends a smaller one.

mod profiles;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::codes::{CountryCode, Currency};
use crate::money::Money;
use crate::record::{Activity, InstallId, Outcome, Record, RecordParts};
use crate::reference::units_per_usd;
use crate::time::{Seconds, Timestamp};
use profiles::{PROFILES, PayCurrency, PlatformProfile};

/// Simulated records start no earlier than this instant (2024-01-01T00:00:00Z)...
pub const SIMULATION_START: i64 = 1_704_067_200;
/// ...and end no later than this one (2026-11-01T00:00:00Z).
pub const SIMULATION_END: i64 = 1_793_491_200;

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulationOptions {
    pub workers: u64,
    pub seed: u64,
}

/// An iterator over the records of `workers` synthetic workers, worker after worker, each
/// worker's records in time order. Every install id starts with `sim-`.
#[derive(Debug)]
pub struct Simulation {
    options: SimulationOptions,
    next_worker: u64,
    /// The current worker's records, last one first.
    pending: Vec<Record>,
}

impl Simulation {
    pub fn new(options: SimulationOptions) -> Simulation {
        Simulation { options, next_worker: 0, pending: Vec::new() }
    }
}

impl Iterator for Simulation {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while self.pending.is_empty() {
            if self.next_worker >= self.options.workers {
                return None;
            }
            self.pending = simulate_worker(self.options.seed, self.next_worker);
            self.pending.reverse();
            self.next_worker += 1;
        }
        self.pending.pop()
    }
}

/// One planned record, before it gets its timestamps.
#[derive(Debug)]
enum Item {
    Task {
        outcome: Outcome,
        category_index: Option<usize>,
        active: u64,
        pay_usd: f64,
        paid: bool,
        with_bonus: bool,
    },
    Unpaid {
        category_index: usize,
        active: u64,
    },
}

/// All records of worker `index` of the simulation seeded with `seed`.
pub fn simulate_worker(seed: u64, index: u64) -> Vec<Record> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    let profile = pick(&mut rng, PROFILES, |p| p.share);
    let country = CountryCode::parse(pick(&mut rng, profile.countries, |c| c.1).0).expect("listed code");
    let currency = match profile.currency {
        PayCurrency::Fixed(code) => Currency::parse(code).expect("listed code"),
        PayCurrency::Local => country.currency().expect("profiles list countries with a shipped rate"),
    };
    let install_id = InstallId::parse(&format!("sim-{:016x}", rng.r#gen::<u64>()))
        .expect("sim- and hex digits are an install id");

    // The worker's hourly wage under method `all`, and their unpaid hours per paid hour: about
    // 20 minutes per paid hour on average (ILO 2018), varying from worker to worker.
    let wage_all = log_normal(&mut rng, profile.median_wage_usd, profile.wage_log_sigma);
    let unpaid_ratio = log_normal(&mut rng, 0.30, 0.45).clamp(0.02, 3.0);
    let paid_rate = wage_all * (1.0 + unpaid_ratio);
    // Hours of work are heavy-tailed: most workers do little, a few do most of the work.
    let target_hours = log_normal(&mut rng, 2.5, 1.4).min(1500.0);
    let tasks = ((target_hours * 60.0 / profile.task_minutes).round() as u64).max(1);

    let mut items = Vec::with_capacity(tasks as usize * 4 / 3 + 1);
    let (mut paid_time, mut unpaid_task_time) = (0u64, 0u64);
    for _ in 0..tasks {
        let item = plan_task(&mut rng, profile, paid_rate);
        if let Item::Task { active, paid, .. } = item {
            if paid { paid_time += active } else { unpaid_task_time += active }
        }
        items.push(item);
    }
    plan_unpaid_records(&mut rng, profile, &mut items, paid_time, unpaid_task_time, unpaid_ratio);

    let spans = schedule(&mut rng, &items);
    let mut records = Vec::with_capacity(items.len());
    for (item, (start, end)) in items.iter().zip(spans) {
        let record_id = uuid::Builder::from_random_bytes(rng.r#gen::<[u8; 16]>()).into_uuid();
        records.push(make_record(record_id, &install_id, profile, country, currency, item, start, end));
    }
    records
}

fn plan_task(rng: &mut ChaCha8Rng, profile: &PlatformProfile, paid_rate: f64) -> Item {
    let outcome = pick(rng, profile.outcomes, |o| o.1).0;
    // One task in twenty has no category, as when a page gives no hint.
    let category_index =
        (rng.r#gen::<f64>() >= 0.05).then(|| pick_index(rng, profile.categories.iter().map(|c| c.1)));
    let full = log_normal(rng, profile.task_minutes * 60.0, 0.8).clamp(10.0, 4.0 * 3600.0);
    let fraction = match outcome {
        Outcome::Approved | Outcome::Submitted | Outcome::Rejected => 1.0,
        Outcome::Returned => rng.gen_range(0.1..0.6),
        Outcome::Abandoned => rng.gen_range(0.2..1.0),
        Outcome::ScreenedOut => rng.gen_range(0.05..0.25),
    };
    let active = ((full * fraction).round() as u64).max(1);
    // The offered pay is for the whole task at the worker's rate, give or take.
    let offered = paid_rate * full / 3600.0 * log_normal(rng, 1.0, 0.25);
    let (pay_usd, paid) = match outcome {
        Outcome::Approved | Outcome::Submitted => (offered, true),
        Outcome::ScreenedOut if profile.screen_out_paid => (paid_rate * active as f64 / 3600.0, true),
        Outcome::ScreenedOut => (0.0, false),
        Outcome::Rejected | Outcome::Returned | Outcome::Abandoned => (offered, false),
    };
    // One paid task in twenty carries a fifth of its pay as a bonus.
    let with_bonus = paid && rng.r#gen::<f64>() < 0.05;
    Item::Task { outcome, category_index, active, pay_usd, paid, with_bonus }
}

/// Adds unpaid records (search, qualifications, ...) so that the worker's unpaid time, unpaid
/// tasks included, comes to `unpaid_ratio` times their paid time.
fn plan_unpaid_records(
    rng: &mut ChaCha8Rng,
    profile: &PlatformProfile,
    items: &mut Vec<Item>,
    paid_time: u64,
    unpaid_task_time: u64,
    unpaid_ratio: f64,
) {
    let budget = (paid_time as f64 * unpaid_ratio - unpaid_task_time as f64).round();
    if budget < 1.0 {
        return;
    }
    let count = (items.len() / 3).clamp(1, budget as usize);
    let weights: Vec<f64> = (0..count).map(|_| -(1.0 - rng.r#gen::<f64>()).ln() + 0.05).collect();
    let total: f64 = weights.iter().sum();
    for weight in weights {
        let active = ((budget * weight / total).round() as u64).max(1);
        let category_index = pick_index(rng, profile.unpaid_categories.iter().map(|c| c.1));
        // Unpaid time mostly comes before the task it leads to.
        let position = rng.gen_range(0..=items.len());
        items.insert(position, Item::Unpaid { category_index, active });
    }
}

/// Start and end of each item, in whole seconds since the Unix epoch: sessions of one to
/// four hours with seconds between records, and hours to days between sessions.
fn schedule(rng: &mut ChaCha8Rng, items: &[Item]) -> Vec<(i64, i64)> {
    let mut relative = Vec::with_capacity(items.len());
    let mut session_starts = Vec::new();
    let (mut clock, mut session_left) = (0i64, 0i64);
    let mut session_gaps_total = 0i64;
    for item in items {
        let (active, idle) = match item {
            Item::Task { active, .. } => (*active as i64, (*active as f64 * rng.gen_range(0.0..0.15)) as i64),
            Item::Unpaid { active, .. } => (*active as i64, 0),
        };
        if session_left <= 0 {
            if !relative.is_empty() {
                let gap = rng.gen_range(8 * 3600..72 * 3600);
                session_starts.push((relative.len(), gap));
                session_gaps_total += gap;
            }
            session_left = rng.gen_range(3600..4 * 3600);
        } else {
            clock += rng.gen_range(0..20);
        }
        relative.push((clock, active + idle));
        clock += active + idle;
        session_left -= active + idle;
    }
    // Shrink the breaks between sessions if a very busy worker would not fit in the window.
    let window = SIMULATION_END - SIMULATION_START;
    let working = clock - session_gaps_total;
    let scale = if clock > window {
        ((window - working) as f64 * 0.95 / session_gaps_total as f64).max(0.0)
    } else {
        1.0
    };
    let mut shift = 0i64;
    let mut next_session = session_starts.iter().peekable();
    let mut spans = Vec::with_capacity(relative.len());
    for (position, (start, length)) in relative.into_iter().enumerate() {
        if let Some(&&(_, gap)) = next_session.peek().filter(|(at, _)| *at == position) {
            shift += (gap as f64 * scale) as i64 - gap;
            next_session.next();
        }
        spans.push((start + shift, start + shift + length));
    }
    let total = spans.last().map_or(0, |&(_, end)| end);
    let latest_start = (window - total).max(0);
    let offset = SIMULATION_START + rng.gen_range(0..=latest_start);
    spans.into_iter().map(|(start, end)| (start + offset, end + offset)).collect()
}

#[expect(clippy::too_many_arguments, reason = "one call site, each argument a distinct field")]
fn make_record(
    record_id: uuid::Uuid,
    install_id: &InstallId,
    profile: &PlatformProfile,
    country: CountryCode,
    currency: Currency,
    item: &Item,
    start: i64,
    end: i64,
) -> Record {
    let started_at = Timestamp::from_unix_seconds(start).expect("inside the simulation window");
    let ended_at = Timestamp::from_unix_seconds(end).expect("inside the simulation window");
    let (activity, active) = match *item {
        Item::Task { outcome, category_index, active, pay_usd, with_bonus, .. } => {
            let (year, month) = started_at.year_month();
            let rate = units_per_usd(currency.bytes(), year, month).expect("a Currency has a rate");
            let rate: f64 = rate.try_into().expect("rates are ordinary numbers");
            let pay_cents = (pay_usd * rate * 100.0).round() as u64;
            // Every task with pay pays at least one unit of the currency's cents.
            let pay_cents = if pay_usd > 0.0 { pay_cents.max(1) } else { 0 };
            let bonus_cents = if with_bonus { pay_cents / 5 } else { 0 };
            let activity = Activity::Task {
                category: category_index.map(|i| profile.categories[i].0),
                outcome,
                reward: Money::from_cents(pay_cents - bonus_cents),
                bonus: Money::from_cents(bonus_cents),
                currency,
            };
            (activity, active)
        }
        Item::Unpaid { category_index, active } => {
            (Activity::Unpaid { category: profile.unpaid_categories[category_index].0 }, active)
        }
    };
    Record::new(RecordParts {
        record_id,
        install_id: install_id.clone(),
        platform: profile.platform,
        country: Some(country),
        activity,
        started_at,
        ended_at,
        active: Seconds::new(active),
    })
    .unwrap_or_else(|error| panic!("a simulated record is invalid: {error}"))
}

/// A log-normal draw with the given median.
fn log_normal(rng: &mut ChaCha8Rng, median: f64, log_sigma: f64) -> f64 {
    median * (log_sigma * standard_normal(rng)).exp()
}

/// A standard normal draw (Box-Muller), so the library needs no distribution crate.
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.r#gen::<f64>();
    let u2 = rng.r#gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn pick_index(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = f64> + Clone) -> usize {
    let total: f64 = weights.clone().sum();
    let mut target = rng.r#gen::<f64>() * total;
    let mut last = 0;
    for (index, weight) in weights.enumerate() {
        if target < weight {
            return index;
        }
        target -= weight;
        last = index;
    }
    last
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, choices: &'a [T], weight: impl Fn(&T) -> f64 + Clone) -> &'a T {
    &choices[pick_index(rng, choices.iter().map(weight))]
}

#[cfg(test)]
mod tests;
