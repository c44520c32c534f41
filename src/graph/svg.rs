//! SVG output, from the structured layout ([`super::tree`]) or the general
//! layered one ([`super::layered`]); no external program.

use std::fmt::Write as _;

pub use super::geometry::Layout;
use super::geometry::{f, text_width, EdgeGeom, NodeBox, LABEL_CHAR_W, LINE_H, MARGIN};
use super::label::{wrap_all, EDGE_LABEL_CHARS};
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
    let mut l = match super::tree::layout(d) {
        Some(l) => l,
        None => super::layered::layout(d),
    };
    route_gotos(d, &mut l);
    l
}

/// Gap between the right-most node and the first go-to lane.
const LANE_GAP: f64 = 30.0;
/// Distance between two go-to lanes.
const LANE_STEP: f64 = 12.0;

/// Route every go-to edge around the nodes: out of its step sideways to
/// a vertical lane of its own right of every node, along it, and back
/// into its target from the right. Where the straight way out (or in) is
/// blocked by another node, the edge first steps just outside its box and
/// moves up or down to a free row.
fn route_gotos(d: &Diagram, l: &mut Layout) {
    let gotos: Vec<usize> = (0..d.edges.len())
        .filter(|&i| {
            d.edges[i].style == EdgeStyle::Goto && l.edges.get(i).is_some_and(Option::is_some)
        })
        .collect();
    if gotos.is_empty() {
        return;
    }
    let right = l.boxes.iter().map(|b| b.x + b.w / 2.0).fold(0.0, f64::max);
    let mut last_lane = right;
    for (k, &i) in gotos.iter().enumerate() {
        let e = &d.edges[i];
        let (Some(&a), Some(&b)) = (l.boxes.get(e.from), l.boxes.get(e.to)) else {
            continue;
        };
        if let Some((pts, at)) = direct(&l.boxes, a, b) {
            let arrow = l.edges[i].as_ref().is_none_or(|g| g.arrow);
            l.edges[i] = Some(EdgeGeom {
                d: path_of(&pts),
                label: Some(at),
                arrow,
            });
            continue;
        }
        let lane = right + LANE_GAP + LANE_STEP * k as f64;
        last_lane = lane;
        let mut pts = to_lane(&l.boxes, a, lane);
        let mut back = to_lane(&l.boxes, b, lane);
        back.reverse();
        pts.extend(back);
        pts.dedup();
        let mut path = String::new();
        for (j, (x, y)) in pts.iter().enumerate() {
            let _ = write!(
                path,
                "{}{},{}",
                if j == 0 { "M" } else { " L" },
                f(*x),
                f(*y)
            );
        }
        let ys = pts.first().map_or(a.y, |p| p.1);
        let yt = pts.last().map_or(b.y, |p| p.1);
        let arrow = l.edges[i].as_ref().is_none_or(|g| g.arrow);
        l.edges[i] = Some(EdgeGeom {
            d: path,
            label: Some((lane, (ys + yt) / 2.0)),
            arrow,
        });
    }
    l.width = l.width.max(last_lane + LANE_GAP);
}

/// A point of a drawing.
type Point = (f64, f64);

/// An SVG path through the points.
fn path_of(pts: &[(f64, f64)]) -> String {
    let mut path = String::new();
    for (j, (x, y)) in pts.iter().enumerate() {
        let _ = write!(
            path,
            "{}{},{}",
            if j == 0 { "M" } else { " L" },
            f(*x),
            f(*y)
        );
    }
    path
}

/// The short way, when the boxes are side by side and nothing is in
/// between: out of the facing side of `a`, across, and into the facing
/// side of `b` (and where its label goes).
fn direct(boxes: &[NodeBox], a: NodeBox, b: NodeBox) -> Option<(Vec<Point>, Point)> {
    let (sx, tx) = if a.x - a.w / 2.0 > b.x + b.w / 2.0 + 24.0 {
        (a.x - a.w / 2.0, b.x + b.w / 2.0)
    } else if b.x - b.w / 2.0 > a.x + a.w / 2.0 + 24.0 {
        (a.x + a.w / 2.0, b.x - b.w / 2.0)
    } else {
        return None;
    };
    let mx = (sx + tx) / 2.0;
    let blocked = boxes
        .iter()
        .any(|n| hits_h(n, sx, mx, a.y) || hits_v(n, mx, a.y, b.y) || hits_h(n, mx, tx, b.y));
    if blocked {
        return None;
    }
    Some((
        vec![(sx, a.y), (mx, a.y), (mx, b.y), (tx, b.y)],
        (mx, (a.y + b.y) / 2.0),
    ))
}

/// From the right side of box `a` to the go-to lane at `lane`: a straight
/// run when it crosses no other node, else a short step right and a move
/// up or down to the nearest free row.
fn to_lane(boxes: &[NodeBox], a: NodeBox, lane: f64) -> Vec<(f64, f64)> {
    let sx = a.x + a.w / 2.0;
    if !boxes.iter().any(|b| hits_h(b, sx, lane, a.y)) {
        return vec![(sx, a.y), (lane, a.y)];
    }
    let jx = sx + 6.0;
    for k in 0..200 {
        let off = a.h / 2.0 + 6.0 + 8.0 * f64::from(k / 2);
        let y = if k % 2 == 0 { a.y + off } else { a.y - off };
        if y < 0.0 {
            continue;
        }
        let blocked = boxes
            .iter()
            .any(|b| hits_h(b, sx, jx, a.y) || hits_v(b, jx, a.y, y) || hits_h(b, jx, lane, y));
        if !blocked {
            return vec![(sx, a.y), (jx, a.y), (jx, y), (lane, y)];
        }
    }
    vec![(sx, a.y), (lane, a.y)]
}

