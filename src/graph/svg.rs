//! SVG output, from the structured layout ([`super::tree`]) or the general
//! layered one ([`super::layered`]); no external program.

use std::fmt::Write as _;

pub use super::geometry::Layout;
use super::geometry::{f, text_width, NodeBox, LABEL_CHAR_W, LINE_H, MARGIN};
use super::{Diagram, EdgeStyle, GNode, Shape};

/// Escape text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Lay a diagram out: the structured layout ([`super::tree`]) for the
/// nested blocks the compiler produces, the general layered one for any
/// other graph (a hand-written plan file).
pub fn layout(d: &Diagram) -> Layout {
    match super::tree::layout(d) {
        Some(l) => l,
        None => super::layered::layout(d),
    }
}

/// Render every diagram, stacked one below the other, in one SVG document.
pub fn render(diagrams: &[Diagram]) -> String {
    let layouts: Vec<Layout> = diagrams.iter().map(layout).collect();
    let width = layouts.iter().map(|l| l.width).fold(200.0, f64::max);
    let height: f64 = layouts.iter().map(|l| l.height).sum::<f64>().max(60.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#,
        w = f(width),
        h = f(height)
    );
    s.push_str(concat!(
        "<defs>\n",
        r##"<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4b5563"/></marker>"##,
        "\n",
        r##"<marker id="arrow-goto" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#be185d"/></marker>"##,
        "\n",
        r##"<marker id="arrow-timeout" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b45309"/></marker>"##,
        "\n</defs>\n",
    ));
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        f(width),
        f(height)
    );
    let mut y0 = 0.0;
    for (d, l) in diagrams.iter().zip(&layouts) {
        let _ = writeln!(s, r#"<g transform="translate(0,{})">"#, f(y0));
        draw(&mut s, d, l);
        s.push_str("</g>\n");
        y0 += l.height;
    }
    s.push_str("</svg>\n");
    s
}

/// Turn the layered layout's dummies into edge drawings: smooth vertical
fn draw(s: &mut String, d: &Diagram, l: &Layout) {
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" font-size="16" font-weight="bold" fill="#111827">{}</text>"##,
        f(MARGIN),
        f(MARGIN / 2.0 + 16.0),
        xml_escape(&d.title)
    );
    // Edges first, nodes on top, then go-to edges (they may cross a path
    // to reach another: drawn over the nodes, on a white casing) and the
    // edge labels over everything.
    let mut over = String::new();
    let mut labels = String::new();
    for (e, g) in d.edges.iter().zip(&l.edges) {
        let Some(g) = g else { continue };
        let (stroke, marker, dash, width) = match e.style {
            EdgeStyle::Normal => ("#4b5563", "arrow", "", "1.4"),
            EdgeStyle::Goto => ("#be185d", "arrow-goto", r#" stroke-dasharray="6 4""#, "1.4"),
            EdgeStyle::Timeout => ("#b45309", "arrow-timeout", "", "2"),
        };
        let end = if g.arrow {
            format!(r#" marker-end="url(#{marker})""#)
        } else {
            String::new()
        };
        let out = if e.style == EdgeStyle::Goto {
            let _ = writeln!(
                over,
                r##"<path d="{}" fill="none" stroke="#ffffff" stroke-width="5" stroke-opacity="0.85"/>"##,
                g.d
            );
            &mut over
        } else {
            &mut *s
        };
        let _ = writeln!(
            out,
            r#"<path d="{}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}{end}/>"#,
            g.d
        );
        if let (Some(text), Some((x, y))) = (&e.label, g.label) {
            let w = text_width(text, LABEL_CHAR_W) + 10.0;
            let _ = writeln!(
                labels,
                r##"<rect x="{}" y="{}" width="{}" height="18" rx="4" fill="#ffffff" stroke="{stroke}" stroke-width="0.8"/><text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{stroke}">{}</text>"##,
                f(x - w / 2.0),
                f(y - 9.0),
                f(w),
                f(x),
                f(y + 4.0),
                xml_escape(text)
            );
        }
    }
    for (g, n) in d.nodes.iter().zip(&l.boxes) {
        draw_node(s, g, n);
    }
    s.push_str(&over);
    s.push_str(&labels);
}

fn draw_node(s: &mut String, g: &GNode, n: &NodeBox) {
    let (x, y, w, h) = (n.x, n.y, n.w, n.h);
    let (l, t, r, b) = (x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0);
    let _ = writeln!(s, r#"<g class="node {}">"#, shape_class(g.shape));
    match g.shape {
        Shape::Trigger => {
            let _ = writeln!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="14" fill="#dbeafe" stroke="#1d4ed8" stroke-width="1.4"/>"##,
                f(l),
                f(t),
                f(w),
                f(h)
            );
        }
        Shape::Settings => {
            let _ = writeln!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#f3f4f6" stroke="#6b7280" stroke-dasharray="3 2"/>"##,
                f(l),
                f(t),
                f(w),
                f(h)
            );
        }
        Shape::Action => {
            let _ = writeln!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#ffffff" stroke="#374151" stroke-width="1.2"/>"##,
                f(l),
                f(t),
                f(w),
                f(h)
            );
        }
        Shape::Delay => {
            let c = 14.0;
            let _ = writeln!(
                s,
                r##"<polygon points="{},{} {},{} {},{} {},{} {},{} {},{}" fill="#fef3c7" stroke="#b45309" stroke-width="1.2"/>"##,
                f(l + c),
                f(t),
                f(r - c),
                f(t),
                f(r),
                f(y),
                f(r - c),
                f(b),
                f(l + c),
                f(b),
                f(l),
                f(y)
            );
        }
        Shape::Branch => {
            let _ = writeln!(
                s,
                r##"<polygon points="{},{} {},{} {},{} {},{}" fill="#ede9fe" stroke="#6d28d9" stroke-width="1.2"/>"##,
                f(x),
                f(t),
                f(r),
                f(y),
                f(x),
                f(b),
                f(l),
                f(y)
            );
        }
        Shape::Goto => {
            let c = 14.0;
            let _ = writeln!(
                s,
                r##"<polygon points="{},{} {},{} {},{} {},{} {},{}" fill="#fce7f3" stroke="#be185d" stroke-width="1.2"/>"##,
                f(l),
                f(t),
                f(r - c),
                f(t),
                f(r),
                f(y),
                f(r - c),
                f(b),
                f(l),
                f(b)
            );
        }
        Shape::Join => {
            let _ = writeln!(
                s,
                r##"<circle cx="{}" cy="{}" r="{}" fill="#9ca3af" stroke="#4b5563"/>"##,
                f(x),
                f(y),
                f(w / 2.0)
            );
        }
        Shape::End => {
            let _ = writeln!(
                s,
                r##"<circle cx="{}" cy="{}" r="{}" fill="#dcfce7" stroke="#15803d" stroke-width="1.4"/><circle cx="{}" cy="{}" r="{}" fill="none" stroke="#15803d"/>"##,
                f(x),
                f(y),
                f(w / 2.0),
                f(x),
                f(y),
                f(w / 2.0 - 4.0)
            );
        }
    }
    if !g.lines.is_empty() {
        let first_y = y - (g.lines.len() as f64 - 1.0) * LINE_H / 2.0 + 4.0;
        for (i, line) in g.lines.iter().enumerate() {
            let weight = if i == 0 && g.lines.len() > 1 {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" text-anchor="middle"{weight} fill="#111827">{}</text>"##,
                f(x),
                f(first_y + i as f64 * LINE_H),
                xml_escape(line)
            );
        }
    }
    s.push_str("</g>\n");
}

