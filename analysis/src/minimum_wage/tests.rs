use super::*;

fn static_code(currency: Currency) -> &'static str {
    Box::leak(currency.as_str().to_owned().into_boxed_str())
}

fn on(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn at(jurisdiction: &str, date: &str) -> Threshold {
    in_force(&Jurisdiction::parse(jurisdiction).unwrap(), on(date))
}

/// The hourly amount in local currency and the in-force date of a known threshold.
fn known(jurisdiction: &str, date: &str) -> (String, &'static str, String) {
    match at(jurisdiction, date) {
        Threshold::Known(row) => (
            row.hourly_local().unwrap().round_dp(4).normalize().to_string(),
            static_code(row.rate.as_ref().unwrap().currency),
            row.in_force_from.to_string(),
        ),
        other => panic!("{jurisdiction} on {date}: {other:?}"),
    }
}

#[test]
fn every_shipped_row_is_the_csv_s() {
    let csv = include_str!("../../data/minimum_wages.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let expected: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows().len(), expected.len());
    for (row, want) in rows().iter().zip(&expected) {
        assert_eq!(row.country.as_str(), &want[0]);
        assert_eq!(row.region.unwrap_or(""), &want[1]);
        let basis = match row.basis {
            Basis::Statutory => "statutory",
            Basis::LowestRegional => "lowest_regional",
            Basis::NoStatutoryMinimum => "none",
            Basis::AmountNotInSources => "unknown",
        };
        assert_eq!(basis, &want[2], "{want:?}");
        let rate = row.rate.as_ref();
        assert_eq!(rate.map_or(String::new(), |r| r.currency.as_str().to_owned()), &want[3]);
        assert_eq!(rate.map_or(String::new(), |r| r.amount.to_string()), &want[4], "{want:?}");
        assert_eq!(rate.map_or(&want[5], |r| r.period.as_str()), &want[5]);
        assert_eq!(rate.and_then(|r| r.hours_per_period).map_or(String::new(), |h| h.to_string()), &want[6]);
        // The shipped hourly column is the exact division rounded to four places.
        let hourly = row.hourly_local().map(|h| {
            h.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero).to_string()
        });
        match hourly {
            Some(hourly) => {
                assert_eq!(Decimal::from_str_exact(&hourly), Decimal::from_str_exact(&want[7]), "{want:?}")
            }
            None => assert_eq!(&want[7], ""),
        }
        assert_eq!(row.in_force_from.to_string(), &want[8]);
        assert_eq!((row.source, row.source_file, row.note), (&want[9], &want[10], &want[11]));
    }
}

#[test]
fn the_minimum_in_force_on_a_day() {
    // The National Living Wage from April 2024, not a figure of 2020.
    assert_eq!(known("GB", "2024-07-15"), ("11.44".to_owned(), "GBP", "2024-04-01".to_owned()));
    assert_eq!(known("GB", "2024-03-31"), ("10.42".to_owned(), "GBP", "2023-04-01".to_owned()));
    // Brazil's monthly minimum over the CLT's 220 hours, exactly.
    assert_eq!(known("BR", "2020-07-01"), ("4.75".to_owned(), "BRL", "2020-02-01".to_owned()));
    assert_eq!(known("DE", "2024-06-30"), ("12.41".to_owned(), "EUR", "2024-01-01".to_owned()));
    assert_eq!(known("FR", "2024-06-30"), ("11.65".to_owned(), "EUR", "2024-01-01".to_owned()));
    assert_eq!(known("MX", "2024-06-30"), ("31.1162".to_owned(), "MXN", "2024-01-01".to_owned()));
}

#[test]
fn a_region_has_the_higher_of_its_own_and_the_national_minimum() {
    assert_eq!(known("US", "2025-03-01"), ("7.25".to_owned(), "USD", "2009-07-24".to_owned()));
    assert_eq!(known("US-CA", "2025-03-01").0, "16.5");
    // Texas has no rows of its own: the federal minimum applies.
    assert_eq!(known("US-TX", "2025-03-01").0, "7.25");
    // A state rate below the federal one gives way to it (North Carolina's 6.15 of 2007).
    let (own, _) = row_in_force(CountryCode::parse("US").unwrap(), Some("US-NC"), on("2024-01-01"));
    assert_eq!(own.unwrap().hourly_local(), Some(Decimal::new(615, 2)));
    assert_eq!(known("US-NC", "2024-01-01").0, "7.25");
}

#[test]
fn canada_pools_at_its_lowest_provincial_rate() {
    let Threshold::Known(row) = at("CA", "2024-12-01") else { panic!("CA has a pooled figure") };
    assert_eq!(row.basis, Basis::LowestRegional);
    assert_eq!(row.hourly_local(), Some(Decimal::from(15)));
    assert_eq!(known("CA-ON", "2024-12-01").0, "17.2");
    // A province's own rate, never the pooled lowest one, applies to a worker who picked it.
    assert!(matches!(at("CA-ON", "2024-12-01"), Threshold::Known(row) if row.region == Some("CA-ON")));
}

#[test]
fn no_minimum_and_unknown_minimum_say_why() {
    let denmark = Jurisdiction::parse("DK").unwrap();
    let threshold = in_force(&denmark, on("2024-01-01"));
    assert!(matches!(threshold, Threshold::NoStatutoryMinimum(_)));
    assert_eq!(threshold.status(), "none");
    assert!(threshold.reason(&denmark).unwrap().contains("no statutory minimum"));

    let antarctica = Jurisdiction::parse("AQ").unwrap();
    let threshold = in_force(&antarctica, on("2024-01-01"));
    assert_eq!(threshold, Threshold::Unknown(Unknown::NotInSources));
    assert_eq!(threshold.reason(&antarctica).unwrap(), "no minimum wage of AQ is in the shipped sources");

    assert!(
        matches!(at("GB", "2015-01-01"), Threshold::Unknown(Unknown::BeforeFirstKnown { first }) if first == on("2015-10-01"))
    );
    assert!(matches!(at("NG", "2025-01-01"), Threshold::Unknown(Unknown::NoHoursConvention(_))));
    assert!(matches!(at("CY", "2022-06-01"), Threshold::NoStatutoryMinimum(_)));
    assert!(matches!(at("CY", "2024-06-01"), Threshold::Unknown(Unknown::AmountNotInSources(_))));
}

#[test]
fn jurisdictions_parse_and_suggest() {
    assert_eq!(Jurisdiction::parse("gb").unwrap().to_string(), "GB");
    assert_eq!(Jurisdiction::parse(" us-ca ").unwrap().to_string(), "US-CA");
    let uk = Jurisdiction::parse("UK").unwrap_err().to_string();
    assert!(uk.contains("did you mean GB?"), "{uk}");
    #[cfg(feature = "country-names")]
    assert!(Jurisdiction::parse("Germany").unwrap_err().to_string().contains("did you mean DE?"));
    let region = Jurisdiction::parse("US-ZZ").unwrap_err().to_string();
    assert!(region.contains("not a region of US") && region.contains("US-TX"), "{region}");
    assert!(Jurisdiction::parse("GB-ENG").unwrap_err().to_string().contains("no regional minimum wages"));
    for hostile in ["", "-", "G", "GBR-", "💥", &"A".repeat(10_000)] {
        let error = Jurisdiction::parse(hostile).unwrap_err().to_string();
        assert!(error.len() < 400, "{error}");
    }
}

#[test]
fn a_month_uses_the_minimum_in_force_on_its_first_day() {
    let gb = CountryCode::parse("GB").unwrap();
    let march = national_minimum_of_month(gb, 2024, 3);
    let april = national_minimum_of_month(gb, 2024, 4);
    assert_eq!(march.threshold.row().unwrap().hourly_local(), Some(Decimal::new(1042, 2)));
    assert_eq!(april.threshold.row().unwrap().hourly_local(), Some(Decimal::new(1144, 2)));
    // Converted at each month's rate (FRED, pounds per dollar).
    assert!(april.hourly_usd.unwrap() > 14.0 && april.hourly_usd.unwrap() < 15.0);
    // Philippines NCR changed on 2024-07-17: pooled, the Philippines has no national figure.
    let ph = CountryCode::parse("PH").unwrap();
    assert!(matches!(national_minimum_of_month(ph, 2024, 8).threshold, Threshold::Unknown(_)));
}

#[test]
fn regions_are_each_code_once_in_order() {
    let mut countries: Vec<CountryCode> = rows().iter().map(|row| row.country).collect();
    countries.dedup();
    let mut with_regions = 0;
    for country in countries {
        let mut expected: Vec<&str> =
            rows().iter().filter(|row| row.country == country).filter_map(|row| row.region).collect();
        if country.as_str() == "US" {
            expected.extend(US_STATES);
        }
        expected.sort_unstable();
        expected.dedup();
        with_regions += usize::from(!expected.is_empty());
        assert_eq!(regions(country), expected, "{}", country.as_str());
    }
    assert!(with_regions > 1, "the table has regions in several countries");
}
