//! Literal values (WF501–WF503): Slack channel names, webhook URLs, phone
//! numbers and email addresses. Text inside `{{ }}` tokens is filled in at
//! run time and not judged here.

use super::{has_tokens, warnings, Checker};
use crate::catalog::{self, ChannelProblem};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::syntax::ast::{self, StrPart};

/// WF501: `create slack channel "<name>"` follows the catalog's channel
/// rule ([`catalog::slack_channel_problem`]): the literal text holds only
/// lowercase letters, digits, `-` and `_`; a fully literal name has 1 to
/// [`catalog::MAX_SLACK_CHANNEL`] characters. Tokens are filled in at run
/// time, where the runtime applies the same rule.
pub(super) fn slack_channel(cx: &mut Checker, name: &ast::StrLit) {
    // Each distinct bad character, in order of first appearance.
    let mut bad: Vec<char> = Vec::new();
    for p in name.parts() {
        if let StrPart::Text(t) = p {
            for c in t.chars() {
                if !catalog::slack_channel_char(c) && !bad.contains(&c) {
                    bad.push(c);
                }
            }
        }
    }
    if !bad.is_empty() {
        cx.push(wf501_channel_char(name, &bad));
        return;
    }
    if !has_tokens(name) {
        match catalog::slack_channel_problem(&name.value) {
            Some(ChannelProblem::Empty) => cx.push(wf501_channel_length(name, 0)),
            Some(ChannelProblem::TooLong(len)) => cx.push(wf501_channel_length(name, len)),
            Some(ChannelProblem::BadChar(_)) | None => {}
        }
    }
}

/// The URL's text with every token replaced by a placeholder.
fn literal_text(s: &ast::StrLit) -> String {
    s.parts()
        .map(|p| match p {
            StrPart::Text(t) => t,
            StrPart::Token(_) => "x",
        })
        .collect()
}

/// Whether `rest` (after `scheme://`) has a host and no whitespace.
fn has_host(rest: &str) -> bool {
    if rest.chars().any(char::is_whitespace) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !host.contains("..")
}

/// `webhook post|get "<url>"`: absolute `https` (plain `http` is WF902, a
/// warning; anything else WF502).
pub(super) fn webhook(cx: &mut Checker, url: &ast::StrLit) {
    let text = literal_text(url);
    let lower = text.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("https://") {
        if has_host(rest) {
            return;
        }
    } else if let Some(rest) = lower.strip_prefix("http://") {
        if has_host(rest) {
            warnings::plain_http(cx, url);
            return;
        }
    }
    cx.push(wf502_bad_url(url));
}

/// `local@domain.tld`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.');
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// `+` and 7 to 15 digits, single spaces allowed between digit groups.
pub fn is_phone(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('+') else {
        return false;
    };
    if rest.starts_with(' ') || rest.ends_with(' ') || rest.contains("  ") {
        return false;
    }
    if !rest.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return false;
    }
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
}

/// An email address literal (WF503). Returns whether it is valid (or holds
/// tokens and cannot be judged), so callers check it further only then.
pub(super) fn email(cx: &mut Checker, s: &ast::StrLit) -> bool {
    if has_tokens(s) || is_email(&s.value) {
        return true;
    }
    cx.push(wf503_bad_email(s));
    false
}

/// A phone number literal (WF503).
pub(super) fn phone(cx: &mut Checker, s: &ast::StrLit) {
    if !has_tokens(s) && !is_phone(&s.value) {
        cx.push(wf503_bad_phone(s));
    }
}

// ------------------------------------------------------------ diagnostics

/// A character as a message names it: printable ones as themselves in
/// backticks (`é`), a space as "a space", controls and invisible ones
/// escaped (`\u{7}`).
fn name_char(c: char) -> String {
    if c == ' ' {
        "a space".to_string()
    } else if crate::diagnostics::text::needs_escape(c) || c.is_whitespace() {
        format!("`{}`", c.escape_default())
    } else {
        format!("`{c}`")
    }
}

/// "`A`, `é` and a space"; past 5 characters, "and N more".
fn name_chars(chars: &[char]) -> String {
    const SHOWN: usize = 5;
    let mut names: Vec<String> = chars.iter().take(SHOWN).map(|c| name_char(*c)).collect();
    if chars.len() > SHOWN {
        names.push(format!("{} more", chars.len() - SHOWN));
    }
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

fn wf501_channel_char(name: &ast::StrLit, bad: &[char]) -> Diagnostic {
    // The fixed name when lowercasing and `-` for spaces is the whole fix.
    let fixable = bad.iter().all(|c| c.is_ascii_uppercase() || *c == ' ')
        && !has_tokens(name)
        && name.value.len() <= catalog::MAX_SLACK_CHANNEL;
    let help = if fixable {
        let fixed: String = name
            .value
            .chars()
            .map(|c| {
                if c == ' ' {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        format!("write \"{fixed}\"")
    } else {
        "use only lowercase letters, digits, `-` and `_`".to_string()
    };
    Diagnostic::new(
        Code::WF501,
        format!(
            "Slack channel name \"{}\" contains {}",
            crate::diagnostics::shorten(&name.value),
            name_chars(bad)
        ),
        Label::new(name.span, "invalid character in channel name"),
    )
    .with_help(help)
}

fn wf501_channel_length(name: &ast::StrLit, len: usize) -> Diagnostic {
    let message = if len == 0 {
        "Slack channel name is empty".to_string()
    } else {
        format!(
            "Slack channel name has {len} characters, more than {}",
            catalog::MAX_SLACK_CHANNEL
        )
    };
    Diagnostic::new(
        Code::WF501,
        message,
        Label::new(name.span, "invalid channel name length"),
    )
    .with_help(format!(
        "use 1 to {} lowercase letters, digits, `-` and `_`",
        catalog::MAX_SLACK_CHANNEL
    ))
}

fn wf502_bad_url(url: &ast::StrLit) -> Diagnostic {
    Diagnostic::new(
        Code::WF502,
        format!(
            "\"{}\" is not an absolute https URL",
            crate::diagnostics::shorten(&url.value)
        ),
        Label::new(url.span, "invalid webhook URL"),
    )
    .with_help("write a URL such as \"https://hooks.example.com/crm\"")
}

fn wf503_bad_email(s: &ast::StrLit) -> Diagnostic {
    Diagnostic::new(
        Code::WF503,
        format!(
            "\"{}\" is not an email address",
            crate::diagnostics::shorten(&s.value)
        ),
        Label::new(s.span, "invalid email address"),
    )
    .with_help("write an address such as \"ana@example.com\"")
}

fn wf503_bad_phone(s: &ast::StrLit) -> Diagnostic {
    Diagnostic::new(
        Code::WF503,
        format!(
            "\"{}\" is not a phone number",
            crate::diagnostics::shorten(&s.value)
        ),
        Label::new(s.span, "invalid phone number"),
    )
    .with_help("write `+` and 7 to 15 digits, e.g. \"+31 20 123 4567\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["ana@example.com", "a.b+c@sub.example.co", "x@y.io"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "a@@b.com",
            "a@b.c",
            "a@-b.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in [
            "+31201234567",
            "+31 20 123 4567",
            "+1234567",
            "+123456789012345",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "0201234567",
            "+123456",
            "+1234567890123456",
            "+31-20-1234567",
            "+31  20 1234567",
            "+ 31201234567",
            "+",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn hosts() {
        assert!(has_host("hooks.example.com/x?y=1"));
        assert!(has_host("localhost:8080/x"));
        assert!(!has_host(""));
        assert!(!has_host("/path"));
        assert!(!has_host("a b.com"));
    }
}
