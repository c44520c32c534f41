//! `test` items: the records, inputs and expectations of a test are checked
//! like the workflow text they mirror — properties and values against the
//! schema (WF101, WF203), workflow names (WF103), labels (WF104), events and
//! conditions as in `enroll when` — plus the test-only rules: every record a
//! line names is declared once (WF108), and every expectation can match
//! something in the workflow under test (WF109).

use std::collections::BTreeMap;

use super::{flow, resolve, typing, Checker, Wf};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::source::Span;
use crate::syntax::ast::{self, ExpectKind, StepKind, TestLineKind};

/// The object type of a record id of the form `<object>-<n>` (a record
/// created during the run).
pub(crate) fn created_object<'a>(cx: &Checker, id: &'a str) -> Option<&'a str> {
    let (object, n) = id.rsplit_once('-')?;
    let digits = !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit());
    (digits && (object == "task" || cx.env.schema.object(object).is_some())).then_some(object)
}

/// Check one test. `workflows`: every workflow of the project by name.
pub(super) fn test<'a>(
    cx: &mut Checker<'a>,
    t: &'a ast::TestItem,
    workflows: &BTreeMap<&str, &'a ast::Workflow>,
) {
    let under_test = resolve::enroll_target(cx, "", &t.workflow).map(|_| ());
    let default_wf = under_test.and_then(|_| workflows.get(t.workflow.value.as_str()).copied());

    // The records: declared once each, whatever their line.
    let mut records: BTreeMap<String, String> = BTreeMap::new();
    let mut first: BTreeMap<String, Span> = BTreeMap::new();
    for line in &t.lines {
        if let TestLineKind::Record { object, id, .. } = &line.kind {
            if let Some(f) = first.get(id.name.as_str()) {
                cx.push(wf108_duplicate_record(id, *f));
                continue;
            }
            first.insert(id.name.to_string(), id.span);
            records.insert(id.name.to_string(), object.name.to_string());
        }
    }

    for line in &t.lines {
        match &line.when {
            Some(ast::When::After(d)) => offset(cx, d),
            Some(ast::When::On { date, time, .. }) => {
                flow::date(cx, date);
                if let Some(tm) = time {
                    flow::time(cx, tm);
                }
            }
            None => {}
        }
        match &line.kind {
            TestLineKind::Start { date, time } => {
                flow::date(cx, date);
                if let Some(tm) = time {
                    flow::time(cx, tm);
                }
            }
            TestLineKind::Record {
                object,
                fields,
                with,
                ..
            } => {
                if cx.env.schema.object(&object.name).is_none() {
                    let d = resolve::wf102_unknown_object(cx, object);
                    cx.push_name(d);
                } else {
                    record_fields(cx, &object.name, fields);
                }
                for w in with {
                    known_record(cx, &records, w);
                }
            }
            TestLineKind::Set { record, fields } => {
                if let Some(object) = known_record(cx, &records, record) {
                    record_fields(cx, &object, fields);
                }
            }
            TestLineKind::Event { event, record } => {
                if let Some(object) = known_record(cx, &records, record) {
                    with_object(cx, &object, |cx, wf| cx.event(wf, event));
                }
            }
            TestLineKind::Enroll { record, workflow } => {
                known_record(cx, &records, record);
                resolve::enroll_target(cx, "", workflow);
            }
            TestLineKind::Expect(x) => expectation(cx, x, &records, default_wf, workflows),
        }
    }
}

/// An offset from the start of a test: a duration (WF405), where zero is
/// allowed (`at 0m`: at the start).
fn offset(cx: &mut Checker, d: &ast::Duration) {
    if d.total_minutes() > 0 {
        flow::duration(cx, d, None);
    }
}

/// The object type of a record the test declares (or of a created id);
/// WF108 otherwise.
fn known_record(
    cx: &mut Checker,
    records: &BTreeMap<String, String>,
    id: &ast::Ident,
) -> Option<String> {
    if let Some(o) = records.get(id.name.as_str()) {
        return Some(o.clone());
    }
    if let Some(o) = created_object(cx, &id.name) {
        return Some(o.to_string());
    }
    let help = cx.did_you_mean(&id.name, records.keys().map(String::as_str));
    cx.push(wf108_unknown_record(id, help));
    None
}

