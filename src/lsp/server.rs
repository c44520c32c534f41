//! The main loop: one thread, messages handled strictly in order.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CompletionOptions, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, HoverParams,
    HoverProviderCapability, InitializeParams, OneOf, ReferenceParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::convert;
use super::uri;
use super::workspace::Workspace;
use super::{completion, hover, navigation};
use super::{edits, semantic};

/// How the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt,
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into(), " ".into(), "{".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(lsp_types::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        semantic_tokens_provider: Some(
            lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp_types::SemanticTokensOptions {
                    legend: semantic::legend(),
                    full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: Default::default(),
                },
            ),
        ),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Options(
            lsp_types::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp_types::CodeActionKind::QUICKFIX,
                    lsp_types::CodeActionKind::new(super::actions::FIX_ALL),
                ]),
                ..lsp_types::CodeActionOptions::default()
            },
        )),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

struct Server<'c> {
    conn: &'c Connection,
    ws: Workspace,
    initialized: bool,
    shutdown: bool,
    watch_files: bool,
    next_id: i32,
}

/// Serve one client until `exit` or end of input.
pub fn serve(conn: &Connection) -> Ended {
    let mut s = Server {
        conn,
        ws: Workspace::new(),
        initialized: false,
        shutdown: false,
        watch_files: false,
        next_id: 1,
    };
    loop {
        let Ok(msg) = conn.receiver.recv() else {
            return Ended::Abrupt;
        };
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let method = req.method.clone();
                let resp = catch_unwind(AssertUnwindSafe(|| s.request(req))).unwrap_or_else(|_| {
                    eprintln!("wfc lsp: internal error handling `{method}`");
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("internal error handling `{method}`"),
                    )
                });
                s.send(resp.into());
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return if s.shutdown {
                        Ended::Clean
                    } else {
                        Ended::Abrupt
                    };
                }
                let method = n.method.clone();
                if catch_unwind(AssertUnwindSafe(|| s.notification(n))).is_err() {
                    eprintln!("wfc lsp: internal error handling `{method}`");
                }
            }
            Message::Response(_) => {} // answers to our registration request
        }
        // Debounce: re-check only once the queue of pending messages is
        // drained, so a burst of edits costs one check.
        if s.ws.is_dirty() && conn.receiver.is_empty() {
            s.publish();
        }
    }
}

