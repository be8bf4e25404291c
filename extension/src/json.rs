//! The JSON form of the extension's state and messages, written by hand over the library's small
//! `analysis::json::Value` instead of derived with serde: the library already parses and prints
//! `Value` (JSON Lines), and serde would add its own parsers to the wasm module (its size budget
//! is in `docs/benchmarks.md`). Each type's module implements [`ToJson`] and [`FromJson`]; the layout
//! is plain objects named after the fields, library values (platforms, money, codes) as their
//! canonical text, read back through the library's own parsers.

use std::fmt;

use analysis::json::{Map, Value};

use crate::sorted_map::SortedMap;

/// Why stored state or a message could not be read: where (the fields and list positions
/// leading to the value, outermost first) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    path: Vec<String>,
    pub problem: JsonProblem,
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonProblem {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("missing")]
    Missing,
    #[error("expected {expected}, got {got}")]
    Expected { expected: &'static str, got: &'static str },
    /// The value has the right JSON type but is not a valid value of its field.
    #[error("{0}")]
    Invalid(String),
}

impl JsonError {
    pub fn new(problem: JsonProblem) -> JsonError {
        JsonError { path: Vec::new(), problem }
    }

    /// A value of the right JSON type that its field does not accept.
    pub fn invalid(problem: impl fmt::Display) -> JsonError {
        JsonError::new(JsonProblem::Invalid(problem.to_string()))
    }

    fn expected(expected: &'static str, value: &Value) -> JsonError {
        JsonError::new(JsonProblem::Expected { expected, got: value.kind() })
    }

    /// The same error, found inside the field or list position `segment`.
    pub fn inside(mut self, segment: impl Into<String>) -> JsonError {
        self.path.insert(0, segment.into());
        self
    }

    /// The field names and list positions leading to the value at fault, outermost first.
    pub fn path(&self) -> &[String] {
        &self.path
    }
}

impl fmt::Display for JsonError {
    /// `settings: country: 'ZZ' is not …`, as a person reads a path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.path {
            write!(f, "{segment}: ")?;
        }
        write!(f, "{}", self.problem)
    }
}

impl std::error::Error for JsonError {}

/// A value that has a JSON form.
pub trait ToJson {
    fn to_json(&self) -> Value;
}

/// A value that can be read back from its JSON form; the error names the field at fault.
pub trait FromJson: Sized {
    fn from_json(value: &Value) -> Result<Self, JsonError>;
}

/// JSON text of a value.
pub fn to_text(value: &impl ToJson) -> String {
    value.to_json().to_string()
}

