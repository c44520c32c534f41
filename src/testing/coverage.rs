//! Coverage: which steps (plan nodes) and which branch paths at least one
//! test went through, per workflow, with what was never exercised and its
//! source line.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value as Json;

use super::trace::executed_nodes;
use super::TestResult;
use crate::plan::{Action, Plan};

/// Coverage of every workflow of the compilation, in compilation order.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub workflows: Vec<WorkflowCoverage>,
    pub steps_covered: usize,
    pub steps_total: usize,
    pub paths_covered: usize,
    pub paths_total: usize,
    /// Steps and paths together, in percent (100 when there is nothing to cover).
    pub percent: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkflowCoverage {
    pub workflow: String,
    pub file: String,
    pub line: u32,
    pub steps_covered: usize,
    pub steps_total: usize,
    pub paths_covered: usize,
    pub paths_total: usize,
    pub percent: f64,
    /// What no test exercised, in line order.
    pub uncovered: Vec<Uncovered>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Uncovered {
    pub line: u32,
    /// `"step"` or `"path"`.
    pub what: &'static str,
    /// `send_email` (a step's kind, with its label) or `"else" of branch_if`.
    pub description: String,
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        // one decimal, rounded down: 99.95% never shows as 100%
        ((covered as f64) * 1000.0 / (total as f64)).floor() / 10.0
    }
}

fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The paths of a branch node: (name as the history writes it, names that
/// select it).
fn paths(action: &Action) -> Vec<(String, Vec<String>)> {
    match action {
        Action::BranchIf { cases, .. } => {
            let mut out: Vec<(String, Vec<String>)> = cases
                .iter()
                .map(|c| (c.path.clone(), vec![c.path.clone()]))
                .collect();
            out.push(("else".to_string(), vec!["else".to_string()]));
            out
        }
        Action::BranchValue { cases, .. } => {
            let mut out: Vec<(String, Vec<String>)> = cases
                .iter()
                .map(|c| {
                    let names: Vec<String> = c
                        .values
                        .iter()
                        .map(|v| {
                            serde_json::to_value(v)
                                .map(|j| text(&j))
                                .unwrap_or_default()
                        })
                        .collect();
                    (names.join("\", \""), names)
                })
                .collect();
            out.push(("else".to_string(), vec!["else".to_string()]));
            out
        }
        _ => Vec::new(),
    }
}

impl Coverage {
    /// Several coverages (of several projects) as one.
    pub fn merge<'a>(parts: impl Iterator<Item = &'a Coverage>) -> Coverage {
        let workflows: Vec<WorkflowCoverage> = parts.flat_map(|c| c.workflows.clone()).collect();
        totals(workflows)
    }
}

fn totals(workflows: Vec<WorkflowCoverage>) -> Coverage {
    let sum = |f: fn(&WorkflowCoverage) -> usize| workflows.iter().map(f).sum::<usize>();
    let (sc, st, pc, pt) = (
        sum(|w| w.steps_covered),
        sum(|w| w.steps_total),
        sum(|w| w.paths_covered),
        sum(|w| w.paths_total),
    );
    Coverage {
        percent: percent(sc + pc, st + pt),
        workflows,
        steps_covered: sc,
        steps_total: st,
        paths_covered: pc,
        paths_total: pt,
    }
}

pub(crate) fn measure(plans: &[Plan], results: &[TestResult]) -> Coverage {
    let mut workflows = Vec::new();
    for plan in plans {
        let events: Vec<&Json> = results
            .iter()
            .flat_map(|r| r.history.iter())
            .filter(|e| e.get("workflow").and_then(Json::as_str) == Some(plan.name.as_str()))
            .collect();
        // executed nodes, per (test, record): the inference of silent delays
        // is per run
        let mut done: BTreeSet<String> = BTreeSet::new();
        for r in results {
            let evs: Vec<&Json> = r
                .history
                .iter()
                .filter(|e| e.get("workflow").and_then(Json::as_str) == Some(plan.name.as_str()))
                .collect();
            done.extend(executed_nodes(plan, evs.into_iter()));
        }
        let mut taken: BTreeSet<(String, String)> = BTreeSet::new();
        for e in &events {
            if e.get("event").and_then(Json::as_str) == Some("branch") {
                let node = e.get("node").and_then(Json::as_str).unwrap_or("");
                let path = e
                    .get("detail")
                    .and_then(|d| d.get("path"))
                    .and_then(Json::as_str)
                    .unwrap_or("");
                taken.insert((node.to_string(), path.to_string()));
            }
        }
        let mut wc = WorkflowCoverage {
            workflow: plan.name.clone(),
            file: plan.source.file.clone(),
            line: plan.source.line,
            steps_covered: 0,
            steps_total: plan.nodes.len(),
            paths_covered: 0,
            paths_total: 0,
            percent: 0.0,
            uncovered: Vec::new(),
        };
        for n in &plan.nodes {
            if done.contains(&n.id) {
                wc.steps_covered += 1;
            } else {
                let label = n
                    .label
                    .as_ref()
                    .map(|l| format!(" `{l}`"))
                    .unwrap_or_default();
                wc.uncovered.push(Uncovered {
                    line: n.source.line,
                    what: "step",
                    description: format!("{}{label}", n.action.kind()),
                });
            }
            for (name, selectors) in paths(&n.action) {
                wc.paths_total += 1;
                if selectors
                    .iter()
                    .any(|s| taken.contains(&(n.id.clone(), s.clone())))
                {
                    wc.paths_covered += 1;
                } else {
                    wc.uncovered.push(Uncovered {
                        line: n.source.line,
                        what: "path",
                        description: format!("\"{name}\" of {}", n.action.kind()),
                    });
                }
            }
        }
        wc.uncovered.sort_by_key(|u| u.line);
        wc.percent = percent(
            wc.steps_covered + wc.paths_covered,
            wc.steps_total + wc.paths_total,
        );
        workflows.push(wc);
    }
    totals(workflows)
}
