//! Encodes `data/usd_exchange_rates.csv` (8,500 rows, 229 KB as text) into a compact binary
//! table for the library to embed, so the browser extension's wasm module stays small. The
//! CSV stays the source of truth; the values are the same exact decimals.
//!
//! Layout, repeated per run of rows of one currency: the 3-letter code, the number of rows
//! (LEB128), then per row: the year minus 1900 (one byte), the month (0 for an annual figure),
//! the number of decimal places, and the digits without the point (LEB128).

/// One row: year minus 1900, month (0 for annual), decimal places, digits.
type EncodedRow = (u8, u8, u8, u64);

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

fn main() {
    let source = "data/usd_exchange_rates.csv";
    println!("cargo::rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|error| panic!("reading {source}: {error}"));
    let mut runs: Vec<(String, Vec<EncodedRow>)> = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1).filter(|(_, line)| !line.is_empty()) {
        let bad = |what: &str| -> ! { panic!("{source} line {}: {what}: {line}", index + 1) };
        let fields: Vec<&str> = line.split(',').collect();
        let [currency, period, rate, _source] = fields[..] else { bad("expected 4 fields") };
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            bad("currency");
        }
        let (year, month) = match period.split_once('-') {
            Some((year, month)) => (year, month.parse::<u8>().unwrap_or_else(|_| bad("month"))),
            None => (period, 0),
        };
        let year: u16 = year.parse().unwrap_or_else(|_| bad("year"));
        let year = u8::try_from(year.checked_sub(1900).unwrap_or_else(|| bad("year")))
            .unwrap_or_else(|_| bad("year"));
        let (whole, fraction) = rate.split_once('.').unwrap_or((rate, ""));
        let digits: u64 = format!("{whole}{fraction}").parse().unwrap_or_else(|_| bad("rate"));
        let scale = u8::try_from(fraction.len()).unwrap_or_else(|_| bad("rate"));
        match runs.last_mut() {
            Some((code, rows)) if code == currency => rows.push((year, month, scale, digits)),
            _ => runs.push((currency.to_owned(), vec![(year, month, scale, digits)])),
        }
    }
    let mut out = Vec::new();
    for (currency, rows) in &runs {
        out.extend_from_slice(currency.as_bytes());
        leb128(rows.len() as u64, &mut out);
        for &(year, month, scale, digits) in rows {
            out.extend_from_slice(&[year, month, scale]);
            leb128(digits, &mut out);
        }
    }
    let destination = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("usd_exchange_rates.bin");
    std::fs::write(&destination, &out)
        .unwrap_or_else(|error| panic!("writing {}: {error}", destination.display()));
}
