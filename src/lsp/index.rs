//! Per-file symbols for navigation: workflows (name, object type), their
//! labels, and the `goto` / `enroll in` references.
//!
//! Built from the parser's AST; any workflow the parser could not build
//! (half-typed text) is filled in from a lexical scan of its region, so
//! navigation and completion keep working while the author types.

use std::ops::Range;

use super::lex::{self, Kind, Token};
use crate::syntax::ast;

/// Whether `offset` is in `r`, either end included (a cursor just after a
/// name is still on it).
pub fn contains(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    /// Byte range in the file (for a workflow name: the string with quotes).
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelSym {
    pub name: String,
    pub span: Range<usize>,
    /// The labelled step (without the label).
    pub step: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowSym {
    pub name: Named,
    pub object: Option<Named>,
    /// From `workflow` to the closing brace (or the end of what was typed).
    pub span: Range<usize>,
    pub labels: Vec<LabelSym>,
    pub gotos: Vec<Named>,
    pub enrolls: Vec<Named>,
    /// True when the parser built this workflow (false: lexical scan).
    pub from_ast: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileIndex {
    pub workflows: Vec<WorkflowSym>,
    /// The workflow names `test` items refer to: the workflow under test
    /// (`for "..."`), `enroll <id> in "..."` and expectations' `in "..."`.
    pub test_refs: Vec<Named>,
}

impl FileIndex {
    /// Build the index of one file from its AST (when it has one) and text.
    pub fn build(file: Option<&ast::SourceFile>, text: &str) -> FileIndex {
        let mut workflows: Vec<WorkflowSym> = file
            // a workflow with a syntax error lacks its broken steps: the
            // lexical scan sees more of it
            .map(|f| {
                f.workflows
                    .iter()
                    .filter(|w| !w.has_syntax_error)
                    .map(from_ast)
                    .collect()
            })
            .unwrap_or_default();
        let covered: Vec<Range<usize>> = workflows.iter().map(|w| w.span.clone()).collect();
        for w in scan(text) {
            let start = w.span.start;
            if !covered
                .iter()
                .any(|c| c.start <= start && start < c.end.max(c.start + 1))
            {
                workflows.push(w);
            }
        }
        workflows.sort_by_key(|w| w.span.start);
        let test_refs = file.map(test_refs).unwrap_or_default();
        FileIndex {
            workflows,
            test_refs,
        }
    }

    /// The workflow whose text holds `offset` (the last one starting before
    /// it, so a half-typed workflow without its closing brace still counts).
    pub fn workflow_at(&self, offset: usize) -> Option<&WorkflowSym> {
        self.workflows
            .iter()
            .rev()
            .find(|w| w.span.start <= offset && offset <= w.span.end)
            .or_else(|| {
                self.workflows
                    .iter()
                    .rev()
                    .find(|w| w.span.start <= offset && !w.from_ast)
            })
    }
}

fn range(span: crate::source::Span) -> Range<usize> {
    span.start as usize..span.end as usize
}

/// The workflow names the tests of a file refer to, in source order.
fn test_refs(file: &ast::SourceFile) -> Vec<Named> {
    let named = |s: &ast::StrLit| Named {
        name: s.value.to_string(),
        span: range(s.span),
    };
    let mut out = Vec::new();
    for t in file.tests.iter().filter(|t| !t.has_syntax_error) {
        out.push(named(&t.workflow));
        for line in &t.lines {
            let w = match &line.kind {
                ast::TestLineKind::Enroll { workflow, .. } => Some(workflow),
                ast::TestLineKind::Expect(x) => match &x.kind {
                    ast::ExpectKind::Enrollment { workflow, .. }
                    | ast::ExpectKind::Reached { workflow, .. }
                    | ast::ExpectKind::Took { workflow, .. }
                    | ast::ExpectKind::Ran { workflow, .. } => workflow.as_ref(),
                    _ => None,
                },
                _ => None,
            };
            out.extend(w.map(named));
        }
    }
    out
}

fn from_ast(w: &ast::Workflow) -> WorkflowSym {
    let mut sym = WorkflowSym {
        name: Named {
            name: w.name.value.to_string(),
            span: range(w.name.span),
        },
        object: Some(Named {
            name: w.object.name.to_string(),
            span: range(w.object.span),
        }),
        span: range(w.span),
        labels: Vec::new(),
        gotos: Vec::new(),
        enrolls: Vec::new(),
        from_ast: true,
    };
    walk_block(&w.body, &mut sym);
    sym
}

/// Labels, `goto` targets and `enroll in` names of every step, nested ones
/// included, in source order.
fn walk_block(block: &ast::Block, sym: &mut WorkflowSym) {
    ast::for_each_step(block, &mut |step| {
        if let Some(label) = &step.label {
            sym.labels.push(LabelSym {
                name: label.name.to_string(),
                span: range(label.span),
                step: range(step.span),
            });
        }
        match &step.kind {
            ast::StepKind::Goto(target) => sym.gotos.push(Named {
                name: target.name.to_string(),
                span: range(target.span),
            }),
            ast::StepKind::EnrollIn(name) => sym.enrolls.push(Named {
                name: name.value.to_string(),
                span: range(name.span),
            }),
            _ => {}
        }
    });
}

/// Lexical scan: every `workflow "<name>" [for <object>] { ... }` with its
/// labels (`<ident>:` at the start of a step), `goto <ident>` and
/// `enroll in "<name>"`.
pub fn scan(text: &str) -> Vec<WorkflowSym> {
    let tokens = lex::tokenize(text);
    let mut out: Vec<WorkflowSym> = Vec::new();
    let mut depth: usize = 0;
    let mut line_start = true;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let word = t.text(text);
        let next = tokens.get(i + 1);
        let starts_workflow = t.kind == Kind::Ident
            && word == "workflow"
            && (line_start || depth == 0)
            && next.is_some_and(|n| matches!(n.kind, Kind::Str { .. }));
        if starts_workflow {
            if let Some(w) = out.last_mut() {
                if w.span.end == text.len() {
                    // The previous one never closed: it ends where this one starts.
                    w.span.end = prev_end(&tokens, i);
                }
            }
            depth = 0;
            let name_tok = &tokens[i + 1];
            let mut object = None;
            if let (Some(f), Some(o)) = (tokens.get(i + 2), tokens.get(i + 3)) {
                if f.is(text, "for") && o.kind == Kind::Ident {
                    object = Some(Named {
                        name: o.text(text).to_string(),
                        span: o.range.clone(),
                    });
                }
            }
            out.push(WorkflowSym {
                name: Named {
                    name: lex::unquote(name_tok.text(text)),
                    span: name_tok.range.clone(),
                },
                object,
                span: t.range.start..text.len(),
                labels: Vec::new(),
                gotos: Vec::new(),
                enrolls: Vec::new(),
                from_ast: false,
            });
            line_start = false;
            i += 2;
            continue;
        }
        match t.kind {
            Kind::Newline => {
                line_start = true;
                i += 1;
                continue;
            }
            Kind::Punct if word == "{" => {
                depth += 1;
                line_start = true;
                i += 1;
                continue;
            }
            Kind::Punct if word == "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(w) = out.last_mut() {
                        if w.span.end == text.len() {
                            w.span.end = t.range.end;
                        }
                    }
                }
                line_start = true;
                i += 1;
                continue;
            }
            _ => {}
        }
        let in_workflow = depth > 0 && out.last().is_some_and(|w| w.span.end == text.len());
        if in_workflow {
            if let Some(w) = out.last_mut() {
                if line_start
                    && t.kind == Kind::Ident
                    && next.is_some_and(|n| n.is(text, ":"))
                    && tokens.get(i + 2).is_none_or(|n| !n.is(text, ":"))
                {
                    let step_start = tokens.get(i + 2).map(|s| s.range.start);
                    let step_end = line_end(&tokens, i + 2).unwrap_or(t.range.end);
                    w.labels.push(LabelSym {
                        name: word.to_string(),
                        span: t.range.clone(),
                        step: step_start.unwrap_or(step_end).min(step_end)..step_end,
                    });
                    line_start = true; // the step follows on the same line
                    i += 2;
                    continue;
                }
                if word == "goto" && t.kind == Kind::Ident {
                    if let Some(n) = next.filter(|n| n.kind == Kind::Ident) {
                        w.gotos.push(Named {
                            name: n.text(text).to_string(),
                            span: n.range.clone(),
                        });
                    }
                }
                if word == "enroll" && next.is_some_and(|n| n.is(text, "in")) {
                    if let Some(s) = tokens
                        .get(i + 2)
                        .filter(|s| matches!(s.kind, Kind::Str { .. }))
                    {
                        w.enrolls.push(Named {
                            name: lex::unquote(s.text(text)),
                            span: s.range.clone(),
                        });
                    }
                }
            }
        }
        line_start = false;
        i += 1;
    }
    out
}

