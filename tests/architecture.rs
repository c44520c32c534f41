//! The Architecture Invariants of ARCHITECTURE.md, enforced: for each
//! top-level module of `src/`, the `crate::` modules it must not import.
//!
//! The scanner reads the text of every `.rs` file of a module and collects
//! each `crate::<module>` it names (`use crate::x::…;`, `crate::x::f(…)`,
//! `use crate::{x, y::z};`, and the crate-root re-exports such as
//! `crate::compile`). It ignores:
//! - comments (doc comments included: a doc link to another module is not
//!   a dependency) and the text of string and character literals;
//! - test code: every item under `#[cfg(test)]` and every file declared by
//!   `#[cfg(test)] mod x;` — tests may use any module (a test of the parser
//!   may generate input with the corpus generator).
//!
//! `super::super::…` paths are not followed: they stay inside a module.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every front end and stage; `corpus` (the dev-only corpus generator) and
/// `cli` are forbidden almost everywhere.
const ALL: &[&str] = &[
    "bundle",
    "catalog",
    "check",
    "cli",
    "corpus",
    "diagnostics",
    "driver",
    "fmt",
    "graph",
    "lsp",
    "plan",
    "project",
    "runtime",
    "schema",
    "serve",
    "source",
    "syntax",
    "testing",
];

/// Crate-root re-exports and the module they come from.
const REEXPORTS: &[(&str, &str)] = &[
    ("compile", "driver"),
    ("Compilation", "driver"),
    ("SourceInput", "driver"),
];

/// (module, the modules it must not import). Keep in step with the
/// "Architecture Invariants" of ARCHITECTURE.md.
const RULES: &[(&str, &[&str])] = &[
    // Plain data at the bottom: spans and files.
    (
        "source",
        &[
            "bundle",
            "catalog",
            "check",
            "cli",
            "corpus",
            "diagnostics",
            "driver",
            "fmt",
            "graph",
            "lsp",
            "plan",
            "project",
            "runtime",
            "schema",
            "serve",
            "syntax",
        ],
    ),
    // Diagnostics know spans, never a stage.
    (
        "diagnostics",
        &[
            "bundle", "catalog", "check", "cli", "corpus", "driver", "fmt", "graph", "lsp", "plan",
            "project", "runtime", "schema", "serve", "syntax",
        ],
    ),
    // The step catalog is data shared by check, lsp and runtime.
    (
        "catalog",
        &[
            "bundle", "check", "cli", "corpus", "driver", "fmt", "graph", "lsp", "plan", "project",
            "runtime", "serve", "syntax",
        ],
    ),
    // The object model knows no language and no stage.
    (
        "schema",
        &[
            "bundle", "catalog", "check", "cli", "corpus", "driver", "fmt", "graph", "lsp", "plan",
            "project", "runtime", "serve", "syntax",
        ],
    ),
    // The parser knows no rules, no plans, no schema.
    (
        "syntax",
        &[
            "bundle", "check", "cli", "corpus", "driver", "fmt", "graph", "lsp", "plan", "project",
            "runtime", "schema", "serve",
        ],
    ),
    // The checker reads the AST; it never builds plans or runs them.
    (
        "check",
        &[
            "bundle", "cli", "corpus", "driver", "fmt", "graph", "lsp", "plan", "project",
            "runtime", "serve",
        ],
    ),
    // Codegen reads a checked AST; plan types are the runtime's contract.
    (
        "plan",
        &[
            "bundle", "check", "cli", "corpus", "driver", "fmt", "graph", "lsp", "project",
            "runtime", "schema", "serve",
        ],
    ),
    // The runtime reads plans, never source text.
    (
        "runtime",
        &[
            "bundle", "check", "cli", "corpus", "driver", "fmt", "graph", "lsp", "project",
            "serve", "syntax",
        ],
    ),
    // The pipeline: source → syntax → check → plan; no front end, no runtime.
    (
        "driver",
        &[
            "bundle", "cli", "corpus", "fmt", "graph", "lsp", "project", "runtime", "serve",
        ],
    ),
    // Finding files and manifests; compiling is the driver's.
    (
        "project",
        &[
            "bundle", "check", "cli", "corpus", "fmt", "graph", "lsp", "plan", "runtime", "serve",
        ],
    ),
    // Front ends.
    ("cli", &["catalog", "check", "corpus", "syntax"]),
    // `fmt` is allowed: document formatting is `wfc fmt`'s own output.
    (
        "lsp",
        &[
            "bundle", "check", "cli", "corpus", "graph", "plan", "runtime", "serve",
        ],
    ),
    (
        "fmt",
        &[
            "bundle", "catalog", "check", "cli", "corpus", "driver", "graph", "lsp", "plan",
            "project", "runtime", "schema", "serve",
        ],
    ),
    // The flow diagram reads plans only.
    (
        "graph",
        &[
            "bundle",
            "catalog",
            "check",
            "cli",
            "corpus",
            "diagnostics",
            "driver",
            "fmt",
            "lsp",
            "project",
            "runtime",
            "schema",
            "serve",
            "source",
            "syntax",
        ],
    ),
    // Bundles: an environment and plans, validated by the runtime's loader.
    (
        "bundle",
        &[
            "check", "cli", "corpus", "driver", "fmt", "graph", "lsp", "project", "serve", "syntax",
        ],
    ),
    // The service: the engine behind HTTP; it reads plans, bundles and
    // projects, never source text directly.
    (
        "serve",
        &["check", "cli", "corpus", "fmt", "graph", "lsp", "syntax"],
    ),
    // `wfc test`: runs the runtime over the AST's tests; no checker, no
    // files, no front end but the formatter's text helpers.
    (
        "testing",
        &[
            "catalog", "check", "cli", "corpus", "graph", "lsp", "project",
        ],
    ),
    // Dev-only: depends on nothing.
    (
        "corpus",
        &[
            "bundle",
            "catalog",
            "check",
            "cli",
            "diagnostics",
            "driver",
            "fmt",
            "graph",
            "lsp",
            "plan",
            "project",
            "runtime",
            "schema",
            "serve",
            "source",
            "syntax",
        ],
    ),
];

