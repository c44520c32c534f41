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

const CHAR_W: f64 = 7.0;
const LABEL_CHAR_W: f64 = 6.3;
const LINE_H: f64 = 16.0;
const NODE_GAP: f64 = 28.0;
const DUMMY_GAP: f64 = 12.0;
const RANK_GAP: f64 = 34.0;
const MARGIN: f64 = 24.0;
const TITLE_H: f64 = 34.0;
/// Room on the right for go-to curves.
const GOTO_ROOM: f64 = 60.0;

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

fn text_width(s: &str, char_w: f64) -> f64 {
    s.chars().count() as f64 * char_w
}

fn node_size(n: &GNode) -> (f64, f64) {
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

/// Positions of one diagram.
pub struct Layout {
    nodes: Vec<LNode>,
    /// Per diagram edge: the layered nodes it passes through (dummies), or
    /// `None` for an edge drawn on the side (go-to, backward).
    routes: Vec<Option<Vec<usize>>>,
    /// For a labelled forward edge: its label dummy.
    label_at: Vec<Option<usize>>,
    row_top: Vec<f64>,
    row_h: Vec<f64>,
    pub width: f64,
    pub height: f64,
}

pub fn layout(d: &Diagram) -> Layout {
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
    let min_x = nodes
        .iter()
        .map(|v| v.x - v.w / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if min_x.is_finite() {
        MARGIN - min_x
    } else {
        MARGIN
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
    let has_goto = d.edges.iter().any(|e| e.style == EdgeStyle::Goto);
    let width = nodes.iter().map(|v| v.x + v.w / 2.0).fold(0.0, f64::max)
        + MARGIN
        + if has_goto { GOTO_ROOM } else { 0.0 };
    let title_w = text_width(&d.title, 9.0) + 2.0 * MARGIN;
    Layout {
        nodes,
        routes,
        label_at,
        row_top,
        row_h,
        width: width.max(title_w),
        height: y - RANK_GAP + MARGIN,
    }
}

/// Edge crossings between consecutive layers.
fn crossings(layers: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for l in layers {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for &v in l {
            for &c in &down[v] {
                pairs.push((pos[v], pos[c]));
            }
        }
        pairs.sort_unstable();
        for i in 0..pairs.len() {
            for j in i + 1..pairs.len() {
                if pairs[i].0 < pairs[j].0 && pairs[i].1 > pairs[j].1 {
                    total += 1;
                }
            }
        }
    }
    total
}

fn f(v: f64) -> String {
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

fn draw(s: &mut String, d: &Diagram, l: &Layout) {
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" font-size="16" font-weight="bold" fill="#111827">{}</text>"##,
        f(MARGIN),
        f(MARGIN / 2.0 + 16.0),
        xml_escape(&d.title)
    );
    // Edges first, nodes on top.
    for (i, e) in d.edges.iter().enumerate() {
        let (Some(a), Some(b)) = (l.nodes.get(e.from), l.nodes.get(e.to)) else {
            continue;
        };
        let (stroke, marker, dash, width) = match e.style {
            EdgeStyle::Normal => ("#4b5563", "arrow", "", "1.4"),
            EdgeStyle::Goto => ("#be185d", "arrow-goto", r#" stroke-dasharray="6 4""#, "1.4"),
            EdgeStyle::Timeout => ("#b45309", "arrow-timeout", "", "2"),
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
                // On the side: leave and enter horizontally.
                let (sx, tx, bulge) = if (b.x - a.x).abs() < (a.w + b.w) / 2.0 {
                    let r = a.x.max(b.x) + (a.w.max(b.w)) / 2.0 + GOTO_ROOM * 0.8;
                    (a.x + a.w / 2.0, b.x + b.w / 2.0, Some(r))
                } else if b.x < a.x {
                    (a.x - a.w / 2.0, b.x + b.w / 2.0, None)
                } else {
                    (a.x + a.w / 2.0, b.x - b.w / 2.0, None)
                };
                let (sy, ty) = (a.y, b.y);
                path = match bulge {
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
                };
                label_pos = Some((lx, (sy + ty) / 2.0));
            }
        }
        let _ = writeln!(
            s,
            r#"<path d="{path}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash} marker-end="url(#{marker})"/>"#
        );
        if let (Some(text), Some((x, y))) = (&e.label, label_pos) {
            let w = text_width(text, LABEL_CHAR_W) + 10.0;
            let _ = writeln!(
                s,
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
    for (i, g) in d.nodes.iter().enumerate() {
        let Some(n) = l.nodes.get(i) else { continue };
        draw_node(s, g, n);
    }
}

fn draw_node(s: &mut String, g: &GNode, n: &LNode) {
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

/// Invariants of a layout (used by tests): every forward edge goes down at
/// least one rank, and boxes on one rank do not overlap.
pub fn check_layout(d: &Diagram, l: &Layout) -> Result<(), String> {
    for (i, e) in d.edges.iter().enumerate() {
        if l.routes[i].is_some() && l.nodes[e.to].rank <= l.nodes[e.from].rank {
            return Err(format!("edge {i} does not go down"));
        }
    }
    let mut by_rank: Vec<Vec<&LNode>> = Vec::new();
    for n in &l.nodes {
        if by_rank.len() <= n.rank {
            by_rank.resize_with(n.rank + 1, Vec::new);
        }
        by_rank[n.rank].push(n);
    }
    for (r, ns) in by_rank.iter_mut().enumerate() {
        ns.sort_by(|a, b| a.x.total_cmp(&b.x));
        for w in ns.windows(2) {
            if w[0].x + w[0].w / 2.0 > w[1].x - w[1].w / 2.0 + 0.01 {
                return Err(format!("overlap on rank {r}"));
            }
        }
    }
    Ok(())
}
