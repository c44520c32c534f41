//! `--format github`: GitHub Actions workflow commands.

use super::Region;
use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;

/// `::error file=a.wf,line=3,col=5,endLine=3,endColumn=9,title=WF101::message`.
/// `col` and `endColumn` are left out when the span covers several lines
/// (`@actions/core` drops them then: a column pair only means something on
/// one line). The help, when there is one, follows the message on its own
/// line.
pub fn github(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let r = Region::of(sources, d.primary.span);
        let message = d.message_with_help();
        let (col, end_col) = if r.line == r.end_line {
            (
                format!(",col={}", r.column),
                format!(",endColumn={}", r.end_column),
            )
        } else {
            (String::new(), String::new())
        };
        out.push_str(&format!(
            "::{} file={},line={}{col},endLine={}{end_col},title={}::{}\n",
            d.severity.as_str(),
            escape_property(sources.name(d.primary.span.file)),
            r.line,
            r.end_line,
            escape_property(d.code.as_str()),
            escape_data(&message),
        ));
    }
    out
}

/// GitHub's escaping of a command's message.
pub(super) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a command property value.
pub(super) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
