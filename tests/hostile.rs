//! Hostile inputs: each must give a clean diagnostic or success, through the
//! library (`wfc::compile`) and through the `wfc` binary (exit code 0 or 1,
//! never a signal). The library runs in a thread with a small stack, so an
//! unbounded recursion anywhere (parser, AST builder, checker, codegen, the
//! recursive `Drop` of a deep AST) fails the test instead of hiding in the
//! default 8 MB main stack.
//!
//! Regression tests for crashes found by fuzzing (fuzz/) are at the end.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write as _;
use std::process::Command;

use wfc::diagnostics::{Code, Diagnostic};
use wfc::driver::MAX_DIAGNOSTICS_PER_FILE;
use wfc::syntax::{MAX_NESTING, MAX_SOURCE_BYTES};
use wfc::{Compilation, SourceInput};

/// Stack for the library runs. A bounded parser needs a few hundred KB for
/// `MAX_NESTING` levels; 100,000 levels of naive recursion need far more.
const STACK: usize = 2 * 1024 * 1024;

// ---------------------------------------------------- counting the work

/// Counts the allocations (calls and bytes) of each thread, so a test can
/// measure how the work of a call grows with its input deterministically:
/// the same count on every machine and under any load, unlike a timer.
struct Counting;

thread_local! {
    static ALLOCATED: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

fn note(bytes: usize) {
    let _ = ALLOCATED.try_with(|c| {
        let (n, b) = c.get();
        c.set((n + 1, b + bytes as u64));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Input sizes of [`assert_linear`]: `n` and `GROWTH * n`.
const GROWTH: u64 = 8;

/// Runs `work(n)` and `work(8 * n)`, each alone on a fresh small-stack
/// thread (so its allocations are the only ones counted), and fails unless
/// the allocations — count and bytes — grow at most twice as fast as the
/// input: linear work grows about 8 times, quadratic work 64 times.
/// `work` allocates its own input, which is linear.
///
/// This catches quadratic work that allocates (a fresh collection per
/// item, a distance matrix per pair); a quadratic loop of bare comparisons
/// allocates nothing and is out of its reach.
#[track_caller]
fn assert_linear(what: &str, n: usize, work: fn(usize)) {
    let measure = |n: usize| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || {
                ALLOCATED.with(|c| c.set((0, 0)));
                work(n);
                ALLOCATED.with(Cell::get)
            })
            .expect("spawn")
            .join()
            .unwrap_or_else(|_| panic!("{what}: panicked or overflowed its stack"))
    };
    let (count, bytes) = measure(n);
    let (count_8n, bytes_8n) = measure(GROWTH as usize * n);
    let limit = 2 * GROWTH;
    assert!(
        count_8n <= limit * count.max(1) && bytes_8n <= limit * bytes.max(1),
        "{what}: {count} allocations ({bytes} bytes) at n = {n}, {count_8n} ({bytes_8n} \
         bytes) at {GROWTH}n: more than {limit} times as many, so not linear"
    );
}

/// The meter itself: linear allocation passes, quadratic allocation fails.
#[test]
fn assert_linear_tells_linear_from_quadratic() {
    assert_linear("linear", 1_000, |n| {
        let v: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        assert_eq!(v.len(), n);
    });
    let quadratic = std::panic::catch_unwind(|| {
        assert_linear("quadratic", 1_000, |n| {
            for i in 0..n {
                let seen: Vec<usize> = (0..i).collect();
                assert_eq!(seen.len(), i);
            }
        })
    });
    assert!(quadratic.is_err(), "quadratic allocation passed");
}

struct Outcome {
    codes: Vec<Code>,
    errors: usize,
    plans: usize,
}

/// `wfc::compile` of one file on the current thread (which [`assert_linear`]
/// gives a small stack), with the invariants of [`compile`] checked.
fn compile_here(bytes: Vec<u8>) -> Compilation {
    let len = bytes.len();
    let c = wfc::compile(vec![SourceInput::new("hostile.wf", bytes)], None);
    check_invariants(&c, len);
    c
}

/// Compile in a small-stack thread and check the invariants every result
/// must hold, whatever the input.
fn compile(bytes: Vec<u8>) -> Outcome {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let len = bytes.len();
            let c = wfc::compile(vec![SourceInput::new("hostile.wf", bytes)], None);
            check_invariants(&c, len);
            // Serialising plans walks them recursively too.
            for plan in &c.plans {
                serde_json::to_string(plan).expect("plans serialise");
            }
            let out = Outcome {
                codes: c.diagnostics.iter().map(|d| d.code).collect(),
                errors: c.diagnostics.iter().filter(|d| d.is_error()).count(),
                plans: c.plans.len(),
            };
            // Drop the AST inside the small stack as well.
            drop(c);
            out
        })
        .expect("spawn")
        .join()
        .expect("wfc::compile panicked or overflowed its stack")
}

fn check_invariants(c: &Compilation, input_len: usize) {
    let mut per_file = std::collections::HashMap::new();
    for d in &c.diagnostics {
        let span = d.primary.span;
        let text = c.sources.text(span.file);
        assert!(text.len() <= input_len, "a source grew");
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "span {span:?} outside its file ({} bytes): {d:?}",
            text.len()
        );
        assert!(text.is_char_boundary(span.start as usize));
        assert!(text.is_char_boundary(span.end as usize));
        assert_message_style(d);
        *per_file.entry(span.file).or_insert(0usize) += 1;
    }
    for (&file, &n) in &per_file {
        assert!(
            n <= MAX_DIAGNOSTICS_PER_FILE + 1,
            "{n} diagnostics for file {file}: the per-file cap is not applied"
        );
    }
    if c.has_errors() {
        assert!(c.plans.is_empty(), "plans generated despite errors");
    }
}

fn assert_message_style(d: &Diagnostic) {
    let m = &d.message;
    assert!(!m.is_empty(), "empty message: {d:?}");
    assert!(!m.ends_with('.'), "message ends with a period: {m:?}");
}

/// Run `wfc check --format json` on the bytes: exit 0 or 1 (never a signal
/// or a usage error), and stdout one JSON array.
fn cli(bytes: &[u8]) -> i32 {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostile.wf");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(bytes))
        .expect("write input");
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .expect("run wfc");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "wfc check exited with {:?}; stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
            .chars()
            .take(2000)
            .collect::<String>()
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
                .chars()
                .take(500)
                .collect::<String>()
        )
    });
    let arr = json.as_array().expect("one JSON array");
    assert!(arr.len() <= MAX_DIAGNOSTICS_PER_FILE + 1);
    code.unwrap_or(2)
}

