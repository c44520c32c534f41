//! Pairs → AST: values, lexical items, and string literals with their
//! escapes and `{{ tokens }}` (WF001 for a bad escape or token).

use pest::iterators::Pair;

use super::{Bug, Builder, R};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;

impl Builder {
    // ------------------------------------------------------------ values

    pub(super) fn value(&mut self, p: Pair<'_, Rule>) -> R<Value> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        let inner = k.next()?;
        let kind = match inner.as_rule() {
            Rule::string => ValueKind::String(self.string(inner)),
            Rule::number => ValueKind::Number(self.number(&inner)),
            Rule::boolean => ValueKind::Bool(inner.as_str() == "true"),
            Rule::date => ValueKind::Date(self.date(&inner)?),
            Rule::list => return self.list(inner),
            _ => return Err(self.bug(&inner)),
        };
        Ok(Value { kind, span })
    }

    pub(super) fn list(&mut self, p: Pair<'_, Rule>) -> R<Value> {
        let span = self.span(&p);
        let mut items = Vec::new();
        for v in self.kids(&p).rest() {
            items.push(self.value(v)?);
        }
        Ok(Value {
            kind: ValueKind::List(items),
            span,
        })
    }

    pub(super) fn path(&mut self, p: &Pair<'_, Rule>) -> R<Path> {
        let span = self.span(p);
        let mut idents: Vec<Ident> = p.clone().into_inner().map(|i| self.ident(&i)).collect();
        let property = idents.pop().ok_or(Bug {
            span,
            what: "an empty path",
        })?;
        Ok(Path {
            object: idents.pop().map(Box::new),
            property,
            span,
        })
    }

