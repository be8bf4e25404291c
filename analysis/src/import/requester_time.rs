//! Timestamps as requester exports write them: Java's `Thu Jul 02 03:27:28 PDT 2020` in MTurk's
//! web downloads, `2019-01-19 21:43:39 UTC`, RFC 3339 in Prolific's exports, and zone-less
//! `2020-02-06 23:22:13` in files written by pandas from the MTurk API.

use crate::time::Timestamp;

/// US zone abbreviations (MTurk's web downloads use the requester's zone) and UTC, with their
/// offsets from UTC in minutes. Other abbreviations are ambiguous around the world (IST is
/// India, Ireland or Israel), so they are refused rather than guessed.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("EST", -5 * 60),
    ("EDT", -4 * 60),
    ("CST", -6 * 60),
    ("CDT", -5 * 60),
    ("MST", -7 * 60),
    ("MDT", -6 * 60),
    ("PST", -8 * 60),
    ("PDT", -7 * 60),
    ("AKST", -9 * 60),
    ("AKDT", -8 * 60),
    ("HST", -10 * 60),
];

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A zone given by name (`PDT`, `UTC`) or as an offset (`-05:00`), in minutes east of UTC.
pub fn parse_zone(text: &str) -> Result<i32, String> {
    if let Some(&(_, minutes)) = ZONES.iter().find(|(name, _)| *name == text) {
        return Ok(minutes);
    }
    let bytes = text.as_bytes();
    if let [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] = bytes
        && [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
    {
        let hours = i32::from((h1 - b'0') * 10 + (h2 - b'0'));
        let minutes = i32::from((m1 - b'0') * 10 + (m2 - b'0'));
        if hours <= 14 && minutes <= 59 {
            let total = hours * 60 + minutes;
            return Ok(if *sign == b'-' { -total } else { total });
        }
    }
    Err(format!(
        "'{}' is not a time zone this importer knows; expected one of {} or an offset like -05:00",
        text.chars().take(16).collect::<String>(),
        ZONES.iter().map(|(name, _)| *name).filter(|name| *name != "Z").collect::<Vec<_>>().join(", ")
    ))
}

/// Reads one timestamp. `assumed_zone` (minutes east of UTC) applies only to timestamps that
/// carry no zone at all; without it such a timestamp is an error, since guessing the zone
/// would shift every record by hours.
pub fn parse_requester_time(text: &str, assumed_zone: Option<i32>) -> Result<Timestamp, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    if let Ok(timestamp) = Timestamp::parse(text) {
        return Ok(timestamp);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [weekday, month, day, time, zone, year] if WEEKDAYS.contains(weekday) => {
            let month = MONTHS
                .iter()
                .position(|name| name == month)
                .ok_or_else(|| format!("'{month}' in '{}' is not a month like Jul", shorten(text)))?;
            let zone = parse_zone(zone)?;
            let local = format!("{year}-{:02}-{day:0>2}T{time}", month + 1);
            let timestamp = at_offset(&local, zone, text)?;
            let weekday_index = WEEKDAYS.iter().position(|name| name == weekday).expect("checked above");
            // 1970-01-01 was a Thursday (index 3); a date whose weekday disagrees is garbled.
            let local_days = (timestamp.unix_seconds() + i64::from(zone) * 60).div_euclid(86_400);
            if (local_days + 3).rem_euclid(7) as usize != weekday_index {
                return Err(format!("'{}': the weekday does not match the date", shorten(text)));
            }
            Ok(timestamp)
        }
        [date, time, zone] if !zone.starts_with(['+', '-']) => {
            at_offset(&format!("{date}T{time}"), parse_zone(zone)?, text)
        }
        [date, time] if time.len() <= 15 && !time.contains(['+', 'Z']) => match assumed_zone {
            Some(zone) => at_offset(&format!("{date}T{time}"), zone, text),
            None => Err(format!(
                "'{}' has no time zone; say which zone the file was written in with --time-zone (e.g. --time-zone -05:00 or --time-zone EST)",
                shorten(text)
            )),
        },
        _ => Err(format!(
            "'{}' is not a timestamp like 'Thu Jul 02 03:27:28 PDT 2020' or '2020-07-02T10:27:28Z'",
            shorten(text)
        )),
    }
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction]` at a zone offset given in minutes.
fn at_offset(local: &str, zone_minutes: i32, original: &str) -> Result<Timestamp, String> {
    let sign = if zone_minutes < 0 { '-' } else { '+' };
    let magnitude = zone_minutes.unsigned_abs();
    let rfc3339 = format!("{local}{sign}{:02}:{:02}", magnitude / 60, magnitude % 60);
    Timestamp::parse(&rfc3339).map_err(|error| match error {
        crate::time::TimestampError::OutOfRange(_) => {
            format!("'{}' is outside the supported range 2005-01-01 .. 2100-01-01", shorten(original))
        }
        crate::time::TimestampError::Syntax(_) | crate::time::TimestampError::NoZone(_) => {
            format!("'{}' is not a valid date and time", shorten(original))
        }
    })
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, assumed: Option<i32>, expected: &str) {
        assert_eq!(parse_requester_time(text, assumed).unwrap().to_string(), expected, "{text}");
    }

    #[test]
    fn reads_the_forms_found_in_real_exports() {
        // LCP 2021 (PDT), NETS 213 (PST), hw7 approval times (UTC), the pandas API export.
        check("Thu Jul 02 03:27:28 PDT 2020", None, "2020-07-02T10:27:28Z");
        check("Tue Feb 19 12:11:58 PST 2019", None, "2019-02-19T20:11:58Z");
        check("Sat Jan 19 16:43:39 EST 2019", None, "2019-01-19T21:43:39Z");
        check("2019-01-19 21:43:39 UTC", None, "2019-01-19T21:43:39Z");
        check("2020-02-09 23:25:46-05:00", None, "2020-02-10T04:25:46Z");
        check("2024-07-15T20:16:52.266000Z", None, "2024-07-15T20:16:52Z");
        check("2020-02-06 23:22:13", Some(-300), "2020-02-07T04:22:13Z");
        check("2020-02-06 23:22:13", Some(0), "2020-02-06T23:22:13Z");
        // Java writes the weekday of the local date, not of the UTC date.
        check("Sun Dec 31 23:30:00 PST 2023", None, "2024-01-01T07:30:00Z");
    }

    #[test]
    fn refuses_what_it_cannot_place_in_time() {
        let error = |text: &str| parse_requester_time(text, None).unwrap_err();
        assert!(error("Thu Jul 02 03:27:28 IST 2020").contains("not a time zone this importer knows"));
        assert!(error("2020-02-06 23:22:13").contains("has no time zone; say which zone"));
        assert!(error("Fri Jul 02 03:27:28 PDT 2020").contains("weekday does not match"));
        assert!(error("Thu Jux 02 03:27:28 PDT 2020").contains("not a month"));
        assert!(error("Thu Jul 32 03:27:28 PDT 2020").contains("not a valid date"));
        assert!(error("Mon Jan 01 00:00:00 UTC 1990").contains("outside the supported range"));
        assert!(error("yesterday").contains("is not a timestamp"));
        assert!(error("").contains("empty"));
    }

    #[test]
    fn zones_by_name_or_offset() {
        assert_eq!(parse_zone("PDT"), Ok(-420));
        assert_eq!(parse_zone("-05:00"), Ok(-300));
        assert_eq!(parse_zone("+05:30"), Ok(330));
        assert!(parse_zone("+15:00").is_err());
        assert!(parse_zone("CET").is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any instant, written the way MTurk's web downloads write it in any known US zone,
        /// reads back as the same instant.
        #[test]
        fn java_dates_round_trip(seconds in 1_104_537_600i64..4_000_000_000, zone in 0..ZONES.len()) {
            let (name, offset) = ZONES[zone];
            prop_assume!(name != "Z");
            let local = seconds + i64::from(offset) * 60;
            let days = local.div_euclid(86_400);
            let (year, month, day) = crate::time::civil_from_days(days);
            let second_of_day = local.rem_euclid(86_400);
            let weekday = WEEKDAYS[(days + 3).rem_euclid(7) as usize];
            let text = format!(
                "{weekday} {} {day:02} {:02}:{:02}:{:02} {name} {year}",
                MONTHS[month as usize - 1],
                second_of_day / 3600,
                second_of_day / 60 % 60,
                second_of_day % 60
            );
            prop_assert_eq!(parse_requester_time(&text, None).map(|t| t.unix_seconds()), Ok(seconds), "{}", text);
        }
    }
}
