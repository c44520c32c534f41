//! Renderers: the same diagnostics as a human report (miette's graphical
//! handler), a JSON array, GitHub workflow commands, or a SARIF 2.1.0 log.
//!
//! Every renderer takes the [`SourceMap`] of the compilation and a slice of
//! [`Diagnostic`]s and returns the whole output as a `String`; the caller
//! decides where it goes. Line and column lookups go through the source map,
//! whose line-start table is built once per file.
//!
//! Positions in the machine formats are 1-based; columns count Unicode
//! characters. `end_line`/`end_column` point just *after* the last character
//! of the span (an empty span has end = start), as in SARIF.

use super::escape_invisible as printable;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan,
    SpanContents,
};
use serde::{Deserialize, Serialize};

use super::{Code, Diagnostic, Label, Severity};
use crate::source::{SourceMap, SourceText, Span};

/// The output formats of `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// miette's graphical report, for people.
    #[default]
    Human,
    /// One JSON array of [`JsonDiagnostic`].
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// A SARIF 2.1.0 log.
    Sarif,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Human, Format::Json, Format::Github, Format::Sarif];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
        }
    }
}

/// Options of the human renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HumanOptions {
    /// ANSI colours (only for a terminal, and never with `NO_COLOR` set).
    pub color: bool,
    /// Width the report wraps at.
    pub width: usize,
}

impl HumanOptions {
    /// The deterministic form used for snapshots and pipes: no colour, 80 columns.
    pub fn plain() -> HumanOptions {
        HumanOptions {
            color: false,
            width: 80,
        }
    }
}

/// Render in `format`. `human` carries the options of the human renderer.
pub fn render(
    format: Format,
    sources: &SourceMap,
    diags: &[Diagnostic],
    human: HumanOptions,
) -> String {
    match format {
        Format::Human => self::human(sources, diags, human),
        Format::Json => json(sources, diags),
        Format::Github => github(sources, diags),
        Format::Sarif => sarif(sources, diags),
    }
}

// ---------------------------------------------------------------------------
// human

/// Every diagnostic as miette's graphical report, separated by blank lines,
/// followed by the summary line (nothing at all when `diags` is empty).
pub fn human(sources: &SourceMap, diags: &[Diagnostic], opts: HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let base = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let (report, others) = MietteReport::new(sources, d);
        // The note closes the last piece (miette prints it as a footer).
        let last = others.len();
        let mut one = String::new();
        for (i, r) in std::iter::once(&report).chain(others.iter()).enumerate() {
            let handler = match (&d.note, i == last) {
                (Some(note), true) => base
                    .clone()
                    .with_footer(format!("note: {}", printable(note))),
                _ => base.clone(),
            };
            // Writing into a String cannot fail, and miette has no error of
            // its own for clamped spans; fall back to one line all the same.
            if handler.render_report(&mut one, r).is_err() {
                one = plain_line(sources, d);
                break;
            }
        }
        out.push_str(&one);
        if !one.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    if let Some(line) = summary(diags) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `"error: 3 errors, 1 warning"`, `"warning: 2 warnings"`, or `None` when
/// there is nothing to report.
pub fn summary(diags: &[Diagnostic]) -> Option<String> {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(format!("warning: {}", plural(w, "warning"))),
        (e, 0) => Some(format!("error: {}", plural(e, "error"))),
        (e, w) => Some(format!(
            "error: {}, {}",
            plural(e, "error"),
            plural(w, "warning")
        )),
    }
}

/// `file:line:col: severity[CODE]: message` (fallback only).
fn plain_line(sources: &SourceMap, d: &Diagnostic) -> String {
    let lc = sources.line_col(d.primary.span.file, d.primary.span.start as usize);
    format!(
        "{}:{}:{}: {}[{}]: {}\n",
        sources.name(d.primary.span.file),
        lc.line,
        lc.column,
        d.severity.as_str(),
        d.code,
        d.message
    )
}

