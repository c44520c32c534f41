//! pest errors → WF001 diagnostics in an author's words.
//!
//! pest reports the furthest position it reached and the set of rules it
//! tried there. The grammar names those rules after what authors type, and
//! [`phrase`] turns each into words ("a step such as ...", "a condition",
//! "`}`"). The primary label sits on the token found at that position.

use pest::error::{ErrorVariant, InputLocation};

use super::grammar::Rule;
use super::scan::Chunk;
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::source::{FileId, Span};

/// What an author would call the thing a rule matches (None: not worth
/// naming, because a better alternative is always reported with it).
fn phrase(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        step | stmt => "a step such as `delay`, `set` or `send email`",
        setting => "a setting such as `enroll when`",
        chunk | workflow | k_workflow => "`workflow`",
        condition | cond_and | predicate => "a condition",
        comparison => "a comparison such as `is`, `>`, `in` or `contains`",
        op_cmp => "`>`, `>=`, `<` or `<=`",
        value | scalar => "a value",
        list | lbracket => "`[`",
        record => "a record such as `{ name = \"...\" }`",
        field | field_key => "a field such as `name = \"...\"`",
        event => "an event such as `form \"...\" submitted`",
        string => "a string",
        number => "a number",
        boolean => "`true` or `false`",
        date => "a date such as `2026-05-01`",
        time => "a time of day such as `9:00`",
        weekday | weekdays => "a weekday",
        duration | dur_part | date_offset => "a duration such as `2d`",
        offset_dir => "`before` or `after`",
        path | ident => "a property such as `firstname` or `company.name`",
        prop_name => "a property name",
        object_type => "an object type such as `contact`",
        label_ref => "a label",
        label => return None,
        recipients | recipient => "a recipient: `owner`, `user \"...\"` or `team \"...\"`",
        sms_recipients | sms_recipient => "a recipient: `user \"...\"` or `number \"...\"`",
        marketing_recipient => "an address such as `\"ops@example.com\"` or `property <name>`",
        slack_target => "`channel` or `user`",
        visibility => "`public` or `private`",
        http_method => "`post` or `get`",
        opt_dir => "`in` or `out`",
        email_action => "`opened`, `clicked` or `replied`",
        assign_op => "`=` or `+=`",
        eq => "`=`",
        basis => "a basis such as `consent`",
        case => "a value such as `\"A\"` starting a case",
        else_if | else_block => "`else`",
        for_owner | sf_assignee => "`for`",
        centering => "`centered on`",
        rotate_team | rotate_users => "`team` or `users`",
        cond_not => "`not`",
        cond_group | lparen => "`(`",
        rparen => "`)`",
        nl => "end of line",
        lbrace => "`{`",
        rbrace => "`}`",
        rbracket => "`]`",
        comma => "`,`",
        op_known => "`is known`",
        op_unknown => "`is unknown`",
        op_is_not => "`is not`",
        op_is => "`is`",
        op_not_in => "`not in`",
        op_in => "`in`",
        op_contains => "`contains`",
        // a test item is the alternative of a workflow: `workflow` says it
        test_item | k_test => return None,
        test_line => "a test line such as `contact c1 { ... }` or `expect ...`",
        test_when => "`at <duration>:` or `on <date>:`",
        record_id => "a record id such as `c1`",
        x_condition | x_any_error | x_error | x_enrollment | x_reached | x_took | x_ran | fact => {
            "an expectation such as `enrolled` or `ran send email \"...\"`"
        }
        times => "`once`, `twice` or `<n> times`",
        within | ran_at | in_workflow | t_start | t_set | t_enroll | t_event | t_record
        | t_expect | test_block => return None,
        EOI => "end of file",
        _ => return keyword(rule),
    })
}

/// `k_send` → "`send`" (leaked once per keyword into a static table).
fn keyword(rule: Rule) -> Option<&'static str> {
    super::grammar::KEYWORDS
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, quoted)| *quoted)
}

