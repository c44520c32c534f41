//! The document store and the projects checked with [`crate::driver::check_cached`].
//!
//! A document under a folder holding `wf.toml` (in it or a parent) belongs to
//! that folder's project: every `.wf` file below the manifest's folder is
//! checked together with the manifest, open buffers overriding the files on
//! disk. A document with no manifest around it but inside a workspace folder
//! (initialize's `workspaceFolders` / `rootUri`) is checked together with
//! every other manifest-less `.wf` below that folder, as `wfc check` run
//! there with no path would. Any other document is checked on its own, as
//! `wfc check <file>` would. Edits mark a project dirty; [`Workspace::flush`]
//! re-checks dirty projects and returns the diagnostics to publish.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lsp_types::{PublishDiagnosticsParams, TextDocumentContentChangeEvent, Uri};

use super::convert;
use super::index::{FileIndex, WorkflowSym};
use super::uri;
use crate::diagnostics::Code;
use crate::driver::{check_cached, Compilation, ParseCache, SourceInput};
use crate::schema::Environment;
use crate::source::{FileId, SourceText};

pub use crate::project::MANIFEST;

#[derive(Clone, Debug)]
pub struct Document {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub version: i32,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProjectKey {
    /// The folder holding `wf.toml`.
    Dir(PathBuf),
    /// A lone document (its URI).
    Single(String),
    /// A workspace folder with no `wf.toml` in or above it: its `.wf` files
    /// that have no manifest around them.
    Loose(PathBuf),
}

/// One checked project: the compilation and what maps it back to URIs.
pub struct Project {
    pub key: ProjectKey,
    pub comp: Compilation,
    /// The URI of each file id of `comp.sources`.
    pub uris: Vec<Uri>,
    /// The environment for hover and completion: the manifest's when it
    /// loads, else the last one that loaded (so a half-typed `wf.toml` does
    /// not empty the completion lists).
    pub env: Environment,
    indexes: OnceCell<Vec<FileIndex>>,
    /// Indexes of the previous check of this project, by file name, with
    /// the text they were built from: reused for files whose text did not
    /// change instead of being built again.
    prior: RefCell<HashMap<String, (String, FileIndex)>>,
}

impl Project {
    pub fn file_of(&self, uri: &Uri) -> Option<FileId> {
        self.uris.iter().position(|u| u == uri).map(|i| i as FileId)
    }

    pub fn source(&self, file: FileId) -> Option<&SourceText> {
        self.comp.sources.get(file)
    }

    pub fn uri(&self, file: FileId) -> Option<&Uri> {
        self.uris.get(file as usize)
    }

    /// Whether `file` is the manifest.
    pub fn is_manifest(&self, file: FileId) -> bool {
        self.comp.manifest == Some(file)
    }

    /// Every workflow named `name`, in file order, with its file.
    pub fn workflows_named(&self, name: &str) -> Vec<(FileId, &WorkflowSym)> {
        self.indexes()
            .iter()
            .enumerate()
            .flat_map(|(id, idx)| idx.workflows.iter().map(move |w| (id as FileId, w)))
            .filter(|(_, w)| w.name.name == name)
            .collect()
    }

    /// Symbols of every file (index = file id; the manifest's is empty).
    pub fn indexes(&self) -> &[FileIndex] {
        self.indexes.get_or_init(|| {
            self.comp
                .sources
                .files()
                .map(|(id, src)| {
                    if self.is_manifest(id) {
                        return FileIndex::default();
                    }
                    let mut prior = self.prior.borrow_mut();
                    if let Some((text, idx)) = prior.remove(&src.name) {
                        if text == src.text {
                            return idx;
                        }
                    }
                    let ast = self.comp.files.iter().find(|f| f.file == id);
                    FileIndex::build(ast, &src.text)
                })
                .collect()
        })
    }

