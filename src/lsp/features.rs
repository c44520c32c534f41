//! Hover, completion, go to definition, find references and document
//! symbols, over a checked [`Project`].

use std::ops::Range;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, DocumentSymbol, Hover, HoverContents,
    Location, MarkupContent, MarkupKind, SymbolKind, TextEdit,
};

use super::context::{describe_type, Cursor};
use super::convert;
use super::index::{Named, WorkflowSym};
use super::keywords::{self, Meaning};
use super::lex::{self, Kind};
use super::workspace::Project;
use crate::catalog::{self, Integration, TierNeed};
use crate::schema::PropType;
use crate::source::FileId;
use crate::syntax::ast::StepKind;

// ------------------------------------------------------------------ hover

pub fn hover(project: &Project, file: FileId, offset: usize) -> Option<Hover> {
    let cur = Cursor::new(project, file, offset)?;
    let (value, range) = hover_text(&cur)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(convert::range(cur.src, range)),
    })
}

fn hover_text(cur: &Cursor) -> Option<(String, Range<usize>)> {
    let wf = cur.workflow();
    // References first: `goto <label>`, `enroll in "<workflow>"`, definitions.
    if let Some(w) = wf {
        if let Some(g) = w.gotos.iter().find(|g| contains(&g.span, cur.offset)) {
            return Some((label_hover(cur, w, &g.name), g.span.clone()));
        }
        if let Some(l) = w.labels.iter().find(|l| contains(&l.span, cur.offset)) {
            return Some((label_hover(cur, w, &l.name), l.span.clone()));
        }
        if let Some(e) = w.enrolls.iter().find(|e| contains(&e.span, cur.offset)) {
            return Some((workflow_hover(cur.project, &e.name), e.span.clone()));
        }
        if contains(&w.name.span, cur.offset) {
            return Some((
                workflow_hover(cur.project, &w.name.name),
                w.name.span.clone(),
            ));
        }
    }
    let i = lex::token_at(&cur.tokens, cur.offset)?;
    let tok = cur.tokens.get(i)?.clone();
    if let Kind::Str { .. } = tok.kind {
        // A `{{ object.property }}` token inside a string.
        let (obj, prop, range) = string_token_at(cur, &tok.range)?;
        return property_hover(cur, &obj, &prop).map(|s| (s, range));
    }
    if tok.kind != Kind::Ident {
        return None;
    }
    // A step or setting keyword.
    let start = cur.step_start(i);
    if let Some((kw, n)) = cur.step_keyword(start) {
        if i >= start && i < start + n {
            let range = cur.tokens[start].range.start..cur.tokens[start + n - 1].range.end;
            let text = match kw.meaning {
                Meaning::Setting { title, what } => {
                    format!("**{title}** (`{}`)\n\n{what}", kw.phrase)
                }
                Meaning::Step(id) => {
                    // The parsed step tells `delay until` forms and `+=` apart.
                    let row = parsed_step_at(cur, range.start)
                        .map(|k| catalog::info(k.step_id()))
                        .unwrap_or_else(|| catalog::info(id));
                    action_hover(row)
                }
            };
            return Some((text, range));
        }
    }
    // An object type followed by `.` in a path, or named after `for`/`create`.
    let word = tok.text(cur.text);
    let is_object_pos =
        cur.is(i + 1, ".") || (i > 0 && (cur.is(i - 1, "for") || cur.is(i - 1, "create")));
    if is_object_pos {
        if let Some(def) = cur.env().schema.object(word) {
            let mut s = format!("**{}** object type", def.name);
            if !def.builtin {
                s.push_str(" (custom)");
            }
            let assoc = cur.env().schema.associations_of(word);
            if !assoc.is_empty() {
                s.push_str(&format!("\n\nassociated with: {}", assoc.join(", ")));
            }
            s.push_str(&format!("\n\n{} properties", def.properties.len()));
            if !def.required.is_empty() {
                s.push_str(&format!(
                    "; required on `create`: {}",
                    def.required.join(", ")
                ));
            }
            return Some((s, tok.range.clone()));
        }
    }
    let (obj, prop) = cur.path_at(i)?;
    property_hover(cur, &obj, &prop).map(|s| (s, tok.range.clone()))
}

