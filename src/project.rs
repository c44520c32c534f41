//! The filesystem side of a compilation: which `.wf` files to read, which
//! `wf.toml` applies, and reading them (or stdin) into [`SourceInput`]s.
//!
//! The CLI and the language server share this, so everything here returns
//! errors instead of printing or exiting.
//!
//! Rules:
//! - A path that is a file is read whatever its extension; a folder
//!   contributes every `.wf` file below it (recursively, skipping hidden
//!   folders, `target`, and what `.gitignore` or `.wfignore` files exclude),
//!   in path order. A folder with no `.wf` file is an error (exit 2), so a
//!   mistyped path in CI does not pass as "0 files checked".
//! - With no path, the project around the current folder: the nearest
//!   `wf.toml` in it or a parent, and every `.wf` below that folder (below
//!   the current folder when there is no manifest).
//! - With paths, the manifest is the nearest `wf.toml` enclosing the first
//!   path (for stdin: enclosing `--stdin-filename`, else the current folder).
//!   [`load_groups`] (what `wfc check` and `wfc build` use) refines this per
//!   file: each file read from disk goes with the nearest `wf.toml`
//!   enclosing it, so a folder holding several projects (`wfc check
//!   examples/`) checks each against its own manifest, and a project with a
//!   `wf.toml` is always read whole: the files not named are context, so a
//!   named file is checked *in* its project and only it is reported on.
//! - File names shown in diagnostics and plans are relative to the current
//!   folder when possible, with `/` separators.

use std::fmt;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::driver::SourceInput;
use crate::syntax::MAX_SOURCE_BYTES;

/// The manifest's file name.
pub const MANIFEST: &str = crate::schema::manifest::FILE_NAME;

/// The name used for stdin without `--stdin-filename`.
pub const STDIN_NAME: &str = "<stdin>";

/// What to compile, as the user asked for it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Files and folders; `-` is stdin. Empty: the project around `cwd`.
    pub paths: Vec<PathBuf>,
    /// The name stdin's text goes by (also where its manifest is looked for).
    pub stdin_filename: Option<String>,
}

/// The inputs of one compilation, ready for [`crate::compile`].
#[derive(Clone, Debug)]
pub struct Project {
    pub inputs: Vec<SourceInput>,
    pub manifest: Option<SourceInput>,
    /// Where the manifest was found (absolute), if any.
    pub manifest_path: Option<PathBuf>,
    /// The `.wf` files read from disk (absolute), in input order; stdin is not listed.
    pub files: Vec<PathBuf>,
    /// Display names of the project's other `.wf` files, read only so that the
    /// named ones are checked *in* their project (workflow names, `enroll in`,
    /// duplicates): their inputs come last in [`Project::inputs`], and their
    /// own diagnostics and plans are not reported. Set by [`load_groups`].
    pub context: Vec<String>,
}

impl Project {
    /// Whether the file shown as `name` was asked for (not [`Project::context`]).
    pub fn is_reported(&self, name: &str) -> bool {
        !self.context.iter().any(|c| c == name)
    }
}

/// A problem that stops wfc before compiling (exit code 2 in the CLI).
#[derive(Debug)]
pub enum ProjectError {
    /// A file or folder could not be read.
    Io { path: PathBuf, error: io::Error },
    /// Nothing to compile.
    NoFiles { root: PathBuf },
    /// `-` given more than once.
    StdinTwice,
}

impl fmt::Display for ProjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProjectError::Io { path, error } => {
                let what = match error.kind() {
                    io::ErrorKind::NotFound => "no such file or folder".to_string(),
                    io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                    _ => error.to_string(),
                };
                write!(f, "cannot read `{}`: {what}", path.display())
            }
            ProjectError::NoFiles { root } => {
                write!(f, "no `.wf` files found under `{}`", root.display())
            }
            ProjectError::StdinTwice => f.write_str("`-` (stdin) may be given only once"),
        }
    }
}

impl std::error::Error for ProjectError {}

