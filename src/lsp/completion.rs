//! Completion from the cursor's context: keywords, properties, values,
//! resource names, labels and workflow names.

use std::ops::Range;

use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, TextEdit};

use super::context::Cursor;
use super::convert;
use super::keywords::{self, Meaning};
use super::lex::{self, Kind};
use super::workspace::Project;
use crate::catalog;
use crate::schema::PropType;
use crate::source::FileId;

pub fn completion(project: &Project, file: FileId, offset: usize) -> Vec<CompletionItem> {
    let Some(cur) = Cursor::new(project, file, offset) else {
        return Vec::new();
    };
    if project.is_manifest(file) {
        return Vec::new();
    }
    complete(&cur)
}

struct Out<'c> {
    cur: &'c Cursor<'c>,
    items: Vec<CompletionItem>,
    replace: Range<usize>,
}

impl Out<'_> {
    fn push(
        &mut self,
        label: &str,
        kind: CompletionItemKind,
        detail: Option<String>,
        insert: String,
    ) {
        if self.items.iter().any(|i| i.label == label) {
            return;
        }
        self.items.push(CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail,
            filter_text: Some(
                self.cur
                    .text
                    .get(self.replace.clone())
                    .map(|typed| {
                        // Keep the item visible while the typed text is a prefix of it.
                        if insert.starts_with(typed) || label.starts_with(typed) {
                            insert.clone()
                        } else {
                            label.to_string()
                        }
                    })
                    .unwrap_or_else(|| label.to_string()),
            ),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: convert::range(self.cur.src, self.replace.clone()),
                new_text: insert,
            })),
            ..CompletionItem::default()
        });
    }

    fn properties(&mut self, object: &str, with_objects: bool) {
        let schema = &self.cur.env().schema;
        if let Some(def) = schema.object(object) {
            for (name, t) in &def.properties {
                self.push(
                    name,
                    CompletionItemKind::FIELD,
                    Some(format!("{object}: {}", t.name())),
                    name.clone(),
                );
            }
        }
        if with_objects {
            for other in schema.associations_of(object) {
                self.push(
                    &format!("{other}."),
                    CompletionItemKind::MODULE,
                    Some(format!("associated {other} records")),
                    format!("{other}."),
                );
            }
        }
    }

    fn quoted(
        &mut self,
        names: &[String],
        kind: CompletionItemKind,
        detail: &str,
        in_string: Option<bool>,
    ) {
        for n in names {
            let insert = match in_string {
                // Inside a string: the text only (plus the closing quote when missing).
                Some(closed) => {
                    let q = lex::quote(n);
                    let inner = &q[1..q.len() - 1];
                    if closed {
                        inner.to_string()
                    } else {
                        format!("{inner}\"")
                    }
                }
                None => lex::quote(n),
            };
            self.push(n, kind, Some(detail.to_string()), insert);
        }
    }
}

