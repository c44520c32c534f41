//! Plans as the engine runs them: validated once on load, node ids resolved
//! to indices, times and weekdays parsed.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveTime, Weekday};

use crate::plan::{Action, Centering, Condition, Plan, TemplatePart, Trigger, Value, PLAN_FORMAT};

/// A plan that failed validation: which plan and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    pub plan: String,
    pub message: String,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "workflow `{}`: {}", self.plan, self.message)
    }
}

/// The resolved centre of a date-centred workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Centre {
    Date(NaiveDate),
    Property(String),
}

/// Per node: its successor edges as indices.
#[derive(Clone, Debug, Default)]
pub struct Edges {
    pub next: Option<usize>,
    /// Branch cases (in order) for `branch_if` / `branch_value`.
    pub cases: Vec<Option<usize>>,
    pub else_next: Option<usize>,
    /// `goto` target, or the `timeout_next` of `delay_until_event`.
    pub jump: Option<usize>,
    /// Parsed weekdays and time of `delay_until_time` / `delay_until_date`.
    pub days: Vec<Weekday>,
    pub time: Option<NaiveTime>,
}

/// A validated plan.
#[derive(Clone, Debug)]
pub struct Program {
    pub plan: Plan,
    pub start: Option<usize>,
    pub edges: Vec<Edges>,
    pub centre: Option<Centre>,
    /// Every property name the triggers, goals and unenrollment criteria
    /// read (on any object, tokens in literals included): a change of any
    /// other property cannot change whether a record meets them.
    pub reads: HashSet<String>,
    /// Whether those criteria read another object type's properties (then
    /// a new association can change their results).
    pub reads_associated: bool,
}

impl Program {
    /// Whether a change of `property` may change the result of the
    /// workflow's triggers, goals or unenrollment criteria.
    pub fn reads(&self, property: &str) -> bool {
        self.reads.contains(property)
    }
}

/// The properties criteria read; `objects` collects the object types of
/// associated paths and tokens.
struct Reads {
    properties: HashSet<String>,
    objects: HashSet<String>,
}

impl Reads {
    fn path(&mut self, p: &crate::plan::PropertyRef) {
        self.properties.insert(p.property.clone());
        if let Some(o) = &p.object {
            self.objects.insert(o.clone());
        }
    }
}

fn value_reads(v: &Value, out: &mut Reads) {
    match v {
        Value::Template { template } => {
            for part in &template.0 {
                if let TemplatePart::Token { object, property } = part {
                    out.properties.insert(property.clone());
                    out.objects.insert(object.clone());
                }
            }
        }
        Value::List(items) => items.iter().for_each(|i| value_reads(i, out)),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

fn condition_reads(c: &Condition, out: &mut Reads) {
    match c {
        Condition::And { all } => all.iter().for_each(|c| condition_reads(c, out)),
        Condition::Or { any } => any.iter().for_each(|c| condition_reads(c, out)),
        Condition::Not { condition } => condition_reads(condition, out),
        Condition::Compare {
            property, value, ..
        } => {
            out.path(property);
            value_reads(value, out);
        }
        Condition::In {
            property, values, ..
        } => {
            out.path(property);
            values.iter().for_each(|v| value_reads(v, out));
        }
        Condition::Contains { property, .. } | Condition::Known { property, .. } => {
            out.path(property);
        }
        Condition::Event { .. } => {}
    }
}

/// (properties read, whether another object type is read)
fn plan_reads(plan: &Plan) -> (HashSet<String>, bool) {
    let mut out = Reads {
        properties: HashSet::new(),
        objects: HashSet::new(),
    };
    for t in &plan.triggers {
        if let Trigger::Filter { condition } = t {
            condition_reads(condition, &mut out);
        }
    }
    for c in plan.goals.iter().chain(&plan.unenroll) {
        condition_reads(c, &mut out);
    }
    let associated = out.objects.iter().any(|o| *o != plan.object);
    (out.properties, associated)
}

/// Parse `HH:MM` (24-hour).
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    NaiveTime::from_hms_opt(h, m, 0)
}

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

impl Program {
    /// Validate a plan: format, unique node ids, every edge to an existing
    /// node, valid times, weekdays and centre date.
    pub fn new(plan: Plan) -> Result<Program, PlanError> {
        let fail = |message: String| PlanError {
            plan: plan.name.clone(),
            message,
        };
        if plan.format != PLAN_FORMAT {
            return Err(fail(format!(
                "unsupported plan format `{}` (expected `{PLAN_FORMAT}`)",
                plan.format
            )));
        }
        if plan.triggers.len() > 64 {
            return Err(fail(format!(
                "{} enrollment triggers (at most 64)",
                plan.triggers.len()
            )));
        }
        if plan.object.is_empty() {
            return Err(fail("object type is empty".into()));
        }
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(plan.nodes.len());
        for (i, node) in plan.nodes.iter().enumerate() {
            if ids.insert(node.id.as_str(), i).is_some() {
                return Err(fail(format!("duplicate node id `{}`", node.id)));
            }
        }
        let resolve =
            |from: &str, field: &str, to: &Option<String>| -> Result<Option<usize>, PlanError> {
                match to {
                    None => Ok(None),
                    Some(id) => ids.get(id.as_str()).copied().map(Some).ok_or_else(|| {
                        fail(format!(
                            "`{field}` of node `{from}` names unknown node `{id}`"
                        ))
                    }),
                }
            };
        let start = resolve("(plan)", "start", &plan.start)?;
        let mut edges = Vec::with_capacity(plan.nodes.len());
        for node in &plan.nodes {
            let id = node.id.as_str();
            let mut e = Edges {
                next: resolve(id, "next", &node.next)?,
                ..Edges::default()
            };
            match &node.action {
                Action::BranchIf { cases, else_next } => {
                    for c in cases {
                        e.cases.push(resolve(id, "next", &c.next)?);
                    }
                    e.else_next = resolve(id, "else_next", else_next)?;
                }
                Action::BranchValue {
                    cases, else_next, ..
                } => {
                    for c in cases {
                        e.cases.push(resolve(id, "next", &c.next)?);
                    }
                    e.else_next = resolve(id, "else_next", else_next)?;
                }
                Action::Goto { target, .. } => {
                    e.jump = resolve(id, "target", &Some(target.clone()))?;
                }
                Action::DelayUntilEvent { timeout_next, .. } => {
                    e.jump = resolve(id, "timeout_next", timeout_next)?;
                }
                Action::DelayUntilTime { days, time } => {
                    for d in days {
                        let wd = parse_weekday(d)
                            .ok_or_else(|| fail(format!("node `{id}`: unknown weekday `{d}`")))?;
                        e.days.push(wd);
                    }
                    e.time = match time {
                        None => None,
                        Some(t) => Some(parse_hhmm(t).ok_or_else(|| {
                            fail(format!(
                                "node `{id}`: invalid time of day `{t}` (expected HH:MM)"
                            ))
                        })?),
                    };
                }
                Action::DelayUntilDate { time, .. } => {
                    if plan.centered_on.is_none() {
                        return Err(fail(format!(
                            "node `{id}`: `delay_until_date` in a workflow that is not date-centred"
                        )));
                    }
                    e.time = match time {
                        None => None,
                        Some(t) => Some(parse_hhmm(t).ok_or_else(|| {
                            fail(format!(
                                "node `{id}`: invalid time of day `{t}` (expected HH:MM)"
                            ))
                        })?),
                    };
                }
                _ => {}
            }
            edges.push(e);
        }
        if let Some(at) = find_cycle(start, &edges) {
            return Err(fail(format!(
                "the steps loop back to node `{}` (plans have no cycles: a goto may only jump forward into another path of a branch)",
                plan.nodes.get(at).map(|n| n.id.as_str()).unwrap_or("?")
            )));
        }
        let centre = match &plan.centered_on {
            None => None,
            Some(Centering::Date(d)) => Some(Centre::Date(
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    fail(format!("invalid centre date `{d}` (expected YYYY-MM-DD)"))
                })?,
            )),
            Some(Centering::Property(p)) => Some(Centre::Property(p.clone())),
        };
        let (reads, reads_associated) = plan_reads(&plan);
        Ok(Program {
            plan,
            start,
            edges,
            centre,
            reads,
            reads_associated,
        })
    }
}

