//! Structured layout: the drawing a person expects of a workflow, the way
//! the CRM's visual editor shows it.
//!
//! A compiled workflow is a nest of blocks: a path is a column of steps; a
//! branch puts its paths side by side under the branch node, and they meet
//! again at a join point under the longest path. Laying that nest out
//! recursively gives a drawing where no edge crosses a node and paths keep
//! their source order (first case on the left, "none met" on the right):
//! - a step edge is a vertical line on the column's axis;
//! - a branch fans out over a horizontal bus to each path's axis, with the
//!   path's label just above it;
//! - the paths' last steps drop to one horizontal line under the longest
//!   path and meet at the join point;
//! - go-to edges are dashed curves on the side (see [`side_curve`]).
//!
//! A graph that is not such a nest (a hand-written plan file whose steps
//! are shared or unreachable, or nested deeper than [`MAX_DEPTH`]) gets
//! `None`, and the caller falls back to the general layered layout.

use std::fmt::Write as _;

use super::geometry::{
    f, node_size, side_curve, text_width, EdgeGeom, Layout, NodeBox, GOTO_ROOM, LABEL_CHAR_W,
    MARGIN, TITLE_H,
};
use super::{immediate, postdominators, Diagram, EdgeStyle, Shape, MAX_JOIN_NODES};

/// Between consecutive steps of a path.
const V_GAP: f64 = 30.0;
/// Extra room on a labelled step edge (an event wait's timeout).
const LABEL_GAP: f64 = 26.0;
/// Between the paths of a branch.
const H_GAP: f64 = 26.0;
/// From a branch node down to its horizontal bus.
const BUS: f64 = 14.0;
/// From the bus down to the top of a path (the path's label sits there).
const FAN: f64 = 44.0;
/// From the bottom of the longest path down to the join point.
const MERGE: f64 = 20.0;
/// Between the trigger row and the first step.
const TRIGGER_GAP: f64 = 44.0;
/// Radius of the rounded corners of edges.
const CORNER: f64 = 6.0;
/// Deepest nest of branches laid out this way.
const MAX_DEPTH: usize = 128;

/// An edge that leaves a block at the bottom of its axis, drawn so far.
struct Pending {
    edge: usize,
    pts: Vec<(f64, f64)>,
    /// Where its label goes, when already placed (an empty branch path).
    label: Option<(f64, f64)>,
}

/// A finished edge: its points, where its label goes, whether it ends in an
/// arrowhead.
struct Drawn {
    edge: usize,
    pts: Vec<(f64, f64)>,
    label: Option<(f64, f64)>,
    arrow: bool,
}

/// A laid-out part of the nest, in its own coordinates (`0..w`, `0..h`):
/// entered at `(axis, 0)`, left at `(axis, h)` by the `pending` edges.
#[derive(Default)]
struct Block {
    w: f64,
    h: f64,
    axis: f64,
    /// Diagram node, centre x, centre y.
    nodes: Vec<(usize, f64, f64)>,
    edges: Vec<Drawn>,
    pending: Vec<Pending>,
}

impl Block {
    fn shift(&mut self, dx: f64, dy: f64) {
        for n in &mut self.nodes {
            n.1 += dx;
            n.2 += dy;
        }
        let moved = |pts: &mut Vec<(f64, f64)>| {
            for p in pts.iter_mut() {
                p.0 += dx;
                p.1 += dy;
            }
        };
        for e in &mut self.edges {
            moved(&mut e.pts);
            if let Some(l) = &mut e.label {
                l.0 += dx;
                l.1 += dy;
            }
        }
        for p in &mut self.pending {
            moved(&mut p.pts);
            if let Some(l) = &mut p.label {
                l.0 += dx;
                l.1 += dy;
            }
        }
    }
}

struct Ctx<'a> {
    d: &'a Diagram,
    /// Per node: its outgoing edges other than go-to edges.
    out: Vec<Vec<usize>>,
    sizes: Vec<(f64, f64)>,
    pdom: Vec<Vec<bool>>,
    seen: Vec<bool>,
}

