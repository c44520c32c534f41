//! Canonical text of values and literals, shared with the other front ends
//! (graph labels, hover).

use crate::syntax::ast::*;

/// A value on one line.
pub fn inline_value(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(s) => quote_lit(s),
        ValueKind::Number(n) => n.raw.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Date(d) => date_text(d),
        ValueKind::List(items) => {
            let inner: Vec<String> = items.iter().map(inline_value).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

/// A string literal in canonical form: `"`, `\` and control characters
/// escaped (`\n`, `\t`, `\u{X}`), everything else as is.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        push_escaped(&mut out, ch);
    }
    out.push('"');
    out
}

/// A parsed literal in canonical form: its text as [`quote`] writes it,
/// its `{{ }}` tokens exactly as written (a tab inside a token is part of
/// the token: `\t` there would make it malformed), and a `{` of the text
/// that would open a token where there was none (`\u{7B}{{x}}` holds the
/// text `{` before a token) written as `\u{7B}`.
pub fn quote_lit(s: &StrLit) -> String {
    let mut out = String::with_capacity(s.value.len() + 2);
    out.push('"');
    let mut parts = s.parts().peekable();
    while let Some(part) = parts.next() {
        match part {
            StrPart::Token(t) => {
                let r = t.value_range.start as usize..t.value_range.end as usize;
                out.push_str(s.value.get(r).unwrap_or_default());
            }
            StrPart::Text(text) => {
                let token_next = matches!(parts.peek(), Some(StrPart::Token(_)));
                let mut chars = text.chars().peekable();
                while let Some(ch) = chars.next() {
                    let brace_next = match chars.peek() {
                        Some(&c) => c == '{',
                        None => token_next,
                    };
                    if ch == '{' && brace_next {
                        out.push_str("\\u{7B}");
                    } else {
                        push_escaped(&mut out, ch);
                    }
                }
            }
        }
    }
    out.push('"');
    out
}

fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
        c => out.push(c),
    }
}

/// `4h 30m`: the parts as written, separated by one space.
pub fn duration_text(d: &Duration) -> String {
    let parts: Vec<String> = d
        .parts
        .iter()
        .map(|p| {
            let unit = match p.unit {
                DurationUnit::Days => 'd',
                DurationUnit::Hours => 'h',
                DurationUnit::Minutes => 'm',
            };
            format!("{}{}", p.amount, unit)
        })
        .collect();
    parts.join(" ")
}

/// `9:00`, `11:30`: hours without a leading zero, minutes with two digits.
pub fn time_text(t: &TimeLit) -> String {
    format!("{}:{:02}", t.hour, t.minute)
}

/// `YYYY-MM-DD`.
pub fn date_text(d: &DateLit) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}
