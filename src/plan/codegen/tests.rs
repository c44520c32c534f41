//! Edges on hand-built ASTs (the text-level tests are in `tests/plan_edges.rs`).

use super::{number, workflow_plan};
use crate::plan::types::{Action, Node, Plan};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::*;

fn sp() -> Span {
    Span::default()
}
fn ident(s: &str) -> Ident {
    Ident {
        name: s.into(),
        span: sp(),
    }
}
fn lit(s: &str) -> StrLit {
    StrLit {
        value: s.into(),
        tokens: Box::default(),
        span: sp(),
    }
}
fn step(kind: StepKind) -> Step {
    Step {
        label: None,
        kind,
        span: sp(),
        keyword: sp(),
    }
}
fn labelled(label: &str, kind: StepKind) -> Step {
    Step {
        label: Some(Box::new(ident(label))),
        ..step(kind)
    }
}
fn block(steps: Vec<Step>) -> Block {
    Block { steps, span: sp() }
}
fn list(name: &str) -> Step {
    step(StepKind::AddToList(lit(name)))
}
fn cond(prop: &str) -> Condition {
    Condition {
        kind: ConditionKind::Known {
            path: Path {
                object: None,
                property: ident(prop),
                span: sp(),
            },
            known: true,
            op_span: sp(),
        },
        span: sp(),
    }
}
fn if_(arms: Vec<Block>, else_block: Option<Block>) -> Step {
    step(StepKind::If {
        arms: arms
            .into_iter()
            .map(|b| IfArm {
                condition: cond("email"),
                block: b,
                span: sp(),
            })
            .collect(),
        else_block,
    })
}
fn plan(steps: Vec<Step>) -> Plan {
    let mut sources = SourceMap::new();
    let file = sources.add("t.wf", "");
    let wf = Workflow {
        name: lit("T"),
        object: ident("contact"),
        centered: None,
        settings: Vec::new(),
        body: block(steps),
        span: Span::new(file, 0, 0),
        keyword: Span::new(file, 0, 0),
        has_syntax_error: false,
    };
    workflow_plan(&wf, &sources)
}
fn node<'p>(p: &'p Plan, id: &str) -> &'p Node {
    p.nodes.iter().find(|n| n.id == id).expect("node exists")
}
fn next(p: &Plan, id: &str) -> Option<String> {
    node(p, id).next.clone()
}
fn s(id: &str) -> Option<String> {
    Some(id.to_string())
}

#[test]
fn empty_workflow_has_no_start() {
    let p = plan(Vec::new());
    assert_eq!(p.start, None);
    assert!(p.nodes.is_empty());
}

#[test]
fn nested_if_in_branch_joins_at_each_level() {
    // n1 branch { "A" { n2 if { n3 } else { n4 }  n5 }  else { } }  n6
    let inner = if_(vec![block(vec![list("a")])], Some(block(vec![list("b")])));
    let branch = step(StepKind::Branch {
        path: Path {
            object: None,
            property: ident("lifecyclestage"),
            span: sp(),
        },
        cases: vec![BranchCase {
            values: vec![Value {
                kind: ValueKind::String(lit("lead")),
                span: sp(),
            }],
            block: block(vec![inner, list("c")]),
            span: sp(),
        }],
        else_block: Some(block(Vec::new())),
    });
    let p = plan(vec![branch, list("d")]);
    let ids: Vec<&str> = p.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["n1", "n2", "n3", "n4", "n5", "n6"]);
    assert_eq!(p.start, s("n1"));
    match &node(&p, "n1").action {
        Action::BranchValue {
            cases, else_next, ..
        } => {
            assert_eq!(cases[0].next, s("n2"));
            // empty else path: straight to the join node
            assert_eq!(*else_next, s("n6"));
        }
        other => panic!("unexpected {other:?}"),
    }
    match &node(&p, "n2").action {
        Action::BranchIf { cases, else_next } => {
            assert_eq!(cases[0].next, s("n3"));
            assert_eq!(*else_next, s("n4"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(next(&p, "n1"), None);
    assert_eq!(next(&p, "n2"), None);
    assert_eq!(next(&p, "n3"), s("n5"));
    assert_eq!(next(&p, "n4"), s("n5"));
    assert_eq!(next(&p, "n5"), s("n6"));
    assert_eq!(next(&p, "n6"), None);
}

#[test]
fn last_branch_without_else_joins_to_the_end() {
    let p = plan(vec![if_(vec![block(vec![list("a")])], None)]);
    match &node(&p, "n1").action {
        Action::BranchIf { cases, else_next } => {
            assert_eq!(cases[0].next, s("n2"));
            assert_eq!(*else_next, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(next(&p, "n2"), None);
}

#[test]
fn goto_targets_the_labelled_node_in_another_path() {
    // n1 if { n2 notify: list } else if { n3 goto notify } ; n4
    let p = plan(vec![
        if_(
            vec![
                block(vec![labelled("notify", StepKind::AddToList(lit("x")))]),
                block(vec![step(StepKind::Goto(ident("notify")))]),
            ],
            None,
        ),
        list("after"),
    ]);
    let goto = node(&p, "n3");
    assert_eq!(
        goto.action,
        Action::Goto {
            target: "n2".into(),
            label: "notify".into()
        }
    );
    assert_eq!(goto.next, None);
    assert_eq!(node(&p, "n2").label.as_deref(), Some("notify"));
    assert_eq!(next(&p, "n2"), s("n4"));
    match &node(&p, "n1").action {
        Action::BranchIf { cases, else_next } => {
            assert_eq!(cases[1].path, "else if 1");
            assert_eq!(cases[1].next, s("n3"));
            assert_eq!(*else_next, s("n4"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn event_wait_with_max_times_out_to_the_next_step() {
    let dur = |m| Duration {
        parts: vec![DurationPart {
            amount: m,
            unit: DurationUnit::Days,
            span: sp(),
        }],
        span: sp(),
    };
    let ev = || Event {
        kind: EventKind::PageViewed(lit("/pricing")),
        span: sp(),
    };
    let p = plan(vec![
        step(StepKind::DelayUntilEvent {
            event: ev(),
            max: Some(dur(7)),
        }),
        step(StepKind::DelayUntilEvent {
            event: ev(),
            max: None,
        }),
        list("x"),
    ]);
    assert_eq!(
        node(&p, "n1").action,
        Action::DelayUntilEvent {
            event: crate::plan::types::Event::PageViewed {
                url: "/pricing".into()
            },
            max_minutes: Some(7 * 24 * 60),
            timeout_next: s("n2"),
        }
    );
    assert_eq!(next(&p, "n1"), s("n2"));
    match &node(&p, "n2").action {
        Action::DelayUntilEvent {
            max_minutes,
            timeout_next,
            ..
        } => {
            assert_eq!(*max_minutes, None);
            assert_eq!(*timeout_next, None);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn numbers_keep_integers_integral() {
    let n = |raw: &str, value: f64| NumberLit {
        value,
        raw: raw.into(),
        span: sp(),
    };
    assert_eq!(serde_json::to_string(&number(&n("42", 42.0))).ok(), s("42"));
    assert_eq!(serde_json::to_string(&number(&n("-3", -3.0))).ok(), s("-3"));
    assert_eq!(
        serde_json::to_string(&number(&n("12.5", 12.5))).ok(),
        s("12.5")
    );
    // absurd literals saturate instead of failing
    let huge = number(&n(&"9".repeat(400), f64::INFINITY));
    assert_eq!(huge.as_f64(), Some(f64::MAX));
}
