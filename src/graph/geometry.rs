//! Geometry shared by the two layouts ([`super::tree`], [`super::layered`])
//! and the SVG writer ([`super::svg`]): text metrics, node sizes, boxes,
//! edge drawings and the [`Layout`] of one diagram.

use super::{GNode, Shape};

pub(super) const CHAR_W: f64 = 7.0;
pub(super) const LABEL_CHAR_W: f64 = 6.3;
pub(super) const LINE_H: f64 = 16.0;
pub(super) const MARGIN: f64 = 24.0;
pub(super) const TITLE_H: f64 = 34.0;
/// Room on the right for go-to curves.
pub(super) const GOTO_ROOM: f64 = 60.0;

pub(super) fn text_width(s: &str, char_w: f64) -> f64 {
    s.chars().count() as f64 * char_w
}

pub(super) fn node_size(n: &GNode) -> (f64, f64) {
    let tw = n
        .lines
        .iter()
        .map(|l| text_width(l, CHAR_W))
        .fold(0.0, f64::max);
    let th = n.lines.len() as f64 * LINE_H;
    match n.shape {
        Shape::Join => (12.0, 12.0),
        Shape::End => (48.0, 48.0),
        Shape::Branch => ((tw * 2.0).max(90.0) + 10.0, (th * 2.0).max(44.0) + 8.0),
        Shape::Delay => (tw + 44.0, th + 16.0),
        Shape::Goto => (tw + 40.0, th + 14.0),
        _ => (tw + 24.0, th + 14.0),
    }
}

/// A node's box: centre, width and height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct NodeBox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// How one edge is drawn: an SVG path, where its label goes, and whether
/// it ends in an arrowhead (edges into a join point do not).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct EdgeGeom {
    pub d: String,
    pub label: Option<(f64, f64)>,
    pub arrow: bool,
}

/// Positions of one diagram: a box per diagram node and a drawing per
/// diagram edge (`None`: not drawn).
pub struct Layout {
    pub(super) boxes: Vec<NodeBox>,
    pub(super) edges: Vec<Option<EdgeGeom>>,
    pub width: f64,
    pub height: f64,
    /// Laid out as a nest of blocks ([`super::tree`]), not layered.
    pub structured: bool,
}

/// A go-to edge: a dashed curve leaving `a` and entering `b` sideways,
/// looping out into the margin when the two boxes share a column. Returns
/// the path and where its label goes.
pub(super) fn side_curve(a: NodeBox, b: NodeBox) -> (String, (f64, f64)) {
    let (sx, tx, bulge) = if (b.x - a.x).abs() < (a.w + b.w) / 2.0 {
        // Overlapping columns: loop out on the side of the
        // target, in the free margin.
        if b.x <= a.x {
            let r = (a.x - a.w / 2.0).min(b.x - b.w / 2.0) - GOTO_ROOM * 0.7;
            (a.x - a.w / 2.0, b.x - b.w / 2.0, Some(r))
        } else {
            let r = (a.x + a.w / 2.0).max(b.x + b.w / 2.0) + GOTO_ROOM * 0.7;
            (a.x + a.w / 2.0, b.x + b.w / 2.0, Some(r))
        }
    } else if b.x < a.x {
        (a.x - a.w / 2.0, b.x + b.w / 2.0, None)
    } else {
        (a.x + a.w / 2.0, b.x - b.w / 2.0, None)
    };
    let (sy, ty) = (a.y, b.y);
    let path = match bulge {
        Some(r) => format!(
            "M{},{} C{},{} {},{} {},{}",
            f(sx),
            f(sy),
            f(r),
            f(sy),
            f(r),
            f(ty),
            f(tx),
            f(ty)
        ),
        None => {
            let mx = (sx + tx) / 2.0;
            format!(
                "M{},{} C{},{} {},{} {},{}",
                f(sx),
                f(sy),
                f(mx),
                f(sy),
                f(mx),
                f(ty),
                f(tx),
                f(ty)
            )
        }
    };
    let lx = match bulge {
        Some(r) => (sx + tx) / 8.0 + r * 0.75,
        None => (sx + tx) / 2.0,
    }
    .max(text_width("go to", LABEL_CHAR_W));
    (path, (lx, (sy + ty) / 2.0))
}

pub(super) fn f(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}
