//! Which files form a project: nested `wf.toml` files and workspace
//! folders without one.

use serde_json::{json, Value};

use super::*;

/// A folder with its own `wf.toml` inside a project is a project of its
/// own, as for `wfc check`: the same workflow name in both is no WF106, and
/// each file is checked against its nearest manifest.
#[test]
fn a_nested_wf_toml_is_a_project_of_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "wf.toml",
        "[account]\nmarketing = \"enterprise\"\n",
    );
    let text = "workflow \"Same\" for contact {\n  send email \"Welcome\"\n}\n";
    let a = write(dir.path(), "a.wf", text);
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let sub = dir.path().join("sub");
    write(
        &sub,
        "wf.toml",
        "[account]\nmarketing = \"starter\"\nsales = \"professional\"\n",
    );
    let b = write(&sub, "b.wf", text);

    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("run wfc check");
    let json: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json array");
    let cli: Vec<(String, String)> = json
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(cli, [("sub/b.wf".to_string(), "WF301".to_string())]);

    let mut s = Server::start();
    s.initialize();
    s.open(&a, text);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    assert!(!p.contains_key(&b), "{p:?}");
    s.open(&b, text);
    let p = s.published(&b);
    assert_eq!(codes(&p[&b]), ["WF301"], "{p:?}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// A workspace folder with no `wf.toml`: its `.wf` files form one project,
/// as for `wfc check` run there with no path (`enroll in` resolves across
/// them; a nested folder with its own `wf.toml` is a project of its own; a
/// file outside the folder is checked alone). What is published equals
/// `wfc check --format json`; removing the folder (workspace folder change)
/// leaves its files on their own.
#[test]
fn a_workspace_folder_without_wf_toml_is_one_project() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("ws");
    let sub = root.join("sub");
    let out = tmp.path().join("out");
    for d in [&root, &sub, &out] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let a_text = "workflow \"A\" for contact {\n  delay 1d\n  enroll in \"B\"\n}\n";
    let b_text = "workflow \"B\" for contact {\n  delay 1d\n}\n";
    let a = write(&root, "a.wf", a_text);
    let b = write(&root, "b.wf", b_text);
    write(&sub, "wf.toml", "[account]\nmarketing = \"professional\"\n");
    // Same name as a.wf (no WF106: another project), B not there (WF103).
    let s_uri = write(&sub, "s.wf", a_text);
    // Outside the workspace folder: alone, B unknown.
    let x = write(&out, "x.wf", a_text);
    let root_uri = file_uri(&root);

    let mut s = Server::start();
    s.result(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    s.open(&a, a_text);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "B is found in b.wf: {p:?}");
    assert!(!p.contains_key(&b), "a clean closed file: {p:?}");

    // Rename B in the open b.wf: a.wf (open) gets WF103, without an edit of its own.
    s.open(&b, b_text);
    let renamed = b_text.replace("\"B\"", "\"C\"");
    s.change(&b, 2, &renamed);
    let p = s.published(&b);
    assert_eq!(codes(&p[&a]), ["WF103"], "{p:?}");
    assert_eq!(p.get(&b), Some(&vec![]), "{p:?}");
    let (l, c) = find(a_text, "\"B\"", 0);
    assert_eq!(p[&a][0]["range"]["start"], pos(l, c));

    // The nested project and the outside file.
    s.open(&s_uri, a_text);
    s.open(&x, a_text);
    let p2 = s.published(&x);
    assert_eq!(codes(&p2[&s_uri]), ["WF103"], "{p2:?}");
    assert_eq!(codes(&p2[&x]), ["WF103"], "{p2:?}");

    // Parity with `wfc check --format json` in the folder (b.wf saved).
    std::fs::write(root.join("b.wf"), &renamed).expect("write");
    s.notify("textDocument/didSave", json!({"textDocument": {"uri": b}}));
    let mut state = p;
    state.extend(p2);
    state.extend(s.published(&a));
    let run = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json"])
        .current_dir(&root)
        .output()
        .expect("run wfc check");
    assert_eq!(run.status.code(), Some(1));
    let json: Vec<Value> = serde_json::from_slice(&run.stdout).expect("json array");
    // (file, code, line, column, message); the texts are ASCII.
    let mut want: Vec<(String, String, u64, u64, String)> = json
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0).saturating_sub(1),
                d["column"].as_u64().unwrap_or(0).saturating_sub(1),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(
        want.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
        ["a.wf", "sub/s.wf"],
        "{want:?}"
    );
    let names = [(&a, "a.wf"), (&b, "b.wf"), (&s_uri, "sub/s.wf")];
    let mut got: Vec<(String, String, u64, u64, String)> = Vec::new();
    for (uri, name) in names {
        for d in state.get(uri.as_str()).into_iter().flatten() {
            let full = d["message"].as_str().unwrap_or("");
            got.push((
                name.to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(99),
                d["range"]["start"]["character"].as_u64().unwrap_or(99),
                full.split('\n').next().unwrap_or("").to_string(),
            ));
        }
    }
    got.sort();
    assert_eq!(got, want);

    // Undo the rename, then take the folder out of the workspace: a.wf is
    // then checked alone, where B is unknown; put it back: found again.
    s.change(&b, 3, b_text);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    let folder = json!([{"uri": root_uri, "name": "ws"}]);
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": folder}}),
    );
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF103"], "{p:?}");
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": folder, "removed": []}}),
    );
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}
