//! Published diagnostics: what `wfc check` reports, kept up to date
//! through edits of buffers, files on disk and `wf.toml`.

use serde_json::{json, Value};

use super::*;

/// A wf.toml project: a file on disk that is not UTF-8 gives WF002 (at the
/// bad byte, after non-ASCII text); the open buffer overrides the disk; a
/// file that vanishes gets an empty list.
#[test]
fn project_diagnostics_follow_buffers_and_disk() {
    let mut s = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\nsales = \"enterprise\"\nservice = \"enterprise\"\n",
    )
    .expect("write");
    let good = "workflow \"Welcome\" for contact {\n  delay 1d\n}\n";
    std::fs::write(dir.path().join("a.wf"), good).expect("write");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let bad_path = dir.path().join("sub").join("bad.wf");
    let mut bad = "# é😀 ".as_bytes().to_vec();
    bad.push(0xff);
    bad.extend_from_slice(b"\n");
    std::fs::write(&bad_path, &bad).expect("write");

    let a = file_uri(&dir.path().join("a.wf"));
    let b = file_uri(&bad_path);
    s.initialize();
    s.open(&a, good);
    assert!(s.diagnostics(&a).is_empty());
    let d = s.diagnostics(&b);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "WF002");
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[0]["source"], "wfc");
    // `# é😀 ` is 6 UTF-16 units (é: 1, 😀: 2) but 9 bytes.
    assert_eq!(d[0]["range"]["start"], pos(0, 6), "{}", d[0]);
    assert!(d[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("help: save the file as UTF-8"));
    // No docs URL configured in this build: no link (never a path on the
    // build machine); `wfc explain WF002` has the text.
    assert!(d[0].get("codeDescription").is_none(), "{}", d[0]);

    // The buffer wins over the disk.
    s.open(
        &b,
        "# é😀 fixed\nworkflow \"Fixed\" for contact {\n  delay 1d\n}\n",
    );
    assert!(s.diagnostics(&b).is_empty());
    // Closed: the disk's text again.
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": b}}));
    assert_eq!(s.diagnostics(&b).len(), 1);
    // Deleted from disk: cleared.
    std::fs::remove_file(&bad_path).expect("rm");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": b, "type": 3}]}),
    );
    assert!(s.diagnostics(&b).is_empty());
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// A checker error (WF101, after non-ASCII text on its line) is published
/// with its UTF-16 range and help, then cleared by the fix.
#[test]
fn checker_error_is_published_then_cleared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "workflow \"Wel😀come\" for contact {\n  if firstname is \"é😀\" and lastnme is known {\n    delay 1d\n  }\n}\n";
    let uri = write(dir.path(), "w.wf", text);
    let mut s = Server::start();
    s.initialize();
    s.open(&uri, text);
    let d = s.diagnostics(&uri);
    assert_eq!(codes(&d), ["WF101"], "{d:?}");
    let (l, c) = find(text, "lastnme", 0);
    // `  if firstname is "é😀" and ` is 27 chars but 28 UTF-16 units.
    assert_eq!(c, 28);
    assert_eq!(
        d[0]["range"],
        json!({"start": pos(l, c), "end": pos(l, c + 7)})
    );
    let msg = d[0]["message"].as_str().unwrap_or("");
    assert!(msg.contains("did you mean `lastname`?"), "{msg}");

    s.change(&uri, 2, &text.replace("lastnme", "lastname"));
    let v = s.wait_for(|v| {
        v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri.as_str()
    });
    assert_eq!(v["params"]["diagnostics"], json!([]), "{v}");
    assert_eq!(v["params"]["version"], 2);
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// Renaming a workflow in file A flags the `enroll in` of file B, whether B
/// is only on disk or open; renaming it back clears B.
#[test]
fn renaming_a_workflow_flags_enroll_in_in_another_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\n",
    )
    .expect("write");
    let target = "workflow \"Onboarding\" for contact {\n  delay 1d\n}\n";
    let caller = "workflow \"Caller 😀\" for contact {\n  enroll in \"Onboarding\"\n}\n";
    let a = write(dir.path(), "a.wf", target);
    let b = write(dir.path(), "b.wf", caller);
    let mut s = Server::start();
    s.initialize();
    s.open(&a, target);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    assert!(
        !p.contains_key(&b),
        "a clean closed file is not published: {p:?}"
    );

    // B on disk only.
    let renamed = target.replace("Onboarding", "Welcome");
    s.change(&a, 2, &renamed);
    let p = s.published(&a);
    let d = p.get(&b).cloned().unwrap_or_default();
    assert_eq!(codes(&d), ["WF103"], "{p:?}");
    let (l, c) = find(caller, "\"Onboarding\"", 0);
    assert_eq!(d[0]["range"]["start"], pos(l, c));
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Onboarding"),
        "{}",
        d[0]
    );
    s.change(&a, 3, target);
    let p = s.published(&a);
    assert_eq!(p.get(&b), Some(&vec![]), "cleared: {p:?}");

    // B open.
    s.open(&b, caller);
    s.change(&a, 4, &renamed);
    let p = s.published(&a);
    assert_eq!(codes(&p[&b]), ["WF103"], "{p:?}");
    s.change(&a, 5, target);
    let p = s.published(&a);
    assert_eq!(p.get(&b), Some(&vec![]), "{p:?}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// Editing `wf.toml` (open buffer, then on disk) re-checks every file of
/// the project; a broken manifest gives WF010 on the manifest.
#[test]
fn editing_wf_toml_rechecks_the_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml = "[account]\nmarketing = \"enterprise\"\nsales = \"professional\"\n\n[resources]\nemails = [\"Welcome #1\"]\n";
    let m = write(dir.path(), "wf.toml", toml);
    let text = "workflow \"W\" for contact {\n  send email \"Welcome #1\"\n}\n";
    let a = write(dir.path(), "a.wf", text);
    let mut s = Server::start();
    s.initialize();
    s.open(&a, text);
    assert!(s.diagnostics(&a).is_empty());

    // Open the manifest and lower the tier: `send email` needs marketing professional.
    s.open(&m, toml);
    s.change(&m, 2, &toml.replace("enterprise", "starter"));
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF301"], "{p:?}");
    // Another email list: WF107 instead.
    s.change(&m, 3, &toml.replace("Welcome #1", "Welcome #2"));
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF107"], "{p:?}");
    // A half-typed manifest: WF010 on it, no cascade in the `.wf` file.
    s.change(&m, 4, "[account\n");
    let p = s.published(&a);
    assert_eq!(codes(&p[&m]), ["WF010"], "{p:?}");
    assert!(p.get(&a).is_none_or(Vec::is_empty), "{p:?}");
    s.change(&m, 5, toml);
    let p = s.published(&a);
    assert_eq!(p.get(&m), Some(&vec![]), "{p:?}");
    assert!(p.get(&a).is_none_or(Vec::is_empty), "{p:?}");
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": m}}));

    // On disk, announced by a watched-files notification.
    std::fs::write(
        dir.path().join("wf.toml"),
        toml.replace("enterprise", "starter"),
    )
    .expect("write");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": m, "type": 2}]}),
    );
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF301"], "{p:?}");
    // The manifest vanishes: the file is checked on its own (unrestricted).
    std::fs::remove_file(dir.path().join("wf.toml")).expect("rm");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": m, "type": 3}]}),
    );
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    // And the open file vanishes too: still served.
    std::fs::remove_file(dir.path().join("a.wf")).expect("rm");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": a, "type": 3}]}),
    );
    let (l, c) = find(text, "send email", 2);
    let h = s.result("textDocument/hover", doc_pos(&a, l, c));
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .contains("marketing professional"));
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// What the server publishes for a project equals what `wfc check --format
/// json` reports on the same files: codes, severities, messages and help,
/// and positions (JSON: 1-based lines and Unicode-character columns; LSP:
/// 0-based lines and UTF-16 columns; non-ASCII text before the errors).
#[test]
fn published_diagnostics_equal_wfc_check_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        (
            "wf.toml",
            "[account]\nmarketing = \"starter\"\nsales = \"enterprise\"\n\n[resources]\nlists = [\"Hot leads\"]\n",
        ),
        (
            "a.wf",
            "workflow \"Ünïcode 😀\" for contact {\n  set firstname = \"😀😀\"\n  set jobtitel = \"é\"\n  add to list \"Cold 🧊 leads\"\n  send email \"Welcome\"\n  webhook post \"http://example.com/😀\"\n}\n",
        ),
        (
            "b.wf",
            "# 😀 comment\nworkflow \"Broken\" for contact {\n  set firstname = \"😀\" \"x\"\n}\nworkflow \"Deal 😀\" for deal {\n  if amount > 10 and dealstage is \"nope 😀\" {\n    delay 1d\n  } else {\n    goto nowhere\n  }\n}\n",
        ),
        (
            "c.wf",
            "workflow \"Caller\" for contact {\n  enroll in \"Ünïcode 😁\"\n  enroll in \"Deal 😀\"\n  delay until form \"Demo\" submitted\n  delay 1d\n}\n",
        ),
    ];
    let mut uris = std::collections::BTreeMap::new();
    for (name, text) in files {
        uris.insert(write(dir.path(), name, text), (name, text));
    }
    let text_of = |name: &str| {
        files
            .iter()
            .find(|f| f.0 == name)
            .map(|f| f.1)
            .unwrap_or("")
    };

    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("run wfc check");
    assert_eq!(out.status.code(), Some(1));
    let json: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json array");
    // (file, code, severity, start, end, message, help)
    type Row = (
        String,
        String,
        u64,
        (u64, u64),
        (u64, u64),
        String,
        Option<String>,
    );
    let mut want: Vec<Row> = json
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("").to_string();
            let text = text_of(&file);
            let n = |k: &str| d[k].as_u64().unwrap_or(0);
            (
                file,
                d["code"].as_str().unwrap_or("").to_string(),
                if d["severity"] == "error" { 1 } else { 2 },
                (n("line") - 1, utf16_col(text, n("line"), n("column"))),
                (
                    n("end_line") - 1,
                    utf16_col(text, n("end_line"), n("end_column")),
                ),
                d["message"].as_str().unwrap_or("").to_string(),
                d["help"].as_str().map(str::to_string),
            )
        })
        .collect();
    want.sort();
    let got_codes: std::collections::BTreeSet<&str> = want.iter().map(|r| r.1.as_str()).collect();
    // The files exercise syntax, name, type, tier, resource and warning rules.
    for code in [
        "WF001", "WF101", "WF103", "WF104", "WF107", "WF301", "WF902", "WF903",
    ] {
        assert!(got_codes.contains(code), "{code} missing from {want:?}");
    }

    let mut s = Server::start();
    s.initialize();
    // Two files open (a.wf with its disk text), the rest only on disk.
    let a = file_uri(&dir.path().join("a.wf"));
    let b = file_uri(&dir.path().join("b.wf"));
    s.open(&a, text_of("a.wf"));
    s.open(&b, text_of("b.wf"));
    let published = s.published(&a);
    let mut got: Vec<Row> = Vec::new();
    for (uri, diags) in &published {
        let Some((name, _)) = uris.get(uri) else {
            panic!("published for an unknown file: {uri}");
        };
        for d in diags {
            let p = |k: &str| {
                (
                    d["range"][k]["line"].as_u64().unwrap_or(99),
                    d["range"][k]["character"].as_u64().unwrap_or(99),
                )
            };
            let full = d["message"].as_str().unwrap_or("");
            let message = full.split('\n').next().unwrap_or("").to_string();
            let help = full
                .lines()
                .find_map(|l| l.strip_prefix("help: "))
                .map(str::to_string);
            got.push((
                name.to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["severity"].as_u64().unwrap_or(0),
                p("start"),
                p("end"),
                message,
                help,
            ));
        }
    }
    got.sort();
    assert_eq!(got, want);
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}