/// The successors of a node, in edge order.
fn successors(e: &Edges) -> impl Iterator<Item = usize> + '_ {
    e.next
        .into_iter()
        .chain(e.cases.iter().flatten().copied())
        .chain(e.else_next)
        .chain(e.jump)
}

/// A node on a cycle reachable from `start`, if any (iterative depth-first
/// search, so a long plan cannot overflow the stack). Nodes not reachable
/// from `start` never run and are not checked.
fn find_cycle(start: Option<usize>, edges: &[Edges]) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; edges.len()];
    let root = start?;
    // (node, index of the next successor to visit)
    let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
    mark[root] = Mark::Open;
    while let Some(&mut (node, ref mut i)) = stack.last_mut() {
        let next = successors(&edges[node]).nth(*i);
        *i += 1;
        match next {
            None => {
                mark[node] = Mark::Done;
                stack.pop();
            }
            Some(n) => match mark[n] {
                Mark::Open => return Some(n),
                Mark::Done => {}
                Mark::New => {
                    mark[n] = Mark::Open;
                    stack.push((n, 0));
                }
            },
        }
    }
    None
}

/// Validate a set of plans together: each one, and unique workflow names.
pub fn load(plans: Vec<Plan>) -> Result<Vec<Program>, PlanError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(plans.len());
    for plan in plans {
        if !seen.insert(plan.name.clone()) {
            return Err(PlanError {
                plan: plan.name.clone(),
                message: "two workflows have this name".into(),
            });
        }
        out.push(Program::new(plan)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::{parse_hhmm, parse_weekday};

    #[test]
    fn every_weekday_is_written_in_full_in_lower_case() {
        let days = [
            ("monday", Weekday::Mon),
            ("tuesday", Weekday::Tue),
            ("wednesday", Weekday::Wed),
            ("thursday", Weekday::Thu),
            ("friday", Weekday::Fri),
            ("saturday", Weekday::Sat),
            ("sunday", Weekday::Sun),
        ];
        for (name, day) in days {
            assert_eq!(parse_weekday(name), Some(day), "{name}");
        }
        for bad in ["Monday", "mon", ""] {
            assert_eq!(parse_weekday(bad), None, "{bad}");
        }
    }

    /// A time of day in a plan: one or two digits of hour, two of minutes.
    #[test]
    fn a_time_of_day_is_one_or_two_hour_digits_and_two_minute_digits() {
        for ok in ["9:05", "09:05", "00:00", "23:59"] {
            assert!(parse_hhmm(ok).is_some(), "{ok}");
        }
        for bad in [
            "9:5", "009:05", ":05", "9:", "24:00", "9:60", "905", "9:05:00",
        ] {
            assert!(parse_hhmm(bad).is_none(), "{bad}");
        }
    }
}