// ---------------------------------------------------------------- scanner

/// `src` with comments and the insides of string and character literals
/// replaced by spaces (newlines kept, so line numbers stay right).
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (i == 0 || !ident(b[i - 1]) || (b[i - 1] == 'b' && (i < 2 || !ident(b[i - 2]))))
            && matches!(next, Some('"') | Some('#'))
        {
            // A raw string r"…" / r#"…"# (or br…), else an identifier `r`.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.extend(std::iter::repeat_n(' ', j + 1 - i));
            i = j + 1;
            while i < b.len() {
                if b[i] == '"' && (1..=hashes).all(|k| b.get(i + k) == Some(&'#')) {
                    out.extend(std::iter::repeat_n(' ', hashes + 1));
                    i += hashes + 1;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() {
                if b[i] == '\\' {
                    out.push(' ');
                    if let Some(&e) = b.get(i + 1) {
                        out.push(blank(e));
                    }
                    i += 2;
                } else if b[i] == '"' {
                    out.push(' ');
                    i += 1;
                    break;
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == '\'' {
            // '{', '\n', '\u{7b}' are characters; 'a in `&'a str` a lifetime.
            let end = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    out.extend(std::iter::repeat_n(' ', e + 1 - i));
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `stripped` with every `#[cfg(test)]` item blanked out; also returns the
/// names of the out-of-line test modules it declares (`#[cfg(test)] mod x;`).
fn without_tests(stripped: &str) -> (String, Vec<String>) {
    let attr: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut text: Vec<char> = stripped.chars().collect();
    let mut test_files = Vec::new();
    let mut from = 0;
    while let Some(start) =
        (from..text.len().saturating_sub(attr.len() - 1)).find(|&k| text[k..].starts_with(&attr))
    {
        // The item ends at its first `;` before any `{`, else at the `}`
        // matching its first `{`.
        let mut i = start + attr.len();
        let mut depth = 0usize;
        let mut opened = false;
        let mut end = text.len();
        let mut head = String::new();
        while i < text.len() {
            match text[i] {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    if opened && depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if !opened => {
                    end = i + 1;
                    break;
                }
                c if !opened => head.push(c),
                _ => {}
            }
            i += 1;
        }
        if !opened {
            let words: Vec<&str> = head.split_whitespace().collect();
            if let Some(pos) = words.iter().position(|w| *w == "mod") {
                if let Some(name) = words.get(pos + 1) {
                    test_files.push(name.to_string());
                }
            }
        }
        for c in &mut text[start..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        from = end;
    }
    (text.into_iter().collect(), test_files)
}

/// The top-level modules a file's text names through `crate::`, with the
/// 1-based line of each mention. Unknown names are returned as they are.
fn crate_imports(text: &str) -> Vec<(usize, String)> {
    let (code, _) = without_tests(&strip(text));
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let ident_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let read_ident = |mut k: usize| {
        while k < bytes.len() && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        let s = k;
        while k < bytes.len() && ident_char(bytes[k]) {
            k += 1;
        }
        (code[s..k].to_string(), k)
    };
    let mut from = 0;
    while let Some(p) = code[from..].find("crate::") {
        let at = from + p;
        from = at + "crate::".len();
        if at > 0 && (ident_char(bytes[at - 1]) || bytes[at - 1] == b'$') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let mut k = from;
        while k < bytes.len() && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        if bytes.get(k) == Some(&b'{') {
            // `crate::{a, b::c, d::{e, f}}`: the first name of each item.
            let mut depth = 0;
            let mut expect = true;
            k += 1;
            while k < bytes.len() {
                match bytes[k] {
                    b'{' => depth += 1,
                    b'}' if depth == 0 => break,
                    b'}' => depth -= 1,
                    b',' if depth == 0 => expect = true,
                    c if expect && ident_char(c) => {
                        let (name, end) = read_ident(k);
                        if name != "self" {
                            out.push((line, name));
                        }
                        expect = false;
                        k = end;
                        continue;
                    }
                    _ => {}
                }
                k += 1;
            }
        } else {
            let (name, _) = read_ident(k);
            if !name.is_empty() {
                out.push((line, name));
            }
        }
    }
    out
}

/// The module a name after `crate::` belongs to.
fn module_of(name: &str) -> &str {
    REEXPORTS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, m)| m)
}

/// Every forbidden import in `files` (path, text) of `module`, as
/// `path:line: module imports crate::x`.
fn violations(module: &str, forbidden: &[&str], files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in files {
        for (line, name) in crate_imports(text) {
            let target = module_of(&name);
            if target != module && forbidden.contains(&target) {
                out.push(format!("{path}:{line}: {module} imports crate::{name}"));
            }
        }
    }
    out
}

/// The `.rs` files of a top-level module (`src/m.rs` and everything under
/// `src/m/`), without the files of out-of-line test modules.
fn module_files(src: &Path, module: &str) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    let single = src.join(format!("{module}.rs"));
    if single.is_file() {
        paths.push(single);
    }
    collect(&src.join(module), &mut paths);
    let mut texts: Vec<(PathBuf, String)> = paths
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).expect("read source file");
            (p, t)
        })
        .collect();
    // Out-of-line test modules: `#[cfg(test)] mod tests;` in a/b.rs or
    // a/mod.rs declares a/b/tests.rs or a/tests.rs (or …/tests/mod.rs).
    let mut skip: BTreeSet<PathBuf> = BTreeSet::new();
    for (p, t) in &texts {
        let (_, names) = without_tests(&strip(t));
        let dir = match p.file_stem().and_then(|s| s.to_str()) {
            Some("mod") | Some("lib") => p.parent().map(Path::to_path_buf),
            Some(stem) => p.parent().map(|d| d.join(stem)),
            None => None,
        };
        if let Some(dir) = dir {
            for n in names {
                skip.insert(dir.join(format!("{n}.rs")));
                skip.insert(dir.join(&n).join("mod.rs"));
            }
        }
    }
    texts.retain(|(p, _)| !skip.contains(p));
    texts
        .into_iter()
        .map(|(p, t)| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            (p.strip_prefix(root).unwrap_or(&p).display().to_string(), t)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

// ------------------------------------------------------------------ tests

#[test]
fn invariants_hold() {
    let src = src_dir();
    let mut all = Vec::new();
    for (module, forbidden) in RULES {
        all.extend(violations(module, forbidden, &module_files(&src, module)));
    }
    assert!(
        all.is_empty(),
        "forbidden imports (see the Architecture Invariants in ARCHITECTURE.md):\n{}",
        all.join("\n")
    );
}

#[test]
fn every_module_has_a_rule_and_every_import_is_known() {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).expect("read lib.rs");
    let code = strip(&lib);
    for line in code.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["pub", "mod", name] = words.as_slice() {
            let name = name.trim_end_matches(';');
            assert!(
                RULES.iter().any(|(m, _)| *m == name),
                "src/lib.rs declares `{name}`: give it a rule in tests/architecture.rs \
                 and a paragraph in ARCHITECTURE.md"
            );
            assert!(ALL.contains(&name), "add `{name}` to ALL");
        }
    }
    for (module, _) in RULES {
        for (path, text) in module_files(&src_dir(), module) {
            for (line, name) in crate_imports(&text) {
                assert!(
                    ALL.contains(&module_of(&name)),
                    "{path}:{line}: `crate::{name}` is neither a module nor a known \
                     re-export: add it to REEXPORTS in tests/architecture.rs"
                );
            }
        }
    }
}

#[test]
fn rules_name_only_modules() {
    for (module, forbidden) in RULES {
        assert!(ALL.contains(module), "{module}");
        for f in *forbidden {
            assert!(ALL.contains(f), "{module} forbids unknown `{f}`");
            assert_ne!(module, f, "{module} forbids itself");
        }
    }
}

/// The project is self-contained: code and docs point at `docs/…`, never at
/// reference material outside the repository.
#[test]
fn code_and_docs_point_only_inside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("src"), &mut files);
    for dir in ["docs", "docs/codes"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            let mut md: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect();
            md.sort();
            files.extend(md);
        }
    }
    files.push(root.join("README.md"));
    files.push(root.join("ARCHITECTURE.md"));
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            if line.contains("shared/") {
                found.push(format!("{}:{}: {line}", f.display(), i + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "point at the project's own docs/ instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn scanner_finds_imports_in_code_only() {
    let text = r##"
//! Docs may link [`crate::check::run`] freely.
use crate::syntax::ast;
use crate::{plan::Plan, schema::{Hub, Tier}, self};
/* crate::runtime in a block comment */
fn f() -> i32 {
    let s = "crate::runtime inside a string";
    let r = r#"crate::runtime in a raw "string""#;
    let c = '{';
    let n = crate::compile(Vec::new(), None);
    crate::diagnostics::shorten(s).len() as i32
}
fn g<'a>(x: &'a str) -> &'a str { x }
#[cfg(test)]
mod tests {
    use crate::corpus;
    fn h() { let _ = '}'; crate::lsp::run(); }
}
fn after() { crate::fmt::format(""); }
"##;
    let names: Vec<(usize, String)> = crate_imports(text);
    let got: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        got,
        ["syntax", "plan", "schema", "compile", "diagnostics", "fmt"]
    );
    assert_eq!(names[0].0, 3, "line numbers are 1-based and exact");
    assert_eq!(names.last().map(|(l, _)| *l), Some(19));
}

