//! Graph unit tests on hand-built plans (independent of the parser).

use super::*;
use crate::plan::{
    CompareOp, Condition, Event, IfCase, Node, PropertyRef, SourceLocation, Trigger, Value,
    ValueCase, PLAN_FORMAT,
};

fn loc() -> SourceLocation {
    SourceLocation {
        file: "t.wf".into(),
        line: 1,
        column: 1,
    }
}

fn node(id: &str, action: Action, next: Option<&str>) -> Node {
    Node {
        id: id.into(),
        label: None,
        action,
        next: next.map(String::from),
        source: loc(),
    }
}

fn prop(p: &str) -> PropertyRef {
    PropertyRef {
        object: None,
        property: p.into(),
    }
}

fn is(p: &str, v: &str) -> Condition {
    Condition::Compare {
        property: prop(p),
        cmp: CompareOp::Is,
        value: Value::String(v.into()),
    }
}

fn plan(nodes: Vec<Node>) -> Plan {
    Plan {
        format: PLAN_FORMAT.into(),
        name: "Lead <nurture> & \"friends\"".into(),
        object: "contact".into(),
        centered_on: None,
        triggers: vec![
            Trigger::Filter {
                condition: is("lifecyclestage", "lead"),
            },
            Trigger::Event {
                event: Event::FormSubmitted {
                    name: "Demo request".into(),
                },
            },
        ],
        reenroll: true,
        goals: vec![is("lifecyclestage", "customer")],
        unenroll: Vec::new(),
        start: nodes.first().map(|n| n.id.clone()),
        nodes,
        source: loc(),
    }
}

/// n1 delay 1d → n2 if (a: n3 set, goto notify; b: empty; else: n5 value
/// branch (X: n6; none met: empty)) → n7 notify: wait for event max 7d → end
fn sample() -> Plan {
    let mut notify = node(
        "n7",
        Action::DelayUntilEvent {
            event: Event::PageViewed {
                url: "/pricing".into(),
            },
            max_minutes: Some(7 * 1440),
            timeout_next: None,
        },
        None,
    );
    notify.label = Some("notify".into());
    plan(vec![
        node("n1", Action::Delay { minutes: 1440 }, Some("n2")),
        node(
            "n2",
            Action::BranchIf {
                cases: vec![
                    IfCase {
                        path: "if".into(),
                        condition: is("industry", "ACCOUNTING"),
                        next: Some("n3".into()),
                    },
                    IfCase {
                        path: "else if 1".into(),
                        condition: Condition::Known {
                            property: prop("phone"),
                            known: true,
                        },
                        next: Some("n7".into()),
                    },
                ],
                else_next: Some("n5".into()),
            },
            None,
        ),
        node(
            "n3",
            Action::SetProperty {
                target: prop("hs_lead_status"),
                value: Value::String("OPEN".into()),
            },
            Some("n4"),
        ),
        node(
            "n4",
            Action::Goto {
                target: "n7".into(),
                label: "notify".into(),
            },
            None,
        ),
        node(
            "n5",
            Action::BranchValue {
                property: prop("country"),
                cases: vec![ValueCase {
                    values: vec![Value::String("NL".into()), Value::String("BE".into())],
                    next: Some("n6".into()),
                }],
                else_next: Some("n7".into()),
            },
            None,
        ),
        node(
            "n6",
            Action::AddToList {
                list: "Benelux".into(),
            },
            Some("n7"),
        ),
        notify,
    ])
}

fn find(d: &Diagram, id: &str) -> usize {
    d.nodes.iter().position(|n| n.id == id).expect("node")
}

