//! Judging a test: the main run, then each expectation against its history.
//!
//! A record condition (`expect c1: <condition>`) is judged by the runtime
//! itself: the condition becomes the trigger of a one-line probe workflow,
//! run over the records as they were at the moment (with their activity),
//! starting at that moment; the record meets the condition exactly when the
//! probe enrolls it. So conditions mean in tests exactly what they mean in
//! `enroll when`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use super::setup::{self, Context, Prepared};
use super::trace::{at_of, executed_nodes, field, slice};
use super::{plan_named, Failure, TestResult};
use crate::plan::{self, Action, Plan};
use crate::runtime::{self, Collect, Record, RunInput};
use crate::source::Span;
use crate::syntax::ast::{self, ExpectKind, TestLineKind};

/// A workflow holding only what the test gives, compiled by codegen (so a
/// condition, event or step in a test compiles exactly as in a workflow).
fn synthetic(
    object: &str,
    settings: Vec<ast::Setting>,
    steps: Vec<ast::Step>,
    span: Span,
    cx: &Context<'_>,
) -> Plan {
    let wf = ast::Workflow {
        name: ast::StrLit {
            value: "wfc test probe".into(),
            tokens: Box::new([]),
            span,
        },
        object: ast::Ident {
            name: object.into(),
            span,
        },
        centered: None,
        settings,
        body: ast::Block { steps, span },
        span,
        keyword: span,
        has_syntax_error: false,
    };
    plan::workflow_plan(&wf, &cx.comp.sources)
}

/// Whether `record` meets `cond` among `records` at `at`.
fn holds(
    cx: &Context<'_>,
    records: &[Record],
    record: &str,
    object: &str,
    cond: &ast::Condition,
    at: DateTime<Utc>,
) -> Result<bool, String> {
    let setting = ast::Setting {
        kind: ast::SettingKind::EnrollWhen(cond.clone()),
        span: cond.span,
        keyword: cond.span,
    };
    let probe = synthetic(object, vec![setting], Vec::new(), cond.span, cx);
    let programs = runtime::load(vec![probe]).map_err(|e| e.to_string())?;
    let mut sink = Collect::default();
    runtime::run(
        &programs,
        &cx.comp.env,
        RunInput {
            records: records.to_vec(),
            events: Vec::new(),
            start: Some(at),
            until: Some(at),
        },
        &mut sink,
    )
    .map_err(|e| e.to_string())?;
    Ok(sink
        .0
        .iter()
        .any(|e| field(e, "record") == record && field(e, "event") == "enrolled"))
}

/// The values a condition reads, as `path = value` for a report.
fn values_read(records: &[Record], record: &Record, cond: &ast::Condition, out: &mut Vec<String>) {
    use ast::ConditionKind as C;
    let path = match &cond.kind {
        C::Or(cs) | C::And(cs) => {
            for c in cs {
                values_read(records, record, c, out);
            }
            return;
        }
        C::Not(c) | C::Group(c) => return values_read(records, record, c, out),
        C::Compare { path, .. }
        | C::In { path, .. }
        | C::Contains { path, .. }
        | C::Known { path, .. } => path,
        C::Event(e) => {
            let had = record.activity.len();
            out.push(format!(
                "{} — the record has {had} activity event(s)",
                event_text(e)
            ));
            return;
        }
    };
    let prop = path.property.name.as_str();
    let show = |v: Option<&Json>| match v {
        None | Some(Json::Null) => "(empty)".to_string(),
        Some(v) => v.to_string(),
    };
    let text = match &path.object {
        Some(o) if o.name != record.object => {
            let ids = record
                .associations
                .get(o.name.as_str())
                .cloned()
                .unwrap_or_default();
            let vals: Vec<String> = records
                .iter()
                .filter(|r| ids.contains(&r.id))
                .map(|r| format!("{}: {}", r.id, show(r.properties.get(prop))))
                .collect();
            if vals.is_empty() {
                format!("{}.{prop} = (no associated {})", o.name, o.name)
            } else {
                format!("{}.{prop} = {}", o.name, vals.join(", "))
            }
        }
        _ => format!("{prop} = {}", show(record.properties.get(prop))),
    };
    if !out.contains(&text) {
        out.push(text);
    }
}

