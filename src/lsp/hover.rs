//! Hover: what a step does and needs, a property's type and options, a
//! label's step, a workflow's object and triggers.

use std::ops::Range;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::context::{describe_type, Cursor};
use super::convert;
use super::index::{contains, WorkflowSym};
use super::keywords::Meaning;
use super::lex::{self, Kind};
use super::workspace::Project;
use crate::catalog::{self, Integration, TierNeed};
use crate::source::FileId;
use crate::syntax::ast::StepKind;

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
    // The workflow a test names (`for "..."`, `in "..."`).
    if let Some(n) = cur
        .project
        .indexes()
        .get(cur.file as usize)
        .and_then(|idx| idx.test_refs.iter().find(|n| contains(&n.span, cur.offset)))
    {
        return Some((workflow_hover(cur.project, &n.name), n.span.clone()));
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
    let defs = project.workflows_named(name);
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