/// Both paths; returns the library outcome after checking the CLI agrees on
/// errors vs no errors.
fn both(bytes: Vec<u8>) -> Outcome {
    let exit = cli(&bytes);
    let out = compile(bytes);
    assert_eq!(exit, i32::from(out.errors > 0), "CLI and library disagree");
    out
}

fn has(out: &Outcome, code: Code) -> bool {
    out.codes.contains(&code)
}

fn nested(open: &str, close: &str, depth: usize, inner: &str) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * depth + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

fn source_map(text: &str) -> wfc::source::SourceMap {
    let mut m = wfc::source::SourceMap::new();
    m.add("x.wf", text.to_string());
    m
}

fn workflow(body: &str) -> String {
    format!("workflow \"W\" for contact {{\n{body}\n}}\n")
}

// ------------------------------------------------------------ empty and odd

#[test]
fn empty_whitespace_and_comments_only() {
    // docs/language.md (a choice): a file holds one or more workflows, so a
    // file without any is one WF001, "expected a workflow".
    for src in [
        "",
        " ",
        "\n\n\n",
        "\t \r\n \t",
        "# only a comment",
        "# comment\n# another\n",
        "\u{feff}",
    ] {
        let out = both(src.as_bytes().to_vec());
        assert_eq!(out.codes, vec![Code::WF001], "{src:?}");
        assert_eq!(out.plans, 0);
    }
}

#[test]
fn nul_bytes_and_control_characters_are_syntax_errors() {
    for src in [
        "\0".to_string(),
        "\0\0\0\0".repeat(1000),
        workflow("\0"),
        "workflow \"W\0\" for contact {}\n".to_string(),
        "\u{7}\u{1b}[31m".to_string(),
        workflow("  delay 1d\u{0}"),
    ] {
        let out = both(src.into_bytes());
        // A NUL inside a string literal may be accepted; elsewhere WF001.
        assert!(out.codes.iter().all(|c| *c == Code::WF001));
    }
    let out = both(b"\0".to_vec());
    assert!(has(&out, Code::WF001));
}

#[test]
fn invalid_utf8_is_wf002_only() {
    for bytes in [
        vec![0xff],
        vec![0xc3],                                      // truncated sequence
        b"workflow \"W\xe9\" for contact {}\n".to_vec(), // Latin-1
        vec![0xed, 0xa0, 0x80],                          // UTF-16 surrogate
        [b"# fine\n".as_slice(), &[0x80; 10_000]].concat(),
    ] {
        let out = both(bytes);
        assert_eq!(out.codes, vec![Code::WF002]);
    }
}

#[test]
fn byte_order_mark_and_crlf() {
    // docs/language.md: a leading byte-order mark and CRLF are accepted.
    let out = both(
        "\u{feff}workflow \"W\" for contact {\r\n  delay 1d\r\n}\r\n"
            .as_bytes()
            .to_vec(),
    );
    assert_eq!(out.codes, vec![]);
    let out = both(b"workflow \"W\" for contact {\r\n  delay 1d\r\n}\r\n".to_vec());
    assert_eq!(out.codes, vec![], "CRLF line ends must be accepted");
}

// ------------------------------------------------------------------- sizes

#[test]
fn file_over_the_size_limit_is_wf002() {
    // 20 MB of a valid program: rejected by size before any parsing.
    let unit = workflow("  delay 1d");
    let mut src = String::with_capacity(20 * 1024 * 1024 + unit.len());
    let mut i = 0;
    while src.len() < 20 * 1024 * 1024 {
        src.push_str(&unit.replace("\"W\"", &format!("\"W{i}\"")));
        i += 1;
    }
    assert!(src.len() > MAX_SOURCE_BYTES);
    let out = both(src.into_bytes());
    assert_eq!(out.codes, vec![Code::WF002]);
}

#[test]
fn a_single_5mb_line() {
    // A comment line, then one line of 5 MB that is not a program.
    let mut src = String::from("# ");
    src.push_str(&"x".repeat(5 * 1024 * 1024));
    src.push('\n');
    src.push_str(&workflow("  delay 1d"));
    assert_eq!(both(src.into_bytes()).codes, vec![]);

    let src = "a".repeat(5 * 1024 * 1024);
    let out = both(src.into_bytes());
    assert!(has(&out, Code::WF001));

    // One 5 MB line of valid steps separated by nothing but spaces is not
    // valid (a step ends at the end of its line): a clean WF001.
    let src = workflow(&"delay 1d ".repeat(5 * 1024 * 1024 / 9));
    let out = both(src.into_bytes());
    assert!(has(&out, Code::WF001));
}

#[test]
fn a_1mb_string_literal() {
    let text = "lorem ipsum {{ firstname }} ".repeat(1024 * 1024 / 28);
    let src = workflow(&format!(
        "  send internal email to owner subject \"s\" body \"{text}\""
    ));
    let out = both(src.into_bytes());
    assert_eq!(out.codes, vec![]);
    assert_eq!(out.plans, 1);

    // The same, unterminated.
    let src = format!("workflow \"W\" for contact {{\n  send email \"{text}\n}}\n");
    let out = both(src.into_bytes());
    assert!(has(&out, Code::WF001));
}

#[test]
fn a_1mb_identifier_and_name() {
    let long = "p".repeat(1024 * 1024);
    let out = both(workflow(&format!("  set {long} = 1")).into_bytes());
    assert!(has(&out, Code::WF101));
    let out = both(format!("workflow \"{long}\" for contact {{}}\n").into_bytes());
    assert_eq!(out.codes, vec![]);
}

#[test]
fn many_workflows() {
    let mut src = String::new();
    for i in 0..100_000 {
        src.push_str(&format!("workflow \"w{i}\" for contact {{ }}\n"));
    }
    let out = both(src.into_bytes());
    assert_eq!(out.codes, vec![]);
    assert_eq!(out.plans, 100_000);
}

