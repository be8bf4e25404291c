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
        crate::reference::cannot_fail(std::str::from_utf8(&self.0), "validated ASCII")
    }

    /// The English short name, e.g. "India".
    #[cfg(feature = "country-names")]
    pub fn name(&self) -> &'static str {
        tables().countries[&self.0].name
    }

    /// The UN M49 short name in `language`: "United States of America", "États-Unis
    /// d’Amérique". `data/SOURCES.md` says where both come from.
    #[cfg(feature = "country-names")]
    pub fn name_in(&self, language: Language) -> &'static str {
        let country = &tables().countries[&self.0];
        match language {
            Language::English => country.name,
            Language::French => country.name_fr,
        }
    }

    /// A name short enough for a table row on a phone, in `language`: the common short form of
    /// a long official name ("United States", "Corée du Sud"), else the name without its
    /// parenthesised qualifier ("Bolivia (Plurinational State of)" is "Bolivia"). Pages show it
    /// with the code, which keeps it unambiguous.
    #[cfg(feature = "country-names")]
    pub fn short_name_in(&self, language: Language) -> &'static str {
        if let Some((_, english, french)) = SHORT_NAMES.iter().find(|(code, _, _)| *code == self.0) {
            return match language {
                Language::English => english,
                Language::French => french,
            };
        }
        let name = self.name_in(language);
        name.split(" (").next().unwrap_or(name)
    }

    /// Every assigned code, in alphabetical order of the codes.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        tables().countries.codes().map(CountryCode)
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

/// A language the library names countries in: those the extension and the observatory speak.
#[cfg(feature = "country-names")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    French,
}

/// The short forms of long official names that people know a country by, in English and in
/// French. Names with a comma are here too, so that no short form is cut at one ("China, Hong
/// Kong Special Administrative Region" must not shorten to "China").
#[cfg(feature = "country-names")]
const SHORT_NAMES: [([u8; 2], &str, &str); 13] = [
    (*b"BQ", "Caribbean Netherlands", "Pays-Bas caribéens"),
    (*b"CD", "DR Congo", "RD Congo"),
    (*b"GB", "United Kingdom", "Royaume-Uni"),
    (*b"HK", "Hong Kong", "Hong Kong"),
    (*b"KP", "North Korea", "Corée du Nord"),
    (*b"KR", "South Korea", "Corée du Sud"),
    (*b"LA", "Laos", "Laos"),
    (*b"MO", "Macao", "Macao"),
    (*b"MD", "Moldova", "Moldova"),
    (*b"RU", "Russia", "Russie"),
    (*b"SY", "Syria", "Syrie"),
    (*b"TZ", "Tanzania", "Tanzanie"),
    (*b"US", "United States", "États-Unis"),
];

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
        crate::reference::cannot_fail(std::str::from_utf8(&self.0), "validated ASCII")
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

    #[test]
    fn every_assigned_code_is_listed_once_in_order() {
        let codes: Vec<CountryCode> = CountryCode::all().collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(codes.iter().all(|code| CountryCode::parse(code.as_str()) == Ok(*code)));
    }

    #[cfg(feature = "country-names")]
    fn check_names(code: &str, english: &str, french: &str, short_english: &str, short_french: &str) {
        let country = CountryCode::parse(code).expect("an assigned code");
        assert_eq!(country.name_in(Language::English), english, "{code}");
        assert_eq!(country.name_in(Language::French), french, "{code}");
        assert_eq!(country.short_name_in(Language::English), short_english, "{code}");
        assert_eq!(country.short_name_in(Language::French), short_french, "{code}");
    }

    #[cfg(feature = "country-names")]
    #[test]
    fn countries_are_named_in_english_and_in_french() {
        check_names("FR", "France", "France", "France", "France");
        check_names("US", "United States of America", "États-Unis d’Amérique", "United States", "États-Unis");
        check_names("CI", "Ivory Coast", "Côte d’Ivoire", "Ivory Coast", "Côte d’Ivoire");
        check_names("DE", "Germany", "Allemagne", "Germany", "Allemagne");
        check_names(
            "BO",
            "Bolivia (Plurinational State of)",
            "Bolivie (État plurinational de)",
            "Bolivia",
            "Bolivie",
        );
        check_names(
            "HK",
            "China, Hong Kong Special Administrative Region",
            "Chine, région administrative spéciale de Hong Kong",
            "Hong Kong",
            "Hong Kong",
        );
        check_names(
            "GB",
            "United Kingdom of Great Britain and Northern Ireland",
            "Royaume-Uni de Grande-Bretagne et d’Irlande du Nord",
            "United Kingdom",
            "Royaume-Uni",
        );
        // UNTERM leaves territories that are not UN members without a French short name; M49
        // names them all.
        check_names("AX", "Åland Islands", "Îles d’Åland", "Åland Islands", "Îles d’Åland");
        check_names("TW", "Taiwan", "Taïwan", "Taiwan", "Taïwan");
    }

    #[cfg(feature = "country-names")]
    #[test]
    fn every_country_has_both_names_and_short_names_that_keep_them() {
        for country in CountryCode::all() {
            for language in [Language::English, Language::French] {
                let (name, short) = (country.name_in(language), country.short_name_in(language));
                assert!(!name.trim().is_empty() && name.trim() == name, "{country}: '{name}'");
                assert!(!short.is_empty() && short.chars().count() <= name.chars().count(), "{country}");
                assert!(!short.contains('(') && !short.ends_with(','), "{country}: {short}");
            }
        }
        // The override table names assigned codes only, each once.
        for (index, (code, ..)) in SHORT_NAMES.iter().enumerate() {
            assert!(CountryCode::parse(std::str::from_utf8(code).unwrap()).is_ok());
            assert!(SHORT_NAMES[..index].iter().all(|(other, ..)| other != code));
        }
        // The countries with the most click workers fit a phone's label column.
        for code in ["US", "IN", "GB", "PH", "KE", "VE", "BD", "PK", "NG", "IR", "KR", "TZ", "CD", "RU"] {
            let country = CountryCode::parse(code).expect("a code");
            for language in [Language::English, Language::French] {
                assert!(country.short_name_in(language).chars().count() <= 16, "{code}");
            }
        }
    }
}