/// The words an author may have meant at a step start (for "did you mean").
const STEP_WORDS: &[&str] = &[
    "delay",
    "set",
    "send",
    "if",
    "branch",
    "goto",
    "enroll",
    "webhook",
    "copy",
    "clear",
    "increase",
    "decrease",
    "add",
    "remove",
    "opt",
    "create",
    "app",
    "rotate",
    "salesforce",
    "reenroll",
    "goal",
    "unenroll",
];

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn join_or<S: AsRef<str>>(items: &[S], quote: bool) -> String {
    let q = |s: &S| {
        if quote {
            format!("`{}`", s.as_ref())
        } else {
            s.as_ref().to_string()
        }
    };
    match items {
        [] => String::new(),
        [a] => q(a),
        [init @ .., last] => {
            let head: Vec<String> = init.iter().map(q).collect();
            format!("{} or {}", head.join(", "), q(last))
        }
    }
}

/// The closest candidate within edit distance 2 (and closer than the word's
/// own length), for "did you mean".
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(word, c), *c))
        .filter(|&(d, c)| d > 0 && d <= 2 && d < word.len().max(1) && d < c.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// What stands at `pos` in `text`: a description and its byte range.
pub(crate) struct Found {
    pub desc: String,
    pub word: Option<String>,
    pub start: usize,
    pub end: usize,
}

pub(crate) fn found_at(text: &str, pos: usize) -> Found {
    let pos = pos.min(text.len());
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return Found {
            desc: "end of file".into(),
            word: None,
            start: pos,
            end: pos,
        };
    };
    let b = rest.as_bytes();
    if c == '\n' || (c == '\r' && b.get(1) == Some(&b'\n')) {
        return Found {
            desc: "end of line".into(),
            word: None,
            start: pos,
            end: pos + 1,
        };
    }
    if c.is_alphabetic() || c == '_' {
        // the whole word, never cut inside a character (`café`)
        let n = rest
            .char_indices()
            .find(|&(_, x)| !(x.is_alphanumeric() || x == '_'))
            .map_or(rest.len(), |(i, _)| i);
        let w = rest.get(..n).unwrap_or("").to_string();
        return Found {
            desc: format!("`{}`", crate::diagnostics::shorten(&w)),
            word: Some(w),
            start: pos,
            end: pos + n,
        };
    }
    if c.is_ascii_digit() || (c == '-' && b.get(1).is_some_and(u8::is_ascii_digit)) {
        let n = 1 + b
            .iter()
            .skip(1)
            .take_while(|x| x.is_ascii_alphanumeric() || matches!(x, b'-' | b'.' | b':' | b'_'))
            .count();
        let w = rest.get(..n).unwrap_or("");
        return Found {
            desc: format!("`{}`", crate::diagnostics::shorten(w)),
            word: None,
            start: pos,
            end: pos + n,
        };
    }
    if c == '"' {
        // the whole literal, or up to the end of its line when unclosed
        let mut i = 1;
        let mut end = None;
        while let Some(&x) = b.get(i) {
            match x {
                b'\\' => i += 2,
                b'"' => {
                    end = Some(i + 1);
                    break;
                }
                b'\n' => break,
                _ => i += 1,
            }
        }
        let end = end.unwrap_or_else(|| rest.find('\n').unwrap_or(rest.len()));
        return Found {
            desc: "a string".into(),
            word: None,
            start: pos,
            end: pos + end.min(rest.len()),
        };
    }
    let shown: String = c.escape_debug().collect();
    Found {
        desc: format!("`{shown}`"),
        word: None,
        start: pos,
        end: pos + c.len_utf8(),
    }
}

/// True when `text[pos..]` holds only whitespace, newlines and comments.
fn blank_from(text: &str, pos: usize) -> bool {
    let mut in_comment = false;
    for c in text.get(pos..).unwrap_or("").chars() {
        match c {
            '\n' => in_comment = false,
            _ if in_comment => {}
            '#' => in_comment = true,
            ' ' | '\t' | '\r' | '\u{FEFF}' => {}
            _ => return false,
        }
    }
    true
}

