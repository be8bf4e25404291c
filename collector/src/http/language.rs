//! The languages of the collector's pages (English and French, as the extension speaks), how a
//! request chooses one (`?lang=` in the URL first, else the browser's `Accept-Language`), and
//! how each writes numbers, money and months.
//!
//! Numbers are formatted here rather than by ICU4X: two languages with fixed rules (a decimal
//! point or comma, a thin space before `%` and in thousands, the dollar sign before or after)
//! are a few lines, where `icu_decimal` would bring its locale data crates into the binary.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use fluent_langneg::{
    LanguageIdentifier, NegotiationStrategy, negotiate_languages, parse_accepted_languages,
};

use super::api::query_parameters;
use crate::error::AppError;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    English,
    French,
}

/// French's narrow no-break space, before `%` and `$` and between thousands.
const NARROW_SPACE: char = '\u{202f}';

impl Language {
    pub(crate) const ALL: [Language; 2] = [Language::English, Language::French];

    /// The BCP 47 tag, as `lang` attributes and `?lang=` write it.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    pub(crate) fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|language| language.code() == code)
    }

    /// The same language for the analysis library's country names.
    pub(crate) fn country_names(self) -> analysis::Language {
        match self {
            Language::English => analysis::Language::English,
            Language::French => analysis::Language::French,
        }
    }

    /// The same language for the brief's catalogue, which also translates the report's notes.
    pub(crate) fn brief(self) -> piecerate_brief::Language {
        match self {
            Language::English => piecerate_brief::Language::En,
            Language::French => piecerate_brief::Language::Fr,
        }
    }

    /// The other language: the one the switch on every page offers.
    pub(crate) fn other(self) -> Language {
        match self {
            Language::English => Language::French,
            Language::French => Language::English,
        }
    }

    /// The language's name in itself, as the switch shows it.
    pub(crate) fn own_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "Français",
        }
    }

    /// The browser's preferred language among ours (fluent-langneg's lookup, which follows the
    /// header's order, as browsers send it by falling weight); English by default.
    pub(crate) fn negotiate(accept_language: &str) -> Language {
        let requested = parse_accepted_languages(accept_language);
        let available: Vec<LanguageIdentifier> =
            Language::ALL.iter().filter_map(|language| language.code().parse().ok()).collect();
        let default = available.first().cloned();
        let chosen =
            negotiate_languages(&requested, &available, default.as_ref(), NegotiationStrategy::Lookup);
        chosen
            .first()
            .and_then(|chosen| Language::parse(chosen.language.as_str()))
            .unwrap_or(Language::English)
    }

    /// Amounts of US dollars: `$12.34`, `12,34 $`.
    pub(crate) fn dollars(self, value: f64) -> String {
        self.money(value, "$")
    }

    /// An amount with a currency sign or code: `R$6.42`, `6,42 R$`; `12.00 KES`, `12,00 KES`.
    pub(crate) fn money(self, value: f64, sign: &str) -> String {
        let number = self.decimal(value, 2);
        let is_code = sign.len() == 3 && sign.chars().all(|c| c.is_ascii_uppercase());
        match self {
            Language::English if is_code => format!("{number} {sign}"),
            Language::English => format!("{sign}{number}"),
            Language::French => format!("{number}{NARROW_SPACE}{sign}"),
        }
    }

    /// A share in whole percent: `12%`, `12 %`.
    pub(crate) fn percent(self, share: f64) -> String {
        let number = format!("{:.0}", share * 100.0);
        match self {
            Language::English => format!("{number}%"),
            Language::French => format!("{number}{NARROW_SPACE}%"),
        }
    }

    /// A count with its thousands grouped: `1,234`, `1 234`.
    pub(crate) fn integer(self, value: u64) -> String {
        let digits = value.to_string();
        let separator = match self {
            Language::English => ',',
            Language::French => NARROW_SPACE,
        };
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        grouped
    }

    /// A number with `places` decimals and grouped thousands.
    pub(crate) fn decimal(self, value: f64, places: usize) -> String {
        let text = format!("{:.*}", places, value.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let whole = self.integer(whole.parse().unwrap_or(0));
        let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
        let point = match self {
            Language::English => ".",
            Language::French => ",",
        };
        if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}{point}{fraction}") }
    }

    /// A month in full: `January 2025`, `janvier 2025`.
    pub(crate) fn month(self, (year, month): (i64, i64)) -> String {
        let names = match self {
            Language::English => [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ],
            Language::French => [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
        };
        format!("{} {year}", names[(month.clamp(1, 12) - 1) as usize])
    }

    /// A month in short, for chart axes: `Jan 2025`, `janv. 2025`.
    pub(crate) fn month_short(self, (year, month): (i64, i64)) -> String {
        format!("{} {year}", self.month_name_short(month))
    }

    /// A month's short name: `Jan`, `janv.`.
    pub(crate) fn month_name_short(self, month: i64) -> &'static str {
        let names = match self {
            Language::English => {
                ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            }
            Language::French => [
                "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
                "déc.",
            ],
        };
        names[(month.clamp(1, 12) - 1) as usize]
    }
}

/// The language of one request, and whether the URL chose it: a language chosen with `?lang=`
/// is carried in every link of the page, so the choice lives in the URL and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Locale {
    pub language: Language,
    pub from_url: bool,
}

