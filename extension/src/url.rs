//! A small URL matcher for the adapter tables: scheme, exact host, path segments with `*`
//! wildcards, and required query parameters. A full regex engine would add tens of kilobytes
//! to the wasm module for patterns this simple.

/// The parts of an `http(s)` URL the adapters look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl<'a> {
    pub host: &'a str,
    pub path: &'a str,
    pub query: &'a str,
}

impl<'a> ParsedUrl<'a> {
    /// Splits `https://host[:port]/path?query#fragment`; anything else is `None`.
    pub fn parse(url: &'a str) -> Option<ParsedUrl<'a>> {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        let rest = rest.split('#').next().unwrap_or_default();
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        // Userinfo would let `https://worker.mturk.com@evil.example/` pass for the real host.
        if authority.contains('@') || authority.is_empty() {
            return None;
        }
        let host = authority.split(':').next().unwrap_or_default();
        let rest = &rest[authority_end..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Some(ParsedUrl { host, path: if path.is_empty() { "/" } else { path }, query })
    }

    /// The value of a query parameter (not percent-decoded: ids are plain ASCII).
    pub fn query_value(&self, name: &str) -> Option<&'a str> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }

    /// The path segment at `index` (0 is the first after the leading `/`).
    pub fn segment(&self, index: usize) -> Option<&'a str> {
        self.path.trim_start_matches('/').split('/').nth(index)
    }
}

/// A path pattern: `/projects/*/tasks/*` matches one segment per `*`; a trailing `/**` matches
/// any rest, including nothing. A trailing slash on the URL is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlPattern {
    pub host: &'static str,
    pub path: &'static str,
    /// Query parameters that must be present (with any value).
    pub required_query: &'static [&'static str],
}

impl UrlPattern {
    pub fn matches(&self, url: &ParsedUrl<'_>) -> bool {
        url.host.eq_ignore_ascii_case(self.host)
            && path_matches(self.path, url.path)
            && self.required_query.iter().all(|name| url.query_value(name).is_some_and(|v| !v.is_empty()))
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern_segments: Vec<&str> =
        pattern.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let path_segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let (pattern_segments, open_ended) = match pattern_segments.split_last() {
        Some((&"**", rest)) => (rest, true),
        _ => (&pattern_segments[..], false),
    };
    if open_ended {
        if path_segments.len() < pattern_segments.len() {
            return false;
        }
    } else if path_segments.len() != pattern_segments.len() {
        return false;
    }
    pattern_segments.iter().zip(&path_segments).all(|(want, got)| *want == "*" || want == got)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn check(pattern: UrlPattern, url: &str, expected: bool) {
        let matched = ParsedUrl::parse(url).is_some_and(|parsed| pattern.matches(&parsed));
        assert_eq!(matched, expected, "{pattern:?} on {url}");
    }

    const TASK: UrlPattern = UrlPattern {
        host: "worker.mturk.com",
        path: "/projects/*/tasks/*",
        required_query: &["assignment_id"],
    };

    #[test]
    fn matches_segments_hosts_and_queries() {
        check(
            TASK,
            "https://worker.mturk.com/projects/3ABC/tasks/3XYZ?assignment_id=3QRS&ref=w_pl_prvw",
            true,
        );
        check(TASK, "https://worker.mturk.com/projects/3ABC/tasks/3XYZ/?assignment_id=3QRS", true);
        check(TASK, "https://worker.mturk.com/projects/3ABC/tasks/3XYZ", false);
        check(TASK, "https://worker.mturk.com/projects/3ABC/tasks/3XYZ?assignment_id=", false);
        check(TASK, "https://WORKER.mturk.com:443/projects/3ABC/tasks/3XYZ?assignment_id=1", true);
        check(TASK, "https://worker.mturk.com.evil.example/projects/a/tasks/b?assignment_id=1", false);
        check(TASK, "https://worker.mturk.com@evil.example/projects/a/tasks/b?assignment_id=1", false);
        let any = UrlPattern { host: "worker.mturk.com", path: "/status_details/**", required_query: &[] };
        check(any, "https://worker.mturk.com/status_details/2024-05-01", true);
        check(any, "https://worker.mturk.com/status_details", true);
        check(any, "https://worker.mturk.com/dashboard", false);
        let root = UrlPattern { host: "worker.mturk.com", path: "/", required_query: &[] };
        check(root, "https://worker.mturk.com", true);
        check(root, "https://worker.mturk.com/?filters%5Bsearch_term%5D=survey", true);
        check(root, "https://worker.mturk.com/projects", false);
    }

    #[test]
    fn refuses_what_is_not_a_web_url() {
        for bad in
            ["", "worker.mturk.com/projects", "javascript:alert(1)", "https://", "ftp://worker.mturk.com/"]
        {
            assert_eq!(ParsedUrl::parse(bad), None, "{bad}");
        }
        let url = ParsedUrl::parse("https://app.prolific.com/submissions/complete?cc=C1A2#top").unwrap();
        assert_eq!(url.query_value("cc"), Some("C1A2"));
        assert_eq!(url.segment(0), Some("submissions"));
    }
}
