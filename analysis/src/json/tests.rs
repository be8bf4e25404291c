//! The JSON reader and printer: exact cases, hostile input, and agreement with `serde_json`
//! (a reference implementation, used only here) on generated and mutilated texts.

use proptest::prelude::*;

use super::*;

#[track_caller]
fn check(text: &str, printed: &str) {
    let value = parse(text).unwrap_or_else(|error| panic!("{text:?}: {error}"));
    assert_eq!(value.to_string(), printed, "{text:?}");
}

#[track_caller]
fn check_error(text: &str, expected: &str) {
    assert_eq!(parse(text).unwrap_err().to_string(), expected, "{text:?}");
}

#[test]
fn reads_and_prints_json() {
    check(" null ", "null");
    check("[true,false]", "[true,false]");
    check(r#" { "b" : [ 1 , -2.50 , 3e-7, 0 ] , "a" : {} } "#, r#"{"b":[1,-2.50,3e-7,0],"a":{}}"#);
    check(r#""tab\there \"q\" \\ \/ \u00e9\ud83d\ude00""#, r#""tab\there \"q\" \\ / é😀""#);
    check("\"\\u0001\\b\\f\"", r#""\u0001\u0008\u000c""#);
    check("[[],[[]],{\"\":\"\"}]", "[[],[[]],{\"\":\"\"}]");
    // Numbers keep their text: no digit of a long number is lost.
    check("123456789012345678901234567890.000001", "123456789012345678901234567890.000001");
}

#[test]
fn numbers_read_as_whole_numbers_only_when_written_as_such() {
    let number = |text: &str| parse(text).unwrap();
    assert_eq!(number("18446744073709551615").as_u64(), Some(u64::MAX));
    assert_eq!(number("18446744073709551616").as_u64(), None);
    assert_eq!(number("-3").as_u64(), None);
    assert_eq!(number("-3").as_i64(), Some(-3));
    assert_eq!(number("3.0").as_u64(), None);
    assert_eq!(number("3e2").as_i64(), None);
    assert_eq!(number("\"3\"").as_u64(), None);
}

#[test]
fn whole_values_read_as_whole_numbers_however_written() {
    let whole = |text: &str| match parse(text).unwrap() {
        Value::Number(number) => number.as_whole_u64(),
        other => panic!("{text} is not a number: {other:?}"),
    };
    for (text, value) in [
        ("7200", Some(7200)),
        ("7200.0", Some(7200)),
        ("7200.000", Some(7200)),
        ("7.2e3", Some(7200)),
        ("72E+2", Some(7200)),
        ("720000e-2", Some(7200)),
        ("0", Some(0)),
        ("0.0e5", Some(0)),
        ("18446744073709551615.0", Some(u64::MAX)),
        ("7200.5", None),
        ("7.25e1", None),
        ("72e-1", None),
        ("-1", None),
        ("-0", None),
        ("-7200.0", None),
        ("18446744073709551616", None),
        ("1e20", None),
        ("1e99999999999999999999", None),
    ] {
        assert_eq!(whole(text), value, "{text}");
    }
}

#[test]
fn errors_name_the_problem_and_where() {
    check_error("", "unexpected end of the text, expected a value at line 1 column 1");
    check_error("{\"a\":1,}", "expected a field name in double quotes at line 1 column 8");
    check_error("[1,\n 2\n 3]", "expected ',' or ']' in an array at line 3 column 2");
    check_error("{\"a\" 1}", "expected ':' after a field name at line 1 column 6");
    check_error("{\"a\":1 \"b\"}", "expected ',' or '}' in an object at line 1 column 8");
    check_error("\"é\\x\"", "invalid escape in a string at line 1 column 4");
    check_error("\"abc", "unterminated string at line 1 column 5");
    check_error("\"a\nb\"", "control character in a string (escape it) at line 1 column 3");
    check_error("\"\\ud800\"", "unpaired surrogate in a \\u escape at line 1 column 8");
    check_error("\"\\ud800\\u0041\"", "unpaired surrogate in a \\u escape at line 1 column 14");
    check_error("\"\\udc00\"", "unpaired surrogate in a \\u escape at line 1 column 8");
    check_error("\"\\u12g4\"", "\\u needs four hex digits at line 1 column 4");
    check_error("01", "unexpected text after the value at line 1 column 2");
    check_error("-", "expected a digit in a number at line 1 column 2");
    check_error("1.", "expected a digit in a number at line 1 column 3");
    check_error("1e+", "expected a digit in a number at line 1 column 4");
    check_error("nul", "expected a value at line 1 column 1");
    check_error("NaN", "expected a value at line 1 column 1");
    check_error("[1] [2]", "unexpected text after the value at line 1 column 5");
    check_error("'a'", "expected a value at line 1 column 1");
}

#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    let deep = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
    assert!(parse(&deep(MAX_DEPTH)).is_ok());
    check_error(&deep(MAX_DEPTH + 1), "arrays and objects nest too deeply at line 1 column 129");
    // A million open brackets: refused at the limit, without recursing a million times.
    assert!(parse(&"[{\"a\":".repeat(1_000_000)).is_err());
}

#[test]
fn objects_keep_their_order_and_the_last_of_a_repeated_key_counts() {
    let value = parse(r#"{"z":1,"a":2,"z":3}"#).unwrap();
    assert_eq!(value.get("z").and_then(Value::as_u64), Some(3));
    assert_eq!(value.as_object().unwrap().keys().collect::<Vec<_>>(), ["z", "a", "z"]);
    let mut map = value.as_object().unwrap().clone();
    assert_eq!(map.remove("z"), Some(Value::from(3u64)));
    map.insert("b".into(), Value::from("x"));
    map.insert("a".into(), Value::Null);
    assert_eq!(Value::from(map).to_string(), r#"{"a":null,"b":"x"}"#);
}

#[test]
fn pointers_follow_rfc_6901() {
    let value = parse(r#"{"a":{"b/c":[10,{"d~e":true}]}}"#).unwrap();
    assert_eq!(value.pointer("/a/b~1c/0").and_then(Value::as_u64), Some(10));
    assert_eq!(value.pointer("/a/b~1c/1/d~0e").and_then(Value::as_bool), Some(true));
    assert_eq!(value.pointer(""), Some(&value));
    assert_eq!(value.pointer("/a/b~1c/2"), None);
    assert_eq!(value.pointer("/a/x"), None);
    assert_eq!(value.pointer("a"), None);
    assert_eq!(value.pointer("/a/b~2c"), None, "~ is only ~0 or ~1");
}

#[test]
fn control_characters_print_escaped() {
    let text: String = (0u8..0x20).map(char::from).chain("\"\\é".chars()).collect();
    let printed = Value::from(text.as_str()).to_string();
    assert!(printed.bytes().all(|byte| byte >= 0x20), "{printed}");
    assert_eq!(parse(&printed).unwrap().as_str(), Some(text.as_str()));
}

/// JSON text built from the grammar, with whitespace here and there.
fn json_text() -> impl Strategy<Value = String> {
    let space = prop::sample::select(vec!["", " ", "\n", "\t ", "\r\n"]);
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        "-?(0|[1-9][0-9]{0,22})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,2})?",
        any::<String>().prop_map(|text| serde_json::to_string(&text).unwrap()),
        "\"([a-z ]|\\\\[\"\\\\/bfnrt]|\\\\u00[0-9a-f]{2}|\\\\ud83d\\\\ude0[0-9a])*\"",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        let item = (space.clone(), inner, space.clone()).prop_map(|(a, value, b)| format!("{a}{value}{b}"));
        prop_oneof![
            prop::collection::vec(item.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec(("[a-z]{0,3}", item), 0..6).prop_map(|fields| {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| format!("{}:{value}", serde_json::to_string(name).unwrap()))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn agrees_with_serde_json_on_valid_text(text in json_text()) {
        let ours = parse(&text).map_err(|error| TestCaseError::fail(format!("{text:?}: {error}")))?;
        let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
        let reread: serde_json::Value = serde_json::from_str(&ours.to_string()).unwrap();
        prop_assert_eq!(reread, reference);
    }

    #[test]
    fn agrees_with_serde_json_on_what_is_not_json(
        text in json_text(),
        cut in any::<prop::sample::Index>(),
        inserted in prop::sample::select(vec!["", "[", "]", "{", "}", "\"", ",", ":", "\\", "0", "-", "e", ".", "x", "\u{1}"]),
    ) {
        let mut characters: Vec<char> = text.chars().collect();
        let at = cut.index(characters.len() + 1);
        if at < characters.len() && inserted.is_empty() {
            characters.remove(at);
        } else {
            characters.splice(at..at, inserted.chars());
        }
        let mutilated: String = characters.into_iter().collect();
        let reference = serde_json::from_str::<serde_json::Value>(&mutilated);
        // serde_json reads numbers into floats, so it refuses one beyond f64's range; this
        // reader keeps the number's text and has no range to leave.
        prop_assume!(!reference.as_ref().is_err_and(|error| error.to_string().starts_with("number out of range")));
        let reference = reference.is_ok();
        prop_assert_eq!(parse(&mutilated).is_ok(), reference, "{:?}", mutilated);
    }
}
