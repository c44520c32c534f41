//! Byte offsets ⇄ LSP positions (UTF-16 columns, as the protocol requires by
//! default), and compiler diagnostics → LSP diagnostics.

use std::ops::Range as Bytes;
use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::source::{FileId, SourceText};

/// The LSP position of a byte offset (clamped to the text). LSP ends a line
/// at `\n`, `\r\n` or a lone `\r`; the source map only at `\n`, so a text
/// holding a lone `\r` is counted here.
pub fn position(src: &SourceText, offset: usize) -> Position {
    if has_lone_cr(&src.text) {
        return lone_cr::position(&src.text, src.clamp(offset));
    }
    let lc = src.line_col(offset);
    Position {
        line: lc.line.saturating_sub(1),
        character: lc.column_utf16,
    }
}

/// The byte offset of an LSP position (clamped to its line and the text).
pub fn offset(src: &SourceText, pos: Position) -> usize {
    if has_lone_cr(&src.text) {
        return lone_cr::offset(&src.text, pos);
    }
    src.offset_of_utf16(pos.line, pos.character)
}

/// Whether `text` holds a `\r` that is not followed by `\n` (a line end for
/// LSP, not for the source map).
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices('\r')
        .any(|(i, _)| bytes.get(i + 1) != Some(&b'\n'))
}

/// Positions in a text with a lone `\r` (rare: old Mac line ends, or one
/// stray character), found by walking the text.
mod lone_cr {
    use lsp_types::Position;

    /// Whether the byte at `i` ends a line: `\n`, or `\r` not followed by
    /// `\n` (the `\n` of `\r\n` ends it).
    fn ends_line(bytes: &[u8], i: usize) -> bool {
        match bytes[i] {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        }
    }

    pub fn position(text: &str, offset: usize) -> Position {
        let bytes = text.as_bytes();
        let mut line = 0u32;
        let mut start = 0;
        for i in 0..offset.min(bytes.len()) {
            if ends_line(bytes, i) {
                line += 1;
                start = i + 1;
            }
        }
        let character = text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count() as u32);
        Position { line, character }
    }

    pub fn offset(text: &str, pos: Position) -> usize {
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut line = 0u32;
        let mut i = 0;
        while line < pos.line {
            if i >= bytes.len() {
                return text.len();
            }
            if ends_line(bytes, i) {
                line += 1;
                start = i + 1;
            }
            i += 1;
        }
        let mut units = 0u32;
        for (k, ch) in text[start..].char_indices() {
            if units >= pos.character || ch == '\n' || ch == '\r' {
                return start + k;
            }
            units += ch.len_utf16() as u32;
        }
        text.len()
    }
}

pub fn range(src: &SourceText, bytes: Bytes<usize>) -> Range {
    Range {
        start: position(src, bytes.start),
        end: position(src, bytes.end.max(bytes.start)),
    }
}

/// Where a code's long explanation lives on the web, when the build says
/// so (`crate::diagnostics::links::docs_base`). Never a path on the machine
/// that built the binary: it means nothing where the editor runs.
/// `wfc explain <CODE>` prints the same text offline.
pub fn code_href(code: Code) -> Option<Uri> {
    code_href_in(&crate::diagnostics::links::docs_base()?, code)
}

/// `<base>/<CODE>.md`, when that is a valid URI.
pub fn code_href_in(base: &str, code: Code) -> Option<Uri> {
    Uri::from_str(&crate::diagnostics::links::code_url_in(base, code)).ok()
}