/// Resolve `request` against the current folder `cwd` and read everything.
/// `stdin` is read only when a path is `-`.
pub fn load(request: &Request, cwd: &Path, stdin: &mut dyn Read) -> Result<Project, ProjectError> {
    let cwd = absolute(cwd, Path::new("."));
    let mut inputs = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let manifest_start;

    if request.paths.is_empty() {
        let manifest = discover(&cwd);
        let root = manifest
            .as_ref()
            .and_then(|m| m.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| cwd.clone());
        files = collect_dir(&root)?;
        if files.is_empty() {
            return Err(ProjectError::NoFiles { root });
        }
        manifest_start = cwd.clone();
    } else {
        let mut stdin_seen = false;
        for p in &request.paths {
            if p.as_os_str() == "-" {
                if stdin_seen {
                    return Err(ProjectError::StdinTwice);
                }
                stdin_seen = true;
                let name = request
                    .stdin_filename
                    .clone()
                    .unwrap_or_else(|| STDIN_NAME.to_string());
                let bytes = read_limited(stdin).map_err(|error| ProjectError::Io {
                    path: PathBuf::from(STDIN_NAME),
                    error,
                })?;
                inputs.push(SourceInput::new(name, bytes));
                continue;
            }
            let abs = absolute(&cwd, p);
            let meta = std::fs::metadata(&abs).map_err(|error| ProjectError::Io {
                path: p.clone(),
                error,
            })?;
            if meta.is_dir() {
                let found = collect_dir(&abs)?;
                if found.is_empty() {
                    // A mistyped CI path must not pass as "0 files, no problems".
                    return Err(ProjectError::NoFiles { root: p.clone() });
                }
                files.extend(found);
            } else {
                files.push(abs);
            }
        }
        let first = &request.paths[0];
        manifest_start = if first.as_os_str() == "-" {
            match &request.stdin_filename {
                Some(name) => parent_dir(&absolute(&cwd, Path::new(name))),
                None => cwd.clone(),
            }
        } else {
            let abs = absolute(&cwd, first);
            if abs.is_dir() {
                abs
            } else {
                parent_dir(&abs)
            }
        };
    }

    // The same file named twice (directly, or through a folder) is read once.
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(f.clone()));

    for f in &files {
        inputs.push(read_input(f, display_name(f, &cwd))?);
    }

    let manifest_path = discover(&manifest_start);
    let manifest = match &manifest_path {
        Some(m) => Some(SourceInput::new(display_name(m, &cwd), read_file(m)?)),
        None => None,
    };

    Ok(Project {
        inputs,
        manifest,
        manifest_path,
        files,
        context: Vec::new(),
    })
}

