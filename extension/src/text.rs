//! Substring search without the standard library's two-way searcher.

/// Whether `needle` occurs in `haystack`, as `str::contains` answers. Comparing byte windows
/// finds the same matches (a UTF-8 needle can only match at a character boundary), and for the
/// short texts searched here (page classes, alert phrases, requester names) it is as fast.
/// Measured: `str::contains` with a string pattern brought `StrSearcher` and its
/// `is_contained_in` (about 1.9 KB) into the wasm module; see docs/benchmarks.md.
pub fn contains(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty() || haystack.as_bytes().windows(needle.len()).any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn answers_as_str_contains() {
        let cases = [
            ("", ""),
            ("abc", ""),
            ("", "a"),
            ("abc", "abc"),
            ("abc", "abcd"),
            ("xxabcxx", "abc"),
            ("aab", "ab"),
            ("ab", "ba"),
            ("café crème", "é c"),
            ("café", "e"),
            ("HitView-module", "HitView"),
            ("résumé", "sum"),
            ("ééé", "\u{301}"),
        ];
        for (haystack, needle) in cases {
            assert_eq!(contains(haystack, needle), haystack.contains(needle), "{haystack:?} {needle:?}");
        }
    }
}