impl Server<'_> {
    fn send(&self, msg: Message) {
        let _ = self.conn.sender.send(msg);
    }

    fn publish(&mut self) {
        let ws = &mut self.ws;
        match catch_unwind(AssertUnwindSafe(|| ws.flush())) {
            Ok(list) => {
                for p in list {
                    self.send(
                        Notification::new("textDocument/publishDiagnostics".into(), p).into(),
                    );
                }
            }
            Err(_) => eprintln!("wfc lsp: internal error while checking"),
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        if req.method == "initialize" {
            if self.initialized {
                return err(id, ErrorCode::InvalidRequest, "server already initialized");
            }
            self.initialized = true;
            self.ws.set_roots(workspace_roots(&req.params));
            let params: Option<InitializeParams> = serde_json::from_value(req.params).ok();
            self.watch_files = params
                .as_ref()
                .and_then(|p| p.capabilities.workspace.as_ref())
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false);
            let result = lsp_types::InitializeResult {
                capabilities: capabilities(),
                server_info: Some(ServerInfo {
                    name: "wfc".into(),
                    version: Some(env!("CARGO_PKG_VERSION").into()),
                }),
            };
            return Response::new_ok(id, result);
        }
        if !self.initialized {
            return err(
                id,
                ErrorCode::ServerNotInitialized,
                "server not initialized",
            );
        }
        if self.shutdown {
            return err(id, ErrorCode::InvalidRequest, "server is shutting down");
        }
        if req.method == "shutdown" {
            self.shutdown = true;
            return Response::new_ok(id, Value::Null);
        }
        // Answer on the latest text: check pending edits first.
        if self.ws.is_dirty() {
            self.publish();
        }
        match req.method.as_str() {
            "textDocument/hover" => with_params(id, req.params, |p: HoverParams| {
                let tp = p.text_document_position_params;
                let (project, file, offset) = self.locate(&tp)?;
                hover::hover(project, file, offset)
            }),
            "textDocument/completion" => {
                with_params(id, req.params, |p: lsp_types::CompletionParams| {
                    let (project, file, offset) = self.locate(&p.text_document_position)?;
                    Some(completion::completion(project, file, offset))
                })
            }
            "textDocument/definition" => with_params(id, req.params, |p: GotoDefinitionParams| {
                let (project, file, offset) = self.locate(&p.text_document_position_params)?;
                let locs = navigation::definition(project, file, offset);
                (!locs.is_empty()).then_some(GotoDefinitionResponse::Array(locs))
            }),
            "textDocument/references" => with_params(id, req.params, |p: ReferenceParams| {
                let (project, file, offset) = self.locate(&p.text_document_position)?;
                Some(navigation::references(
                    project,
                    file,
                    offset,
                    p.context.include_declaration,
                ))
            }),
            "textDocument/documentSymbol" => {
                with_params(id, req.params, |p: DocumentSymbolParams| {
                    let (project, file) = self.ws.lookup(&p.text_document.uri)?;
                    Some(DocumentSymbolResponse::Nested(
                        navigation::document_symbols(project, file),
                    ))
                })
            }
            "textDocument/formatting" => {
                with_params(id, req.params, |p: lsp_types::DocumentFormattingParams| {
                    let (project, file) = self.ws.lookup(&p.text_document.uri)?;
                    Some(edits::formatting(project, file))
                })
            }
            "textDocument/rangeFormatting" => with_params(
                id,
                req.params,
                |p: lsp_types::DocumentRangeFormattingParams| {
                    let (project, file) = self.ws.lookup(&p.text_document.uri)?;
                    Some(edits::range_formatting(project, file, p.range))
                },
            ),
            "textDocument/prepareRename" => {
                let params = serde_json::from_value::<TextDocumentPositionParams>(req.params);
                match params {
                    Ok(p) => match self.locate(&p) {
                        Some((project, file, offset)) => {
                            match edits::prepare_rename(project, file, offset) {
                                Ok(r) => Response::new_ok(id, r),
                                Err(m) => err(id, ErrorCode::RequestFailed, &m),
                            }
                        }
                        None => Response::new_ok(id, Value::Null),
                    },
                    Err(e) => err(
                        id,
                        ErrorCode::InvalidParams,
                        &format!("invalid params: {e}"),
                    ),
                }
            }
            "textDocument/rename" => {
                match serde_json::from_value::<lsp_types::RenameParams>(req.params) {
                    Ok(p) => match self.locate(&p.text_document_position) {
                        Some((project, file, offset)) => {
                            match edits::rename(project, file, offset, &p.new_name) {
                                Ok(r) => Response::new_ok(id, r),
                                Err(m) => err(id, ErrorCode::RequestFailed, &m),
                            }
                        }
                        None => Response::new_ok(id, Value::Null),
                    },
                    Err(e) => err(
                        id,
                        ErrorCode::InvalidParams,
                        &format!("invalid params: {e}"),
                    ),
                }
            }
            "textDocument/semanticTokens/full" => {
                with_params(id, req.params, |p: lsp_types::SemanticTokensParams| {
                    let (project, file) = self.ws.lookup(&p.text_document.uri)?;
                    let data = semantic::tokens(project.source(file)?);
                    Some(lsp_types::SemanticTokensResult::Tokens(
                        lsp_types::SemanticTokens {
                            result_id: None,
                            data,
                        },
                    ))
                })
            }
            "textDocument/codeAction" => {
                with_params(id, req.params, |p: lsp_types::CodeActionParams| {
                    let (project, file) = self.ws.lookup(&p.text_document.uri)?;
                    let only = p.context.only.as_deref();
                    let uri = &p.text_document.uri;
                    Some(super::actions::code_actions(
                        project, file, uri, p.range, only,
                    ))
                })
            }
            other => err(
                id,
                ErrorCode::MethodNotFound,
                &format!("method `{other}` is not supported"),
            ),
        }
    }

    fn locate(
        &self,
        tp: &TextDocumentPositionParams,
    ) -> Option<(&super::workspace::Project, crate::source::FileId, usize)> {
        let (project, file) = self.ws.lookup(&tp.text_document.uri)?;
        let src = project.source(file)?;
        Some((project, file, convert::offset(src, tp.position)))
    }

    fn notification(&mut self, n: Notification) {
        if !self.initialized {
            return; // dropped, as the protocol asks
        }
        match n.method.as_str() {
            "initialized" if self.watch_files => self.register_watchers(),
            "textDocument/didOpen" => {
                if let Some(p) = params::<DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.ws.open(d.uri, d.version, d.text);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = params::<DidChangeTextDocumentParams>(n.params) {
                    self.ws.change(
                        &p.text_document.uri,
                        p.text_document.version,
                        p.content_changes,
                    );
                }
            }
            "textDocument/didSave" => {
                if let Some(p) = params::<DidSaveTextDocumentParams>(n.params) {
                    self.ws.save(&p.text_document.uri, p.text);
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = params::<DidCloseTextDocumentParams>(n.params) {
                    self.ws.close(&p.text_document.uri);
                }
            }
            "workspace/didChangeWatchedFiles" => self.ws.files_changed(),
            "workspace/didChangeWorkspaceFolders" => {
                let event = &n.params["event"];
                let removed = folder_paths(&event["removed"]);
                let mut roots: Vec<std::path::PathBuf> = self
                    .ws
                    .roots()
                    .iter()
                    .filter(|r| !removed.contains(r))
                    .cloned()
                    .collect();
                roots.extend(folder_paths(&event["added"]));
                self.ws.set_roots(roots);
            }
            _ => {} // `$/cancelRequest`, `$/setTrace`, ...: nothing to do
        }
    }

    fn register_watchers(&mut self) {
        let id = RequestId::from(format!("wfc-watch-{}", self.next_id));
        self.next_id += 1;
        let params = json!({
            "registrations": [{
                "id": "wfc-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {
                    "watchers": [ { "globPattern": "**/*.wf" }, { "globPattern": "**/wf.toml" } ]
                }
            }]
        });
        self.send(Request::new(id, "client/registerCapability".into(), params).into());
    }
}