    /// Give up the indexes (built or carried over) for the next check of
    /// the project, and the compilation (for [`ParseCache::reclaim`]).
    fn retire(self) -> (HashMap<String, (String, FileIndex)>, Compilation) {
        let Project {
            comp,
            indexes,
            prior,
            ..
        } = self;
        // Built: every file took its prior entry, what is left is of files
        // gone from the project. Not built: carry the prior ones on.
        let carried = match indexes.into_inner() {
            Some(built) => comp
                .sources
                .files()
                .zip(built)
                .filter(|((id, _), _)| comp.manifest != Some(*id))
                .map(|((_, src), idx)| (src.name.clone(), (src.text.clone(), idx)))
                .collect(),
            None => prior.into_inner(),
        };
        (carried, comp)
    }
}

#[derive(Clone)]
struct DiskEntry {
    stamp: (Option<SystemTime>, u64),
    bytes: Vec<u8>,
}

#[derive(Default)]
pub struct Workspace {
    docs: HashMap<String, Document>,
    disk: HashMap<PathBuf, DiskEntry>,
    projects: BTreeMap<ProjectKey, Project>,
    /// Which project each URI was last checked in.
    owner: HashMap<String, ProjectKey>,
    last_good_env: HashMap<ProjectKey, Environment>,
    /// Per project, the parse of every file as last checked: after an edit
    /// only the edited file is parsed again.
    caches: HashMap<ProjectKey, ParseCache>,
    dirty: BTreeSet<ProjectKey>,
    /// What was last published per URI.
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    outbox: Vec<PublishDiagnosticsParams>,
    /// The workspace folders, outermost first.
    roots: Vec<PathBuf>,
    /// Tests: check features against this environment instead.
    #[cfg(test)]
    pub(crate) env_override: Option<Environment>,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Set the workspace folders (initialize, or a folder change) and
    /// re-check every open document: its project may have changed.
    pub fn set_roots(&mut self, roots: Vec<PathBuf>) {
        let mut roots: Vec<PathBuf> = roots
            .into_iter()
            .map(|r| r.components().collect::<PathBuf>())
            .collect();
        roots.sort_by_key(|r| (r.components().count(), r.clone()));
        roots.dedup();
        self.roots = roots;
        self.dirty.extend(self.projects.keys().cloned());
        self.touch_uri_str(None);
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    pub fn document(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri.as_str())
    }

    pub fn open(&mut self, uri: Uri, version: i32, text: String) {
        let path = uri::to_path(&uri);
        let key = uri.as_str().to_string();
        self.docs.insert(
            key,
            Document {
                uri,
                path,
                version,
                text,
            },
        );
        self.touch_uri_str(None);
    }

