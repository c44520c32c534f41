//! Flow rules (WF401–WF406): go-to placement and targets, dead steps, delay
//! forms vs date centring, durations, times of day, dates and weekdays.

use super::{resolve, Ancestry, Checker, Wf};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::source::Span;
use crate::syntax::ast::{self, DurationUnit, StepKind};

/// Most secondary labels of one WF402 loop.
const MAX_LOOP_LABELS: usize = 8;

/// Minutes in 365 days: the longest duration allowed.
const MAX_MINUTES: u64 = 365 * 24 * 60;

/// WF401, WF402: `goto <label>` at `ancestry` (the enclosing branch paths,
/// outermost first). Outside any branch, WF401 is its only diagnostic (its
/// label is not resolved and the steps after it are not WF403, see
/// [`DeadSteps`]).
///
/// The rule: let G be the goto's ancestry and T the target's. The goto is
/// valid iff, with `c` the length of their common prefix (same branch and
/// same path), both have an entry at `c` and those entries are two paths of
/// the same branch: the target lies in a different path of a branch that
/// encloses the goto.
pub(super) fn goto(
    cx: &mut Checker,
    wf: &Wf,
    step: &ast::Step,
    label: &ast::Ident,
    ancestry: &Ancestry,
) {
    if ancestry.is_empty() {
        cx.push(wf401_goto_outside_branch(step.keyword));
        return;
    }
    let Some(target) = resolve::label(cx, wf, label) else {
        return;
    };
    if !goto_allowed(ancestry, &target.ancestry) {
        cx.push(wf402_goto_bad_target(step.keyword, label));
    }
}

/// See [`goto`].
pub(crate) fn goto_allowed(goto: &[(u32, usize)], target: &[(u32, usize)]) -> bool {
    let c = goto.iter().zip(target).take_while(|(a, b)| a == b).count();
    match (goto.get(c), target.get(c)) {
        (Some(g), Some(t)) => g.0 == t.0 && g.1 != t.1,
        _ => false,
    }
}

/// WF402: go-tos that can reach each other in a loop (path A ends `goto
/// b1` into path B, path B ends `goto a1` into path A). Each loop is
/// reported once, on its go-to that comes last in source order, with a
/// secondary label on the others. Only go-tos that are valid on their own
/// (see [`goto`]) are followed: the others are already reported.
///
/// The steps form a graph as in the plans (a step goes on to the next one
/// of its block, or after the last one to what follows the enclosing
/// branch; a branch goes into each of its paths; a `goto` to its target);
/// every loop of that graph passes a `goto`, and its strongly connected
/// components are the loops.
pub(super) fn goto_cycles(cx: &mut Checker, wf: &Wf, body: &ast::Block) {
    let mut g = StepGraph::default();
    let mut ancestry = Vec::new();
    g.walk(wf, body, None, &mut ancestry);
    if g.gotos.is_empty() {
        return;
    }
    for (from, target) in std::mem::take(&mut g.gotos) {
        if let Some(&(_, to)) = g.labels.get(target) {
            if let Some(n) = g.nodes.get_mut(from) {
                n.succ.push(to);
            }
        }
    }
    for component in g.loops() {
        let mut gotos: Vec<(Span, &ast::Ident)> = component
            .iter()
            .filter_map(|&n| g.nodes.get(n).and_then(|n| n.goto))
            .collect();
        gotos.sort_by_key(|(keyword, _)| keyword.start);
        if let Some((last, others)) = gotos.split_last() {
            cx.push(wf402_goto_cycle(*last, others));
        }
    }
}

/// The steps of a workflow as a graph (see [`goto_cycles`]).
#[derive(Default)]
struct StepGraph<'a> {
    nodes: Vec<StepNode<'a>>,
    /// Label → (label offset, node) of its first definition.
    labels: std::collections::HashMap<&'a str, (u32, usize)>,
    /// Valid go-tos: (node, target label).
    gotos: Vec<(usize, &'a str)>,
}

#[derive(Default)]
struct StepNode<'a> {
    succ: Vec<usize>,
    /// For a valid `goto`: its keyword and label.
    goto: Option<(Span, &'a ast::Ident)>,
}

