// Loads syntaxes/wf.tmLanguage.json with vscode-textmate + vscode-oniguruma
// (the engine VS Code itself uses) and tokenizes text line by line.
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.join(__dirname, "..");

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== "source.wf") return null;
      const file = path.join(root, "syntaxes", "wf.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  return registry.loadGrammar("source.wf");
}

// [{ line, col, text, scopes }] for every token that is not bare whitespace
// at the top level; `scopes` leaves out the root `source.wf`.
function tokenize(grammar, text) {
  const out = [];
  let ruleStack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const result = grammar.tokenizeLine(line, ruleStack);
    for (const t of result.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      const scopes = t.scopes.slice(1);
      if (scopes.length === 0 && piece.trim() === "") continue;
      out.push({ line: i + 1, col: t.startIndex + 1, text: piece, scopes });
    }
    ruleStack = result.ruleStack;
  });
  return out;
}

function render(tokens) {
  return tokens
    .map((t) => `${t.line}:${t.col} ${JSON.stringify(t.text)} ${t.scopes.join(" ") || "-"}`)
    .join("\n") + "\n";
}

module.exports = { loadGrammar, tokenize, render };
