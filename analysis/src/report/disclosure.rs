//! Disclosure control of reports published together: the collector answers every grouping of
//! platform, country and month, every month filter and every method from the same totals, so
//! a reader can subtract one published cell from another. This module decides, over all those
//! reports at once, which cells to publish, so that no subtraction isolates a suppressed cell
//! or a worker, and rounds the wage statistics of cells too small to hide an individual
//! (`docs/methodology.md`, "Disclosure control").
//!
//! The rules, as statistical agencies apply them to tables with margins:
//! - *One set of workers for every table*: a worker's totals in one platform, country and
//!   month (the finest cell the collector keeps) count or are left out (too few hours, an
//!   implausible wage) once, there, and every coarser cell is the union of the finest cells
//!   that count. Otherwise a worker left out of each month but counted in all months would be
//!   the difference between the two, to the task.
//! - *Primary suppression*: a cell with fewer than `min_workers` included workers publishes no
//!   statistic; a cell with none (every worker left out for too few hours, an implausible wage
//!   or no PPP factor) is not listed at all.
//! - *Complementary suppression*, for every published cell and every dimension it is not
//!   grouped by (its children along that dimension, months included, so that "all months
//!   minus the published months" is covered): the published children must not leave exactly
//!   one suppressed child, and the workers they leave unaccounted (those of the suppressed
//!   children) must be none or at least `min_workers`. Otherwise, along the platform
//!   dimension the parent is suppressed (a pool across platforms is worth less than the
//!   platforms' own figures); along country and month the smallest published child is
//!   suppressed too (the all-months and per-platform figures are the headline), or the parent
//!   when no child is left.
//! - *Rounding of additive figures*: a published cell's task count is rounded to a multiple of
//!   `n_tasks_rounding_base` and its hours to a multiple of `hours_rounding_base`. The methods
//!   count different workers in the same cell (a worker with too little paid time counts under
//!   `all` but not under `paid`), so without it the same cell under two methods would give those
//!   workers' task count and paid hours to the task; it also blurs every other difference.
//! - *No exact order statistics in small cells*: a published cell of fewer than
//!   `exact_quantiles_min_workers` workers gives its mean, median and percentiles rounded to
//!   `small_cell_wage_step_usd`, and the intervals of its median and mean rounded outward.
//!
//! The rules are applied until nothing changes; suppression only grows, so this ends.
//!
//! *Decisions carried across publications* ([`Publication::carrying`]): a reader who keeps an
//! earlier publication knows its figures. A cell whose workers and totals have not changed since
//! then keeps the earlier decision: published, it is published again (withholding it now would
//! hide nothing, and the complementary suppression would count on a figure the reader has); held
//! back, it stays held back (publishing it now would complete the earlier subtraction it was
//! held back to prevent). The other cells are decided around those, by the rules above.

use std::collections::HashMap;

use serde::Serialize;

use super::totals::{TotalsCell, TotalsError};
use super::{
    CellKey, CellMembers, CurrencyBasis, Dimension, Grouping, Report, ReportBuilder, ReportOptions,
    implausible_note, round,
};
use crate::record::InstallId;
use crate::wage::{Method, WorkerTotals};

/// Below this many workers a published cell gives no exact order statistic: with ten workers,
/// p10, p90 and the median's interval (the 2nd and 9th wages) give the lowest and highest wage
/// exactly, and a cell of fewer than twenty still ties its few wages together closely enough
/// (an odd count's median is one worker's wage). From twenty on, the interval's ends and the
/// percentiles are interior wages of at least twenty people, and the extremes stay unknown.
pub const MIN_EXACT_QUANTILES_WORKERS: u32 = 20;
/// The step small cells' wage statistics are rounded to: a quarter of a dollar hides any one
/// wage among microtask wages (medians near $2 an hour) while a median stays readable.
pub const DEFAULT_SMALL_CELL_WAGE_STEP_USD: f64 = 0.25;
/// Task counts are published to the nearest ten: a worker does a few to a few dozen tasks a
/// month, so a difference of two rounded counts no longer gives one worker's count.
pub const DEFAULT_N_TASKS_ROUNDING_BASE: u64 = 10;
/// Hours are published to the nearest hour: a worker's month in one cell is typically a few
/// hours, so a difference of two rounded figures no longer gives one worker's hours.
pub const DEFAULT_HOURS_ROUNDING_BASE: f64 = 1.0;