/// The fields of a record literal against the properties of `object`
/// (WF101, WF203).
fn record_fields(cx: &mut Checker, object: &str, fields: &[ast::Field]) {
    for f in fields {
        match cx.env.schema.property(object, &f.key.name) {
            Some(ty) => typing::value(cx, &f.key.name, ty, &f.value, true),
            None => {
                let d = resolve::wf101_unknown_property(cx, object, &f.key);
                cx.push_name(d);
            }
        }
    }
}

/// Run `f` in the context of a workflow for `object` (conditions, events
/// and steps resolve their paths against it).
fn with_object<'a>(cx: &mut Checker<'a>, object: &str, f: impl FnOnce(&mut Checker<'a>, &Wf<'a>)) {
    let object: Option<&'a str> = cx
        .env
        .schema
        .objects
        .get_key_value(object)
        .map(|(k, _)| k.as_str());
    let wf = Wf {
        name: "",
        object,
        centred: false,
        labels: BTreeMap::new(),
        has_syntax_error: false,
    };
    f(cx, &wf);
}

fn expectation<'a>(
    cx: &mut Checker<'a>,
    x: &'a ast::Expectation,
    records: &BTreeMap<String, String>,
    default_wf: Option<&'a ast::Workflow>,
    workflows: &BTreeMap<&str, &'a ast::Workflow>,
) {
    let object = match &x.record {
        Some(r) => match known_record(cx, records, r) {
            Some(o) => Some(o),
            None => return,
        },
        None => None,
    };
    // The workflow an expectation is about: its `in "..."`, else the test's.
    let target = |cx: &mut Checker<'a>, w: &Option<ast::StrLit>| -> Option<&'a ast::Workflow> {
        match w {
            Some(name) => {
                resolve::enroll_target(cx, "", name)?;
                workflows.get(name.value.as_str()).copied()
            }
            None => default_wf,
        }
    };
    let same_type = |cx: &mut Checker<'a>, wf: &ast::Workflow| -> bool {
        match (&object, &x.record) {
            (Some(o), Some(r)) if *o != wf.object.name.as_str() => {
                cx.push(wf109_other_type(r, o, wf));
                false
            }
            _ => true,
        }
    };
    match &x.kind {
        ExpectKind::Condition(c) => {
            if let Some(o) = &object {
                with_object(cx, o, |cx, wf| cx.condition(wf, c));
            }
        }
        ExpectKind::Enrollment {
            workflow, within, ..
        } => {
            if let Some(d) = within {
                offset(cx, d);
            }
            if let Some(wf) = target(cx, workflow) {
                same_type(cx, wf);
            }
        }
        ExpectKind::Reached {
            label,
            workflow,
            within,
            ..
        } => {
            if let Some(d) = within {
                offset(cx, d);
            }
            if let Some(wf) = target(cx, workflow) {
                if same_type(cx, wf) {
                    let mut labels = Vec::new();
                    ast::for_each_step(&wf.body, &mut |s| {
                        if let Some(l) = &s.label {
                            labels.push(l.name.to_string());
                        }
                    });
                    if !wf.has_syntax_error && !labels.iter().any(|l| *l == label.name) {
                        let help = cx.did_you_mean(&label.name, labels.iter().map(String::as_str));
                        cx.push(resolve::wf104_unknown_label(label, help));
                    }
                }
            }
        }
        ExpectKind::Took {
            path,
            branch,
            workflow,
        } => {
            if let Some(wf) = target(cx, workflow) {
                if same_type(cx, wf) && !wf.has_syntax_error {
                    took(cx, wf, path, branch.as_ref());
                }
            }
        }
        ExpectKind::Ran {
            step,
            at,
            within,
            workflow,
            ..
        } => {
            for d in [at, within].into_iter().flatten() {
                offset(cx, d);
            }
            if matches!(
                step.kind,
                StepKind::Delay(_)
                    | StepKind::DelayUntilTime { .. }
                    | StepKind::DelayUntilEvent { .. }
                    | StepKind::DelayUntilDate { .. }
                    | StepKind::If { .. }
                    | StepKind::Branch { .. }
                    | StepKind::Goto(_)
            ) {
                cx.push(wf109_not_an_action(step));
                return;
            }
            if let Some(wf) = target(cx, workflow) {
                if same_type(cx, wf) {
                    let o = wf.object.name.to_string();
                    with_object(cx, &o, |cx, w| {
                        let mut ancestry = Vec::new();
                        cx.step(w, step, &mut ancestry, false);
                    });
                }
            }
        }
        ExpectKind::Error { reason: _ } => {}
    }
}

