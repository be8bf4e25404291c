//! The messages content scripts and the popup send to the background, read from their JSON
//! form (`{"kind": "page", ...}`). Anything malformed is refused with the field at fault; the
//! background answers it with an error and changes nothing.

use analysis::json::Value;

use crate::adapters::{ProbeValues, WatchName};
use crate::json::{Fields, FromJson, JsonError, map_of};
use crate::settings::SettingsForm;

/// What content scripts and the popup send: `{"kind": "page", ...}` etc.
#[derive(Debug, Clone)]
pub enum Message {
    Plan {
        url: String,
    },
    Page {
        url: String,
        focused: bool,
        visible: bool,
        values: ProbeValues,
    },
    Activity {
        focused: bool,
        visible: bool,
        input: bool,
        /// The focus is inside one of the page's frames (the HIT).
        in_frame: bool,
    },
    Watch {
        name: WatchName,
    },
    Api {
        url: String,
        body: String,
    },
    ManualStart {
        platform: String,
    },
    ManualStop {
        outcome: String,
        reward: String,
        bonus: String,
        currency: String,
        title: String,
    },
    /// The pay of one measured stretch of work (a time-tier platform), as typed.
    PriceStretch {
        platform: String,
        started: i64,
        reward: String,
        currency: String,
    },
    /// A day's earnings on a platform (from its statement), as typed, for that day's stretches.
    PriceDay {
        platform: String,
        day: String,
        amount: String,
        currency: String,
    },
    SaveSettings {
        form: SettingsForm,
    },
    SyncNow,
    EraseShared,
    DeleteLocal,
    /// Records in CSV v1 or JSON Lines v1 (an earlier export), added to the local store.
    Import {
        text: String,
    },
}

impl FromJson for Message {
    fn from_json(value: &Value) -> Result<Message, JsonError> {
        let fields = Fields::of(value)?;
        let text = |name: &str| fields.str(name).map(str::to_owned);
        Ok(match fields.str("kind")? {
            "plan" => Message::Plan { url: text("url")? },
            "page" => Message::Page {
                url: text("url")?,
                focused: fields.bool("focused")?,
                visible: fields.bool("visible")?,
                values: fields.with("values", |value| {
                    map_of(value, |name| Ok(name.to_owned()), Vec::<String>::from_json)
                })?,
            },
            "activity" => Message::Activity {
                focused: fields.bool("focused")?,
                visible: fields.bool("visible")?,
                input: fields.bool("input")?,
                in_frame: fields.bool("in_frame")?,
            },
            "watch" => Message::Watch { name: fields.text_of("name", WatchName::parse)? },
            "api" => Message::Api { url: text("url")?, body: text("body")? },
            "manual_start" => Message::ManualStart { platform: text("platform")? },
            "manual_stop" => Message::ManualStop {
                outcome: text("outcome")?,
                reward: text("reward")?,
                bonus: text("bonus")?,
                currency: text("currency")?,
                title: text("title")?,
            },
            "price_stretch" => Message::PriceStretch {
                platform: text("platform")?,
                started: fields.i64("started")?,
                reward: text("reward")?,
                currency: text("currency")?,
            },
            "price_day" => Message::PriceDay {
                platform: text("platform")?,
                day: text("day")?,
                amount: text("amount")?,
                currency: text("currency")?,
            },
            "save_settings" => Message::SaveSettings { form: fields.parse("form")? },
            "sync_now" => Message::SyncNow,
            "erase_shared" => Message::EraseShared,
            "delete_local" => Message::DeleteLocal,
            "import" => Message::Import { text: text("text")? },
            other => {
                return Err(JsonError::invalid(format!(
                    "'{}' is not a known message",
                    other.chars().take(32).collect::<String>()
                ))
                .inside("kind"));
            }
        })
    }
}
