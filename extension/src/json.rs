//! The JSON form of the extension's state and messages, written by hand over the library's small
//! `analysis::json::Value` instead of derived with serde: the library already parses and prints
//! `Value` (JSON Lines), and serde would add its own parsers to the wasm module (its size budget
//! is in `docs/benchmarks.md`). Each type's module implements [`ToJson`] and [`FromJson`]; the layout
//! is plain objects named after the fields, library values (platforms, money, codes) as their
//! canonical text, read back through the library's own parsers.

use analysis::json::{Map, Value};

use crate::sorted_map::SortedMap;

/// A value that has a JSON form.
pub trait ToJson {
    fn to_json(&self) -> Value;
}

/// A value that can be read back from its JSON form; the error names the field at fault.
pub trait FromJson: Sized {
    fn from_json(value: &Value) -> Result<Self, String>;
}

/// JSON text of a value.
pub fn to_text(value: &impl ToJson) -> String {
    value.to_json().to_string()
}

/// Reads a value from JSON text.
pub fn from_text<T: FromJson>(text: &str) -> Result<T, String> {
    let value: Value = analysis::json::parse(text).map_err(|error| format!("not JSON: {error}"))?;
    T::from_json(&value)
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Result<String, String> {
        value.as_str().map(str::to_owned).ok_or_else(|| format!("expected a string, got {}", value.kind()))
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Vec<T>, String> {
        let Value::Array(items) = value else { return Err(format!("expected a list, got {}", value.kind())) };
        // A loop rather than collecting into a `Result`: the collecting adapter is a sizeable
        // copy per item type in the wasm module.
        let mut list = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            list.push(T::from_json(item).map_err(|problem| format!("[{index}]: {problem}"))?);
        }
        Ok(list)
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }
}

/// A JSON object with one field per entry. Inserted one by one rather than collected: collecting
/// into a map sorts, and every sort instantiation adds kilobytes to the wasm module.
pub fn object_of<'a, K: ToString + 'a, T: ToJson + 'a>(
    entries: impl Iterator<Item = (&'a K, &'a T)>,
) -> Value {
    let mut object = Map::new();
    for (key, value) in entries {
        object.insert(key.to_string(), value.to_json());
    }
    Value::Object(object)
}

/// A JSON object read into a map: `key` reads each field name, `read` its value; an error is
/// prefixed with the field's name.
pub fn map_of<K: Ord, T>(
    value: &Value,
    key: impl Fn(&str) -> Result<K, String>,
    read: impl Fn(&Value) -> Result<T, String>,
) -> Result<SortedMap<K, T>, String> {
    let Value::Object(object) = value else {
        return Err(format!("expected an object, got {}", value.kind()));
    };
    let mut map = SortedMap::new();
    for (name, value) in object.iter() {
        let entry = key(name).and_then(|key| Ok((key, read(value)?)));
        let (key, value) = entry.map_err(|problem| in_field(name, &problem))?;
        map.insert(key, value);
    }
    Ok(map)
}

/// A JSON object under construction, field by field.
#[derive(Debug, Default)]
pub struct ObjectBuilder(Map);

impl ObjectBuilder {
    pub fn new() -> ObjectBuilder {
        ObjectBuilder::default()
    }

    pub fn field(self, name: &str, value: impl Into<Value>) -> ObjectBuilder {
        self.value(name, value.into())
    }

    /// `field` after the conversion: not generic, so its copies per value type stay small.
    fn value(mut self, name: &str, value: Value) -> ObjectBuilder {
        self.0.insert(name.to_owned(), value);
        self
    }