impl<'a> StepGraph<'a> {
    /// Add the steps of `block`, whose end goes on to `cont`; returns the
    /// node the block starts with (`cont` when it is empty).
    fn walk(
        &mut self,
        wf: &Wf,
        block: &'a ast::Block,
        cont: Option<usize>,
        ancestry: &mut Ancestry,
    ) -> Option<usize> {
        let mut next = cont;
        for step in block.steps.iter().rev() {
            let id = self.nodes.len();
            self.nodes.push(StepNode::default());
            if let Some(l) = &step.label {
                let at = l.span.start;
                let e = self.labels.entry(l.name.as_str()).or_insert((at, id));
                if at < e.0 {
                    *e = (at, id);
                }
            }
            let mut succ = Vec::new();
            let branch = step.span.start;
            match &step.kind {
                StepKind::Goto(label) => {
                    let valid = !ancestry.is_empty()
                        && wf
                            .labels
                            .get(label.name.as_str())
                            .is_some_and(|t| goto_allowed(ancestry, &t.ancestry));
                    if valid {
                        self.gotos.push((id, label.name.as_str()));
                        if let Some(n) = self.nodes.get_mut(id) {
                            n.goto = Some((step.keyword, label));
                        }
                    }
                }
                StepKind::If { arms, else_block } => {
                    for (i, arm) in arms.iter().enumerate() {
                        ancestry.push((branch, i));
                        succ.extend(self.walk(wf, &arm.block, next, ancestry));
                        ancestry.pop();
                    }
                    match else_block {
                        Some(b) => {
                            ancestry.push((branch, arms.len()));
                            succ.extend(self.walk(wf, b, next, ancestry));
                            ancestry.pop();
                        }
                        None => succ.extend(next),
                    }
                }
                StepKind::Branch {
                    cases, else_block, ..
                } => {
                    for (i, case) in cases.iter().enumerate() {
                        ancestry.push((branch, i));
                        succ.extend(self.walk(wf, &case.block, next, ancestry));
                        ancestry.pop();
                    }
                    match else_block {
                        Some(b) => {
                            ancestry.push((branch, cases.len()));
                            succ.extend(self.walk(wf, b, next, ancestry));
                            ancestry.pop();
                        }
                        None => succ.extend(next),
                    }
                }
                _ => succ.extend(next),
            }
            if let Some(n) = self.nodes.get_mut(id) {
                n.succ = succ;
            }
            next = Some(id);
        }
        next
    }

    /// The strongly connected components that hold a loop (Tarjan's
    /// algorithm, iterative: a workflow may hold many thousands of steps).
    fn loops(&self) -> Vec<Vec<usize>> {
        const UNSEEN: usize = usize::MAX;
        let n = self.nodes.len();
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0usize; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut next_index = 0usize;
        let mut out = Vec::new();
        // (node, next successor to visit)
        let mut work: Vec<(usize, usize)> = Vec::new();
        for root in 0..n {
            if index[root] != UNSEEN {
                continue;
            }
            work.push((root, 0));
            while let Some(&mut (v, ref mut k)) = work.last_mut() {
                // first visit (a node is pushed only while unseen)
                if index[v] == UNSEEN {
                    index[v] = next_index;
                    low[v] = next_index;
                    next_index += 1;
                    stack.push(v);
                    on_stack[v] = true;
                }
                let succ = &self.nodes[v].succ;
                if let Some(&w) = succ.get(*k) {
                    *k += 1;
                    if index[w] == UNSEEN {
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        out.push(component);
                    }
                }
            }
        }
        out
    }
}

/// The WF403 state of one block: the first step after a `goto` that sits
/// inside a branch is reported, once per block. A `goto` outside any
/// branch is WF401 only: the steps after it are not reported.
#[derive(Default)]
pub(super) struct DeadSteps {
    reported: bool,
}

impl DeadSteps {
    /// WF403: called for the `goto` at `steps[i]`.
    pub(super) fn after_goto(
        &mut self,
        cx: &mut Checker,
        steps: &[ast::Step],
        i: usize,
        ancestry: &Ancestry,
    ) {
        if self.reported || ancestry.is_empty() {
            return;
        }
        let Some(step) = steps.get(i + 1) else {
            return;
        };
        let span = step
            .label
            .as_ref()
            .map(|l| l.span.to(step.keyword))
            .unwrap_or(step.keyword);
        cx.push(wf403_dead_step(span));
        self.reported = true;
    }
}

/// Date centring is for contact workflows only (WF404, on the centring).
pub(super) fn centring(cx: &mut Checker, wf: &Wf, c: &ast::Centering) {
    if let Some(o) = wf.object {
        if o != "contact" {
            cx.push(wf404_centring_not_contact(c.span, o));
        }
    }
}

/// In a date-centred workflow only `delay until ... date` forms; elsewhere
/// never (WF404, on the `delay` keyword).
pub(super) fn delay_form(cx: &mut Checker, wf: &Wf, step: &ast::Step) {
    let date_form = matches!(step.kind, StepKind::DelayUntilDate { .. });
    if wf.centred && !date_form {
        cx.push(wf404_delay_in_centred(step.keyword));
    } else if !wf.centred && date_form {
        cx.push(wf404_date_delay_not_centred(step.keyword));
    }
}

