//! The per-platform assumptions of the simulator: who works where, in what currency, how long
//! tasks take, how they end and what a typical worker earns. `docs/simulation.md` gives the
//! published figure behind each MTurk number and marks the others as illustrative.

use crate::record::{Outcome, Platform, TaskCategory, UnpaidCategory};

/// Which currency a platform pays in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PayCurrency {
    /// Every worker is paid in this ISO 4217 currency.
    Fixed(&'static str),
    /// Each worker is paid in the currency of their country (hand-logged local platforms).
    Local,
}

/// Everything the simulator assumes about one platform.
#[derive(Debug)]
pub(crate) struct PlatformProfile {
    pub platform: Platform,
    /// Share of simulated workers on this platform.
    pub share: f64,
    pub countries: &'static [(&'static str, f64)],
    pub currency: PayCurrency,
    /// Median over workers of the hourly wage under method `all`, in US dollars.
    pub median_wage_usd: f64,
    /// Spread of the log wage over workers (standard deviation of a log-normal).
    pub wage_log_sigma: f64,
    /// Median active minutes of one task.
    pub task_minutes: f64,
    pub outcomes: &'static [(Outcome, f64)],
    pub categories: &'static [(TaskCategory, f64)],
    pub unpaid_categories: &'static [(UnpaidCategory, f64)],
    /// Whether a screen-out pays for the time spent (Prolific does, MTurk does not).
    pub screen_out_paid: bool,
}

const MICROTASK_OUTCOMES: &[(Outcome, f64)] = &[
    (Outcome::Approved, 0.86),
    (Outcome::Submitted, 0.05),
    (Outcome::Rejected, 0.015),
    (Outcome::Returned, 0.05),
    (Outcome::Abandoned, 0.02),
    (Outcome::ScreenedOut, 0.005),
];

const STUDY_OUTCOMES: &[(Outcome, f64)] = &[
    (Outcome::Approved, 0.78),
    (Outcome::Submitted, 0.06),
    (Outcome::Rejected, 0.02),
    (Outcome::Returned, 0.08),
    (Outcome::Abandoned, 0.02),
    (Outcome::ScreenedOut, 0.04),
];

const MICROTASK_CATEGORIES: &[(TaskCategory, f64)] = &[
    (TaskCategory::Labeling, 0.35),
    (TaskCategory::Survey, 0.18),
    (TaskCategory::Transcription, 0.1),
    (TaskCategory::DataCollection, 0.15),
    (TaskCategory::Moderation, 0.06),
    (TaskCategory::Writing, 0.05),
    (TaskCategory::Testing, 0.03),
    (TaskCategory::Other, 0.08),
];

const STUDY_CATEGORIES: &[(TaskCategory, f64)] = &[
    (TaskCategory::Survey, 0.85),
    (TaskCategory::Testing, 0.05),
    (TaskCategory::Writing, 0.05),
    (TaskCategory::Other, 0.05),
];

const ANNOTATION_CATEGORIES: &[(TaskCategory, f64)] = &[
    (TaskCategory::Labeling, 0.6),
    (TaskCategory::Moderation, 0.2),
    (TaskCategory::DataCollection, 0.1),
    (TaskCategory::Transcription, 0.1),
];

const MICROTASK_UNPAID: &[(UnpaidCategory, f64)] = &[
    (UnpaidCategory::Search, 0.55),
    (UnpaidCategory::Qualification, 0.12),
    (UnpaidCategory::Screener, 0.08),
    (UnpaidCategory::Communication, 0.08),
    (UnpaidCategory::Admin, 0.12),
    (UnpaidCategory::Other, 0.05),
];

const STUDY_UNPAID: &[(UnpaidCategory, f64)] = &[
    (UnpaidCategory::Search, 0.45),
    (UnpaidCategory::Qualification, 0.05),
    (UnpaidCategory::Screener, 0.3),
    (UnpaidCategory::Communication, 0.05),
    (UnpaidCategory::Admin, 0.1),
    (UnpaidCategory::Other, 0.05),
];

const GLOBAL_SOUTH: &[(&str, f64)] =
    &[("IN", 0.3), ("PH", 0.2), ("KE", 0.15), ("NG", 0.15), ("BR", 0.1), ("US", 0.1)];

