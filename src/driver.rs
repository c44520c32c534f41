//! The library's one entry point: sources (+ manifest) in, plans and every
//! diagnostic out. The CLI and the language server are thin shells over it.

use crate::diagnostics::{self, Code, Diagnostic, Label};
use crate::plan::Plan;
use crate::schema::{manifest, Environment};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};

/// One input file as read from disk (or an editor buffer).
#[derive(Clone, Debug)]
pub struct SourceInput {
    /// The name diagnostics and plans use (a path as given, or `<stdin>`).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl SourceInput {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> SourceInput {
        SourceInput {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// The result of one compilation.
#[derive(Debug)]
pub struct Compilation {
    /// Every file read, `.wf` sources first (sorted by name), then the manifest.
    pub sources: SourceMap,
    /// The parsed `.wf` files (in `sources` order), with every workflow that parsed.
    pub files: Vec<ast::SourceFile>,
    pub manifest: Option<FileId>,
    /// The environment the files were checked against (the standard one when
    /// there is no manifest or the manifest has errors).
    pub env: Environment,
    /// One plan per workflow; empty when any error was found.
    pub plans: Vec<Plan>,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse, check and (when error-free) generate plans.
pub fn compile(mut inputs: Vec<SourceInput>, manifest_input: Option<SourceInput>) -> Compilation {
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();

    // (file, readable): a file that is not UTF-8 is not parsed.
    let mut ids = Vec::with_capacity(inputs.len());
    for input in inputs {
        let (id, diag) = add_source(&mut sources, input);
        ids.push((id, diag.is_none()));
        diagnostics.extend(diag);
    }
    let manifest = manifest_input.map(|m| {
        let (id, diag) = add_source(&mut sources, m);
        diagnostics.extend(diag);
        id
    });

    let env = match manifest {
        Some(id) => match manifest::load(&sources, id) {
            Ok(env) => env,
            Err(diags) => {
                diagnostics.extend(diags);
                Environment::after_bad_manifest()
            }
        },
        None => Environment::standard(),
    };

    let mut files = Vec::with_capacity(ids.len());
    for &(id, readable) in &ids {
        if readable {
            let (file, diags) = syntax::parse(&sources, id);
            diagnostics.extend(diags);
            files.push(file);
        } else {
            files.push(ast::SourceFile {
                file: id,
                workflows: Vec::new(),
                comments: Vec::new(),
            });
        }
    }

    diagnostics.extend(crate::check::check(&files, &env, &sources));
    diagnostics::sort(&mut diagnostics);

    let plans = if diagnostics.iter().any(Diagnostic::is_error) {
        Vec::new()
    } else {
        crate::plan::generate(&files, &sources)
    };

    Compilation {
        sources,
        files,
        manifest,
        env,
        plans,
        diagnostics,
    }
}

/// Add a file; bytes that are not UTF-8 give WF002 and an empty text.
fn add_source(sources: &mut SourceMap, input: SourceInput) -> (FileId, Option<Diagnostic>) {
    match String::from_utf8(input.bytes) {
        Ok(text) => (sources.add(input.name, text), None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // Keep the valid prefix so the label can point at the bad byte.
            let text = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let id = sources.add(input.name, text);
            let diag = Diagnostic::new(
                Code::WF002,
                format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                Label::new(Span::new(id, at, at), "invalid UTF-8 here"),
            )
            .with_help("save the file as UTF-8");
            (id, Some(diag))
        }
    }
}
