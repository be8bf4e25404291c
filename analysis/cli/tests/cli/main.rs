//! End-to-end tests of the `piecerate` binary: reports (hand-computed and golden), imports of
//! real requester exports, the simulator, and hostile or broken input at every boundary.

mod brief;
mod common;
mod compare;
mod filters;
mod import;
mod input_errors;
mod intervals;
mod merging;
mod methods_side_by_side;
mod minimum_wage;
mod platform_registry;
mod provenance;
#[path = "../../../../tests/support/python_tools.rs"]
mod python_tools;
mod report;
mod report_input;
mod simulate;
mod verify_evidence;
mod version;
mod workers;