#[test]
fn many_duplicate_workflows_are_capped() {
    let src = "workflow \"same\" for contact {}\n".repeat(20_000);
    let out = both(src.into_bytes());
    assert!(has(&out, Code::WF106));
    assert_eq!(out.codes.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
    assert_eq!(out.codes.last(), Some(&Code::WF003));
}

#[test]
fn many_steps_in_one_block() {
    let body = "  set hubspotscore = 1\n".repeat(100_000);
    let out = both(workflow(&body).into_bytes());
    assert_eq!(out.codes, vec![]);
    assert_eq!(out.plans, 1);

    // The same inside an if.
    let body = format!(
        "  if hubspotscore > 1 {{\n{}  }}\n",
        "    delay 1d\n".repeat(100_000)
    );
    let out = both(workflow(&body).into_bytes());
    assert_eq!(out.codes, vec![]);
}

#[test]
fn many_errors_in_one_file_are_capped() {
    let body = "  set nosuchproperty = 1\n".repeat(50_000);
    let out = both(workflow(&body).into_bytes());
    assert_eq!(out.codes.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
    assert_eq!(out.codes.last(), Some(&Code::WF003));
}

#[test]
fn long_condition_chains() {
    for op in [" and ", " or "] {
        let cond: Vec<String> = (0..10_000).map(|i| format!("hubspotscore > {i}")).collect();
        let src = workflow(&format!("  enroll when {}", cond.join(op)));
        let out = both(src.into_bytes());
        assert_eq!(out.codes, vec![], "10k-part {op:?} chain");
    }
    // Mixed, with lists and events.
    let parts: Vec<String> = (0..10_000)
        .map(|i| match i % 4 {
            0 => format!("country in [\"a{i}\", \"b\"]"),
            1 => "form \"F\" submitted".to_string(),
            2 => format!("not firstname is \"x{i}\""),
            _ => "hs_email_optout is true".to_string(),
        })
        .collect();
    let src = workflow(&format!("  goal {}", parts.join(" and ")));
    assert_eq!(both(src.into_bytes()).codes, vec![]);
    // A 100k-value list.
    let values: Vec<String> = (0..100_000).map(|i| format!("\"v{i}\"")).collect();
    let src = workflow(&format!("  enroll when country in [{}]", values.join(", ")));
    assert_eq!(both(src.into_bytes()).codes, vec![]);
}

// ----------------------------------------------------------------- nesting

#[test]
fn deep_nesting_is_wf002_not_a_stack_overflow() {
    let depth = 100_000;
    let cases = [
        nested("(", ")", depth, "hubspotscore > 1"),
        nested("[", "]", depth, "1"),
        nested("{", "}", depth, ""),
        nested("not ", "", depth, "hubspotscore > 1"),
        nested("not (", ")", depth, "hubspotscore > 1"),
    ];
    for inner in cases {
        for src in [
            workflow(&format!("  enroll when {inner}")),
            workflow(&format!("  set country = {inner}")),
            inner.clone(),
        ] {
            let out = both(src.into_bytes());
            assert!(
                has(&out, Code::WF002) || has(&out, Code::WF001),
                "{:?}",
                out.codes
            );
            assert!(out.errors > 0);
        }
    }
    // Nested if blocks.
    let src = workflow(&nested(
        "if hubspotscore > 1 {\n",
        "}\n",
        depth,
        "delay 1d\n",
    ));
    let out = both(src.into_bytes());
    assert!(has(&out, Code::WF002));
    // Only opening brackets.
    for open in ["(", "[", "{", "{{", "\""] {
        let out = both(open.repeat(depth).into_bytes());
        assert!(out.errors > 0);
    }
    // Only closing ones.
    for close in [")", "]", "}", "}}"] {
        let out = both(close.repeat(depth).into_bytes());
        assert!(out.errors > 0);
    }
}

#[test]
fn nesting_at_the_limit_is_accepted() {
    // MAX_NESTING counts blocks, parentheses, brackets and `not`s together;
    // the workflow's own braces are one level. Stay a little under it.
    let ifs = MAX_NESTING / 2;
    let src = workflow(&nested("if hubspotscore > 1 {\n", "}\n", ifs, "delay 1d\n"));
    assert_eq!(both(src.into_bytes()).codes, vec![]);
    let parens = MAX_NESTING / 2;
    let src = workflow(&format!(
        "  enroll when {}",
        nested("(", ")", parens, "hubspotscore > 1")
    ));
    assert_eq!(both(src.into_bytes()).codes, vec![]);
}

#[test]
fn nesting_just_over_the_limit_is_wf002() {
    let src = workflow(&format!(
        "  enroll when {}",
        nested("(", ")", MAX_NESTING + 1, "hubspotscore > 1")
    ));
    let out = both(src.into_bytes());
    assert_eq!(out.codes, vec![Code::WF002]);
}

// ------------------------------------------------------------ odd literals

#[test]
fn huge_numbers_and_durations() {
    let digits = "9".repeat(10_000);
    for body in [
        format!("  increase hubspotscore by {digits}"),
        format!("  set hubspotscore = -{digits}.{digits}"),
        format!("  enroll when hubspotscore > {digits}"),
        "  set hubspotscore = 1e999".to_string(),
        format!("  delay {digits}d"),
        format!("  delay {digits}d {digits}h {digits}m"),
        "  delay 18446744073709551615d".to_string(),
        "  delay 18446744073709551616m".to_string(),
        "  delay 0d".to_string(),
        format!("  delay until {digits}:{digits}"),
        "  delay until 99:99".to_string(),
        format!("  create task \"t\" due {digits}h"),
        format!("  delay until form \"F\" submitted max {digits}d"),
    ] {
        let out = both(workflow(&body).into_bytes());
        // Either accepted or a clean error; never a panic (checked above).
        let _ = out;
    }
    let out = both(workflow("  delay 18446744073709551615d").into_bytes());
    assert!(has(&out, Code::WF405));
    let out =
        both(format!("workflow \"W\" for contact centered on {digits}-01-01 {{}}\n").into_bytes());
    assert!(out.errors > 0);
    let out = both(workflow("  delay 1d 1d 1d 1d").into_bytes());
    assert!(has(&out, Code::WF405));
}

#[test]
fn odd_strings_and_tokens() {
    for lit in [
        r#""\u{110000}""#,
        r#""\u{D800}""#,
        r#""\u{}""#,
        r#""\u{FFFFFFFFFFFFFFFFFFFF}""#,
        r#""\u{41""#,
        r#""\q""#,
        r#""\"#,
        r#""{{""#,
        r#""}}""#,
        r#""{{ }}""#,
        r#""{{ a.b.c.d }}""#,
        r#""{{{{{{ firstname }}}}}}""#,
        r#""{{ firstname""#,
        "\"\u{202e}rtl \u{0301}\u{1F600}\"",
    ] {
        let src = workflow(&format!(
            "  send internal email to owner subject {lit} body {lit}"
        ));
        let out = both(src.into_bytes());
        let _ = out;
    }
}

#[test]
fn unterminated_everything() {
    let cases = [
        "workflow",
        "workflow \"",
        "workflow \"W",
        "workflow \"W\"",
        "workflow \"W\" for",
        "workflow \"W\" for contact",
        "workflow \"W\" for contact {",
        "workflow \"W\" for contact {\n  if hubspotscore > 1 {",
        "workflow \"W\" for contact {\n  if hubspotscore > 1 {\n  } else",
        "workflow \"W\" for contact {\n  if (hubspotscore > 1 {\n  }\n}",
        "workflow \"W\" for contact {\n  enroll when country in [\"a\",\n}",
        "workflow \"W\" for contact {\n  create company { name = \"x\",\n}",
        "workflow \"W\" for contact {\n  branch on country {\n    \"a\" {\n}",
        "workflow \"W\" for contact {\n  send email \"x\n}",
        "workflow \"W\" for contact {\n  send email \"{{ firstname\n}",
        "workflow \"W\" for contact {\n  delay until",
        "workflow \"W\" for contact {\n  delay until 9:",
        "workflow \"W\" for contact {\n  delay until 2026-",
        "workflow \"W\" for contact {\n  l:",
        "workflow \"W\" for contact {\n  goto",
        "workflow \"W\" for contact {\n  set x",
        "workflow \"W\" for contact {\n  set x =",
        "workflow \"W\" for contact {\n  # comment at end of file without newline",
        "workflow \"W\" for contact centered on",
        "workflow \"W\" for contact centered on property",
    ];
    for src in cases {
        let out = both(src.as_bytes().to_vec());
        assert!(has(&out, Code::WF001), "{src:?}: {:?}", out.codes);
        // Every prefix of a valid program gives a clean result too.
    }
    let full = wfc_dev::corpus::generate(3, 3_000);
    for cut in (0..full.len()).step_by(97) {
        if full.is_char_boundary(cut) {
            compile(full.as_bytes()[..cut].to_vec());
        }
    }
}

#[test]
fn garbage_between_workflows_does_not_hide_the_rest() {
    // Recovery at top-level workflows: the later workflow still checks.
    let src = "workflow \"A\" for contact {\n  )))(((\n}\n\
               workflow \"B\" for contact {\n  set nosuchproperty = 1\n}\n";
    let out = both(src.as_bytes().to_vec());
    assert!(has(&out, Code::WF001));
    assert!(has(&out, Code::WF101), "{:?}", out.codes);
}

#[test]
fn generated_corpus_checks_clean() {
    // The benchmark corpus is valid by construction: any diagnostic here is
    // a bug in the generator or in the checker.
    let src = wfc_dev::corpus::generate(42, 300_000);
    let c = wfc::compile(vec![SourceInput::new("corpus.wf", src.clone())], None);
    let shown: Vec<String> = c
        .diagnostics
        .iter()
        .take(10)
        .map(|d| {
            let lc = c
                .sources
                .line_col(d.primary.span.file, d.primary.span.start as usize);
            format!(
                "{} {}:{} {} [{}]",
                d.code,
                lc.line,
                lc.column,
                d.message,
                c.sources.snippet(d.primary.span)
            )
        })
        .collect();
    assert!(c.diagnostics.is_empty(), "{shown:#?}");
    let workflows = src.matches("\nworkflow \"").count();
    assert_eq!(c.plans.len(), workflows);
    // Deterministic build output.
    let again = wfc::compile(vec![SourceInput::new("corpus.wf", src)], None);
    assert_eq!(c.plans, again.plans);
}

// ------------------------------------------- regressions found by fuzzing

/// fuzz/fmt_roundtrip, crash-448d64d6: a comment after a workflow's `{` on
/// the same line. `wfc::fmt::format_source` returns text that no longer
/// parsed ("expected `}` to close the block opened on line 1"): an empty
/// block printed its `}` after the comment. Fixed in src/fmt/mod.rs
/// (`close_block`); this is the regression test.
#[test]
fn fuzz_fmt_comment_after_workflow_brace() {
    let src = "workflow \"Birthday\" for contact centered on property firstname {  \
               # expect: WFl 1d before date\n}\n";
    let once = wfc::fmt::format_source("x.wf", src).expect("input parses");
    let twice = wfc::fmt::format_source("x.wf", &once)
        .unwrap_or_else(|d| panic!("formatted text does not parse: {d:?}\n{once}"));
    assert_eq!(once, twice);
}

/// fuzz/fmt_roundtrip, crash-cd34fdd6 (session 3): a tab inside a token,
/// `"{{\tcompany.industry}}"`. The formatter escaped the whole value, so the
/// token became `{{\tcompany.industry}}` with a backslash: malformed. Also a
/// text `{` just before a token or another `{` (written `\u{7B}`), which
/// printed as is opened a token that was not there. Fixed in src/fmt
/// (`quote_lit`: tokens as written, such a `{` escaped).
#[test]
fn fuzz_fmt_tokens_keep_their_text_and_braces_stay_text() {
    for body in [
        "send email \"a {{\tcompany.industry}} b\"",
        "send email \"\\u{7B}{{ firstname }}\"",
        "send email \"\\u{7B}\\u{7B}x}}\"",
        "set firstname = \"{ {{firstname}}{\\u{7B}\"",
    ] {
        let src = workflow(&format!("  {body}"));
        let before = wfc::syntax::parse(&source_map(&src), 0).0;
        let once = wfc::fmt::format_source("x.wf", &src).expect("input parses");
        let twice = wfc::fmt::format_source("x.wf", &once)
            .unwrap_or_else(|d| panic!("formatted text does not parse: {d:?}\n{once}"));
        assert_eq!(once, twice);
        let after = wfc::syntax::parse(&source_map(&once), 0).0;
        let values = |f: &wfc::syntax::ast::SourceFile| -> Vec<(String, usize)> {
            let mut out = Vec::new();
            for s in &f.workflows[0].body.steps {
                match &s.kind {
                    wfc::syntax::ast::StepKind::SendEmail(l) => {
                        out.push((l.value.to_string(), l.tokens.len()))
                    }
                    wfc::syntax::ast::StepKind::Set { value, .. } => {
                        if let wfc::syntax::ast::ValueKind::String(l) = &value.kind {
                            out.push((l.value.to_string(), l.tokens.len()))
                        }
                    }
                    _ => {}
                }
            }
            out
        };
        assert_eq!(values(&before), values(&after), "{once}");
    }
}

/// Messages quote at most ~40 characters of a user token, then `…` (a 5 MB
/// token once gave a 5 MB message, terminal line and JSON field): WF001,
/// WF101, WF208, unknown labels and object types, bad basis and tokens.
#[test]
fn messages_do_not_echo_unbounded_input() {
    let digits = "9".repeat(10_000);
    for src in [
        "a".repeat(5 * 1024 * 1024),
        workflow(&format!("  set {} = 1", "p".repeat(1024 * 1024))),
        workflow(&format!("  delay until {digits}:{digits}")),
        workflow(&format!("  goto {}", "g".repeat(100_000))),
        workflow(&format!("  create {} {{ a = 1 }}", "o".repeat(100_000))),
        workflow(&format!(
            "  send email \"{{{{ {}.x }}}}\"",
            "t".repeat(100_000)
        )),
        workflow(&format!(
            "  send email \"{{{{ {} }}}}\"",
            "u".repeat(100_000)
        )),
        workflow(&format!(
            "  send email \"{{{{ a b {} }}}}\"",
            "v".repeat(100_000)
        )),
        workflow(&format!("  opt in \"N\" basis {}", "b".repeat(100_000))),
        workflow(&format!("  {}: if x is 1 {{ }}", "l".repeat(100_000))),
        workflow(&format!(
            "  set lifecyclestage = \"{}\"",
            "o".repeat(100_000)
        )),
        workflow(&format!("  webhook post \"ftp://{}\"", "w".repeat(100_000))),
        workflow(&format!(
            "  send internal email to user \"{}\" subject \"s\" body \"b\"",
            "e".repeat(100_000)
        )),
        workflow(&format!(
            "  send internal sms to number \"{}\" text \"t\"",
            "1".repeat(100_000)
        )),
        format!(
            "workflow \"C\" for company {{\n  create slack channel \"A {}\"\n}}\n",
            "c".repeat(100_000)
        ),
    ] {
        let c = wfc::compile(vec![SourceInput::new("x.wf", src)], None);
        assert!(!c.diagnostics.is_empty());
        for d in &c.diagnostics {
            assert!(
                d.message.len() < 400,
                "message of {} bytes",
                d.message.len()
            );
        }
    }
}

// ------------------------------------------------- human report (miette)

/// Run `wfc check` with the default human report: exit 0 or 1, never a
/// signal or a panic (101). Returns the exit code and stderr.
fn cli_human(bytes: &[u8]) -> (i32, Vec<u8>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostile.wf");
    std::fs::write(&path, bytes).expect("write input");
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--color", "never"])
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .expect("run wfc");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "wfc check exited with {:?}; stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
            .chars()
            .take(2000)
            .collect::<String>()
    );
    (code.unwrap_or(2), out.stderr)
}

/// miette panicked ("Formatting argument out of range") drawing a label past
/// column 65,535: any file with an error that far right crashed `wfc check`.
#[test]
fn human_report_of_an_error_past_column_65535() {
    for src in [
        workflow(&format!("{}set nosuchproperty = 1", " ".repeat(70_000))),
        workflow(&format!(
            "  set nosuchproperty = 1{}set otherproperty = 2",
            " ".repeat(70_000)
        )),
        workflow(&format!("  set firstname = \"{}\" x", "é".repeat(40_000))),
    ] {
        let (code, stderr) = cli_human(src.as_bytes());
        assert_eq!(code, 1);
        assert!(stderr.len() < 10_000, "{} bytes of report", stderr.len());
        let text = String::from_utf8(stderr).expect("UTF-8 report");
        assert!(text.contains(":2:"), "the header names the line: {text}");
    }
}

/// A report shows a window of a long line, not the line: 200 diagnostics on
/// one 2 MB line printed 420 MB (every diagnostic echoed the whole line).
#[test]
fn human_report_of_a_long_line_is_bounded() {
    let values: Vec<String> = (0..200_000).map(|i| format!("\"x{i}\"")).collect();
    let src = workflow(&format!(
        "  enroll when lifecyclestage in [{}]",
        values.join(", ")
    ));
    assert!(src.len() > 2_000_000);
    let (code, stderr) = cli_human(src.as_bytes());
    assert_eq!(code, 1);
    // 201 reports of a few lines each.
    assert!(stderr.len() < 300_000, "{} bytes of report", stderr.len());
    let text = String::from_utf8(stderr).expect("UTF-8 report");
    assert!(text.contains("hostile.wf:2:34]"), "{}", &text[..500]);
    // A label over 100,000 lines (a multi-line string) and a long context
    // line before the error.
    for src in [
        workflow(&format!(
            "  webhook post \"ftp://{}\"",
            "x\n".repeat(100_000)
        )),
        workflow(&format!(
            "  # {}\n  set nosuchproperty = 1",
            "c".repeat(1_000_000)
        )),
    ] {
        let (code, stderr) = cli_human(src.as_bytes());
        assert_eq!(code, 1);
        assert!(stderr.len() < 10_000, "{} bytes of report", stderr.len());
    }
}

/// Control characters and bidirectional overrides in the file never reach
/// the terminal raw (they did in both the message and the snippet: a string
/// literal could clear the screen or retitle the window).
#[test]
fn human_report_sends_no_control_characters() {
    let src = "workflow \"W\" for contact {\n  \
               set lifecyclestage = \"\u{1b}[2J\u{1b}]0;x\u{7}\r\u{9b}\u{202e}\"\n}\n";
    let (code, stderr) = cli_human(src.as_bytes());
    assert_eq!(code, 1);
    let text = String::from_utf8(stderr).expect("UTF-8 report");
    assert!(text.contains("WF203"), "{text}");
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || c == '\u{202e}')
        .collect();
    assert!(bad.is_empty(), "raw {bad:?} in {text:?}");
}

