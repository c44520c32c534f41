//! Go to definition, find references and document symbols.

use std::ops::Range;

use lsp_types::{DocumentSymbol, Location, SymbolKind};

use super::convert;
use super::index::{contains, Named};
use super::workspace::Project;
use crate::source::FileId;

/// What is under the cursor for navigation.
pub enum Target {
    /// A label (definition or `goto`), in the workflow at that index of the file.
    Label {
        wf: usize,
        name: String,
    },
    Workflow(String),
}

fn target_at(project: &Project, file: FileId, offset: usize) -> Option<Target> {
    target_and_span_at(project, file, offset).map(|(t, _)| t)
}

/// What is under the cursor, with the byte range of the name there (for a
/// workflow name: the string with its quotes).
pub fn target_and_span_at(
    project: &Project,
    file: FileId,
    offset: usize,
) -> Option<(Target, Range<usize>)> {
    let idx = project.indexes().get(file as usize)?;
    for (wi, w) in idx.workflows.iter().enumerate() {
        if !(w.span.start <= offset && offset <= w.span.end) && w.from_ast {
            continue;
        }
        let hit = |n: &Named| contains(&n.span, offset);
        if hit(&w.name) {
            return Some((Target::Workflow(w.name.name.clone()), w.name.span.clone()));
        }
        if let Some(e) = w.enrolls.iter().find(|e| hit(e)) {
            return Some((Target::Workflow(e.name.clone()), e.span.clone()));
        }
        if let Some(g) = w.gotos.iter().find(|g| hit(g)) {
            return Some((
                Target::Label {
                    wf: wi,
                    name: g.name.clone(),
                },
                g.span.clone(),
            ));
        }
        if let Some(l) = w.labels.iter().find(|l| contains(&l.span, offset)) {
            return Some((
                Target::Label {
                    wf: wi,
                    name: l.name.clone(),
                },
                l.span.clone(),
            ));
        }
    }
    // the workflow a test names
    idx.test_refs
        .iter()
        .find(|n| contains(&n.span, offset))
        .map(|n| (Target::Workflow(n.name.clone()), n.span.clone()))
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
        Some(Target::Workflow(name)) => project
            .workflows_named(&name)
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
                out.extend(
                    idx.test_refs
                        .iter()
                        .filter(|e| e.name == name)
                        .filter_map(|e| location(project, f as FileId, e.span.clone())),
                );
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
                    detail: src.text.get(l.step.clone()).map(label_detail),
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

/// Longest detail of a label's symbol, in characters (`…` included).
const MAX_DETAIL: usize = 60;

/// The detail of a label's symbol: its step on one line (each run of white
/// space as one space), cut at the last word boundary that fits in
/// [`MAX_DETAIL`] characters, with `…` when cut.
fn label_detail(step: &str) -> String {
    let line = step.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= MAX_DETAIL {
        return line;
    }
    // Room for the `…`.
    let cut = line
        .char_indices()
        .nth(MAX_DETAIL - 1)
        .map_or(line.len(), |(i, _)| i);
    let head = &line[..cut];
    let head = if line[cut..].starts_with(' ') {
        head
    } else {
        // Drop the word that does not fit, unless it is the only one.
        head.rfind(' ').map_or(head, |space| &head[..space])
    };
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::{label_detail, MAX_DETAIL};

    #[test]
    fn label_detail_is_one_line_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(label_detail("delay 1d"), "delay 1d");
        assert_eq!(
            label_detail("if a is 1 {\n    delay 1d\n  }"),
            "if a is 1 { delay 1d }"
        );
        let long = format!(
            "send email {}",
            "\"Welcome aboard dear customer\" ".repeat(4)
        );
        let d = label_detail(&long);
        assert_eq!(
            d,
            "send email \"Welcome aboard dear customer\" \"Welcome aboard…"
        );
        assert!(d.chars().count() <= MAX_DETAIL);
        // Exactly at the limit: not cut.
        let exact = "x".repeat(MAX_DETAIL);
        assert_eq!(label_detail(&exact), exact);
        // One word longer than the limit: cut inside it.
        let word = "y".repeat(MAX_DETAIL + 5);
        assert_eq!(
            label_detail(&word),
            format!("{}…", "y".repeat(MAX_DETAIL - 1))
        );
    }
}