/// Convert one diagnostic. `file` gives the text and URI of a file id (for
/// the primary span and for secondary labels, which may be in other files).
pub fn diagnostic<'a>(
    d: &Diagnostic,
    file: &dyn Fn(FileId) -> Option<(&'a SourceText, Uri)>,
) -> Option<lsp_types::Diagnostic> {
    let (src, _) = file(d.primary.span.file)?;
    let mut message = d.message_with_help();
    message.push_str(&format!(
        "\n(run `wfc explain {}` for details)",
        d.code.as_str()
    ));
    let mut related = Vec::new();
    for label in &d.secondary {
        if let Some((lsrc, luri)) = file(label.span.file) {
            related.push(DiagnosticRelatedInformation {
                location: Location {
                    uri: luri,
                    range: range(lsrc, label.span.range()),
                },
                message: if label.message.is_empty() {
                    "related".to_string()
                } else {
                    label.message.clone()
                },
            });
        }
    }
    Some(lsp_types::Diagnostic {
        range: range(src, d.primary.span.range()),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: code_href(d.code).map(|href| CodeDescription { href }),
        source: Some("wfc".to_string()),
        message,
        related_information: if related.is_empty() {
            None
        } else {
            Some(related)
        },
        tags: None,
        data: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Label;
    use crate::source::Span;

    #[test]
    fn utf16_positions_round_trip() {
        let src = SourceText::new("a.wf", "set x = \"é😀\" y\nz\n");
        let y = src.text.find(" y").unwrap() + 1;
        let p = position(&src, y);
        // `set x = "` is 9 units, é 1, 😀 2, `" ` 2.
        assert_eq!(p, Position::new(0, 14));
        assert_eq!(offset(&src, p), y);
        assert_eq!(position(&src, src.text.len()), Position::new(2, 0));
        // Past the end of a line or the file: clamped, never a panic.
        assert_eq!(offset(&src, Position::new(1, 99)), src.text.len() - 1);
        assert_eq!(offset(&src, Position::new(99, 0)), src.text.len());
    }

    #[test]
    fn diagnostic_fields() {
        let src = SourceText::new("a.wf", "😀 bad\n");
        let at = src.text.find("bad").unwrap();
        let d = Diagnostic::new(
            Code::WF101,
            "unknown property `bad` on contact",
            Label::new(Span::new(0, at, at + 3), "unknown property"),
        )
        .with_help("did you mean `bat`?")
        .with_secondary(Label::new(Span::new(0, 0, 4), "here"));
        let uri = Uri::from_str("file:///a.wf").unwrap();
        let out = diagnostic(&d, &|_| Some((&src, uri.clone()))).unwrap();
        assert_eq!(
            out.range,
            Range::new(Position::new(0, 3), Position::new(0, 6))
        );
        assert_eq!(out.code, Some(NumberOrString::String("WF101".into())));
        assert_eq!(out.severity, Some(DiagnosticSeverity::ERROR));
        assert!(out
            .message
            .starts_with("unknown property `bad` on contact\nhelp: did you mean `bat`?"));
        // No docs URL is configured in this build: no link to a file of
        // the build machine.
        assert_eq!(out.code_description, None);
        let rel = out.related_information.unwrap();
        assert_eq!(
            rel[0].location.range,
            Range::new(Position::new(0, 0), Position::new(0, 2))
        );
    }

    #[test]
    fn code_href_is_under_the_configured_base() {
        let href = code_href_in("https://example.org/wfc/codes/", Code::WF101).unwrap();
        assert_eq!(href.as_str(), "https://example.org/wfc/codes/WF101.md");
        assert_eq!(code_href_in("not a uri", Code::WF101), None);
    }

    #[test]
    fn a_lone_cr_ends_a_line_like_lf_and_crlf() {
        // Lines: "a", "bé", "c", "d😀x", "" (ends: \r, \r\n, \n, \r).
        let src = SourceText::new("a.wf", "a\rbé\r\nc\nd😀x\r");
        let x = src.text.find('x').unwrap();
        assert_eq!(position(&src, x), Position::new(3, 3));
        assert_eq!(offset(&src, Position::new(3, 3)), x);
        let c = src.text.find('c').unwrap();
        assert_eq!(position(&src, c), Position::new(2, 0));
        assert_eq!(offset(&src, Position::new(2, 0)), c);
        let b = src.text.find('b').unwrap();
        assert_eq!(position(&src, b), Position::new(1, 0));
        // Clamped to the line (before its `\r\n`), and to the text.
        assert_eq!(offset(&src, Position::new(1, 99)), b + "bé".len());
        assert_eq!(offset(&src, Position::new(9, 0)), src.text.len());
        assert_eq!(position(&src, src.text.len()), Position::new(4, 0));
        // Without a lone `\r`, the source map's lines (`\r\n` is one end).
        let crlf = SourceText::new("b.wf", "a\r\nb");
        assert_eq!(position(&crlf, 3), Position::new(1, 0));
        assert_eq!(offset(&crlf, Position::new(1, 0)), 3);
    }

    #[test]
    fn a_diagnostic_after_a_lone_cr_is_on_the_next_line() {
        let src = SourceText::new(
            "a.wf",
            "workflow \"A\" for contact {\r  set nosuch = 1\n}\n",
        );
        let at = src.text.find("nosuch").unwrap();
        let d = Diagnostic::new(
            Code::WF101,
            "unknown property `nosuch` on contact",
            Label::new(Span::new(0, at, at + 6), "unknown property"),
        );
        let uri = Uri::from_str("file:///a.wf").unwrap();
        let out = diagnostic(&d, &|_| Some((&src, uri.clone()))).unwrap();
        assert_eq!(
            out.range,
            Range::new(Position::new(1, 6), Position::new(1, 12))
        );
    }
}