// ------------------------------------------------------------ flow diagram

/// The SVG layout counted edge crossings pair by pair: quadratic in the
/// paths of one branch (10,000 `else if` arms: 1 s; 100,000: over 30 s in a
/// release build). Every format draws wide branches in about linear time.
#[test]
fn graph_of_very_wide_branches() {
    assert_linear("a branch of n arms, drawn", 625, wide_branches);
}

fn wide_branches(n: usize) {
    let mut body = String::from("  if hubspotscore > 0 {\n    delay 1d\n  }");
    for i in 1..n {
        body.push_str(&format!(
            " else if hubspotscore > {i} {{\n    delay 1d\n  }}"
        ));
    }
    body.push_str(" else {\n    delay 2d\n  }\n  delay 1d");
    let c = wfc::compile(vec![SourceInput::new("wide.wf", workflow(&body))], None);
    assert!(c.diagnostics.is_empty());
    for format in [
        wfc::graph::Format::Svg,
        wfc::graph::Format::Mermaid,
        wfc::graph::Format::Dot,
    ] {
        let out = wfc::graph::render(&c.plans, format);
        assert!(out.len() > n * 10);
    }
}

// ----------------------------------------------------------------- wf.toml

const ENTERPRISE: &str =
    "[account]\nmarketing = \"enterprise\"\nsales = \"enterprise\"\nservice = \"enterprise\"\n";

