// Every `.mmd` file of a folder (the Mermaid output of `wfc graph`: one per
// example, and a folder's whole drawing; scripts/render-mermaid.sh makes
// them) rendered to PNG with
// mermaid-cli in Debian's Chromium, as a reader of the diagram sees it.
// Fails when a diagram does not render, renders empty, or has a shape no one
// can read: a thin strip (the defect of subgraphs without `direction TB`,
// ~784×30) or a sliver. The PNGs are left next to the sources to look at.
//
//   node tests/mermaid/check.mjs DIR
//
// Chromium: /usr/bin/chromium (Debian's `chromium` package), or the
// PUPPETEER_EXECUTABLE_PATH environment variable.

import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer";
import { renderMermaid } from "@mermaid-js/mermaid-cli";

// The widest and the tallest shape accepted, as a ratio of the sides, and
// the shortest side, in CSS pixels: a strip of a diagram is far outside.
const MAX_RATIO = 12;
const MIN_SIDE = 80;
// A floor on the cases, so a wrong folder cannot pass with nothing checked.
const MIN_CASES = 10;

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check.mjs DIR");
  process.exit(2);
}
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".mmd"))
  .sort();
if (files.length < MIN_CASES) {
  console.error(`expected at least ${MIN_CASES} .mmd files in ${dir}, found ${files.length}`);
  process.exit(1);
}

// The width and height of a PNG, from its IHDR chunk.
function pngSize(buf) {
  const signature = "89504e470d0a1a0a";
  if (buf.subarray(0, 8).toString("hex") !== signature || buf.subarray(12, 16).toString() !== "IHDR") {
    throw new Error("not a PNG");
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

const executablePath = process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium";
if (!fs.existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath}: apt-get install -y chromium (or set PUPPETEER_EXECUTABLE_PATH)`);
  process.exit(1);
}
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  // CI runs as root, where Chromium refuses its sandbox.
  args: ["--no-sandbox", "--disable-gpu"],
});

const failures = [];
try {
  for (const f of files) {
    const source = fs.readFileSync(path.join(dir, f), "utf8");
    let png;
    try {
      const { data } = await renderMermaid(browser, source, "png", {
        // Device scale 1 and no fitting to the page's width: the PNG's
        // size is the diagram's own size in CSS pixels.
        viewport: { width: 800, height: 600, deviceScaleFactor: 1 },
        mermaidConfig: { flowchart: { useMaxWidth: false } },
      });
      png = Buffer.from(data);
    } catch (e) {
      failures.push(`${f}: does not render: ${e.message.split("\n")[0]}`);
      continue;
    }
    const out = path.join(dir, f.replace(/\.mmd$/, ".png"));
    fs.writeFileSync(out, png);
    const { width, height } = pngSize(png);
    const ratio = Math.max(width / height, height / width);
    const line = `${f}: ${width}×${height}`;
    if (Math.min(width, height) < MIN_SIDE || ratio > MAX_RATIO) {
      failures.push(`${line}: unreadable shape (sides at least ${MIN_SIDE} px, ratio at most ${MAX_RATIO})`);
    } else {
      console.log(`ok ${line}`);
    }
  }
} finally {
  await browser.close();
}

if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log(`mermaid: ${files.length} diagrams rendered (PNGs in ${dir})`);
