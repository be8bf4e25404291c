//! Encodes `data/usd_exchange_rates.csv` (8,500 rows, 229 KB as text) into a compact binary
//! table for the library to embed, so the browser extension's wasm module stays small. The
//! CSV stays the source of truth; the values are the same exact decimals, in the same order.
//!
//! Layout, repeated per run of rows of one currency: the 3-letter code, the number of rows
//! (LEB128), then one LEB128 number per row, `(payload << 3) | fresh << 2 | kind`:
//! - `kind` 0: the year after the previous annual row of this currency; 1: the month after the
//!   previous monthly row; 2: an annual row whose year follows (LEB128); 3: a monthly row whose
//!   month index (`year * 12 + month - 1`) follows (LEB128). A currency's first row of each
//!   kind, and any row after a gap, names its period.
//! - `fresh` 1: `payload` is the rate's digits without the decimal point, and the number of
//!   decimal places follows in one byte; 0: `payload` is the zigzag-encoded difference from the
//!   digits of the previous row of the same kind, at the same number of decimal places.
//!
//! Rates move little from one period to the next, so most rows take one or two bytes.
//!
//! It also encodes the countries, currencies and minimum-wage tables,
//! so the module carries neither their CSV punctuation nor the code to read it: see
//! `encode_small_tables` for their layout. The two large tables, the exchange rates and the
//! minimum wages, go into one file, `reference_tables.bin` (`write_large_tables`), which the
//! CLI and the collector embed and the browser extension ships beside its module. And it
//! describes each table's version (rows, latest period, SHA-256 of the file) for `--version`
//! (`describe_table_versions`).

/// One row: is it monthly, its period (a year, or a month index), decimal places, digits.
struct Row {
    monthly: bool,
    period: i64,
    scale: u8,
    digits: u64,
}

fn leb128(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn zigzag(difference: i64) -> u64 {
    ((difference << 1) ^ (difference >> 63)) as u64
}

fn encode_run(rows: &[Row], out: &mut Vec<u8>) {
    leb128(rows.len() as u64, out);
    // The previous row of each kind: (period, scale, digits).
    let mut previous: [Option<(i64, u8, u64)>; 2] = [None, None];
    for row in rows {
        let kind = usize::from(row.monthly);
        let last = previous[kind];
        let follows = last.is_some_and(|(period, _, _)| row.period == period + 1);
        let delta = last
            .filter(|&(_, scale, _)| scale == row.scale)
            .map(|(_, _, digits)| row.digits as i64 - digits as i64);
        let (fresh, payload) = match delta {
            Some(delta) => (0, zigzag(delta)),
            None => (1, row.digits),
        };
        let tag = if follows { kind as u64 } else { kind as u64 + 2 };
        leb128(payload << 3 | fresh << 2 | tag, out);
        if !follows {
            leb128(row.period as u64, out);
        }
        if fresh == 1 {
            out.push(row.scale);
        }
        previous[kind] = Some((row.period, row.scale, row.digits));
    }
}

/// The fields of one line of a small table: comma-separated, a field may be in double quotes
/// (names and notes with commas), a doubled quote inside quotes stands for one.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut characters = line.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' if quoted && characters.peek() == Some(&'"') => {
                characters.next();
                fields.last_mut().expect("one field at least").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().expect("one field at least").push(character),
        }
    }
    assert!(!quoted, "unterminated quote in {line}");
    fields
}