/// WF405: units repeated or out of order, zero, over 365 days, or (for a
/// centred offset with `at`) hours or minutes, even written as `0h`/`0m`.
/// One diagnostic per duration. `with_at`: `None` for a duration, `Some`
/// for the offset of `delay until ... before|after date`, `Some(true)`
/// when it has `at`.
pub(super) fn duration(cx: &mut Checker, d: &ast::Duration, with_at: Option<bool>) {
    let mut prev: Option<DurationUnit> = None;
    for p in &d.parts {
        if let Some(u) = prev {
            match p.unit.cmp(&u) {
                std::cmp::Ordering::Equal => {
                    cx.push(wf405_unit_repeated(p.span, p.unit));
                    return;
                }
                std::cmp::Ordering::Less => {
                    cx.push(wf405_unit_out_of_order(p.span, p.unit, u));
                    return;
                }
                std::cmp::Ordering::Greater => {}
            }
        }
        prev = Some(p.unit);
    }
    let total = d.total_minutes();
    if total == 0 {
        cx.push(wf405_zero(d.span, with_at.is_some()));
        return;
    }
    if total > MAX_MINUTES {
        cx.push(wf405_too_long(d.span));
        return;
    }
    if with_at == Some(true) {
        if let Some(p) = d.parts.iter().find(|p| p.unit != DurationUnit::Days) {
            cx.push(wf405_hours_with_at(p.span));
        }
    }
}

/// WF406: a time of day out of range.
pub(super) fn time(cx: &mut Checker, t: &ast::TimeLit) {
    if t.hour > 23 || t.minute > 59 {
        cx.push(wf406_bad_time(t));
    }
}

/// WF406: an impossible date.
pub(super) fn date(cx: &mut Checker, d: &ast::DateLit) {
    let ok = u32::try_from(d.year).is_ok()
        && chrono::NaiveDate::from_ymd_opt(d.year, d.month, d.day).is_some();
    if !ok {
        cx.push(wf406_bad_date(d));
    }
}

/// WF406: a weekday listed twice (on the later one).
pub(super) fn weekdays(cx: &mut Checker, days: &[ast::WeekdayLit]) {
    for (i, d) in days.iter().enumerate() {
        if days[..i].iter().any(|e| e.day == d.day) {
            cx.push(wf406_weekday_twice(d));
        }
    }
}

// ------------------------------------------------------------ diagnostics

fn unit_name(u: DurationUnit) -> &'static str {
    match u {
        DurationUnit::Days => "d",
        DurationUnit::Hours => "h",
        DurationUnit::Minutes => "m",
    }
}

fn wf401_goto_outside_branch(keyword: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF401,
        "`goto` may only be used inside an if/then or value branch",
        Label::new(keyword, "not inside a branch"),
    )
    .with_help("move the `goto` into a path of an `if` or `branch on`, as its last step")
}

fn wf402_goto_bad_target(keyword: Span, label: &ast::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::WF402,
        format!("`goto {}` must target a step in a different path of a branch that encloses it", label.name),
        Label::new(keyword.to(label.span), "target not in another path of an enclosing branch"),
    )
    .with_help("a `goto` may jump only sideways into another path of its `if`/`branch on`, never back or out of it")
}

fn wf402_goto_cycle(last: (Span, &ast::Ident), others: &[(Span, &ast::Ident)]) -> Diagnostic {
    let (keyword, label) = last;
    let mut d = Diagnostic::new(
        Code::WF402,
        format!(
            "`goto {}` closes a loop: the steps it jumps to lead back to it",
            label.name
        ),
        Label::new(keyword.to(label.span), "closes the loop"),
    );
    // A loop through thousands of paths labels the first few only.
    for (k, l) in others.iter().take(MAX_LOOP_LABELS) {
        d = d.with_secondary(Label::new(k.to(l.span), "part of the loop"));
    }
    if others.len() > MAX_LOOP_LABELS {
        d = d.with_note(format!(
            "{} more `goto`s are part of this loop",
            others.len() - MAX_LOOP_LABELS
        ));
    }
    d.with_help(
        "remove one of these `goto`s, or make it target a step that does not lead back to it",
    )
}

fn wf403_dead_step(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF403,
        "this step can never run: it follows a `goto` in the same block",
        Label::new(span, "unreachable"),
    )
    .with_help("remove it, or move the `goto` after it")
}