fn event_text(e: &ast::Event) -> String {
    match &e.kind {
        ast::EventKind::FormSubmitted(n) => format!("form \"{}\" submitted", n.value),
        ast::EventKind::PageViewed(n) => format!("page \"{}\" viewed", n.value),
        ast::EventKind::Email { name, action } => format!(
            "email \"{}\" {}",
            name.value,
            match action {
                ast::EmailAction::Opened => "opened",
                ast::EmailAction::Clicked => "clicked",
                ast::EmailAction::Replied => "replied",
            }
        ),
        ast::EventKind::Custom(n) => format!("event \"{}\"", n.value),
    }
}

fn fact_event(f: ast::Fact) -> &'static str {
    match f {
        ast::Fact::Enrolled => "enrolled",
        ast::Fact::Finished => "finished",
        ast::Fact::LeftByGoal => "goal_met",
        ast::Fact::Unenrolled => "unenrolled",
    }
}

fn times_text(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

struct Judge<'a, 'c> {
    cx: &'a Context<'c>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    history: &'a [Json],
    final_records: &'a [Record],
    /// Records at a moment (runs cut at that moment), by moment.
    states: BTreeMap<DateTime<Utc>, Vec<Record>>,
    prepared: &'a Prepared,
    /// `seq` of the error events some `expect ... error` accounts for.
    expected_errors: BTreeSet<u64>,
}

/// The plan of a workflow a test names; a failure when there is none.
fn existing_plan<'a>(
    programs: &'a [runtime::Program],
    w: &str,
) -> Result<&'a Plan, (String, String, Vec<String>)> {
    plan_named(programs, w).ok_or_else(|| {
        (
            format!("workflow \"{w}\""),
            "it does not exist".to_string(),
            Vec::new(),
        )
    })
}

impl Judge<'_, '_> {
    fn records_at(&mut self, at: DateTime<Utc>) -> Result<Vec<Record>, String> {
        if at >= self.end {
            return Ok(self.final_records.to_vec());
        }
        if let Some(r) = self.states.get(&at) {
            return Ok(r.clone());
        }
        let mut sink = Collect::default();
        let records = runtime::run(
            self.cx.programs,
            &self.cx.comp.env,
            RunInput {
                records: self.prepared.records.clone(),
                events: self.prepared.events.clone(),
                start: Some(self.start),
                until: Some(at),
            },
            &mut sink,
        )
        .map_err(|e| e.to_string())?;
        self.states.insert(at, records.clone());
        Ok(records)
    }

    /// The events of `record` (in `workflow`, when given) up to `until`.
    fn events(&self, record: &str, workflow: Option<&str>, until: DateTime<Utc>) -> Vec<&Json> {
        self.history
            .iter()
            .filter(|e| field(e, "record") == record)
            .filter(|e| workflow.is_none_or(|w| field(e, "workflow") == w))
            .filter(|e| at_of(e).is_some_and(|t| t <= until))
            .collect()
    }

    fn bound(&self, moment: DateTime<Utc>, within: &Option<ast::Duration>) -> DateTime<Utc> {
        match within {
            Some(d) => moment.min(setup::after(self.start, d)),
            None => moment,
        }
    }