/// [`load`], then split into one project per manifest: every `.wf` file read
/// from disk goes with the nearest `wf.toml` enclosing it (or with none);
/// stdin keeps the manifest [`load`] found for it. Each project is compiled
/// on its own (workflow names are unique, and `enroll in` resolves, within
/// one project). Projects come in the order of their first file.
///
/// A project with a `wf.toml` is always whole: the `.wf` files of its folder
/// that were not named are read as [`Project::context`], so `wfc check
/// onboarding.wf` (what a pre-commit hook runs on a changed file) sees the
/// workflows of its sibling files and reports only on the named one. Every
/// command that reads `.wf` files from disk loads them through here.
pub fn load_groups(
    request: &Request,
    cwd: &Path,
    stdin: &mut dyn Read,
) -> Result<Vec<Project>, ProjectError> {
    let all = load(request, cwd, stdin)?;
    let from_stdin = all.inputs.len().saturating_sub(all.files.len());
    let mut groups: Vec<Project> = Vec::new();
    let mut inputs = all.inputs.into_iter();
    if from_stdin > 0 {
        groups.push(Project {
            inputs: inputs.by_ref().take(from_stdin).collect(),
            manifest: all.manifest.clone(),
            manifest_path: all.manifest_path.clone(),
            files: Vec::new(),
            context: Vec::new(),
        });
    }
    let cwd = absolute(cwd, Path::new("."));
    for (file, input) in all.files.into_iter().zip(inputs) {
        let manifest_path = discover(&parent_dir(&file));
        let at = groups.iter().position(|g| g.manifest_path == manifest_path);
        let group = match at {
            Some(i) => &mut groups[i],
            None => {
                let manifest = if manifest_path == all.manifest_path {
                    all.manifest.clone()
                } else {
                    match &manifest_path {
                        Some(m) => Some(SourceInput::new(display_name(m, &cwd), read_file(m)?)),
                        None => None,
                    }
                };
                groups.push(Project {
                    inputs: Vec::new(),
                    manifest,
                    manifest_path,
                    files: Vec::new(),
                    context: Vec::new(),
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        group.inputs.push(input);
        group.files.push(file);
    }
    // Stdin is the first group's first input. Its text takes the place of the
    // file `--stdin-filename` names; without a name it stands on its own.
    let stdin_path = match (&request.stdin_filename, from_stdin > 0) {
        (Some(name), true) => Some(Some(absolute(&cwd, Path::new(name)))),
        (None, true) => Some(None),
        (_, false) => None,
    };
    for (i, group) in groups.iter_mut().enumerate() {
        let Some(root) = group.manifest_path.as_deref().and_then(Path::parent) else {
            continue;
        };
        let mut named: std::collections::BTreeSet<&PathBuf> = group.files.iter().collect();
        if i == 0 {
            match &stdin_path {
                Some(None) => continue,
                Some(Some(p)) => {
                    named.insert(p);
                }
                None => {}
            }
        }
        let mut context = Vec::new();
        for f in collect_dir(root)? {
            // A nested folder with its own wf.toml is a project of its own.
            if !named.contains(&f)
                && discover(&parent_dir(&f)).as_deref() == group.manifest_path.as_deref()
            {
                context.push(f);
            }
        }
        for f in context {
            let name = display_name(&f, &cwd);
            group.inputs.push(read_input(&f, name.clone())?);
            group.context.push(name);
        }
    }
    Ok(groups)
}

/// The nearest `wf.toml` in `start` or one of its parents (the checker's
/// [`manifest::discover`](crate::schema::manifest::discover)).
pub fn discover(start: &Path) -> Option<PathBuf> {
    crate::schema::manifest::discover(start)
}

/// The file, beside `.gitignore`, that lists what folder walks skip (same
/// syntax): e.g. test fixtures that must not be formatted or checked when a
/// whole repository is.
pub const IGNORE_FILE: &str = ".wfignore";

/// Every `.wf` file below `dir`, sorted by path. Hidden folders (`.git`, ...)
/// and `target` are skipped, and so is whatever a `.gitignore` or
/// [`IGNORE_FILE`] in `dir`, below it or in a parent folder excludes (the
/// gitignore rules; the user's global excludes file is not read, so a walk
/// gives the same files on every machine). `dir` itself is always walked,
/// even when an ignore file of a parent names it: what is named on the
/// command line is read. Symbolic links to folders are not followed.
pub fn collect_dir(dir: &Path) -> Result<Vec<PathBuf>, ProjectError> {
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .parents(true)
        .add_custom_ignore_filename(IGNORE_FILE)
        .follow_links(false)
        .filter_entry(|e| {
            let skipped_dir = e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') || n == "target");
            !skipped_dir
        })
        .build();
    let mut out = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => match err.into_io_error() {
                Some(error) => {
                    return Err(ProjectError::Io {
                        path: dir.to_path_buf(),
                        error,
                    })
                }
                // A malformed line in an ignore file: that line is skipped.
                None => continue,
            },
        };
        if entry.depth() == 0 {
            continue;
        }
        let path = entry.path();
        let is_file = entry.file_type().is_some_and(|t| t.is_file())
            || (entry.path_is_symlink() && path.is_file());
        if is_file && path.extension().is_some_and(|e| e == "wf") {
            out.push(path.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

/// `path` as shown to users: relative to `cwd` (with `..` where needed) when
/// both are on the same root, `/`-separated.
pub fn display_name(path: &Path, cwd: &Path) -> String {
    let rel = relative_to(path, cwd).unwrap_or_else(|| path.to_path_buf());
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if rel.is_absolute() {
        rel.to_string_lossy().into_owned()
    } else {
        parts.join("/")
    }
}

/// Read one `.wf` file as an input named `name`: [`read_file`], and when the
/// file is over the size limit, its size on disk for WF002's message.
pub fn read_input(path: &Path, name: String) -> Result<SourceInput, ProjectError> {
    let bytes = read_file(path)?;
    let over = bytes.len() > MAX_SOURCE_BYTES;
    let input = SourceInput::new(name, bytes);
    match std::fs::metadata(path) {
        Ok(meta) if over => Ok(input.with_size(meta.len())),
        _ => Ok(input),
    }
}

/// Read one file, at most a little over the size limit (the parser then
/// reports WF002 for it).
pub fn read_file(path: &Path) -> Result<Vec<u8>, ProjectError> {
    let io_err = |error| ProjectError::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut f = std::fs::File::open(path).map_err(io_err)?;
    read_limited(&mut f).map_err(io_err)
}

/// Read up to the size limit plus a few bytes. When the text is cut, an
/// incomplete UTF-8 sequence at the cut is dropped, so the cut alone never
/// turns a valid file into "not UTF-8"; the result stays over the limit.
pub fn read_limited(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let cap = MAX_SOURCE_BYTES + 4;
    let mut bytes = Vec::new();
    r.take(cap as u64).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_SOURCE_BYTES {
        if let Err(e) = std::str::from_utf8(&bytes) {
            if e.error_len().is_none() {
                bytes.truncate(e.valid_up_to());
            }
        }
    }
    Ok(bytes)
}

/// `p` made absolute against `base`, with `.` and `..` folded lexically.
fn absolute(base: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn parent_dir(p: &Path) -> PathBuf {
    p.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `path` relative to `base` (both absolute and folded), or `None` when they
/// share no root.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let pc: Vec<Component> = path.components().collect();
    let bc: Vec<Component> = base.components().collect();
    if pc.first() != bc.first() {
        return None;
    }
    let common = pc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        fs::create_dir_all(r.join("proj/flows/deep")).unwrap();
        fs::create_dir_all(r.join("proj/.git")).unwrap();
        fs::create_dir_all(r.join("proj/target")).unwrap();
        fs::write(r.join("proj/wf.toml"), "[account]\n").unwrap();
        fs::write(r.join("proj/b.wf"), "b").unwrap();
        fs::write(r.join("proj/flows/a.wf"), "a").unwrap();
        fs::write(r.join("proj/flows/deep/c.wf"), "c").unwrap();
        fs::write(r.join("proj/flows/notes.txt"), "x").unwrap();
        fs::write(r.join("proj/.git/x.wf"), "hidden").unwrap();
        fs::write(r.join("proj/target/y.wf"), "built").unwrap();
        fs::write(r.join("lone.wf"), "lone").unwrap();
        t
    }

    fn names(p: &Project) -> Vec<&str> {
        p.inputs.iter().map(|i| i.name.as_str()).collect()
    }

    #[test]
    fn no_path_means_the_project_around_cwd() {
        let t = tree();
        let cwd = t.path().join("proj/flows/deep");
        let p = load(&Request::default(), &cwd, &mut io::empty()).unwrap();
        assert_eq!(names(&p), ["../../b.wf", "../a.wf", "c.wf"]);
        assert_eq!(p.manifest.as_ref().unwrap().name, "../../wf.toml");
        assert_eq!(p.manifest.as_ref().unwrap().bytes, b"[account]\n");
    }

    #[test]
    fn paths_files_and_folders_with_nearest_manifest() {
        let t = tree();
        let req = Request {
            paths: vec![
                "proj/flows".into(),
                "lone.wf".into(),
                "proj/flows/a.wf".into(),
            ],
            stdin_filename: None,
        };
        let p = load(&req, t.path(), &mut io::empty()).unwrap();
        assert_eq!(
            names(&p),
            ["proj/flows/a.wf", "proj/flows/deep/c.wf", "lone.wf"]
        );
        assert_eq!(p.manifest.unwrap().name, "proj/wf.toml");

        // first path outside the project: no manifest
        let req = Request {
            paths: vec!["lone.wf".into(), "proj/b.wf".into()],
            stdin_filename: None,
        };
        let p = load(&req, t.path(), &mut io::empty()).unwrap();
        assert!(p.manifest.is_none());
    }

    #[test]
    fn stdin_with_a_name_finds_its_manifest() {
        let t = tree();
        let req = Request {
            paths: vec!["-".into()],
            stdin_filename: Some("proj/new.wf".into()),
        };
        let p = load(&req, t.path(), &mut &b"workflow"[..]).unwrap();
        assert_eq!(names(&p), ["proj/new.wf"]);
        assert_eq!(p.inputs[0].bytes, b"workflow");
        assert_eq!(p.manifest.unwrap().name, "proj/wf.toml");

        let req = Request {
            paths: vec!["-".into(), "-".into()],
            stdin_filename: None,
        };
        assert!(matches!(
            load(&req, t.path(), &mut io::empty()),
            Err(ProjectError::StdinTwice)
        ));
    }

    #[test]
    fn missing_and_empty() {
        let t = tree();
        let req = Request {
            paths: vec!["nope.wf".into()],
            stdin_filename: None,
        };
        let e = load(&req, t.path(), &mut io::empty()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read `nope.wf`: no such file or folder"
        );
        let empty = t.path().join("empty");
        fs::create_dir(&empty).unwrap();
        let e = load(&Request::default(), &empty, &mut io::empty()).unwrap_err();
        assert!(matches!(e, ProjectError::NoFiles { .. }), "{e}");
    }

    #[test]
    fn read_limited_cuts_on_a_char_boundary_above_the_limit() {
        let mut big = vec![b'a'; MAX_SOURCE_BYTES - 1];
        big.extend("ééé".as_bytes());
        let got = read_limited(&mut &big[..]).unwrap();
        assert!(got.len() > MAX_SOURCE_BYTES);
        assert!(std::str::from_utf8(&got).is_ok());
        let small = read_limited(&mut &b"abc"[..]).unwrap();
        assert_eq!(small, b"abc");
    }

    #[test]
    fn groups_follow_the_nearest_manifest_of_each_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("flows/team")).expect("mkdir");
        std::fs::write(root.join("flows/a.wf"), "workflow \"A\" for contact {}\n").expect("a");
        std::fs::write(
            root.join("flows/team/b.wf"),
            "workflow \"B\" for contact {}\n",
        )
        .expect("b");
        std::fs::write(
            root.join("flows/team/c.wf"),
            "workflow \"C\" for contact {}\n",
        )
        .expect("c");
        std::fs::write(root.join("flows/team/wf.toml"), "[account]\n").expect("toml");
        let req = Request {
            paths: vec![PathBuf::from("flows")],
            stdin_filename: None,
        };
        let groups = load_groups(&req, root, &mut std::io::empty()).expect("load");
        assert_eq!(groups.len(), 2);
        assert_eq!(names(&groups[0]), ["flows/a.wf"]);
        assert!(groups[0].manifest.is_none());
        assert_eq!(names(&groups[1]), ["flows/team/b.wf", "flows/team/c.wf"]);
        let m = groups[1].manifest.as_ref().expect("team manifest");
        assert_eq!(m.name, "flows/team/wf.toml");

        // One manifest for everything: one group, as `load` gives it.
        let req = Request {
            paths: vec![PathBuf::from("flows/team")],
            stdin_filename: None,
        };
        let groups = load_groups(&req, root, &mut std::io::empty()).expect("load");
        assert_eq!(groups.len(), 1);
        assert_eq!(names(&groups[0]).len(), 2);
    }

    #[test]
    fn relative_names() {
        assert_eq!(
            display_name(Path::new("/a/b/c.wf"), Path::new("/a/d")),
            "../b/c.wf"
        );
        assert_eq!(display_name(Path::new("/a/c.wf"), Path::new("/a")), "c.wf");
    }
}