fn complete(cur: &Cursor) -> Vec<CompletionItem> {
    let tok_i = lex::token_at(&cur.tokens, cur.offset);
    // Inside a string (not on its opening quote)?
    if let Some(i) = tok_i {
        let t = &cur.tokens[i];
        if let Kind::Str { closed } = t.kind {
            let inside = cur.offset > t.range.start && (!closed || cur.offset < t.range.end);
            if inside {
                return complete_in_string(cur, i, closed);
            }
        }
    }
    // The partial word being typed (an identifier ending at the cursor).
    let (word_start, before) = match tok_i {
        Some(i) if cur.tokens[i].kind == Kind::Ident && cur.tokens[i].range.start < cur.offset => {
            (cur.tokens[i].range.start, i)
        }
        _ => (cur.offset, cur.first_at_or_after()),
    };
    let mut out = Out {
        cur,
        items: Vec::new(),
        replace: word_start..cur.offset,
    };
    let prev = before.checked_sub(1);
    let prev_word = prev.map(|p| cur.word(p)).unwrap_or("");
    let object = cur.object();

    // Outside any workflow.
    if cur.workflow().is_none_or(|w| cur.offset < w.span.start)
        || cur.depth_in_workflow(before) == 0
    {
        // `test "<name>" for <here>`: the workflow under test
        let in_test = before.checked_sub(3).is_some_and(|t| cur.word(t) == "test");
        if prev_word == "for" && in_test {
            offer_resource(&mut out, Resource::Workflows, None);
        } else if prev_word == "for" {
            for name in cur.env().schema.objects.keys() {
                out.push(
                    name,
                    CompletionItemKind::CLASS,
                    Some("object type".into()),
                    name.clone(),
                );
            }
        } else if prev.is_none_or(|p| cur.kind(p) == Some(Kind::Newline) || cur.is(p, "}")) {
            out.push(
                "workflow",
                CompletionItemKind::KEYWORD,
                Some("a new workflow".into()),
                "workflow \"".into(),
            );
        }
        return out.items;
    }

    // `object.` then its properties.
    if prev_word == "." {
        if let Some(p) = prev.and_then(|p| p.checked_sub(1)) {
            if cur.kind(p) == Some(Kind::Ident) {
                out.properties(cur.word(p), false);
                return out.items;
            }
        }
    }
    // Labels after `goto`.
    if prev_word == "goto" {
        if let Some(w) = cur.workflow() {
            for l in &w.labels {
                let step = cur.text.get(l.step.clone()).unwrap_or("");
                out.push(
                    &l.name,
                    CompletionItemKind::REFERENCE,
                    Some(step.to_string()),
                    l.name.clone(),
                );
            }
        }
        return out.items;
    }
    // Resource names and workflow names (quoted).
    if let Some(kind) = resource_kind(cur, before) {
        offer_resource(&mut out, kind, None);
        return out.items;
    }
    // Enumeration options (quoted) after `is`, `=`, `in [`, or as branch cases.
    if let Some((obj, prop, op)) = cur.value_target(before) {
        if let Some(t) = cur.env().schema.property(&obj, &prop) {
            offer_values(&mut out, t, None);
            if op == "is" {
                for w in ["known", "unknown", "not"] {
                    out.push(w, CompletionItemKind::KEYWORD, None, w.to_string());
                }
            }
            if !out.items.is_empty() || op != "branch" {
                return out.items;
            }
        }
    }
    // Legal basis.
    if prev_word == "basis" {
        for (_, b) in crate::syntax::ast::Basis::ALL {
            out.push(
                b,
                CompletionItemKind::ENUM_MEMBER,
                Some("legal basis".into()),
                b.to_string(),
            );
        }
        return out.items;
    }
    // Keys of `create <obj> { ... }`.
    if let Some(obj) = cur.record_object(before) {
        out.properties(&obj, false);
        return out.items;
    }
    // Recipients.
    let start = cur.step_start(before);
    let step_kw = cur.step_keyword(start).map(|(k, _)| k.phrase);
    if matches!(prev_word, "to" | ",")
        && matches!(
            step_kw,
            Some("send internal email" | "send notification" | "send internal sms")
        )
    {
        let kinds: &[&str] = if step_kw == Some("send internal sms") {
            &["user \"", "number \"+"]
        } else {
            &["owner", "user \"", "team \""]
        };
        for k in kinds {
            out.push(
                k.trim_end_matches([' ', '"', '+']),
                CompletionItemKind::KEYWORD,
                Some("recipient".into()),
                k.to_string(),
            );
        }
        return out.items;
    }
    // Object types after `create`.
    if prev_word == "create" && prev == Some(start) {
        for name in cur.env().schema.objects.keys() {
            out.push(
                name,
                CompletionItemKind::CLASS,
                Some("create a record".into()),
                format!("{name} {{"),
            );
        }
        for k in ["task", "slack channel", "asana task"] {
            out.push(k, CompletionItemKind::KEYWORD, None, format!("{k} \""));
        }
        return out.items;
    }
    // Step keywords at the start of a step, or part-way through a
    // multi-word one (`send int|`).
    let phrase_start = cur
        .tokens
        .get(start)
        .map(|t| t.range.start.min(word_start))
        .unwrap_or(word_start);
    let typed = cur.text.get(phrase_start..cur.offset).unwrap_or("");
    let typed_words = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    let typed_norm = if typed.ends_with(char::is_whitespace) && !typed_words.is_empty() {
        format!("{typed_words} ")
    } else {
        typed_words
    };
    let in_phrase = before > start
        && cur.tokens[start..before]
            .iter()
            .all(|t| t.kind == Kind::Ident)
        && keywords::KEYWORDS
            .iter()
            .any(|k| k.phrase.starts_with(&typed_norm));
    if before == start || in_phrase {
        let top = cur.depth_in_workflow(before) == 1;
        // Replace from the step start (multi-word phrases).
        out.replace = phrase_start..cur.offset;
        for k in keywords::KEYWORDS {
            if k.is_setting() && !top {
                continue;
            }
            if in_phrase && !k.phrase.starts_with(&typed_norm) {
                continue;
            }
            let doc = Some(match k.meaning {
                Meaning::Setting { title, .. } => title.to_string(),
                Meaning::Step(id) => catalog::info(id).description.to_string(),
            });
            out.push(
                k.phrase,
                CompletionItemKind::KEYWORD,
                doc,
                k.insert.to_string(),
            );
        }
        return out.items;
    }
    // Paths: after a keyword that takes one, or a condition operator.
    let path_prev = matches!(
        prev_word,
        "set"
            | "clear"
            | "copy"
            | "increase"
            | "decrease"
            | "if"
            | "and"
            | "or"
            | "not"
            | "("
            | "when"
            | "goal"
            | "on"
            | "property"
    ) || (prev_word == "to" && step_kw == Some("copy"));
    if path_prev {
        if let Some(o) = object {
            out.properties(
                o,
                !matches!(prev_word, "increase" | "decrease" | "property"),
            );
        }
    }
    out.items
}