/// The parameters of disclosure control, published with each report it shaped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DisclosureRules {
    pub min_workers: u32,
    pub exact_quantiles_min_workers: u32,
    pub small_cell_wage_step_usd: f64,
    pub n_tasks_rounding_base: u64,
    pub hours_rounding_base: f64,
}

impl Default for DisclosureRules {
    fn default() -> DisclosureRules {
        DisclosureRules {
            min_workers: super::MIN_PUBLISHED_WORKERS,
            exact_quantiles_min_workers: MIN_EXACT_QUANTILES_WORKERS,
            small_cell_wage_step_usd: DEFAULT_SMALL_CELL_WAGE_STEP_USD,
            n_tasks_rounding_base: DEFAULT_N_TASKS_ROUNDING_BASE,
            hours_rounding_base: DEFAULT_HOURS_ROUNDING_BASE,
        }
    }
}

/// The dimensions a publication covers, each with its bit in a grouping's mask.
const DIMENSIONS: [Dimension; 3] = [Dimension::Platform, Dimension::Country, Dimension::Month];
const MONTH_BIT: u8 = 4;

fn grouping_of(mask: u8) -> Grouping {
    let dimensions: Vec<Dimension> =
        DIMENSIONS.iter().enumerate().filter(|(bit, _)| mask & (1 << bit) != 0).map(|(_, d)| *d).collect();
    Grouping::new(&dimensions)
}

fn mask_of(grouping: &Grouping) -> Result<u8, TotalsError> {
    let mut mask = 0;
    for dimension in grouping.dimensions() {
        let bit = DIMENSIONS.iter().position(|d| d == dimension).ok_or(TotalsError::CategoryGrouping)?;
        mask |= 1 << bit;
    }
    Ok(mask)
}

/// A key with the dimensions outside `mask` forgotten: the parent of a cell.
fn project(key: &CellKey, mask: u8) -> CellKey {
    CellKey {
        platform: if mask & 1 != 0 { key.platform } else { None },
        country: if mask & 2 != 0 { key.country } else { None },
        month: if mask & MONTH_BIT != 0 { key.month } else { None },
        category: None,
    }
}

/// What happens to one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Publish,
    /// Fewer than `min_workers` included workers.
    FewerWorkers,
    Complementary,
    /// No included worker: not listed.
    Unlisted,
}

#[derive(Debug)]
struct Node {
    key: CellKey,
    members: CellMembers,
    included: usize,
    decision: Decision,
    /// An earlier publication's decision stands for this cell (see [`EarlierDecision`]).
    carried: bool,
}

/// What an earlier publication, which a reader may keep, did with a cell whose workers and
/// totals have not changed since (the caller knows which cells changed; the collector compares
/// snapshots' totals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarlierDecision {
    Published,
    Withheld,
}

/// One report of the publication (a method and a grouping) and its cells' members.
#[derive(Debug)]
struct Layer {
    method: usize,
    mask: u8,
    report: Report,
    nodes: Vec<Node>,
    index: HashMap<CellKey, usize>,
}

/// A parent layer and its child layer along one dimension, with each parent's children.
#[derive(Debug)]
struct Relation {
    /// Its dimension's bit in a grouping's mask.
    bit: u8,
    parent: usize,
    child: usize,
    children: Vec<Vec<usize>>,
}

/// Every report a collector publishes from one set of totals, protected together.
#[derive(Debug)]
pub struct Publication {
    options: ReportOptions,
    rules: DisclosureRules,
    methods: Vec<Method>,
    totals: Vec<(InstallId, TotalsCell, WorkerTotals)>,
    /// Per method, per finest cell of `totals`: whether it counts, or why not.
    counted: Vec<Vec<Counted>>,
    layers: Vec<Layer>,
}