    /// A field whose value is `None` is written as `null`.
    pub fn optional(self, name: &str, value: Option<impl Into<Value>>) -> ObjectBuilder {
        let value = value.map_or(Value::Null, Into::into);
        self.field(name, value)
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// The fields of a JSON object being read. Unknown fields are ignored (a newer version may
/// have added some); an absent or `null` optional field is `None`.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a>(&'a Map);

impl<'a> Fields<'a> {
    pub fn of(value: &'a Value) -> Result<Fields<'a>, String> {
        match value {
            Value::Object(map) => Ok(Fields(map)),
            other => Err(format!("expected an object, got {}", other.kind())),
        }
    }

    /// The value of a field; absent and `null` are `None`.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    fn required(&self, name: &str) -> Result<&'a Value, String> {
        self.get(name).ok_or_else(|| format!("{name}: missing"))
    }

    /// A field read by `read`, its error prefixed with the field's name.
    pub fn with<T>(
        &self,
        name: &str,
        read: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Result<T, String> {
        read(self.required(name)?).map_err(|problem| in_field(name, &problem))
    }

    pub fn optional_with<T>(
        &self,
        name: &str,
        read: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        self.get(name).map(|value| read(value).map_err(|problem| in_field(name, &problem))).transpose()
    }

    pub fn parse<T: FromJson>(&self, name: &str) -> Result<T, String> {
        self.with(name, T::from_json)
    }

    pub fn optional<T: FromJson>(&self, name: &str) -> Result<Option<T>, String> {
        self.optional_with(name, T::from_json)
    }

    pub fn str(&self, name: &str) -> Result<&'a str, String> {
        self.with(name, text)
    }

    pub fn optional_string(&self, name: &str) -> Result<Option<String>, String> {
        self.optional_with(name, |value| text(value).map(str::to_owned))
    }

    pub fn bool(&self, name: &str) -> Result<bool, String> {
        self.with(name, |value| {
            value.as_bool().ok_or_else(|| format!("expected true or false, got {}", value.kind()))
        })
    }

    pub fn i64(&self, name: &str) -> Result<i64, String> {
        self.with(name, integer)
    }

    pub fn optional_i64(&self, name: &str) -> Result<Option<i64>, String> {
        self.optional_with(name, integer)
    }

    pub fn u64(&self, name: &str) -> Result<u64, String> {
        self.with(name, |value| {
            value
                .as_u64()
                .ok_or_else(|| format!("expected a whole number of at least 0, got {}", value.kind()))
        })
    }

    /// A field holding the canonical text of a library value, read by its parser.
    pub fn text_of<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, String> {
        self.with(name, |value| parse(text(value)?).map_err(|error| error.to_string()))
    }

    pub fn optional_text_of<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, String> {
        self.optional_with(name, |value| parse(text(value)?).map_err(|error| error.to_string()))
    }
}

/// A field's problem, prefixed with its name. Not generic, so the many copies of
/// [`Fields::with`] (one per reader) share it in the wasm module.
fn in_field(name: &str, problem: &str) -> String {
    format!("{name}: {problem}")
}

pub fn text(value: &Value) -> Result<&str, String> {
    value.as_str().ok_or_else(|| format!("expected a string, got {}", value.kind()))
}

fn integer(value: &Value) -> Result<i64, String> {
    value.as_i64().ok_or_else(|| format!("expected a whole number, got {}", value.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_name_what_is_wrong() {
        let value: Value = analysis::json::parse(r#"{"a": "x", "n": -3, "b": null}"#).unwrap();
        let fields = Fields::of(&value).unwrap();
        assert_eq!(fields.str("a").unwrap(), "x");
        assert_eq!(fields.i64("n").unwrap(), -3);
        assert_eq!(fields.u64("n").unwrap_err(), "n: expected a whole number of at least 0, got a number");
        assert_eq!(fields.optional_string("b").unwrap(), None);
        assert_eq!(fields.str("b").unwrap_err(), "b: missing");
        assert_eq!(fields.bool("a").unwrap_err(), "a: expected true or false, got a string");
        assert_eq!(Fields::of(&Value::from(3)).unwrap_err(), "expected an object, got a number");
        assert_eq!(
            from_text::<Vec<String>>(r#"["a", 1]"#).unwrap_err(),
            "[1]: expected a string, got a number"
        );
        assert!(from_text::<Vec<String>>("[").unwrap_err().starts_with("not JSON"));
    }
}
