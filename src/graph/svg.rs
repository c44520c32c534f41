//! SVG output with our own layered layout (no external program).
//!
//! The classic steps of a layered ("Sugiyama") drawing, kept simple:
//! 1. ranks: longest path from the triggers over the forward edges (go-to
//!    edges are left out); a labelled edge spans at least two ranks so its
//!    label gets a place of its own in the middle rank;
//! 2. edges over several ranks get one dummy node per rank crossed (the
//!    label sits on the first one);
//! 3. order within ranks: depth-first order, then barycenter sweeps, keeping
//!    the order with the fewest crossings;
//! 4. x: nodes pulled towards the mean of their neighbours, with overlaps
//!    resolved left to right and right to left, for several sweeps;
//! 5. edges: smooth vertical curves through their dummy nodes; go-to edges
//!    as dashed curves on the side.

use std::fmt::Write as _;

use super::{Diagram, EdgeStyle, GNode, Shape};

pub(super) const CHAR_W: f64 = 7.0;
pub(super) const LABEL_CHAR_W: f64 = 6.3;
pub(super) const LINE_H: f64 = 16.0;
const NODE_GAP: f64 = 28.0;
const DUMMY_GAP: f64 = 12.0;
const RANK_GAP: f64 = 34.0;
pub(super) const MARGIN: f64 = 24.0;
pub(super) const TITLE_H: f64 = 34.0;
/// Room on the right for go-to curves.
pub(super) const GOTO_ROOM: f64 = 60.0;

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

/// A node of the layered graph: a diagram node or a dummy on a long edge.
struct LNode {
    w: f64,
    h: f64,
    rank: usize,
    /// For a dummy: the edge it belongs to.
    dummy_of: Option<usize>,
    x: f64,
    y: f64,
}

