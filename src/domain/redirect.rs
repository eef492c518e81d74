//! Where a `next` address (a query's or a form's) may send someone back to: a path on this site only.

/// `next` when it is a path on this site, else `None`.
///
/// Accepted: one leading `/`, then anything but another `/` or a `\` right after it, and no control
/// character (C0, DEL, C1), whitespace or `\` anywhere. Browsers drop tabs and line breaks inside an address
/// and read `\` as `/`, so `/\t/evil.example` or `/\evil.example` would be `//evil.example`, another site;
/// a control character in a `Location` header is refused by the HTTP library, which used to be a 500.
pub fn same_site_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let bad = |c: char| c.is_control() || c.is_whitespace() || c == '\\';
    if rest.starts_with('/') || next.chars().any(bad) {
        return None;
    }
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_this_site_are_kept() {
        for ok in ["/", "/account", "/contests/cup/challenges/alpha?x=1#top", "/archive/search?q=%E8%A7%A3", "/解析"]
        {
            assert_eq!(same_site_path(ok), Some(ok));
        }
    }

    #[test]
    fn anything_that_leaves_the_site_or_breaks_a_header_is_refused() {
        let attacks = [
            "/\t/evil.example", // what `/%09/evil.example` decodes to
            "/\t/evil",
            "/\r\n/evil",
            "/\n/evil",
            "/ /evil",
            "/\u{00A0}/evil",
            "/\\evil",
            "/\\/evil",
            "//evil",
            "///evil",
            "/\x7f",
            "/a\u{0085}b",
            "/a\u{0000}b",
            "/ok\r\nSet-Cookie: x=1",
            "https://x",
            "http:/x",
            "javascript:alert(1)",
            " /x",
            "\t/x",
            "x/",
            "",
        ];
        for attack in attacks {
            assert_eq!(same_site_path(attack), None, "{attack:?}");
        }
    }
}