/// Compile `program` with `manifest` as its wf.toml (library, small stack).
fn compile_with_manifest(manifest: String, program: String) -> Compilation {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || compile_with_manifest_here(manifest, program))
        .expect("spawn")
        .join()
        .expect("wfc::compile panicked or overflowed its stack")
}

/// [`compile_with_manifest`] on the current thread.
fn compile_with_manifest_here(manifest: String, program: String) -> Compilation {
    let c = wfc::compile(
        vec![SourceInput::new("a.wf", program)],
        Some(SourceInput::new("wf.toml", manifest)),
    );
    let len = c.sources.files().map(|(_, f)| f.text.len()).sum();
    check_invariants(&c, len);
    c
}

#[test]
fn manifest_nesting_and_odd_keys() {
    let depth = 100_000;
    for manifest in [
        format!("x = {}", nested("[", "]", depth, "")),
        format!("[account]\nintegrations = {}", nested("[", "]", depth, "")),
        format!("[properties.contact]\nx = {}", nested("{a=", "}", depth, "1")),
        format!("[{}]\n", vec!["a"; depth].join(".")),
        format!("[properties.{}]\n", vec!["a"; depth].join(".")),
        "[properties.contact]\n\"\u{202e}x\" = \"number\"\n\"\\u0000\" = \"string\"\n\"\" = \"string\"\n"
            .to_string(),
        "[account]\nmarketing = 5\ntimezone = [\"x\"]\n[resources]\nteams = 4\n".to_string(),
        "[account]\nmarketing = 999999999999999999999999999999\n".to_string(),
        "[account]\nmarketing = 1979-05-27T07:32:00Z\n".to_string(),
        "[account]\0\n".to_string(),
    ] {
        let c = compile_with_manifest(manifest, workflow("  delay 1d"));
        assert!(
            c.diagnostics.iter().any(|d| d.code == Code::WF010),
            "{:?}",
            c.diagnostics
        );
    }
}