/// The structured layout of `d`, or `None` when `d` is not a nest of
/// blocks (the caller then uses the layered layout).
pub fn layout(d: &Diagram) -> Option<Layout> {
    let n = d.nodes.len();
    if n > MAX_JOIN_NODES {
        return None;
    }
    let end = d.nodes.iter().position(|g| g.shape == Shape::End)?;
    let mut out = vec![Vec::new(); n];
    for (i, e) in d.edges.iter().enumerate() {
        if e.from >= n || e.to >= n {
            return None;
        }
        if e.style != EdgeStyle::Goto {
            out[e.from].push(i);
        }
    }
    let triggers: Vec<usize> = (0..n)
        .filter(|&v| d.nodes[v].shape == Shape::Trigger)
        .collect();
    let settings = d.nodes.iter().position(|g| g.shape == Shape::Settings);
    // Every trigger leads to the same first step.
    let first = out.get(*triggers.first()?)?.first()?;
    let start = d.edges[*first].to;
    if triggers
        .iter()
        .any(|&t| out[t].len() != 1 || out[t].iter().any(|&e| d.edges[e].to != start))
    {
        return None;
    }
    // Go-to edges left out: a go-to ends its path, it does not join
    // another one.
    let succ: Vec<Vec<usize>> = out
        .iter()
        .map(|es| es.iter().map(|&e| d.edges[e].to).collect())
        .collect();
    let mut ctx = Ctx {
        d,
        sizes: d.nodes.iter().map(node_size).collect(),
        pdom: postdominators(&succ, end),
        out,
        seen: vec![false; n],
    };
    for &t in &triggers {
        ctx.seen[t] = true;
    }
    if let Some(s) = settings {
        ctx.seen[s] = true;
    }
    let mut main = seq(&mut ctx, start, None, 0)?;
    if ctx.seen.iter().any(|s| !s) || !main.pending.is_empty() {
        return None;
    }

    // The trigger row (and the settings box to its right) above the steps.
    let tgap = 20.0;
    let row_w = triggers.iter().map(|&t| ctx.sizes[t].0).sum::<f64>()
        + tgap * triggers.len().saturating_sub(1) as f64;
    let row_h = triggers
        .iter()
        .chain(settings.iter())
        .map(|&t| ctx.sizes[t].1)
        .fold(0.0, f64::max);
    let has_goto = d.edges.iter().any(|e| e.style == EdgeStyle::Goto);
    let room = if has_goto { GOTO_ROOM } else { 0.0 };
    let axis = main.axis.max(row_w / 2.0) + MARGIN + room;
    let row_top = TITLE_H + MARGIN / 2.0;
    let main_top = row_top + row_h + TRIGGER_GAP;
    main.shift(axis - main.axis, main_top);

    let mut boxes = vec![
        NodeBox {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        n
    ];
    let mut edges: Vec<Option<EdgeGeom>> = vec![None; d.edges.len()];
    let mut x = axis - row_w / 2.0;
    let bus = row_top + row_h + TRIGGER_GAP / 2.0;
    for &t in &triggers {
        let (w, h) = ctx.sizes[t];
        let (cx, cy) = (x + w / 2.0, row_top + row_h / 2.0);
        boxes[t] = NodeBox { x: cx, y: cy, w, h };
        for &e in &ctx.out[t] {
            let pts = [(cx, cy + h / 2.0), (cx, bus), (axis, bus), (axis, main_top)];
            edges[e] = Some(EdgeGeom {
                d: ortho(&pts),
                label: None,
                arrow: true,
            });
        }
        x += w + tgap;
    }
    let mut right = x - tgap;
    if let Some(s) = settings {
        let (w, h) = ctx.sizes[s];
        let left = (x - tgap + 40.0).max(axis + main.w - main.axis + 20.0 - w);
        boxes[s] = NodeBox {
            x: left + w / 2.0,
            y: row_top + h / 2.0,
            w,
            h,
        };
        right = right.max(left + w);
    }
    for &(v, cx, cy) in &main.nodes {
        let (w, h) = ctx.sizes[v];
        boxes[v] = NodeBox { x: cx, y: cy, w, h };
    }
    for e in main.edges {
        edges[e.edge] = Some(EdgeGeom {
            d: ortho(&e.pts),
            label: e.label,
            arrow: e.arrow,
        });
    }
    for (i, e) in d.edges.iter().enumerate() {
        if e.style == EdgeStyle::Goto {
            let (p, at) = side_curve(boxes[e.from], boxes[e.to]);
            edges[i] = Some(EdgeGeom {
                d: p,
                label: Some(at),
                arrow: true,
            });
        }
    }
    right = right.max(axis - main.axis + main.w);
    let width = (right + room + MARGIN).max(text_width(&d.title, 9.0) + 2.0 * MARGIN);
    let height = main_top + main.h + MARGIN;
    Some(Layout {
        boxes,
        edges,
        width,
        height,
        structured: true,
    })
}

/// The path from `v` up to (not including) `stop`, or to its end.
fn seq(ctx: &mut Ctx, v: usize, stop: Option<usize>, depth: usize) -> Option<Block> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut items = Vec::new();
    let mut cur = Some(v);
    while let Some(v) = cur {
        if Some(v) == stop {
            break;
        }
        if std::mem::replace(ctx.seen.get_mut(v)?, true) {
            return None;
        }
        let outs = ctx.out[v].clone();
        if outs.len() <= 1 {
            let (w, h) = ctx.sizes[v];
            let mut b = Block {
                w,
                h,
                axis: w / 2.0,
                nodes: vec![(v, w / 2.0, h / 2.0)],
                ..Block::default()
            };
            cur = outs.first().map(|&e| {
                b.pending.push(Pending {
                    edge: e,
                    pts: vec![(w / 2.0, h)],
                    label: None,
                });
                ctx.d.edges[e].to
            });
            items.push(b);
        } else {
            let (b, next) = split(ctx, v, &outs, stop, depth)?;
            items.push(b);
            cur = next;
        }
    }
    Some(stack(ctx.d, items))
}

