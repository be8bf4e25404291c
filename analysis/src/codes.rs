//! ISO codes as types: a `CountryCode` is a listed ISO 3166-1 alpha-2 code and a `Currency` a
//! listed ISO 4217 code for which the library ships an exchange rate, so a record that made it
//! past parsing can always be placed on the map and converted to US dollars.

use std::fmt;

use crate::reference::tables;

/// An ISO 3166-1 alpha-2 country code known to the shipped country list.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("'{0}' is not a two-letter upper-case ISO 3166-1 country code such as US or IN")]
    CountrySyntax(String),
    #[error("'{0}' is not an assigned ISO 3166-1 country code")]
    UnknownCountry(String),
    #[error("'{0}' is not a three-letter upper-case ISO 4217 currency code such as USD or EUR")]
    CurrencySyntax(String),
    #[error("'{0}' is not an active ISO 4217 currency code")]
    UnknownCurrency(String),
    #[error("no exchange rate to US dollars is shipped for '{0}'")]
    NoExchangeRate(String),
}

fn upper_ascii<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes: [u8; N] = text.as_bytes().try_into().ok()?;
    bytes.iter().all(u8::is_ascii_uppercase).then_some(bytes)
}

fn shorten(text: &str) -> String {
    text.chars().take(16).collect()
}

impl CountryCode {
    pub fn parse(text: &str) -> Result<CountryCode, CodeError> {
        let code = upper_ascii::<2>(text).ok_or_else(|| CodeError::CountrySyntax(shorten(text)))?;
        if !tables().country_codes.contains(&code) {
            return Err(CodeError::UnknownCountry(text.to_owned()));
        }
        Ok(CountryCode(code))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("validated ASCII")
    }

    /// The English short name, e.g. "India".
    #[cfg(feature = "country-names")]
    pub fn name(&self) -> &'static str {
        tables().countries[&self.0].name
    }

    /// The country's ISO 4217 currency, when it has one with a shipped exchange rate.
    pub fn currency(&self) -> Option<Currency> {
        let code = tables().countries[&self.0].currency?;
        tables().rated_currencies.contains(&code).then_some(Currency(code))
    }

    pub(crate) fn bytes(self) -> [u8; 2] {
        self.0
    }

    /// A code from a shipped table, which `build.rs` checked against the country list.
    pub(crate) fn from_table(bytes: [u8; 2]) -> CountryCode {
        CountryCode(bytes)
    }
}

/// Names people and platforms (Prolific's "Country of residence") write for a country whose ISO
/// 3166-1 name reads otherwise, lower case: the ISO list says "Korea, Republic of" and "United
/// States of America", which a prefix of a common name does not find.
#[cfg(feature = "country-names")]
const COMMON_COUNTRY_NAMES: [(&str, [u8; 2]); 32] = [
    ("united states", *b"US"),
    ("usa", *b"US"),
    ("america", *b"US"),
    ("uk", *b"GB"),
    ("great britain", *b"GB"),
    ("britain", *b"GB"),
    ("england", *b"GB"),
    ("scotland", *b"GB"),
    ("wales", *b"GB"),
    ("northern ireland", *b"GB"),
    ("south korea", *b"KR"),
    ("korea", *b"KR"),
    ("north korea", *b"KP"),
    ("russia", *b"RU"),
    ("czech republic", *b"CZ"),
    ("czechia", *b"CZ"),
    ("vietnam", *b"VN"),
    ("iran", *b"IR"),
    ("syria", *b"SY"),
    ("bolivia", *b"BO"),
    ("venezuela", *b"VE"),
    ("tanzania", *b"TZ"),
    ("taiwan", *b"TW"),
    ("moldova", *b"MD"),
    ("turkey", *b"TR"),
    ("ivory coast", *b"CI"),
    ("holland", *b"NL"),
    ("the netherlands", *b"NL"),
    ("deutschland", *b"DE"),
    ("españa", *b"ES"),
    ("brasil", *b"BR"),
    ("méxico", *b"MX"),
];

/// The country a name designates: a common name ("United States", "UK", "South Korea",
/// "Deutschland"), the English ISO name, or the only ISO name that starts with it ("united
/// kingdom" finds GB); `None` when there is no such country or several.
#[cfg(feature = "country-names")]
pub fn country_from_name(name: &str) -> Option<CountryCode> {
    let wanted = name.trim().to_lowercase();
    if let Some((_, code)) = COMMON_COUNTRY_NAMES.iter().find(|(common, _)| *common == wanted) {
        return Some(CountryCode(*code));
    }
    if wanted.chars().count() > 3 { country_named(&wanted) } else { None }
}

/// The country whose English name is `lowercase_name`, or the only one whose name starts with
/// it ("united kingdom" finds GB): for suggesting a code to someone who typed a name.
#[cfg(feature = "country-names")]
pub(crate) fn country_named(lowercase_name: &str) -> Option<CountryCode> {
    let countries = &tables().countries;
    let named = |exact: bool| {
        countries.codes().filter(move |code| {
            let name = countries[code].name.to_lowercase();
            if exact { name == lowercase_name } else { name.starts_with(lowercase_name) }
        })
    };
    if let Some(code) = named(true).next() {
        return Some(CountryCode(code));
    }
    let mut prefixed = named(false);
    match (prefixed.next(), prefixed.next()) {
        (Some(code), None) => Some(CountryCode(code)),
        _ => None,
    }
}

/// An active ISO 4217 currency code with a shipped exchange rate to US dollars.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(text: &str) -> Result<Currency, CodeError> {
        let code = upper_ascii::<3>(text).ok_or_else(|| CodeError::CurrencySyntax(shorten(text)))?;
        if !tables().currency_codes.contains(&code) {
            return Err(CodeError::UnknownCurrency(text.to_owned()));
        }
        if !tables().rated_currencies.contains(&code) {
            return Err(CodeError::NoExchangeRate(text.to_owned()));
        }
        Ok(Currency(code))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("validated ASCII")
    }

    pub(crate) fn bytes(self) -> [u8; 3] {
        self.0
    }

    pub(crate) fn from_table(bytes: [u8; 3]) -> Currency {
        Currency(bytes)
    }
}

macro_rules! display_as_str {
    ($($type:ty),*) => {$(
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(CountryCode, Currency);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_listed_codes_only() {
        #[cfg(feature = "country-names")]
        assert_eq!(CountryCode::parse("IN").unwrap().name(), "India");
        assert_eq!(CountryCode::parse("FR").unwrap().currency(), Some(Currency::parse("EUR").unwrap()));
        assert!(matches!(CountryCode::parse("in"), Err(CodeError::CountrySyntax(_))));
        assert!(matches!(CountryCode::parse("XX"), Err(CodeError::UnknownCountry(_))));
        assert!(matches!(CountryCode::parse("USA"), Err(CodeError::CountrySyntax(_))));
        assert_eq!(Currency::parse("EUR").unwrap().as_str(), "EUR");
        assert!(matches!(Currency::parse("eur"), Err(CodeError::CurrencySyntax(_))));
        assert!(matches!(Currency::parse("ABC"), Err(CodeError::UnknownCurrency(_))));
        assert!(matches!(Currency::parse("XAU"), Err(CodeError::NoExchangeRate(_))));
        assert!(matches!(Currency::parse("€"), Err(CodeError::CurrencySyntax(_))));
    }
}
