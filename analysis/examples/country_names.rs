//! Prints every assigned country, one a line, tab-separated: its code, its currency when the
//! library ships an exchange rate for it (else nothing), and its short names in English and in
//! French. The browser extension's build turns these lines into the country list of its
//! settings (`extension/locale_names.py`), so that a worker picks their country by the names
//! the observatory's pages use, without the names entering the extension's wasm module.

use std::io::Write;

use analysis::{CountryCode, Language};

fn main() -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for country in CountryCode::all() {
        let currency = country.currency().map_or_else(String::new, |currency| currency.to_string());
        writeln!(
            out,
            "{country}\t{currency}\t{}\t{}",
            country.short_name_in(Language::English),
            country.short_name_in(Language::French)
        )?;
    }
    Ok(())
}
