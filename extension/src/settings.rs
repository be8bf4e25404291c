//! The worker's settings, one typed struct parsed from what the settings form sends, with an
//! error naming the field for anything out of range. Sharing is off until the worker turns it
//! on after reading the consent text, whose version is sent at enrollment. The region (a state
//! or province, for the minimum wage the popup compares with) is local only: no record, batch
//! or enrollment carries it.

use analysis::json::Value;
use analysis::minimum_wage::{self, Jurisdiction};
use analysis::{CountryCode, Currency};

use crate::json::{Fields, FromJson, JsonError, ObjectBuilder, ToJson};

/// The version of the consent text in `_locales/*/messages.json` (`consentText`). Change it
/// whenever that text changes, so the collector knows what each install agreed to.
pub const CONSENT_VERSION: &str = "2026-11-1";
pub const DEFAULT_IDLE_CUTOFF_SECONDS: u32 = 60;
/// Shorter than 5 s would stop the clock while the worker reads one line; longer than an hour
/// would count a lunch break as work.
pub const IDLE_CUTOFF_RANGE: std::ops::RangeInclusive<u32> = 5..=3600;
const MAX_URL_LEN: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub country: Option<CountryCode>,
    /// A region of `country` with a minimum wage of its own (`US-CA`, `CA-ON`); none means the
    /// whole country. Kept in this browser only.
    pub region: Option<Region>,
    pub display_currency: Currency,
    pub idle_cutoff_seconds: u32,
    /// The collector's base URL, e.g. `https://collector.example.org`; none means no uploads.
    pub collector_url: Option<String>,
    pub sharing: bool,
    /// Whether the popup still shows its first-run introduction.
    pub onboarding: Onboarding,
}

/// The popup's first-run introduction: shown until the worker completes or skips it (the
/// settings can show it again); saving the settings counts as completing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onboarding {
    Pending,
    Done,
    Skipped,
}

impl Onboarding {
    pub fn as_str(self) -> &'static str {
        match self {
            Onboarding::Pending => "pending",
            Onboarding::Done => "done",
            Onboarding::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Result<Onboarding, String> {
        match text {
            "pending" => Ok(Onboarding::Pending),
            "done" => Ok(Onboarding::Done),
            "skipped" => Ok(Onboarding::Skipped),
            other => Err(format!("'{}' is not pending, done or skipped", short(other))),
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            country: None,
            region: None,
            display_currency: Currency::USD,
            idle_cutoff_seconds: DEFAULT_IDLE_CUTOFF_SECONDS,
            collector_url: None,
            sharing: false,
            // No settings stored: a new install.
            onboarding: Onboarding::Pending,
        }
    }
}

/// A setting that cannot be accepted: which one and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SettingsError {
    pub field: &'static str,
    pub problem: String,
}

fn error(field: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError { field, problem: problem.into() }
}

/// Why a region was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("'{0}' needs a country: choose the country first")]
    NoCountry(String),
    #[error("'{given}' is not a region of {country}: the minimum-wage table has no regions of {country}")]
    CountryWithoutRegions { given: String, country: CountryCode },
    #[error("'{given}' is not a region of {country} with a minimum wage of its own in the table")]
    NotARegionOf { given: String, country: CountryCode },
}

/// A region of a country that has rows of its own in the library's minimum-wage table (an ISO
/// 3166-2 code such as `US-CA`). It exists only for the country it was read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(&'static str);