/// The workspace folders of initialize's params: `workspaceFolders`, else
/// `rootUri`, else the deprecated `rootPath` (only local `file:` folders).
fn workspace_roots(params: &Value) -> Vec<std::path::PathBuf> {
    let folders = folder_paths(&params["workspaceFolders"]);
    if !folders.is_empty() {
        return folders;
    }
    if let Some(p) = params["rootUri"].as_str().and_then(path_of_uri) {
        return vec![p];
    }
    params["rootPath"]
        .as_str()
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .into_iter()
        .collect()
}

/// The local paths of a JSON array of `WorkspaceFolder`s.
fn folder_paths(v: &Value) -> Vec<std::path::PathBuf> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["uri"].as_str().and_then(path_of_uri))
        .map(|p| p.components().collect())
        .collect()
}

fn path_of_uri(s: &str) -> Option<std::path::PathBuf> {
    uri::to_path(&s.parse::<lsp_types::Uri>().ok()?)
}

fn params<P: DeserializeOwned>(v: Value) -> Option<P> {
    match serde_json::from_value(v) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("wfc lsp: ignoring notification with invalid params: {e}");
            None
        }
    }
}

fn err(id: RequestId, code: ErrorCode, message: &str) -> Response {
    Response::new_err(id, code as i32, message.to_string())
}

/// Decode the params (InvalidParams when they do not fit), run `f`, answer
/// with its result (`null` for `None`).
fn with_params<P: DeserializeOwned, R: serde::Serialize>(
    id: RequestId,
    v: Value,
    f: impl FnOnce(P) -> Option<R>,
) -> Response {
    match serde_json::from_value::<P>(v) {
        Ok(p) => match f(p) {
            Some(r) => Response::new_ok(id, r),
            None => Response::new_ok(id, Value::Null),
        },
        Err(e) => err(
            id,
            ErrorCode::InvalidParams,
            &format!("invalid params: {e}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(id: i32, method: &str, params: Value) -> Message {
        Request::new(RequestId::from(id), method.into(), params).into()
    }

    fn note(method: &str, params: Value) -> Message {
        Notification::new(method.into(), params).into()
    }

    #[test]
    fn a_burst_of_edits_is_checked_once_and_in_order() {
        let (server, client) = Connection::memory();
        let uri = "untitled:burst.wf";
        let mut queue = vec![
            req(1, "initialize", json!({"capabilities": {}})),
            note("initialized", json!({})),
            note(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "wf", "version": 1, "text": ""}}),
            ),
        ];
        let mut text = String::new();
        for v in 2..=21 {
            text.push_str("workflow \"A\" for contact {\n}\n");
            queue.push(note(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": text}]}),
            ));
        }
        queue.push(req(
            2,
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        ));
        queue.push(req(3, "shutdown", Value::Null));
        queue.push(note("exit", Value::Null));
        for m in queue {
            client.sender.send(m).unwrap();
        }
        assert_eq!(serve(&server), Ended::Clean);
        drop(server);
        let out: Vec<Message> = client.receiver.try_iter().collect();
        let publishes: Vec<&Notification> = out
            .iter()
            .filter_map(|m| match m {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    Some(n)
                }
                _ => None,
            })
            .collect();
        assert_eq!(publishes.len(), 1, "{out:?}");
        assert_eq!(publishes[0].params["version"], 21);
        // The symbols answer sees the last edit: 20 workflows.
        let symbols = out.iter().find_map(|m| match m {
            Message::Response(r) if r.id == RequestId::from(2) => r.response_result.clone().ok(),
            _ => None,
        });
        assert_eq!(symbols.and_then(|s| s.as_array().map(Vec::len)), Some(20));
    }
}