/// The kind of the parsed step whose keyword starts at `at`, if the step
/// parsed.
fn parsed_step_at<'p>(cur: &Cursor<'p>, at: usize) -> Option<&'p StepKind> {
    let file = cur.project.comp.files.iter().find(|f| f.file == cur.file)?;
    let mut found = None;
    for wf in &file.workflows {
        if !(wf.span.start as usize <= at && at < wf.span.end as usize) {
            continue;
        }
        crate::syntax::ast::for_each_step(&wf.body, &mut |s| {
            if s.keyword.start as usize == at {
                found = Some(&s.kind);
            }
        });
    }
    found
}

/// Hover for a step: the checker's catalog row (what it does, where it may
/// appear, what it needs).
fn action_hover(row: &catalog::StepInfo) -> String {
    let types = match row.types {
        catalog::Types::All => "all".to_string(),
        catalog::Types::Only(list) => list.join(", "),
    };
    let mut needs = match row.tier {
        TierNeed::ByCreatedObject => {
            let mut needs: Vec<(&str, TierNeed)> = catalog::CREATABLE_BUILTINS
                .iter()
                .map(|o| (*o, catalog::create_tier(o, true)))
                .collect();
            needs.push(("custom object", catalog::create_tier("", false)));
            format!("by the created object: {}", by_object(&needs))
        }
        TierNeed::ByEditedObject => {
            let needs: Vec<(&str, TierNeed)> = crate::schema::builtin::BUILTIN_OBJECTS
                .iter()
                .map(|o| (*o, catalog::edit_tier(o)))
                .collect();
            format!("by the edited object: {}", by_object(&needs))
        }
        need => tier_words(need),
    };
    match row.integration {
        Integration::None => {}
        Integration::Named(name) => needs.push_str(&format!("; the {name} integration connected")),
        Integration::App => needs.push_str("; the app's integration connected"),
    }
    format!(
        "**{}**: {}\n\n- object types: {types}\n- needs: {needs}",
        row.keyword, row.description
    )
}

/// `deal: sales professional · ticket: ...; others: no particular tier`.
fn by_object(needs: &[(&str, TierNeed)]) -> String {
    let listed: Vec<String> = needs
        .iter()
        .filter(|(_, n)| *n != TierNeed::None)
        .map(|(o, n)| format!("{o}: {}", tier_words(*n)))
        .collect();
    let free: Vec<&str> = needs
        .iter()
        .filter(|(_, n)| *n == TierNeed::None)
        .map(|(o, _)| *o)
        .collect();
    let mut out = listed.join(" · ");
    if !free.is_empty() {
        out.push_str(&format!("; {}: no particular tier", free.join(", ")));
    }
    out
}

fn tier_words(need: TierNeed) -> String {
    match need {
        TierNeed::Hub(hub, tier) => format!("{} {}", hub.as_str(), tier.as_str()),
        TierNeed::AnyHub(tier) => format!("any hub at {}", tier.as_str()),
        TierNeed::None | TierNeed::ByCreatedObject | TierNeed::ByEditedObject => {
            "no particular tier".to_string()
        }
    }
}

fn contains(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}

fn property_hover(cur: &Cursor, object: &str, prop: &str) -> Option<String> {
    let t = cur.env().schema.property(object, prop)?;
    Some(format!(
        "**{prop}**: {}\n\nproperty of `{object}`",
        describe_type(t)
    ))
}

fn label_hover(cur: &Cursor, w: &WorkflowSym, name: &str) -> String {
    match w.labels.iter().find(|l| l.name == name) {
        Some(l) => {
            let line = cur.src.line_col(l.span.start).line;
            let step = cur.text.get(l.step.clone()).unwrap_or("");
            format!("label `{name}` (line {line}):\n\n```wf\n{name}: {step}\n```")
        }
        None => format!("no step labelled `{name}` in workflow \"{}\"", w.name.name),
    }
}

fn workflow_hover(project: &Project, name: &str) -> String {
    let defs = find_workflows(project, name);
    if defs.is_empty() {
        return format!("no workflow named \"{name}\" in this project");
    }
    let mut out = String::new();
    for (file, w) in defs {
        let src = project.source(file);
        let line = src.map(|s| s.line_col(w.name.span.start).line).unwrap_or(1);
        let fname = src.map(|s| s.name.as_str()).unwrap_or("?");
        let object = w.object.as_ref().map(|o| o.name.as_str()).unwrap_or("?");
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&format!(
            "workflow **\"{}\"** for `{object}`\n\ndefined in `{fname}` line {line}",
            w.name.name
        ));
    }
    out
}

