// The wf extension's client: starts `wfc lsp` (the binary from the
// `wfc.path` setting) over stdio for .wf files and wf.toml. What the server
// does: docs/editors.md.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const command = vscode.workspace.getConfiguration("wfc").get("path") || "wfc";
  const run = { command, args: ["lsp"], transport: TransportKind.stdio };
  return { run, debug: run };
}

async function start(context) {
  client = new LanguageClient("wfc", "wfc", serverOptions(), {
    documentSelector: [
      { scheme: "file", language: "wf" },
      { scheme: "untitled", language: "wf" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.wf,wf.toml}"),
    },
  });
  try {
    await client.start();
  } catch (err) {
    const path = vscode.workspace.getConfiguration("wfc").get("path");
    vscode.window.showErrorMessage(
      `wfc: could not start \`${path} lsp\` (${err.message}); set "wfc.path" to the wfc binary`,
    );
  }
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

async function activate(context) {
  await start(context);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("wfc.path")) {
        if (client) await client.stop();
        await start(context);
      }
    }),
    vscode.commands.registerCommand("wfc.restartServer", async () => {
      if (client) await client.stop();
      await start(context);
    }),
  );
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