/// WF010 quoted manifest text whole: a 100 KB time zone name made a 100 KB
/// message (and its did-you-mean took 2 s of Levenshtein tables).
#[test]
fn manifest_messages_are_bounded() {
    for manifest in [
        format!("[account]\ntimezone = \"{}\"\n", "A/".repeat(50_000)),
        format!("[account]\nmarketing = \"{}\"\n", "p".repeat(100_000)),
        format!(
            "[properties.contact]\n{} = \"number\"\n",
            "é".repeat(100_000)
        ),
        format!("[properties.contact]\nx = \"{}\"\n", "t".repeat(100_000)),
        format!("[objects.{}]\n", "contact".repeat(10_000)),
        format!("{} = 1\n", "k".repeat(100_000)),
        format!("x = \"{}\" \"\n", "a".repeat(1_000_000)),
    ] {
        let c = compile_with_manifest(manifest, workflow("  delay 1d"));
        assert!(!c.diagnostics.is_empty());
        for d in &c.diagnostics {
            assert!(
                d.message.len() < 400,
                "message of {} bytes",
                d.message.len()
            );
            let help = d.help.as_deref().unwrap_or("");
            assert!(help.len() < 400, "help of {} bytes", help.len());
        }
    }
}

/// Enumeration options were checked for duplicates pairwise: 100,000
/// options took 20 s before any .wf file was looked at.
#[test]
fn manifest_with_100k_enum_options() {
    assert_linear("an enum of n options", 12_500, |n| {
        let options: Vec<String> = (0..n).map(|i| format!("\"o{i}\"")).collect();
        let manifest = format!(
            "{ENTERPRISE}[properties.contact]\ne = {{ type = \"enum\", options = [{}] }}\n",
            options.join(",")
        );
        let program = workflow(&format!(
            "  set e = \"o{}\"\n  enroll when e in [\"o1\", \"o2\"]\n  set e = \"o{}\"",
            n - 1,
            "9".repeat(10)
        ));
        let c = compile_with_manifest_here(manifest, program);
        let codes: Vec<Code> = c.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::WF203], "{:?}", c.diagnostics);
    });
    // And all duplicates: reported (capped), not quadratic.
    assert_linear("an enum of n equal options", 12_500, |n| {
        let manifest = format!(
            "[properties.contact]\ne = {{ type = \"enum\", options = [{}] }}\n",
            vec!["\"o\""; n].join(",")
        );
        let c = compile_with_manifest_here(manifest, workflow("  delay 1d"));
        assert!(c
            .diagnostics
            .iter()
            .all(|d| d.code == Code::WF010 || d.code == Code::WF003));
        assert!(c.diagnostics.len() <= MAX_DIAGNOSTICS_PER_FILE + 1);
    });
}

// ------------------------------------------------------------- wfc run

/// Run `wfc run` on a plan file and records; returns (exit code, history).
fn run_plan(plan: &serde_json::Value, records: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan_path = dir.path().join("plan.json");
    let records_path = dir.path().join("records.jsonl");
    std::fs::write(&plan_path, plan.to_string()).expect("write plan");
    std::fs::write(&records_path, records).expect("write records");
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .arg("run")
        .arg(&plan_path)
        .arg("--records")
        .arg(&records_path)
        .current_dir(dir.path())
        .output()
        .expect("run wfc");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "wfc run exited with {:?}; stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (
        code.unwrap_or(3),
        String::from_utf8(out.stdout).expect("UTF-8 history"),
    )
}

fn plan_of(body: &str) -> serde_json::Value {
    let c = wfc::compile(vec![SourceInput::new("a.wf", workflow(body))], None);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    serde_json::to_value(&c.plans[0]).expect("plan as JSON")
}

/// A hand-written plan may hold any u64 of minutes: `u64::MAX` overflowed
/// the clock and the delay was skipped (the next step ran at once). The
/// record now waits until the last RFC 3339 instant.
#[test]
fn run_delay_of_u64_max_minutes_waits() {
    let mut plan = plan_of("  enroll when hubspotscore > 1\n  delay 1d\n  set firstname = \"x\"");
    for minutes in [u64::MAX, 1 << 63, 1 << 40] {
        plan["nodes"][0]["minutes"] = serde_json::json!(minutes);
        let (code, history) = run_plan(
            &plan,
            "{\"id\":\"c1\",\"object\":\"contact\",\"properties\":{\"hubspotscore\":3}}\n",
        );
        assert_eq!(code, 0);
        assert!(
            history.contains("\"until\":\"9999-12-31T23:59:59Z\""),
            "{history}"
        );
        assert!(
            !history.contains("set_property"),
            "the delay was skipped: {history}"
        );
    }
}

