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

/// What follows the first `needle` in `haystack`, as `split_once(needle)`'s second half, by the
/// same byte windows (for the same reason as [`contains`]).
pub fn after<'a>(haystack: &'a str, needle: &str) -> Option<&'a str> {
    let needle = needle.as_bytes();
    let start = if needle.is_empty() {
        0
    } else {
        haystack.as_bytes().windows(needle.len()).position(|window| window == needle)?
    };
    // A UTF-8 needle ends at a character boundary, so this never answers None for a match.
    haystack.get(start + needle.len()..)
}

#[cfg(test)]
mod tests {
    use super::{after, contains};

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
            let split = haystack.split_once(needle).map(|(_, rest)| rest);
            assert_eq!(after(haystack, needle), split, "{haystack:?} {needle:?}");
        }
    }
}
