// Differential: compose files in unusual-but-valid YAML forms (./yaml-forms.gen.ts, seeded) through both
// tools' `config --format json`. What the reference (Go's yaml.v3) reads, tcompose reads to the same JSON;
// what it refuses, tcompose refuses too, with a located one-line error. Both tools run concurrently on a
// small pool, one process per document each.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { yamlForms } from "./yaml-forms.gen.js";

const forms = yamlForms(14, 168);
const env = { PATH: process.env.PATH ?? "", HOME: "/root" };
const args = ["-p", "fx", "config", "--format", "json"];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, argv: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Per form: the reference's run and tcompose's. */
const results: { theirs: Run; ours: Run }[] = [];

describe.skipIf(!referenceBinary)(`YAML forms read like the reference's yaml.v3${referenceSkipNote}`, () => {
  beforeAll(async () => {
    const root = mkdtempSync(path.join(tmpdir(), "tct-yaml-forms-"));
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < forms.length; i = next++) {
        const dir = path.join(root, String(i));
        mkdirSync(dir);
        writeFileSync(path.join(dir, "compose.yaml"), forms[i]?.text ?? "");
        const [theirs, ours] = await Promise.all([
          run(referenceBinary ?? "", args, dir),
          run(process.execPath, [cliPath, ...args], dir),
        ]);
        results[i] = { theirs, ours };
      }
    };
    await Promise.all(Array.from({ length: 3 }, worker));
  });

  it("has at least 100 forms the reference reads, of every family", () => {
    expect(results.filter((r) => r.theirs.code === 0).length).toBeGreaterThanOrEqual(100);
    const families = new Set(forms.map((f) => f.name.split(" ")[0]));
    const read = new Set(
      forms.filter((_, i) => results[i]?.theirs.code === 0).map((f) => f.name.split(" ")[0]),
    );
    expect([...families].filter((f) => !read.has(f))).toEqual([]);
  });

  it.each(forms.map((form, i) => [form.name, i] as const))("%s", (_name, i) => {
    const text = forms[i]?.text ?? "";
    const { theirs, ours } = results[i] ?? expect.fail("not run");
    expect(ours.code, `${JSON.stringify(text)}\nours: ${ours.stderr}\nreference: ${theirs.stderr}`).toBe(
      theirs.code,
    );
    if (theirs.code === 0) {
      expect(JSON.parse(ours.stdout), JSON.stringify(text)).toEqual(JSON.parse(theirs.stdout));
    } else {
      expect(ours.stderr, JSON.stringify(text)).toMatch(/^compose\.yaml:\d+:\d+: /);
      expect(ours.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