fn shape_class(s: Shape) -> &'static str {
    match s {
        Shape::Trigger => "trigger",
        Shape::Settings => "settings",
        Shape::Action => "action",
        Shape::Delay => "delay",
        Shape::Branch => "branch",
        Shape::Goto => "goto",
        Shape::Join => "join",
        Shape::End => "end",
    }
}

/// Invariants of a layout (used by tests): every node's box lies inside
/// the drawing, no two boxes overlap, and every edge that is drawn has a
/// non-empty path.
pub fn check_layout(d: &Diagram, l: &Layout) -> Result<(), String> {
    if l.boxes.len() != d.nodes.len() || l.edges.len() != d.edges.len() {
        return Err("layout does not cover the diagram".into());
    }
    for (i, b) in l.boxes.iter().enumerate() {
        let inside = b.x - b.w / 2.0 >= -0.01
            && b.y - b.h / 2.0 >= -0.01
            && b.x + b.w / 2.0 <= l.width + 0.01
            && b.y + b.h / 2.0 <= l.height + 0.01;
        if !inside {
            return Err(format!("node {} lies outside the drawing", d.nodes[i].id));
        }
    }
    let mut order: Vec<usize> = (0..l.boxes.len()).collect();
    order.sort_by(|&a, &b| {
        let (ba, bb) = (l.boxes[a], l.boxes[b]);
        (ba.x - ba.w / 2.0).total_cmp(&(bb.x - bb.w / 2.0))
    });
    for (k, &a) in order.iter().enumerate() {
        let ba = l.boxes[a];
        for &b in &order[k + 1..] {
            let bb = l.boxes[b];
            if bb.x - bb.w / 2.0 >= ba.x + ba.w / 2.0 - 0.01 {
                break;
            }
            if (ba.y - bb.y).abs() < (ba.h + bb.h) / 2.0 - 0.01 {
                return Err(format!(
                    "nodes {} and {} overlap",
                    d.nodes[a].id, d.nodes[b].id
                ));
            }
        }
    }
    for (i, g) in l.edges.iter().enumerate() {
        if let Some(g) = g {
            if !g.d.starts_with('M') {
                return Err(format!("edge {i} has no path"));
            }
        }
    }
    Ok(())
}