/// Whether a worker's totals in one finest cell count under a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    Yes,
    TooFewHours,
    Implausible,
}

impl Counted {
    fn of(totals: &WorkerTotals, method: Method, options: &ReportOptions) -> Counted {
        let hours = totals.counted_time(method).hours();
        if !(hours > 0.0 && hours >= options.min_hours) {
            return Counted::TooFewHours;
        }
        match totals.hourly_wage_usd(method) {
            Some(wage) if wage <= options.max_hourly_usd => Counted::Yes,
            _ => Counted::Implausible,
        }
    }
}

/// Whether a worker's totals in one finest cell (platform, country, month) count in a
/// publication's cells under `method`: enough hours and a plausible wage. The collector's
/// snapshots use it to tell a change that moves published figures from one that moves none.
pub fn counts_in_publication(totals: &WorkerTotals, method: Method, options: &ReportOptions) -> bool {
    Counted::of(totals, method, options) == Counted::Yes
}

/// Builds one report from the finest cells that count, with every install known to the builder
/// in the order of `totals` (so a worker has the same index in every report), and the counts of
/// what was left out (of `month` only, when given).
fn build(
    options: ReportOptions,
    totals: &[(InstallId, TotalsCell, WorkerTotals)],
    counted: &[Counted],
    month: Option<(i64, i64)>,
    keep_members: bool,
) -> Result<(Report, Vec<CellMembers>), TotalsError> {
    let max_hourly_usd = options.max_hourly_usd;
    let mut builder = ReportBuilder::new(options);
    builder.keep_members = keep_members;
    let (mut too_few_hours, mut implausible) = (0, 0);
    for ((install, cell, worker_totals), counted) in totals.iter().zip(counted) {
        builder.worker_index(install);
        if month.is_some_and(|month| cell.month != month) {
            continue;
        }
        match counted {
            Counted::Yes => builder.add_totals(install, cell, worker_totals)?,
            Counted::TooFewHours => too_few_hours += 1,
            Counted::Implausible => implausible += 1,
        }
    }
    let (mut report, members) = builder.finish_with_members();
    report.excluded_workers += too_few_hours;
    report.excluded_implausible += implausible;
    if implausible > 0 {
        report.notes.push(implausible_note(implausible, max_hourly_usd));
    }
    Ok((report, members))
}

impl Publication {
    /// Builds the report of each method in `methods` by each grouping of platform, country and
    /// month from the same totals (`options` gives the minimum hours and the plausible wage;
    /// money is in US dollars), and decides which cells to publish.
    pub fn new(
        options: ReportOptions,
        rules: DisclosureRules,
        methods: &[Method],
        totals: Vec<(InstallId, TotalsCell, WorkerTotals)>,
    ) -> Result<Publication, TotalsError> {
        Publication::carrying(options, rules, methods, totals, |_, _, _| None)
    }