/// Items one below the other on a common axis, each joined to the next by
/// the edges pending at its bottom.
fn stack(d: &Diagram, items: Vec<Block>) -> Block {
    let axis = items.iter().map(|b| b.axis).fold(0.0, f64::max);
    let right = items.iter().map(|b| b.w - b.axis).fold(0.0, f64::max);
    let mut out = Block {
        w: axis + right,
        axis,
        ..Block::default()
    };
    let mut y = 0.0;
    let mut pending: Vec<Pending> = Vec::new();
    for (i, mut b) in items.into_iter().enumerate() {
        if i > 0 {
            let unplaced = |p: &Pending| p.label.is_none() && d.edges[p.edge].label.is_some();
            let labelled = pending.iter().any(unplaced);
            let gap = if labelled { V_GAP + LABEL_GAP } else { V_GAP };
            let at = (axis, y + gap / 2.0);
            y += gap;
            for mut p in pending.drain(..) {
                p.pts.push((axis, y));
                let label = if unplaced(&p) { Some(at) } else { p.label };
                out.edges.push(Drawn {
                    edge: p.edge,
                    pts: p.pts,
                    label,
                    arrow: true,
                });
            }
        }
        b.shift(axis - b.axis, y);
        out.nodes.append(&mut b.nodes);
        out.edges.append(&mut b.edges);
        pending = b.pending;
        y += b.h;
    }
    out.h = y;
    out.pending = pending;
    out
}