#[test]
fn diagram_has_triggers_settings_and_end() {
    let d = Diagram::from_plan(&sample());
    let shapes: Vec<Shape> = d.nodes.iter().map(|n| n.shape).collect();
    assert_eq!(shapes.iter().filter(|s| **s == Shape::Trigger).count(), 2);
    assert!(shapes.contains(&Shape::Settings));
    assert_eq!(d.nodes[find(&d, "n1")].shape, Shape::Delay);
    assert_eq!(d.nodes[find(&d, "n1")].lines, vec!["delay", "1d"]);
    assert_eq!(d.nodes[find(&d, "n2")].shape, Shape::Branch);
    assert_eq!(d.nodes[find(&d, "n4")].shape, Shape::Goto);
    assert_eq!(d.nodes[find(&d, "n7")].lines[0], "notify: wait for");
    // both triggers lead to the first step
    let n1 = find(&d, "n1");
    assert_eq!(d.edges.iter().filter(|e| e.to == n1).count(), 2);
}

#[test]
fn branch_edges_are_labelled_with_condition_and_none_met() {
    let d = Diagram::from_plan(&sample());
    let n2 = find(&d, "n2");
    let labels: Vec<&str> = d
        .edges
        .iter()
        .filter(|e| e.from == n2)
        .filter_map(|e| e.label.as_deref())
        .collect();
    assert_eq!(
        labels,
        vec!["industry is \"ACCOUNTING\"", "phone is known", "none met"]
    );
    let n5 = find(&d, "n5");
    let labels: Vec<&str> = d
        .edges
        .iter()
        .filter(|e| e.from == n5)
        .filter_map(|e| e.label.as_deref())
        .collect();
    assert_eq!(labels, vec!["\"NL\", \"BE\"", "none met"]);
}

#[test]
fn goto_is_dashed_and_timeout_labelled() {
    let d = Diagram::from_plan(&sample());
    let n4 = find(&d, "n4");
    let n7 = find(&d, "n7");
    let goto: Vec<&GEdge> = d.edges.iter().filter(|e| e.from == n4).collect();
    assert_eq!(goto.len(), 1);
    assert_eq!(goto[0].style, EdgeStyle::Goto);
    assert_eq!(goto[0].to, n7);
    let wait: Vec<&GEdge> = d.edges.iter().filter(|e| e.from == n7).collect();
    assert_eq!(wait.len(), 1);
    assert_eq!(wait[0].style, EdgeStyle::Timeout);
    assert_eq!(wait[0].label.as_deref(), Some("event, or timeout after 7d"));
    assert_eq!(d.nodes[wait[0].to].shape, Shape::End);
}

#[test]
fn paths_meet_at_join_points() {
    let d = Diagram::from_plan(&sample());
    let joins: Vec<usize> = (0..d.nodes.len())
        .filter(|&i| d.nodes[i].shape == Shape::Join)
        .collect();
    // the value branch (n6 and its empty "none met") and the if branch
    // (its join gathers the inner join and the empty else-if path)
    assert_eq!(joins.len(), 2);
    let n7 = find(&d, "n7");
    let outer = d
        .edges
        .iter()
        .find(|e| e.to == n7 && d.nodes[e.from].shape == Shape::Join)
        .map(|e| e.from)
        .expect("a join leads to n7");
    assert_eq!(d.nodes[outer].id, "j_n2");
    let into_outer = d.edges.iter().filter(|e| e.to == outer).count();
    assert_eq!(into_outer, 2, "{:#?}", d.edges);
    // the goto still points at n7 itself
    assert!(d
        .edges
        .iter()
        .any(|e| e.style == EdgeStyle::Goto && e.to == n7));
}

#[test]
fn empty_workflow_goes_from_manual_enrollment_to_end() {
    let mut p = plan(Vec::new());
    p.triggers.clear();
    p.reenroll = false;
    p.goals.clear();
    let d = Diagram::from_plan(&p);
    assert_eq!(d.nodes.len(), 2);
    assert_eq!(d.nodes[0].lines[0], "manual enrollment");
    assert_eq!(d.edges.len(), 1);
    assert_eq!(d.nodes[d.edges[0].to].shape, Shape::End);
}