    /// Apply changes (full text, or ranges in UTF-16 positions).
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) {
        let Some(doc) = self.docs.get_mut(uri.as_str()) else {
            return;
        };
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(r) => {
                    let src = SourceText::new("", std::mem::take(&mut doc.text));
                    let a = convert::offset(&src, r.start);
                    let b = convert::offset(&src, r.end).max(a);
                    let mut text = src.text;
                    text.replace_range(a..b, &change.text);
                    doc.text = text;
                }
            }
        }
        doc.version = version;
        self.touch_uri_str(Some(uri.as_str().to_string()));
    }

    /// A document was saved (files on disk changed; re-check its project).
    pub fn save(&mut self, uri: &Uri, text: Option<String>) {
        if let (Some(doc), Some(text)) = (self.docs.get_mut(uri.as_str()), text) {
            doc.text = text;
        }
        self.touch_uri_str(Some(uri.as_str().to_string()));
    }

    pub fn close(&mut self, uri: &Uri) {
        self.docs.remove(uri.as_str());
        if let Some(key) = self.owner.get(uri.as_str()).cloned() {
            self.dirty.insert(key);
        }
    }

    /// Files changed on disk (watched-files notification): re-check all.
    pub fn files_changed(&mut self) {
        self.dirty.extend(self.projects.keys().cloned());
        self.touch_uri_str(None);
    }

    /// Mark the project of every open document dirty (`None`), or the
    /// project of one URI and the project it was last checked in.
    fn touch_uri_str(&mut self, uri: Option<String>) {
        let uris: Vec<String> = match uri {
            Some(u) => vec![u],
            None => self.docs.keys().cloned().collect(),
        };
        for u in uris {
            if let Some(old) = self.owner.get(&u) {
                self.dirty.insert(old.clone());
            }
            if let Some(doc) = self.docs.get(&u) {
                let key = self.key_for(doc);
                self.dirty.insert(key);
            }
        }
    }

    pub fn is_dirty(&self) -> bool {
        !self.dirty.is_empty() || !self.outbox.is_empty()
    }

    /// The project a URI was checked in, and its file id there.
    pub fn lookup(&self, uri: &Uri) -> Option<(&Project, FileId)> {
        let key = self.owner.get(uri.as_str())?;
        let project = self.projects.get(key)?;
        Some((project, project.file_of(uri)?))
    }

    pub fn projects(&self) -> impl Iterator<Item = &Project> {
        self.projects.values()
    }

    /// The project key of a document: the folder of the nearest `wf.toml`
    /// (on disk or open), else the outermost workspace folder holding it,
    /// else the document alone.
    fn key_for(&self, doc: &Document) -> ProjectKey {
        if let Some(path) = &doc.path {
            if let Some(dir) = path.parent().and_then(|d| self.discover(d)) {
                return ProjectKey::Dir(dir);
            }
            if let Some(root) = self.root_of(path) {
                return ProjectKey::Loose(root.to_path_buf());
            }
        }
        ProjectKey::Single(doc.uri.as_str().to_string())
    }

    /// The outermost workspace folder holding `path` (one project per
    /// file even when folders nest).
    fn root_of(&self, path: &Path) -> Option<&Path> {
        self.roots
            .iter()
            .find(|r| path.starts_with(r) && path != r.as_path())
            .map(PathBuf::as_path)
    }

    fn discover(&self, start: &Path) -> Option<PathBuf> {
        discover_manifest(start, &|p| self.open_path(p).is_some() || p.is_file())
            .and_then(|m| m.parent().map(Path::to_path_buf))
    }

    fn open_path(&self, path: &Path) -> Option<&Document> {
        self.docs.values().find(|d| d.path.as_deref() == Some(path))
    }

    /// Re-check every dirty project; returns the diagnostics to publish.
    pub fn flush(&mut self) -> Vec<PublishDiagnosticsParams> {
        let dirty = std::mem::take(&mut self.dirty);
        for key in dirty {
            self.recheck(key);
        }
        std::mem::take(&mut self.outbox)
    }

    fn recheck(&mut self, key: ProjectKey) {
        let inputs = match &key {
            ProjectKey::Dir(dir) => self.dir_inputs(dir),
            ProjectKey::Loose(root) => self.loose_inputs(root).map(|files| (files, None)),
            ProjectKey::Single(u) => self.docs.get(u).map(|doc| {
                let name = doc
                    .path
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| doc.uri.as_str().to_string());
                let file = (name.clone(), doc.uri.clone(), doc.text.clone().into_bytes());
                (vec![file], None)
            }),
        };
        let Some((files, manifest)) = inputs else {
            self.drop_project(&key);
            return;
        };

        let mut by_name: HashMap<String, Uri> = HashMap::new();
        let mut sources = Vec::with_capacity(files.len());
        for (name, u, bytes) in files {
            by_name.insert(name.clone(), u);
            sources.push(SourceInput::new(name, bytes));
        }
        let manifest_input = manifest.map(|(name, u, bytes)| {
            by_name.insert(name.clone(), u);
            SourceInput::new(name, bytes)
        });
        let cache = self.caches.entry(key.clone()).or_default();
        // Lend the last ASTs back to the cache: unchanged files are not
        // parsed (nor copied) again.
        let mut prior = HashMap::new();
        if let Some(old) = self.projects.remove(&key) {
            let (indexes, comp) = old.retire();
            prior = indexes;
            cache.reclaim(comp);
        }
        let comp = check_cached(sources, manifest_input, cache);

        let uris: Vec<Uri> = comp
            .sources
            .files()
            .filter_map(|(_, src)| by_name.get(&src.name).cloned())
            .collect();
        if uris.len() != comp.sources.len() {
            // Names are unique by construction; never publish to a wrong file.
            return;
        }

        let manifest_ok =
            comp.manifest.is_none() || !comp.diagnostics.iter().any(|d| d.code == Code::WF010);
        #[cfg(test)]
        let comp = {
            let mut comp = comp;
            if let Some(env) = &self.env_override {
                comp.env = env.clone();
            }
            comp
        };
        let env = if manifest_ok {
            self.last_good_env.insert(key.clone(), comp.env.clone());
            comp.env.clone()
        } else {
            self.last_good_env
                .get(&key)
                .cloned()
                .unwrap_or_else(|| comp.env.clone())
        };

        // Diagnostics per file.
        let mut per_file: Vec<Vec<lsp_types::Diagnostic>> = vec![Vec::new(); uris.len()];
        {
            let lookup = |id: FileId| -> Option<(&SourceText, Uri)> {
                Some((comp.sources.get(id)?, uris.get(id as usize)?.clone()))
            };
            for d in &comp.diagnostics {
                if let Some(slot) = per_file.get_mut(d.primary.span.file as usize) {
                    if let Some(ld) = convert::diagnostic(d, &lookup) {
                        slot.push(ld);
                    }
                }
            }
        }

        // Files that left this project (deleted, or moved to another project).
        let now: BTreeSet<String> = uris.iter().map(|u| u.as_str().to_string()).collect();
        let gone: Vec<String> = self
            .owner
            .iter()
            .filter(|(u, k)| **k == key && !now.contains(*u))
            .map(|(u, _)| u.clone())
            .collect();
        for u in gone {
            self.owner.remove(&u);
            self.publish_empty(&u);
        }

        for (u, diags) in uris.iter().zip(per_file) {
            let s = u.as_str().to_string();
            self.owner.insert(s.clone(), key.clone());
            let open = self.docs.get(&s);
            let changed = self.published.get(&s) != Some(&diags);
            let empty_new = diags.is_empty() && !self.published.contains_key(&s);
            if open.is_some() || (changed && !empty_new) {
                self.outbox.push(PublishDiagnosticsParams {
                    uri: u.clone(),
                    diagnostics: diags.clone(),
                    version: open.map(|d| d.version),
                });
            }
            self.published.insert(s, diags);
        }

        self.projects.insert(
            key.clone(),
            Project {
                key,
                comp,
                uris,
                env,
                indexes: OnceCell::new(),
                prior: RefCell::new(prior),
            },
        );
    }

    fn publish_empty(&mut self, u: &str) {
        if let Some(prev) = self.published.remove(u) {
            if let Ok(parsed) = u.parse::<Uri>() {
                if !prev.is_empty() || self.docs.contains_key(u) {
                    self.outbox.push(PublishDiagnosticsParams {
                        uri: parsed,
                        diagnostics: Vec::new(),
                        version: None,
                    });
                }
            }
        }
    }

    fn drop_project(&mut self, key: &ProjectKey) {
        self.projects.remove(key);
        self.last_good_env.remove(key);
        self.caches.remove(key);
        let gone: Vec<String> = self
            .owner
            .iter()
            .filter(|(_, k)| *k == key)
            .map(|(u, _)| u.clone())
            .collect();
        for u in gone {
            self.owner.remove(&u);
            self.publish_empty(&u);
        }
        // Open documents that were in it now belong elsewhere.
        let keys: Vec<ProjectKey> = self.docs.values().map(|d| self.key_for(d)).collect();
        for k in keys {
            if !self.projects.contains_key(&k) && &k != key {
                self.recheck(k);
            }
        }
    }

    /// The inputs of a folder project: every `.wf` below it (open buffers
    /// first, then disk), and the manifest. `None` when the manifest is gone.
    #[allow(clippy::type_complexity)]
    fn dir_inputs(
        &mut self,
        dir: &Path,
    ) -> Option<(Vec<(String, Uri, Vec<u8>)>, Option<(String, Uri, Vec<u8>)>)> {
        let manifest_path = dir.join(MANIFEST);
        let manifest = match self.open_path(&manifest_path) {
            Some(doc) => Some((doc.uri.clone(), doc.text.clone().into_bytes())),
            None => self
                .read_disk(&manifest_path)
                .and_then(|b| Some((uri::from_path(&manifest_path)?, b))),
        }?;

        // The same files `wfc check` would read there (a folder that cannot
        // be read contributes nothing rather than stopping the server):
        // every `.wf` below, except those of a nested folder with its own
        // `wf.toml`, which form a project of their own.
        let mut paths: BTreeSet<PathBuf> = crate::project::collect_dir(dir)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.parent().and_then(|d| self.discover(d)).as_deref() == Some(dir))
            .collect();
        for doc in self.docs.values() {
            if let Some(p) = &doc.path {
                if p.starts_with(dir)
                    && p != &manifest_path
                    && self.key_for(doc) == ProjectKey::Dir(dir.to_path_buf())
                {
                    paths.insert(p.clone());
                }
            }
        }
        let files = self.read_inputs(dir, paths);
        let mname = relative_name(dir, &manifest_path);
        Some((files, Some((mname, manifest.0, manifest.1))))
    }

    /// The inputs of a workspace folder with no manifest: every `.wf` below
    /// it with no `wf.toml` around it (open buffers first, then disk), as
    /// `wfc check` run there with no path groups them. `None` when the
    /// folder is no longer a workspace folder or no such file is left.
    fn loose_inputs(&mut self, root: &Path) -> Option<Vec<(String, Uri, Vec<u8>)>> {
        if !self.roots.iter().any(|r| r == root) {
            return None;
        }
        let key = ProjectKey::Loose(root.to_path_buf());
        let this = &*self;
        // Whether a folder has no manifest around it, asked once per folder.
        let mut loose_dir: HashMap<PathBuf, bool> = HashMap::new();
        let mut paths: BTreeSet<PathBuf> = crate::project::collect_dir(root)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                let Some(d) = p.parent() else {
                    return false;
                };
                *loose_dir
                    .entry(d.to_path_buf())
                    .or_insert_with(|| this.discover(d).is_none())
            })
            .collect();
        for doc in this.docs.values() {
            if let Some(p) = &doc.path {
                if this.key_for(doc) == key {
                    paths.insert(p.clone());
                }
            }
        }
        let files = self.read_inputs(root, paths);
        (!files.is_empty()).then_some(files)
    }

    /// Name, URI and bytes of each path (an open buffer, else the file on
    /// disk; a file that cannot be read is left out), named relative to `base`.
    fn read_inputs(
        &mut self,
        base: &Path,
        paths: BTreeSet<PathBuf>,
    ) -> Vec<(String, Uri, Vec<u8>)> {
        let mut files = Vec::with_capacity(paths.len());
        for p in paths {
            let name = relative_name(base, &p);
            if let Some(doc) = self.open_path(&p) {
                files.push((name, doc.uri.clone(), doc.text.clone().into_bytes()));
            } else if let (Some(bytes), Some(u)) = (self.read_disk(&p), uri::from_path(&p)) {
                files.push((name, u, bytes));
            }
        }
        files
    }

    /// Read a file through the cache (re-read when its size or mtime changed).
    /// `None` when it cannot be read (vanished, unreadable).
    fn read_disk(&mut self, path: &Path) -> Option<Vec<u8>> {
        let Ok(meta) = std::fs::metadata(path) else {
            self.disk.remove(path);
            return None;
        };
        let stamp = (meta.modified().ok(), meta.len());
        if let Some(e) = self.disk.get(path) {
            if e.stamp == stamp {
                return Some(e.bytes.clone());
            }
        }
        let bytes = crate::project::read_file(path).ok()?;
        self.disk.insert(
            path.to_path_buf(),
            DiskEntry {
                stamp,
                bytes: bytes.clone(),
            },
        );
        Some(bytes)
    }
}