fn complete_in_string(cur: &Cursor, i: usize, closed: bool) -> Vec<CompletionItem> {
    let t = &cur.tokens[i];
    let content_start = t.range.start + 1;
    let typed = cur.text.get(content_start..cur.offset).unwrap_or("");
    // A `{{` token being typed.
    if let Some(open) = typed.rfind("{{") {
        if !typed[open..].contains("}}") {
            let inner = &typed[open + 2..];
            let lead = inner.len() - inner.trim_start().len();
            let name_start = content_start + open + 2 + lead;
            let body = inner.trim_start();
            let mut out = Out {
                cur,
                items: Vec::new(),
                replace: name_start..cur.offset,
            };
            match body.split_once('.') {
                Some((obj, _)) => {
                    out.replace = name_start + obj.len() + 1..cur.offset;
                    out.properties(obj.trim(), false);
                }
                None => {
                    if let Some(o) = cur.object() {
                        out.properties(o, false);
                        // `{{ contact.x }}` is the usual spelling: offer the own type too.
                        out.push(
                            &format!("{o}."),
                            CompletionItemKind::MODULE,
                            Some(format!("this {o}")),
                            format!("{o}."),
                        );
                        out.properties(o, true);
                    }
                }
            }
            return out.items;
        }
    }
    let mut out = Out {
        cur,
        items: Vec::new(),
        replace: content_start..cur.offset,
    };
    if let Some(kind) = resource_kind(cur, i) {
        offer_resource(&mut out, kind, Some(closed));
    } else if let Some((obj, prop, _)) = cur.value_target(i) {
        if let Some(t) = cur.env().schema.property(&obj, &prop) {
            offer_values(&mut out, t, Some(closed));
        }
    }
    out.items
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resource {
    Workflows,
    Emails,
    Lists,
    Teams,
    Users,
    Forms,
    Audiences,
    Subscriptions,
}

/// Which names a string at token position `i` takes, from the words before it.
fn resource_kind(cur: &Cursor, i: usize) -> Option<Resource> {
    let mut j = i;
    // `users "a", "b", <here>`: skip earlier items of the list.
    while j >= 2 && cur.is(j - 1, ",") && matches!(cur.kind(j - 2), Some(Kind::Str { .. })) {
        j -= 2;
    }
    let w = |k: usize| j.checked_sub(k).map(|x| cur.word(x)).unwrap_or("");
    Some(match (w(3), w(2), w(1)) {
        (_, "enroll", "in") => Resource::Workflows,
        // a test: `test "<name>" for <here>`, `enroll <id> in <here>`
        ("test", _, "for") | ("enroll", _, "in") => Resource::Workflows,
        (_, "send", "email") | (_, "marketing", "email") => Resource::Emails,
        (_, _, "email")
            if cur.is(j.saturating_sub(2), "on") || cur.is(j.saturating_sub(2), "until") =>
        {
            Resource::Emails
        }
        (_, "to" | "from", "list") => Resource::Lists,
        (_, "to" | "from", "audience") => Resource::Audiences,
        (_, "opt", "in" | "out") => Resource::Subscriptions,
        (_, _, "team") => Resource::Teams,
        (_, _, "user" | "users") => Resource::Users,
        (_, _, "form") => Resource::Forms,
        _ => return None,
    })
}

fn offer_resource(out: &mut Out, kind: Resource, in_string: Option<bool>) {
    let cur = out.cur;
    let r = &cur.env().resources;
    let names: Vec<String> = match kind {
        Resource::Workflows => {
            let own = cur.object();
            let mut v: Vec<(bool, String)> = cur
                .project
                .indexes()
                .iter()
                .flat_map(|idx| idx.workflows.iter())
                .map(|w| {
                    let same = w.object.as_ref().map(|o| o.name.as_str()) == own;
                    (!same, w.name.name.clone())
                })
                .collect();
            v.sort();
            v.dedup();
            // Workflows of the same object type first (the only valid targets).
            v.into_iter().map(|(_, n)| n).collect()
        }
        Resource::Emails => r.emails.clone().unwrap_or_default(),
        Resource::Lists => r.lists.clone().unwrap_or_default(),
        Resource::Teams => r
            .teams
            .as_ref()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default(),
        Resource::Users => r.users.clone().unwrap_or_default(),
        Resource::Forms => r.forms.clone().unwrap_or_default(),
        Resource::Audiences => r.audiences.clone().unwrap_or_default(),
        Resource::Subscriptions => r.subscriptions.clone().unwrap_or_default(),
    };
    let (item_kind, detail) = match kind {
        Resource::Workflows => (CompletionItemKind::MODULE, "workflow"),
        Resource::Emails => (CompletionItemKind::VALUE, "email (wf.toml)"),
        Resource::Lists => (CompletionItemKind::VALUE, "list (wf.toml)"),
        Resource::Teams => (CompletionItemKind::VALUE, "team (wf.toml)"),
        Resource::Users => (CompletionItemKind::VALUE, "user (wf.toml)"),
        Resource::Forms => (CompletionItemKind::VALUE, "form (wf.toml)"),
        Resource::Audiences => (CompletionItemKind::VALUE, "audience (wf.toml)"),
        Resource::Subscriptions => (CompletionItemKind::VALUE, "subscription (wf.toml)"),
    };
    out.quoted(&names, item_kind, detail, in_string);
    if kind == Resource::Workflows {
        // Say which object type each workflow is for, and sort same-type first.
        let own = cur.object();
        for (n, item) in out.items.iter_mut().enumerate() {
            let obj = cur
                .project
                .workflows_named(&item.label)
                .first()
                .and_then(|(_, w)| w.object.as_ref().map(|o| o.name.clone()));
            item.detail = obj.as_ref().map(|o| format!("workflow for {o}"));
            let same = obj.as_deref() == own;
            item.sort_text = Some(format!("{}{n:05}", if same { 0 } else { 1 }));
        }
    }
}

fn offer_values(out: &mut Out, t: &PropType, in_string: Option<bool>) {
    match t {
        PropType::Enum(o) | PropType::Multi(o) => {
            out.quoted(o, CompletionItemKind::ENUM_MEMBER, "option", in_string)
        }
        PropType::Bool if in_string.is_none() => {
            for b in ["true", "false"] {
                out.push(b, CompletionItemKind::VALUE, None, b.to_string());
            }
        }
        _ => {}
    }
}