/// A context line (the line before or after a label) longer than this many
/// bytes is left out of a snippet.
const LONG_LINE: usize = 240;
/// On a line longer than [`LONG_LINE`], at most this many bytes are shown
/// before and after the labels; the rest of the line is cut.
const SHOWN_AROUND: usize = 80;
/// A label longer than this many bytes is drawn over its first bytes only;
/// one over more than [`MAX_LABEL_LINES`] lines, over its first line.
const MAX_LABEL: usize = 1024;
const MAX_LABEL_LINES: usize = 8;
/// Context lines kept around each label (miette asks for 1).
const CONTEXT: usize = 2;

/// The part of one file that the labels of one report show, as a miette
/// source. Only windows around the labels are copied (a 16 MiB one-line file
/// with 200 diagnostics must not print 200 × 16 MiB, and miette panics on a
/// column past 65,535), with control and bidirectional-override characters
/// replaced by stand-ins of the same length in bytes, so that offsets still
/// hold and a file cannot send escape sequences to the terminal. When a label
/// sits at the very end of the file, the text gets one extra space so the
/// label has a character to point at (miette drops a label exactly at the
/// end, and panics on one past it).
struct Src<'a> {
    name: &'a str,
    file: &'a SourceText,
    /// The text's length, plus one when padded.
    len: usize,
    /// Copies of the shown parts: (offset of the first byte, text).
    regions: Vec<(usize, String)>,
}

impl<'a> Src<'a> {
    /// `spans`: the (clamped) label spans of the report in this file.
    fn new(file: &'a SourceText, padded: bool, spans: &[(usize, usize)]) -> Src<'a> {
        let len = file.text.len() + usize::from(padded);
        let mut windows: Vec<(usize, usize)> = spans
            .iter()
            .map(|&(start, end)| {
                let (a, b, _) = window(file, len, start, end, CONTEXT, CONTEXT);
                (a, b)
            })
            .collect();
        windows.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(windows.len());
        for (a, b) in windows {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let regions = merged
            .into_iter()
            .map(|(a, b)| {
                let text_end = b.min(file.text.len());
                let mut shown = stand_ins(file.text.get(a..text_end).unwrap_or(""));
                if b > text_end {
                    shown.push(' ');
                }
                (a, shown)
            })
            .collect();
        Src {
            name: &file.name,
            file,
            len,
            regions,
        }
    }
}

/// The bytes shown for the span `start..end` with up to `before` and `after`
/// context lines: `(first byte, end, 0-based line of the first byte)`. Whole
/// lines, except that long context lines are left out and a long line holding
/// the span is cut [`SHOWN_AROUND`] bytes before and after it. `len` is the
/// text's length, plus one for the padding space.
fn window(
    file: &SourceText,
    len: usize,
    start: usize,
    end: usize,
    before: usize,
    after: usize,
) -> (usize, usize, usize) {
    let text = file.text.as_str();
    let line_len = |l: usize| file.line_range(l).len();
    let line_end = |l: usize| {
        let r = file.line_range(l);
        if r.end >= text.len() {
            len
        } else {
            r.end
        }
    };
    let l0 = file.line_index(start);
    let l1 = file.line_index(end.saturating_sub(1).max(start)).max(l0);
    let last_line = file.line_count().saturating_sub(1);
    // A long line holding the span is cut before (after) it, and then no
    // context line can precede (follow) it.
    let cut_head =
        line_len(l0) > LONG_LINE && start.saturating_sub(file.line_range(l0).start) > SHOWN_AROUND;
    let cut_tail = line_len(l1) > LONG_LINE && line_end(l1).saturating_sub(end) > SHOWN_AROUND;
    let (before, after) = (
        if cut_head { 0 } else { before },
        if cut_tail { 0 } else { after },
    );
    let mut first = l0;
    for i in 1..=before {
        match l0.checked_sub(i) {
            Some(l) if line_len(l) <= LONG_LINE => first = l,
            _ => break,
        }
    }
    let mut last = l1;
    for i in 1..=after {
        let l = l1 + i;
        if l > last_line || line_len(l) > LONG_LINE {
            break;
        }
        last = l;
    }
    let mut a = file.line_range(first).start;
    if cut_head {
        a = start - SHOWN_AROUND;
        while a < text.len() && !text.is_char_boundary(a) {
            a += 1;
        }
    }
    let mut b = line_end(last).max(a);
    if cut_tail {
        b = file.clamp(end + SHOWN_AROUND).max(end.min(len)).max(a);
    }
    (a, b, first)
}

/// `text` with every character a terminal would act on (C0 and C1 controls
/// other than tab, newline and the CR of a CRLF; bidirectional overrides and
/// isolates; line and paragraph separators) replaced by a visible stand-in of
/// the same length in bytes.
fn stand_ins(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let odd = match c {
            '\n' | '\t' => false,
            '\r' => chars.peek() != Some(&'\n'),
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
            '\u{061c}' | '\u{2028}' | '\u{2029}' => true,
            c => c.is_control(),
        };
        if odd {
            out.push(match c.len_utf8() {
                1 => '?',
                2 => '\u{bf}',
                _ => '\u{fffd}',
            });
        } else {
            out.push(c);
        }
    }
    out
}

impl SourceCode for Src<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset();
        let end = start.saturating_add(span.len());
        if end > self.len {
            return Err(MietteError::OutOfBounds);
        }
        let (a, b, first) = window(
            self.file,
            self.len,
            start,
            end,
            context_lines_before,
            context_lines_after,
        );
        // Only the copied windows can be shown; a span over a stretch that
        // was not copied (miette merging two far-apart labels on one long
        // line) is refused, and miette then draws the labels one by one.
        let (base, shown) = self
            .regions
            .iter()
            .find(|(base, shown)| *base <= a && b <= base + shown.len())
            .ok_or(MietteError::OutOfBounds)?;
        let data = shown
            .as_bytes()
            .get(a - base..b - base)
            .ok_or(MietteError::OutOfBounds)?;
        // miette asks without context for the header's line and column; the
        // column counts characters, as `--format json` does.
        let column = if context_lines_before == 0 && context_lines_after == 0 {
            let text = self.file.text.as_str();
            let line_start = self.file.line_range(self.file.line_index(start)).start;
            text.get(line_start..start.min(text.len()))
                .map_or(0, |s| s.chars().count())
        } else {
            0
        };
        let last = self.file.line_index(b.saturating_sub(1).max(a));
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            data,
            SourceSpan::new(a.into(), b - a),
            first,
            column,
            last.saturating_sub(first) + 1,
        )))
    }
}