/// A file's name as `wfc check` run in the project folder would show it.
fn relative_name(dir: &Path, p: &Path) -> String {
    crate::project::display_name(p, dir)
}

/// The nearest `wf.toml` in `start` or its parents, like
/// [`crate::project::discover`] but also counting an open (maybe unsaved)
/// `wf.toml` buffer.
fn discover_manifest(start: &Path, exists: &dyn Fn(&Path) -> bool) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(MANIFEST);
        if exists(&candidate) {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn indexes_of_unchanged_files_carry_over_and_edited_ones_are_rebuilt() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(MANIFEST), "").expect("write");
        let a_text = "workflow \"A\" for contact {\n}\n";
        std::fs::write(dir.path().join("a.wf"), a_text).expect("write");
        std::fs::write(dir.path().join("b.wf"), "workflow \"B\" for contact {\n}\n")
            .expect("write");
        let uri = Uri::from_str(&format!("file://{}/a.wf", dir.path().display())).expect("uri");
        let mut ws = Workspace::new();
        ws.open(uri.clone(), 1, a_text.to_string());
        ws.flush();
        let names = |ws: &Workspace| -> Vec<String> {
            let (project, _) = ws.lookup(&uri).expect("checked");
            project
                .indexes()
                .iter()
                .flat_map(|i| i.workflows.iter().map(|w| w.name.name.clone()))
                .collect()
        };
        assert_eq!(names(&ws), ["A", "B"]);

        let edit = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: a_text.replace("\"A\"", "\"A2\""),
        };
        ws.change(&uri, 2, vec![edit]);
        ws.flush();
        {
            let (project, _) = ws.lookup(&uri).expect("checked");
            let prior = project.prior.borrow();
            assert_eq!(prior.len(), 2, "a.wf and b.wf carried over");
        }
        assert_eq!(names(&ws), ["A2", "B"], "the edited file is rebuilt");
        let (project, _) = ws.lookup(&uri).expect("checked");
        assert!(project.prior.borrow().is_empty());
    }

    /// A workspace folder without `wf.toml` is one project with its own
    /// parse cache: after an edit only the edited file is parsed again, and
    /// files outside the folder stay on their own.
    #[test]
    fn a_loose_folder_project_reparses_only_the_edited_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("ws");
        std::fs::create_dir(&root).expect("mkdir");
        let a_text = "workflow \"A\" for contact {\n  enroll in \"B\"\n}\n";
        for (name, text) in [
            ("a.wf", a_text),
            ("b.wf", "workflow \"B\" for contact {\n}\n"),
            ("c.wf", "workflow \"C\" for contact {\n}\n"),
        ] {
            std::fs::write(root.join(name), text).expect("write");
        }
        let uri = uri::from_path(&root.join("a.wf")).expect("uri");
        let mut ws = Workspace::new();
        ws.set_roots(vec![root.clone()]);
        ws.open(uri.clone(), 1, a_text.to_string());
        ws.flush();
        let key = ProjectKey::Loose(root.clone());
        let (project, _) = ws.lookup(&uri).expect("checked");
        assert_eq!(project.key, key);
        assert_eq!(project.comp.sources.len(), 3);
        assert!(project.comp.diagnostics.is_empty(), "B is in b.wf");
        assert_eq!(ws.caches[&key].last_parsed(), 3);

        let edit = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: a_text.replace("\"B\"", "\"D\""),
        };
        ws.change(&uri, 2, vec![edit]);
        ws.flush();
        assert_eq!(ws.caches[&key].last_parsed(), 1);
        let (project, _) = ws.lookup(&uri).expect("checked");
        let codes: Vec<Code> = project.comp.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::WF103]);

        // Outside every workspace folder: alone.
        let out = tmp.path().join("x.wf");
        let x = uri::from_path(&out).expect("uri");
        ws.open(x.clone(), 1, a_text.to_string());
        ws.flush();
        let (project, _) = ws.lookup(&x).expect("checked");
        assert_eq!(project.key, ProjectKey::Single(x.as_str().to_string()));
    }
}
