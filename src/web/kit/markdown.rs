//! Markdown written by organizers (contest descriptions, questions, announcements), rendered to HTML and
//! sanitised: what a source holds can never put a script or a form on a page.

use pulldown_cmark::{Options, Parser, html};

/// Markdown (CommonMark with tables and strikethrough) as safe HTML.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer nofollow")).clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_is_rendered() {
        let html = to_html("## How to play\n\n1. **Register**\n2. Use `/api/v1`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h2>How to play</h2>"), "{html}");
        assert!(html.contains("<strong>Register</strong>"));
        assert!(html.contains("<code>/api/v1</code>"));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = to_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<form action=/logout><button>go</button></form>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<form"), "{html}");
    }
}