fn find_workflows<'p>(project: &'p Project, name: &str) -> Vec<(FileId, &'p WorkflowSym)> {
    project
        .indexes()
        .iter()
        .enumerate()
        .flat_map(|(id, idx)| idx.workflows.iter().map(move |w| (id as FileId, w)))
        .filter(|(_, w)| w.name.name == name)
        .collect()
}

/// The `{{ object.property }}` token of a string around the cursor:
/// (object, property, range of the name under the cursor).
fn string_token_at(cur: &Cursor, string: &Range<usize>) -> Option<(String, String, Range<usize>)> {
    let s = cur.text.get(string.clone())?;
    let rel = cur.offset - string.start;
    let open = s[..rel.min(s.len())].rfind("{{")?;
    let close = s[open..].find("}}").map(|c| open + c)?;
    if rel > close + 2 {
        return None;
    }
    let inner = &s[open + 2..close];
    let lead = inner.len() - inner.trim_start().len();
    let body = inner.trim();
    let base = string.start + open + 2 + lead;
    let (obj, prop, prop_at) = match body.split_once('.') {
        Some((o, p)) => (
            o.trim().to_string(),
            p.trim().to_string(),
            base + body.find('.')? + 1,
        ),
        None => (cur.object()?.to_string(), body.to_string(), base),
    };
    let prop_at = prop_at + (cur.text[prop_at..].len() - cur.text[prop_at..].trim_start().len());
    Some((obj, prop.clone(), prop_at..prop_at + prop.len()))
}

