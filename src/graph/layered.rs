//! The general layered layout, for a graph that is not a nest of blocks (a
//! hand-written plan file). The classic steps of a layered ("Sugiyama")
//! drawing, kept simple:
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

use super::geometry::{
    f, node_size, side_curve, text_width, EdgeGeom, Layout, NodeBox, GOTO_ROOM, LABEL_CHAR_W,
    MARGIN, TITLE_H,
};
use super::{Diagram, EdgeStyle, Shape};

const NODE_GAP: f64 = 28.0;
const DUMMY_GAP: f64 = 12.0;
const RANK_GAP: f64 = 34.0;

/// Lay `d` out in ranks.
pub(super) fn layout(d: &Diagram) -> Layout {
    from_layered(d, layered(d))
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

#[cfg(test)]
mod tests {
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
