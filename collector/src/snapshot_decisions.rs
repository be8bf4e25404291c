//! What the latest snapshot decided about each cell it listed (published, or withheld), read
//! from its stored document, and which cells have the same workers and totals since: those keep
//! the decision (`analysis::report::Publication::carrying`), so that a reader who keeps two
//! snapshots cannot read a cell one of them withheld from the other (`docs/methodology.md`,
//! "Snapshots").

use std::collections::{HashMap, HashSet};

use analysis::report::{CellKey, Dimension, EarlierDecision, TotalsCell};
use analysis::{Grouping, Method};
use serde_json::Value;

use crate::db::DbError;

/// A cell of a report, as text both a `CellKey` and a document's cell can be written in: the
/// grouping (`platform,country`) and the cell's value of each of its dimensions.
type CellName = (String, String);

/// The value a cell writes for a dimension it has no value of (`country` not given).
const NONE: &str = "\u{0}";

fn name_of_key(grouping: &Grouping, key: &CellKey) -> CellName {
    let values: Vec<String> = grouping
        .dimensions()
        .iter()
        .map(|dimension| key.value(*dimension).unwrap_or_else(|| NONE.to_owned()))
        .collect();
    (grouping.to_string(), values.join("|"))
}

fn name_of_document_cell(by: &str, cell: &Value) -> CellName {
    let values: Vec<&str> = by
        .split(',')
        .filter(|dimension| !dimension.is_empty())
        .map(|dimension| cell[dimension].as_str().unwrap_or(NONE))
        .collect();
    (by.to_owned(), values.join("|"))
}

/// The decisions of the latest snapshot that still stand.
#[derive(Debug, Default)]
pub(crate) struct EarlierDecisions {
    /// Per method (`all`, `task`, `paid`), each listed cell's decision.
    decided: HashMap<String, HashMap<CellName, EarlierDecision>>,
    /// Per method, the cells whose workers or totals changed since: their decision is not kept.
    moved: HashMap<String, HashSet<CellName>>,
}

impl EarlierDecisions {
    /// The decisions of a stored snapshot document (`piecerate.snapshot/1`), every cell
    /// unchanged.
    pub(crate) fn of_document(document: &str) -> Result<EarlierDecisions, DbError> {
        let corrupt = |what: &str| DbError::CorruptRow(format!("a stored snapshot {what}"));
        let document: Value = serde_json::from_str(document).map_err(|_| corrupt("is not JSON"))?;
        let mut decided: HashMap<String, HashMap<CellName, EarlierDecision>> = HashMap::new();
        for report in document["reports"].as_array().ok_or_else(|| corrupt("has no reports"))? {
            let (Some(method), Some(by)) = (report["method"].as_str(), report["by"].as_str()) else {
                return Err(corrupt("has a report without its method or grouping"));
            };
            let cells =
                report["report"]["cells"].as_array().ok_or_else(|| corrupt("has a report without cells"))?;
            let decisions = decided.entry(method.to_owned()).or_default();
            for cell in cells {
                let decision = if cell["suppressed"] == true {
                    EarlierDecision::Withheld
                } else {
                    EarlierDecision::Published
                };
                decisions.insert(name_of_document_cell(by, cell), decision);
            }
        }
        Ok(EarlierDecisions { decided, moved: HashMap::new() })
    }

    /// Forgets the decisions about every cell, of any grouping, that contains one of `moved`
    /// finest cells under `method`.
    pub(crate) fn moved(&mut self, method: Method, moved: &[TotalsCell]) {
        let names = self.moved.entry(method.to_string()).or_default();
        for cell in moved {
            let finest = CellKey {
                platform: Some(cell.platform),
                country: Some(cell.country),
                month: Some(cell.month),
                category: None,
            };
            for grouping in groupings() {
                names.insert(name_of_key(&grouping, &finest));
            }
        }
    }

    /// The decision that stands for a cell, if any.
    pub(crate) fn get(&self, method: Method, grouping: &Grouping, key: &CellKey) -> Option<EarlierDecision> {
        let method = method.to_string();
        let name = name_of_key(grouping, key);
        if self.moved.get(&method).is_some_and(|moved| moved.contains(&name)) {
            return None;
        }
        self.decided.get(&method)?.get(&name).copied()
    }
}

