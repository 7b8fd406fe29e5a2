// Runs tcompose and the reference Docker Compose on the same build context, the reference building
// through BuildKit (buildx among its CLI plugins, see paths.ts), and reads back what the BuildKit e2e
// tests compare: the built image's config and files, and the `--progress plain` vertex lines.

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runAsync } from "./engine-proxy.js";
import { cliPath, referenceBinary, referenceBuildkitConfig } from "./paths.js";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What the runs inherit, less what would change how either tool builds. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env)) {
    if (/^(DOCKER_BUILDKIT|DOCKER_CONFIG|SSH_AUTH_SOCK|BUILDKIT_.*|BUILDX_.*|COMPOSE_.*)$/.test(key))
      delete env[key];
  }
  return env;
}

/** Runs a command to its end without blocking the worker (so concurrent tests overlap). */
export function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return runAsync(command, args, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...baseEnv(), ...options.env },
  });
}

export const docker = (...args: string[]) => exec("docker", args);

/**
 * A DOCKER_CONFIG directory of the caller's own under `parent`: with `buildx`, a cli-plugins/ link to
 * the reference's buildx plugin; config.json with `auths` (as `docker login` writes them).
 */
export function dockerConfig(
  parent: string,
  name: string,
  options: { buildx?: boolean; auths?: Record<string, { auth: string }> } = {},
): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  if (options.buildx) {
    if (!referenceBuildkitConfig) throw new Error("the reference's buildx plugin is not installed");
    symlinkSync(path.join(referenceBuildkitConfig, "cli-plugins"), path.join(dir, "cli-plugins"));
  }
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ auths: options.auths ?? {} }));
  return dir;
}

export type Tool = "reference" | "tcompose";

/**
 * `<tool> -p <project> --progress plain <args>` in `dir`, with DOCKER_CONFIG set to `config` and `env`
 * added to the environment.
 */
export function compose(
  tool: Tool,
  dir: string,
  project: string,
  config: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const common = ["-p", project, "--progress", "plain", ...args];
  const fullEnv = { DOCKER_CONFIG: config, ...env };
  // TCT_BK_SELF_CHECK=1 runs the reference for both, to check the tests' expectations on it alone.
  if (tool === "tcompose" && !process.env.TCT_BK_SELF_CHECK)
    return exec(process.execPath, [cliPath, ...common], { cwd: dir, env: fullEnv });
  if (!referenceBinary) throw new Error("the reference docker compose is not installed");
  return exec(referenceBinary, common, { cwd: dir, env: fullEnv });
}

/** Writes `files` (paths relative to `dir`, parents made) and returns `dir`. */
export function writeTree(dir: string, files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

export function tempDir(prefix: string, parent?: string): string {
  return mkdtempSync(path.join(parent ?? process.env.TMPDIR ?? "/tmp", prefix));
}

/** The parts of an image's config the comparisons care about, the project label replaced by "P". */
export interface ImageConfig {
  Architecture: string;
  Os: string;
  Env: string[] | null;
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  WorkingDir: string;
  User: string;
  ExposedPorts: Record<string, unknown> | null;
  Labels: Record<string, string> | null;
}

/** The image's config, or undefined when no image has that name. */
export async function imageConfig(ref: string): Promise<ImageConfig | undefined> {
  const r = await docker("image", "inspect", ref);
  if (r.code !== 0) return undefined;
  const [image] = JSON.parse(r.stdout) as {
    Architecture: string;
    Os: string;
    Config: Partial<Omit<ImageConfig, "Architecture" | "Os">>;
  }[];
  if (!image) return undefined;
  const c = image.Config;
  const labels = c.Labels ? { ...c.Labels } : null;
  if (labels?.["com.docker.compose.project"]) labels["com.docker.compose.project"] = "P";
  return {
    Architecture: image.Architecture,
    Os: image.Os,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    Entrypoint: c.Entrypoint ?? null,
    WorkingDir: c.WorkingDir ?? "",
    User: c.User ?? "",
    ExposedPorts: c.ExposedPorts ?? null,
    Labels: labels,
  };
}

/** `sh -c script` in a throwaway container of the image, as root, whatever its entrypoint and user. */
export async function inImage(ref: string, script: string): Promise<Run> {
  return docker("run", "--rm", "--user", "0", "--entrypoint", "sh", ref, "-c", script);
}

/**
 * Removes every image (tagged or not) labelled with one of the projects, and those named after them
 * (`<project>-<service>`: the reference's classic builds carry no project label).
 */
export async function removeProjectImages(...projects: string[]): Promise<void> {
  for (const project of projects) {
    const ids = await Promise.all(
      [`label=com.docker.compose.project=${project}`, `reference=${project}-*`].map((filter) =>
        docker("images", "-a", "-q", "--no-trunc", "--filter", filter),
      ),
    );
    const unique = [...new Set(ids.flatMap((r) => r.stdout.split("\n")).filter(Boolean))];
    if (unique.length) await docker("rmi", "-f", ...unique);
  }
}

/** One vertex of BuildKit's `--progress plain` output. */
export interface Vertex {
  n: number;
  /** What the brackets hold: `web 2/3`, `web internal`, `web`. */
  scope: string;
  title: string;
  /** `#N DONE 0.3s`, `#N CACHED` or `#N ERROR: …`; undefined when none was printed. */
  end?: "DONE" | "CACHED" | "ERROR";
  /** `#N 0.473 text`: the RUN output lines, time stripped. */
  logs: string[];
}

/** Parses the `#N …` lines of `--progress plain` output, in the order the vertices first appear. */
export function plainVertices(text: string): Vertex[] {
  const byNumber = new Map<number, Vertex>();
  for (const line of text.split("\n")) {
    const head = /^#(\d+) \[([^\]]*)\] (.*)$/.exec(line);
    if (head) {
      const n = Number(head[1]);
      if (!byNumber.has(n)) byNumber.set(n, { n, scope: head[2] ?? "", title: head[3] ?? "", logs: [] });
      continue;
    }
    const m = /^#(\d+) (.*)$/.exec(line);
    const vertex = m ? byNumber.get(Number(m[1])) : undefined;
    if (!m || !vertex) continue;
    const rest = m[2] ?? "";
    if (/^DONE \d+\.\ds$/.test(rest)) vertex.end = "DONE";
    else if (rest === "CACHED") vertex.end = "CACHED";
    else if (rest.startsWith("ERROR")) vertex.end = "ERROR";
    else {
      const log = /^\d+\.\d+ (.*)$/.exec(rest);
      if (log) vertex.logs.push(log[1] ?? "");
    }
  }
  return [...byNumber.values()];
}
