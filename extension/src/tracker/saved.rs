//! The tracker's saved form: the whole state as JSON, written to `storage.local` after every
//! event and read back when the service worker starts again. Open tasks and search stretches
//! are lists of objects, tabs an object keyed by tab id, a tab's place tagged by `at`.

use analysis::json::Value;
use analysis::{Money, Platform};

use super::{OpenTask, Place, Stretch, Tab, TabId, Tracker, TrackerSettings};
use crate::adapters::TaskDetails;
use crate::json::{Fields, FromJson, JsonError, ObjectBuilder, ToJson, map_of, object_of};

impl ToJson for Tracker {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .field(
                "settings",
                ObjectBuilder::new().field("idle_cutoff_ms", self.settings.idle_cutoff_ms).build(),
            )
            .field("tabs", object_of(self.tabs.iter()))
            .field("tasks", self.tasks.to_json())
            .field("searches", self.searches.to_json())
            .field("works", self.works.to_json())
            .field("waiting", self.waiting.to_json())
            .optional("current", self.current)
            .optional("clock", self.clock)
            .build()
    }
}

impl FromJson for Tracker {
    fn from_json(value: &Value) -> Result<Tracker, JsonError> {
        let fields = Fields::of(value)?;
        let settings = fields.with("settings", |value| {
            Ok(TrackerSettings { idle_cutoff_ms: Fields::of(value)?.i64("idle_cutoff_ms")? })
        })?;
        let tab_id =
            |id: &str| id.parse::<TabId>().map_err(|_| JsonError::invalid(format!("'{id}' is not a tab id")));
        let tabs = fields.with("tabs", |value| map_of(value, tab_id, Tab::from_json))?;
        Ok(Tracker {
            settings,
            tabs,
            tasks: fields.parse("tasks")?,
            searches: fields.parse("searches")?,
            // Absent from a state saved before the time tier: no stretch of work open.
            works: fields.optional("works")?.unwrap_or_default(),
            waiting: fields.optional("waiting")?.unwrap_or_default(),
            current: fields.optional_i64("current")?,
            clock: fields.optional_i64("clock")?,
        })
    }
}

impl ToJson for Tab {
    fn to_json(&self) -> Value {
        let place = match &self.place {
            Place::Elsewhere => ObjectBuilder::new().field("at", "elsewhere"),
            Place::Search { platform } => {
                ObjectBuilder::new().field("at", "search").field("platform", platform.as_str())
            }
            Place::Task { key } => ObjectBuilder::new().field("at", "task").field("key", key.as_str()),
            Place::Working { platform } => {
                ObjectBuilder::new().field("at", "working").field("platform", platform.as_str())
            }
        };
        ObjectBuilder::new()
            .field("place", place.build())
            .field("focused", self.focused)
            .field("visible", self.visible)
            .optional("last_input", self.last_input)
            .optional("frame_focus", self.frame_focus)
            .optional("last_task", self.last_task.clone())
            .build()
    }
}

impl FromJson for Tab {
    fn from_json(value: &Value) -> Result<Tab, JsonError> {
        let fields = Fields::of(value)?;
        let place = fields.with("place", |value| {
            let place = Fields::of(value)?;
            match place.str("at")? {
                "elsewhere" => Ok(Place::Elsewhere),
                "search" => Ok(Place::Search { platform: place.text_of("platform", Platform::parse)? }),
                "task" => Ok(Place::Task { key: place.str("key")?.to_owned() }),
                "working" => Ok(Place::Working { platform: place.text_of("platform", Platform::parse)? }),
                other => Err(JsonError::invalid(format!(
                    "'{}' is not elsewhere, search, task or working",
                    short(other)
                ))
                .inside("at")),
            }
        })?;
        Ok(Tab {
            place,
            focused: fields.bool("focused")?,
            visible: fields.bool("visible")?,
            last_input: fields.optional_i64("last_input")?,
            frame_focus: fields.optional_i64("frame_focus")?,
            last_task: fields.optional_string("last_task")?,
        })
    }
}

impl ToJson for OpenTask {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .field("key", self.key.as_str())
            .field("platform", self.platform.as_str())
            .field("started", self.started)
            .field("deadline", self.deadline)
            .field("active_ms", self.active_ms)
            .field("off_site", self.off_site)
            .field("details", self.details.to_json())
            .field("bonus", self.bonus.to_string())
            .build()
    }
}

impl FromJson for OpenTask {
    fn from_json(value: &Value) -> Result<OpenTask, JsonError> {
        let fields = Fields::of(value)?;
        Ok(OpenTask {
            key: fields.str("key")?.to_owned(),
            platform: fields.text_of("platform", Platform::parse)?,
            started: fields.i64("started")?,
            deadline: fields.i64("deadline")?,
            active_ms: fields.i64("active_ms")?,
            off_site: fields.bool("off_site")?,
            details: fields.optional::<TaskDetails>("details")?,
            bonus: fields.text_of("bonus", Money::parse)?,
        })
    }
}

impl ToJson for Stretch {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .field("platform", self.platform.as_str())
            .field("first", self.first)
            .field("last", self.last)
            .field("active_ms", self.active_ms)
            .build()
    }
}

impl FromJson for Stretch {
    fn from_json(value: &Value) -> Result<Stretch, JsonError> {
        let fields = Fields::of(value)?;
        Ok(Stretch {
            platform: fields.text_of("platform", Platform::parse)?,
            first: fields.i64("first")?,
            last: fields.i64("last")?,
            active_ms: fields.i64("active_ms")?,
        })
    }
}

fn short(text: &str) -> String {
    text.chars().take(32).collect()
}