    pub(super) fn ident(&self, p: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: Name::from(p.as_str()),
            span: self.span(p),
        }
    }

    pub(super) fn number(&self, p: &Pair<'_, Rule>) -> NumberLit {
        let raw = p.as_str();
        NumberLit {
            value: raw.parse::<f64>().unwrap_or(f64::NAN),
            raw: Name::from(raw),
            span: self.span(p),
        }
    }

    pub(super) fn date(&self, p: &Pair<'_, Rule>) -> R<DateLit> {
        let raw = p.as_str();
        let part = |r: std::ops::Range<usize>| raw.get(r).and_then(|s| s.parse::<u32>().ok());
        match (part(0..4), part(5..7), part(8..10)) {
            (Some(y), Some(m), Some(d)) => Ok(DateLit {
                year: y as i32,
                month: m,
                day: d,
                span: self.span(p),
            }),
            _ => Err(self.bug(p)),
        }
    }

    pub(super) fn time(&self, p: &Pair<'_, Rule>) -> R<TimeLit> {
        let raw = p.as_str();
        let (h, m) = raw.split_once(':').ok_or_else(|| self.bug(p))?;
        match (h.parse::<u32>(), m.parse::<u32>()) {
            (Ok(hour), Ok(minute)) => Ok(TimeLit {
                hour,
                minute,
                span: self.span(p),
            }),
            _ => Err(self.bug(p)),
        }
    }

    pub(super) fn weekday(&self, p: &Pair<'_, Rule>) -> R<WeekdayLit> {
        let day = match p.as_str() {
            "monday" => Weekday::Monday,
            "tuesday" => Weekday::Tuesday,
            "wednesday" => Weekday::Wednesday,
            "thursday" => Weekday::Thursday,
            "friday" => Weekday::Friday,
            "saturday" => Weekday::Saturday,
            "sunday" => Weekday::Sunday,
            _ => return Err(self.bug(p)),
        };
        Ok(WeekdayLit {
            day,
            span: self.span(p),
        })
    }

    pub(super) fn duration(&self, p: &Pair<'_, Rule>) -> R<Duration> {
        let span = self.span(p);
        let mut parts = Vec::new();
        for part in p.clone().into_inner() {
            let raw = part.as_str();
            let amount = raw
                .bytes()
                .take_while(u8::is_ascii_digit)
                .fold(0u64, |acc, d| {
                    acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                });
            let unit = match raw.bytes().last() {
                Some(b'd') => DurationUnit::Days,
                Some(b'h') => DurationUnit::Hours,
                Some(b'm') => DurationUnit::Minutes,
                _ => return Err(self.bug(&part)),
            };
            parts.push(DurationPart {
                amount,
                unit,
                span: self.span(&part),
            });
        }
        if parts.is_empty() {
            return Err(self.bug(p));
        }
        Ok(Duration { parts, span })
    }

    // ------------------------------------------------------------ strings

    /// Unescape a string literal and split it into text and `{{ tokens }}`.
    /// Bad escapes and malformed tokens are reported; the literal is still
    /// returned (with the bad piece kept as text) so nothing else is lost.
    pub(crate) fn string(&mut self, p: Pair<'_, Rule>) -> StrLit {
        self.string_at(p.as_str(), p.as_span().start())
    }

    /// [`Builder::string`] of the literal `whole` (quotes included) that
    /// starts at chunk-relative offset `start`.
    pub(crate) fn string_at(&mut self, whole: &str, start: usize) -> StrLit {
        let span = self.at(start, start + whole.len());
        let raw = whole
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(whole);
        if !raw.contains('\\') && !raw.contains("{{") {
            return StrLit {
                value: Name::from(raw),
                tokens: Box::default(),
                span,
            };
        }
        // File offset of raw[0] relative to the chunk.
        let base = start + 1;
        let mut value = String::with_capacity(raw.len());
        let mut tokens = Vec::new();
        let mut i = 0usize;
        while let Some(c) = raw.get(i..).and_then(|r| r.chars().next()) {
            if c == '\\' {
                let (ch, len) = self.escape(raw, i, base);
                if let Some(ch) = ch {
                    value.push(ch);
                }
                i += len;
            } else if raw.get(i..).is_some_and(|r| r.starts_with("{{")) {
                let (tok, len) = self.token(raw, i, base, value.len());
                value.push_str(raw.get(i..i + len).unwrap_or(""));
                tokens.extend(tok);
                i += len;
            } else {
                value.push(c);
                i += c.len_utf8();
            }
        }
        StrLit {
            value: Name::from(value),
            tokens: tokens.into_boxed_slice(),
            span,
        }
    }

    /// The escape starting at `raw[i]` (a backslash): its character (None
    /// when invalid, reported) and its length in bytes.
    ///
    /// WF001: an invalid escape in a string.
    pub(super) fn escape(&mut self, raw: &str, i: usize, base: usize) -> (Option<char>, usize) {
        let rest = raw.get(i + 1..).unwrap_or("");
        let Some(n) = rest.chars().next() else {
            return (None, 1);
        };
        match n {
            '"' => (Some('"'), 2),
            '\\' => (Some('\\'), 2),
            'n' => (Some('\n'), 2),
            't' => (Some('\t'), 2),
            'u' => {
                // \u{X...}: 1 to 6 hex digits naming a Unicode scalar value
                let after = rest.get(1..).unwrap_or("");
                let close = after.find('}');
                let ok = after.starts_with('{')
                    && close.is_some_and(|c| {
                        let hex = after.get(1..c).unwrap_or("");
                        (1..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
                    });
                if ok {
                    let c = close.unwrap_or(0);
                    let hex = after.get(1..c).unwrap_or("");
                    let len = 2 + c + 1;
                    match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                        Some(ch) => (Some(ch), len),
                        None => {
                            self.error(
                                self.at(base + i, base + i + len),
                                format!("`\\u{{{hex}}}` is not a Unicode character"),
                                "invalid unicode escape",
                                Some(
                                    "use a code point up to `10FFFF` outside `D800`–`DFFF`".into(),
                                ),
                            );
                            (None, len)
                        }
                    }
                } else {
                    self.error(
                        self.at(base + i, base + i + 2),
                        "malformed unicode escape",
                        "expected `\\u{XXXX}`",
                        Some("write the code point in hex between braces, e.g. `\\u{e9}`".into()),
                    );
                    (None, 2)
                }
            }
            other => {
                let len = 1 + other.len_utf8();
                let shown: String = other.escape_debug().collect();
                self.error(
                    self.at(base + i, base + i + len),
                    format!("unknown escape `\\{shown}` in string"),
                    "unknown escape",
                    Some(
                        "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{XXXX}`; write `\\\\` for a backslash"
                            .into(),
                    ),
                );
                (None, len)
            }
        }
    }

    /// The token starting at `raw[i]` (`{{`), which starts at byte
    /// `at_value` of the literal's value: the token when well-formed (else reported) and
    /// its length in bytes.
    ///
    /// WF001: a malformed `{{ token }}`.
    pub(super) fn token(
        &mut self,
        raw: &str,
        i: usize,
        base: usize,
        at_value: usize,
    ) -> (Option<TokenRef>, usize) {
        let rest = raw.get(i + 2..).unwrap_or("");
        let Some(close) = rest.find("}}") else {
            self.error(
                self.at(base + i, base + i + 2),
                "unclosed personalisation token",
                "`{{` without `}}`",
                Some("close the token: `{{ object.property }}`".into()),
            );
            return (None, 2);
        };
        let len = 2 + close + 2;
        let inner = rest.get(..close).unwrap_or("");
        let span = self.at(base + i, base + i + len);
        let lead = inner.len() - inner.trim_start_matches([' ', '\t']).len();
        let body = inner.trim_matches([' ', '\t']);
        let body_start = base + i + 2 + lead;
        let names: Vec<&str> = body.split('.').collect();
        let valid = |s: &str| {
            let mut b = s.bytes();
            b.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        };
        if names.len() > 2 || !names.iter().all(|n| valid(n)) {
            let shown: String = raw.get(i..i + len).unwrap_or("").escape_debug().collect();
            self.error(
                span,
                format!("malformed personalisation token `{}`", crate::diagnostics::shorten(&shown)),
                "expected `{{ object.property }}`",
                Some("write `{{ object.property }}` or `{{ property }}`, e.g. `{{ contact.firstname }}`".into()),
            );
            return (None, len);
        }
        let mut at = body_start;
        let mut idents = Vec::new();
        for n in &names {
            idents.push(Ident {
                name: Name::from(*n),
                span: self.at(at, at + n.len()),
            });
            at += n.len() + 1;
        }
        let property = match idents.pop() {
            Some(p) => p,
            None => return (None, len),
        };
        (
            Some(TokenRef {
                object: idents.pop(),
                property,
                span,
                value_range: at_value as u32..(at_value + len) as u32,
            }),
            len,
        )
    }
}