/// Every grouping of platform, country and month, coarsest first: those a snapshot publishes.
pub(crate) fn groupings() -> Vec<Grouping> {
    const DIMENSIONS: [Dimension; 3] = [Dimension::Platform, Dimension::Country, Dimension::Month];
    let mut groupings: Vec<Grouping> = (0..8u8)
        .map(|mask| {
            let chosen: Vec<Dimension> = DIMENSIONS
                .iter()
                .enumerate()
                .filter(|(bit, _)| mask & (1 << bit) != 0)
                .map(|(_, d)| *d)
                .collect();
            Grouping::new(&chosen)
        })
        .collect();
    groupings.sort_by_key(|grouping| grouping.dimensions().len());
    groupings
}

#[cfg(test)]
mod tests {
    use super::*;
    use analysis::{CountryCode, Platform};

    #[test]
    fn a_documents_decisions_stand_until_their_cells_move() {
        let document = serde_json::json!({
            "reports": [
                {"method": "all", "by": "", "report": {"cells": [{"n_workers": 31}]}},
                {"method": "all", "by": "country", "report": {"cells": [
                    {"country": "US", "n_workers": 15},
                    {"country": "KE", "suppressed": true},
                    {"country": null, "suppressed": true},
                ]}},
                {"method": "paid", "by": "platform,country", "report": {"cells": [
                    {"platform": "mturk", "country": "US", "suppressed": true},
                ]}},
            ]
        });
        let mut decisions = EarlierDecisions::of_document(&document.to_string()).unwrap();
        let country = |code: Option<&str>| CellKey {
            platform: None,
            country: Some(code.map(|code| CountryCode::parse(code).unwrap())),
            month: None,
            category: None,
        };
        let by_country: Grouping = "country".parse().unwrap();
        let all = Method::All;
        assert_eq!(decisions.get(all, &by_country, &country(Some("US"))), Some(EarlierDecision::Published));
        assert_eq!(decisions.get(all, &by_country, &country(Some("KE"))), Some(EarlierDecision::Withheld));
        assert_eq!(decisions.get(all, &by_country, &country(None)), Some(EarlierDecision::Withheld));
        assert_eq!(decisions.get(all, &by_country, &country(Some("IN"))), None);
        assert_eq!(decisions.get(Method::Task, &by_country, &country(Some("US"))), None);
        let total = CellKey { platform: None, country: None, month: None, category: None };
        assert_eq!(decisions.get(all, &Grouping::default(), &total), Some(EarlierDecision::Published));
        let mturk_us = CellKey { platform: Some(Platform::Mturk), ..country(Some("US")) };
        let by_both: Grouping = "platform,country".parse().unwrap();
        assert_eq!(decisions.get(Method::Paid, &by_both, &mturk_us), Some(EarlierDecision::Withheld));

        // A worker joined mturk in the US in May 2024 under `all`: the US, the total and every
        // cell holding that finest cell are decided afresh; Kenya and `paid` keep theirs.
        let moved = TotalsCell {
            platform: Platform::Mturk,
            country: Some(CountryCode::parse("US").unwrap()),
            month: (2024, 5),
        };
        decisions.moved(all, &[moved]);
        assert_eq!(decisions.get(all, &by_country, &country(Some("US"))), None);
        assert_eq!(decisions.get(all, &Grouping::default(), &total), None);
        assert_eq!(decisions.get(all, &by_country, &country(Some("KE"))), Some(EarlierDecision::Withheld));
        assert_eq!(decisions.get(Method::Paid, &by_both, &mturk_us), Some(EarlierDecision::Withheld));
    }

    #[test]
    fn a_document_that_is_not_a_snapshot_is_refused() {
        for bad in ["", "[]", "{\"reports\": 3}", "{\"reports\": [{\"by\": \"\"}]}"] {
            assert!(EarlierDecisions::of_document(bad).is_err(), "{bad}");
        }
    }
}