fn wf404_centring_not_contact(span: Span, object: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WF404,
        format!("date centring is only for contact workflows, not {object}"),
        Label::new(span, "centring not allowed here"),
    )
    .with_help("remove `centered on ...` and use `delay` steps")
}

fn wf404_delay_in_centred(keyword: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF404,
        "a date-centred workflow may only use `delay until ... date` delays",
        Label::new(keyword, "not relative to the centre date"),
    )
    .with_help("write e.g. `delay until 1d before date` or `delay until date at 9:00`")
}

fn wf404_date_delay_not_centred(keyword: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF404,
        "`delay until ... date` is only allowed in a date-centred workflow",
        Label::new(keyword, "the workflow is not centred on a date"),
    )
    .with_help("add `centered on <date>` or `centered on property <p>` to the workflow, or use `delay <duration>`")
}

fn wf405_unit_repeated(span: Span, unit: DurationUnit) -> Diagnostic {
    Diagnostic::new(
        Code::WF405,
        format!("duration unit `{}` is used twice", unit_name(unit)),
        Label::new(span, "repeated unit"),
    )
    .with_help("write each of d, h, m at most once, e.g. `1d 4h 30m`")
}

fn wf405_unit_out_of_order(span: Span, unit: DurationUnit, after: DurationUnit) -> Diagnostic {
    Diagnostic::new(
        Code::WF405,
        format!(
            "duration unit `{}` comes after `{}`",
            unit_name(unit),
            unit_name(after)
        ),
        Label::new(span, "out of order"),
    )
    .with_help("write the units in the order d, h, m, e.g. `1d 4h 30m`")
}

fn wf405_zero(span: Span, centred_offset: bool) -> Diagnostic {
    Diagnostic::new(
        Code::WF405,
        "a duration must be longer than zero",
        Label::new(span, "zero"),
    )
    .with_help(if centred_offset {
        "to wait until the centre date itself, write `delay until date`"
    } else {
        "remove the step, or give a positive duration"
    })
}

fn wf405_too_long(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF405,
        "a duration may be at most 365 days",
        Label::new(span, "over 365 days"),
    )
    .with_help("use at most `365d`")
}

fn wf405_hours_with_at(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF405,
        "with `at`, the offset from the centre date must be whole days",
        Label::new(span, "hours or minutes"),
    )
    .with_help("drop the hours and minutes and set the time with `at`")
}

fn wf406_bad_time(t: &ast::TimeLit) -> Diagnostic {
    Diagnostic::new(
        Code::WF406,
        format!("{}:{:02} is not a time of day", t.hour, t.minute),
        Label::new(t.span, "out of range"),
    )
    .with_help("times run from 0:00 to 23:59")
}

fn wf406_bad_date(d: &ast::DateLit) -> Diagnostic {
    Diagnostic::new(
        Code::WF406,
        format!("{:04}-{:02}-{:02} is not a date", d.year, d.month, d.day),
        Label::new(d.span, "no such date"),
    )
    .with_help("write an existing date as YYYY-MM-DD")
}

fn wf406_weekday_twice(d: &ast::WeekdayLit) -> Diagnostic {
    Diagnostic::new(
        Code::WF406,
        format!("`{}` is listed twice", d.day.as_str()),
        Label::new(d.span, "listed twice"),
    )
    .with_help("list each weekday once")
}

#[cfg(test)]
mod tests {
    use super::goto_allowed;

    #[test]
    fn goto_rule() {
        // if#1 { path 0: target }  else { path 1: goto }
        assert!(goto_allowed(&[(1, 1)], &[(1, 0)]));
        // own path
        assert!(!goto_allowed(&[(1, 0)], &[(1, 0)]));
        // before the branch (top level)
        assert!(!goto_allowed(&[(1, 0)], &[]));
        // nested: goto in inner if#2 path 0 inside if#1 path 1; target in if#1 path 0
        assert!(goto_allowed(&[(1, 1), (2, 0)], &[(1, 0)]));
        // target deep in another path of the outer branch
        assert!(goto_allowed(&[(1, 1), (2, 0)], &[(1, 0), (3, 2)]));
        // target in the enclosing path, outside the inner branch (an ancestor path)
        assert!(!goto_allowed(&[(1, 1), (2, 0)], &[(1, 1)]));
        // target in another branch entirely
        assert!(!goto_allowed(&[(1, 1)], &[(5, 0)]));
        // target in a sibling branch inside the same path
        assert!(!goto_allowed(&[(1, 1), (2, 0)], &[(1, 1), (4, 1)]));
        // target in the other path of the inner branch
        assert!(goto_allowed(&[(1, 1), (2, 0)], &[(1, 1), (2, 1)]));
    }
}
