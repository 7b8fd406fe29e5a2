// Day-2 command tests: a busybox stack brought up by the reference (our `up` is tested on its own), then
// tcompose and the reference run side by side on twin projects so their outputs can be compared.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectEngine } from "../../src/project/engine/index.js";
import type { Engine } from "../../src/project/engine/types.js";
import { cliPath, referenceBinary } from "./paths.js";
import { removeProject, uniqueProjectName } from "./project.js";

/** Services that stop at once on SIGTERM (init: true), web depending on db. */
export const stackYaml = `services:
  db:
    image: busybox:1.36
    init: true
    command: sleep 3600
  web:
    image: busybox:1.36
    init: true
    command: sleep 3600
    depends_on: [db]
    deploy:
      replicas: 2
  solo:
    image: busybox:1.36
    init: true
    command: sleep 3600
`;

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runIn(file: string, args: string[], cwd: string, input?: string): Result {
  const cmd = file.endsWith(".js") ? process.execPath : file;
  const full = file.endsWith(".js") ? [file, ...args] : args;
  const r = spawnSync(cmd, full, { cwd, encoding: "utf8", input: input ?? "", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export class Stack {
  readonly dir = mkdtempSync(join(tmpdir(), "tcops-"));
  constructor(
    readonly name: string,
    readonly yaml = stackYaml,
  ) {
    writeFileSync(join(this.dir, "compose.yaml"), yaml);
  }
  static async up(tag: string, yaml = stackYaml): Promise<Stack> {
    const stack = new Stack(uniqueProjectName(`tcops-${tag}`), yaml);
    const r = stack.ref("up", "-d");
    if (r.code !== 0) throw new Error(`reference up failed: ${r.stderr}`);
    return stack;
  }
  tc(...args: string[]): Result {
    return runIn(cliPath, ["-p", this.name, "--progress", "plain", ...args], this.dir);
  }
  tcIn(input: string, ...args: string[]): Result {
    return runIn(cliPath, ["-p", this.name, "--progress", "plain", ...args], this.dir, input);
  }
  ref(...args: string[]): Result {
    if (!referenceBinary) throw new Error("no reference binary");
    return runIn(referenceBinary, ["-p", this.name, "--progress", "plain", ...args], this.dir);
  }
  refIn(input: string, ...args: string[]): Result {
    if (!referenceBinary) throw new Error("no reference binary");
    return runIn(referenceBinary, ["-p", this.name, "--progress", "plain", ...args], this.dir, input);
  }
  /** Container name → engine state (running, exited, paused …), with its exit code. */
  async states(engine: Engine): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const c of await engine.listContainers({ "com.docker.compose.project": this.name }, { all: true })) {
      const d = await engine.inspectContainer(c.id);
      const short = (c.names[0] ?? "").replace(`${this.name}-`, "");
      out[short] = d.state.status === "exited" ? `exited(${d.state.exitCode})` : d.state.status;
    }
    return out;
  }
  async remove(engine: Engine): Promise<void> {
    await removeProject(engine, this.name);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Output lines with the project name made neutral, sorted (parallel work prints in any order). */
export function lines(text: string, project: string): string[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replaceAll(project, "P"))
    .sort();
}

export { connectEngine };