    /// Judge one expectation; `Err` holds (expected, actual, history).
    fn expectation(
        &mut self,
        t: &ast::TestItem,
        x: &ast::Expectation,
        moment: DateTime<Utc>,
    ) -> Result<(), (String, String, Vec<String>)> {
        let record = x.record.as_ref().map(|r| r.name.as_str()).unwrap_or("");
        let wf_name = |w: &Option<ast::StrLit>| -> String {
            w.as_ref()
                .map_or_else(|| t.workflow.value.to_string(), |s| s.value.to_string())
        };
        match &x.kind {
            ExpectKind::Condition(c) => {
                let records = self
                    .records_at(moment)
                    .map_err(|e| ("the run to reach the moment".to_string(), e, Vec::new()))?;
                let Some(rec) = records.iter().find(|r| r.id == record) else {
                    return Err((
                        format!("record `{record}` to meet the condition"),
                        format!("record `{record}` does not exist at that moment"),
                        Vec::new(),
                    ));
                };
                let ok = holds(self.cx, &records, record, &rec.object, c, moment)
                    .map_err(|e| ("the condition to be judged".to_string(), e, Vec::new()))?;
                if ok {
                    return Ok(());
                }
                let mut vals = Vec::new();
                values_read(&records, rec, c, &mut vals);
                Err((
                    format!("`{record}` to meet the condition"),
                    format!("it does not: {}", vals.join(", ")),
                    slice(&self.events(record, None, moment)),
                ))
            }
            ExpectKind::Enrollment {
                negated,
                fact,
                workflow,
                within,
                ..
            } => {
                let w = wf_name(workflow);
                let until = self.bound(moment, within);
                let evs = self.events(record, Some(&w), moment);
                let hit = evs.iter().find(|e| {
                    field(e, "event") == fact_event(*fact) && at_of(e).is_some_and(|t| t <= until)
                });
                let by = within
                    .as_ref()
                    .map(|d| format!(" within {}", crate::fmt::duration_text(d)))
                    .unwrap_or_default();
                match (hit, negated) {
                    (Some(_), false) | (None, true) => Ok(()),
                    (None, false) => Err((
                        format!("`{record}` {} \"{w}\"{by}", fact_phrase(*fact)),
                        if evs.is_empty() {
                            format!("`{record}` has no history in \"{w}\"")
                        } else {
                            format!("no `{}` event{by}", fact_event(*fact))
                        },
                        slice(&evs),
                    )),
                    (Some(e), true) => Err((
                        format!("`{record}` not {} \"{w}\"{by}", fact_phrase(*fact)),
                        format!("`{}` at {}", fact_event(*fact), field(e, "at")),
                        slice(&evs),
                    )),
                }
            }
            ExpectKind::Reached {
                negated,
                label,
                workflow,
                within,
            } => {
                let w = wf_name(workflow);
                let plan = existing_plan(self.cx.programs, &w)?;
                let node = plan
                    .nodes
                    .iter()
                    .find(|n| n.label.as_deref() == Some(label.name.as_str()))
                    .ok_or_else(|| {
                        (
                            format!("a step labelled `{}` in \"{w}\"", label.name),
                            "there is none".to_string(),
                            Vec::new(),
                        )
                    })?;
                let until = self.bound(moment, within);
                let evs = self.events(record, Some(&w), until);
                let ran = executed_nodes(plan, evs.iter().copied()).contains(&node.id);
                if ran != *negated {
                    return Ok(());
                }
                Err((
                    format!(
                        "`{record}` {}to reach `{}` (line {}) in \"{w}\"",
                        if *negated { "not " } else { "" },
                        label.name,
                        node.source.line
                    ),
                    if ran {
                        "it reached it".to_string()
                    } else {
                        "it never got there".to_string()
                    },
                    slice(&evs),
                ))
            }
            ExpectKind::Took {
                path,
                branch,
                workflow,
            } => {
                let w = wf_name(workflow);
                let plan = existing_plan(self.cx.programs, &w)?;
                let branches: Vec<&plan::Node> = plan
                    .nodes
                    .iter()
                    .filter(|n| {
                        matches!(
                            n.action,
                            Action::BranchIf { .. } | Action::BranchValue { .. }
                        )
                    })
                    .collect();
                let i = branch.as_ref().map_or(1, |n| n.value as usize);
                let node = branches.get(i.saturating_sub(1)).ok_or_else(|| {
                    (
                        format!("branch {i} of \"{w}\""),
                        format!("the workflow has {} branch(es)", branches.len()),
                        Vec::new(),
                    )
                })?;
                let evs = self.events(record, Some(&w), moment);
                let taken: Vec<&str> = evs
                    .iter()
                    .filter(|e| field(e, "event") == "branch" && field(e, "node") == node.id)
                    .map(|e| {
                        e.get("detail")
                            .and_then(|d| d.get("path"))
                            .and_then(Json::as_str)
                            .unwrap_or("")
                    })
                    .collect();
                if taken.iter().any(|p| *p == path.value.as_str()) {
                    return Ok(());
                }
                Err((
                    format!(
                        "`{record}` to take path \"{}\" of the branch on line {} of \"{w}\"",
                        path.value, node.source.line
                    ),
                    if taken.is_empty() {
                        "the record never reached that branch".to_string()
                    } else {
                        format!(
                            "it took {}",
                            taken
                                .iter()
                                .map(|p| format!("\"{p}\""))
                                .collect::<Vec<_>>()
                                .join(", then ")
                        )
                    },
                    slice(&evs),
                ))
            }
            ExpectKind::Ran {
                negated,
                step,
                times,
                at,
                within,
                workflow,
            } => {
                let w = wf_name(workflow);
                let plan = existing_plan(self.cx.programs, &w)?;
                let wanted = synthetic(
                    &plan.object,
                    Vec::new(),
                    vec![(**step).clone()],
                    step.span,
                    self.cx,
                );
                let Some(action) = wanted.nodes.first().map(|n| &n.action) else {
                    return Err(("an action".to_string(), "no action".to_string(), Vec::new()));
                };
                let step_text = self.cx.comp.sources.snippet(step.span).trim().to_string();
                let nodes: BTreeSet<&str> = plan
                    .nodes
                    .iter()
                    .filter(|n| n.action == *action)
                    .map(|n| n.id.as_str())
                    .collect();
                let until = self.bound(moment, within);
                let evs = self.events(record, Some(&w), moment);
                if nodes.is_empty() && !*negated {
                    let kinds: Vec<String> = plan
                        .nodes
                        .iter()
                        .filter(|n| n.action.kind() == action.kind())
                        .map(|n| format!("line {}", n.source.line))
                        .collect();
                    return Err((
                        format!("`{record}` to run `{step_text}` in \"{w}\""),
                        if kinds.is_empty() {
                            format!("\"{w}\" has no `{}` step at all", action.kind())
                        } else {
                            format!(
                                "\"{w}\" has no such step; its `{}` steps (on {}) differ",
                                action.kind(),
                                kinds.join(", ")
                            )
                        },
                        slice(&evs),
                    ));
                }
                let exact = at.as_ref().map(|d| setup::after(self.start, d));
                let runs: Vec<&&Json> = evs
                    .iter()
                    .filter(|e| field(e, "event") == "action" && nodes.contains(field(e, "node")))
                    .filter(|e| at_of(e).is_some_and(|t| t <= until))
                    .filter(|e| exact.is_none_or(|x| at_of(e) == Some(x)))
                    .collect();
                let n = runs.len() as u64;
                let met = match times {
                    Some(t) => n == t.count,
                    None => n >= 1,
                };
                if met != *negated {
                    return Ok(());
                }
                let how = match (times, at) {
                    (Some(t), _) => format!(" {}", times_text(t.count)),
                    (None, Some(_)) => String::new(),
                    (None, None) => " at least once".to_string(),
                };
                let when = match (at, within) {
                    (Some(d), _) => format!(
                        " at {} (+{})",
                        runtime::model::format_time(setup::after(self.start, d)),
                        crate::fmt::duration_text(d)
                    ),
                    (None, Some(d)) => format!(" within {}", crate::fmt::duration_text(d)),
                    _ => String::new(),
                };
                let all: Vec<String> = evs
                    .iter()
                    .filter(|e| field(e, "event") == "action" && nodes.contains(field(e, "node")))
                    .filter_map(|e| e.get("at").and_then(Json::as_str).map(str::to_string))
                    .collect();
                Err((
                    format!(
                        "`{record}` {}to run `{step_text}`{how}{when}",
                        if *negated { "not " } else { "" }
                    ),
                    if all.is_empty() {
                        "it never ran".to_string()
                    } else {
                        format!(
                            "it ran {} in all, at {}",
                            times_text(all.len() as u64),
                            all.join(", ")
                        )
                    },
                    slice(&evs),
                ))
            }
            ExpectKind::Error { reason } => {
                let matching: Vec<&Json> = self
                    .history
                    .iter()
                    .filter(|e| field(e, "event") == "error")
                    .filter(|e| x.record.is_none() || field(e, "record") == record)
                    .filter(|e| at_of(e).is_some_and(|t| t <= moment))
                    .filter(|e| {
                        reason.as_ref().is_none_or(|r| {
                            e.get("detail")
                                .and_then(|d| d.get("reason"))
                                .and_then(Json::as_str)
                                .is_some_and(|s| s.contains(r.value.as_str()))
                        })
                    })
                    .collect();
                for e in &matching {
                    if let Some(s) = e.get("seq").and_then(Json::as_u64) {
                        self.expected_errors.insert(s);
                    }
                }
                if !matching.is_empty() {
                    return Ok(());
                }
                let who = if record.is_empty() {
                    "the run".to_string()
                } else {
                    format!("`{record}`")
                };
                Err((
                    format!(
                        "an error for {who}{}",
                        reason
                            .as_ref()
                            .map(|r| format!(" whose reason contains \"{}\"", r.value))
                            .unwrap_or_default()
                    ),
                    "no such error".to_string(),
                    if record.is_empty() {
                        Vec::new()
                    } else {
                        slice(&self.events(record, None, moment))
                    },
                ))
            }
        }
    }
}