/// The platforms, their shares summing to one.
pub(crate) const PROFILES: &[PlatformProfile] = &[
    PlatformProfile {
        platform: Platform::Mturk,
        share: 0.40,
        // Difallah, Filatova and Ipeirotis (WSDM 2018): about 75% of MTurk workers in the US
        // and 16% in India.
        countries: &[
            ("US", 0.75),
            ("IN", 0.16),
            ("CA", 0.02),
            ("GB", 0.02),
            ("PH", 0.02),
            ("DE", 0.01),
            ("FR", 0.01),
            ("BR", 0.01),
        ],
        currency: PayCurrency::Fixed("USD"),
        // Hara et al. (CHI 2018): median about $2/h, 4% of workers above $7.25/h. A log-normal
        // with median 2 puts 4% above 7.25 when sigma = ln(7.25 / 2) / 1.75 = 0.74.
        median_wage_usd: 2.0,
        wage_log_sigma: 0.74,
        task_minutes: 2.0,
        outcomes: MICROTASK_OUTCOMES,
        categories: MICROTASK_CATEGORIES,
        unpaid_categories: MICROTASK_UNPAID,
        screen_out_paid: false,
    },
    PlatformProfile {
        platform: Platform::Prolific,
        share: 0.20,
        countries: &[("GB", 0.5), ("US", 0.32), ("CA", 0.06), ("DE", 0.07), ("FR", 0.05)],
        currency: PayCurrency::Fixed("GBP"),
        median_wage_usd: 7.5,
        wage_log_sigma: 0.5,
        task_minutes: 12.0,
        outcomes: STUDY_OUTCOMES,
        categories: STUDY_CATEGORIES,
        unpaid_categories: STUDY_UNPAID,
        screen_out_paid: true,
    },
    PlatformProfile {
        platform: Platform::Toloka,
        share: 0.08,
        countries: GLOBAL_SOUTH,
        currency: PayCurrency::Fixed("USD"),
        median_wage_usd: 1.5,
        wage_log_sigma: 0.7,
        task_minutes: 1.0,
        outcomes: MICROTASK_OUTCOMES,
        categories: ANNOTATION_CATEGORIES,
        unpaid_categories: MICROTASK_UNPAID,
        screen_out_paid: false,
    },
    PlatformProfile {
        platform: Platform::Clickworker,
        share: 0.08,
        countries: &[("DE", 0.45), ("FR", 0.15), ("GB", 0.1), ("US", 0.2), ("IN", 0.1)],
        currency: PayCurrency::Fixed("EUR"),
        median_wage_usd: 3.5,
        wage_log_sigma: 0.6,
        task_minutes: 5.0,
        outcomes: MICROTASK_OUTCOMES,
        categories: MICROTASK_CATEGORIES,
        unpaid_categories: MICROTASK_UNPAID,
        screen_out_paid: false,
    },
    PlatformProfile {
        platform: Platform::Microworkers,
        share: 0.06,
        countries: GLOBAL_SOUTH,
        currency: PayCurrency::Fixed("USD"),
        median_wage_usd: 1.8,
        wage_log_sigma: 0.7,
        task_minutes: 3.0,
        outcomes: MICROTASK_OUTCOMES,
        categories: MICROTASK_CATEGORIES,
        unpaid_categories: MICROTASK_UNPAID,
        screen_out_paid: false,
    },
    PlatformProfile {
        platform: Platform::Appen,
        share: 0.06,
        countries: &[("PH", 0.3), ("IN", 0.3), ("US", 0.2), ("KE", 0.1), ("BR", 0.1)],
        currency: PayCurrency::Fixed("USD"),
        median_wage_usd: 4.0,
        wage_log_sigma: 0.6,
        task_minutes: 3.0,
        outcomes: MICROTASK_OUTCOMES,
        categories: ANNOTATION_CATEGORIES,
        unpaid_categories: MICROTASK_UNPAID,
        screen_out_paid: false,
    },
    PlatformProfile {
        platform: Platform::Remotasks,
        share: 0.06,
        countries: &[("PH", 0.4), ("KE", 0.3), ("NG", 0.1), ("IN", 0.2)],
        currency: PayCurrency::Fixed("USD"),
        median_wage_usd: 2.0,
        wage_log_sigma: 0.7,
        task_minutes: 8.0,
        outcomes: MICROTASK_OUTCOMES,
        categories: ANNOTATION_CATEGORIES,
        unpaid_categories: MICROTASK_UNPAID,
        screen_out_paid: false,
    },
    PlatformProfile {
        platform: Platform::Other,
        share: 0.06,
        countries: &[("IN", 0.3), ("PH", 0.2), ("KE", 0.15), ("NG", 0.15), ("BR", 0.2)],
        currency: PayCurrency::Local,
        median_wage_usd: 2.0,
        wage_log_sigma: 0.7,
        task_minutes: 4.0,
        outcomes: MICROTASK_OUTCOMES,
        categories: MICROTASK_CATEGORIES,
        unpaid_categories: MICROTASK_UNPAID,
        screen_out_paid: false,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{CountryCode, Currency};

    fn sums_to_one(weights: impl Iterator<Item = f64>, what: &str) {
        let total: f64 = weights.sum();
        assert!((total - 1.0).abs() < 1e-9, "{what} sums to {total}");
    }

    #[test]
    fn every_table_is_a_distribution_of_valid_codes() {
        sums_to_one(PROFILES.iter().map(|p| p.share), "platform shares");
        for profile in PROFILES {
            let name = profile.platform.as_str();
            sums_to_one(profile.countries.iter().map(|c| c.1), name);
            sums_to_one(profile.outcomes.iter().map(|c| c.1), name);
            sums_to_one(profile.categories.iter().map(|c| c.1), name);
            sums_to_one(profile.unpaid_categories.iter().map(|c| c.1), name);
            for (country, _) in profile.countries {
                let country = CountryCode::parse(country).unwrap();
                if let PayCurrency::Local = profile.currency {
                    assert!(country.currency().is_some(), "{name}: {country} has no shipped rate");
                }
            }
            if let PayCurrency::Fixed(code) = profile.currency {
                Currency::parse(code).unwrap();
            }
        }
    }
}
