// Runs the reference `docker compose config` on files written to a fresh temp dir, for the differential
// tests of the loader. The binary is the one scripts/reference.sh installs (see ./paths.ts).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { referenceBinary, referenceSkipNote } from "./paths.js";

export const reference: string | undefined = referenceBinary;
export const skipNote = referenceSkipNote;

export interface ReferenceRun {
  code: number;
  /** Parsed JSON output, when the run succeeded. */
  json: unknown;
  /** stderr without the logrus warning lines. */
  error: string;
  /** The text of each logrus warning, decoded. */
  warnings: string[];
}

/** Runs `config --format json` with exactly `env` (plus PATH) as the environment. */
export async function runReference(
  files: Record<string, string>,
  env: Record<string, string>,
): Promise<ReferenceRun> {
  if (!reference) throw new Error("no reference binary");
  const dir = await mkdtemp(join(tmpdir(), "tct-ref-"));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const args = ["-p", "refcheck", "config", "--format", "json"];
    const { code, stdout, stderr } = await run(reference, args, dir, {
      PATH: process.env.PATH ?? "",
      ...env,
    });
    const lines = stderr.split("\n");
    const warnings = lines.flatMap((l) => {
      const m = /^time="[^"]*" level=warning msg=("(?:[^"\\]|\\.)*")$/.exec(l);
      return m?.[1] ? [JSON.parse(m[1]) as string] : [];
    });
    const error = lines
      .filter((l) => !l.startsWith("time="))
      .join("\n")
      .replace(/\n+$/, "");
    return { code, json: code === 0 ? JSON.parse(stdout) : undefined, error, warnings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(file: string, args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `config` prints every `$` of a value or key doubled; this undoes it. */
export function unescapeDollars(text: string): string {
  return text.replaceAll("$$", "$");
}

/** A YAML double-quoted scalar for any string (JSON's escapes are YAML's too). */
export function yamlString(text: string): string {
  return JSON.stringify(text);
}
