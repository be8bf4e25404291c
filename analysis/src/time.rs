//! Instants and durations of records: `Timestamp` (RFC 3339, kept as whole UTC seconds) and
//! `Seconds` (a non-negative duration).
//!
//! The calendar arithmetic is done here rather than through a date crate because the report
//! parses two timestamps per record and the 10-million-record benchmark spends a large share of
//! its time exactly here; the conversions follow the proleptic Gregorian civil-day algorithm.

use std::fmt;

/// The earliest instant a record may carry: Amazon Mechanical Turk opened in November 2005,
/// so nothing earlier than 2005 can be microtask work.
pub const EARLIEST: Timestamp = Timestamp(1_104_537_600); // 2005-01-01T00:00:00Z
/// The latest instant a record may carry; later dates are typing errors, not data.
pub const LATEST: Timestamp = Timestamp(4_102_444_800); // 2100-01-01T00:00:00Z

/// An instant in UTC with one-second resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a timestamp could not be read. The caller adds the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("'{0}' is not an RFC 3339 timestamp like 2024-05-01T13:45:00Z")]
    Syntax(String),
    /// A date and time without `Z` or an offset: the instant depends on a zone nobody wrote down.
    #[error(
        "'{0}' has no time zone; record format v1 needs Z (UTC) or an offset such as -05:00 after the time, e.g. 2024-05-01T13:45:00Z"
    )]
    NoZone(String),
    #[error("{0} is outside the supported range 2005-01-01 .. 2100-01-01")]
    OutOfRange(String),
}

/// `YYYY-MM-DDTHH:MM:SS` with an optional fraction and nothing after it: a time written
/// without its zone (spreadsheets and pandas write them so).
fn is_zoneless_date_time(bytes: &[u8]) -> bool {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    bytes.len() >= shape.len()
        && shape.iter().zip(bytes).all(|(&want, &got)| match want {
            b'd' => got.is_ascii_digit(),
            b'T' => matches!(got, b'T' | b't' | b' '),
            other => got == other,
        })
        && match &bytes[shape.len()..] {
            [] => true,
            [b'.', fraction @ ..] => !fraction.is_empty() && fraction.iter().all(u8::is_ascii_digit),
            _ => false,
        }
}

