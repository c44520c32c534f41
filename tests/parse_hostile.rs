//! Hostile input: the parser answers every file with diagnostics, never a
//! panic, a stack overflow or a hang.

use proptest::prelude::*;
use wfc::diagnostics::{Code, Diagnostic};
use wfc::source::SourceMap;
use wfc::syntax::ast::{ConditionKind, SettingKind, SourceFile, StepKind};
use wfc::syntax::{self, parse};

fn run(text: &str) -> (SourceMap, SourceFile, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let id = sources.add("h.wf", text);
    let (file, diags) = parse(&sources, id);
    // every span stays inside the file, on character boundaries
    for d in &diags {
        for l in std::iter::once(&d.primary).chain(&d.secondary) {
            assert!(l.span.start <= l.span.end, "{d:?}");
            assert!((l.span.end as usize) <= text.len(), "{d:?}");
            assert!(text.is_char_boundary(l.span.start as usize), "{d:?}");
            assert!(text.is_char_boundary(l.span.end as usize), "{d:?}");
        }
        assert!(!d.message.is_empty());
        assert!(!d.message.ends_with('.'), "{}", d.message);
    }
    (sources, file, diags)
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code.as_str()).collect()
}

fn line_of(sources: &SourceMap, d: &Diagnostic) -> u32 {
    sources
        .line_col(d.primary.span.file, d.primary.span.start as usize)
        .line
}

#[test]
fn empty_and_blank_files_say_a_workflow_is_expected() {
    for text in ["", "\n\n  \t\n", "# only a comment", "# a\n\n# b\n"] {
        let (_, file, diags) = run(text);
        assert!(file.workflows.is_empty());
        assert_eq!(codes(&diags), ["WF001"], "{text:?}");
        assert_eq!(diags[0].message, "expected a workflow, found end of file");
    }
    // comments are still collected
    let (_, file, _) = run("# a\n# b");
    assert_eq!(file.comments.len(), 2);
}

#[test]
fn binary_ish_text_gets_one_syntax_error() {
    let text = "\u{0}\u{1}\u{7f}\u{fffd}\u{202e}garbage\u{0}";
    let (_, file, diags) = run(text);
    assert!(file.workflows.is_empty());
    assert_eq!(codes(&diags), ["WF001"]);
    assert_eq!(diags[0].message, "expected `workflow`, found `\\0`");
    assert_eq!(diags[0].primary.span.start, 0);
}

#[test]
fn deep_braces_give_wf002_not_a_stack_overflow() {
    let text = format!("workflow \"A\" for contact {}", "{".repeat(100_000));
    let (_, _, diags) = run(&text);
    assert_eq!(codes(&diags), ["WF002"]);
    assert!(diags[0].message.contains("nesting"));
    let text = format!(
        "workflow \"A\" for contact {{\n{}delay 1d\n{}}}",
        "if a is 1 {\n".repeat(100_000),
        "}\n".repeat(100_000)
    );
    let (_, _, diags) = run(&text);
    assert_eq!(codes(&diags), ["WF002"]);
}

#[test]
fn deep_parentheses_brackets_and_nots_give_wf002() {
    for inner in [
        "(".repeat(100_000),
        "[".repeat(100_000),
        format!("{}a is 1", "not ".repeat(100_000)),
        format!("{}a is 1", "not (".repeat(50_000)),
    ] {
        let text = format!("workflow \"A\" for contact {{\n enroll when {inner}\n}}\n");
        let (_, _, diags) = run(&text);
        assert_eq!(codes(&diags), ["WF002"]);
    }
}

#[test]
fn nesting_limit_is_exact() {
    // the workflow body is level 1; 63 more parentheses reach the limit
    let ok = format!(
        "workflow \"A\" for contact {{\n goal {}a is 1{}\n}}",
        "(".repeat(syntax::MAX_NESTING - 1),
        ")".repeat(syntax::MAX_NESTING - 1)
    );
    let (_, file, diags) = run(&ok);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(file.workflows.len(), 1);
    let deep = format!(
        "workflow \"A\" for contact {{\n goal {}a is 1{}\n}}",
        "(".repeat(syntax::MAX_NESTING),
        ")".repeat(syntax::MAX_NESTING)
    );
    let (sources, _, diags) = run(&deep);
    assert_eq!(codes(&diags), ["WF002"]);
    assert_eq!(sources.snippet(diags[0].primary.span), "(");
    assert_eq!(line_of(&sources, &diags[0]), 2);
}