impl Region {
    /// Reads a region of `country` (upper or lower case); anything else is refused with the
    /// problem, which the caller files under its field.
    pub fn parse(country: Option<CountryCode>, text: &str) -> Result<Region, RegionError> {
        let text = text.trim();
        let Some(country) = country else {
            return Err(RegionError::NoCountry(short(text)));
        };
        let known = minimum_wage::regions(country);
        match known.iter().find(|code| code.eq_ignore_ascii_case(text)) {
            Some(code) => Ok(Region(code)),
            None if known.is_empty() => {
                Err(RegionError::CountryWithoutRegions { given: short(text), country })
            }
            None => Err(RegionError::NotARegionOf { given: short(text), country }),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// The settings form's fields as text, as the page sends them.
#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    pub country: String,
    /// A region code, or empty for the whole country.
    pub region: String,
    pub display_currency: String,
    pub idle_cutoff_seconds: String,
    pub collector_url: String,
    pub sharing: bool,
    /// `skipped` when the worker skipped the introduction; saving otherwise completes it.
    pub onboarding: String,
}

impl Settings {
    pub fn from_form(form: &SettingsForm) -> Result<Settings, SettingsError> {
        let country = match form.country.trim() {
            "" => None,
            text => Some(CountryCode::parse(text).map_err(|e| error("country", e.to_string()))?),
        };
        let region = match form.region.trim() {
            "" => None,
            text => {
                Some(Region::parse(country, text).map_err(|problem| error("region", problem.to_string()))?)
            }
        };
        let display_currency = match form.display_currency.trim() {
            "" => Currency::USD,
            text => Currency::parse(text).map_err(|e| error("display_currency", e.to_string()))?,
        };
        let idle_text = form.idle_cutoff_seconds.trim();
        let idle_cutoff_seconds: u32 = idle_text.parse().map_err(|_| {
            error("idle_cutoff_seconds", format!("'{}' is not a whole number of seconds", short(idle_text)))
        })?;
        if !IDLE_CUTOFF_RANGE.contains(&idle_cutoff_seconds) {
            return Err(error(
                "idle_cutoff_seconds",
                format!(
                    "{idle_cutoff_seconds} s is outside {} to {} s",
                    IDLE_CUTOFF_RANGE.start(),
                    IDLE_CUTOFF_RANGE.end()
                ),
            ));
        }
        let collector_url = match form.collector_url.trim() {
            "" => None,
            text => Some(collector_url(text)?),
        };
        if form.sharing && collector_url.is_none() {
            return Err(error("sharing", "needs a collector URL to send records to"));
        }
        Ok(Settings {
            country,
            region,
            display_currency,
            idle_cutoff_seconds,
            collector_url,
            sharing: form.sharing,
            onboarding: if form.onboarding == "skipped" { Onboarding::Skipped } else { Onboarding::Done },
        })
    }

    /// Where the worker's minimum wage is looked up: their region, or their whole country.
    pub fn jurisdiction(&self) -> Option<Jurisdiction> {
        let country = self.country?;
        Some(Jurisdiction { country, region: self.region.map(Region::as_str) })
    }
}

/// A collector URL: `https://` anywhere, plain `http://` only on this machine (for a local
/// collector), no credentials, no query; kept without a trailing slash.
pub fn collector_url(text: &str) -> Result<String, SettingsError> {
    if text.len() > MAX_URL_LEN {
        return Err(error("collector_url", format!("is longer than {MAX_URL_LEN} characters")));
    }
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    let is_local = local.iter().any(|prefix| {
        text.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
    });
    if !text.starts_with("https://") && !is_local {
        return Err(error(
            "collector_url",
            format!(
                "'{}' must start with https:// (plain http only for 127.0.0.1 or localhost)",
                short(text)
            ),
        ));
    }
    let parsed = crate::url::ParsedUrl::parse(text)
        .ok_or_else(|| error("collector_url", format!("'{}' is not a web address", short(text))))?;
    if !parsed.query.is_empty() || text.contains('#') || parsed.host.is_empty() {
        return Err(error("collector_url", "must not carry a query or a fragment"));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
        return Err(error("collector_url", "contains spaces or characters not allowed in a URL"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

fn short(text: &str) -> String {
    text.chars().take(60).collect()
}

impl ToJson for Settings {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .optional("country", self.country.map(|code| code.as_str().to_owned()))
            .optional("region", self.region.map(Region::as_str))
            .field("display_currency", self.display_currency.as_str())
            .field("idle_cutoff_seconds", self.idle_cutoff_seconds)
            .optional("collector_url", self.collector_url.clone())
            .field("sharing", self.sharing)
            .field("onboarding", self.onboarding.as_str())
            .build()
    }
}

impl Settings {
    /// Stored settings, keeping every field that can be read: one that cannot (storage edited by
    /// hand or by another program, a value out of range) takes its default, and the first such
    /// error comes back beside the rest, so nothing readable is lost and the popup can name the
    /// field at fault. Written over the strict reading, field after field, rather than as a
    /// second reader: the wasm module carries one (docs/benchmarks.md on its size).
    pub fn read_stored(mut value: Value) -> (Settings, Option<JsonError>) {
        let defaults = Settings::default().to_json();
        let mut first = None;
        // One round per field at most: each replaces the field at fault with its default.
        for _ in 0..8 {
            let error = match Settings::from_json(&value) {
                Ok(settings) => return (settings, first),
                Err(error) => error,
            };
            let field = error.path().first().cloned();
            first.get_or_insert(error);
            let (Some(field), Some(map)) = (field, value.as_object_mut()) else { break };
            map.insert(field.clone(), defaults.get(&field).cloned().unwrap_or(Value::Null));
        }
        (Settings::default(), first)
    }
}

impl FromJson for Settings {
    fn from_json(value: &Value) -> Result<Settings, JsonError> {
        let fields = Fields::of(value)?;
        let country = fields.optional_text_of("country", CountryCode::parse)?;
        Ok(Settings {
            country,
            // Absent from settings stored before regions existed: the whole country.
            region: fields.optional_text_of("region", |text| Region::parse(country, text))?,
            display_currency: fields.text_of("display_currency", Currency::parse)?,
            idle_cutoff_seconds: fields.with("idle_cutoff_seconds", |value| {
                value
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| IDLE_CUTOFF_RANGE.contains(n))
                    .ok_or_else(|| JsonError::invalid("expected whole seconds from 5 to 3600"))
            })?,
            // Checked as the form checks it: the background sends records to this address.
            collector_url: fields
                .optional_text_of("collector_url", |text| collector_url(text).map_err(|e| e.problem))?,
            sharing: fields.bool("sharing")?,
            // Absent from settings stored before the introduction existed: that worker had begun.
            onboarding: fields.optional_text_of("onboarding", Onboarding::parse)?.unwrap_or(Onboarding::Done),
        })
    }
}

/// The form as the popup sends it: every field text (or a tick box); absent fields are empty,
/// so that [`Settings::from_form`] names what is missing.
impl FromJson for SettingsForm {
    fn from_json(value: &Value) -> Result<SettingsForm, JsonError> {
        let fields = Fields::of(value)?;
        let text = |name: &str| fields.optional_string(name).map(Option::unwrap_or_default);
        Ok(SettingsForm {
            country: text("country")?,
            region: text("region")?,
            display_currency: text("display_currency")?,
            idle_cutoff_seconds: text("idle_cutoff_seconds")?,
            collector_url: text("collector_url")?,
            sharing: fields.get("sharing").is_some() && fields.bool("sharing")?,
            onboarding: text("onboarding")?,
        })
    }
}
