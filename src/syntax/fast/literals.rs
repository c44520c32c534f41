//! Fast path: lexical items (strings, numbers, dates, times, durations,
//! paths) and values (scalars, lists, records).

use super::{exact, is_idc, Fast};
use crate::syntax::ast::*;

impl<'a> Fast<'a> {
    // ------------------------------------------------------------ lexical

    pub(super) fn digits_at(&self, i: usize) -> usize {
        self.b
            .get(i..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    }

    pub(super) fn idc_at(&self, i: usize) -> bool {
        self.b.get(i).is_some_and(|&c| is_idc(c))
    }

    /// `string`: the whole literal, quotes included.
    pub(super) fn string(&mut self) -> Option<StrLit> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos;
        let mut i = start + 1;
        loop {
            match self.b.get(i)? {
                b'"' => break,
                // `"\\" ~ ANY`: the next character, whatever it is (its
                // UTF-8 continuation bytes are never `"` or `\`).
                b'\\' => {
                    self.b.get(i + 1)?;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        let end = i + 1;
        let whole = self.text.get(start..end)?;
        let s = self.builder.string_at(whole, start);
        self.take(end);
        Some(s)
    }

    /// `number = @{ "-"? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? ~ !idc }`
    pub(super) fn number(&mut self) -> Option<NumberLit> {
        let start = self.pos;
        let mut i = start;
        if self.b.get(i) == Some(&b'-') {
            i += 1;
        }
        let d = self.digits_at(i);
        if d == 0 {
            return None;
        }
        i += d;
        if self.b.get(i) == Some(&b'.') {
            let f = self.digits_at(i + 1);
            if f > 0 {
                i += 1 + f;
            }
        }
        if self.idc_at(i) {
            return None;
        }
        let raw = self.text.get(start..i)?;
        let n = NumberLit {
            value: raw.parse::<f64>().unwrap_or(f64::NAN),
            raw: Name::from(raw),
            span: self.span(start, i),
        };
        self.take(i);
        Some(n)
    }

    /// `date = @{ ASCII_DIGIT{4} ~ "-" ~ ASCII_DIGIT{2} ~ "-" ~ ASCII_DIGIT{2} ~ !idc }`
    pub(super) fn date(&mut self) -> Option<DateLit> {
        let s = self.pos;
        let b = self.b;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let num = |from: usize, to: usize| -> Option<u32> {
            let mut v = 0u32;
            for i in from..to {
                let c = *b.get(i)?;
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Some(v)
        };
        if !(digit(s)
            && digit(s + 1)
            && digit(s + 2)
            && digit(s + 3)
            && b.get(s + 4) == Some(&b'-')
            && b.get(s + 7) == Some(&b'-')
            && !self.idc_at(s + 10))
        {
            return None;
        }
        let year = num(s, s + 4)?;
        let month = num(s + 5, s + 7)?;
        let day = num(s + 8, s + 10)?;
        let d = DateLit {
            year: year as i32,
            month,
            day,
            span: self.span(s, s + 10),
        };
        self.take(s + 10);
        Some(d)
    }

    /// `time = @{ ASCII_DIGIT{1, 2} ~ ":" ~ ASCII_DIGIT{2} ~ !idc }`
    pub(super) fn time(&mut self) -> Option<TimeLit> {
        let s = self.pos;
        let h = self.digits_at(s).min(2);
        if h == 0 || self.b.get(s + h) != Some(&b':') {
            return None;
        }
        let m0 = s + h + 1;
        if self.digits_at(m0) < 2 || self.idc_at(m0 + 2) {
            return None;
        }
        let hour = self.text.get(s..s + h)?.parse::<u32>().ok()?;
        let minute = self.text.get(m0..m0 + 2)?.parse::<u32>().ok()?;
        let t = TimeLit {
            hour,
            minute,
            span: self.span(s, m0 + 2),
        };
        self.take(m0 + 2);
        Some(t)
    }

    /// `dur_part = @{ ASCII_DIGIT+ ~ ("d" | "h" | "m") ~ !(ASCII_ALPHA | "_") }`
    /// at byte `i` (no skipping): the part and its end.
    pub(super) fn dur_part_at(&self, i: usize) -> Option<(DurationPart, usize)> {
        let d = self.digits_at(i);
        if d == 0 {
            return None;
        }
        let unit = match self.b.get(i + d)? {
            b'd' => DurationUnit::Days,
            b'h' => DurationUnit::Hours,
            b'm' => DurationUnit::Minutes,
            _ => return None,
        };
        let end = i + d + 1;
        if self
            .b
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
        {
            return None;
        }
        let amount = self.b.get(i..i + d)?.iter().fold(0u64, |acc, c| {
            acc.saturating_mul(10).saturating_add(u64::from(c - b'0'))
        });
        Some((
            DurationPart {
                amount,
                unit,
                span: self.span(i, end),
            },
            end,
        ))
    }

    /// `duration = ${ dur_part ~ ((" " | "\t")* ~ dur_part)* }`
    pub(super) fn duration(&mut self) -> Option<Duration> {
        let start = self.pos;
        let (first, mut end) = self.dur_part_at(start)?;
        let mut parts = vec![first];
        loop {
            let mut i = end;
            while matches!(self.b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            match self.dur_part_at(i) {
                Some((p, e)) => {
                    parts.push(p);
                    end = e;
                }
                None => break,
            }
        }
        self.take(end);
        Some(Duration {
            parts: exact(parts),
            span: self.span(start, end),
        })
    }

    /// `path = ${ ident ~ ("." ~ ident)? }`
    pub(super) fn path(&mut self) -> Option<Path> {
        let first = self.word()?;
        let start = self.pos;
        let mut end = start + first.len();
        let mut second = None;
        if self.b.get(end) == Some(&b'.') {
            let b = self.b;
            if b.get(end + 1)
                .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
            {
                let len = b
                    .get(end + 1..)?
                    .iter()
                    .position(|&c| !is_idc(c))
                    .unwrap_or(b.len() - end - 1);
                second = Some((end + 1, end + 1 + len));
            }
        }
        let a = Ident {
            name: Name::from(self.text.get(start..end)?),
            span: self.span(start, end),
        };
        let (object, property) = match second {
            Some((s, e)) => {
                end = e;
                let p = Ident {
                    name: Name::from(self.text.get(s..e)?),
                    span: self.span(s, e),
                };
                (Some(Box::new(a)), p)
            }
            None => (None, a),
        };
        self.take(end);
        Some(Path {
            object,
            property,
            span: self.span(start, end),
        })
    }

    // ------------------------------------------------------------ values

    /// `value = { string | date | number | boolean | list }`
    pub(super) fn value(&mut self) -> Option<Value> {
        if self.peek() == Some(b'[') {
            return self.list();
        }
        self.scalar()
    }

    /// `scalar = { string | date | number | boolean }`
    pub(super) fn scalar(&mut self) -> Option<Value> {
        let start = self.pos;
        let kind = match self.peek()? {
            b'"' => ValueKind::String(self.string()?),
            b'0'..=b'9' | b'-' => match self.date() {
                Some(d) => ValueKind::Date(d),
                None => ValueKind::Number(self.number()?),
            },
            _ => {
                let (i, _) = self.one_of(&["true", "false"])?;
                ValueKind::Bool(i == 0)
            }
        };
        Some(Value {
            kind,
            span: self.span(start, self.end),
        })
    }

    /// `item_sep = _{ nl* ~ comma ~ nl* | nl+ }`
    pub(super) fn item_sep(&mut self) -> bool {
        let s = self.save();
        self.nls();
        if self.punct(b',').is_some() {
            self.nls();
            return true;
        }
        self.restore(s);
        self.nls1()
    }

    /// `(nl* ~ comma)?` then `nl*` and the closing bracket.
    pub(super) fn close_seq(&mut self, close: u8) -> Option<usize> {
        let s = self.save();
        self.nls();
        if self.punct(b',').is_none() {
            self.restore(s);
        }
        self.nls();
        self.punct(close)
    }

    /// `list = { lbracket ~ nl* ~ (scalar ~ (item_sep ~ scalar)* ~ (nl* ~ comma)?)? ~ nl* ~ rbracket }`
    pub(super) fn list(&mut self) -> Option<Value> {
        let start = self.punct(b'[')?;
        let items = self.items(b']', Self::scalar)?;
        Some(Value {
            kind: ValueKind::List(exact(items)),
            span: self.span(start, self.end),
        })
    }

    /// `record = { lbrace ~ nl* ~ (field ~ (item_sep ~ field)* ~ (nl* ~ comma)?)? ~ nl* ~ rbrace }`
    pub(super) fn record(&mut self) -> Option<Vec<Field>> {
        self.punct(b'{')?;
        let fields = self.items(b'}', Self::field)?;
        Some(exact(fields))
    }

    /// `(comma ~ item)*`: append items while a comma and an item follow;
    /// a comma without an item is left unconsumed.
    pub(super) fn comma_more<T>(&mut self, out: &mut Vec<T>, item: fn(&mut Self) -> Option<T>) {
        loop {
            let s = self.save();
            match self.punct(b',').and_then(|_| item(self)) {
                Some(v) => out.push(v),
                None => {
                    self.restore(s);
                    return;
                }
            }
        }
    }

    /// The inside of a list or record after its opening bracket, up to and
    /// including `close`: `nl* ~ (item ~ (item_sep ~ item)* ~ (nl* ~ comma)?)? ~ nl* ~ close`.
    pub(super) fn items<T>(
        &mut self,
        close: u8,
        item: fn(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.nls();
        let mut items = Vec::new();
        let s = self.save();
        match item(self) {
            Some(v) => {
                items.push(v);
                loop {
                    let s = self.save();
                    match self.item_sep().then(|| item(self)).flatten() {
                        Some(v) => items.push(v),
                        None => {
                            self.restore(s);
                            break;
                        }
                    }
                }
                self.close_seq(close)?;
            }
            None => {
                self.restore(s);
                self.nls();
                self.punct(close)?;
            }
        }
        Some(items)
    }

    /// `field = { field_key ~ eq ~ value }`
    pub(super) fn field(&mut self) -> Option<Field> {
        let start = self.pos;
        let key = self.ident()?;
        self.punct(b'=')?;
        let value = self.value()?;
        Some(Field {
            key,
            value,
            span: self.span(start, self.end),
        })
    }
}