#[test]
fn a_deep_workflow_does_not_hide_the_next_one() {
    let text = format!(
        "workflow \"A\" for contact {{\n goal {}\n}}\nworkflow \"B\" for contact {{\n delay 1d\n}}\n",
        "(".repeat(1000)
    );
    let (_, file, diags) = run(&text);
    assert_eq!(codes(&diags), ["WF002"]);
    // the deep one still exists, with its header only
    assert_eq!(names(&file), ["A", "B"]);
    assert!(file.workflows[0].has_syntax_error);
    assert!(file.workflows[0].body.steps.is_empty());
    assert!(!file.workflows[1].has_syntax_error);
}

fn names(file: &SourceFile) -> Vec<&str> {
    file.workflows
        .iter()
        .map(|w| w.name.value.as_str())
        .collect()
}

#[test]
fn oversized_input_gives_wf002() {
    let text = format!(
        "workflow \"A\" for contact {{\n{}}}",
        "#".repeat(syntax::MAX_SOURCE_BYTES)
    );
    let (_, file, diags) = run(&text);
    assert_eq!(codes(&diags), ["WF002"]);
    assert!(diags[0].message.contains("too large"));
    assert!(file.workflows.is_empty());
}

#[test]
fn unterminated_block_at_eof() {
    let text = "workflow \"A\" for contact {\n  if a is 1 {\n    delay 1d\n";
    let (sources, file, diags) = run(text);
    // the workflow exists (for `enroll in`), with what its header says
    assert_eq!(names(&file), ["A"]);
    assert!(file.workflows[0].has_syntax_error);
    assert_eq!(codes(&diags), ["WF001"]);
    let d = &diags[0];
    assert_eq!(
        d.message,
        "expected `}` to close the block opened on line 2, found end of file"
    );
    // the label is on the last visible character, not past the end of the file
    assert_eq!(sources.snippet(d.primary.span), "d");
    assert_eq!(line_of(&sources, d), 3);
    assert_eq!(sources.snippet(d.secondary[0].span), "{");
}

#[test]
fn unterminated_string_at_eof() {
    let (sources, _, diags) = run("workflow \"A\" for contact {\n send email \"abc");
    assert_eq!(codes(&diags), ["WF001"]);
    assert_eq!(diags[0].message, "unterminated string");
    assert_eq!(line_of(&sources, &diags[0]), 2);
    let (_, _, diags) = run("workflow \"A");
    assert_eq!(diags[0].message, "unterminated string");
    let (_, _, diags) = run("workflow \"A\" for contact { send email \"\\");
    assert_eq!(diags[0].message, "unterminated string");
}

#[test]
fn a_broken_workflow_does_not_hide_the_next() {
    let text = "workflow \"Broken\" for contact {\n  sned email \"X\"\n}\n\nworkflow \"Fine\" for deal {\n  delay 1d\n}\n";
    let (sources, file, diags) = run(text);
    assert_eq!(codes(&diags), ["WF001"]);
    assert_eq!(line_of(&sources, &diags[0]), 2);
    // the broken one is kept without its broken step
    assert_eq!(names(&file), ["Broken", "Fine"]);
    assert!(file.workflows[0].has_syntax_error);
    assert!(file.workflows[0].body.steps.is_empty());
    let w = &file.workflows[1];
    assert!(!w.has_syntax_error);
    assert_eq!(w.name.value, "Fine");
    assert_eq!(w.object.name, "deal");
    assert_eq!(w.body.steps.len(), 1);
    // spans of the second chunk are file offsets
    assert_eq!(sources.snippet(w.keyword), "workflow");
    assert_eq!(sources.snippet(w.body.steps[0].span), "delay 1d");
}

