// Builds the extension (esbuild bundle) and packages it with
// `vsce package --no-dependencies` into a temp dir, offline; then reads the
// .vsix (a zip) and checks its contents list: the bundle, the manifest, the
// grammar, the language configuration, and nothing from node_modules, src or
// test.
"use strict";

const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

// The names in a zip's central directory.
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, "not a zip file");
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    assert.strictEqual(buf.readUInt32LE(at), 0x02014b50, "bad central directory entry");
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    names.push(buf.toString("utf8", at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names.sort();
}

function main() {
  const started = Date.now();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "wfc-vsix-"));
  try {
    const vsix = path.join(out, "wfc.vsix");
    // vsce runs `vscode:prepublish` (the esbuild bundle) first.
    execFileSync(bin("vsce"), ["package", "--no-dependencies", "--skip-license", "--allow-missing-repository", "--out", vsix], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const names = zipEntries(vsix);
    console.log(names.join("\n"));
    const expected = [
      "[Content_Types].xml",
      "extension.vsixmanifest",
      "extension/dist/extension.js",
      "extension/language-configuration.json",
      "extension/package.json",
      "extension/readme.md",
      "extension/syntaxes/wf.tmLanguage.json",
    ];
    assert.deepStrictEqual(names, expected);

    // The bundle carries the language client and needs only `vscode`.
    const bundle = fs.readFileSync(path.join(root, "dist", "extension.js"), "utf8");
    assert.ok(bundle.includes('require("vscode")'), "the bundle loads vscode at run time");
    assert.ok(!/require\("vscode-languageclient/.test(bundle), "vscode-languageclient is bundled");
    assert.ok(bundle.includes("lsp"), "the bundle starts `wfc lsp`");

    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    assert.strictEqual(manifest.contributes.configuration.properties["wfc.path"].default, "wfc");
    assert.strictEqual(manifest.contributes.languages[0].extensions[0], ".wf");
    assert.strictEqual(manifest.contributes.grammars[0].scopeName, "source.wf");
    console.log(`package: ${names.length} entries ok (${Date.now() - started} ms)`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main();