/// Reads a value from JSON text.
pub fn from_text<T: FromJson>(text: &str) -> Result<T, JsonError> {
    let value: Value = analysis::json::parse(text)
        .map_err(|error| JsonError::new(JsonProblem::NotJson(error.to_string())))?;
    T::from_json(&value)
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Result<String, JsonError> {
        text(value).map(str::to_owned)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Vec<T>, JsonError> {
        let Value::Array(items) = value else { return Err(JsonError::expected("a list", value)) };
        // A loop rather than collecting into a `Result`: the collecting adapter is a sizeable
        // copy per item type in the wasm module.
        let mut list = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            list.push(T::from_json(item).map_err(|error| error.inside(format!("[{index}]")))?);
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
    key: impl Fn(&str) -> Result<K, JsonError>,
    read: impl Fn(&Value) -> Result<T, JsonError>,
) -> Result<SortedMap<K, T>, JsonError> {
    let Value::Object(object) = value else {
        return Err(JsonError::expected("an object", value));
    };
    let mut map = SortedMap::new();
    for (name, value) in object.iter() {
        let entry = key(name).and_then(|key| Ok((key, read(value)?)));
        let (key, value) = entry.map_err(|error| in_field(name, error))?;
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
    pub fn of(value: &'a Value) -> Result<Fields<'a>, JsonError> {
        match value {
            Value::Object(map) => Ok(Fields(map)),
            other => Err(JsonError::expected("an object", other)),
        }
    }

    /// The value of a field; absent and `null` are `None`.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    fn required(&self, name: &str) -> Result<&'a Value, JsonError> {
        self.get(name).ok_or_else(|| JsonError::new(JsonProblem::Missing).inside(name))
    }

    /// A field read by `read`, its error prefixed with the field's name.
    pub fn with<T>(
        &self,
        name: &str,
        read: impl FnOnce(&'a Value) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        read(self.required(name)?).map_err(|error| in_field(name, error))
    }

    pub fn optional_with<T>(
        &self,
        name: &str,
        read: impl FnOnce(&'a Value) -> Result<T, JsonError>,
    ) -> Result<Option<T>, JsonError> {
        self.get(name).map(|value| read(value).map_err(|error| in_field(name, error))).transpose()
    }

    pub fn parse<T: FromJson>(&self, name: &str) -> Result<T, JsonError> {
        self.with(name, T::from_json)
    }

    pub fn optional<T: FromJson>(&self, name: &str) -> Result<Option<T>, JsonError> {
        self.optional_with(name, T::from_json)
    }

    pub fn str(&self, name: &str) -> Result<&'a str, JsonError> {
        self.with(name, text)
    }

    pub fn optional_string(&self, name: &str) -> Result<Option<String>, JsonError> {
        self.optional_with(name, |value| text(value).map(str::to_owned))
    }

    pub fn bool(&self, name: &str) -> Result<bool, JsonError> {
        self.with(name, |value| value.as_bool().ok_or_else(|| JsonError::expected("true or false", value)))
    }

    pub fn i64(&self, name: &str) -> Result<i64, JsonError> {
        self.with(name, integer)
    }

    pub fn optional_i64(&self, name: &str) -> Result<Option<i64>, JsonError> {
        self.optional_with(name, integer)
    }

    pub fn u64(&self, name: &str) -> Result<u64, JsonError> {
        self.with(name, |value| {
            value.as_u64().ok_or_else(|| JsonError::expected("a whole number of at least 0", value))
        })
    }

    /// A field holding the canonical text of a library value, read by its parser.
    pub fn text_of<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, JsonError> {
        self.with(name, |value| parse(text(value)?).map_err(JsonError::invalid))
    }

    pub fn optional_text_of<T, E: fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, JsonError> {
        self.optional_with(name, |value| parse(text(value)?).map_err(JsonError::invalid))
    }
}

/// A field's error, placed inside the field. Not generic, so the many copies of
/// [`Fields::with`] (one per reader) share it in the wasm module.
fn in_field(name: &str, error: JsonError) -> JsonError {
    error.inside(name)
}

pub fn text(value: &Value) -> Result<&str, JsonError> {
    value.as_str().ok_or_else(|| JsonError::expected("a string", value))
}

fn integer(value: &Value) -> Result<i64, JsonError> {
    value.as_i64().ok_or_else(|| JsonError::expected("a whole number", value))
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
        let error = |result: Result<_, JsonError>| result.map(|_: ()| ()).unwrap_err().to_string();
        assert_eq!(
            error(fields.u64("n").map(drop)),
            "n: expected a whole number of at least 0, got a number"
        );
        assert_eq!(fields.optional_string("b").unwrap(), None);
        let missing = fields.str("b").unwrap_err();
        assert_eq!((missing.path(), &missing.problem), (&["b".to_owned()][..], &JsonProblem::Missing));
        assert_eq!(error(fields.bool("a").map(drop)), "a: expected true or false, got a string");
        assert_eq!(error(Fields::of(&Value::from(3)).map(drop)), "expected an object, got a number");
        assert_eq!(
            error(from_text::<Vec<String>>(r#"["a", 1]"#).map(drop)),
            "[1]: expected a string, got a number"
        );
        assert!(matches!(from_text::<Vec<String>>("[").unwrap_err().problem, JsonProblem::NotJson(_)));
    }
}