#[test]
fn errors_in_several_workflows_are_all_reported() {
    let text = "workflow \"A\" for contact {\n  delay\n}\nworkflow \"B\" for contact {\n  if {\n  }\n}\nworkflow \"C\" for contact {\n  send email \"x\"\n}\nworkflow \"D\" for contact {\n  set x 1\n}\n";
    let (sources, file, diags) = run(text);
    let lines: Vec<u32> = diags.iter().map(|d| line_of(&sources, d)).collect();
    assert_eq!(lines, [2, 5, 12]);
    assert_eq!(names(&file), ["A", "B", "C", "D"]);
    let broken: Vec<bool> = file.workflows.iter().map(|w| w.has_syntax_error).collect();
    assert_eq!(broken, [true, true, false, true]);
}

#[test]
fn errors_on_several_lines_of_one_workflow_are_all_reported() {
    let text = "workflow \"A\" for contact {\n  dealy 1d\n  delay 1d\n  send email \"x\" now\n  if a is 1 {\n    set x 5\n  }\n  clear\n}\nworkflow \"B\" for contact {\n}\n";
    let (sources, file, diags) = run(text);
    let lines: Vec<u32> = diags.iter().map(|d| line_of(&sources, d)).collect();
    assert_eq!(lines, [2, 4, 6, 8]);
    // the broken workflow keeps its other steps
    assert_eq!(names(&file), ["A", "B"]);
    assert!(file.workflows[0].has_syntax_error);
    let kept: Vec<&str> = file.workflows[0]
        .body
        .steps
        .iter()
        .map(|s| sources.snippet(s.span))
        .collect();
    assert_eq!(kept, ["delay 1d", "if a is 1 {\n    set x 5\n  }"]);
}

#[test]
fn a_broken_block_header_skips_its_block() {
    // `if a = 1 {` is skipped to its `}`: what it holds is not read
    let text = "workflow \"A\" for contact {\n  if a = 1 {\n    sned 1\n  }\n}\n";
    let (sources, _, diags) = run(text);
    assert_eq!(codes(&diags), ["WF001"]);
    assert_eq!(line_of(&sources, &diags[0]), 2);
}

#[test]
fn an_unclosed_workflow_before_another_points_at_the_next_workflow() {
    let text = "workflow \"A\" for contact {\n  delay 1d\n\nworkflow \"B\" for contact {\n}\n";
    let (sources, file, diags) = run(text);
    assert_eq!(codes(&diags), ["WF001"]);
    assert_eq!(sources.snippet(diags[0].primary.span), "workflow");
    assert_eq!(line_of(&sources, &diags[0]), 4);
    assert_eq!(names(&file), ["A", "B"]);
    assert!(file.workflows[0].has_syntax_error);
}

#[test]
fn lexical_errors_keep_the_workflow() {
    // bad escapes, tokens, labels and bases are reported, but the workflow
    // stays in the AST for the checker
    let text = "workflow \"A\" for contact {\n  send email \"\\q {{ }}\"\n  x: if a is 1 {\n    reenroll\n  }\n  opt in \"N\" basis nope\n}\n";
    let (sources, file, diags) = run(text);
    assert_eq!(codes(&diags), ["WF001"; 5]);
    let lines: Vec<u32> = diags.iter().map(|d| line_of(&sources, d)).collect();
    assert_eq!(lines, [2, 2, 4, 3, 6]);
    assert_eq!(file.workflows.len(), 1);
    assert_eq!(file.workflows[0].body.steps.len(), 3);
}

#[test]
fn very_long_lines_and_values_are_fine() {
    let long = "x".repeat(200_000);
    let text = format!(
        "workflow \"{long}\" for contact {{\n set a = \"{long}\"\n set b = {}\n delay {}d\n}}",
        "9".repeat(10_000),
        "9".repeat(10_000)
    );
    let (_, file, diags) = run(&text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(file.workflows[0].name.value.len(), 200_000);
}

#[test]
fn invalid_unicode_escapes() {
    let (_, _, diags) = run("workflow \"\\u{D800}\\u{110000}\\u{}\\u{1234567}\" for contact {}");
    let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "`\\u{D800}` is not a Unicode character",
            "`\\u{110000}` is not a Unicode character",
            "malformed unicode escape",
            "malformed unicode escape",
        ]
    );
    assert!(diags.iter().all(|d| d.code == Code::WF001));
}

