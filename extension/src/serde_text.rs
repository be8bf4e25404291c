//! Serde helpers that store the library's typed values (platforms, outcomes, money, codes) as
//! their canonical text, so saved state reads back through the same parsers as any input.

macro_rules! text_module {
    ($name:ident, $type:ty, $parse:expr) => {
        pub mod $name {
            use serde::{Deserialize, Deserializer, Serializer};

            pub fn serialize<S: Serializer>(value: &$type, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(value)
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$type, D::Error> {
                let text = String::deserialize(deserializer)?;
                let parse: fn(&str) -> Result<$type, String> = $parse;
                parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_module!(platform, analysis::Platform, analysis::Platform::parse);
text_module!(outcome, analysis::Outcome, analysis::Outcome::parse);
text_module!(money, analysis::Money, |text| analysis::Money::parse(text).map_err(|e| e.to_string()));
text_module!(currency, analysis::Currency, |text| analysis::Currency::parse(text).map_err(|e| e.to_string()));
text_module!(country, analysis::CountryCode, |text| analysis::CountryCode::parse(text)
    .map_err(|e| e.to_string()));
