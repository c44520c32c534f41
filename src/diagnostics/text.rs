//! Text helpers every stage uses to write messages: quoting user text
//! safely ([`shorten`], [`escape_invisible`]) and proposing a near name
//! ([`suggest`]). They live with the diagnostics because every message goes
//! through them; no stage owns them.

use std::borrow::Cow;

/// Characters a message or report never shows raw: controls (C0, DEL, C1),
/// the invisible marks that change the direction of text, and the Unicode
/// line and paragraph separators. Quoted user text writes them as escapes
/// (`\u{1b}`), so it cannot move a terminal's cursor, ring its bell or
/// reorder a line in an editor or a CI log.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` with every [`needs_escape`] character written as an escape
/// (`\u{1b}`), so quoted text cannot break a report's lines or send escape
/// sequences to a terminal.
pub fn escape_invisible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Longest user text (in characters) that a diagnostic message quotes.
pub const MAX_QUOTED_CHARS: usize = 40;

/// `text` as a message quotes it: at most [`MAX_QUOTED_CHARS`] characters,
/// then `…`, so a hostile input (a megabyte-long name) cannot make a
/// megabyte-long message; control characters and bidirectional overrides
/// escaped (`\n`, `\u{1b}`, `\u{202e}`), so quoted text cannot move the
/// cursor, ring the bell or reorder the line in a terminal, an editor or a
/// CI log. Labels point at the whole token anyway.
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => escape_invisible(text),
        Some((cut, _)) => {
            let head = text.get(..cut).unwrap_or(text);
            Cow::Owned(format!("{}…", escape_invisible(head)))
        }
    }
}

/// The closest candidate within edit distance 2 (ties: the first in order).
///
/// The distance is Levenshtein's, in characters, computed only in the band
/// where it can stay within 2, and candidates whose length differs by more
/// than 2 are skipped: a name or candidate of a megabyte costs linear time,
/// not the quadratic time (and memory) of the full table.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name_chars: Vec<char> = name.chars().collect();
    let mut other: Vec<char> = Vec::new();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        // A char is 1 to 4 bytes: a quick filter before decoding.
        if c.len() + MAX_SUGGEST_DISTANCE < name_chars.len()
            || c.len() > 4 * (name_chars.len() + MAX_SUGGEST_DISTANCE)
        {
            continue;
        }
        let limit = match best {
            Some((bd, _)) => bd - 1,
            None => MAX_SUGGEST_DISTANCE,
        };
        other.clear();
        other.extend(c.chars());
        if let Some(d) = bounded_levenshtein(&name_chars, &other, limit) {
            best = Some((d, c));
            if d == 1 {
                break;
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance up to which [`suggest`] proposes a name.
const MAX_SUGGEST_DISTANCE: usize = 2;

/// The edit distance of `a` and `b` (in characters) when it is at most
/// `k`, else `None`; linear time for a small `k`.
pub fn distance_within(a: &str, b: &str, k: usize) -> Option<usize> {
    if a.len() > 4 * (b.len() + k) || b.len() > 4 * (a.len() + k) {
        return None;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    bounded_levenshtein(&a, &b, k)
}

/// Levenshtein distance of `a` and `b` when it is at most `k`, else `None`;
/// `O((|a| + 1) * (2k + 1))` time.
fn bounded_levenshtein(a: &[char], b: &[char], k: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > k {
        return None;
    }
    let inf = k + 1;
    let mut prev = vec![inf; m + 1];
    for (j, p) in prev.iter_mut().enumerate().take(k + 1) {
        *p = j;
    }
    let mut cur = vec![inf; m + 1];
    for i in 1..=n {
        let lo = i.saturating_sub(k);
        let hi = (i + k).min(m);
        if lo >= 1 {
            cur[lo - 1] = inf;
        }
        let mut row_min = inf;
        for j in lo..=hi {
            let v = if j == 0 {
                i
            } else {
                let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
                (prev[j] + 1).min(cur[j - 1] + 1).min(sub).min(inf)
            };
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if hi < m {
            cur[hi + 1] = inf;
        }
        if row_min > k {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= k).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_short_text_and_cuts_long_text_on_a_character() {
        assert_eq!(shorten("firstname"), "firstname");
        let forty = "x".repeat(MAX_QUOTED_CHARS);
        assert_eq!(shorten(&forty), forty);
        let long = "é".repeat(MAX_QUOTED_CHARS + 1);
        assert_eq!(shorten(&long), format!("{}…", "é".repeat(MAX_QUOTED_CHARS)));
    }

    #[test]
    fn shorten_escapes_controls_and_direction_marks() {
        assert_eq!(shorten("a\nb\u{1b}[2J\u{7}"), "a\\nb\\u{1b}[2J\\u{7}");
        assert_eq!(shorten("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
        // counted before escaping: forty characters, then the cut
        let long = format!("{}{}", "\u{7}".repeat(MAX_QUOTED_CHARS), "tail");
        assert_eq!(
            shorten(&long),
            format!("{}…", "\\u{7}".repeat(MAX_QUOTED_CHARS))
        );
        assert_eq!(shorten("café ✓ 😀"), "café ✓ 😀");
    }

    #[test]
    fn bounded_levenshtein_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "firstname",
            "firstnme",
            "fristname",
            "lastname",
            "éa",
            "aé",
            "ééé",
            "naem",
            "name",
            "names",
            "nam",
            "xyz",
        ];
        for a in words {
            for b in words {
                let full = strsim::levenshtein(a, b);
                let ac: Vec<char> = a.chars().collect();
                let bc: Vec<char> = b.chars().collect();
                for k in 0..4 {
                    let want = (full <= k).then_some(full);
                    assert_eq!(bounded_levenshtein(&ac, &bc, k), want, "{a:?} {b:?} {k}");
                }
            }
        }
        assert_eq!(
            suggest("firstnam", ["lastname", "firstname"]),
            Some("firstname")
        );
        assert_eq!(suggest("nme", ["name", "nm", "xyz"]), Some("name"));
        assert_eq!(
            suggest("abc", ["abx", "abd"]),
            Some("abx"),
            "ties: the first"
        );
        assert_eq!(suggest("abc", ["axx", "abd"]), Some("abd"), "the closest");
        assert_eq!(suggest("abc", ["abc"]), None);
        // A megabyte name against a megabyte candidate: linear, not 10^12.
        let long = "p".repeat(1 << 20);
        let near = format!("{long}q");
        assert_eq!(suggest(&long, [near.as_str()]), Some(near.as_str()));
    }
}
