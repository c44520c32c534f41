// The TextMate grammar against every example under examples/: the token
// scopes of each file are compared with a committed snapshot
// (test/snapshots/<path>.tokens), and the scopes of keywords, strings,
// `{{ }}` tokens, comments and durations are asserted directly.
// UPDATE_SNAPSHOTS=1 writes missing or changed snapshots as `.tokens.new`
// beside them: read them, then rename to accept.
"use strict";

const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { loadGrammar, tokenize, render } = require("./tokenize");

const examples = path.join(__dirname, "..", "..", "..", "examples");
const snapshots = path.join(__dirname, "snapshots");

function wfFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return wfFiles(p);
      return e.name.endsWith(".wf") ? [p] : [];
    })
    .sort();
}

function scopeOf(tokens, text, line) {
  const t = tokens.find((t) => t.text === text && (line === undefined || t.line === line));
  assert.ok(t, `no token ${JSON.stringify(text)}${line ? ` on line ${line}` : ""}`);
  return t.scopes;
}

function has(scopes, scope, what) {
  assert.ok(scopes.includes(scope), `${what}: expected ${scope}, got [${scopes.join(", ")}]`);
}

async function main() {
  const grammar = await loadGrammar();
  let failures = 0;

  // Snapshots of every example.
  const files = wfFiles(examples);
  assert.ok(files.length >= 10, `found only ${files.length} examples`);
  const seen = new Set();
  for (const file of files) {
    const rel = path.relative(examples, file);
    const snap = path.join(snapshots, rel.replace(/[\\/]/g, "__") + ".tokens");
    seen.add(path.basename(snap));
    const actual = render(tokenize(grammar, fs.readFileSync(file, "utf8")));
    const expected = fs.existsSync(snap) ? fs.readFileSync(snap, "utf8") : null;
    if (actual !== expected) {
      failures++;
      console.error(`FAIL ${rel}: ${expected === null ? "no snapshot" : "token scopes changed"} (${snap})`);
      if (process.env.UPDATE_SNAPSHOTS) {
        fs.mkdirSync(snapshots, { recursive: true });
        fs.writeFileSync(snap + ".new", actual);
      }
    } else {
      console.log(`ok   ${rel}`);
    }
  }
  for (const name of fs.existsSync(snapshots) ? fs.readdirSync(snapshots) : []) {
    if (name.endsWith(".tokens") && !seen.has(name)) {
      failures++;
      console.error(`FAIL orphan snapshot ${name}: its example is gone`);
    }
  }

  // The scopes that matter, on a sample covering each construct.
  const sample = [
    '# a comment with "quotes" and {{ braces }}',
    'workflow "Trial {{ x }}" for contact {',
    '  enroll on form "Start trial" submitted',
    '  start: set plan_tier = "free \\"pro\\" \\u{1F600}"',
    '  delay 4h 30m',
    '  delay until email "Welcome" opened max 3d',
    '  if seats_used >= 5 and not company.name is known {',
    '    send email "Hi {{ contact.firstname }}, \\n bye"',
    '    goto start',
    '  } else {',
    '    increase score by 2.5',
    '  }',
    '  delay until 2026-01-31 at 9:30',
    '}',
  ].join("\n");
  const t = tokenize(grammar, sample);
  const checks = [
    () => has(scopeOf(t, '# a comment with "quotes" and {{ braces }}'.slice(1), 1), "comment.line.number-sign.wf", "comment"),
    () => has(scopeOf(t, "workflow", 2), "storage.type.workflow.wf", "workflow keyword"),
    () => has(scopeOf(t, "for", 2), "keyword.other.for.wf", "for"),
    () => has(scopeOf(t, "contact", 2), "entity.name.type.object.wf", "object type"),
    () => has(scopeOf(t, "Trial ", 2), "entity.name.function.workflow.wf", "workflow name"),
    () => has(scopeOf(t, "x", 2), "variable.other.token.wf", "token in a workflow name"),
    () => has(scopeOf(t, "enroll", 3), "keyword.control.enrollment.wf", "enroll"),
    () => has(scopeOf(t, "Start trial", 3), "string.quoted.double.wf", "string"),
    () => has(scopeOf(t, "start", 4), "entity.name.label.wf", "label definition"),
    () => has(scopeOf(t, "set", 4), "keyword.other.action.wf", "set"),
    () => has(scopeOf(t, "=", 4), "keyword.operator.wf", "="),
    () => has(scopeOf(t, '\\"', 4), "constant.character.escape.wf", "escaped quote"),
    () => has(scopeOf(t, "\\u{1F600}", 4), "constant.character.escape.wf", "unicode escape"),
    () => has(scopeOf(t, "4h 30m", 5), "constant.numeric.duration.wf", "duration 4h 30m"),
    () => has(scopeOf(t, "3d", 6), "constant.numeric.duration.wf", "duration 3d"),
    () => has(scopeOf(t, "max", 6), "keyword.control.wf", "max"),
    () => has(scopeOf(t, "if", 7), "keyword.control.wf", "if"),
    () => has(scopeOf(t, ">=", 7), "keyword.operator.wf", ">="),
    () => has(scopeOf(t, "5", 7), "constant.numeric.wf", "number"),
    () => has(scopeOf(t, "and", 7), "keyword.operator.word.wf", "and"),
    () => has(scopeOf(t, "{{", 8), "punctuation.section.embedded.begin.wf", "{{"),
    () => has(scopeOf(t, "}}", 8), "punctuation.section.embedded.end.wf", "}}"),
    () => has(scopeOf(t, "contact.firstname", 8), "variable.other.token.wf", "token"),
    () => has(scopeOf(t, "contact.firstname", 8), "string.quoted.double.wf", "token inside its string"),
    () => has(scopeOf(t, "\\n", 8), "constant.character.escape.wf", "\\n"),
    () => has(scopeOf(t, "goto", 9), "keyword.control.goto.wf", "goto"),
    () => has(scopeOf(t, "start", 9), "entity.name.label.reference.wf", "label reference"),
    () => has(scopeOf(t, "else", 10), "keyword.control.wf", "else"),
    () => has(scopeOf(t, "2.5", 11), "constant.numeric.wf", "decimal"),
    () => has(scopeOf(t, "2026-01-31", 13), "constant.numeric.date.wf", "date"),
    () => has(scopeOf(t, "9:30", 13), "constant.numeric.time.wf", "time"),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (e) {
      failures++;
      console.error(`FAIL scope: ${e.message}`);
    }
  }
  if (failures) {
    console.error(`${failures} failure(s)`);
    process.exit(1);
  }
  console.log(`grammar: ${files.length} examples and ${checks.length} scope checks ok`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