// ------------------------------------------------------------------ completion

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
        if prev_word == "for" {
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
            let obj = find_workflows(cur.project, &item.label)
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

// ------------------------------------------------------------------ navigation

/// What is under the cursor for navigation.
enum Target {
    /// A label (definition or `goto`), in the workflow at that index of the file.
    Label {
        wf: usize,
        name: String,
    },
    Workflow(String),
}

fn target_at(project: &Project, file: FileId, offset: usize) -> Option<Target> {
    let idx = project.indexes().get(file as usize)?;
    for (wi, w) in idx.workflows.iter().enumerate() {
        if !(w.span.start <= offset && offset <= w.span.end) && w.from_ast {
            continue;
        }
        let hit = |n: &Named| contains(&n.span, offset);
        if hit(&w.name) {
            return Some(Target::Workflow(w.name.name.clone()));
        }
        if let Some(e) = w.enrolls.iter().find(|e| hit(e)) {
            return Some(Target::Workflow(e.name.clone()));
        }
        if let Some(g) = w.gotos.iter().find(|g| hit(g)) {
            return Some(Target::Label {
                wf: wi,
                name: g.name.clone(),
            });
        }
        if let Some(l) = w.labels.iter().find(|l| contains(&l.span, offset)) {
            return Some(Target::Label {
                wf: wi,
                name: l.name.clone(),
            });
        }
    }
    None
}

fn location(project: &Project, file: FileId, span: Range<usize>) -> Option<Location> {
    Some(Location {
        uri: project.uri(file)?.clone(),
        range: convert::range(project.source(file)?, span),
    })
}

pub fn definition(project: &Project, file: FileId, offset: usize) -> Vec<Location> {
    match target_at(project, file, offset) {
        Some(Target::Label { wf, name }) => project
            .indexes()
            .get(file as usize)
            .and_then(|idx| idx.workflows.get(wf))
            .into_iter()
            .flat_map(|w| w.labels.iter().filter(|l| l.name == name))
            .filter_map(|l| location(project, file, l.span.clone()))
            .collect(),
        Some(Target::Workflow(name)) => find_workflows(project, &name)
            .into_iter()
            .filter_map(|(f, w)| location(project, f, w.name.span.clone()))
            .collect(),
        None => Vec::new(),
    }
}

pub fn references(
    project: &Project,
    file: FileId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let mut out = Vec::new();
    match target_at(project, file, offset) {
        Some(Target::Label { wf, name }) => {
            if let Some(w) = project
                .indexes()
                .get(file as usize)
                .and_then(|i| i.workflows.get(wf))
            {
                if include_declaration {
                    out.extend(
                        w.labels
                            .iter()
                            .filter(|l| l.name == name)
                            .filter_map(|l| location(project, file, l.span.clone())),
                    );
                }
                out.extend(
                    w.gotos
                        .iter()
                        .filter(|g| g.name == name)
                        .filter_map(|g| location(project, file, g.span.clone())),
                );
            }
        }
        Some(Target::Workflow(name)) => {
            for (f, idx) in project.indexes().iter().enumerate() {
                for w in &idx.workflows {
                    if include_declaration && w.name.name == name {
                        out.extend(location(project, f as FileId, w.name.span.clone()));
                    }
                    out.extend(
                        w.enrolls
                            .iter()
                            .filter(|e| e.name == name)
                            .filter_map(|e| location(project, f as FileId, e.span.clone())),
                    );
                }
            }
        }
        None => {}
    }
    out
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be named to build one.
pub fn document_symbols(project: &Project, file: FileId) -> Vec<DocumentSymbol> {
    let (Some(idx), Some(src)) = (project.indexes().get(file as usize), project.source(file))
    else {
        return Vec::new();
    };
    idx.workflows
        .iter()
        .map(|w| {
            let children = w
                .labels
                .iter()
                .map(|l| DocumentSymbol {
                    name: l.name.clone(),
                    detail: src
                        .text
                        .get(l.step.clone())
                        .map(|s| s.chars().take(60).collect()),
                    kind: SymbolKind::KEY,
                    tags: None,
                    deprecated: None,
                    range: convert::range(src, l.span.start..l.step.end.max(l.span.end)),
                    selection_range: convert::range(src, l.span.clone()),
                    children: None,
                })
                .collect();
            DocumentSymbol {
                name: w.name.name.clone(),
                detail: w.object.as_ref().map(|o| format!("for {}", o.name)),
                kind: SymbolKind::CLASS,
                tags: None,
                deprecated: None,
                range: convert::range(src, w.span.clone()),
                selection_range: convert::range(src, w.name.span.clone()),
                children: Some(children),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::str::FromStr;

    use lsp_types::Uri;

    use super::*;
    use crate::lsp::workspace::Workspace;
    use crate::schema::{Environment, ObjectDef, Resources, Schema};

    fn env() -> Environment {
        let mut schema = Schema::default();
        let obj = |name: &str, props: &[(&str, PropType)], required: &[&str]| ObjectDef {
            name: name.into(),
            builtin: true,
            properties: props
                .iter()
                .map(|(n, t)| (n.to_string(), t.clone()))
                .collect::<BTreeMap<_, _>>(),
            required: required.iter().map(|r| r.to_string()).collect(),
        };
        let opts = |o: &[&str]| o.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        schema.objects.insert(
            "contact".into(),
            obj(
                "contact",
                &[
                    ("firstname", PropType::String),
                    ("hubspotscore", PropType::Number),
                    ("hs_email_optout", PropType::Bool),
                    (
                        "lifecyclestage",
                        PropType::Enum(opts(&["lead", "customer"])),
                    ),
                ],
                &[],
            ),
        );
        schema.objects.insert(
            "company".into(),
            obj(
                "company",
                &[
                    ("name", PropType::String),
                    ("industry", PropType::Enum(opts(&["ACCOUNTING", "BANKING"]))),
                ],
                &["name"],
            ),
        );
        schema.objects.insert(
            "deal".into(),
            obj(
                "deal",
                &[("dealname", PropType::String), ("amount", PropType::Number)],
                &["dealname"],
            ),
        );
        schema.associate("contact", "company");
        schema.associate("contact", "deal");
        let mut env = Environment::standard();
        env.schema = schema;
        env.resources = Resources {
            emails: Some(vec!["Welcome #1".into(), "Say \"hi\"".into()]),
            lists: Some(vec!["Hot leads".into()]),
            teams: Some(BTreeMap::from([("Sales NL".to_string(), vec![])])),
            ..Resources::default()
        };
        env
    }

    /// Check `text` (with `|` marking the cursor) and run `f` at the cursor.
    fn at<T>(text: &str, f: impl FnOnce(&Project, FileId, usize) -> T) -> T {
        let offset = text.find('|').expect("cursor marker");
        let text = text.replacen('|', "", 1);
        let mut ws = Workspace::new();
        ws.env_override = Some(env());
        let uri = Uri::from_str("untitled:test.wf").unwrap();
        ws.open(uri.clone(), 1, text);
        ws.flush();
        let (project, file) = ws.lookup(&uri).expect("checked");
        f(project, file, offset)
    }

    fn hover_at(text: &str) -> String {
        at(text, |p, f, o| {
            hover(p, f, o)
                .map(|h| match h.contents {
                    HoverContents::Markup(m) => m.value,
                    _ => String::new(),
                })
                .unwrap_or_default()
        })
    }

    fn complete_at(text: &str) -> Vec<(String, String)> {
        at(text, |p, f, o| {
            completion(p, f, o)
                .into_iter()
                .map(|i| {
                    let new = match i.text_edit {
                        Some(CompletionTextEdit::Edit(e)) => e.new_text,
                        _ => String::new(),
                    };
                    (i.label, new)
                })
                .collect()
        })
    }

    fn labels(items: &[(String, String)]) -> Vec<&str> {
        items.iter().map(|(l, _)| l.as_str()).collect()
    }

    const HEAD: &str = "workflow \"W\" for contact {\n";

    #[test]
    fn hover_on_properties_and_tokens() {
        let h = hover_at(&format!("{HEAD}  if hubsp|otscore >= 5 {{\n  }}\n}}\n"));
        assert!(h.starts_with("**hubspotscore**: number"), "{h}");
        assert!(h.contains("property of `contact`"), "{h}");
        let h = hover_at(&format!(
            "{HEAD}  if company.indu|stry is \"BANKING\" {{\n  }}\n}}\n"
        ));
        assert!(
            h.contains("enum (one of `ACCOUNTING`, `BANKING`)") && h.contains("`company`"),
            "{h}"
        );
        let h = hover_at(&format!(
            "{HEAD}  send internal email to owner subject \"é😀 {{{{ contact.first|name }}}}\" body \"b\"\n}}\n"
        ));
        assert!(h.starts_with("**firstname**: string"), "{h}");
        let h = hover_at(&format!(
            "{HEAD}  create deal {{ deal|name = \"x\" }}\n}}\n"
        ));
        assert!(h.contains("property of `deal`"), "{h}");
        let h = hover_at(&format!("{HEAD}  set comp|any.name = \"x\"\n}}\n"));
        assert!(
            h.contains("**company** object type") && h.contains("associated with: contact"),
            "{h}"
        );
        // Unknown property: no hover rather than a wrong one.
        assert_eq!(hover_at(&format!("{HEAD}  clear nope|\n}}\n")), "");
    }

    #[test]
    fn hover_range_is_in_utf16() {
        let text = format!("{HEAD}  send internal email to owner subject \"é😀{{{{ first|name }}}}\" body \"b\"\n}}\n");
        let range = at(&text, |p, f, o| hover(p, f, o).and_then(|h| h.range)).expect("hover");
        let line = "  send internal email to owner subject \"é😀{{ ";
        let start = line.encode_utf16().count() as u32;
        assert_eq!(range.start, lsp_types::Position::new(1, start));
        assert_eq!(range.end, lsp_types::Position::new(1, start + 9));
    }

    #[test]
    fn completes_paths_and_object_prefixes() {
        let c = complete_at(&format!("{HEAD}  set |\n}}\n"));
        let l = labels(&c);
        assert!(
            l.contains(&"firstname") && l.contains(&"company.") && l.contains(&"deal."),
            "{l:?}"
        );
        let c = complete_at(&format!("{HEAD}  if company.|\n}}\n"));
        assert_eq!(labels(&c), vec!["industry", "name"]);
        let c = complete_at(&format!("{HEAD}  if company.in|\n}}\n"));
        assert_eq!(labels(&c), vec!["industry", "name"]);
        // increase/decrease: the enrolled record only, no object prefixes.
        let c = complete_at(&format!("{HEAD}  increase hub|\n}}\n"));
        assert!(!labels(&c).contains(&"company."), "{c:?}");
        // Keys of a record literal: the created object's properties.
        let c = complete_at(&format!("{HEAD}  create deal {{\n    |\n  }}\n}}\n"));
        assert_eq!(labels(&c), vec!["amount", "dealname"]);
    }

    #[test]
    fn completes_tokens_in_strings() {
        let c = complete_at(&format!("{HEAD}  create task \"Call {{{{ |\"\n}}\n"));
        let l = labels(&c);
        assert!(
            l.contains(&"firstname") && l.contains(&"contact.") && l.contains(&"company."),
            "{l:?}"
        );
        let c = complete_at(&format!(
            "{HEAD}  create task \"Call {{{{ company.n|\"\n}}\n"
        ));
        assert_eq!(labels(&c), vec!["industry", "name"]);
    }

    #[test]
    fn completes_enumeration_options() {
        let c = complete_at(&format!("{HEAD}  if lifecyclestage is |\n}}\n"));
        assert!(c.contains(&("lead".into(), "\"lead\"".into())), "{c:?}");
        assert!(labels(&c).contains(&"known"));
        let c = complete_at(&format!("{HEAD}  if lifecyclestage is \"cu|\n}}\n"));
        assert!(
            c.contains(&("customer".into(), "customer\"".into())),
            "{c:?}"
        );
        let c = complete_at(&format!(
            "{HEAD}  enroll when company.industry in [\"BANKING\", |]\n}}\n"
        ));
        assert_eq!(labels(&c), vec!["ACCOUNTING", "BANKING"]);
        let c = complete_at(&format!("{HEAD}  set hs_email_optout = |\n}}\n"));
        assert_eq!(labels(&c), vec!["true", "false"]);
        let c = complete_at(&format!(
            "{HEAD}  branch on lifecyclestage {{\n    |\n  }}\n}}\n"
        ));
        assert_eq!(labels(&c), vec!["lead", "customer"]);
    }

    #[test]
    fn completes_resources_from_the_manifest() {
        let c = complete_at(&format!("{HEAD}  send email |\n}}\n"));
        assert!(
            c.contains(&("Say \"hi\"".into(), "\"Say \\\"hi\\\"\"".into())),
            "{c:?}"
        );
        let c = complete_at(&format!("{HEAD}  send email \"We|\"\n}}\n"));
        assert!(
            c.contains(&("Welcome #1".into(), "Welcome #1".into())),
            "{c:?}"
        );
        let c = complete_at(&format!("{HEAD}  add to list |\n}}\n"));
        assert_eq!(labels(&c), vec!["Hot leads"]);
        let c = complete_at(&format!("{HEAD}  rotate owner among team \"|\n}}\n"));
        assert_eq!(c, vec![("Sales NL".to_string(), "Sales NL\"".to_string())]);
        let c = complete_at(&format!("{HEAD}  send internal email to |\n}}\n"));
        assert_eq!(labels(&c), vec!["owner", "user", "team"]);
        let c = complete_at(&format!("{HEAD}  opt in \"x\" basis |\n}}\n"));
        assert!(labels(&c).contains(&"legitimate_interest_client"));
    }

    #[test]
    fn completes_keywords_by_position() {
        // Inside a nested block: steps but no settings; the phrase replaces
        // what was typed of it.
        let text = format!("{HEAD}  if x is 1 {{\n    send int|\n  }}\n}}\n");
        let c = complete_at(&text);
        assert!(c.contains(&(
            "send internal email".into(),
            "send internal email to ".into()
        )));
        assert!(!labels(&c).contains(&"enroll when"), "{c:?}");
        let edit = at(&text, |p, f, o| {
            completion(p, f, o)
                .into_iter()
                .find_map(|i| match i.text_edit {
                    Some(CompletionTextEdit::Edit(e)) if i.label == "send internal sms" => {
                        Some(e.range)
                    }
                    _ => None,
                })
        });
        let r = edit.expect("send internal sms offered");
        assert!(
            !labels(&c).contains(&"send email"),
            "filtered by the typed words"
        );
        assert_eq!(
            (r.start.line, r.start.character, r.end.character),
            (2, 4, 12)
        );
        // After a label.
        let c = complete_at(&format!("{HEAD}  if x is 1 {{\n    here: |\n  }}\n}}\n"));
        assert!(labels(&c).contains(&"send email"));
        // Outside a workflow.
        let c = complete_at(&format!("{HEAD}}}\n|"));
        assert_eq!(labels(&c), vec!["workflow"]);
        let c = complete_at("workflow \"X\" for |");
        assert_eq!(labels(&c), vec!["company", "contact", "deal"]);
        // After `create`.
        let c = complete_at(&format!("{HEAD}  create |\n}}\n"));
        assert!(
            c.contains(&("deal".into(), "deal {".into())) && labels(&c).contains(&"task"),
            "{c:?}"
        );
    }
}
