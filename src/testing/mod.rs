//! `wfc test`: run the `test` items of a compilation, each in a fresh
//! simulation, and judge their expectations from the run's history.
//!
//! - [`setup`]: a test's records, inputs and moments → the runtime's input;
//! - [`expect`]: one expectation against the history (and, for conditions,
//!   the records at a moment);
//! - [`trace`]: what a run did, read from its history;
//! - [`coverage`]: which steps and branch paths the runs went through;
//! - [`report`]: the human, JSON and JUnit outputs.
//!
//! The runner observes a run only through `runtime::run` and its history
//! events: it never looks inside the engine. Conditions are judged by the
//! runtime too: a one-trigger probe workflow is run over the records as they
//! were at the moment (see [`expect`]).

mod coverage;
mod expect;
pub mod report;
mod setup;
mod trace;

pub use coverage::{Coverage, Uncovered, WorkflowCoverage};

use serde_json::Value as Json;

use crate::driver::Compilation;
use crate::plan::Plan;
use crate::runtime::{self, Program};
use crate::source::Span;
use crate::syntax::ast;

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Run only the tests whose name contains this text.
    pub filter: Option<String>,
    /// Worker threads (0: as many as the machine has, at most 8).
    pub threads: usize,
    /// Files read only as context (siblings of the files named): their
    /// tests are not run, and their workflows are covered only when the
    /// named files hold no workflow.
    pub context: Vec<String>,
}

/// The outcome of one test.
#[derive(Clone, Debug)]
pub struct TestResult {
    pub name: String,
    /// The file's name as given to the compiler.
    pub file: String,
    /// 1-based line of `test`.
    pub line: u32,
    pub span: Span,
    /// The workflow under test.
    pub workflow: String,
    pub failures: Vec<Failure>,
    /// Every history event of the main run (JSON objects as `wfc run` writes them).
    #[doc(hidden)]
    pub history: Vec<Json>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One failed expectation (or an unexpected error of the run).
#[derive(Clone, Debug)]
pub struct Failure {
    /// Where the expectation is written (the test's header for an
    /// unexpected run error).
    pub span: Span,
    /// The expectation as written (`expect c1 enrolled within 1d`).
    pub expectation: String,
    /// What was expected, in words.
    pub expected: String,
    /// What happened instead.
    pub actual: String,
    /// The history events that explain it, one line each.
    pub history: Vec<String>,
}

/// Every test result, in source order (files as compiled, then position),
/// and the coverage of the workflows by all of them.
#[derive(Clone, Debug)]
pub struct Suite {
    pub results: Vec<TestResult>,
    pub coverage: Coverage,
}

impl Suite {
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed()).count()
    }
}

/// The tests of a compilation that checked without errors, in source order.
fn collect_tests<'a>(comp: &'a Compilation, opts: &Options) -> Vec<&'a ast::TestItem> {
    comp.files
        .iter()
        .filter(|f| !opts.context.iter().any(|c| c == comp.sources.name(f.file)))
        .flat_map(|f| f.tests.iter())
        .filter(|t| !t.has_syntax_error)
        .filter(|t| {
            opts.filter
                .as_deref()
                .is_none_or(|f| t.name.value.contains(f))
        })
        .collect()
}

/// Run the tests of `comp` (which must have no errors: its plans are run).
/// Results come back in source order whatever the number of threads.
pub fn run(comp: &Compilation, opts: &Options) -> Result<Suite, String> {
    // every plan must load (the per-test subsets then do)
    let programs = runtime::load(comp.plans.clone()).map_err(|e| e.to_string())?;
    let tests = collect_tests(comp, opts);
    let threads = match opts.threads {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8),
        n => n,
    }
    .clamp(1, tests.len().max(1));

    let cx = setup::Context {
        comp,
        programs: &programs,
    };
    let mut results: Vec<Option<TestResult>> = vec![None; tests.len()];
    if threads <= 1 {
        for (slot, t) in results.iter_mut().zip(&tests) {
            *slot = Some(run_one(&cx, t));
        }
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(t) = tests.get(i) else { break };
                    let r = run_one(&cx, t);
                    if let Ok(mut d) = done.lock() {
                        d.push((i, r));
                    }
                });
            }
        });
        for (i, r) in done.into_inner().unwrap_or_default() {
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(r);
            }
        }
    }
    let results: Vec<TestResult> = results.into_iter().flatten().collect();
    let named: Vec<Plan> = comp
        .plans
        .iter()
        .filter(|p| !opts.context.contains(&p.source.file))
        .cloned()
        .collect();
    let covered = if named.is_empty() {
        &comp.plans
    } else {
        &named
    };
    let coverage = coverage::measure(covered, &results);
    Ok(Suite { results, coverage })
}