/// Our diagnostic seen through miette's trait. Labels in the primary file are
/// drawn on its snippet; labels in other files get reports of their own.
struct MietteReport<'a> {
    code: Option<Code>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    src: Option<Src<'a>>,
    labels: Vec<LabeledSpan>,
}

impl<'a> MietteReport<'a> {
    /// The report for `d`, plus one small report per secondary label that
    /// sits in another file (miette draws one file per report).
    fn new(sources: &'a SourceMap, d: &Diagnostic) -> (MietteReport<'a>, Vec<MietteReport<'a>>) {
        let file = d.primary.span.file;
        let mut here = vec![(&d.primary, true)];
        let mut others = Vec::new();
        for l in &d.secondary {
            if l.span.file == file {
                here.push((l, false));
            } else if let Some(other) = sources.get(l.span.file) {
                let message = if l.message.is_empty() {
                    "see also".to_string()
                } else {
                    l.message.clone()
                };
                let unlabelled = Label::new(l.span, "");
                let (src, labels) = snippet(other, &[(&unlabelled, true)]);
                others.push(MietteReport {
                    code: None,
                    severity: miette::Severity::Advice,
                    message: printable(&message).into_owned(),
                    help: None,
                    src: Some(src),
                    labels,
                });
            }
        }
        let (src, labels) = match sources.get(file) {
            Some(f) => {
                let (src, labels) = snippet(f, &here);
                (Some(src), labels)
            }
            None => (None, Vec::new()),
        };
        let report = MietteReport {
            code: Some(d.code),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            message: printable(&d.message).into_owned(),
            help: d.help.as_deref().map(|h| printable(h).into_owned()),
            src,
            labels,
        };
        (report, others)
    }
}