/// An increase that leaves the range of a JSON number is an `error` event
/// that says so (it said the property held no number), also when the number
/// is held as text, and it quotes at most 40 characters of the value.
#[test]
fn run_increase_out_of_range() {
    let mut plan = plan_of("  enroll when hubspotscore > 1\n  increase hubspotscore by 1");
    plan["nodes"][0]["by"] = serde_json::json!(1e308);
    let (code, history) = run_plan(
        &plan,
        "{\"id\":\"c1\",\"object\":\"contact\",\"properties\":{\"hubspotscore\":1e308}}\n",
    );
    assert_eq!(code, 0);
    assert!(history.contains("would go out of range"), "{history}");
    // A number written as text is a number too: out of range, not "not a
    // number".
    let (code, history) = run_plan(
        &plan,
        "{\"id\":\"c1\",\"object\":\"contact\",\"properties\":{\"hubspotscore\":\" 1e308\"}}\n",
    );
    assert_eq!(code, 0);
    assert!(
        history.contains("property `hubspotscore` would go out of range: ` 1e308` + 1e+308"),
        "{history}"
    );
    let long = "x".repeat(100_000);
    let (code, history) = run_plan(
        &plan,
        &format!(
            "{{\"id\":\"c1\",\"object\":\"contact\",\"properties\":{{\"hubspotscore\":3,\"firstname\":\"a\"}}}}\n{{\"id\":\"c2\",\"object\":\"contact\",\"properties\":{{\"hubspotscore\":\"{long}\"}}}}\n"
        ),
    );
    assert_eq!(code, 0);
    assert!(history.len() < 10_000, "{} bytes of history", history.len());
}

/// Deeply nested plan JSON hits serde_json's recursion limit (exit 1 with a
/// message), never the stack.
#[test]
fn run_deeply_nested_plan_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan_path = dir.path().join("plan.json");
    let records_path = dir.path().join("records.jsonl");
    std::fs::write(&plan_path, nested("[", "]", 100_000, "")).expect("write plan");
    std::fs::write(
        &records_path,
        format!(
            "{{\"id\":\"c1\",\"object\":\"contact\",\"properties\":{{\"a\":{}}}}}\n",
            nested("[", "]", 100_000, "")
        ),
    )
    .expect("write records");
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .arg("run")
        .arg(&plan_path)
        .arg("--records")
        .arg(&records_path)
        .output()
        .expect("run wfc");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

// ------------------------------------------------------- files and folders

