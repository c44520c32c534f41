//! The outputs of `wfc test`: human (one line per test, then a miette
//! report per failed expectation), JSON, and JUnit XML.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use serde_json::{json, Value as Json};

use super::{Coverage, Failure, Suite, TestResult};
use crate::source::SourceMap;

/// Human output options.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
    pub coverage: bool,
}

fn failure_report(sources: &SourceMap, f: &Failure, opts: HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let file = f.span.file;
    let text = sources.text(file).to_string();
    let start = (f.span.start as usize).min(text.len());
    let end = (f.span.end as usize).clamp(start, text.len());
    let diag = MietteDiagnostic::new(format!("failed: {}", f.expectation))
        .with_label(LabeledSpan::at(
            start..end,
            format!("expected {}", f.expected),
        ))
        .with_help(format!("actual: {}", f.actual));
    let report =
        miette::Report::new(diag).with_source_code(NamedSource::new(sources.name(file), text));
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        let lc = sources.line_col(file, start);
        out = format!(
            "{}:{}:{}: failed: {}\n  expected {}\n  actual: {}\n",
            sources.name(file),
            lc.line,
            lc.column,
            f.expectation,
            f.expected,
            f.actual
        );
    }
    // The history as written, one event a line (never wrapped).
    if !f.history.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("  history:\n");
        for l in &f.history {
            out.push_str("    ");
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// One line per test, then every failure, the summary and (with
/// `opts.coverage`) the coverage.
pub fn human(parts: &[(&SourceMap, &Suite)], opts: HumanOptions) -> String {
    let mut out = String::new();
    for r in parts.iter().flat_map(|(_, s)| s.results.iter()) {
        out.push_str(&format!(
            "test {}:{} \"{}\" ... {}\n",
            r.file,
            r.line,
            r.name,
            if r.passed() { "ok" } else { "FAILED" }
        ));
    }
    for (sources, suite) in parts {
        for r in suite.results.iter().filter(|r| !r.passed()) {
            out.push_str(&format!(
                "\n---- \"{}\" ({}:{}) ----\n",
                r.name, r.file, r.line
            ));
            for f in &r.failures {
                out.push_str(&failure_report(sources, f, opts));
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
    }
    if opts.coverage {
        out.push('\n');
        out.push_str(&coverage_text(&merged_coverage(parts)));
    }
    out.push('\n');
    out.push_str(&summary(parts));
    out.push('\n');
    out
}

/// `test result: ok. 3 passed; 0 failed` (or `FAILED`).
pub fn summary(parts: &[(&SourceMap, &Suite)]) -> String {
    let failed: usize = parts.iter().map(|(_, s)| s.failed()).sum();
    let total: usize = parts.iter().map(|(_, s)| s.results.len()).sum();
    format!(
        "test result: {}. {} passed; {} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        total - failed,
        failed
    )
}

/// The coverage of several projects as one.
pub fn merged_coverage(parts: &[(&SourceMap, &Suite)]) -> Coverage {
    Coverage::merge(parts.iter().map(|(_, s)| &s.coverage))
}

/// The coverage as text: the totals, then each workflow with what no test
/// exercised.
pub fn coverage_text(c: &Coverage) -> String {
    let mut out = format!(
        "coverage: {}/{} steps, {}/{} paths ({:.1}%)\n",
        c.steps_covered, c.steps_total, c.paths_covered, c.paths_total, c.percent
    );
    for w in &c.workflows {
        out.push_str(&format!(
            "  \"{}\" ({}:{}): {}/{} steps, {}/{} paths ({:.1}%)\n",
            w.workflow,
            w.file,
            w.line,
            w.steps_covered,
            w.steps_total,
            w.paths_covered,
            w.paths_total,
            w.percent
        ));
        for u in &w.uncovered {
            out.push_str(&format!(
                "    not exercised: {}:{} {} {}\n",
                w.file, u.line, u.what, u.description
            ));
        }
    }
    out
}

fn failure_json(sources: &SourceMap, f: &Failure) -> Json {
    let lc = sources.line_col(f.span.file, f.span.start as usize);
    json!({
        "file": sources.name(f.span.file),
        "line": lc.line,
        "column": lc.column,
        "expectation": f.expectation,
        "expected": f.expected,
        "actual": f.actual,
        "history": f.history,
    })
}

/// One JSON object: `tests` (name, file, line, workflow, status, failures),
/// `summary`, and `coverage` when asked for.
pub fn json(parts: &[(&SourceMap, &Suite)], coverage: bool) -> String {
    let tests: Vec<Json> = parts
        .iter()
        .flat_map(|(sources, suite)| suite.results.iter().map(move |r| (*sources, r)))
        .map(|(sources, r)| {
            json!({
                "name": r.name,
                "file": r.file,
                "line": r.line,
                "workflow": r.workflow,
                "status": if r.passed() { "passed" } else { "failed" },
                "failures": r.failures.iter().map(|f| failure_json(sources, f)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let failed: usize = parts.iter().map(|(_, s)| s.failed()).sum();
    let mut v = json!({
        "tests": tests,
        "summary": {
            "total": tests_len(parts),
            "passed": tests_len(parts) - failed,
            "failed": failed,
        },
    });
    if coverage {
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "coverage".to_string(),
                serde_json::to_value(merged_coverage(parts)).unwrap_or(Json::Null),
            );
        }
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn tests_len(parts: &[(&SourceMap, &Suite)]) -> usize {
    parts.iter().map(|(_, s)| s.results.len()).sum()
}

/// Text for XML: `&`, `<`, `>`, `"` escaped, and the characters XML 1.0
/// cannot hold replaced.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML as CI systems read it: one `<testsuite>` per file (in
/// order), one `<testcase>` per test (`classname`: the file), a
/// `<failure>` per failed expectation. Times are 0: the output is
/// deterministic.
pub fn junit(parts: &[(&SourceMap, &Suite)]) -> String {
    let all: Vec<(&SourceMap, &TestResult)> = parts
        .iter()
        .flat_map(|(sources, suite)| suite.results.iter().map(move |r| (*sources, r)))
        .collect();
    let mut files: Vec<&str> = Vec::new();
    for (_, r) in &all {
        if !files.contains(&r.file.as_str()) {
            files.push(&r.file);
        }
    }
    let failed = all.iter().filter(|(_, r)| !r.passed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"wfc test\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" time=\"0\">\n",
        all.len()
    ));
    for (i, file) in files.iter().enumerate() {
        let in_file: Vec<&(&SourceMap, &TestResult)> =
            all.iter().filter(|(_, r)| r.file == *file).collect();
        let f = in_file.iter().filter(|(_, r)| !r.passed()).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" id=\"{i}\" package=\"wfc\" hostname=\"localhost\" timestamp=\"1970-01-01T00:00:00\" tests=\"{}\" failures=\"{f}\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
            xml(file),
            in_file.len()
        ));
        for (sources, r) in in_file {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
                xml(&r.name),
                xml(file)
            ));
            if r.passed() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for fl in &r.failures {
                let lc = sources.line_col(fl.span.file, fl.span.start as usize);
                let mut body = format!(
                    "{}:{}:{}: {}\nexpected {}\nactual: {}\n",
                    sources.name(fl.span.file),
                    lc.line,
                    lc.column,
                    fl.expectation,
                    fl.expected,
                    fl.actual
                );
                for h in &fl.history {
                    body.push_str("  ");
                    body.push_str(h);
                    body.push('\n');
                }
                out.push_str(&format!(
                    "      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
                    xml(&format!("{}: {}", fl.expectation, fl.actual)),
                    xml(&body)
                ));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("    <system-out/>\n    <system-err/>\n");
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