impl Locale {
    /// `?lang=` when given (anything but `en` or `fr` is a 400 naming it), else the browser's
    /// `Accept-Language`, else English.
    pub(crate) fn of_request(lang: Option<&str>, headers: &HeaderMap) -> Result<Locale, AppError> {
        if let Some(code) = lang {
            let language = Language::parse(code).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "lang: must be en or fr (got '{}')",
                    code.chars().take(20).collect::<String>()
                ))
            })?;
            return Ok(Locale { language, from_url: true });
        }
        Ok(Locale { language: Locale::of_headers(headers), from_url: false })
    }

    /// The browser's language, for answers that cannot refuse a bad `?lang=` (error pages).
    pub(crate) fn of_headers(headers: &HeaderMap) -> Language {
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map_or(Language::English, Language::negotiate)
    }

    /// `path` with `parameters` (already URL-safe) and, when the URL chose the language, `lang`.
    pub(crate) fn link(&self, path: &str, parameters: &[(&str, &str)]) -> String {
        let language = self.from_url.then_some(("lang", self.language.code()));
        link(path, parameters.iter().copied().chain(language))
    }

    /// `path` with `parameters` in the other language: the switch.
    pub(crate) fn switch(&self, path: &str, parameters: &[(&str, &str)]) -> String {
        let other = self.language.other().code();
        link(path, parameters.iter().copied().chain([("lang", other)]))
    }
}

/// A page's query as its handler takes it: the page's own parameters (`P`), then its `Locale`.
/// A parameter given twice is refused naming it (`query_parameters`); the page's own
/// parameters are read before `lang`, so of two bad values the page's is the one named.
/// Parameters neither reads are left alone: a shared link's tracking tags still open the page.
/// A handler that answers some requests without a page (a snapshot's JSON) takes
/// `Result<PageQuery, AppError>` and refuses a bad query only where it makes the page.
#[derive(Debug)]
pub(super) struct PageQuery<P = ()> {
    pub parameters: P,
    pub locale: Locale,
}

/// The parameters a page reads besides `lang`.
pub(super) trait PageParameters: Sized {
    /// Takes this page's parameters out of the query; a bad value is a 400 naming it.
    fn take(query: &mut HashMap<String, String>) -> Result<Self, AppError>;
}

/// A page with no parameter of its own.
impl PageParameters for () {
    fn take(_: &mut HashMap<String, String>) -> Result<(), AppError> {
        Ok(())
    }
}

impl<P: PageParameters, S: Send + Sync> FromRequestParts<S> for PageQuery<P> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let mut query = query_parameters(parts.uri.query())?;
        let parameters = P::take(&mut query)?;
        let locale = Locale::of_request(query.remove("lang").as_deref(), &parts.headers)?;
        Ok(PageQuery { parameters, locale })
    }
}

fn link<'a>(path: &str, parameters: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let query: Vec<String> = parameters.map(|(name, value)| format!("{name}={value}")).collect();
    if query.is_empty() { path.to_owned() } else { format!("{path}?{}", query.join("&")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_language_is_chosen_among_english_and_french() {
        for (header, expected) in [
            ("fr-CA,fr;q=0.9,en;q=0.8", Language::French),
            ("fr", Language::French),
            ("en-GB,en;q=0.9,fr;q=0.5", Language::English),
            ("de-DE,de;q=0.9", Language::English),
            ("de-DE,fr;q=0.5", Language::French),
            ("", Language::English),
            ("*", Language::English),
            (";;;,,,=q", Language::English),
            (&"x".repeat(10_000), Language::English),
        ] {
            assert_eq!(Language::negotiate(header), expected, "{header:.40}");
        }
    }

    #[test]
    fn the_url_chooses_before_the_browser_and_a_bad_choice_names_lang() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9".parse().expect("a header"));
        let browser = Locale::of_request(None, &headers).expect("no lang");
        assert_eq!(browser, Locale { language: Language::French, from_url: false });
        assert_eq!(browser.link("/", &[("month", "2025-01")]), "/?month=2025-01");
        assert_eq!(browser.switch("/", &[("month", "2025-01")]), "/?month=2025-01&lang=en");
        let chosen = Locale::of_request(Some("en"), &headers).expect("en");
        assert_eq!(chosen, Locale { language: Language::English, from_url: true });
        assert_eq!(chosen.link("/methodology", &[]), "/methodology?lang=en");
        for bad in ["de", "", "EN", "fr-FR", "<script>"] {
            let error = Locale::of_request(Some(bad), &headers).unwrap_err().to_string();
            assert!(error.starts_with("lang: "), "{bad}: {error}");
        }
    }

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        use Language::{English, French};
        for (language, value, expected) in [
            (English, 2.345, "$2.35"),
            (French, 2.345, "2,35\u{202f}$"),
            (English, 1234.5, "$1,234.50"),
            (French, 1234.5, "1\u{202f}234,50\u{202f}$"),
            (English, 0.0, "$0.00"),
            (English, -0.001, "$0.00"),
        ] {
            assert_eq!(language.dollars(value), expected, "{language:?} {value}");
        }
        assert_eq!(English.money(6.42, "R$"), "R$6.42");
        assert_eq!(English.money(12.0, "KES"), "12.00 KES");
        assert_eq!(French.money(6.42, "R$"), "6,42\u{202f}R$");
        assert_eq!(English.percent(0.123), "12%");
        assert_eq!(French.percent(0.123), "12\u{202f}%");
        assert_eq!(English.integer(1_234_567), "1,234,567");
        assert_eq!(French.integer(999), "999");
        assert_eq!(French.integer(1000), "1\u{202f}000");
        assert_eq!(English.month((2025, 1)), "January 2025");
        assert_eq!(French.month((2025, 8)), "août 2025");
        assert_eq!(French.month_short((2025, 2)), "févr. 2025");
    }
}
