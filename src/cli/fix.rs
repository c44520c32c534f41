//! `wfc check --fix`, `--unsafe-fixes` and `--diff`: apply the fixes the
//! diagnostics carry (docs/cli.md). Safe fixes only, unless
//! `--unsafe-fixes`; a file that would parse worse than before is never
//! written; files are written atomically; `--diff` prints a unified diff
//! instead and exits 1 when there would be changes.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use super::{check, load_and_compile, write_stderr, write_stdout, CheckArgs, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::{Diagnostic, Fix};
use crate::source::{FileId, SourceMap};

/// One file's text before and after its fixes.
struct Fixed {
    name: String,
    old: String,
    new: String,
    /// Fixes applied.
    count: usize,
}

/// `wfc check` with `--fix`, `--unsafe-fixes` or `--diff`.
pub(super) fn run(args: &CheckArgs) -> i32 {
    if args.input.paths.iter().any(|p| p.as_os_str() == "-") || args.input.stdin_filename.is_some()
    {
        write_stderr(
            "error: `--fix` and `--diff` change files: they cannot read standard input\n\
             help: name the files, e.g. `wfc check --fix flows/`\n",
        );
        return EXIT_USAGE;
    }
    let outcome = match load_and_compile(&args.input, false) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (fixed, refused) = fix_all(&outcome.sources, &outcome.diagnostics, args.unsafe_fixes);
    for name in &refused {
        write_stderr(&format!(
            "warning: fixes to {name} left out: the file would not parse afterwards\n"
        ));
    }
    let count: usize = fixed.iter().map(|f| f.count).sum();
    if args.diff {
        let mut out = String::new();
        for f in &fixed {
            out.push_str(&unified_diff(f));
        }
        if let Err(code) = write_stdout(&out) {
            return code;
        }
        if fixed.is_empty() {
            return EXIT_OK;
        }
        write_stderr(&format!(
            "would fix {} in {}\n",
            super::plural(count, "problem"),
            super::plural(fixed.len(), "file")
        ));
        return super::EXIT_ERRORS;
    }
    for f in &fixed {
        if let Err(e) = super::fmt::write_atomically(Path::new(&f.name), &f.new) {
            write_stderr(&format!("error: cannot write {}: {e}\n", f.name));
            return EXIT_USAGE;
        }
    }
    if !fixed.is_empty() {
        write_stderr(&format!(
            "fixed {} in {}\n",
            super::plural(count, "problem"),
            super::plural(fixed.len(), "file")
        ));
    }
    // Report what is left.
    let mut again = args.clone();
    again.fix = false;
    again.unsafe_fixes = false;
    check(&again)
}

/// The new text of every file some applicable fix changes, and the names
/// of files whose fixes were refused (they would parse worse). A file is
/// changed only when the text on disk is the text checked.
fn fix_all(
    sources: &SourceMap,
    diags: &[Diagnostic],
    unsafe_fixes: bool,
) -> (Vec<Fixed>, Vec<String>) {
    let mut by_file: BTreeMap<FileId, Vec<&Fix>> = BTreeMap::new();
    for d in diags {
        for fix in &d.fixes {
            if !(fix.is_safe() || unsafe_fixes) || fix.edits.is_empty() {
                continue;
            }
            let file = fix.edits[0].span.file;
            if fix.edits.iter().all(|e| e.span.file == file) {
                by_file.entry(file).or_default().push(fix);
            }
        }
    }
    let mut fixed = Vec::new();
    let mut refused = Vec::new();
    for (file, fixes) in by_file {
        let name = sources.name(file).to_string();
        let old = sources.text(file);
        match std::fs::read_to_string(&name) {
            Ok(on_disk) if on_disk == old => {}
            _ => continue,
        }
        let (new, count) = apply(old, &fixes);
        if count == 0 || new == old {
            continue;
        }
        if crate::driver::syntax_errors(&name, &new) > crate::driver::syntax_errors(&name, old) {
            refused.push(name);
            continue;
        }
        fixed.push(Fixed {
            name,
            old: old.to_string(),
            new,
            count,
        });
    }
    (fixed, refused)
}

/// Apply the fixes in order of position; a fix overlapping one already
/// taken is left for a later run. Returns the text and how many applied.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut fixes: Vec<&Fix> = fixes.to_vec();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.span.start).min());
    let mut taken: Vec<(Range<usize>, &str)> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        let edits: Vec<(Range<usize>, &str)> = fix
            .edits
            .iter()
            .map(|e| (e.span.range(), e.replacement.as_str()))
            .collect();
        let valid = edits.iter().all(|(r, _)| {
            r.start <= r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        });
        let overlaps = |a: &Range<usize>, b: &Range<usize>| {
            a.start < b.end && b.start < a.end || a.start == b.start
        };
        let clash = edits.iter().enumerate().any(|(i, (r, _))| {
            taken.iter().any(|(t, _)| overlaps(r, t))
                || edits[..i].iter().any(|(o, _)| overlaps(r, o))
        });
        if valid && !clash {
            taken.extend(edits);
            count += 1;
        }
    }
    taken.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, replacement) in taken {
        out.push_str(&text[at..r.start]);
        out.push_str(replacement);
        at = r.end;
    }
    out.push_str(&text[at..]);
    (out, count)
}

fn unified_diff(f: &Fixed) -> String {
    similar::TextDiff::from_lines(&f.old, &f.new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", f.name), &format!("b/{}", f.name))
        .to_string()
}