#[test]
fn dangling_ids_do_not_panic() {
    let p = plan(vec![node(
        "n1",
        Action::Goto {
            target: "n99".into(),
            label: "nowhere".into(),
        },
        Some("n42"),
    )]);
    let _ = render(std::slice::from_ref(&p), Format::Svg);
    let _ = render(std::slice::from_ref(&p), Format::Mermaid);
    let _ = render(std::slice::from_ref(&p), Format::Dot);
}

#[test]
fn mermaid_escapes_and_uses_shapes() {
    let m = render(&[sample()], Format::Mermaid);
    // one workflow: its name and object as the diagram's title
    assert!(m.starts_with("---\ntitle: \""), "{m}");
    assert!(m.contains("---\nflowchart TD\n"), "{m}");
    assert!(m.contains("w1_n1{{\"delay<br/>1d\"}}:::delay"), "{m}");
    assert!(m.contains("w1_n4 -.->|\"go to\"| w1_n7"), "{m}");
    assert!(
        m.contains("w1_n7 ==>|\"event, or timeout after 7d\"| w1_end"),
        "{m}"
    );
    assert!(m.contains("#quot;ACCOUNTING#quot;"), "{m}");
    // two workflows: one subgraph each
    let two = render(&[sample(), sample()], Format::Mermaid);
    assert_eq!(two.matches("  subgraph ").count(), 2);
    // each subgraph laid out top to bottom (else mermaid draws a strip)
    assert_eq!(two.matches("    direction TB\n").count(), 2, "{two}");
    assert!(two.contains("w2_n1"));
    assert!(
        two.contains("#lt;nurture#gt; #amp; #quot;friends#quot;"),
        "{two}"
    );
}

#[test]
fn dot_quotes_labels() {
    let d = render(&[sample()], Format::Dot);
    assert!(d.starts_with("digraph workflows {\n"));
    assert!(
        d.contains("label=\"Lead <nurture> & \\\"friends\\\" (contact)\";"),
        "{d}"
    );
    assert!(
        d.contains("\"w1_n4\" -> \"w1_n7\" [label=\"go to\", style=dashed"),
        "{d}"
    );
    assert!(d.ends_with("}\n"));
}

fn assert_xml(svg: &str) {
    let mut r = quick_xml::Reader::from_str(svg);
    let mut depth = 0i32;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(_) => {}
            Err(e) => panic!("invalid XML at {}: {e}\n{svg}", r.buffer_position()),
        }
    }
    assert_eq!(depth, 0);
}

#[test]
fn svg_is_xml_and_escapes_text() {
    let s = render(&[sample()], Format::Svg);
    assert_xml(&s);
    assert!(s.contains("Lead &lt;nurture&gt; &amp; &quot;friends&quot; (contact)"));
    assert!(s.contains("stroke-dasharray=\"6 4\""), "goto edge dashed");
    assert!(s.contains("<polygon"), "delay and branch shapes");
}

/// A long workflow with nested branches: ranks strictly increase along
/// every forward edge and no two nodes of a rank overlap.
#[test]
fn layout_of_a_big_nested_workflow_has_no_overlaps() {
    // 15 levels: each an if whose first path holds a set + nested if.
    let mut nodes = Vec::new();
    let mut id = 0;
    let mut next_id = || {
        id += 1;
        format!("n{id}")
    };
    let mut chain_tail: Option<String> = None;
    for level in 0..15 {
        let b = next_id();
        let s1 = next_id();
        let s2 = next_id();
        let s3 = next_id();
        let after = next_id();
        nodes.push(node(
            &b,
            Action::BranchIf {
                cases: vec![IfCase {
                    path: "if".into(),
                    condition: is("p", &format!("v{level}")),
                    next: Some(s1.clone()),
                }],
                else_next: Some(s3.clone()),
            },
            None,
        ));
        nodes.push(node(
            &s1,
            Action::ClearProperty { target: prop("a") },
            Some(&s2),
        ));
        nodes.push(node(&s2, Action::Delay { minutes: 60 }, Some(&after)));
        nodes.push(node(
            &s3,
            Action::AddToList {
                list: format!("List {level}"),
            },
            Some(&after),
        ));
        nodes.push(node(
            &after,
            Action::SendEmail {
                email: format!("Email {level}"),
            },
            None,
        ));
        if let Some(prev) = chain_tail.take() {
            if let Some(n) = nodes.iter_mut().find(|n| n.id == prev) {
                n.next = Some(b.clone());
            }
        }
        chain_tail = Some(after);
    }
    let p = plan(nodes);
    assert!(p.nodes.len() >= 40);
    let d = Diagram::from_plan(&p);
    let l = svg::layout(&d);
    let s = svg::render(std::slice::from_ref(&d));
    assert_xml(&s);
    assert!(l.width > 0.0 && l.height > 0.0);
    svg::check_layout(&d, &l).expect("layout invariants");
}