/// The source and the miette labels of `labels` (all in `file`), clamped
/// onto char boundaries inside the text; a label at (or past) the end points
/// at the padding space after the last character. A label longer than
/// [`MAX_LABEL`] bytes or [`MAX_LABEL_LINES`] lines is drawn over its start.
fn snippet<'a>(file: &'a SourceText, labels: &[(&Label, bool)]) -> (Src<'a>, Vec<LabeledSpan>) {
    let len = file.text.len();
    let mut padded = false;
    let mut out = Vec::with_capacity(labels.len());
    let mut spans = Vec::with_capacity(labels.len());
    for (label, primary) in labels {
        let start = file.clamp(label.span.start as usize);
        let mut end = file.clamp(label.span.end as usize).max(start);
        if start == len {
            padded = true;
            end = len + 1;
        } else {
            let l0 = file.line_index(start);
            let l1 = file.line_index(end.saturating_sub(1).max(start));
            if l1 > l0 && (l1 - l0 > MAX_LABEL_LINES || end - start > MAX_LABEL) {
                let line = file.line_range(l0);
                end = line.end.max(start);
                if file.text[..end].ends_with('\n') && end > start {
                    end -= 1;
                }
            }
            if end - start > MAX_LABEL {
                end = file.clamp(start + MAX_LABEL).max(start);
            }
        }
        let text = (!label.message.is_empty()).then(|| printable(&label.message).into_owned());
        let span = SourceSpan::new(start.into(), end - start);
        spans.push((start, end));
        out.push(if *primary {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        });
    }
    (Src::new(file, padded, &spans), out)
}

impl fmt::Debug for MietteReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteReport<'_> {}

impl miette::Diagnostic for MietteReport<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code
            .map(|c| Box::new(c.as_str()) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

// ---------------------------------------------------------------------------
// json

/// One diagnostic of `--format json`. A stable public shape: fields are only
/// ever added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonDiagnostic {
    pub code: String,
    /// `"error"` or `"warning"`.
    pub severity: String,
    pub message: String,
    /// The file name as given to wfc (or `<stdin>` / `--stdin-filename`).
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in Unicode characters.
    pub column: u32,
    pub end_line: u32,
    /// Just after the last character of the span (1-based, Unicode characters).
    pub end_column: u32,
    pub help: Option<String>,
}

impl JsonDiagnostic {
    pub fn new(sources: &SourceMap, d: &Diagnostic) -> JsonDiagnostic {
        let r = Region::of(sources, d.primary.span);
        JsonDiagnostic {
            code: d.code.as_str().to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            file: sources.name(d.primary.span.file).to_string(),
            line: r.line,
            column: r.column,
            end_line: r.end_line,
            end_column: r.end_column,
            help: d.help.clone(),
        }
    }
}

/// Start and end of a span, 1-based, columns in Unicode characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Region {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

impl Region {
    fn of(sources: &SourceMap, span: Span) -> Region {
        let start = sources.line_col(span.file, span.start as usize);
        let end = sources.line_col(span.file, (span.end.max(span.start)) as usize);
        Region {
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// One pretty-printed JSON array (`[]` when empty), ending in a newline.
pub fn json(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .iter()
        .map(|d| JsonDiagnostic::new(sources, d))
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------
// github

/// One workflow command per diagnostic:
/// `::error file=a.wf,line=3,col=5,endLine=3,endColumn=9,title=WF101::message`.
/// The help, when there is one, follows the message on its own line.
pub fn github(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let r = Region::of(sources, d.primary.span);
        let message = d.message_with_help();
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            d.severity.as_str(),
            escape_property(sources.name(d.primary.span.file)),
            r.line,
            r.column,
            r.end_line,
            r.end_column,
            escape_property(d.code.as_str()),
            escape_data(&message),
        ));
    }
    out
}

/// GitHub's escaping of a command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

// ---------------------------------------------------------------------------
// sarif

/// A SARIF 2.1.0 log with one run of the `wfc` tool: a rule for each code
/// used, a result for each diagnostic. Columns are Unicode code points
/// (`columnKind: unicodeCodePoints`).
pub fn sarif(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    use serde_json::{json, Value};

    let mut codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.summary() },
                "help": { "text": format!("run `wfc explain {}` for the long explanation", c.as_str()) },
                "defaultConfiguration": { "level": sarif_level(c.severity()) },
            })
        })
        .collect();

    let location = |span: Span, message: Option<&str>| -> Value {
        let r = Region::of(sources, span);
        let mut loc = json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri_of(sources.name(span.file)) },
                "region": {
                    "startLine": r.line,
                    "startColumn": r.column,
                    "endLine": r.end_line,
                    "endColumn": r.end_column,
                }
            }
        });
        if let (Some(m), Some(obj)) = (message, loc.as_object_mut()) {
            obj.insert("message".into(), json!({ "text": m }));
        }
        loc
    };

    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let text = d.message_with_help();
            let rule_index = codes.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index,
                "level": sarif_level(d.severity),
                "message": { "text": text },
                "locations": [location(d.primary.span, None)],
            });
            if !d.secondary.is_empty() {
                let related: Vec<Value> = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut v = location(
                            l.span,
                            Some(if l.message.is_empty() {
                                "related location"
                            } else {
                                &l.message
                            }),
                        );
                        if let Some(obj) = v.as_object_mut() {
                            obj.insert("id".into(), json!(i));
                        }
                        v
                    })
                    .collect();
                if let Some(obj) = result.as_object_mut() {
                    obj.insert("relatedLocations".into(), Value::Array(related));
                }
            }
            result
        })
        .collect();

    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "wfc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative URI reference for a file name: `/` separators, and every byte