/// The data lines of a small table, split, each checked to have `width` fields and its first
/// field (the key the library looks rows up by, in bisection) to follow the previous row's, or,
/// with `repeated_keys`, not to precede it.
fn table_rows(source: &str, width: usize, repeated_keys: bool) -> Vec<Vec<String>> {
    println!("cargo::rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|error| panic!("reading {source}: {error}"));
    let rows: Vec<Vec<String>> =
        text.lines().skip(1).filter(|line| !line.is_empty()).map(split_fields).collect();
    for (index, row) in rows.iter().enumerate() {
        assert!(row.len() == width, "{source} line {}: expected {width} fields", index + 2);
        assert!(
            index == 0 || rows[index - 1][0] < row[0] || (repeated_keys && rows[index - 1][0] == row[0]),
            "{source} line {}: {} is out of order",
            index + 2,
            row[0]
        );
    }
    rows
}

/// A length-prefixed string (one byte of length).
fn short_text(text: &str, out: &mut Vec<u8>) {
    out.push(u8::try_from(text.len()).unwrap_or_else(|_| panic!("'{text}' is over 255 bytes")));
    out.extend_from_slice(text.as_bytes());
}

/// A code of `length` upper-case ASCII letters, written as its bytes.
fn code(text: &str, length: usize, out: &mut Vec<u8>) {
    assert!(
        text.len() == length && text.bytes().all(|b| b.is_ascii_uppercase()),
        "'{text}' is not a {length}-letter upper-case code"
    );
    out.extend_from_slice(text.as_bytes());
}

/// Layouts, one record per CSV row in the same order, strings as in `short_text`:
/// - countries: alpha-2 code, currency code (three zero bytes if none), then, with the
///   `country-names` feature only, the English and the French name;
/// - currencies: the codes only, in ascending order (the library checks codes against them;
///   nothing reads the names or the minor units);
/// - minimum wages: see `encode_minimum_wages` (returned, for `write_large_tables`).
fn encode_small_tables(out_dir: &std::path::Path) -> Vec<u8> {
    // Country names only with the `country-names` feature (see Cargo.toml).
    let names = std::env::var_os("CARGO_FEATURE_COUNTRY_NAMES").is_some();
    let mut countries = Vec::new();
    for row in table_rows("data/countries.csv", 4, false) {
        code(&row[0], 2, &mut countries);
        if row[2].is_empty() {
            countries.extend_from_slice(&[0; 3]);
        } else {
            code(&row[2], 3, &mut countries);
        }
        if names {
            short_text(&row[1], &mut countries);
            short_text(&row[3], &mut countries);
        }
    }
    let mut currencies = Vec::new();
    for row in table_rows("data/currencies.csv", 3, false) {
        code(&row[0], 3, &mut currencies);
    }
    let wages = encode_minimum_wages(&table_rows("data/minimum_wages.csv", 12, true));
    // PPP factors: per row the country code, the year (two bytes, little-endian) and the factor
    // as its decimal text.
    let mut ppp = Vec::new();
    for row in table_rows("data/ppp_factors.csv", 3, true) {
        code(&row[0], 2, &mut ppp);
        let year: u16 = row[1].parse().unwrap_or_else(|_| panic!("ppp_factors.csv: year '{}'", row[1]));
        ppp.extend_from_slice(&year.to_le_bytes());
        assert!(row[2].bytes().all(|b| b.is_ascii_digit() || b == b'.'), "ppp_factors.csv: '{}'", row[2]);
        short_text(&row[2], &mut ppp);
    }
    for (name, bytes) in
        [("countries.bin", countries), ("currencies.bin", currencies), ("ppp_factors.bin", ppp)]
    {
        write(out_dir, name, &bytes);
    }
    wages
}

fn write(out_dir: &std::path::Path, name: &str, bytes: &[u8]) {
    let destination = out_dir.join(name);
    std::fs::write(&destination, bytes)
        .unwrap_or_else(|error| panic!("writing {}: {error}", destination.display()));
}

/// The minimum-wage table (`data/minimum_wages.csv`, rows in the order of country, region and
/// date). Its texts (regions, amounts, hours, sources, files, notes) are kept once each in a pool:
/// the number of texts (two bytes, little-endian), then each as a two-byte length and its bytes.
/// Then per row: country code; region (index of its text, or 0xFFFF for a national row); basis
/// (0 statutory, 1 lowest regional rate, 2 no statutory minimum, 3 a minimum whose amount the
/// sources do not give); currency code (three zero bytes if none); amount (text index or
/// 0xFFFF); period (0 hour, 1 day, 2 week, 3 month, 4 none); hours per period (text index or 0xFFFF); in-force date (days since 1970-01-01, four
/// bytes, little-endian, signed); source, source file and note (text indexes).
fn encode_minimum_wages(rows: &[Vec<String>]) -> Vec<u8> {
    let mut pool = TextPool::default();
    let mut body = Vec::new();
    for row in rows {
        let [country, region, basis, currency, amount, period, hours, _hourly, date, source, file, note] =
            &row[..]
        else {
            unreachable!("table_rows checked the width")
        };
        code(country, 2, &mut body);
        body.extend_from_slice(&pool.optional(region).to_le_bytes());
        body.push(match basis.as_str() {
            "statutory" => 0,
            "lowest_regional" => 1,
            "none" => 2,
            "unknown" => 3,
            other => panic!("minimum_wages.csv: basis '{other}'"),
        });
        if currency.is_empty() {
            body.extend_from_slice(&[0; 3]);
        } else {
            code(currency, 3, &mut body);
        }
        for number in [amount, hours] {
            assert!(
                number.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
                "minimum_wages.csv: '{number}' is not a decimal"
            );
        }
        body.extend_from_slice(&pool.optional(amount).to_le_bytes());
        body.push(match period.as_str() {
            "hour" => 0,
            "day" => 1,
            "week" => 2,
            "month" => 3,
            "none" | "unknown" => 4,
            other => panic!("minimum_wages.csv: period '{other}'"),
        });
        body.extend_from_slice(&pool.optional(hours).to_le_bytes());
        body.extend_from_slice(&days_since_1970(date).to_le_bytes());
        for text in [source, file, note] {
            body.extend_from_slice(&pool.index(text).to_le_bytes());
        }
    }
    let mut out = u16::try_from(pool.0.len()).expect("fewer than 65,535 texts").to_le_bytes().to_vec();
    for text in &pool.0 {
        out.extend_from_slice(&u16::try_from(text.len()).expect("a text under 64 KiB").to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out.extend_from_slice(&body);
    out
}

/// Writes `reference_tables.bin`: the exchange rates' length (four bytes, little-endian), the
/// exchange rates, the minimum wages; and `reference_tables_sha256.rs`, its SHA-256 as an array
/// literal, against which the library checks a file handed to it (`reference::provide_tables`).
/// Uncompressed: the extension's package is a zip, which deflates it.
fn write_large_tables(out_dir: &std::path::Path, usd_rates: &[u8], minimum_wages: &[u8]) {
    use sha2::Digest;
    let length = u32::try_from(usd_rates.len()).expect("an exchange-rate table under 4 GiB");
    let mut file = length.to_le_bytes().to_vec();
    file.extend_from_slice(usd_rates);
    file.extend_from_slice(minimum_wages);
    write(out_dir, "reference_tables.bin", &file);
    let hash = sha2::Sha256::digest(&file);
    write(out_dir, "reference_tables_sha256.rs", format!("{:?}", hash.as_slice()).as_bytes());
}

/// Texts kept once each, referred to by their index.
#[derive(Default)]
struct TextPool(Vec<String>);

impl TextPool {
    fn index(&mut self, text: &str) -> u16 {
        let position = self.0.iter().position(|t| t == text).unwrap_or_else(|| {
            self.0.push(text.to_owned());
            self.0.len() - 1
        });
        u16::try_from(position).expect("fewer than 65,535 texts")
    }

    /// The index of a text, or 0xFFFF for an empty one.
    fn optional(&mut self, text: &str) -> u16 {
        if text.is_empty() { 0xFFFF } else { self.index(text) }
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the library's `Date` holds the same number).
fn days_since_1970(text: &str) -> i32 {
    let parts: Vec<i64> = text.split('-').map(|part| part.parse().unwrap_or(-1)).collect();
    let [year, month, day] = parts[..] else { panic!("minimum_wages.csv: date '{text}'") };
    assert!((1..=12).contains(&month) && (1..=31).contains(&day), "minimum_wages.csv: date '{text}'");
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    i32::try_from(era * 146_097 + day_of_era - 719_468).expect("a date near today")
}

/// The tables compiled in, as `analysis::reference_versions` lists them: name, file, and the
/// column whose greatest value is the latest period the table covers (none for the ISO lists).
const TABLE_VERSIONS: [(&str, &str, Option<usize>); 5] = [
    ("minimum wages", "minimum_wages.csv", Some(8)),
    ("exchange rates", "usd_exchange_rates.csv", Some(1)),
    ("PPP factors", "ppp_factors.csv", Some(1)),
    ("ISO 3166-1 countries", "countries.csv", None),
    ("ISO 4217 currencies", "currencies.csv", None),
];

/// Writes `table_versions.rs`: one `TableVersion` per table, with its rows, the greatest value
/// of its period column (periods are `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, so the greatest text is
/// the latest, a month of a year after the year itself) and the first 12 hex digits of the
/// file's SHA-256, which `sha256sum analysis/data/FILE` shows too.
fn describe_table_versions(out_dir: &std::path::Path) {
    use sha2::Digest;
    let mut out = String::from("[\n");
    for (name, file, period_column) in TABLE_VERSIONS {
        let source = format!("data/{file}");
        println!("cargo::rerun-if-changed={source}");
        let bytes = std::fs::read(&source).unwrap_or_else(|error| panic!("reading {source}: {error}"));
        let text = std::str::from_utf8(&bytes).unwrap_or_else(|_| panic!("{source} is not UTF-8"));
        let rows: Vec<Vec<String>> =
            text.lines().skip(1).filter(|line| !line.is_empty()).map(split_fields).collect();
        let latest = period_column.map(|column| {
            rows.iter().map(|row| row[column].clone()).max().unwrap_or_else(|| panic!("{source} has no rows"))
        });
        let hash = hex_prefix(&sha2::Sha256::digest(&bytes), 6);
        out.push_str(&format!(
            "    TableVersion {{ name: {name:?}, file: {file:?}, rows: {}, latest: {latest:?}, sha256: {hash:?} }},\n",
            rows.len()
        ));
    }
    out.push(']');
    let destination = out_dir.join("table_versions.rs");
    std::fs::write(&destination, out)
        .unwrap_or_else(|error| panic!("writing {}: {error}", destination.display()));
}

/// The first `bytes` bytes of a hash as lower-case hex digits.
fn hex_prefix(hash: &[u8], bytes: usize) -> String {
    hash[..bytes].iter().map(|byte| format!("{byte:02x}")).collect()
}

fn main() {
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let minimum_wages = encode_small_tables(&out_dir);
    describe_table_versions(&out_dir);
    let source = "data/usd_exchange_rates.csv";
    println!("cargo::rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|error| panic!("reading {source}: {error}"));
    let mut runs: Vec<(String, Vec<Row>)> = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1).filter(|(_, line)| !line.is_empty()) {
        let bad = |what: &str| -> ! { panic!("{source} line {}: {what}: {line}", index + 1) };
        let fields: Vec<&str> = line.split(',').collect();
        let [currency, period, rate, _source] = fields[..] else { bad("expected 4 fields") };
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            bad("currency");
        }
        let (year, month) = match period.split_once('-') {
            Some((year, month)) => (year, Some(month.parse::<i64>().unwrap_or_else(|_| bad("month")))),
            None => (period, None),
        };
        let year: i64 = year.parse().unwrap_or_else(|_| bad("year"));
        if !(1900..=2200).contains(&year) || month.is_some_and(|m| !(1..=12).contains(&m)) {
            bad("period");
        }
        let (whole, fraction) = rate.split_once('.').unwrap_or((rate, ""));
        let digits: u64 = format!("{whole}{fraction}").parse().unwrap_or_else(|_| bad("rate"));
        if digits >= 1 << 60 {
            bad("rate has too many digits");
        }
        let scale = u8::try_from(fraction.len()).unwrap_or_else(|_| bad("rate"));
        let row = match month {
            Some(month) => Row { monthly: true, period: year * 12 + month - 1, scale, digits },
            None => Row { monthly: false, period: year, scale, digits },
        };
        match runs.last_mut() {
            Some((code, rows)) if code == currency => rows.push(row),
            // One run of rows per currency, in the order of their codes: the library looks
            // currencies up by bisection.
            Some((code, _)) if code.as_str() > currency => bad("currency out of order"),
            _ => runs.push((currency.to_owned(), vec![row])),
        }
    }
    let mut out = Vec::new();
    for (currency, rows) in &runs {
        out.extend_from_slice(currency.as_bytes());
        encode_run(rows, &mut out);
    }
    write_large_tables(&out_dir, &out, &minimum_wages);
}
