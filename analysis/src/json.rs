//! A small JSON value with its parser and printer, for record format v1's JSON Lines, the
//! collector's record batches and the browser extension's stored state and messages.
//!
//! The library has its own rather than `serde_json::Value` because the extension compiles it to
//! wasm, where every kilobyte counts (`docs/benchmarks.md`): this one holds numbers as their
//! text (no float parsing or printing; money is never a JSON number anyway), keeps an object's
//! fields in their order in a plain vector, and is all of a few hundred lines of code.
//!
//! It reads RFC 8259 JSON exactly: anything else is an error naming the line, column and
//! problem. Nesting is bounded so that hostile input cannot exhaust the stack. Of a key given
//! twice in one object, the last counts, as in JavaScript's `JSON.parse`; the record reader
//! refuses such objects outright.

use std::fmt::{self, Display, Write as _};

/// How deeply arrays and objects may nest. Nothing piecerate reads nests deeper than 6.
pub const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number, as the text it was written as (checked against JSON's number grammar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

impl Number {
    /// The number as a whole number of at least 0, if it is written as one (no fraction, no
    /// exponent) and fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The number as a whole number, if it is written as one and fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number as a whole number of at least 0 if its value is one and fits, however it is
    /// written: `7200`, `7200.0` and `7.2e3` are 7200; `7200.5`, `-1` and `-0` are not. Exact
    /// (read from the digits, never through a float).
    pub fn as_whole_u64(&self) -> Option<u64> {
        if self.0.starts_with('-') {
            return None;
        }
        let (mantissa, exponent) = match self.0.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()?),
            None => (self.0.as_str(), 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{whole}{fraction}");
        let significant = digits.trim_end_matches('0');
        let exponent = exponent - fraction.len() as i64 + (digits.len() - significant.len()) as i64;
        let significant = significant.trim_start_matches('0');
        if significant.is_empty() {
            return Some(0);
        }
        // 20 digits are more than any u64; a negative exponent leaves a fraction.
        if exponent < 0 || significant.len() as i64 + exponent > 20 {
            return None;
        }
        format!("{significant}{}", "0".repeat(exponent as usize)).parse().ok()
    }
}

impl Display for Number {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The fields of a JSON object, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// Sets a field: replaces its value if present, appends it otherwise.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.0.iter_mut().rev().find(|(name, _)| *name == key) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    /// The value of a field (of a key given twice, the last).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    /// Removes a field, every occurrence of it; returns its (last) value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let mut removed = None;
        self.0.retain_mut(|(name, value)| {
            if name != key {
                return true;
            }
            removed = Some(std::mem::take(value));
            false
        });
        removed
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(name, value)| (name, value))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(name, _)| name)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, value)| value)
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(number) => number.as_u64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(number) => number.as_i64(),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// A field of an object; `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// The value at a JSON Pointer (RFC 6901), such as `/study/reward`; `""` is the value itself.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut value = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            // `~1` stands for `/` and `~0` for `~`; any other `~` makes the pointer invalid.
            let mut name = String::with_capacity(token.len());
            let mut characters = token.chars();
            while let Some(character) = characters.next() {
                name.push(match character {
                    '~' => match characters.next()? {
                        '0' => '~',
                        '1' => '/',
                        _ => return None,
                    },
                    other => other,
                });
            }
            value = match value {
                Value::Object(map) => map.get(&name)?,
                Value::Array(items) => items.get(name.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// What kind of value this is, for error messages: "a string", "an object", ...
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::String(text)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::Object(map)
    }
}

// Whole numbers only: the formats piecerate reads and writes never hold a fraction in a JSON
// number (amounts are decimal strings, so that no cent is lost to binary floating point).
macro_rules! from_integer {
    ($($integer:ty),*) => {$(
        impl From<$integer> for Value {
            fn from(value: $integer) -> Value {
                Value::Number(Number(value.to_string()))
            }
        }
    )*};
}
from_integer!(u16, u32, u64, usize, i32, i64);

impl Display for Value {
    /// Compact JSON text: no spaces, the fields in order, strings escaped as RFC 8259 requires.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => out.write_str("null"),
            Value::Bool(value) => out.write_str(if *value { "true" } else { "false" }),
            Value::Number(number) => out.write_str(&number.0),
            Value::String(text) => write_string(text, out),
            Value::Array(items) => {
                out.write_char('[')?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.write_char(',')?;
                    }
                    item.fmt(out)?;
                }
                out.write_char(']')
            }
            Value::Object(map) => {
                out.write_char('{')?;
                for (index, (name, value)) in map.0.iter().enumerate() {
                    if index > 0 {
                        out.write_char(',')?;
                    }
                    write_string(name, out)?;
                    out.write_char(':')?;
                    value.fmt(out)?;
                }
                out.write_char('}')
            }
        }
    }
}

