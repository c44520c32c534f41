//! The human report: miette's graphical handler over windows of the source.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan,
    SpanContents,
};

use super::HumanOptions;
use crate::diagnostics::escape_invisible as printable;
use crate::diagnostics::{Code, Diagnostic, Label, Severity};
use crate::source::{SourceMap, SourceText};

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
