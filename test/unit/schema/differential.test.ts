// The project's schema against the official Compose Specification schema (the one embedded in the
// reference): both must accept and reject the same documents. Besides the fixtures, every value of the
// valid fixtures is replaced in turn by probe values of other shapes, and unknown keys are added to
// every mapping, which checks the two schemas agree on each attribute, not only on whole documents.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { validate as ours } from "../../../src/schema/validate.generated.js";
import { validateCompose } from "../../../src/schema/validate.js";
import { repoRoot } from "../../helpers/paths.js";
import { loadFixtures } from "./fixtures.js";

const Ajv = AjvModule.default;
const officialPath = path.resolve(repoRoot, "../shared/compose-spec/compose-spec.json");
const hasOfficial = existsSync(officialPath);
const skipNote = hasOfficial ? "" : ` [SKIPPED: official schema absent at ${officialPath}]`;

function compileOfficial(): (value: unknown) => boolean {
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(officialPath, "utf8")) as Record<
    string,
    unknown
  >;
  const ajv = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  return (value) => validate(value) as boolean;
}

const valid = loadFixtures("valid");
const invalid = loadFixtures("invalid");

/** Values of every shape the schemas distinguish. */
const probes: unknown[] = [
  "x",
  "all",
  "",
  0,
  7,
  -1,
  -2000,
  -1000,
  -1001,
  100,
  101,
  1000,
  1001,
  150,
  1.5,
  true,
  null,
  [],
  ["a"],
  ["a", "a"],
  [1],
  [{}],
  [{ type: "bind" }],
  [{ source: "s" }],
  [{ capabilities: ["gpu"] }],
  {},
  { a: "b" },
  { a: { b: 1 } },
  { condition: "service_started" },
  { soft: 1, hard: 2 },
  { soft: 1 },
  { path: "p" },
  { service: "s", file: "f" },
  { "": 1 },
  { "x-ext": 1 },
];

type Json = unknown;

function* paths(value: Json, at: (string | number)[] = []): Generator<(string | number)[]> {
  yield at;
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* paths(v, [...at, i]);
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) yield* paths(v, [...at, k]);
}

function replaced(value: Json, at: (string | number)[], by: Json): Json {
  if (at.length === 0) return by;
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, by) : v));
  const obj = value as Record<string, Json>;
  return { ...obj, [head as string]: replaced(obj[head as string], rest, by) };
}

describe.skipIf(!hasOfficial)(`schema agrees with the official one${skipNote}`, () => {
  const official = hasOfficial ? compileOfficial() : () => false;

  it.each(valid.map((f) => [f.name, f]))("accepts valid/%s like the official schema", (_name, f) => {
    expect(f.parsed.diagnostics).toEqual([]);
    expect(official(f.parsed.value)).toBe(true);
    expect(validateCompose(f.parsed.value)).toEqual([]);
  });

  it.each(invalid.map((f) => [f.name, f]))("rejects invalid/%s like the official schema", (_name, f) => {
    expect(official(f.parsed.value)).toBe(false);
    expect(validateCompose(f.parsed.value).length).toBeGreaterThan(0);
  });

  it("agrees on every probe value at every path of the valid fixtures", () => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const f of valid) {
      for (const at of paths(f.parsed.value)) {
        const candidates = [...probes];
        const here = at.reduce<Json>((v, k) => (v as Record<string, Json>)?.[k as string], f.parsed.value);
        if (here !== null && typeof here === "object" && !Array.isArray(here)) {
          candidates.push({ ...(here as object), unknown_key: 1 }, { ...(here as object), "x-ok": 1 });
        }
        for (const probe of candidates) {
          const doc = replaced(f.parsed.value, at, probe);
          const a = ours(doc);
          const b = official(doc);
          checked++;
          if (a !== b) {
            const where = at.join(".") || "(root)";
            disagreements.push(`${f.name} ${where} = ${JSON.stringify(probe)}: ours ${a}, official ${b}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(disagreements.slice(0, 20)).toEqual([]);
  });
});