/// A span on the last visible character of `src[..end]`, shifted by
/// `base` (for errors at the end of the file: a label exactly at the end of
/// the file is not rendered).
pub(crate) fn last_visible(file: FileId, src: &str, base: usize, end: usize) -> Span {
    let head = src.get(..end.min(src.len())).unwrap_or(src);
    match head.char_indices().rev().find(|(_, c)| !c.is_whitespace()) {
        Some((i, c)) => Span::new(file, base + i, base + i + c.len_utf8()),
        None => Span::new(file, base, base),
    }
}

/// Turn pest's error for one chunk into a WF001 diagnostic.
///
/// `src` is the text that was parsed (the chunk, possibly with lines blanked
/// out for recovery), starting at byte `chunk.start` of the file; `next` the
/// start of the following chunk, if any; `line_of` gives the 1-based line
/// of a file offset.
///
/// WF001: every grammar error, in an author's words.
pub(crate) fn convert(
    err: &pest::error::Error<Rule>,
    file: FileId,
    src: &str,
    chunk: &Chunk,
    next: Option<usize>,
    line_of: &dyn Fn(usize) -> u32,
) -> Diagnostic {
    let base = chunk.start;
    let rel = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let rel = rel.min(src.len());
    let pos = base + rel;
    let mut positives: Vec<Rule> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    positives.dedup();

    // An unterminated string swallows the rest of the chunk.
    if let Some(q) = chunk.unterminated_string {
        if pos >= q {
            return Diagnostic::new(
                Code::WF001,
                "unterminated string",
                Label::new(Span::new(file, q, q + 1), "this string is never closed"),
            )
            .with_help("add the closing `\"`");
        }
    }

    let at_end = blank_from(src, rel);

    // The end of the chunk with brackets still open.
    if at_end {
        if let Some(&(byte, open)) = chunk.unclosed.last() {
            let (close, what) = closer(byte);
            let line = line_of(open);
            let (primary, found) = match next {
                Some(n) => (Span::new(file, n, n + "workflow".len()), "`workflow`"),
                None => (last_visible(file, src, base, src.len()), "end of file"),
            };
            let message = format!(
                "expected `{close}` to close the {what} opened on line {line}, found {found}"
            );
            let mut d = Diagnostic::new(
                Code::WF001,
                message,
                Label::new(primary, format!("expected `{close}`")),
            )
            .with_secondary(Label::new(
                Span::new(file, open, open + 1),
                format!("this {what} is never closed"),
            ))
            .with_help(format!("add `{close}` where the {what} ends"));
            if byte == b'{' {
                if let Some(o) = misindented_block(src) {
                    let o = base + o;
                    d = d.with_secondary(Label::new(
                        Span::new(file, o, o + 1),
                        format!(
                            "this block (line {}) may be the one missing its `}}`: the `}}` that closes it is indented differently",
                            line_of(o)
                        ),
                    ));
                }
            }
            return d;
        }
    }

    let found = match next {
        Some(n) if at_end => Found {
            desc: "`workflow`".into(),
            word: Some("workflow".into()),
            start: n,
            end: n + "workflow".len(),
        },
        _ => {
            let f = found_at(src, rel);
            Found {
                start: base + f.start,
                end: base + f.end,
                ..f
            }
        }
    };
    let primary = if found.start >= base + src.len() {
        last_visible(file, src, base, src.len())
    } else {
        Span::new(file, found.start, found.end)
    };

    // A closing bracket that does not match the innermost open one.
    if matches!(found.desc.as_str(), "`}`" | "`)`" | "`]`") {
        let before = src.get(..found.start.saturating_sub(base)).unwrap_or("");
        let open_now = super::scan::scan(before)
            .chunks
            .pop()
            .map(|c| c.unclosed)
            .unwrap_or_default();
        let found_close = found.desc.chars().nth(1).unwrap_or('}');
        let matches_some = open_now.iter().any(|&(b, _)| closer(b).0 == found_close);
        if !open_now.is_empty() && !matches_some {
            let opener = match found_close {
                ')' => '(',
                ']' => '[',
                _ => '{',
            };
            return Diagnostic::new(
                Code::WF001,
                format!(
                    "unexpected {}: there is no open `{opener}` to close",
                    found.desc
                ),
                Label::new(primary, "closes nothing"),
            )
            .with_help(format!("remove this {}", found.desc));
        }
        if let Some(&(byte, open)) = open_now.last() {
            let (close, what) = closer(byte);
            if found.desc != format!("`{close}`") {
                let open = base + open;
                let line = line_of(open);
                return Diagnostic::new(
                    Code::WF001,
                    format!(
                        "expected `{close}` to close the {what} opened on line {line}, found {}",
                        found.desc
                    ),
                    Label::new(primary, format!("expected `{close}`")),
                )
                .with_secondary(Label::new(
                    Span::new(file, open, open + 1),
                    format!("this {what} is not closed"),
                ))
                .with_help(format!("add `{close}` before this"));
            }
        }
    }
    let found_rel = found.start.saturating_sub(base).min(src.len());
    let found_line_start = src
        .get(..found_rel)
        .and_then(|h| h.rfind('\n'))
        .map_or(0, |i| i + 1);

    // A string that ran over line ends up to the error: its closing `"` is
    // most likely missing where it was opened.
    if let Some((q, e)) = last_string_before(src, found_rel) {
        let spans_lines = src.get(q..e).is_some_and(|t| t.contains('\n'));
        if spans_lines && e > found_line_start {
            let (a, b) = (line_of(base + q), line_of(found.start));
            return Diagnostic::new(
                Code::WF001,
                format!("the string opened on line {a} runs on to line {b}: a closing `\"` is probably missing"),
                Label::new(Span::new(file, base + q, base + q + 1), "this string is not closed on its line"),
            )
            .with_secondary(Label::new(primary, format!("parsing stopped at {}", found.desc)))
            .with_help("add the missing `\"`");
        }
    }

    // A list still open when a later line starts: its `]` is missing.
    if found_line_start > 0 && positives.contains(&Rule::rbracket) {
        if let Some(&(b'[', open)) = super::scan::scan(src.get(..found_rel).unwrap_or(""))
            .chunks
            .last()
            .and_then(|c| c.unclosed.last())
        {
            if open < found_line_start {
                let at = last_visible(file, src, base, found_line_start);
                let open = base + open;
                return Diagnostic::new(
                    Code::WF001,
                    format!(
                        "expected `]` to close the list opened on line {}, found {}",
                        line_of(open),
                        found.desc
                    ),
                    Label::new(at, "expected `]` after this"),
                )
                .with_secondary(Label::new(
                    Span::new(file, open, open + 1),
                    "this list is not closed",
                ))
                .with_help("add `]` at the end of the list");
            }
        }
    }

    let has = |r: Rule| positives.contains(&r);
    let wants_step = has(Rule::step) || has(Rule::stmt);

    // Special cases worth their own words.
    if wants_step && found.word.as_deref() == Some("else") {
        return Diagnostic::new(
            Code::WF001,
            "`else` without a matching `if`",
            Label::new(primary, "no `if` block ends right before this"),
        )
        .with_help("`else` must follow the `}` of an `if` block, on the same line or the next");
    }

    let mut phrases: Vec<&'static str> = Vec::new();
    for &r in &positives {
        if let Some(p) = phrase(r) {
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
    }
    if wants_step {
        // A step is what matters; `}`, settings and `else` are implied.
        phrases.retain(|p| {
            !matches!(
                *p,
                "`}`" | "end of line" | "`else`" | "a setting such as `enroll when`"
            )
        });
    }
    if phrases.contains(&"`]`") {
        // newlines separate list items; `,` and `]` say more
        phrases.retain(|p| *p != "end of line");
    }
    if phrases.contains(&"end of line") {
        phrases.retain(|p| *p != "`}`" && *p != "end of file");
    }
    let top_level = phrases.contains(&"`workflow`");
    if top_level {
        // Between workflows only another workflow may start.
        phrases.retain(|p| *p != "end of file" && *p != "end of line");
        if found.desc == "`}`" {
            return Diagnostic::new(
                Code::WF001,
                "unexpected `}`: there is no open block to close",
                Label::new(primary, "closes nothing"),
            )
            .with_help("remove this `}` or the one before it");
        }
    }
    if phrases.is_empty() {
        phrases.push("something else");
    }

    let expected = join_or(&phrases, false);
    let message = format!("expected {expected}, found {}", found.desc);
    let label = if phrases.len() == 1 {
        format!("expected {expected}")
    } else {
        format!("unexpected {}", found.desc)
    };
    let mut d = Diagnostic::new(Code::WF001, message, Label::new(primary, label));

    // Help: a close keyword, or how to fix the usual mistakes.
    let mut words: Vec<&str> = positives.iter().filter_map(|r| keyword_word(*r)).collect();
    if wants_step {
        words.extend_from_slice(STEP_WORDS);
    }
    if let Some(w) = found.word.as_deref() {
        if let Some(best) = closest(w, &words) {
            d.help = Some(format!("did you mean `{best}`?"));
        }
    }
    if d.help.is_none() {
        d.help = step_help(src, found_rel, &found, &positives);
        // Both helps keep the meaning: their insertions are safe fixes.
        let help = d.help.as_deref().unwrap_or("");
        let insert = if help.starts_with("insert `=` before the value") {
            Some((found_rel, "= ", "insert `=`"))
        } else if help.starts_with("separate the fields with a comma") {
            let end = src
                .get(..found_rel)
                .map_or(found_rel, |h| h.trim_end().len());
            Some((end, ",", "insert `,`"))
        } else {
            None
        };
        if let Some((at, text, title)) = insert {
            let span = Span::new(file, base + at, base + at);
            d.fixes.push(crate::diagnostics::Fix::replace(
                title,
                crate::diagnostics::Applicability::Safe,
                span,
                text,
            ));
        }
    }
    if d.help.is_none() {
        d.help = if top_level {
            Some("steps and settings stand inside a workflow: `workflow \"Name\" for contact { ... }`".into())
        } else if phrases.contains(&"end of line") && found.word.is_some() {
            Some("each step goes on its own line".into())
        } else if found.desc == "`,`" && (has(Rule::scalar) || has(Rule::value) || has(Rule::field))
        {
            Some("remove the extra `,`".into())
        } else if has(Rule::k_for) && phrases.len() == 1 {
            Some("write `workflow \"Name\" for contact { ... }`".into())
        } else if phrases.contains(&"`{`") && found.desc == "end of line" {
            Some("put `{` at the end of this line".into())
        } else {
            None
        };
    }
    d
}

/// Help for the usual mistakes inside one step: a missing `=` in `set`,
/// fields of a record without a `,`, options out of order.
fn step_help(src: &str, found_rel: usize, found: &Found, positives: &[Rule]) -> Option<String> {
    let line_start = src
        .get(..found_rel)
        .and_then(|h| h.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = src.get(line_start..found_rel).unwrap_or("").trim();
    // the statement without its label
    let stmt = match before.split_once(':') {
        Some((l, rest))
            if !l.is_empty() && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') =>
        {
            rest.trim_start()
        }
        _ => before,
    };
    let found_text = src
        .get(found_rel..found_rel + found.end.saturating_sub(found.start))
        .unwrap_or("");
    if positives.contains(&Rule::lbrace) && stmt.starts_with("app ") {
        return Some(
            "an app action takes its fields in a block: add `{ ... }`, or `{}` when it takes none"
                .into(),
        );
    }
    if positives.contains(&Rule::assign_op) {
        if let Some(path) = stmt.strip_prefix("set ") {
            let path = path.trim();
            if !path.is_empty() && !found_text.is_empty() {
                return Some(format!(
                    "insert `=` before the value: `set {} = {}`",
                    crate::diagnostics::shorten(path),
                    crate::diagnostics::shorten(found_text)
                ));
            }
        }
    }
    let word = found.word.as_deref()?;
    const ORDERS: &[(&str, &[&str], &str)] = &[
        (
            "create task ",
            &["due", "for"],
            "`create task \"<title>\" due <duration> for owner`",
        ),
        (
            "opt in ",
            &["basis", "explanation"],
            "`opt in \"<subscription>\" basis <basis> explanation \"<text>\"`",
        ),
        (
            "opt out ",
            &["basis", "explanation"],
            "`opt out \"<subscription>\" basis <basis> explanation \"<text>\"`",
        ),
    ];
    for (head, options, order) in ORDERS {
        if stmt.starts_with(head) && options.contains(&word) {
            return Some(format!(
                "each option may appear once, in this order: {order}"
            ));
        }
    }
    // `{ name = "a" domain = "b" }`: a field where a `,` or `}` may stand
    if positives.contains(&Rule::comma) {
        let open = super::scan::scan(src.get(..found_rel).unwrap_or(""))
            .chunks
            .last()
            .and_then(|c| c.unclosed.last().copied());
        if let Some((b'{', o)) = open {
            if o >= line_start
                || stmt.contains('{')
                || src.get(found_rel..).is_some_and(|r| {
                    r.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
                        .trim_start()
                        .starts_with('=')
                })
            {
                return Some(format!(
                    "separate the fields with a comma: `, {} = ...`",
                    crate::diagnostics::shorten(word)
                ));
            }
        }
    }
    None
}

/// The innermost-first `{` whose matching `}` starts a line indented
/// differently from the line of the `{` (a hint for a missing `}`).
fn misindented_block(src: &str) -> Option<usize> {
    let b = src.as_bytes();
    let line_start = |pos: usize| {
        b.get(..pos)
            .and_then(|h| h.iter().rposition(|&c| c == b'\n'))
            .map_or(0, |i| i + 1)
    };
    let indent = |pos: usize| -> &[u8] {
        let ls = line_start(pos);
        let rest = b.get(ls..).unwrap_or(&[]);
        let n = rest
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t'))
            .count();
        rest.get(..n).unwrap_or(&[])
    };
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'#' => {
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while let Some(&c) = b.get(i) {
                    if c == b'"' {
                        break;
                    }
                    i += if c == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => stack.push(i),
            b'}' => {
                if let Some(o) = stack.pop() {
                    let first_on_line = i - line_start(i) == indent(i).len();
                    if first_on_line && indent(o) != indent(i) {
                        return Some(o);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The last string literal that ends at or before `end`: (start, end) of
/// the quotes, relative to `src`.
fn last_string_before(src: &str, end: usize) -> Option<(usize, usize)> {
    let b = src.as_bytes();
    let mut last = None;
    let mut i = 0;
    while i < end {
        match b.get(i) {
            Some(b'#') => {
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            Some(b'"') => {
                let q = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return last,
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                if i <= end {
                    last = Some((q, i));
                }
            }
            Some(_) => i += 1,
            None => break,
        }
    }
    last
}

fn closer(open: u8) -> (char, &'static str) {
    match open {
        b'{' => ('}', "block"),
        b'[' => (']', "list"),
        _ => (')', "parenthesis"),
    }
}

/// `k_send` → `send`.
fn keyword_word(rule: Rule) -> Option<&'static str> {
    keyword(rule).map(|q| q.trim_matches('`'))
}
