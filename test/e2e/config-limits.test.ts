// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are compose templates, not JS ones
// Input the loader must survive: nesting as deep as a text can make it ends in a located error (exit 15),
// never in "Maximum call stack size exceeded".
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { maxDepth, tooDeepMessage } from "../../src/project/load/depth.js";
import { MAX_INCLUDE_DEPTH } from "../../src/project/load/include.js";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";

const env = { PATH: process.env.PATH ?? "", HOME: "/root" };

function run(cwd: string, args: string[], input?: string, tool = cliPath, extraEnv: object = {}) {
  const argv = tool === cliPath ? [cliPath, ...args] : args;
  const command = tool === cliPath ? process.execPath : tool;
  const r = spawnSync(command, argv, {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: "utf8",
    ...(input === undefined ? {} : { input }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tct-limits-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const web = "services:\n  web:\n    image: busybox:1.36\n";
/** `x-deep:` holding `levels` flow collections: levels + 1 deep in all. */
const deep = (levels: number, open = "[", close = "]") =>
  `x-deep: ${open.repeat(levels)}1${close.repeat(levels)}\n`;

describe("deep documents", () => {
  it("refuses a document nested 10,000 deep with file:line:col and exit 15, from every source", () => {
    const tooDeep = `${web}${deep(10_000, "{a: ", "}")}`;
    // The first collection past the limit: `x-deep: ` then maxDepth - 1 `{a: ` (level 1 is the file's).
    const where = `4:${"x-deep: ".length + 4 * (maxDepth - 1) + 1}`;
    const dir = project({
      "deep.yaml": tooDeep,
      "include.yaml": "include: [deep.yaml]\n",
      "extends.yaml": "services:\n  web:\n    extends: {file: deep.yaml, service: web}\n",
    });
    const cases: [string[], string | undefined, string][] = [
      [["-f", "deep.yaml"], undefined, `deep.yaml:${where}`],
      [["-f", "-"], tooDeep, `-:${where}`],
      [["-f", "include.yaml"], undefined, `deep.yaml:${where}`],
      [["-f", "extends.yaml"], undefined, `deep.yaml:${where}`],
    ];
    for (const [files, input, at] of cases) {
      const r = run(dir, ["-p", "deep", ...files, "config"], input);
      expect(r.stderr.split("\n")[0], files.join(" ")).toBe(`${at}: ${tooDeepMessage}`);
      expect(r.stderr).not.toMatch(/call stack/i);
      expect(r.code, files.join(" ")).toBe(15);
    }
  });

  it.skipIf(!referenceBinary)(
    `prints a document nested ${maxDepth} deep as the reference does${referenceSkipNote}`,
    () => {
      const dir = project({ "compose.yaml": `${web}${deep(maxDepth - 1)}` });
      const args = ["-p", "deep", "config", "--format", "json"];
      const ours = run(dir, args);
      expect(ours.code).toBe(0);
      const theirs = run(dir, args, undefined, referenceBinary);
      expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(theirs.stdout));
    },
  );
});

describe("deep includes", () => {
  it(`refuses includes chained deeper than ${MAX_INCLUDE_DEPTH} projects at the entry, exit 15, no stack overflow`, () => {
    const files: Record<string, string> = {};
    const n = 2000;
    for (let i = 0; i < n; i++)
      files[`f${i}.yaml`] =
        `${i < n - 1 ? `include: [f${i + 1}.yaml]\n` : ""}services:\n  s${i}:\n    image: busybox:1.36\n`;
    const dir = project(files);
    const last = MAX_INCLUDE_DEPTH - 1;
    const r = run(dir, ["-p", "deep", "-f", "f0.yaml", "config", "-q"]);
    expect(r.stderr.split("\n")[0]).toBe(
      `f${last}.yaml:1:11: include[0]: include nested deeper than ${MAX_INCLUDE_DEPTH} projects: ${path.join(dir, `f${last + 1}.yaml`)}`,
    );
    expect(r.stderr).not.toMatch(/call stack/i);
    expect(r.code).toBe(15);
  });
});

describe("deep interpolation", () => {
  it("expands `${A:-${A:-…}}` nested 5,000 deep, in the compose file and in .env", () => {
    const n = 5000;
    const mixed = `${"a${A:-b".repeat(n)}x${"}c".repeat(n)}`;
    const plain = `${"${B:-".repeat(n)}y${"}".repeat(n)}`;
    const dir = project({
      "compose.yaml": `${web}    environment:\n      X: "${mixed}"\n      Y: "${plain}"\n      Z: $Z\n`,
      ".env": `Z=${plain}\n`,
    });
    const r = run(dir, ["-p", "deep", "config", "--format", "json"], undefined, cliPath, { A: "1" });
    expect(r.stderr).toBe("");
    // Observed on 2.26.1 (which takes minutes over it): X is "a1c", Y is "y".
    const environment = JSON.parse(r.stdout).services.web.environment;
    expect(environment).toEqual({ X: "a1c", Y: "y", Z: "y" });
  });
});
