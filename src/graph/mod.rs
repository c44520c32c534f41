//! `wfc graph`: the flow of a workflow as a diagram (mermaid, dot, svg).
//!
//! A [`Plan`] is first turned into a [`Diagram`] — trigger nodes at the top,
//! one node per step, explicit join points where the paths of a branch meet
//! again, an end node — and the diagram is then written in one of the
//! formats. SVG is laid out by our own layouts ([`svg`]): the structured one
//! for the nest of blocks a compiled workflow is, a layered one otherwise.

mod geometry;
mod label;
mod layered;
pub mod svg;
mod text;
mod tree;

use std::collections::HashMap;

use crate::plan::{Action, Plan};

pub use label::{condition_text, event_text, minutes_text, wrap_all, EDGE_LABEL_CHARS};
pub use text::{dot, mermaid};

/// Output format of `wfc graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
    Svg,
}

/// Render every plan in one document of the given format. Several plans:
/// one subgraph each (mermaid, dot), stacked one below the other (svg).
pub fn render(plans: &[Plan], format: Format) -> String {
    let diagrams: Vec<Diagram> = plans.iter().map(Diagram::from_plan).collect();
    match format {
        Format::Mermaid => mermaid(&diagrams),
        Format::Dot => dot(&diagrams),
        Format::Svg => svg::render(&diagrams),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// An enrollment trigger (or "manual enrollment").
    Trigger,
    /// Re-enrollment, goals, unenrollment.
    Settings,
    Action,
    Delay,
    Branch,
    Goto,
    /// Where the paths of a branch meet again.
    Join,
    End,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GNode {
    /// Unique within the diagram (`n3`, `t1`, `j5`, `end`).
    pub id: String,
    pub shape: Shape,
    /// First line: the kind (and label); further lines: the key argument,
    /// wrapped and cut to fit a box of the SVG layout.
    pub lines: Vec<String>,
    /// The same text in full, a logical line each (never cut): for
    /// tooltips and for the writers whose renderer sizes boxes itself.
    pub full: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeStyle {
    Normal,
    /// `goto`: drawn dashed, not used for ranking.
    Goto,
    /// Leaving an event wait after its `max`.
    Timeout,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GEdge {
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
    pub style: EdgeStyle,
}

/// A workflow as nodes and edges, ready to be written out.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub title: String,
    pub nodes: Vec<GNode>,
    pub edges: Vec<GEdge>,
}

/// Where a node's edge points before join points are inserted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Node(usize),
    End,
}

impl Diagram {
    pub fn from_plan(plan: &Plan) -> Diagram {
        let mut d = Diagram {
            title: format!("{} ({})", plan.name, plan.object),
            nodes: Vec::new(),
            edges: Vec::new(),
        };
        // Triggers.
        let mut triggers = Vec::new();
        for t in &plan.triggers {
            let (head, text, max) = match t {
                crate::plan::Trigger::Filter { condition } => {
                    ("enroll when", condition_text(condition), 3)
                }
                crate::plan::Trigger::Event { event } => ("enroll on", event_text(event), 2),
            };
            let mut lines = vec![head.to_string()];
            lines.extend(label::wrap(&text, max));
            let full = vec![head.to_string(), text];
            let id = format!("t{}", triggers.len() + 1);
            triggers.push(d.push(id, Shape::Trigger, lines, full));
        }
        if triggers.is_empty() {
            let lines = vec!["manual enrollment".to_string(), "(or enroll in)".into()];
            triggers.push(d.push("t1".into(), Shape::Trigger, lines.clone(), lines));
        }
        let mut settings = Vec::new();
        if plan.reenroll {
            settings.push("re-enrollment on".to_string());
        }
        for g in &plan.goals {
            settings.push(format!("goal: {}", condition_text(g)));
        }
        for u in &plan.unenroll {
            settings.push(format!("unenroll: {}", condition_text(u)));
        }
        if !settings.is_empty() {
            let mut lines = vec!["settings".to_string()];
            for line in &settings {
                lines.extend(label::wrap(line, 2));
            }
            let mut full = vec!["settings".to_string()];
            full.extend(settings);
            d.push("settings".into(), Shape::Settings, lines, full);
        }

        // Steps.
        let mut index: HashMap<&str, usize> = HashMap::new();
        for n in &plan.nodes {
            let (shape, lines, full) = label::node_lines(n);
            let i = d.push(n.id.clone(), shape, lines, full);
            index.insert(n.id.as_str(), i);
        }
        let end = d.push(
            "end".into(),
            Shape::End,
            vec!["end".into()],
            vec!["end".into()],
        );
        let target = |id: &Option<String>| -> Target {
            match id {
                Some(id) => index
                    .get(id.as_str())
                    .map_or(Target::End, |&i| Target::Node(i)),
                None => Target::End,
            }
        };
        let resolve = |t: Target| match t {
            Target::Node(i) => i,
            Target::End => end,
        };
        let start = resolve(target(&plan.start));
        for &t in &triggers {
            d.edge(t, start, None, EdgeStyle::Normal);
        }
        for n in &plan.nodes {
            let Some(&from) = index.get(n.id.as_str()) else {
                continue;
            };
            match &n.action {
                Action::BranchIf { cases, else_next } => {
                    for c in cases {
                        let l = condition_text(&c.condition);
                        d.edge(from, resolve(target(&c.next)), Some(l), EdgeStyle::Normal);
                    }
                    d.edge(
                        from,
                        resolve(target(else_next)),
                        Some("none met".into()),
                        EdgeStyle::Normal,
                    );
                }
                Action::BranchValue {
                    cases, else_next, ..
                } => {
                    for c in cases {
                        let vals: Vec<String> = c.values.iter().map(label::value_text).collect();
                        let l = vals.join(", ");
                        d.edge(from, resolve(target(&c.next)), Some(l), EdgeStyle::Normal);
                    }
                    d.edge(
                        from,
                        resolve(target(else_next)),
                        Some("none met".into()),
                        EdgeStyle::Normal,
                    );
                }
                Action::Goto { target: t, .. } => {
                    if let Some(&to) = index.get(t.as_str()) {
                        d.edge(from, to, Some("go to".into()), EdgeStyle::Goto);
                    }
                }
                Action::DelayUntilEvent {
                    max_minutes,
                    timeout_next,
                    ..
                } => {
                    let next = resolve(target(&n.next));
                    match max_minutes {
                        Some(m) => {
                            let timeout = resolve(target(timeout_next));
                            if timeout == next {
                                d.edge(
                                    from,
                                    next,
                                    Some(format!("event, or timeout after {}", minutes_text(*m))),
                                    EdgeStyle::Timeout,
                                );
                            } else {
                                d.edge(from, next, Some("event".into()), EdgeStyle::Normal);
                                d.edge(
                                    from,
                                    timeout,
                                    Some(format!("timeout after {}", minutes_text(*m))),
                                    EdgeStyle::Timeout,
                                );
                            }
                        }
                        None => d.edge(from, next, Some("event".into()), EdgeStyle::Normal),
                    }
                }
                _ => d.edge(from, resolve(target(&n.next)), None, EdgeStyle::Normal),
            }
        }
        d.insert_joins(plan, &index, end);
        d
    }

    fn push(&mut self, id: String, shape: Shape, lines: Vec<String>, full: Vec<String>) -> usize {
        self.nodes.push(GNode {
            id,
            shape,
            lines,
            full,
        });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, label: Option<String>, style: EdgeStyle) {
        self.edges.push(GEdge {
            from,
            to,
            label,
            style,
        });
    }

    /// For every branch (innermost first), find where its paths meet again
    /// (its immediate post-dominator) and route the edges from inside the
    /// branch through one join point there, so a reader sees the paths
    /// rejoin.
    fn insert_joins(&mut self, plan: &Plan, index: &HashMap<&str, usize>, end: usize) {
        let mut branches: Vec<usize> = plan
            .nodes
            .iter()
            .filter(|n| {
                matches!(
                    n.action,
                    Action::BranchIf { .. } | Action::BranchValue { .. }
                )
            })
            .filter_map(|n| index.get(n.id.as_str()).copied())
            .collect();
        // Pre-order ids: a nested branch comes after its parent.
        branches.reverse();
        // Joins only split edges, so post-dominators computed once on the
        // graph without them stay valid. Skip absurdly large graphs
        // (quadratic memory).
        if self.nodes.len() > MAX_JOIN_NODES {
            return;
        }
        let pdom = self.postdominators(end);
        for b in branches {
            let Some(j) = immediate(&pdom, b) else {
                continue;
            };
            // Nodes inside the branch: reachable from it without passing j.
            let inside = self.reachable_avoiding(b, j);
            let into: Vec<usize> = (0..self.edges.len())
                .filter(|&e| {
                    let ed = &self.edges[e];
                    ed.to == j && ed.style != EdgeStyle::Goto && inside[ed.from]
                })
                .collect();
            if into.len() < 2 {
                continue;
            }
            let join = self.push(
                format!("j_{}", self.nodes[b].id),
                Shape::Join,
                Vec::new(),
                Vec::new(),
            );
            for e in into {
                self.edges[e].to = join;
            }
            self.edge(join, j, None, EdgeStyle::Normal);
        }
    }

    /// Successors over the edges other than go-to edges: a go-to ends its
    /// path, so it neither joins another path nor makes a branch's steps
    /// part of another branch.
    fn successors(&self) -> Vec<Vec<usize>> {
        let mut succ = vec![Vec::new(); self.nodes.len()];
        for e in &self.edges {
            if e.style != EdgeStyle::Goto {
                succ[e.from].push(e.to);
            }
        }
        succ
    }

    fn reachable_avoiding(&self, from: usize, avoid: usize) -> Vec<bool> {
        let succ = self.successors();
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![from];
        while let Some(v) = stack.pop() {
            if v == avoid || seen[v] {
                continue;
            }
            seen[v] = true;
            stack.extend(succ[v].iter().copied());
        }
        seen
    }

    /// For every node, the set of nodes every path from it to `end` passes
    /// through (itself included).
    fn postdominators(&self, end: usize) -> Vec<Vec<bool>> {
        postdominators(&self.successors(), end)
    }
}

/// Post-dominators over the successor lists `succ`: for every node, the set
/// of nodes every path from it to `end` passes through (itself included).
/// A node without successors (other than `end`) constrains nothing.
pub(super) fn postdominators(succ: &[Vec<usize>], end: usize) -> Vec<Vec<bool>> {
    let n = succ.len();
    let mut pdom: Vec<Vec<bool>> = vec![vec![true; n]; n];
    let mut only_end = vec![false; n];
    only_end[end] = true;
    pdom[end] = only_end;
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds < n + 2 {
        changed = false;
        rounds += 1;
        // Steps mostly point forward: visiting backwards converges fast.
        for v in (0..n).rev() {
            if v == end || succ[v].is_empty() {
                continue;
            }
            let mut acc = vec![true; n];
            for &s in &succ[v] {
                for (a, &p) in acc.iter_mut().zip(&pdom[s]) {
                    *a = *a && p;
                }
            }
            acc[v] = true;
            if acc != pdom[v] {
                pdom[v] = acc;
                changed = true;
            }
        }
    }
    pdom
}

/// Largest diagram for which join points are computed.
pub(super) const MAX_JOIN_NODES: usize = 3000;

/// The strict post-dominator of `b` closest to it: the one post-dominated
/// by all the others.
pub(super) fn immediate(pdom: &[Vec<bool>], b: usize) -> Option<usize> {
    let strict: Vec<usize> = (0..pdom.len()).filter(|&v| v != b && pdom[b][v]).collect();
    strict
        .iter()
        .copied()
        .find(|&c| strict.iter().all(|&o| o == c || pdom[c][o]))
}

#[cfg(test)]
mod tests;
