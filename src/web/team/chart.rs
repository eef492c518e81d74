//! The score-over-time chart, drawn by the server as SVG: a step line per team, exact to each event.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::domain::standings::Points;

/// One team's line: its name and its score after each change.
pub struct Series {
    pub name: String,
    pub points: Vec<(DateTime<Utc>, Points)>,
}

const COLOURS: [&str; 10] =
    ["#0b5cad", "#c0392b", "#1e8449", "#8e44ad", "#d35400", "#117a8b", "#b7950b", "#6c3483", "#2e4053", "#a04000"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// About how wide `text` is drawn at `size` (a full-width character a square, any other about half one).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if c.len_utf8() >= 3 { size } else { size * 0.6 }).sum()
}

/// `name` cut with an ellipsis so that `name suffix` fits in `room` at `size`: a long team name otherwise
/// runs off the chart's edge and its score with it.
fn fit_name(name: &str, suffix: &str, room: f64, size: f64) -> String {
    let budget = room - text_width(suffix, size) - text_width(" …", size);
    if text_width(name, size) + text_width(" ", size) + text_width(suffix, size) <= room {
        return name.to_owned();
    }
    let mut used = 0.0;
    let kept: String = name
        .chars()
        .take_while(|c| {
            used += text_width(&c.to_string(), size);
            used <= budget
        })
        .collect();
    format!("{}…", kept.trim_end())
}

/// The smallest 1, 2 or 5 × 10^k (in hundredths of a point, at least one point) not below `raw`, so that
/// the axis reads 0, 200, 400…
fn nice_step(raw: i64) -> i64 {
    let mut unit = 100;
    loop {
        for m in [1, 2, 5] {
            if unit * m >= raw {
                return unit * m;
            }
        }
        unit *= 10;
    }
}

/// An SVG of the series between `start` and `end`, with its axes and a legend.
pub fn svg(
    series: &[Series],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    label_time: impl Fn(&DateTime<Utc>) -> String,
) -> String {
    let (w, h, left, right, top, bottom) = (860.0_f64, 320.0_f64, 60.0_f64, 180.0_f64, 16.0_f64, 36.0_f64);
    let span = (end - start).num_seconds().max(1) as f64;
    let highest = series.iter().flat_map(|s| s.points.iter().map(|(_, p)| p.0)).max().unwrap_or(0).max(100);
    let max = (nice_step(highest / 4) * 4) as f64;
    let x = |at: &DateTime<Utc>| {
        left + ((*at - start).num_seconds().clamp(0, span as i64) as f64 / span) * (w - left - right)
    };
    let y = |p: i64| top + (1.0 - (p as f64 / max)) * (h - top - bottom);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">score over time</title>"#
    );
    let _ = write!(out, r##"<g stroke="#d8dde6" stroke-width="1">"##);
    for i in 0..=4 {
        let value = (max * f64::from(i) / 4.0).round() as i64;
        let yy = y(value);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}"/><text x="{:.1}" y="{:.1}" fill="#5b6475" stroke="none" font-size="11" text-anchor="end">{}</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0,
            Points(value)
        );
    }
    let _ = write!(out, "</g>");
    for (at, anchor) in [(start, "start"), (end, "end")] {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#5b6475" font-size="11" text-anchor="{anchor}">{}</text>"##,
            x(&at),
            h - 12.0,
            escape(&label_time(&at))
        );
    }
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let mut path = format!("M{:.1},{:.1}", x(&start), y(0));
        let mut last = 0;
        for (at, p) in &s.points {
            let _ = write!(path, " H{:.1} V{:.1}", x(at), y(p.0));
            last = p.0;
        }
        let _ = write!(path, " H{:.1}", x(&end));
        let _ = write!(out, r#"<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>"#);
        let ly = top + 14.0 + 18.0 * i as f64;
        let score = format!("({})", Points(last));
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="12">{} {score}</text>"#,
            w - right + 10.0,
            ly - 9.0,
            w - right + 26.0,
            ly,
            escape(&fit_name(&s.name, &score, right - 30.0, 12.0)),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_chart_draws_a_line_and_a_legend_per_team_and_escapes_names() {
        let t = |m| Utc.with_ymd_and_hms(2026, 10, 20, 0, m, 0).single().expect("valid");
        let series = vec![
            Series { name: "<A&B>".into(), points: vec![(t(10), Points::whole(100)), (t(20), Points::whole(300))] },
            Series { name: "C".into(), points: vec![(t(30), Points::whole(50))] },
        ];
        let svg = svg(&series, t(0), t(59), |at| at.format("%H:%M").to_string());
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("&lt;A&amp;B&gt; (300)"), "{svg}");
        assert!(svg.contains("C (50)"));
        assert!(!svg.contains("<A&B>"));
    }

    #[test]
    fn a_long_name_is_cut_to_fit_the_legend_with_its_score() {
        assert_eq!(fit_name("Hoshizora", "(200)", 150.0, 12.0), "Hoshizora");
        let cut = fit_name("黒猫マルウェア解析同好会 Kuroneko Malware Analysts", "(373.33)", 150.0, 12.0);
        assert!(cut.starts_with("黒猫マル") && cut.ends_with('…'), "{cut}");
        assert!(text_width(&format!("{cut} (373.33)"), 12.0) <= 150.0, "{cut}");
        let cut = fit_name("Team With An Unusually Long Name", "(0)", 150.0, 12.0);
        assert!(cut.starts_with("Team With") && cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn the_axis_steps_are_round() {
        assert_eq!(nice_step(16250), 20000);
        assert_eq!(nice_step(2500), 5000);
        assert_eq!(nice_step(100), 100);
        assert_eq!(nice_step(0), 100);
    }
}
