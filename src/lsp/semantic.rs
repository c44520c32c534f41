//! Semantic tokens (full document), so that editors without a `.wf` grammar
//! still colour the text. Read from the forgiving lexical scan
//! ([`super::lex`]), so half-typed text is coloured too.

use std::collections::HashSet;
use std::ops::Range;

use lsp_types::{SemanticToken, SemanticTokenType, SemanticTokensLegend};

use super::convert;
use super::keywords::KEYWORDS;
use super::lex::{self, Kind, Token};
use crate::source::SourceText;

/// The token types, in legend order (a token's type is its index here).
pub const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::TYPE,
];

const KEYWORD: u32 = 0;
const STRING: u32 = 1;
const NUMBER: u32 = 2;
const COMMENT: u32 = 3;
const PROPERTY: u32 = 4;
/// Workflow names (`workflow "<name>"`, `enroll in "<name>"`).
const FUNCTION: u32 = 5;
/// Labels (`<label>:` and `goto <label>`).
const VARIABLE: u32 = 6;
const OPERATOR: u32 = 7;
/// Object types (`for contact`, the `contact` of `contact.email`).
const TYPE: u32 = 8;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: Vec::new(),
    }
}

/// Words coloured as keywords: every word of a step or setting keyword, and
/// the words of the language's structure and conditions.
fn keyword_words() -> HashSet<&'static str> {
    let mut set: HashSet<&'static str> = KEYWORDS
        .iter()
        .flat_map(|k| k.phrase.split_whitespace())
        .collect();
    set.extend([
        "workflow", "for", "if", "else", "goto", "enroll", "in", "when", "is", "not", "and", "or",
        "to", "true", "false", "branch", "on", "set", "delay", "until", "wait",
    ]);
    set
}

/// The semantic tokens of a text, delta-encoded as the protocol asks.
pub fn tokens(src: &SourceText) -> Vec<SemanticToken> {
    let text = src.text.as_str();
    let toks = lex::tokenize(text);
    let keywords = keyword_words();
    let mut spans: Vec<(Range<usize>, u32)> = Vec::new();

    // Comments are what the tokenizer skipped: a `#` in a gap between tokens.
    let mut prev_end = 0;
    for r in toks
        .iter()
        .map(|t| t.range.clone())
        .chain(std::iter::once(text.len()..text.len()))
    {
        if let Some(gap) = text.get(prev_end..r.start) {
            if let Some(h) = gap.find('#') {
                let end = prev_end + gap.trim_end().len();
                spans.push((prev_end + h..end, COMMENT));
            }
        }
        prev_end = r.end;
    }

    // The previous and next tokens on the same logical line.
    let word =
        |i: Option<usize>| -> &str { i.and_then(|i| toks.get(i)).map_or("", |t| t.text(text)) };
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1);
        let prev2 = i.checked_sub(2);
        let next = Some(i + 1);
        let ty = match t.kind {
            Kind::Newline => None,
            Kind::Number => Some(NUMBER),
            Kind::Str { .. } => {
                let names_workflow =
                    word(prev) == "workflow" || (word(prev) == "in" && word(prev2) == "enroll");
                Some(if names_workflow { FUNCTION } else { STRING })
            }
            Kind::Punct => matches!(
                t.text(text),
                "=" | "+=" | ">=" | "<=" | "<" | ">" | "!" | "-" | "+"
            )
            .then_some(OPERATOR),
            Kind::Ident => Some(ident_type(
                &toks,
                i,
                text,
                &keywords,
                word(prev),
                word(next),
            )),
        };
        if let Some(ty) = ty {
            spans.push((t.range.clone(), ty));
        }
    }
    spans.sort_by_key(|(r, _)| r.start);
    encode(src, &spans)
}

fn ident_type(
    toks: &[Token],
    i: usize,
    text: &str,
    keywords: &HashSet<&str>,
    prev: &str,
    next: &str,
) -> u32 {
    let at_step_start = i == 0
        || toks
            .get(i - 1)
            .is_some_and(|p| p.kind == Kind::Newline || p.text(text) == "{");
    if prev == "goto" || (next == ":" && at_step_start) {
        return VARIABLE;
    }
    if prev == "for" {
        return TYPE;
    }
    if prev == "." {
        return PROPERTY;
    }
    if next == "." {
        return TYPE;
    }
    if keywords.contains(toks[i].text(text)) {
        return KEYWORD;
    }
    PROPERTY
}

/// Delta-encode spans (sorted by start), one token per line of a span that
/// runs over several lines (a multi-line string).
fn encode(src: &SourceText, spans: &[(Range<usize>, u32)]) -> Vec<SemanticToken> {
    let mut out = Vec::new();
    let (mut last_line, mut last_col) = (0u32, 0u32);
    for (range, ty) in spans {
        let Some(piece_text) = src.text.get(range.clone()) else {
            continue;
        };
        let mut start = range.start;
        for piece in piece_text.split('\n') {
            let body = piece.trim_end_matches('\r');
            let len: u32 = body.encode_utf16().count() as u32;
            if len > 0 {
                let pos = convert::position(src, start);
                let delta_line = pos.line - last_line;
                let delta_start = if delta_line == 0 {
                    pos.character - last_col
                } else {
                    pos.character
                };
                out.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: len,
                    token_type: *ty,
                    token_modifiers_bitset: 0,
                });
                last_line = pos.line;
                last_col = pos.character;
            }
            start += piece.len() + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, column, length, type) of each token.
    fn decoded(text: &str) -> Vec<(u32, u32, u32, u32)> {
        let src = SourceText::new("t.wf", text);
        let (mut line, mut col) = (0, 0);
        tokens(&src)
            .into_iter()
            .map(|t| {
                if t.delta_line > 0 {
                    col = 0;
                }
                line += t.delta_line;
                col += t.delta_start;
                (line, col, t.length, t.token_type)
            })
            .collect()
    }

    #[test]
    fn comments_strings_labels_and_multiline_strings() {
        let text = "workflow \"A\" for contact { # hi\n  n: set x = \"a\nb\"\n  goto n\n}\n";
        let d = decoded(text);
        assert!(d.contains(&(0, 0, 8, KEYWORD)), "{d:?}");
        assert!(d.contains(&(0, 9, 3, FUNCTION)), "{d:?}");
        assert!(d.contains(&(0, 17, 7, TYPE)), "{d:?}");
        assert!(d.contains(&(0, 27, 4, COMMENT)), "{d:?}");
        assert!(d.contains(&(1, 2, 1, VARIABLE)), "{d:?}");
        assert!(d.contains(&(1, 13, 2, STRING)), "{d:?}");
        assert!(d.contains(&(2, 0, 2, STRING)), "{d:?}");
        assert!(d.contains(&(3, 7, 1, VARIABLE)), "{d:?}");
    }
}