fn run_one(cx: &setup::Context<'_>, t: &ast::TestItem) -> TestResult {
    let sources = &cx.comp.sources;
    let line = sources.line_col(t.span.file, t.span.start as usize).line;
    let mut result = TestResult {
        name: t.name.value.to_string(),
        file: sources.name(t.span.file).to_string(),
        line,
        span: t.keyword,
        workflow: t.workflow.value.to_string(),
        failures: Vec::new(),
        history: Vec::new(),
    };
    // Only the workflows in play run: see [`in_play`].
    let names = in_play(cx.comp, t);
    let plans: Vec<Plan> = cx
        .comp
        .plans
        .iter()
        .filter(|p| names.contains(p.name.as_str()))
        .cloned()
        .collect();
    let programs = match runtime::load(plans) {
        Ok(p) => p,
        Err(e) => {
            result.failures.push(Failure {
                span: t.keyword,
                expectation: format!("test \"{}\"", t.name.value),
                expected: "the workflows to load".to_string(),
                actual: e.to_string(),
                history: Vec::new(),
            });
            return result;
        }
    };
    let cx = &setup::Context {
        comp: cx.comp,
        programs: &programs,
    };
    match setup::prepare(cx, t) {
        Ok(prepared) => expect::judge(cx, t, &prepared, &mut result),
        Err(message) => result.failures.push(Failure {
            span: t.keyword,
            expectation: format!("test \"{}\"", t.name.value),
            expected: "the test's inputs to run".to_string(),
            actual: message,
            history: Vec::new(),
        }),
    }
    result
}

/// The workflows a test runs: the workflow under test, every workflow the
/// test names (`enroll <id> in "..."`, `in "..."`), and every workflow
/// those enroll records in (`enroll in`, transitively). Other workflows of
/// the project do not run, so a test of one workflow is not disturbed by
/// the triggers of unrelated ones.
fn in_play<'a>(comp: &'a Compilation, t: &'a ast::TestItem) -> std::collections::BTreeSet<&'a str> {
    let mut names: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    names.insert(t.workflow.value.as_str());
    for line in &t.lines {
        let w = match &line.kind {
            ast::TestLineKind::Enroll { workflow, .. } => Some(workflow),
            ast::TestLineKind::Expect(x) => match &x.kind {
                ast::ExpectKind::Enrollment { workflow, .. }
                | ast::ExpectKind::Reached { workflow, .. }
                | ast::ExpectKind::Took { workflow, .. }
                | ast::ExpectKind::Ran { workflow, .. } => workflow.as_ref(),
                _ => None,
            },
            _ => None,
        };
        if let Some(w) = w {
            names.insert(w.value.as_str());
        }
    }
    let mut todo: Vec<&str> = names.iter().copied().collect();
    while let Some(name) = todo.pop() {
        for p in comp.plans.iter().filter(|p| p.name == name) {
            for n in &p.nodes {
                if let crate::plan::Action::EnrollInWorkflow { workflow } = &n.action {
                    if names.insert(workflow.as_str()) {
                        todo.push(workflow.as_str());
                    }
                }
            }
        }
    }
    names
}

/// The plan of a workflow by name.
fn plan_named<'a>(programs: &'a [Program], name: &str) -> Option<&'a Plan> {
    programs.iter().map(|p| &p.plan).find(|p| p.name == name)
}