/// outside RFC 3986's unreserved set (and `/`) percent-encoded.
fn uri_of(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Label;

    fn sample() -> (SourceMap, Vec<Diagnostic>) {
        let mut sm = SourceMap::new();
        let a = sm.add(
            "a.wf",
            "workflow \"Ré\" for contact {\n  set firstnme = \"x\"\n}\n",
        );
        let b = sm.add("dir/b c.wf", "workflow \"Ré\" for deal {\n}");
        let at = |f, needle: &str| {
            let s = sm.text(f).find(needle).unwrap();
            Span::new(f, s, s + needle.len())
        };
        let d1 = Diagnostic::new(
            Code::WF101,
            "unknown property `firstnme` on contact",
            Label::new(at(a, "firstnme"), "not a contact property"),
        )
        .with_help("did you mean `firstname`?");
        let d2 = Diagnostic::new(
            Code::WF106,
            "duplicate workflow name `Ré`",
            Label::new(at(b, "\"Ré\""), "second workflow with this name"),
        )
        .with_secondary(Label::new(at(a, "\"Ré\""), "first defined here"))
        .with_note("workflow names are unique across everything checked together");
        let d3 = Diagnostic::new(
            Code::WF901,
            "end of file",
            Label::new(Span::new(b, 10_000, 10_001), "here"),
        );
        (sm, vec![d1, d2, d3])
    }

    #[test]
    fn summary_counts() {
        let (_, d) = sample();
        assert_eq!(summary(&d).as_deref(), Some("error: 2 errors, 1 warning"));
        assert_eq!(summary(&d[..1]).as_deref(), Some("error: 1 error"));
        assert_eq!(summary(&d[2..]).as_deref(), Some("warning: 1 warning"));
        assert_eq!(summary(&[]), None);
    }

    #[test]
    fn json_positions_are_one_based_chars() {
        let (sm, d) = sample();
        let v: Vec<JsonDiagnostic> = serde_json::from_str(&json(&sm, &d)).unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!((v[0].line, v[0].column), (2, 7));
        assert_eq!((v[0].end_line, v[0].end_column), (2, 15));
        assert_eq!(v[0].help.as_deref(), Some("did you mean `firstname`?"));
        // "Ré" counts as 2 characters + quotes, starting at column 10
        assert_eq!((v[1].column, v[1].end_column), (10, 14));
        assert_eq!(v[1].file, "dir/b c.wf");
        assert_eq!(v[1].help, None);
        // past the end: clamped to the end of the file
        assert_eq!((v[2].line, v[2].column), (2, 2));
    }

    #[test]
    fn github_escapes() {
        assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
        assert_eq!(escape_property("C:\\x,y.wf"), "C%3A\\x%2Cy.wf");
        let (sm, d) = sample();
        let out = github(&sm, &d);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=a.wf,line=2,col=7,endLine=2,endColumn=15,title=WF101::unknown property `firstnme` on contact%0Ahelp: did you mean `firstname`?"
        );
        assert!(lines[2].starts_with("::warning file=dir/b c.wf,"));
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(uri_of("dir\\b c.wf"), "dir/b%20c.wf");
        assert_eq!(uri_of("é.wf"), "%C3%A9.wf");
    }

    #[test]
    fn sarif_rules_and_results() {
        let (sm, d) = sample();
        let v: serde_json::Value = serde_json::from_str(&sarif(&sm, &d)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["WF101", "WF106", "WF901"]);
        let r1 = &run["results"][1];
        assert_eq!(r1["ruleId"], "WF106");
        assert_eq!(r1["ruleIndex"], 1);
        assert_eq!(
            r1["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dir/b%20c.wf"
        );
        assert_eq!(
            r1["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a.wf"
        );
        assert_eq!(run["results"][2]["level"], "warning");
    }

    #[test]
    fn human_never_panics_at_or_past_eof_and_shows_everything() {
        let (sm, d) = sample();
        let out = human(&sm, &d, HumanOptions::plain());
        assert!(out.contains("WF101"), "{out}");
        assert!(out.contains("[a.wf:2:7]"), "{out}");
        assert!(out.contains("did you mean `firstname`?"), "{out}");
        assert!(out.contains("first defined here"), "{out}");
        assert!(out.contains("note: workflow names are unique"), "{out}");
        assert!(out.contains("here"), "{out}");
        assert!(!out.contains('\u{1b}'), "no colour escapes: {out:?}");
        assert!(out.ends_with("error: 2 errors, 1 warning\n"), "{out}");

        // empty file, zero-length label at 0 and at the end
        let mut sm = SourceMap::new();
        let e = sm.add("empty.wf", "");
        let f = sm.add("f.wf", "workflow");
        for span in [
            Span::new(e, 0, 0),
            Span::new(e, 3, 9),
            Span::new(f, 8, 8),
            Span::new(f, 8, 20),
            Span::new(f, 100, 100),
            Span::new(7, 0, 1),
        ] {
            let d = Diagnostic::new(Code::WF001, "expected `{`", Label::new(span, "here"));
            let out = human(&sm, &[d], HumanOptions::plain());
            assert!(out.contains("expected `{`"), "{out}");
        }
        let d = Diagnostic::new(
            Code::WF001,
            "expected `{`",
            Label::new(Span::new(f, 8, 8), "expected `{` here"),
        );
        let out = human(&sm, &[d], HumanOptions::plain());
        assert!(
            out.contains("expected `{` here") && out.contains("[f.wf:1:9]"),
            "a label at EOF is kept, just after the last character: {out}"
        );
        let d = Diagnostic::new(
            Code::WF001,
            "expected a workflow",
            Label::new(Span::new(e, 0, 0), "empty"),
        );
        let out = human(&sm, &[d], HumanOptions::plain());
        assert!(out.contains("[empty.wf:1:1]"), "{out}");
    }

    #[test]
    fn human_header_counts_characters_like_json() {
        let mut sm = SourceMap::new();
        let f = sm.add("a.wf", "workflow \"Ré\" for contact {\n}\n");
        let at = sm.text(f).find("for").unwrap();
        let d = Diagnostic::new(
            Code::WF001,
            "expected `for`",
            Label::new(Span::new(f, at, at + 3), "here"),
        );
        let j: Vec<JsonDiagnostic> =
            serde_json::from_str(&json(&sm, std::slice::from_ref(&d))).unwrap();
        assert_eq!(j[0].column, 15);
        let out = human(&sm, &[d], HumanOptions::plain());
        assert!(out.contains("[a.wf:1:15]"), "{out}");
    }

    #[test]
    fn colour_only_when_asked() {
        let (sm, d) = sample();
        let out = human(
            &sm,
            &d,
            HumanOptions {
                color: true,
                width: 80,
            },
        );
        assert!(out.contains('\u{1b}'));
    }
}