/// The seconds since 1970 of a valid time in the form records are written in,
/// `YYYY-MM-DDTHH:MM:SSZ`; `None` for any other text, which the general parser then reads (and
/// reports). The report reads two times a record, and the general parser's checks of the
/// shape, made twice over, had taken 7.7% of the 10-million-record report.
fn canonical_utc_seconds(bytes: &[u8]) -> Option<i64> {
    let &[_, _, _, _, b'-', _, _, b'-', _, _, b'T', h1, h2, b':', n1, n2, b':', s1, s2, b'Z'] = bytes else {
        return None;
    };
    let (hour, minute, second) = (two_digits(h1, h2)?, two_digits(n1, n2)?, two_digits(s1, s2)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // The date as the input's own bytes: the same ten bytes gathered into a new array were
    // then read back whole, a stall that cost more than the comparison saved.
    let days = days_of_date(bytes[..10].try_into().ok()?)?;
    // A leap second is folded onto the following second, as by the general parser.
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

fn two_digits(tens: u8, ones: u8) -> Option<i64> {
    (tens.is_ascii_digit() && ones.is_ascii_digit()).then(|| i64::from((tens - b'0') * 10 + (ones - b'0')))
}

thread_local! {
    /// The `YYYY-MM-DD` of the last valid time [`days_of_date`] read on this thread, and its
    /// days since 1970. A record's two times, and the records of one worker's day, nearly
    /// always share a date: reading and converting it each time had taken 5.9% of the
    /// 10-million-record report. Starts with no date (a valid one has `-` at index 4).
    static LAST_DATE: std::cell::Cell<([u8; 10], i64)> = const { std::cell::Cell::new(([0; 10], 0)) };
}

thread_local! {
    /// The day (since 1970) of the last instant [`Timestamp::year_month`] was asked on this
    /// thread, and its year and month. The report asks it several times a record (the exchange
    /// rate, the minimum wage, the cell), of records that mostly share their day: converting
    /// the day each time had taken 2% of the 10-million-record report. Starts with a day no
    /// instant has (`i64::MIN`).
    static LAST_MONTH: std::cell::Cell<(i64, i64, i64)> = const { std::cell::Cell::new((i64::MIN, 0, 0)) };
}

/// The days since 1970 of a valid `YYYY-MM-DD`.
fn days_of_date(date: &[u8; 10]) -> Option<i64> {
    LAST_DATE.with(|last| {
        let (last_date, last_days) = last.get();
        if last_date == *date {
            return Some(last_days);
        }
        let &[y1, y2, y3, y4, _, m1, m2, _, d1, d2] = date;
        let year = two_digits(y1, y2)? * 100 + two_digits(y3, y4)?;
        let (month, day) = (two_digits(m1, m2)?, two_digits(d1, d2)?);
        if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        last.set((*date, days));
        Some(days)
    })
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and a space are accepted in
    /// place of `T`, and fractions of a second are dropped.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let bytes = text.as_bytes();
        match canonical_utc_seconds(bytes) {
            Some(seconds) => Timestamp::from_unix_seconds(seconds),
            None => Timestamp::parse_any_form(text),
        }
    }

    /// [`Timestamp::parse`] for every accepted form, without the short cut.
    fn parse_any_form(text: &str) -> Result<Timestamp, TimestampError> {
        let syntax = || TimestampError::Syntax(shorten(text));
        let bytes = text.as_bytes();
        if is_zoneless_date_time(bytes) {
            return Err(TimestampError::NoZone(shorten(text)));
        }
        if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't' | b' ') {
            return Err(syntax());
        }
        let digits = |range: std::ops::Range<usize>| -> Option<i64> {
            bytes[range]
                .iter()
                .try_fold(0i64, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0')))
        };
        let separators_ok = bytes[4] == b'-' && bytes[7] == b'-' && bytes[13] == b':' && bytes[16] == b':';
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
            (digits(0..4), digits(5..7), digits(8..10), digits(11..13), digits(14..16), digits(17..19))
        else {
            return Err(syntax());
        };
        if !separators_ok
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(syntax());
        }
        let mut rest = &bytes[19..];
        if rest.first() == Some(&b'.') {
            let fraction_len = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if fraction_len == 0 {
                return Err(syntax());
            }
            rest = &rest[1 + fraction_len..];
        }
        let offset_seconds = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let field = [*h1, *h2, *m1, *m2];
                if !field.iter().all(u8::is_ascii_digit) {
                    return Err(syntax());
                }
                let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
                let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
                if hours > 23 || minutes > 59 {
                    return Err(syntax());
                }
                let magnitude = hours * 3600 + minutes * 60;
                if *sign == b'+' { magnitude } else { -magnitude }
            }
            _ => return Err(syntax()),
        };
        // A leap second is folded onto the following second.
        let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Timestamp::from_unix_seconds(local - offset_seconds)
    }

    /// Builds a timestamp from seconds since 1970-01-01T00:00:00Z, checking the supported range.
    pub fn from_unix_seconds(seconds: i64) -> Result<Timestamp, TimestampError> {
        let timestamp = Timestamp(seconds);
        if timestamp < EARLIEST || timestamp >= LATEST {
            return Err(TimestampError::OutOfRange(timestamp.to_rfc3339_unchecked()));
        }
        Ok(timestamp)
    }

    /// The supported time nearest to `seconds` since 1970-01-01T00:00:00Z: for a clock that
    /// may be off (a browser's), and for times computed inside the range.
    pub fn nearest_to_unix_seconds(seconds: i64) -> Timestamp {
        Timestamp(seconds.clamp(EARLIEST.0, LATEST.0 - 1))
    }

    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The year and month (1-12) of this instant in UTC.
    pub fn year_month(self) -> (i64, i64) {
        let days = self.0.div_euclid(86_400);
        LAST_MONTH.with(|last| {
            let (last_days, year, month) = last.get();
            if last_days == days {
                return (year, month);
            }
            let (year, month, _) = civil_from_days(days);
            last.set((days, year, month));
            (year, month)
        })
    }

    /// The same instant with minutes and seconds cut off: the collector stores only hours.
    pub fn truncated_to_hour(self) -> Timestamp {
        Timestamp(self.0 - self.0.rem_euclid(3600))
    }

    /// Adds a duration, staying in range (saturating at the latest supported instant).
    pub fn plus(self, duration: Seconds) -> Timestamp {
        Timestamp((self.0 + duration.0 as i64).min(LATEST.0 - 1))
    }

    /// The seconds from `earlier` to `self`, or `None` when `earlier` is later.
    pub fn seconds_since(self, earlier: Timestamp) -> Option<Seconds> {
        u64::try_from(self.0 - earlier.0).ok().map(Seconds)
    }

    fn to_rfc3339_unchecked(self) -> String {
        let (year, month, day) = civil_from_days(self.0.div_euclid(86_400));
        let second_of_day = self.0.rem_euclid(86_400);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )
    }
}