    /// As [`Publication::new`], with `earlier` answering, for a cell of a method and grouping,
    /// the decision an earlier publication made about it when its workers and totals are the same
    /// now (`None` otherwise, or when it was not listed). Those decisions stand: a cell published
    /// then is not withheld now to protect another (a smaller published child or the parent is
    /// withheld instead), and a cell withheld then is withheld now. A cell now of fewer than
    /// `min_workers` is withheld whatever was decided before.
    pub fn carrying(
        options: ReportOptions,
        rules: DisclosureRules,
        methods: &[Method],
        totals: Vec<(InstallId, TotalsCell, WorkerTotals)>,
        earlier: impl Fn(Method, &Grouping, &CellKey) -> Option<EarlierDecision>,
    ) -> Result<Publication, TotalsError> {
        let options = ReportOptions { currency_basis: CurrencyBasis::Usd, ..options };
        let counted: Vec<Vec<Counted>> = methods
            .iter()
            .map(|&method| totals.iter().map(|(_, _, t)| Counted::of(t, method, &options)).collect())
            .collect();
        let mut layers = Vec::new();
        for (method_index, &method) in methods.iter().enumerate() {
            for mask in 0..8u8 {
                let grouping = grouping_of(mask);
                let layer_options = ReportOptions { method, grouping: grouping.clone(), ..options.clone() };
                let (report, members) = build(layer_options, &totals, &counted[method_index], None, true)?;
                let nodes: Vec<Node> = report
                    .cells
                    .iter()
                    .zip(members)
                    .map(|(cell, members)| {
                        let included = members.len();
                        let mut decision = if included == 0 {
                            Decision::Unlisted
                        } else if included < rules.min_workers as usize {
                            Decision::FewerWorkers
                        } else {
                            Decision::Publish
                        };
                        let mut carried = false;
                        if decision == Decision::Publish {
                            match earlier(method, &grouping, &cell.key) {
                                Some(EarlierDecision::Published) => carried = true,
                                Some(EarlierDecision::Withheld) => {
                                    (decision, carried) = (Decision::Complementary, true);
                                }
                                None => {}
                            }
                        }
                        Node { key: cell.key, members, included, decision, carried }
                    })
                    .collect();
                let index = nodes.iter().enumerate().map(|(i, node)| (node.key, i)).collect();
                layers.push(Layer { method: method_index, mask, report, nodes, index });
            }
        }
        let mut publication =
            Publication { options, rules, methods: methods.to_vec(), totals, counted, layers };
        publication.decide();
        for layer in &mut publication.layers {
            let decisions: Vec<Decision> = layer.nodes.iter().map(|node| node.decision).collect();
            apply(&mut layer.report, &decisions, &rules);
        }
        Ok(publication)
    }

    fn layer(&self, method: usize, mask: u8) -> usize {
        method * 8 + mask as usize
    }

    fn relations(&self) -> Vec<Relation> {
        let mut relations = Vec::new();
        for (parent_index, parent) in self.layers.iter().enumerate() {
            for bit in 0..3u8 {
                if parent.mask & (1 << bit) != 0 {
                    continue;
                }
                let child_index = self.layer(parent.method, parent.mask | (1 << bit));
                let mut children = vec![Vec::new(); parent.nodes.len()];
                for (c, node) in self.layers[child_index].nodes.iter().enumerate() {
                    children[parent.index[&project(&node.key, parent.mask)]].push(c);
                }
                relations.push(Relation { bit, parent: parent_index, child: child_index, children });
            }
        }
        relations
    }

    /// Whether subtracting the published children of parent `p` from it isolates a suppressed
    /// child or fewer than `min_workers` workers. Every layer is built from the same finest
    /// cells that count, so a parent's workers and totals are exactly those of its children:
    /// what the published children leave unaccounted is the workers of the others.
    fn discloses(&self, relation: &Relation, p: usize) -> bool {
        let k = self.rules.min_workers as usize;
        let child = &self.layers[relation.child];
        let unpublished: Vec<&Node> = relation.children[p]
            .iter()
            .map(|&c| &child.nodes[c])
            .filter(|node| node.decision != Decision::Publish)
            .collect();
        let suppressed = unpublished.iter().filter(|node| node.decision != Decision::Unlisted).count();
        if suppressed == 1 {
            return true;
        }
        if unpublished.is_empty() || unpublished.iter().any(|node| node.members.len() >= k) {
            return false;
        }
        let mut workers: Vec<u32> =
            unpublished.iter().flat_map(|node| node.members.iter().copied()).collect();
        workers.sort_unstable();
        workers.dedup();
        !workers.is_empty() && workers.len() < k
    }