fn write_string(text: &str, out: &mut fmt::Formatter<'_>) -> fmt::Result {
    out.write_char('"')?;
    let mut plain_from = 0;
    for (index, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..0x20 => "",
            _ => continue,
        };
        out.write_str(&text[plain_from..index])?;
        if escape.is_empty() {
            write!(out, "\\u{byte:04x}")?;
        } else {
            out.write_str(escape)?;
        }
        plain_from = index + 1;
    }
    out.write_str(&text[plain_from..])?;
    out.write_char('"')
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem} at line {line} column {column}")]
pub struct JsonError {
    pub problem: &'static str,
    pub line: usize,
    /// In characters, from 1.
    pub column: usize,
}

/// Reads one JSON text (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut parser = Parser { text, at: 0, depth: 0 };
    let value = parser.value().and_then(|value| {
        parser.skip_whitespace();
        if parser.at == text.len() { Ok(value) } else { Err("unexpected text after the value") }
    });
    value.map_err(|problem| {
        let before = &text[..parser.at.min(text.len())];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        JsonError {
            problem,
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    })
}

/// A recursive-descent reader over the text's bytes; `at` is where the next byte is read, and
/// where an error is reported.
struct Parser<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
}

type Parsed<T> = Result<T, &'static str>;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Reads `byte` after optional whitespace, or fails with `problem`.
    fn expect(&mut self, byte: u8, problem: &'static str) -> Parsed<()> {
        self.skip_whitespace();
        if self.peek() != Some(byte) {
            return Err(problem);
        }
        self.at += 1;
        Ok(())
    }

    fn value(&mut self) -> Parsed<Value> {
        self.skip_whitespace();
        match self.peek() {
            None => Err("unexpected end of the text, expected a value"),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[' | b'{') => {
                if self.depth == MAX_DEPTH {
                    return Err("arrays and objects nest too deeply");
                }
                self.depth += 1;
                let value = if self.peek() == Some(b'[') { self.array() } else { self.object() };
                self.depth -= 1;
                value
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                for (word, value) in [("null", Value::Null), ("true", true.into()), ("false", false.into())] {
                    if self.text[self.at..].starts_with(word) {
                        self.at += word.len();
                        return Ok(value);
                    }
                }
                Err("expected a value")
            }
        }
    }

    fn array(&mut self) -> Parsed<Value> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err("expected ',' or ']' in an array"),
            }
        }
    }

    fn object(&mut self) -> Parsed<Value> {
        self.at += 1;
        let mut fields = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(Map(fields)));
        }
        loop {
            self.expect(b'"', "expected a field name in double quotes")?;
            self.at -= 1;
            let name = self.string()?;
            self.expect(b':', "expected ':' after a field name")?;
            fields.push((name, self.value()?));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(Map(fields)));
                }
                _ => return Err("expected ',' or '}' in an object"),
            }
        }
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Parsed<String> {
        self.at += 1;
        let bytes = self.text.as_bytes();
        let mut text = String::new();
        let mut plain_from = self.at;
        loop {
            let Some(&byte) = bytes.get(self.at) else { return Err("unterminated string") };
            match byte {
                b'"' => {
                    text.push_str(&self.text[plain_from..self.at]);
                    self.at += 1;
                    return Ok(text);
                }
                b'\\' => {
                    text.push_str(&self.text[plain_from..self.at]);
                    self.at += 1;
                    text.push(self.escape()?);
                    plain_from = self.at;
                }
                0..0x20 => return Err("control character in a string (escape it)"),
                _ => self.at += 1,
            }
        }
    }

    /// The character an escape stands for, from the byte after the backslash.
    fn escape(&mut self) -> Parsed<char> {
        let Some(byte) = self.peek() else { return Err("unterminated string") };
        self.at += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xd800..0xdc00 => {
                        // A high surrogate must be followed by an escaped low one.
                        if !self.text[self.at..].starts_with("\\u") {
                            return Err("unpaired surrogate in a \\u escape");
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xdc00..0xe000).contains(&low) {
                            return Err("unpaired surrogate in a \\u escape");
                        }
                        0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                    }
                    0xdc00..0xe000 => return Err("unpaired surrogate in a \\u escape"),
                    _ => unit,
                };
                char::from_u32(code).ok_or("invalid \\u escape")?
            }
            _ => {
                self.at -= 1;
                return Err("invalid escape in a string");
            }
        })
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let digits = self.text.get(self.at..self.at + 4).ok_or("\\u needs four hex digits")?;
        let value = digits.chars().try_fold(0, |value, digit| Some(value * 16 + digit.to_digit(16)?));
        let value = value.ok_or("\\u needs four hex digits")?;
        self.at += 4;
        Ok(value)
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as its text.
    fn number(&mut self) -> Parsed<Value> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err("expected a digit in a number"),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.required_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.required_digits()?;
        }
        Ok(Value::Number(Number(self.text[start..self.at].to_owned())))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn required_digits(&mut self) -> Parsed<()> {
        let start = self.at;
        self.digits();
        if self.at == start { Err("expected a digit in a number") } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests;
