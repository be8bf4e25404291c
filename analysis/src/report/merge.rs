//! Merging report builders, so that a large input can be read in parallel, one builder per
//! part, and still give exactly the report one builder would have given.

use super::ReportBuilder;

impl ReportBuilder {
    /// An empty builder for the same report, to read one part of the input into and merge.
    pub(crate) fn new_part(&self) -> ReportBuilder {
        ReportBuilder::new(self.options.clone())
    }

    /// Adds everything `later` has accumulated, as if its records had been added to `self`
    /// after `self`'s own. Both builders must have the same options.
    pub fn merge(&mut self, later: ReportBuilder) {
        assert_eq!(self.options, later.options, "only builders of the same report can be merged");
        if self.installs.is_empty() && self.cells.is_empty() && self.session_spans.is_empty() {
            // Nothing to add to: `later`'s maps are taken whole, which gives the same builder
            // without holding two copies of a large input's workers at once.
            self.install_index = later.install_index;
            self.installs = later.installs;
            self.cells = later.cells;
            self.session_spans = later.session_spans;
            return;
        }
        let mut worker_of = Vec::with_capacity(later.installs.len());
        for install in later.installs {
            let index = match self.install_index.get(&install) {
                Some(&index) => index,
                None => {
                    let index = u32::try_from(self.installs.len()).expect("fewer than 4 billion installs");
                    self.install_index.insert(install.clone(), index);
                    self.installs.push(install);
                    index
                }
            };
            worker_of.push(index);
        }
        for ((worker, key), cell) in later.cells {
            let target = self.cells.entry((worker_of[worker as usize], key)).or_default();
            target.totals.merge(&cell.totals);
            target.minimum.merge(&cell.minimum);
            target.uncategorised_unpaid += cell.uncategorised_unpaid;
            target.uncategorised_minimum.merge(&cell.uncategorised_minimum);
            target.unvalued |= cell.unvalued;
            // The first record seen names a cell's country; `self`'s records came first.
            target.country = target.country.or(cell.country);
        }
        self.session_spans
            .extend(later.session_spans.into_iter().map(|(worker, span)| (worker_of[worker as usize], span)));
    }
}

#[cfg(test)]
mod tests {
    use crate::record::{Record, RecordFields};
    use crate::report::{Grouping, ReportBuilder, ReportOptions, report};
    use crate::wage::Method;

    fn record(id: u32, install: &str, country: &str, kind: &str, start_minute: u32, active: u32) -> Record {
        let record_id = format!("00000000-0000-4000-8000-{id:012}");
        let started_at = format!("2024-05-01T10:{start_minute:02}:00Z");
        let ended_at = format!("2024-05-01T11:{start_minute:02}:00Z");
        let active = active.to_string();
        let task = kind == "task";
        Record::from_fields(&RecordFields {
            record_id: &record_id,
            install_id: install,
            platform: "mturk",
            country,
            kind,
            category: if task { "labeling" } else { "search" },
            outcome: if task { "approved" } else { "" },
            started_at: &started_at,
            ended_at: &ended_at,
            active_seconds: &active,
            reward: if task { "0.75" } else { "" },
            bonus: "",
            currency: if task { "USD" } else { "" },
        })
        .unwrap()
    }

    #[test]
    fn merged_parts_give_the_report_of_the_whole() {
        let records = [
            record(1, "a", "US", "task", 0, 600),
            record(2, "b", "", "task", 5, 900),
            record(3, "a", "", "unpaid", 20, 300),
            record(4, "c", "IN", "task", 30, 1200),
            record(5, "b", "IN", "unpaid", 40, 60),
            record(6, "a", "US", "task", 50, 1800),
        ];
        for method in [Method::All, Method::Paid, Method::Session { max_gap_minutes: 30 }] {
            for grouping in ["", "country", "platform,category"] {
                let options = ReportOptions {
                    method,
                    grouping: grouping.parse::<Grouping>().unwrap(),
                    min_workers: 1,
                    min_hours: 0.0,
                    ..ReportOptions::default()
                };
                let whole = report(&records, options.clone());
                for split in 0..=records.len() {
                    let mut first = ReportBuilder::new(options.clone());
                    let mut second = ReportBuilder::new(options.clone());
                    records[..split].iter().for_each(|r| first.add(r));
                    records[split..].iter().for_each(|r| second.add(r));
                    first.merge(second);
                    assert_eq!(first.finish(), whole, "{method} by '{grouping}' split at {split}");
                }
            }
        }
    }
}
