// Compose documents for the schema tests: test/fixtures/schema/{valid,invalid}/*.yaml, parsed by the
// project's YAML reader (so they are the values the loader would hand to the validator).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseYamlDocument } from "../../../src/project/load/yaml.js";
import { repoRoot } from "../../helpers/paths.js";

export const fixturesDir = path.join(repoRoot, "test/fixtures/schema");

export interface Fixture {
  name: string;
  file: string;
  text: string;
  parsed: ReturnType<typeof parseYamlDocument>;
}

export function loadFixtures(kind: "valid" | "invalid"): Fixture[] {
  const dir = path.join(fixturesDir, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const text = readFileSync(file, "utf8");
      return { name: f, file, text, parsed: parseYamlDocument(`${kind}/${f}`, text) };
    });
}
