//! Markdown written by organizers (contest descriptions, questions, announcements), rendered to HTML and
//! sanitised: what a source holds can never put a script or a form on a page.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// Markdown (CommonMark with tables and strikethrough) as safe HTML. Its headings are moved down so that
/// the highest is an `h2`: every page has its own `h1`, and a source's `# Title` must not make a second one.
pub fn to_html(markdown: &str) -> String {
    render(Parser::new_ext(markdown, OPTIONS).collect(), markdown.len())
}

/// A question as safe HTML, without its first heading when that only repeats its title (in either language: the
/// page's `h1` shows it already).
pub fn to_html_under_title(markdown: &str, titles: &[&str]) -> String {
    let mut events: Vec<Event> = Parser::new_ext(markdown, OPTIONS).collect();
    if let Some(Event::Start(Tag::Heading { .. })) = events.first() {
        let end = events.iter().position(|e| matches!(e, Event::End(TagEnd::Heading(_)))).unwrap_or(0);
        let text: String = events[1..end]
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        if titles.iter().any(|t| t.trim() == text.trim()) {
            events.drain(..=end);
        }
    }
    render(events, markdown.len())
}

const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

fn render(events: Vec<Event>, size: usize) -> String {
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let shift = |level: HeadingLevel| {
        HeadingLevel::try_from((level as usize + 2).saturating_sub(top).clamp(2, 6)).unwrap_or(HeadingLevel::H6)
    };
    let events = events.into_iter().map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: shift(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
        other => other,
    });
    let mut raw = String::with_capacity(size * 3 / 2);
    html::push_html(&mut raw, events);
    ammonia::Builder::default().link_rel(Some("noopener noreferrer nofollow")).clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::{to_html, to_html_under_title};

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
    fn a_first_heading_repeating_the_title_is_dropped() {
        let html =
            to_html_under_title("# Where it came from\n\n## Question\n\nWhich server?\n", &["Where it came from"]);
        assert!(!html.contains("Where it came from") && html.contains("<h2>Question</h2>"), "{html}");
        let html = to_html_under_title("# Background\n\nText\n", &["Where it came from"]);
        assert!(html.contains("<h2>Background</h2>"), "{html}");
        let html = to_html_under_title("Text first\n\n# Where it came from\n", &["Where it came from", "由来"]);
        assert!(html.contains("<h2>Where it came from</h2>"), "{html}");
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