fn fact_phrase(f: ast::Fact) -> &'static str {
    match f {
        ast::Fact::Enrolled => "enrolled in",
        ast::Fact::Finished => "to finish",
        ast::Fact::LeftByGoal => "to leave by the goal of",
        ast::Fact::Unenrolled => "unenrolled from",
    }
}

/// Run the test and judge every expectation, in source order.
pub(crate) fn judge(
    cx: &Context<'_>,
    t: &ast::TestItem,
    prepared: &Prepared,
    result: &mut TestResult,
) {
    let mut sink = Collect::default();
    let run = runtime::run(
        cx.programs,
        &cx.comp.env,
        RunInput {
            records: prepared.records.clone(),
            events: prepared.events.clone(),
            start: Some(prepared.start),
            until: None,
        },
        &mut sink,
    );
    let history = sink.0;
    let final_records = match run {
        Ok(r) => r,
        Err(e) => {
            result.failures.push(Failure {
                span: t.keyword,
                expectation: format!("test \"{}\"", t.name.value),
                expected: "the run to complete".to_string(),
                actual: e.to_string(),
                history: slice(&history.iter().collect::<Vec<_>>()),
            });
            result.history = history;
            return;
        }
    };
    let last_event = prepared.events.iter().map(|e| e.at).max();
    let last_history = history.iter().filter_map(at_of).max();
    let end = [Some(prepared.start), last_event, last_history]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(prepared.start);
    let mut judge = Judge {
        cx,
        start: prepared.start,
        end,
        history: &history,
        final_records: &final_records,
        states: BTreeMap::new(),
        prepared,
        expected_errors: BTreeSet::new(),
    };
    let sources = &cx.comp.sources;
    for line in &t.lines {
        let TestLineKind::Expect(x) = &line.kind else {
            continue;
        };
        let moment = match &line.when {
            Some(w) => match setup::instant(cx, prepared.start, w) {
                Ok(m) => m,
                Err(e) => {
                    result.failures.push(Failure {
                        span: line.span,
                        expectation: sources.snippet(line.span).trim().to_string(),
                        expected: "a valid moment".to_string(),
                        actual: e,
                        history: Vec::new(),
                    });
                    continue;
                }
            },
            None => end,
        };
        if let Err((expected, actual, history)) = judge.expectation(t, x, moment) {
            result.failures.push(Failure {
                span: line.span,
                expectation: sources.snippet(line.span).trim().to_string(),
                expected,
                actual,
                history,
            });
        }
    }
    // Any error the test did not expect fails it.
    for e in history.iter().filter(|e| field(e, "event") == "error") {
        let seq = e.get("seq").and_then(Json::as_u64).unwrap_or(0);
        if judge.expected_errors.contains(&seq) {
            continue;
        }
        let reason = e
            .get("detail")
            .and_then(|d| d.get("reason"))
            .and_then(Json::as_str)
            .unwrap_or("");
        let record = field(e, "record");
        let evs: Vec<&Json> = history
            .iter()
            .filter(|h| field(h, "record") == record)
            .filter(|h| h.get("seq").and_then(Json::as_u64).unwrap_or(0) <= seq)
            .collect();
        result.failures.push(Failure {
            span: t.keyword,
            expectation: format!("test \"{}\"", t.name.value),
            expected:
                "no error in the run (write `expect <record> error \"...\"` when one is meant)"
                    .to_string(),
            actual: format!(
                "error for `{record}` in \"{}\" at {}: {reason}",
                field(e, "workflow"),
                field(e, "at")
            ),
            history: slice(&evs),
        });
    }
    result.history = history;
}