/// Whether the horizontal segment from `x1` to `x2` at `y` enters box `b`.
pub(super) fn hits_h(b: &NodeBox, x1: f64, x2: f64, y: f64) -> bool {
    let (lo, hi) = (x1.min(x2), x1.max(x2));
    y > b.y - b.h / 2.0 - 2.0
        && y < b.y + b.h / 2.0 + 2.0
        && hi > b.x - b.w / 2.0 + 0.5
        && lo < b.x + b.w / 2.0 - 0.5
}

/// Whether the vertical segment from `y1` to `y2` at `x` enters box `b`.
pub(super) fn hits_v(b: &NodeBox, x: f64, y1: f64, y2: f64) -> bool {
    let (lo, hi) = (y1.min(y2), y1.max(y2));
    x > b.x - b.w / 2.0 - 2.0
        && x < b.x + b.w / 2.0 + 2.0
        && hi > b.y - b.h / 2.0 + 0.5
        && lo < b.y + b.h / 2.0 - 0.5
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
        let tip = e
            .label
            .as_deref()
            .map(|t| format!("<title>{}</title>", xml_escape(t)))
            .unwrap_or_default();
        let _ = if tip.is_empty() {
            writeln!(
                out,
                r#"<path d="{}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}{end}/>"#,
                g.d
            )
        } else {
            writeln!(
                out,
                r#"<path d="{}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}{end}>{tip}</path>"#,
                g.d
            )
        };
        if let (Some(text), Some((x, y))) = (&e.label, g.label) {
            // Wrapped, never cut; the full text as a tooltip too.
            let lines = wrap_all(text, EDGE_LABEL_CHARS);
            let w = lines
                .iter()
                .map(|l| text_width(l, LABEL_CHAR_W))
                .fold(0.0, f64::max)
                + 10.0;
            let h = 18.0 + (lines.len() as f64 - 1.0) * EDGE_LINE_H;
            let top = y - h / 2.0;
            let _ = write!(
                labels,
                r##"<g class="edge-label"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="#ffffff" stroke="{stroke}" stroke-width="0.8"/><text text-anchor="middle" font-size="11" fill="{stroke}">"##,
                xml_escape(text),
                f(x - w / 2.0),
                f(top),
                f(w),
                f(h),
            );
            for (i, line) in lines.iter().enumerate() {
                let _ = write!(
                    labels,
                    r#"<tspan x="{}" y="{}">{}</tspan>"#,
                    f(x),
                    f(top + 13.0 + i as f64 * EDGE_LINE_H),
                    xml_escape(line)
                );
            }
            labels.push_str("</text></g>\n");
        }
    }
    for (g, n) in d.nodes.iter().zip(&l.boxes) {
        draw_node(s, g, n);
    }
    s.push_str(&over);
    s.push_str(&labels);
}

/// The points of an `M x,y L x,y ...` path.
fn polyline(d: &str) -> Option<Vec<(f64, f64)>> {
    d.split_whitespace()
        .map(|p| {
            let p = p.trim_start_matches(['M', 'L']);
            let (x, y) = p.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

/// Line height of a wrapped edge label.
const EDGE_LINE_H: f64 = 13.0;

fn draw_node(s: &mut String, g: &GNode, n: &NodeBox) {
    let (x, y, w, h) = (n.x, n.y, n.w, n.h);
    let (l, t, r, b) = (x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0);
    let _ = writeln!(s, r#"<g class="node {}">"#, shape_class(g.shape));
    if !g.full.is_empty() {
        // The whole text, however much the box shows.
        let _ = writeln!(s, "<title>{}</title>", xml_escape(&g.full.join(" ")));
    }
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
    // Go-to edges run around the nodes: no segment enters a node's box.
    for (e, g) in d.edges.iter().zip(&l.edges) {
        let Some(g) = g else { continue };
        if e.style != EdgeStyle::Goto {
            continue;
        }
        let pts =
            polyline(&g.d).ok_or_else(|| format!("go-to path {:?} is not a polyline", g.d))?;
        for w in pts.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            for (k, b) in l.boxes.iter().enumerate() {
                let hit = if (y1 - y2).abs() < 0.01 {
                    hits_h(b, x1, x2, y1)
                } else if (x1 - x2).abs() < 0.01 {
                    hits_v(b, x1, y1, y2)
                } else {
                    return Err(format!("go-to path {:?} has a slanted segment", g.d));
                };
                if hit {
                    return Err(format!(
                        "the go-to edge from {} to {} crosses node {}",
                        d.nodes[e.from].id, d.nodes[e.to].id, d.nodes[k].id
                    ));
                }
            }
        }
    }
    Ok(())
}
