//! The library's one entry point: sources (+ manifest) in, plans and every
//! diagnostic out. The CLI and the language server are thin shells over it.

use std::collections::HashMap;

use crate::diagnostics::{self, Code, Diagnostic, Label};
use crate::plan::Plan;
use crate::schema::{manifest, Environment};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};

/// Most diagnostics listed per file. Beyond it, one WF003 diagnostic counts
/// the rest (see `docs/limits.md`).
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 200;

/// One input file as read from disk (or an editor buffer).
#[derive(Clone, Debug)]
pub struct SourceInput {
    /// The name diagnostics and plans use (a path as given, or `<stdin>`).
    pub name: String,
    pub bytes: Vec<u8>,
    /// The whole file's size in bytes when `bytes` is only its beginning (a
    /// file over the size limit is read only a little past the limit), so
    /// that WF002 can name the real size.
    pub size: Option<u64>,
}

impl SourceInput {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> SourceInput {
        SourceInput {
            name: name.into(),
            bytes: bytes.into(),
            size: None,
        }
    }

    /// The same input, known to be the beginning of a file of `size` bytes.
    pub fn with_size(mut self, size: u64) -> SourceInput {
        self.size = Some(size);
        self
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
pub fn compile(inputs: Vec<SourceInput>, manifest_input: Option<SourceInput>) -> Compilation {
    run(inputs, manifest_input, true, None)
}

/// How many syntax errors `text` has, parsed alone as a file called `name`
/// (`wfc check --fix` never writes a text that parses worse).
pub fn syntax_errors(name: &str, text: &str) -> usize {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let (_, diags) = crate::syntax::parse(&sources, id);
    diags.iter().filter(|d| d.is_error()).count()
}

/// Parse and check only: the same diagnostics as [`compile`], but no plans
/// are generated (`plans` is always empty). For `wfc check` and editors,
/// which never look at plans.
pub fn check(inputs: Vec<SourceInput>, manifest_input: Option<SourceInput>) -> Compilation {
    run(inputs, manifest_input, false, None)
}

/// [`check`] reusing the parse of every file whose text did not change since
/// the last call with the same `cache` (and the loaded manifest, when its
/// text did not change either). The checker always runs over every file, so
/// the result is exactly what [`check`] returns on the same inputs; only the
/// parsing work is saved. For editors, which re-check a whole project after
/// every keystroke in one file.
pub fn check_cached(
    inputs: Vec<SourceInput>,
    manifest_input: Option<SourceInput>,
    cache: &mut ParseCache,
) -> Compilation {
    run(inputs, manifest_input, false, Some(cache))
}

/// What [`check_cached`] keeps between calls: per file name, the text, the
/// file id it had, its AST and its syntax diagnostics (WF001/WF002); and the
/// manifest's text with the environment (or WF010 diagnostics) it gave.
///
/// An entry is reused only when the file has the same name, the same id
/// (its position in the sorted inputs: spans carry the id) and the very same
/// text. Entries of files absent from the last call are dropped, so the
/// cache never holds more than one project's files.
///
/// The ASTs are moved into the [`Compilation`], not copied: hand the
/// compilation back with [`ParseCache::reclaim`] once done with it (before
/// the next call), or the next call parses every file again.
#[derive(Debug, Default)]
pub struct ParseCache {
    files: HashMap<String, Parsed>,
    manifest: Option<LoadedManifest>,
    /// Files parsed afresh (not reused) by the last call.
    parsed: usize,
}

#[derive(Debug)]
struct Parsed {
    id: FileId,
    text: String,
    /// `None` while the AST is lent to a [`Compilation`] (see
    /// [`ParseCache::reclaim`]).
    file: Option<ast::SourceFile>,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
struct LoadedManifest {
    name: String,
    id: FileId,
    text: String,
    env: Result<Environment, Vec<Diagnostic>>,
}

impl ParseCache {
    pub fn new() -> ParseCache {
        ParseCache::default()
    }

    /// Number of `.wf` files held.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// How many files the last [`check_cached`] call had to parse (the
    /// others were reused).
    pub fn last_parsed(&self) -> usize {
        self.parsed
    }

    /// The parse of `id` in `sources`: the cached one when name, id and text
    /// match, else a fresh one (which replaces the entry).
    fn parse(&mut self, sources: &SourceMap, id: FileId) -> (ast::SourceFile, Vec<Diagnostic>) {
        let Some(src) = sources.get(id) else {
            return syntax::parse(sources, id);
        };
        if let Some(p) = self.files.get_mut(&src.name) {
            if p.id == id && p.text == src.text {
                if let Some(file) = p.file.take() {
                    return (file, p.diagnostics.clone());
                }
            }
        }
        let (file, diags) = syntax::parse(sources, id);
        self.parsed += 1;
        self.files.insert(
            src.name.clone(),
            Parsed {
                id,
                text: src.text.clone(),
                file: None,
                diagnostics: diags.clone(),
            },
        );
        (file, diags)
    }

    /// Take back the ASTs of a compilation made by [`check_cached`] with this
    /// cache, so the next call reuses them without copying. ASTs whose file
    /// no longer matches an entry (name, id and text) are dropped.
    pub fn reclaim(&mut self, comp: Compilation) {
        for file in comp.files {
            let Some(src) = comp.sources.get(file.file) else {
                continue;
            };
            if let Some(p) = self.files.get_mut(&src.name) {
                if p.id == file.file && p.text == src.text && p.file.is_none() {
                    p.file = Some(file);
                }
            }
        }
    }

    /// The environment of the manifest `id` (see [`manifest::load`]), cached
    /// like a parse.
    fn manifest(
        &mut self,
        sources: &SourceMap,
        id: FileId,
    ) -> Result<Environment, Vec<Diagnostic>> {
        let name = sources.name(id);
        let text = sources.text(id);
        if let Some(m) = &self.manifest {
            if m.id == id && m.name == name && m.text == text {
                return m.env.clone();
            }
        }
        let env = manifest::load(sources, id);
        self.manifest = Some(LoadedManifest {
            name: name.to_string(),
            id,
            text: text.to_string(),
            env: env.clone(),
        });
        env
    }

    /// Drop the entries of files not in `sources`.
    fn retain(&mut self, sources: &SourceMap) {
        let names: std::collections::HashSet<&str> =
            sources.files().map(|(_, s)| s.name.as_str()).collect();
        self.files.retain(|name, _| names.contains(name.as_str()));
    }
}

fn run(
    mut inputs: Vec<SourceInput>,
    manifest_input: Option<SourceInput>,
    generate: bool,
    mut cache: Option<&mut ParseCache>,
) -> Compilation {
    if let Some(c) = cache.as_deref_mut() {
        c.parsed = 0;
    }
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
        Some(id) => {
            let loaded = match cache.as_deref_mut() {
                Some(c) => c.manifest(&sources, id),
                None => manifest::load(&sources, id),
            };
            match loaded {
                Ok(env) => env,
                Err(diags) => {
                    diagnostics.extend(diags);
                    Environment::after_bad_manifest()
                }
            }
        }
        None => Environment::standard(),
    };

    let mut files = Vec::with_capacity(ids.len());
    for &(id, readable) in &ids {
        if readable {
            let (file, diags) = match cache.as_deref_mut() {
                Some(c) => c.parse(&sources, id),
                None => syntax::parse(&sources, id),
            };
            diagnostics.extend(diags);
            files.push(file);
        } else {
            files.push(ast::SourceFile {
                file: id,
                workflows: Vec::new(),
                comments: Vec::new(),
                unnamed_broken_workflow: false,
                tests: Vec::new(),
            });
        }
    }

    if let Some(c) = cache {
        c.retain(&sources);
    }

    // The report lists MAX_DIAGNOSTICS_PER_FILE per file and places WF003 at
    // the next one: the checker keeps one more than that and counts the rest.
    let (checked, left_out) = crate::check::check_capped(
        &files,
        &env,
        &sources,
        MAX_DIAGNOSTICS_PER_FILE.saturating_add(1),
    );
    diagnostics.extend(checked);
    diagnostics::sort(&mut diagnostics);
    let has_errors =
        diagnostics.iter().any(Diagnostic::is_error) || left_out.iter().any(|&(_, e, _)| e > 0);
    let diagnostics = cap_per_file(diagnostics, MAX_DIAGNOSTICS_PER_FILE, &left_out);

    let plans = if has_errors || !generate {
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

/// Keep at most `max` diagnostics per file (the input is sorted by file and
/// position); the rest of a file become one WF003 at the first one left out,
/// an error when any of them is an error (so the exit code is unchanged),
/// else a warning. `left_out` counts, per file, the errors and warnings the
/// checker already left out (see [`crate::check::check_capped`]), sorted by
/// file; a file with any has more than `max` diagnostics here, so its WF003
/// counts them.
fn cap_per_file(
    diagnostics: Vec<Diagnostic>,
    max: usize,
    left_out: &[(FileId, usize, usize)],
) -> Vec<Diagnostic> {
    let too_many = |at: Span, e: usize, w: usize| {
        let (more_e, more_w) = left_out
            .binary_search_by_key(&at.file, |&(f, _, _)| f)
            .ok()
            .and_then(|i| left_out.get(i))
            .map_or((0, 0), |&(_, e, w)| (e, w));
        too_many(at, e + more_e, w + more_w, max)
    };
    let mut out = Vec::with_capacity(diagnostics.len().min(max.saturating_mul(4)));
    let mut file = None;
    let mut kept = 0usize;
    // (first left out, errors left out, warnings left out) of the current file.
    let mut dropped: Option<(Span, usize, usize)> = None;
    for d in diagnostics {
        let f = d.primary.span.file;
        if file != Some(f) {
            out.extend(dropped.take().map(|(at, e, w)| too_many(at, e, w)));
            file = Some(f);
            kept = 0;
        }
        if kept < max {
            kept += 1;
            out.push(d);
            continue;
        }
        let entry = dropped.get_or_insert((d.primary.span, 0, 0));
        if d.is_error() {
            entry.1 += 1;
        } else {
            entry.2 += 1;
        }
    }
    out.extend(dropped.map(|(at, e, w)| too_many(at, e, w)));
    out
}

fn too_many(at: Span, errors: usize, warnings: usize, max: usize) -> Diagnostic {
    let total = errors + warnings;
    let what = if total == 1 {
        "diagnostic"
    } else {
        "diagnostics"
    };
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut d = Diagnostic::new(
        Code::WF003,
        format!("and {total} more {what} in this file (at most {max} are listed per file)"),
        Label::new(
            Span::new(at.file, at.start as usize, at.start as usize),
            "the first one not listed is here",
        ),
    )
    .with_help("fix the problems listed above, then check again to see the rest")
    .with_note(format!(
        "not listed: {} and {}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    ));
    if errors == 0 {
        d.severity = diagnostics::Severity::Warning;
    }
    d
}

/// Add a file; bytes that are not UTF-8 give WF002 and an empty text.
fn add_source(sources: &mut SourceMap, input: SourceInput) -> (FileId, Option<Diagnostic>) {
    let size = input.size;
    match String::from_utf8(input.bytes) {
        Ok(text) => {
            let id = sources.add(input.name, text);
            if let Some(size) = size {
                sources.set_size(id, size);
            }
            (id, None)
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;

    fn diag(code: Code, file: FileId, at: usize) -> Diagnostic {
        Diagnostic::new(code, "x", Label::new(Span::new(file, at, at + 1), ""))
    }

    #[test]
    fn cap_keeps_the_first_per_file_and_counts_the_rest() {
        let mut all = Vec::new();
        all.extend((0..250).map(|i| diag(Code::WF101, 0, i * 10)));
        all.extend((0..3).map(|i| diag(Code::WF101, 1, i)));
        // Only warnings left out in file 2.
        all.extend((0..5).map(|i| diag(Code::WF101, 2, i)));
        all.extend((5..9).map(|i| diag(Code::WF902, 2, i)));
        let out = cap_per_file(all, 5, &[]);

        let file0: Vec<_> = out.iter().filter(|d| d.primary.span.file == 0).collect();
        assert_eq!(file0.len(), 6);
        assert!(file0[..5].iter().all(|d| d.code == Code::WF101));
        let summary = file0[5];
        assert_eq!(summary.code, Code::WF003);
        assert_eq!(summary.severity, Severity::Error);
        assert_eq!(
            summary.message,
            "and 245 more diagnostics in this file (at most 5 are listed per file)"
        );
        assert_eq!(
            summary.primary.span.start, 50,
            "points at the first one left out"
        );
        assert_eq!(
            summary.note.as_deref(),
            Some("not listed: 245 errors and 0 warnings")
        );

        assert_eq!(out.iter().filter(|d| d.primary.span.file == 1).count(), 3);

        let file2: Vec<_> = out.iter().filter(|d| d.primary.span.file == 2).collect();
        assert_eq!(file2.len(), 6);
        assert_eq!(file2[5].code, Code::WF003);
        assert_eq!(file2[5].severity, Severity::Warning);
        assert_eq!(
            file2[5].message,
            "and 4 more diagnostics in this file (at most 5 are listed per file)"
        );
    }

    #[test]
    fn check_is_compile_without_plans() {
        let good = wfc_dev::corpus::generate(5, 20_000);
        let bad = format!("{good}\nworkflow \"x\" for nosuchobject {{\n  delay 0d\n}}\n");
        for text in [good, bad] {
            let a = compile(vec![SourceInput::new("a.wf", text.clone())], None);
            let b = check(vec![SourceInput::new("a.wf", text)], None);
            assert_eq!(a.diagnostics, b.diagnostics);
            assert_eq!(a.files, b.files);
            assert!(b.plans.is_empty());
        }
    }

    #[test]
    fn check_cached_equals_check_through_edits() {
        let a = "workflow \"A\" for contact {\n  enroll in \"B\"\n}\n".to_string();
        let b = "workflow \"B\" for contact {\n  delay 1d\n}\n".to_string();
        let b_renamed = b.replace("\"B\"", "\"C\"");
        let broken = "workflow \"Z\" for contact {\n  delay\n".to_string();
        let toml = "[account]\nmarketing = \"starter\"\n".to_string();
        let bad_toml = "[account\n".to_string();
        // (files, manifest, files parsed afresh)
        type Step<'a> = (Vec<(&'a str, &'a String)>, Option<&'a String>, usize);
        let steps: Vec<Step> = vec![
            (vec![("a.wf", &a), ("b.wf", &b)], None, 2),
            (vec![("a.wf", &a), ("b.wf", &b)], None, 0),
            // An edit in b.wf flags the `enroll in` of a.wf: only b is parsed.
            (vec![("a.wf", &a), ("b.wf", &b_renamed)], None, 1),
            (vec![("a.wf", &a), ("b.wf", &b_renamed)], Some(&toml), 0),
            (vec![("a.wf", &a), ("b.wf", &b_renamed)], Some(&bad_toml), 0),
            (vec![("a.wf", &a), ("b.wf", &b)], Some(&toml), 1),
            // A file sorting first shifts the ids: every file is parsed again.
            (
                vec![("0.wf", &broken), ("a.wf", &a), ("b.wf", &b)],
                Some(&toml),
                3,
            ),
            (vec![("a.wf", &a)], None, 1),
        ];
        let mut cache = ParseCache::new();
        for (i, (files, manifest, parsed)) in steps.into_iter().enumerate() {
            let inputs: Vec<SourceInput> = files
                .iter()
                .map(|(n, t)| SourceInput::new(*n, t.as_str()))
                .collect();
            let m = manifest.map(|t| SourceInput::new("wf.toml", t.as_str()));
            let fresh = check(inputs.clone(), m.clone());
            let cached = check_cached(inputs, m, &mut cache);
            assert_eq!(cached.diagnostics, fresh.diagnostics, "step {i}");
            assert_eq!(cached.files, fresh.files, "step {i}");
            assert_eq!(cached.env, fresh.env, "step {i}");
            assert_eq!(cache.last_parsed(), parsed, "step {i}");
            assert_eq!(cache.len(), files.len(), "step {i}");
            cache.reclaim(cached);
        }
    }

    #[test]
    fn without_reclaim_files_are_parsed_again() {
        let inputs = vec![
            SourceInput::new("a.wf", "workflow \"A\" for contact {\n}\n"),
            SourceInput::new("b.wf", "workflow \"B\" for contact {\n}\n"),
        ];
        let mut cache = ParseCache::new();
        let first = check_cached(inputs.clone(), None, &mut cache);
        let second = check_cached(inputs.clone(), None, &mut cache);
        assert_eq!(cache.last_parsed(), 2);
        assert_eq!(first.files, second.files);
        cache.reclaim(second);
        let third = check_cached(inputs, None, &mut cache);
        assert_eq!(cache.last_parsed(), 0);
        assert_eq!(first.files, third.files);
    }

    #[test]
    fn cap_leaves_a_short_list_alone() {
        let all: Vec<_> = (0..5).map(|i| diag(Code::WF101, 0, i)).collect();
        assert_eq!(cap_per_file(all.clone(), 5, &[]), all);
        let one_more: Vec<_> = (0..6).map(|i| diag(Code::WF101, 0, i)).collect();
        let out = cap_per_file(one_more, 5, &[]);
        assert_eq!(out.len(), 6);
        assert_eq!(
            out[5].message,
            "and 1 more diagnostic in this file (at most 5 are listed per file)"
        );
    }
}