const VALID: &str = r#"workflow "W" for contact {
  enroll when a is 1 and (b in [1, 2] or not c is known)
  delay until monday at 9:00
  if x is "y" {
    n: send internal email to owner subject "S {{ contact.firstname }}" body "\u{e9}"
  } else {
    create deal { dealname = "D" }
  }
}
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        run(&s);
    }

    #[test]
    fn mutated_programs_never_panic(pos in 0usize..VALID.len(), del in 0usize..6, ins in "[{}()\\[\\]\"\\\\#,:=a-z0-9 \n]{0,4}") {
        let mut text = VALID.to_string();
        let mut p = pos.min(text.len());
        while !text.is_char_boundary(p) { p -= 1; }
        let mut e = (p + del).min(text.len());
        while !text.is_char_boundary(e) { e -= 1; }
        text.replace_range(p..e, &ins);
        run(&text);
    }
}

#[test]
fn any_bad_word_at_a_step_start_asks_for_a_step() {
    for word in [
        "bogus",
        "s",
        "sx",
        "sendx",
        "d",
        "dx",
        "i",
        "ix",
        "c",
        "cx",
        "a",
        "ax",
        "r",
        "rx",
        "b",
        "bx",
        "g",
        "gx",
        "e",
        "ex",
        "w",
        "wx",
        "o",
        "ox",
        "enroll_in",
        "z",
        "_",
        "set_",
    ] {
        let text = format!("workflow \"A\" for contact {{\n  {word} 1\n}}\n");
        let (sources, _, diags) = run(&text);
        assert_eq!(codes(&diags), ["WF001"], "{word}");
        assert!(
            diags[0]
                .message
                .starts_with("expected a step such as `delay`, `set` or `send email`, found "),
            "{word}: {}",
            diags[0].message
        );
        assert_eq!(sources.snippet(diags[0].primary.span), word);
    }
}

#[test]
fn recovery_is_bounded_on_huge_workflows() {
    // a workflow over 256 KiB reports its first error only: hostile input
    // cannot make the parser re-parse it again and again
    let filler = "  delay 1d\n".repeat(30_000);
    let text = format!("workflow \"A\" for contact {{\n  sned 1\n{filler}  sned 2\n}}\n");
    let (sources, _, diags) = run(&text);
    assert_eq!(codes(&diags), ["WF001"]);
    assert_eq!(line_of(&sources, &diags[0]), 2);
    // a small one reports both
    let text = "workflow \"A\" for contact {\n  sned 1\n  delay 1d\n  sned 2\n}\n";
    let (_, _, diags) = run(text);
    assert_eq!(codes(&diags), ["WF001", "WF001"]);
}

#[test]
fn nesting_up_to_the_limit_parses() {
    // MAX_NESTING levels in total: the workflow body plus nested ifs
    let depth = syntax::MAX_NESTING - 1;
    let mut body = String::new();
    for _ in 0..depth {
        body.push_str("if a is 1 {\n");
    }
    body.push_str("delay 1d\n");
    for _ in 0..depth {
        body.push_str("}\n");
    }
    let text = format!("workflow \"T\" for contact {{\n{body}}}\n");
    let (_, file, diags) = run(&text);
    assert!(diags.is_empty(), "{diags:?}");
    let mut b = &file.workflows[0].body;
    let mut levels = 0;
    while let Some(StepKind::If { arms, .. }) = b.steps.first().map(|s| &s.kind) {
        b = &arms[0].block;
        levels += 1;
    }
    assert_eq!(levels, depth);

    let c = format!(
        "{}a is 1{}",
        "(".repeat(syntax::MAX_NESTING - 1),
        ")".repeat(syntax::MAX_NESTING - 1)
    );
    let text = format!("workflow \"T\" for contact {{\n  enroll when {c}\n}}\n");
    let (_, file, diags) = run(&text);
    assert!(diags.is_empty(), "{diags:?}");
    let SettingKind::EnrollWhen(first) = &file.workflows[0].settings[0].kind else {
        panic!("not enroll when");
    };
    let mut cond = first;
    let mut groups = 0;
    while let ConditionKind::Group(inner) = &cond.kind {
        cond = inner.as_ref();
        groups += 1;
    }
    assert_eq!(groups, syntax::MAX_NESTING - 1);
}