fn prev_end(tokens: &[Token], i: usize) -> usize {
    tokens[..i]
        .iter()
        .rev()
        .find(|t| t.kind != Kind::Newline)
        .map(|t| t.range.end)
        .unwrap_or(0)
}

/// End of the last non-newline token of the line starting at token `i`.
fn line_end(tokens: &[Token], i: usize) -> Option<usize> {
    tokens[i.min(tokens.len())..]
        .iter()
        .take_while(|t| t.kind != Kind::Newline)
        .last()
        .map(|t| t.range.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"# demo
workflow "Lead nurture" for contact {
  enroll when lifecyclestage is "lead"
  if hubspotscore > 5 {
    notify: send internal email to owner subject "a" body "b"
  } else {
    goto notify
  }
  enroll in "Onboarding"
}

workflow "Onboarding" for contact {
  delay 1d
}
"#;

    #[test]
    fn scan_finds_workflows_labels_and_references() {
        let ws = scan(SRC);
        assert_eq!(ws.len(), 2);
        let w = &ws[0];
        assert_eq!(w.name.name, "Lead nurture");
        assert_eq!(&SRC[w.name.span.clone()], "\"Lead nurture\"");
        assert_eq!(w.object.as_ref().map(|o| o.name.as_str()), Some("contact"));
        assert_eq!(w.labels.len(), 1);
        assert_eq!(w.labels[0].name, "notify");
        assert!(SRC[w.labels[0].step.clone()].starts_with("send internal email"));
        assert!(SRC[w.labels[0].step.clone()].ends_with("body \"b\""));
        assert_eq!(w.gotos[0].name, "notify");
        assert_eq!(&SRC[w.gotos[0].span.clone()], "notify");
        assert_eq!(w.enrolls[0].name, "Onboarding");
        assert!(SRC[w.span.clone()].ends_with("\"Onboarding\"\n}"));
        assert_eq!(ws[1].name.name, "Onboarding");
        assert!(ws[1].labels.is_empty());
    }

    #[test]
    fn half_typed_workflow_runs_to_the_next_one() {
        let src = "workflow \"A\" for deal {\n  if x is 1 {\n    goto \nworkflow \"B\" for contact {\n}\n";
        let ws = scan(src);
        assert_eq!(ws.len(), 2);
        assert_eq!(ws[0].span.end, src.find("goto").unwrap() + 4);
        assert!(ws[0].gotos.is_empty());
        let idx = FileIndex::build(None, src);
        assert_eq!(
            idx.workflow_at(src.find("goto").unwrap())
                .map(|w| w.name.name.as_str()),
            Some("A")
        );
    }

    #[test]
    fn ast_workflows_win_over_the_scan() {
        use crate::source::Span;
        let text = "workflow \"A\" for deal {\n  goto x\n}\n";
        let ident = |name: &str, at: usize| ast::Ident {
            name: name.into(),
            span: Span::new(0, at, at + name.len()),
        };
        let goto_at = text.find("x\n").unwrap();
        let file = ast::SourceFile {
            file: 0,
            comments: vec![],
            workflows: vec![ast::Workflow {
                name: ast::StrLit {
                    value: "A".into(),
                    tokens: Box::default(),
                    span: Span::new(0, 9, 12),
                },
                object: ident("deal", 17),
                centered: None,
                settings: vec![],
                body: ast::Block {
                    steps: vec![ast::Step {
                        label: None,
                        kind: ast::StepKind::Goto(ident("x", goto_at)),
                        span: Span::new(0, goto_at - 5, goto_at + 1),
                        keyword: Span::new(0, goto_at - 5, goto_at - 1),
                    }],
                    span: Span::new(0, 22, text.len() - 1),
                },
                span: Span::new(0, 0, text.len() - 1),
                keyword: Span::new(0, 0, 8),
                has_syntax_error: false,
            }],
            unnamed_broken_workflow: false,
            tests: Vec::new(),
        };
        let idx = FileIndex::build(Some(&file), text);
        assert_eq!(idx.workflows.len(), 1);
        assert!(idx.workflows[0].from_ast);
        assert_eq!(idx.workflows[0].gotos[0].span, goto_at..goto_at + 1);
    }
}
