//! Markdown written by organizers (contest descriptions, questions, announcements), rendered to HTML and
//! sanitised: what a source holds can never put a script or a form on a page.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// Markdown (CommonMark with tables and strikethrough) as safe HTML. Its headings are moved down so that
/// the highest is an `h2`: every page has its own `h1`, and a source's `# Title` must not make a second one.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let top = Parser::new_ext(markdown, options)
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let shift = |level: HeadingLevel| {
        HeadingLevel::try_from((level as usize + 2).saturating_sub(top).clamp(2, 6)).unwrap_or(HeadingLevel::H6)
    };
    let events = Parser::new_ext(markdown, options).map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: shift(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events);
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
    fn the_highest_heading_is_an_h2_and_the_order_is_kept() {
        let html = to_html("# Title\n\n## Question\n\n#### Deep\n");
        assert!(html.contains("<h2>Title</h2>") && html.contains("<h3>Question</h3>"), "{html}");
        assert!(html.contains("<h5>Deep</h5>") && !html.contains("<h1>"), "{html}");
        let html = to_html("### Only\n\n###### Deepest\n");
        assert!(html.contains("<h2>Only</h2>") && html.contains("<h5>Deepest</h5>"), "{html}");
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