    fn decide(&mut self) {
        let relations = self.relations();
        loop {
            let mut changed = false;
            for relation in &relations {
                for p in 0..self.layers[relation.parent].nodes.len() {
                    while self.layers[relation.parent].nodes[p].decision == Decision::Publish
                        && self.discloses(relation, p)
                    {
                        let child = &self.layers[relation.child];
                        let parent_carried = self.layers[relation.parent].nodes[p].carried;
                        let published_children = || {
                            relation.children[p]
                                .iter()
                                .copied()
                                .filter(|&c| child.nodes[c].decision == Decision::Publish)
                        };
                        let smallest = |carried_too: bool| {
                            published_children()
                                .filter(|&c| carried_too || !child.nodes[c].carried)
                                .min_by_key(|&c| (child.nodes[c].included, child.nodes[c].key))
                        };
                        // A cell whose earlier decision stands is never the one withheld, unless
                        // nothing else can be: a parent published earlier has the same children
                        // as then, decided then, so this should not happen, but a disclosure
                        // within one publication is never the way out.
                        let withheld_child = match (relation.bit != 0, parent_carried) {
                            (true, _) => {
                                smallest(false).or_else(|| parent_carried.then(|| smallest(true)).flatten())
                            }
                            (false, true) => smallest(false).or_else(|| smallest(true)),
                            (false, false) => None,
                        };
                        match withheld_child {
                            Some(c) => {
                                self.layers[relation.child].nodes[c].decision = Decision::Complementary
                            }
                            None => self.layers[relation.parent].nodes[p].decision = Decision::Complementary,
                        }
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The published report of `method` by `grouping`, of one month (year, month) or all.
    pub fn report(
        &self,
        method: Method,
        grouping: &Grouping,
        month: Option<(i64, i64)>,
    ) -> Result<Report, TotalsError> {
        let mask = mask_of(grouping)?;
        let method_index =
            self.methods.iter().position(|m| *m == method).ok_or(TotalsError::SessionMethod(method))?;
        let Some(month) = month else {
            return Ok(self.layers[self.layer(method_index, mask)].report.clone());
        };
        // A month filter gives the cells of the grouping with the month added, restricted to
        // that month: the same workers, the same figures, hence the same decisions.
        let options = ReportOptions { method, grouping: grouping.clone(), ..self.options.clone() };
        let (mut report, _) = build(options, &self.totals, &self.counted[method_index], Some(month), false)?;
        let layer = &self.layers[self.layer(method_index, mask | MONTH_BIT)];
        let decisions: Vec<Decision> = report
            .cells
            .iter()
            .map(|cell| {
                let key = CellKey { month: Some(month), ..cell.key };
                // A cell the publication does not know (none: both come from the same totals)
                // would be withheld rather than published unchecked.
                layer.index.get(&key).map_or(Decision::Complementary, |&i| layer.nodes[i].decision)
            })
            .collect();
        apply(&mut report, &decisions, &self.rules);
        Ok(report)
    }
}

impl Report {
    /// The rounding rules of disclosure control applied to one report published on its own
    /// (`piecerate report --disclosure-control`): task counts and hours rounded, and cells of
    /// fewer than `exact_quantiles_min_workers` workers with their wages rounded, so that no cell
    /// of ten gives its lowest and highest wage. One table has no margins to subtract, so nothing
    /// more is suppressed; cells keep the report's own `min_workers`.
    pub fn apply_disclosure_rounding(&mut self, rules: DisclosureRules) {
        let rules = DisclosureRules { min_workers: self.min_workers, ..rules };
        let decisions: Vec<Decision> = self
            .cells
            .iter()
            .map(|cell| if cell.suppressed() { Decision::FewerWorkers } else { Decision::Publish })
            .collect();
        apply(self, &decisions, &rules);
    }
}

/// Applies each cell's decision to a report, and rounds small cells' wage statistics.
fn apply(report: &mut Report, decisions: &[Decision], rules: &DisclosureRules) {
    let cells = std::mem::take(&mut report.cells);
    for (mut cell, decision) in cells.into_iter().zip(decisions) {
        match decision {
            Decision::Unlisted => continue,
            Decision::FewerWorkers => {
                cell.statistics = None;
                cell.minimum_wage = None;
                cell.n_workers_fewer_than = Some(rules.min_workers);
            }
            Decision::Complementary => {
                cell.statistics = None;
                cell.minimum_wage = None;
                cell.n_workers_fewer_than = None;
                cell.complementary_suppression = true;
            }
            Decision::Publish => {
                if let Some(statistics) = &mut cell.statistics {
                    let tasks_base = rules.n_tasks_rounding_base.max(1);
                    statistics.n_tasks = (statistics.n_tasks + tasks_base / 2) / tasks_base * tasks_base;
                    let hours = |value: f64| {
                        round((value / rules.hours_rounding_base).round() * rules.hours_rounding_base, 3)
                    };
                    statistics.hours_paid = hours(statistics.hours_paid);
                    statistics.hours_unpaid = hours(statistics.hours_unpaid);
                }
                if let Some(statistics) = &mut cell.statistics
                    // Side by side, a row's wages are over its workers with a wage.
                    && statistics.n_workers - statistics.n_workers_without_wage.unwrap_or(0)
                        < u64::from(rules.exact_quantiles_min_workers)
                {
                    let step = rules.small_cell_wage_step_usd;
                    let to_step = |value: f64, how: fn(f64) -> f64| round(how(value / step) * step, 4);
                    statistics.mean_hourly_usd = to_step(statistics.mean_hourly_usd, f64::round);
                    statistics.median_hourly_usd = to_step(statistics.median_hourly_usd, f64::round);
                    statistics.p10_hourly_usd = to_step(statistics.p10_hourly_usd, f64::round);
                    statistics.p25_hourly_usd = to_step(statistics.p25_hourly_usd, f64::round);
                    statistics.p75_hourly_usd = to_step(statistics.p75_hourly_usd, f64::round);
                    statistics.p90_hourly_usd = to_step(statistics.p90_hourly_usd, f64::round);
                    statistics.median_ci95_usd = statistics
                        .median_ci95_usd
                        .map(|[low, high]| [to_step(low, f64::floor), to_step(high, f64::ceil)]);
                    // The bootstrap's ends are functions of every wage of the cell: rounded
                    // outward like the median's, they tell no more than the rounded mean.
                    statistics.mean_ci95_usd = statistics
                        .mean_ci95_usd
                        .map(|[low, high]| [to_step(low, f64::floor), to_step(high, f64::ceil)]);
                    statistics.wages_rounded_to_usd = Some(step);
                }
            }
        }
        report.cells.push(cell);
    }
    report.disclosure = Some(*rules);
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::codes::CountryCode;
    use crate::record::Platform;
    use crate::time::Seconds;

    /// One worker's month in a platform and country: `hours` paid hours earning `dollars`.
    fn worker(
        name: &str,
        platform: Platform,
        country: &str,
        hours: u64,
        dollars: i64,
    ) -> (InstallId, TotalsCell, WorkerTotals) {
        let totals = WorkerTotals {
            earnings_usd: Decimal::new(dollars, 0),
            paid_task_time: Seconds::new(hours * 3600),
            tasks: 3,
            ..WorkerTotals::default()
        };
        let cell =
            TotalsCell { platform, country: Some(CountryCode::parse(country).unwrap()), month: (2024, 5) };
        (InstallId::parse(name).unwrap(), cell, totals)
    }

    fn publication(totals: Vec<(InstallId, TotalsCell, WorkerTotals)>) -> Publication {
        Publication::new(ReportOptions::default(), DisclosureRules::default(), &Method::STANDARD, totals)
            .unwrap()
    }

    fn cell<'a>(
        report: &'a Report,
        platform: Option<Platform>,
        country: Option<&str>,
    ) -> &'a super::super::Cell {
        report
            .cells
            .iter()
            .find(|cell| {
                cell.key.platform == platform
                    && cell.key.country.flatten().map(|c| c.as_str().to_owned()).as_deref() == country
            })
            .unwrap()
    }

    /// The first attack: Germany over all platforms minus its published platforms gave
    /// the one mturk worker in Germany. Germany's pool is withheld, and so is the cell of mturk
    /// in the US, which mturk over all countries would otherwise give it away through.
    #[test]
    fn one_suppressed_child_takes_a_sibling_or_its_parent_with_it() {
        let mut totals = vec![worker("de-mturk", Platform::Mturk, "DE", 2, 3)];
        for i in 0..12 {
            totals.push(worker(&format!("de-{i}"), Platform::Prolific, "DE", 2, 10 + i));
            totals.push(worker(&format!("us-p{i}"), Platform::Prolific, "US", 2, 10 + i));
        }
        for i in 0..15 {
            totals.push(worker(&format!("us-m{i}"), Platform::Mturk, "US", 2, 5 + i));
        }
        let publication = publication(totals);
        let by_both = publication.report(Method::All, &"platform,country".parse().unwrap(), None).unwrap();
        let mturk_de = cell(&by_both, Some(Platform::Mturk), Some("DE"));
        assert_eq!((mturk_de.n_workers_fewer_than, mturk_de.complementary_suppression), (Some(10), false));
        assert!(cell(&by_both, Some(Platform::Mturk), Some("US")).complementary_suppression);
        assert!(!cell(&by_both, Some(Platform::Prolific), Some("DE")).suppressed());
        let by_country = publication.report(Method::All, &"country".parse().unwrap(), None).unwrap();
        assert!(cell(&by_country, None, Some("DE")).complementary_suppression);
        let by_platform = publication.report(Method::All, &"platform".parse().unwrap(), None).unwrap();
        assert!(by_platform.cells.iter().all(|cell| !cell.suppressed()), "{by_platform:?}");
        // The month filter gives the same decisions as grouping by month.
        let may =
            publication.report(Method::All, &"platform,country".parse().unwrap(), Some((2024, 5))).unwrap();
        let decisions = |report: &Report| -> Vec<(bool, bool)> {
            report.cells.iter().map(|c| (c.suppressed(), c.complementary_suppression)).collect()
        };
        assert_eq!(decisions(&may), decisions(&by_both));
    }

    /// Decisions carried from an earlier publication: US 15, IN 11, KE 5 on one platform withhold
    /// KE and IN (the smaller published country). When ten join IN, US becomes the smaller; but
    /// US, unchanged and published before, stays published, so IN is withheld again (the total
    /// minus US is IN and KE together, which differs from the first publication's by the ten
    /// newcomers only). IN, withheld before and unchanged, stays withheld even when nothing small
    /// is left to protect.
    #[test]
    fn an_earlier_decision_about_an_unchanged_cell_stands() {
        let countries = |sizes: [(&str, usize); 3]| {
            let mut totals = Vec::new();
            for (country, size) in sizes {
                for i in 0..size {
                    let name = format!("{country}-{i}");
                    totals.push(worker(&name, Platform::Mturk, country, 2, 4 + i as i64));
                }
            }
            totals
        };
        let withheld = |publication: &Publication, by: &str| -> Vec<String> {
            let report = publication.report(Method::All, &by.parse().unwrap(), None).unwrap();
            report.cells.iter().filter(|c| c.suppressed()).map(|c| format!("{:?}", c.key.country)).collect()
        };
        let first = publication(countries([("US", 15), ("IN", 11), ("KE", 5)]));
        assert_eq!(withheld(&first, "country"), ["Some(Some(IN))", "Some(Some(KE))"]);

        let grown = countries([("US", 15), ("IN", 21), ("KE", 5)]);
        // Without the earlier decisions, US would be withheld now: the first publication's US
        // and this one's total and IN would give KE.
        assert_eq!(withheld(&publication(grown.clone()), "country"), ["Some(Some(KE))", "Some(Some(US))"]);
        let earlier = |_: Method, grouping: &Grouping, key: &CellKey| {
            let country = key.country.flatten().map(|c| c.as_str().to_owned());
            match (grouping.dimensions().contains(&Dimension::Country), country.as_deref()) {
                (true, Some("US")) => Some(EarlierDecision::Published),
                (true, Some("KE")) => Some(EarlierDecision::Withheld),
                _ => None,
            }
        };
        let carried = Publication::carrying(
            ReportOptions::default(),
            DisclosureRules::default(),
            &Method::STANDARD,
            grown,
            earlier,
        )
        .unwrap();
        assert_eq!(withheld(&carried, "country"), ["Some(Some(IN))", "Some(Some(KE))"]);
        let total = carried.report(Method::All, &Grouping::default(), None).unwrap();
        assert!(!total.cells[0].suppressed(), "{total:?}");

        // Ten join KE: IN, withheld before with the same workers, stays withheld, and so does
        // the smallest published country that is not carried, KE.
        let earlier = |_: Method, grouping: &Grouping, key: &CellKey| {
            let country = key.country.flatten().map(|c| c.as_str().to_owned());
            match (grouping.dimensions().contains(&Dimension::Country), country.as_deref()) {
                (true, Some("US")) => Some(EarlierDecision::Published),
                (true, Some("IN")) => Some(EarlierDecision::Withheld),
                _ => None,
            }
        };
        let carried = Publication::carrying(
            ReportOptions::default(),
            DisclosureRules::default(),
            &Method::STANDARD,
            countries([("US", 15), ("IN", 11), ("KE", 15)]),
            earlier,
        )
        .unwrap();
        assert_eq!(withheld(&carried, "country"), ["Some(Some(IN))", "Some(Some(KE))"]);
    }

    /// The second attack: p10, p90 and the interval's ends of a cell of ten workers gave
    /// its lowest and highest wage. Rounded to a quarter, they no longer do.
    #[test]
    fn small_cells_give_their_wages_rounded_and_their_interval_outward() {
        let totals: Vec<_> =
            (0..10).map(|i| worker(&format!("w{i}"), Platform::Mturk, "CA", 1, 1 + 2 * i)).collect();
        let report = publication(totals).report(Method::All, &Grouping::default(), None).unwrap();
        let statistics = report.cells[0].statistics.as_ref().unwrap();
        assert_eq!(statistics.wages_rounded_to_usd, Some(0.25));
        // Wages 1, 3, ..., 19: p10 = 2.8, the interval [3, 17], the mean 10.
        assert_eq!(statistics.p10_hourly_usd, 2.75);
        assert_eq!(statistics.median_ci95_usd, Some([3.0, 17.0]));
        assert_eq!(statistics.mean_hourly_usd, 10.0);
        assert_eq!((statistics.n_tasks, statistics.hours_paid), (30, 10.0));
        assert_eq!(report.disclosure, Some(DisclosureRules::default()));
        // Twenty workers publish exact order statistics.
        let totals: Vec<_> =
            (0..20).map(|i| worker(&format!("w{i}"), Platform::Mturk, "CA", 1, 1 + 2 * i)).collect();
        let report = publication(totals).report(Method::All, &Grouping::default(), None).unwrap();
        let statistics = report.cells[0].statistics.as_ref().unwrap();
        assert_eq!((statistics.wages_rounded_to_usd, statistics.p10_hourly_usd), (None, 4.8));
    }

    #[test]
    fn a_cell_whose_workers_are_all_left_out_is_not_listed() {
        let mut totals: Vec<_> =
            (0..10).map(|i| worker(&format!("w{i}"), Platform::Mturk, "US", 1, 3 + i)).collect();
        // One install claiming $1000 an hour in Kenya: left out, and Kenya is not listed.
        totals.push(worker("fake", Platform::Toloka, "KE", 1, 1000));
        let publication = publication(totals);
        let report = publication.report(Method::All, &"platform,country".parse().unwrap(), None).unwrap();
        assert_eq!(report.cells.len(), 1, "{report:?}");
        assert_eq!(report.excluded_implausible, 1);
        assert!(report.notes.iter().any(|note| note.contains("implausible")));
    }
}
