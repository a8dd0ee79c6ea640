//! Charts as SVG: horizontal bars with their labels and values as text nodes, so that Chinese
//! names render in whatever font the reader has (a browser, Word's SVG import) and a test can
//! read them back.

use super::escape;

/// One bar: its label and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The label, left of the bar (a unit's name).
    pub label: String,
    /// Its value, from 0 to the chart's maximum.
    pub value: f64,
}

const WIDTH: f64 = 640.0;
const LABEL: f64 = 170.0;
const ROW: f64 = 26.0;
const TOP: f64 = 36.0;
const FONT: &str = "FangSong, 仿宋_GB2312, 仿宋, 'Noto Serif CJK SC', 'Noto Sans CJK SC', serif";

/// The chart's frame and its title, centred above it.
fn open(title: &str, height: f64, size: u32) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"{FONT}\" font-size=\"{size}\" role=\"img\" aria-label=\"{title}\">\n<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{title}</text>\n",
        WIDTH / 2.0,
        title = escape(title)
    )
}

/// A bar chart titled `title`, bars scaled to `max`, each value followed by `unit` (`%`).
pub fn bars(title: &str, bars: &[Bar], max: f64, unit: &str) -> String {
    let height = TOP + ROW * bars.len() as f64 + 12.0;
    let span = WIDTH - LABEL - 70.0;
    let mut svg = open(title, height, 14);
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let share = if max > 0.0 {
            (bar.value / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let colour = match share {
            s if s >= 0.9 => "#2e7d32",
            s if s >= 0.6 => "#f9a825",
            _ => "#c62828",
        };
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            LABEL - 8.0,
            y + 17.0,
            escape(&bar.label)
        ));
        svg.push_str(&format!(
            "<rect x=\"{LABEL}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\"/>\n",
            y + 4.0,
            span * share,
            ROW - 8.0
        ));
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\">{}{}</text>\n",
            LABEL + span * share + 6.0,
            y + 17.0,
            crate::language::form::num(bar.value),
            escape(unit)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// A column chart of a series over time (`5月7日` …), each column labelled with its value.
pub fn columns(title: &str, points: &[Bar], unit: &str) -> String {
    let height = 240.0;
    let (left, bottom, top) = (40.0, 40.0, 40.0);
    let max = points
        .iter()
        .map(|p| p.value)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let step = (WIDTH - left - 20.0) / points.len().max(1) as f64;
    let plot = height - bottom - top;
    // At most eight dates under the axis (and the last): more would run into each other.
    let every = points.len().div_ceil(8).max(1);
    let mut svg = open(title, height, 13);
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000\"/>\n",
        height - bottom,
        WIDTH - 20.0,
        height - bottom
    ));
    for (i, p) in points.iter().enumerate() {
        let h = plot * p.value / max;
        let x = left + step * i as f64 + step * 0.2;
        let w = step * 0.6;
        let y = height - bottom - h;
        svg.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"#c62828\"/>\n"
        ));
        let middle = x + w / 2.0;
        svg.push_str(&format!(
            "<text x=\"{middle:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}{}</text>\n",
            y - 4.0,
            crate::language::form::num(p.value),
            escape(unit)
        ));
        if i % every == 0 || i + 1 == points.len() {
            svg.push_str(&format!(
                "<text x=\"{middle:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                height - bottom + 18.0,
                escape(&p.label)
            ));
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_values_are_text_nodes_and_names_are_escaped() {
        let svg = bars(
            "各单位按时报送率",
            &[
                Bar {
                    label: "宛城区".into(),
                    value: 100.0,
                },
                Bar {
                    label: "<script>".into(),
                    value: 50.0,
                },
            ],
            100.0,
            "%",
        );
        assert!(svg.contains(">各单位按时报送率</text>"), "{svg}");
        assert!(svg.contains(">宛城区</text>"), "{svg}");
        assert!(svg.contains(">100%</text>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
        assert!(!svg.contains("<script>"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}