/// WF109: `took "<path>" [of branch N]` names a branch and path the
/// workflow has.
fn took(cx: &mut Checker, wf: &ast::Workflow, path: &ast::StrLit, branch: Option<&ast::NumberLit>) {
    let branches = ast::branches(&wf.body);
    let name = wf.name.value.as_str();
    let chosen = match branch {
        Some(n) => {
            let i = n.value as usize;
            if n.value.fract() != 0.0 || i == 0 || i > branches.len() {
                cx.push(wf109_no_such_branch(n.span, name, branches.len()));
                return;
            }
            branches[i - 1]
        }
        None => match branches.as_slice() {
            [one] => one,
            _ => {
                cx.push(wf109_which_branch(path.span, name, branches.len()));
                return;
            }
        },
    };
    let paths = ast::branch_paths(&chosen.kind);
    if !paths.iter().any(|p| p.as_str() == path.value.as_str()) {
        let line = cx
            .sources
            .line_col(chosen.span.file, chosen.span.start as usize)
            .line;
        cx.push(wf109_no_such_path(path, &paths, line));
    }
}

// ------------------------------------------------------------ diagnostics

fn wf108_unknown_record(id: &ast::Ident, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF108,
        format!(
            "unknown record `{}` in this test",
            crate::diagnostics::shorten(&id.name)
        ),
        Label::new(id.span, "no record of the test has this id"),
    );
    match help {
        Some(h) => d.with_help(h),
        None => d.with_help("declare it first, such as `contact c1 { firstname = \"Ana\" }`"),
    }
}

fn wf108_duplicate_record(id: &ast::Ident, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF108,
        format!(
            "record `{}` is declared twice in this test",
            crate::diagnostics::shorten(&id.name)
        ),
        Label::new(id.span, "declared again here"),
    )
    .with_secondary(Label::new(first, "first declared here"))
    .with_help("give each record of a test its own id")
}

fn wf109_other_type(record: &ast::Ident, object: &str, wf: &ast::Workflow) -> Diagnostic {
    Diagnostic::new(
        Code::WF109,
        format!(
            "record `{}` is a {object}, workflow \"{}\" enrolls {} records",
            crate::diagnostics::shorten(&record.name),
            crate::diagnostics::shorten(&wf.name.value),
            wf.object.name
        ),
        Label::new(
            record.span,
            format!("a {object} can never be in this workflow"),
        ),
    )
    .with_help("name a record of the workflow's type, or another workflow with `in \"<name>\"`")
}

fn wf109_not_an_action(step: &ast::Step) -> Diagnostic {
    Diagnostic::new(
        Code::WF109,
        "`ran` expects an action, not a delay, branch or go-to",
        Label::new(step.keyword, "not an action"),
    )
    .with_help("check delays with `at <duration>` on the action after them, and branches with `took` or `reached`")
}

fn wf109_no_such_branch(span: Span, wf: &str, n: usize) -> Diagnostic {
    Diagnostic::new(
        Code::WF109,
        format!(
            "workflow \"{}\" has {n} branch{}",
            crate::diagnostics::shorten(wf),
            if n == 1 { "" } else { "es" }
        ),
        Label::new(span, "no branch has this number"),
    )
    .with_help("branches (`if` and `branch on`) are numbered from 1 in source order")
}

fn wf109_which_branch(span: Span, wf: &str, n: usize) -> Diagnostic {
    let (message, help) = if n == 0 {
        (
            format!(
                "workflow \"{}\" has no branch",
                crate::diagnostics::shorten(wf)
            ),
            "use `reached <label>` to check the path a record took".to_string(),
        )
    } else {
        (
            format!(
                "workflow \"{}\" has {n} branches: say which one",
                crate::diagnostics::shorten(wf)
            ),
            "add `of branch <n>`, counting `if` and `branch on` steps from 1 in source order"
                .to_string(),
        )
    };
    Diagnostic::new(Code::WF109, message, Label::new(span, "which branch?")).with_help(help)
}

fn wf109_no_such_path(path: &ast::StrLit, paths: &[String], line: u32) -> Diagnostic {
    Diagnostic::new(
        Code::WF109,
        format!(
            "the branch on line {line} has no path \"{}\"",
            crate::diagnostics::shorten(&path.value)
        ),
        Label::new(path.span, "not a path of this branch"),
    )
    .with_help(format!(
        "its paths are {}",
        paths
            .iter()
            .map(|p| format!("\"{}\"", crate::diagnostics::shorten(p)))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}