/// `wfc fmt` reopened a file by its (lossy) display name: a file name that
/// is not UTF-8 gave "cannot read ./bad�.wf" and exit 2. Folders with such
/// names, symbolic-link loops, dangling links and a folder named `x.wf` are
/// read without error by every command.
#[cfg(unix)]
#[test]
fn odd_file_names_and_folders() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let odd = root.join(std::ffi::OsStr::from_bytes(b"bad\xff.wf"));
    std::fs::write(&odd, "workflow \"N\" for contact {\n    delay 1d\n}\n").expect("write");
    std::fs::write(root.join("ok.wf"), workflow("  delay 1d")).expect("write");
    std::fs::create_dir(root.join("folder.wf")).expect("mkdir");
    std::fs::create_dir(root.join("loop")).expect("mkdir");
    std::os::unix::fs::symlink("..", root.join("loop/up")).expect("symlink");
    std::os::unix::fs::symlink("../loop", root.join("loop/self")).expect("symlink");
    std::os::unix::fs::symlink("/nonexistent/x.wf", root.join("dangling.wf")).expect("symlink");
    let wfc = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_wfc"))
            .args(args)
            .current_dir(root)
            .output()
            .expect("run wfc")
    };
    for args in [
        &["check", "."][..],
        &["check"],
        &["build", "."],
        &["graph", "."],
    ] {
        let out = wfc(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    }
    // The badly indented file is listed by fmt --check, then rewritten under
    // its own name by fmt.
    let out = wfc(&["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("bad"),
        "{out:?}"
    );
    let out = wfc(&["fmt", "."]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = std::fs::read_to_string(&odd).expect("read back");
    assert_eq!(text, "workflow \"N\" for contact {\n  delay 1d\n}\n");
    let out = wfc(&["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

// ------------------------------------ the checker's quadratic paths
//
// Quadratic work in the checker, found by the red team with the release
// binary (load average about 3; figures are `wfc check` wall times before
// the fixes). Each test below runs its input at n and 8n and bounds the
// growth of the allocations (`assert_linear`), which is deterministic: a
// regression that allocates per pair fails, whatever the machine's load.

/// WF210: `seen.iter().any(same_value)` in `check/mod.rs` (StepKind::Branch)
/// compares each value with every earlier one: 10,000 cases 0.3 s, 40,000
/// cases 4 s. Now sets keyed by string text, number value (and number raw
/// text, which a string may equal), bool and date (`types::SeenValues`).
#[test]
fn checker_branch_with_200k_values_is_linear() {
    assert_linear("a branch with n values", 25_000, |n| {
        let cases: String = (0..n).map(|i| format!("    \"v{i}\" {{ }}\n")).collect();
        let src = workflow(&format!("  branch on country {{\n{cases}  }}"));
        let c = compile_here(src.into_bytes());
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    });
}

/// WF103 (and every did-you-mean): each unknown name is compared with every
/// candidate. `suggest` is now cheap per pair (banded, length-filtered), but
/// 40,000 `enroll in` unknown names against 40,000 workflows still take
/// 11 s. Now at most `MAX_SUGGESTIONS_PER_FILE` suggestions are computed
/// per file (`Checker::did_you_mean`); the report keeps 200 anyway.
///
/// Both sizes are above that cap (1,000), so each suggestion compares with
/// all n workflows and the work is 1,000 n; without the cap it would be n².
/// The names have fixed lengths (`w000001`, `x0000001`): every pair passes
/// `suggest`'s length filter and none is close enough to end its search
/// early, so the count does not depend on how many digits the numbers have
/// or on the order of the workflow table.
#[test]
fn checker_unknown_enroll_in_targets_are_linear() {
    assert_linear("n unknown `enroll in` targets", 2_000, |n| {
        let src: String = (0..n)
            .map(|i| format!("workflow \"w{i:06}\" for contact {{\n  enroll in \"x{i:07}\"\n}}\n"))
            .collect();
        let c = compile_here(src.into_bytes());
        assert!(c.diagnostics.iter().any(|d| d.code == Code::WF103));
        assert_eq!(c.diagnostics.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
    });
}

/// WF107: `check/resolve.rs` collects the declared resources of a kind into
/// a fresh Vec for every reference and searches it linearly, valid names
/// included: 20,000 `send email` against 20,000 declared emails 0.8 s,
/// 100,000 against 100,000 minutes. Now one set per kind built once per
/// run (`resolve::ResourceIndex`; users lower-cased).
#[test]
fn checker_100k_resource_references() {
    assert_linear("n references to n resources", 12_500, |n| {
        let emails: Vec<String> = (0..n).map(|i| format!("\"e{i}\"")).collect();
        let manifest = format!("{ENTERPRISE}[resources]\nemails = [{}]\n", emails.join(","));
        let body: String = (0..n).map(|i| format!("  send email \"e{i}\"\n")).collect();
        let c = compile_with_manifest_here(manifest, workflow(&body));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    });
}

/// `diagnostics::shorten` cuts quoted text but keeps its control characters: a
/// string literal holding ESC, BEL or a newline puts them raw into the
/// message (JSON, SARIF, GitHub annotations, the LSP; the human report now
/// escapes them itself). `shorten` now writes control characters and
/// bidirectional overrides as escapes (`char::escape_default`).
#[test]
fn checker_messages_hold_no_control_characters() {
    let src = workflow("  set lifecyclestage = \"\u{1b}[2J\u{7}\nx\u{202e}\"");
    let c = wfc::compile(vec![SourceInput::new("a.wf", src)], None);
    assert!(!c.diagnostics.is_empty());
    for d in &c.diagnostics {
        assert!(
            !d.message.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{:?}",
            d.message
        );
    }
}

/// `wfc graph -w <unknown>` listed every workflow name in full: 2,000
/// workflows with 1,000-character names made a 2 MB note.
#[test]
fn graph_unknown_workflow_note_is_bounded() {
    let long = "n".repeat(1_000);
    let src: String = (0..2_000)
        .map(|i| format!("workflow \"{long}{i}\" for contact {{}}\n"))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("many.wf");
    std::fs::write(&path, src).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["graph", "-w", "nosuch"])
        .arg(&path)
        .output()
        .expect("run wfc");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stderr.len() < 4_000, "{} bytes", out.stderr.len());
    assert!(String::from_utf8_lossy(&out.stderr).contains("and 1980 more"));
}

/// The human renderer's source windows (long lines cut, long context lines
/// left out, labels clamped) never panic and stay small, for labels anywhere:
/// on either side of a cut, on CRLF and lone CR, past the end, at the end of
/// a last line without a newline, spanning long lines, two far apart.
#[test]
fn human_report_windows_never_panic() {
    use wfc::diagnostics::render::{human, HumanOptions};
    use wfc::diagnostics::Label;
    use wfc::source::{SourceMap, Span};
    let long = "é".repeat(50_000);
    let texts = [
        format!("a\n{long}\nb\n"),
        long.clone(),
        format!("x\r\n{long}\r\ny\rz\n"),
        format!("\n\n{long}\n\n{long}"),
        "short\nlines\n".to_string(),
        String::new(),
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % (m as u64 + 1)) as usize
    };
    for text in &texts {
        let mut sm = SourceMap::new();
        let f = sm.add("t.wf", text.clone());
        let len = text.len();
        let mut points: Vec<usize> = vec![0, len, len + 5, len.saturating_sub(1), 1, 2, 3];
        for _ in 0..40 {
            points.push(next(len));
        }
        for (i, &a) in points.iter().enumerate() {
            let b = points[(i * 7 + 3) % points.len()];
            let (start, end) = (a.min(b), a.max(b));
            let other = points[(i * 13 + 5) % points.len()];
            let d = Diagnostic::new(
                Code::WF001,
                "expected a step",
                Label::new(Span::new(f, start, end), "here"),
            )
            .with_secondary(Label::new(Span::new(f, other, other + 1), "and here"));
            let out = human(&sm, &[d], HumanOptions::plain());
            assert!(out.contains("WF001"), "{out}");
            assert!(out.len() < 20_000, "{} bytes for {start}..{end}", out.len());
        }
    }
}

/// The checker keeps only the first `MAX_DIAGNOSTICS_PER_FILE + 1`
/// diagnostics of a file and counts the rest (a 16 MiB file of 500,000
/// wrong values took 4.4 s and 380 MB holding every diagnostic until the
/// cap; 2.1 s and 204 MB now). The report must be exactly the one the
/// uncapped checker gives once sorted and cut: same listed diagnostics, same
/// WF003 place and counts, errors and warnings (WF902) interleaved, two files.
#[test]
fn checker_cap_gives_the_uncapped_report() {
    let mut body = String::new();
    for i in 0..1500 {
        match i % 3 {
            0 => body.push_str("  set lifecyclestage = \"bogus\"\n"),
            1 => body.push_str("  webhook post \"http://example.com/x\"\n"),
            _ => body.push_str(&format!("  set nosuch{i} = 1\n")),
        }
    }
    let a = workflow(&body);
    let b = format!("{a}workflow \"C\" for contact {{ set x = }}\n");
    let inputs = vec![
        SourceInput::new("a.wf", a.clone()),
        SourceInput::new("b.wf", b.clone()),
    ];
    let c = wfc::driver::check(inputs, None);

    // The reference: every diagnostic, sorted, then cut by hand.
    let mut all = Vec::new();
    let mut files = Vec::new();
    for i in 0..2u32 {
        let (file, diags) = wfc::syntax::parse(&c.sources, i);
        all.extend(diags);
        files.push(file);
    }
    all.extend(wfc::check::check(&files, &c.env, &c.sources));
    wfc::diagnostics::sort(&mut all);
    let mut expected = Vec::new();
    for f in 0..2 {
        let of_file: Vec<&Diagnostic> = all.iter().filter(|d| d.primary.span.file == f).collect();
        assert!(of_file.len() > MAX_DIAGNOSTICS_PER_FILE + 100);
        let rest = &of_file[MAX_DIAGNOSTICS_PER_FILE..];
        for d in &of_file[..MAX_DIAGNOSTICS_PER_FILE] {
            expected.push((d.code, d.primary.span, d.message.clone()));
        }
        let errors = rest.iter().filter(|d| d.is_error()).count();
        let warnings = rest.len() - errors;
        assert!(errors > 0 && warnings > 0);
        expected.push((
            Code::WF003,
            rest[0].primary.span,
            format!("{errors} {warnings}"),
        ));
    }
    let got: Vec<(Code, wfc::source::Span, String)> = c
        .diagnostics
        .iter()
        .map(|d| {
            if d.code == Code::WF003 {
                // the counts, from the note "not listed: N errors and M warnings"
                let note = d.note.clone().unwrap_or_default();
                let n: Vec<&str> = note
                    .split(' ')
                    .filter(|w| w.parse::<usize>().is_ok())
                    .collect();
                let at = wfc::source::Span::new(
                    d.primary.span.file,
                    d.primary.span.start as usize,
                    d.primary.span.start as usize,
                );
                (d.code, at, n.join(" "))
            } else {
                (d.code, d.primary.span, d.message.clone())
            }
        })
        .collect();
    let expected: Vec<(Code, wfc::source::Span, String)> = expected
        .into_iter()
        .map(|(code, span, m)| {
            if code == Code::WF003 {
                (
                    code,
                    wfc::source::Span::new(span.file, span.start as usize, span.start as usize),
                    m,
                )
            } else {
                (code, span, m)
            }
        })
        .collect();
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
}
