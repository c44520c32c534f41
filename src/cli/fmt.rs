//! `wfc fmt`: command-line front end.
//!
//! `wfc fmt [PATH...]` rewrites files in the canonical style; folders mean
//! every `.wf` file below them; no path means the project around the current
//! folder (the folder of the nearest `wf.toml`, else the current folder).
//! `--check` changes nothing, lists the files that would change and exits 1.
//! `-` reads standard input and writes standard output.
//!
//! Exit codes: 0 all formatted (or already formatted); 1 some file would
//! change (`--check`) or has syntax errors (it is left untouched); 2 usage
//! or I/O problem.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::diagnostics::render::{self, HumanOptions};
use crate::diagnostics::Diagnostic;
use crate::project;
use crate::source::SourceMap;

/// Arguments of `wfc fmt`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Files or folders to format; `-` reads standard input and writes
    /// standard output. None: the project around the current folder.
    pub paths: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted and exit 1 if
    /// there are any.
    #[arg(long)]
    pub check: bool,
}

/// Run `wfc fmt`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be combined with other paths");
            return 2;
        }
        return run_stdin(args.check);
    }
    let files = match collect_files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut code = 0;
    for path in files {
        let name = path.display().to_string();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read {name}: {e}");
                code = 2;
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            eprintln!("error[WF002]: {name} is not valid UTF-8; left unchanged");
            code = code.max(1);
            continue;
        };
        match crate::fmt::format_source(&name, &text) {
            Err(diags) => {
                report(&name, &text, &diags);
                eprintln!("{name}: syntax errors, left unchanged");
                code = code.max(1);
            }
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                if args.check {
                    println!("{name}");
                    code = code.max(1);
                } else if let Err(e) = write_atomically(&path, &formatted) {
                    eprintln!("error: cannot write {name}: {e}");
                    code = 2;
                }
            }
        }
    }
    code
}

fn run_stdin(check: bool) -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: cannot read standard input: {e}");
        return 2;
    }
    let name = "<stdin>";
    let (out, code) = match crate::fmt::format_source(name, &text) {
        Err(diags) => {
            report(name, &text, &diags);
            (text.clone(), 1)
        }
        Ok(f) => {
            let changed = f != text;
            (f, if check && changed { 1 } else { 0 })
        }
    };
    if check {
        if code == 1 && out != text {
            println!("{name}");
        }
        return code;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        eprintln!("error: cannot write standard output: {e}");
        return 2;
    }
    code
}

/// Write through a temporary file in the same folder, then rename, so a
/// failure never leaves a half-written source file.
pub(crate) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file.wf".into());
    let tmp = match dir {
        Some(d) => d.join(format!(".{file_name}.wfc-fmt.tmp")),
        None => PathBuf::from(format!(".{file_name}.wfc-fmt.tmp")),
    };
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The `.wf` files named by `paths` (folders searched recursively, in
/// sorted order); no path: the project around the current folder (the
/// folder of the nearest `wf.toml`, else the current folder).
fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    let roots: Vec<PathBuf> = if paths.is_empty() {
        let root = project::discover(&cwd)
            .and_then(|m| m.parent().map(Path::to_path_buf))
            .unwrap_or(cwd.clone());
        vec![root]
    } else {
        paths.to_vec()
    };
    let mut out = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(&root)
            .map_err(|e| format!("cannot read `{}`: {e}", root.display()))?;
        if meta.is_dir() {
            let files = project::collect_dir(&root).map_err(|e| e.to_string())?;
            // Shown relative to the current folder.
            out.extend(files.into_iter().map(|f| {
                let rel = project::display_name(&f, &cwd);
                // The display name is lossy for a file name that is not
                // UTF-8: reading it back failed ("cannot read ./bad�.wf").
                if Path::new(&rel).is_absolute() || f.to_str().is_none() {
                    f
                } else {
                    PathBuf::from(rel)
                }
            }));
        } else {
            out.push(root);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|f| seen.insert(f.clone()));
    Ok(out)
}

/// Print diagnostics for one text to standard error (miette's report,
/// colour only on a terminal without `NO_COLOR`).
pub(crate) fn report(name: &str, text: &str, diags: &[Diagnostic]) {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    // The diagnostics were made against a file numbered like this one.
    let diags: Vec<Diagnostic> = diags
        .iter()
        .cloned()
        .map(|mut d| {
            d.primary.span.file = id;
            for s in &mut d.secondary {
                s.span.file = id;
            }
            d
        })
        .collect();
    eprint!("{}", render::human(&sources, &diags, human_options()));
}

pub(crate) fn human_options() -> HumanOptions {
    let terminal = std::io::stderr().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    HumanOptions {
        color: terminal && !no_color,
        width: if terminal { 100 } else { 80 },
    }
}