/// The layered layout's own result, turned into a [`Layout`] by
/// [`from_layered`].
struct Layered {
    nodes: Vec<LNode>,
    /// Per diagram edge: the layered nodes it passes through (dummies), or
    /// `None` for an edge drawn on the side (go-to, backward).
    routes: Vec<Option<Vec<usize>>>,
    /// For a labelled forward edge: its label dummy.
    label_at: Vec<Option<usize>>,
    row_top: Vec<f64>,
    row_h: Vec<f64>,
    width: f64,
    height: f64,
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

/// Lay a diagram out: the structured layout ([`super::tree`]) for the
/// nested blocks the compiler produces, the general layered one for any
/// other graph (a hand-written plan file).
pub fn layout(d: &Diagram) -> Layout {
    match super::tree::layout(d) {
        Some(l) => l,
        None => from_layered(d, layered(d)),
    }
}

fn layered(d: &Diagram) -> Layered {
    let n = d.nodes.len();
    let mut nodes: Vec<LNode> = d
        .nodes
        .iter()
        .map(|g| {
            let (w, h) = node_size(g);
            LNode {
                w,
                h,
                rank: 0,
                dummy_of: None,
                x: 0.0,
                y: 0.0,
            }
        })
        .collect();

    // 1. ranks: longest path (Kahn's order) over forward edges.
    let forward: Vec<bool> = d.edges.iter().map(|e| e.style != EdgeStyle::Goto).collect();
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in d.edges.iter().enumerate() {
        if forward[i] && e.from < n && e.to < n && e.from != e.to {
            indeg[e.to] += 1;
            out[e.from].push(i);
        }
    }
    let mut rank = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut done = vec![false; n];
    let mut qi = 0;
    while qi < queue.len() {
        let v = queue[qi];
        qi += 1;
        done[v] = true;
        for &ei in &out[v] {
            let e = &d.edges[ei];
            let len = if e.label.is_some() { 2 } else { 1 };
            rank[e.to] = rank[e.to].max(rank[v] + len);
            indeg[e.to] -= 1;
            if indeg[e.to] == 0 {
                queue.push(e.to);
            }
        }
    }
    // A cycle (not produced by the compiler): put what is left below.
    let max_rank = rank.iter().copied().max().unwrap_or(0);
    for v in 0..n {
        if !done[v] {
            rank[v] = max_rank + 1;
        }
    }
    // The end node on the last rank.
    if let Some(end) = d.nodes.iter().position(|g| g.shape == Shape::End) {
        let last = rank.iter().copied().max().unwrap_or(0);
        if d.edges.iter().any(|e| e.to == end) {
            rank[end] = last;
        }
    }
    for (v, r) in rank.iter().enumerate() {
        nodes[v].rank = *r;
    }

    // 2. dummies.
    let mut routes: Vec<Option<Vec<usize>>> = vec![None; d.edges.len()];
    let mut label_at: Vec<Option<usize>> = vec![None; d.edges.len()];
    for (i, e) in d.edges.iter().enumerate() {
        if !forward[i] || e.from >= n || e.to >= n || rank[e.to] <= rank[e.from] {
            continue;
        }
        let mut chain = Vec::new();
        for r in rank[e.from] + 1..rank[e.to] {
            let (w, h) = match (&e.label, chain.is_empty()) {
                (Some(l), true) => (text_width(l, LABEL_CHAR_W) + 14.0, 20.0),
                _ => (2.0, 0.0),
            };
            nodes.push(LNode {
                w,
                h,
                rank: r,
                dummy_of: Some(i),
                x: 0.0,
                y: 0.0,
            });
            let id = nodes.len() - 1;
            if e.label.is_some() && chain.is_empty() {
                label_at[i] = Some(id);
            }
            chain.push(id);
        }
        routes[i] = Some(chain);
    }

    // Layered adjacency (consecutive ranks only).
    let total = nodes.len();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); total];
    for (i, e) in d.edges.iter().enumerate() {
        if let Some(chain) = &routes[i] {
            let mut prev = e.from;
            for &c in chain.iter().chain(std::iter::once(&e.to)) {
                down[prev].push(c);
                up[c].push(prev);
                prev = c;
            }
        }
    }

    // 3. order: depth-first discovery, then barycenter sweeps.
    let ranks = nodes.iter().map(|v| v.rank).max().unwrap_or(0) + 1;
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); ranks];
    let mut seen = vec![false; total];
    let mut stack: Vec<usize> = (0..total)
        .filter(|&v| up[v].is_empty())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let visit = |v: usize, layers: &mut Vec<Vec<usize>>, seen: &mut Vec<bool>| {
        if !seen[v] {
            seen[v] = true;
            layers[nodes[v].rank].push(v);
            true
        } else {
            false
        }
    };
    while let Some(v) = stack.pop() {
        if visit(v, &mut layers, &mut seen) {
            for &c in down[v].iter().rev() {
                if !seen[c] {
                    stack.push(c);
                }
            }
        }
    }
    for v in 0..total {
        visit(v, &mut layers, &mut seen);
    }
    let mut pos = vec![0usize; total];
    let set_pos = |layers: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    set_pos(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_cross = crossings(&layers, &down, &pos);
    for iter in 0..8 {
        let downward = iter % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in order {
            let nbrs = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize)> = layers[r]
                .iter()
                .map(|&v| {
                    let ns = &nbrs[v];
                    let key = if ns.is_empty() {
                        pos[v] as f64
                    } else {
                        ns.iter().map(|&u| pos[u] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[r] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in layers[r].iter().enumerate() {
                pos[v] = i;
            }
        }
        let c = crossings(&layers, &down, &pos);
        if c < best_cross {
            best_cross = c;
            best = layers.clone();
        }
    }
    let layers = best;
    set_pos(&layers, &mut pos);

    // 4. x coordinates.
    let sep = |nodes: &[LNode], a: usize, b: usize| {
        let gap = if nodes[a].dummy_of.is_some() || nodes[b].dummy_of.is_some() {
            DUMMY_GAP
        } else {
            NODE_GAP
        };
        (nodes[a].w + nodes[b].w) / 2.0 + gap
    };
    for l in &layers {
        let mut x = 0.0;
        for (i, &v) in l.iter().enumerate() {
            if i > 0 {
                x += sep(&nodes, l[i - 1], v);
            }
            nodes[v].x = x;
        }
    }
    for iter in 0..10 {
        let downward = iter % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in order {
            let nbrs = if downward { &up } else { &down };
            let l = &layers[r];
            let desired: Vec<f64> = l
                .iter()
                .map(|&v| {
                    let ns = &nbrs[v];
                    if ns.is_empty() {
                        nodes[v].x
                    } else {
                        ns.iter().map(|&u| nodes[u].x).sum::<f64>() / ns.len() as f64
                    }
                })
                .collect();
            let k = l.len();
            let mut left = desired.clone();
            for i in 1..k {
                left[i] = left[i].max(left[i - 1] + sep(&nodes, l[i - 1], l[i]));
            }
            let mut right = desired.clone();
            for i in (0..k.saturating_sub(1)).rev() {
                right[i] = right[i].min(right[i + 1] - sep(&nodes, l[i], l[i + 1]));
            }
            let mut xs: Vec<f64> = (0..k).map(|i| (left[i] + right[i]) / 2.0).collect();
            for i in 1..k {
                xs[i] = xs[i].max(xs[i - 1] + sep(&nodes, l[i - 1], l[i]));
            }
            for (i, &v) in l.iter().enumerate() {
                nodes[v].x = xs[i];
            }
        }
    }
    // Nodes without any edge (the settings box) sit right after their left
    // neighbour instead of wherever the sweeps left them.
    for l in &layers {
        for i in 1..l.len() {
            let v = l[i];
            if up[v].is_empty() && down[v].is_empty() {
                nodes[v].x = nodes[l[i - 1]].x + sep(&nodes, l[i - 1], v);
            }
        }
    }
    let min_x = nodes
        .iter()
        .map(|v| v.x - v.w / 2.0)
        .fold(f64::INFINITY, f64::min);
    let has_goto = d.edges.iter().any(|e| e.style == EdgeStyle::Goto);
    let left_room = if has_goto { GOTO_ROOM } else { 0.0 };
    let shift = if min_x.is_finite() {
        MARGIN + left_room - min_x
    } else {
        MARGIN + left_room
    };
    for v in nodes.iter_mut() {
        v.x += shift;
    }

    // y coordinates.
    let mut row_h = vec![0.0f64; ranks];
    for v in &nodes {
        row_h[v.rank] = row_h[v.rank].max(v.h);
    }
    let mut row_top = vec![0.0f64; ranks];
    let mut y = TITLE_H + MARGIN / 2.0;
    for r in 0..ranks {
        row_top[r] = y;
        y += row_h[r] + RANK_GAP;
    }
    for v in nodes.iter_mut() {
        v.y = row_top[v.rank] + row_h[v.rank] / 2.0;
    }
    let width = nodes.iter().map(|v| v.x + v.w / 2.0).fold(0.0, f64::max)
        + MARGIN
        + if has_goto { GOTO_ROOM } else { 0.0 };
    let title_w = text_width(&d.title, 9.0) + 2.0 * MARGIN;
    Layered {
        nodes,
        routes,
        label_at,
        row_top,
        row_h,
        width: width.max(title_w),
        height: y - RANK_GAP + MARGIN,
    }
}

/// Edge crossings between consecutive layers: for each layer, the pairs of
/// edges (a, b), (c, d) with a left of c and b right of d, counted as the
/// inversions of the lower ends in `n log n` (a branch of 10,000 paths has
/// 10,000 edges between two layers; comparing every pair took minutes).
fn crossings(layers: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut tree: Vec<usize> = Vec::new();
    for l in layers {
        pairs.clear();
        for &v in l {
            for &c in &down[v] {
                pairs.push((pos[v], pos[c]));
            }
        }
        // Sorted by upper end, then lower end: edges from one node never
        // cross, and a pair crosses exactly when its lower ends are inverted.
        pairs.sort_unstable();
        let width = pairs.iter().map(|p| p.1 + 1).max().unwrap_or(0);
        tree.clear();
        tree.resize(width + 1, 0);
        for (seen, &(_, b)) in pairs.iter().enumerate() {
            // Earlier edges whose lower end is at most `b` (Fenwick prefix sum).
            let mut at_most = 0;
            let mut i = b + 1;
            while i > 0 {
                at_most += tree[i];
                i &= i - 1;
            }
            total += seen - at_most;
            let mut i = b + 1;
            while i <= width {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}

fn node_box(v: &LNode) -> NodeBox {
    NodeBox {
        x: v.x,
        y: v.y,
        w: v.w,
        h: v.h,
    }
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
/// curves through the dummy rows; go-to edges as curves on the side.
fn from_layered(d: &Diagram, l: Layered) -> Layout {
    let mut edges = Vec::with_capacity(d.edges.len());
    for (i, e) in d.edges.iter().enumerate() {
        let (Some(a), Some(b)) = (l.nodes.get(e.from), l.nodes.get(e.to)) else {
            edges.push(None);
            continue;
        };
        let path;
        let mut label_pos = None;
        match &l.routes[i] {
            Some(chain) => {
                // Points: bottom of the source, through each dummy's row,
                // top of the target.
                let mut pts: Vec<(f64, f64, bool)> = vec![(a.x, a.y + a.h / 2.0, false)];
                for &c in chain {
                    let dn = &l.nodes[c];
                    let top = l.row_top[dn.rank];
                    let bottom = top + l.row_h[dn.rank];
                    pts.push((dn.x, top, false));
                    pts.push((dn.x, bottom, true));
                }
                pts.push((b.x, b.y - b.h / 2.0, false));
                let mut p = format!("M{},{}", f(pts[0].0), f(pts[0].1));
                for w in pts.windows(2) {
                    let (x0, y0, _) = w[0];
                    let (x1, y1, straight) = w[1];
                    if straight {
                        let _ = write!(p, " L{},{}", f(x1), f(y1));
                    } else {
                        let dy = (y1 - y0) / 2.0;
                        let _ = write!(
                            p,
                            " C{},{} {},{} {},{}",
                            f(x0),
                            f(y0 + dy),
                            f(x1),
                            f(y1 - dy),
                            f(x1),
                            f(y1)
                        );
                    }
                }
                path = p;
                if let Some(ld) = l.label_at[i] {
                    label_pos = Some((l.nodes[ld].x, l.nodes[ld].y));
                }
            }
            None => {
                let (p, at) = side_curve(node_box(a), node_box(b));
                path = p;
                label_pos = Some(at);
            }
        }
        edges.push(Some(EdgeGeom {
            d: path,
            label: label_pos,
            arrow: true,
        }));
    }
    let n = d.nodes.len();
    let boxes = l
        .nodes
        .iter()
        .take(n)
        .map(|v| NodeBox {
            x: v.x,
            y: v.y,
            w: v.w,
            h: v.h,
        })
        .collect();
    Layout {
        boxes,
        edges,
        width: l.width,
        height: l.height,
        structured: false,
    }
}

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

#[cfg(test)]
mod crossing_tests {
    use super::crossings;

    /// The pairwise definition the layout used to evaluate directly.
    fn brute(layers: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> usize {
        let mut total = 0;
        for l in layers {
            let mut pairs = Vec::new();
            for &v in l {
                for &c in &down[v] {
                    pairs.push((pos[v], pos[c]));
                }
            }
            for (i, p) in pairs.iter().enumerate() {
                for q in &pairs[i + 1..] {
                    let (a, b) = if p <= q { (p, q) } else { (q, p) };
                    if a.0 < b.0 && a.1 > b.1 {
                        total += 1;
                    }
                }
            }
        }
        total
    }

    #[test]
    fn crossings_match_the_pairwise_count() {
        // Deterministic pseudo-random two- and three-layer graphs.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        };
        for _ in 0..200 {
            let sizes = [1 + next(6), 1 + next(6), 1 + next(6)];
            let mut layers = Vec::new();
            let mut pos = Vec::new();
            let mut id = 0;
            for &n in &sizes {
                let mut l: Vec<usize> = (id..id + n).collect();
                // shuffle positions
                for i in (1..n).rev() {
                    l.swap(i, next(i + 1));
                }
                id += n;
                layers.push(l);
            }
            pos.resize(id, 0);
            for l in &layers {
                for (i, &v) in l.iter().enumerate() {
                    pos[v] = i;
                }
            }
            let mut down = vec![Vec::new(); id];
            for r in 0..2 {
                for &v in &layers[r] {
                    for &c in &layers[r + 1] {
                        if next(3) == 0 {
                            down[v].push(c);
                        }
                    }
                }
            }
            assert_eq!(
                crossings(&layers, &down, &pos),
                brute(&layers, &down, &pos),
                "{layers:?} {down:?}"
            );
        }
    }
}