/// The structured layout draws a compiled nest of blocks; a graph that is
/// not one (a loop back into a branch path, as a hand-written plan file
/// may have) falls back to the layered layout, which still draws it.
#[test]
fn a_loop_falls_back_to_the_layered_layout() {
    let nested = Diagram::from_plan(&sample());
    let l = svg::layout(&nested);
    assert!(l.structured);
    svg::check_layout(&nested, &l).expect("structured layout invariants");

    let shared = plan(vec![
        node(
            "n1",
            Action::BranchIf {
                cases: vec![IfCase {
                    path: "if".into(),
                    condition: is("p", "a"),
                    next: Some("n2".into()),
                }],
                else_next: Some("n3".into()),
            },
            None,
        ),
        node(
            "n2",
            Action::ClearProperty { target: prop("a") },
            Some("n3"),
        ),
        node(
            "n3",
            Action::ClearProperty { target: prop("b") },
            Some("n4"),
        ),
        node(
            "n4",
            Action::ClearProperty { target: prop("c") },
            Some("n2"),
        ),
    ]);
    let d = Diagram::from_plan(&shared);
    let l = svg::layout(&d);
    assert!(!l.structured, "a cycle is not a nest of blocks");
    svg::check_layout(&d, &l).expect("layered layout invariants");
    assert_xml(&svg::render(std::slice::from_ref(&d)));
}

/// Mermaid and Graphviz size their boxes to the text: a node's text is
/// never cut there (only the SVG layout's fixed boxes cut, and their
/// tooltips keep the whole text).
#[test]
fn long_step_text_is_wrapped_in_full_never_cut() {
    let long = "a value long enough to need several lines of text in one box, and then some more words at the end";
    let p = plan(vec![node(
        "n1",
        Action::SetProperty {
            target: prop("description"),
            value: Value::String(long.into()),
        },
        None,
    )]);
    let one = std::slice::from_ref(&p);
    for format in [Format::Mermaid, Format::Dot] {
        let out = render(one, format);
        assert!(!out.contains('…'), "{out}");
        // Lines are joined with `<br/>` (mermaid) or `\n` (dot).
        let joined = out.replace("<br/>", " ").replace("\\n", " ");
        assert!(
            joined.contains("and then some more words at the end"),
            "{out}"
        );
    }
    let svg = render(one, Format::Svg);
    assert!(svg.contains('…'), "the box shows the beginning: {svg}");
    assert!(
        svg.contains("and then some more words at the end"),
        "the tooltip has it all: {svg}"
    );
}

/// Several workflows in mermaid: a grid of about sqrt(n) columns, each a
/// chain of subgraphs linked invisibly one below the other (unlinked,
/// mermaid lays them all in one row).
#[test]
fn mermaid_stacks_several_workflows_in_columns() {
    let five = vec![sample(); 5];
    let m = render(&five, Format::Mermaid);
    let links: Vec<&str> = m.lines().filter(|l| l.contains("~~~")).collect();
    assert_eq!(links, ["  w1 ~~~ w4", "  w2 ~~~ w5"], "{m}");
    let one = render(&five[..1], Format::Mermaid);
    assert!(!one.contains("~~~"), "{one}");
}
