// CI check (.ci/run): schemas/plan.schema.json compiles in ajv's strict
// mode (draft 2020-12), and every plan JSON file in the folders given as
// arguments (`wfc build examples/ -o DIR` output) validates against it.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const schema = JSON.parse(readFileSync(join(root, "schemas/plan.schema.json"), "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

let count = 0;
let failed = 0;
for (const dir of process.argv.slice(2)) {
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const plan = JSON.parse(readFileSync(join(dir, name), "utf8"));
    count += 1;
    if (!validate(plan)) {
      failed += 1;
      console.error(`${join(dir, name)}: ${ajv.errorsText(validate.errors)}`);
    }
  }
}
if (count === 0) {
  console.error("no plan to validate: give the folders of `wfc build -o` output");
  process.exit(1);
}
console.log(`ajv strict: the plan schema compiles; ${count - failed}/${count} plans valid`);
process.exit(failed === 0 ? 0 : 1);