impl fmt::Display for Timestamp {
    /// Always `YYYY-MM-DDTHH:MM:SSZ`, the canonical form of record format v1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339_unchecked())
    }
}

/// A calendar day (proleptic Gregorian, as days since 1970-01-01): the day a minimum wage takes
/// effect, or the day someone asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Why a date could not be read. The caller adds the field or flag name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a date like 2024-07-15 (YYYY-MM-DD, from 1900 to 2099)")]
pub struct DateError(String);

impl Date {
    /// Parses `YYYY-MM-DD` for a year from 1900 to 2099.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let error = || DateError(shorten(text));
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(error());
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            bytes[range]
                .iter()
                .try_fold(0i64, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0')))
        };
        let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
            return Err(error());
        };
        Date::from_ymd(year, month, day).ok_or_else(error)
    }

    /// The date of a year, month (1-12) and day, if it exists and the year is 1900 to 2099.
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Option<Date> {
        let valid = (1900..=2099).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then(|| Date(days_from_civil(year, month, day) as i32))
    }

    /// The first day of a month.
    pub fn first_of_month(year: i64, month: i64) -> Option<Date> {
        Date::from_ymd(year, month, 1)
    }

    /// The day (UTC) of an instant.
    pub fn of(at: Timestamp) -> Date {
        Date(at.0.div_euclid(86_400) as i32)
    }

    /// Days since 1970-01-01, the form `build.rs` embeds dates in.
    pub(crate) fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        i64::from(self.0)
    }

    pub fn year_month(self) -> (i64, i64) {
        let (year, month, _) = civil_from_days(i64::from(self.0));
        (year, month)
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(i64::from(self.0));
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

/// A non-negative number of whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seconds(u64);

impl Seconds {
    pub const ZERO: Seconds = Seconds(0);

    pub const fn new(seconds: u64) -> Seconds {
        Seconds(seconds)
    }

    pub fn get(self) -> u64 {
        self.0
    }

    pub fn hours(self) -> f64 {
        self.0 as f64 / 3600.0
    }
}

impl std::ops::Add for Seconds {
    type Output = Seconds;
    fn add(self, other: Seconds) -> Seconds {
        Seconds(self.0.saturating_add(other.0))
    }
}

impl std::ops::AddAssign for Seconds {
    fn add_assign(&mut self, other: Seconds) {
        *self = *self + other;
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years, March-based years).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str, expected_unix: i64) {
        assert_eq!(Timestamp::parse(text).unwrap().unix_seconds(), expected_unix, "{text}");
    }

    #[test]
    fn parses_the_accepted_forms() {
        check("2020-07-13T09:56:42Z", 1_594_634_202);
        check("2020-07-13T02:56:42-07:00", 1_594_634_202);
        check("2020-07-13t09:56:42.999z", 1_594_634_202);
        check("2024-07-15T20:16:52.266000Z", 1_721_074_612);
        check("2024-02-29 00:00:00+00:00", 1_709_164_800);
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "",
            "2020-07-13",
            "2020-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2020-07-13T24:00:00Z",
            "2020-07-13T09:56:42+25:00",
            "2020-07-13T09:56:42.Z",
            "2020-07-13T09:56:42Zjunk",
            "२०२०-07-13T09:56:42Z",
            "Thu Jul 02 03:27:28 PDT 2020",
        ] {
            assert!(matches!(Timestamp::parse(bad), Err(TimestampError::Syntax(_))), "{bad}");
        }
        assert!(matches!(Timestamp::parse("1999-01-01T00:00:00Z"), Err(TimestampError::OutOfRange(_))));
        for zoneless in ["2020-07-13T09:56:42", "2020-07-13 09:56:42.123456"] {
            let error = Timestamp::parse(zoneless).unwrap_err();
            assert!(matches!(error, TimestampError::NoZone(_)), "{zoneless}");
            assert!(error.to_string().contains("has no time zone"), "{error}");
        }
        assert!(matches!(Timestamp::parse("2020-07-13T09:56:42."), Err(TimestampError::Syntax(_))));
    }

    #[test]
    fn truncates_to_the_hour() {
        let t = Timestamp::parse("2020-07-13T09:56:42Z").unwrap();
        assert_eq!(t.truncated_to_hour().to_string(), "2020-07-13T09:00:00Z");
        assert_eq!(t.year_month(), (2020, 7));
    }

    #[test]
    fn a_clock_outside_the_range_gives_its_nearest_supported_time() {
        let nearest = |seconds| Timestamp::nearest_to_unix_seconds(seconds).to_string();
        assert_eq!(nearest(0), "2005-01-01T00:00:00Z");
        assert_eq!(nearest(i64::MAX), "2099-12-31T23:59:59Z");
        assert_eq!(nearest(1_594_634_202), "2020-07-13T09:56:42Z");
    }

    #[test]
    fn dates_parse_print_and_refuse_nonsense() {
        let date = Date::parse("2024-02-29").unwrap();
        assert_eq!(date.to_string(), "2024-02-29");
        assert_eq!(date.year_month(), (2024, 2));
        assert_eq!(Date::of(Timestamp::parse("2024-02-29T23:59:59Z").unwrap()), date);
        assert!(Date::first_of_month(2024, 3).unwrap() > date);
        for bad in ["", "2023-02-29", "2024-13-01", "2024-1-01", "1899-12-31", "2100-01-01", "2024-07-15T00"]
        {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        /// The short cut for the written form gives exactly what the general parser gives,
        /// and declines (leaving it to the general parser) whatever it does not accept.
        #[test]
        fn the_short_cut_agrees_with_the_general_parser(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[Zz+]",
            year in 1990i64..2110,
        ) {
            let text = format!("{year}{}", &text[4..]);
            let short = canonical_utc_seconds(text.as_bytes()).map(Timestamp::from_unix_seconds);
            let general = Timestamp::parse_any_form(&text);
            if let Some(short) = short {
                prop_assert_eq!(short, general.clone());
            }
            prop_assert_eq!(Timestamp::parse(&text), general);
        }

        /// The date remembered from the last time read changes nothing: times read one after
        /// another, sharing their date or not, valid or not, read as they do alone.
        #[test]
        fn the_remembered_date_changes_nothing(
            dates in proptest::collection::vec((2003i64..2102, 0i64..14, 0i64..33), 1..4),
            times in proptest::collection::vec((0usize..4, 0i64..25, 0i64..61, 0i64..62), 1..12),
        ) {
            for (date, hour, minute, second) in times {
                let (year, month, day) = dates[date % dates.len()];
                let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
                prop_assert_eq!(Timestamp::parse(&text), Timestamp::parse_any_form(&text), "{}", text);
            }
        }

        /// The month remembered from the last instant asked changes nothing.
        #[test]
        fn the_remembered_month_changes_nothing(
            instants in proptest::collection::vec(EARLIEST.0..LATEST.0, 1..12),
            repeat in 0usize..12,
        ) {
            let mut instants = instants;
            instants.push(instants[repeat % instants.len()] + 1);
            for seconds in instants {
                let t = Timestamp::nearest_to_unix_seconds(seconds);
                let (year, month, _) = civil_from_days(t.unix_seconds().div_euclid(86_400));
                prop_assert_eq!(t.year_month(), (year, month));
                prop_assert_eq!(t.year_month(), (year, month));
            }
        }

        #[test]
        fn display_and_parse_round_trip(seconds in EARLIEST.0..LATEST.0) {
            let t = Timestamp::from_unix_seconds(seconds).unwrap();
            prop_assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
            prop_assert_eq!(Timestamp::parse_any_form(&t.to_string()).unwrap(), t);
        }
    }
}