#[test]
fn scanner_reports_a_forbidden_import() {
    let files = vec![(
        "src/graph/mod.rs".to_string(),
        "use crate::plan::Plan;\nfn f() { crate::check::run(); }\n".to_string(),
    )];
    assert_eq!(
        violations("graph", &["check", "syntax"], &files),
        ["src/graph/mod.rs:2: graph imports crate::check"]
    );
    // A re-export counts as its module.
    let files = vec![(
        "src/runtime/x.rs".to_string(),
        "use crate::compile;\n".to_string(),
    )];
    assert_eq!(
        violations("runtime", &["driver"], &files),
        ["src/runtime/x.rs:1: runtime imports crate::compile"]
    );
    // A module may name itself.
    let files = vec![(
        "src/plan/a.rs".to_string(),
        "use crate::plan::b;\n".to_string(),
    )];
    assert!(violations("plan", &["plan"], &files).is_empty());
}

#[test]
fn out_of_line_test_modules_are_found() {
    let (code, files) = without_tests(&strip(
        "pub fn a() {}\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\n#[allow(unused)]\nmod more { fn x() {} }\nfn b() {}\n",
    ));
    assert_eq!(files, ["tests"]);
    assert!(code.contains("pub fn a()") && code.contains("fn b()"));
    assert!(!code.contains("more"));
    assert_eq!(code.lines().count(), 7);
}