/// A branch node, its paths side by side, and where they meet. Returns the
/// block and the step after it (`None`: no path goes on). When the paths
/// meet where the enclosing path ends (`stop`), that join belongs to an
/// enclosing branch: the paths are left pending for it.
fn split(
    ctx: &mut Ctx,
    v: usize,
    outs: &[usize],
    stop: Option<usize>,
    depth: usize,
) -> Option<(Block, Option<usize>)> {
    let d = ctx.d;
    let (bw, bh) = ctx.sizes[v];
    let merge = immediate(&ctx.pdom, v);
    let top = bh + BUS + FAN;
    let mut cols = Vec::with_capacity(outs.len());
    let mut x = 0.0;
    for (k, &e) in outs.iter().enumerate() {
        let to = d.edges[e].to;
        let mut c = if Some(to) == merge {
            Block::default()
        } else {
            seq(ctx, to, merge, depth + 1)?
        };
        let lw = d.edges[e]
            .label
            .as_ref()
            .map_or(0.0, |t| text_width(t, LABEL_CHAR_W) + 16.0);
        let (left, right) = (c.axis.max(lw / 2.0), (c.w - c.axis).max(lw / 2.0));
        if k > 0 {
            x += H_GAP;
        }
        let ax = x + left;
        c.shift(ax - c.axis, top);
        x = ax + right;
        cols.push((e, ax, c));
    }
    let (first, last) = (cols.first()?.1, cols.last()?.1);
    let cx = (first + last) / 2.0;
    let low = cols.iter().map(|c| c.2.h).fold(0.0, f64::max);
    let y_merge = top + low + MERGE;
    let bus = bh + BUS;

    let mut b = Block {
        nodes: vec![(v, cx, bh / 2.0)],
        ..Block::default()
    };
    let mut exits = Vec::new();
    for (e, ax, mut c) in cols {
        let fan = vec![(cx, bh), (cx, bus), (ax, bus), (ax, top)];
        let label = d.edges[e].label.as_ref().map(|_| (ax, bus + FAN / 2.0));
        if c.nodes.is_empty() {
            // An empty path: straight on to where the paths meet.
            exits.push(Pending {
                edge: e,
                pts: fan,
                label,
            });
        } else {
            b.edges.push(Drawn {
                edge: e,
                pts: fan,
                label,
                arrow: true,
            });
            b.nodes.append(&mut c.nodes);
            b.edges.append(&mut c.edges);
            exits.append(&mut c.pending);
        }
    }
    for p in &mut exits {
        let ax = p.pts.last().map_or(cx, |p| p.0);
        p.pts.push((ax, y_merge));
        p.pts.push((cx, y_merge));
    }

    let join =
        merge.filter(|&m| Some(m) != stop && d.nodes[m].shape == Shape::Join && !ctx.seen[m]);
    let next = match join {
        Some(j) => {
            ctx.seen[j] = true;
            let (_, jh) = ctx.sizes[j];
            b.nodes.push((j, cx, y_merge));
            for p in exits.drain(..) {
                b.edges.push(Drawn {
                    edge: p.edge,
                    pts: p.pts,
                    label: p.label,
                    arrow: false,
                });
            }
            b.h = y_merge + jh / 2.0;
            let after = ctx.out[j].first().copied();
            if let Some(e) = after {
                b.pending.push(Pending {
                    edge: e,
                    pts: vec![(cx, b.h)],
                    label: None,
                });
            }
            after.map(|e| d.edges[e].to)
        }
        None => {
            if merge.is_none() && !exits.is_empty() {
                return None;
            }
            b.h = y_merge;
            b.pending = exits;
            merge
        }
    };
    // Into the block's own coordinates.
    let min_x = (cx - bw / 2.0).min(0.0);
    let max_x = (cx + bw / 2.0).max(x);
    b.shift(-min_x, 0.0);
    b.w = max_x - min_x;
    b.axis = cx - min_x;
    Some((b, next))
}

/// An orthogonal polyline with rounded corners, as an SVG path.
fn ortho(pts: &[(f64, f64)]) -> String {
    let mut p: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
    for &q in pts {
        if p.last()
            .is_some_and(|l: &(f64, f64)| (l.0 - q.0).abs() < 0.01 && (l.1 - q.1).abs() < 0.01)
        {
            continue;
        }
        // Drop the middle of three points on one line.
        if p.len() >= 2 {
            let (a, b) = (p[p.len() - 2], p[p.len() - 1]);
            let cross = (b.0 - a.0) * (q.1 - b.1) - (b.1 - a.1) * (q.0 - b.0);
            if cross.abs() < 0.01 {
                p.pop();
            }
        }
        p.push(q);
    }
    let Some(&(x0, y0)) = p.first() else {
        return String::new();
    };
    let mut s = format!("M{},{}", f(x0), f(y0));
    for i in 1..p.len() {
        let (cx, cy) = p[i];
        match p.get(i + 1) {
            Some(&(nx, ny)) => {
                let (px, py) = p[i - 1];
                let len_in = (cx - px).hypot(cy - py);
                let len_out = (nx - cx).hypot(ny - cy);
                let r = CORNER.min(len_in / 2.0).min(len_out / 2.0);
                let (ax, ay) = (cx - (cx - px) / len_in * r, cy - (cy - py) / len_in * r);
                let (bx, by) = (cx + (nx - cx) / len_out * r, cy + (ny - cy) / len_out * r);
                let _ = write!(
                    s,
                    " L{},{} Q{},{} {},{}",
                    f(ax),
                    f(ay),
                    f(cx),
                    f(cy),
                    f(bx),
                    f(by)
                );
            }
            None => {
                let _ = write!(s, " L{},{}", f(cx), f(cy));
            }
        }
    }
    s
}
