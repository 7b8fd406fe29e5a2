// The build context as a tar stream: the context directory walked in name order, what .dockerignore
// excludes left out, the Dockerfile and .dockerignore always sent (docker's client re-includes them so the
// engine can read them), and a Dockerfile from elsewhere (dockerfile_inline, or a file outside the
// context) added. The walk is lazy: directories are read as the tar is consumed.
import { lstat, readdir, readFile, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { dockerfileIgnorePath, IgnoreMatcher } from "./dockerignore.js";
import type { BuildPlan } from "./request.js";
import { type TarEntry, tarStream } from "./tar.js";

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export interface ContextSource {
  contextDir: string;
  /** The Dockerfile's path in the tar. */
  dockerfile: string;
  addedDockerfile?: { text?: string; file?: string };
}

/** The ignore rules for a build: `<Dockerfile>.dockerignore` when it exists (BuildKit's rule), else .dockerignore. */
export async function ignoreFileText(source: ContextSource): Promise<{ text?: string; from?: string }> {
  if (!source.addedDockerfile) {
    const own = dockerfileIgnorePath(source.dockerfile);
    const text = await readOptional(join(source.contextDir, own));
    if (text !== undefined) return { text, from: own };
  } else if (source.addedDockerfile.file) {
    const text = await readOptional(`${source.addedDockerfile.file}.dockerignore`);
    if (text !== undefined) return { text, from: `${source.addedDockerfile.file}.dockerignore` };
  }
  const text = await readOptional(join(source.contextDir, ".dockerignore"));
  return text === undefined ? {} : { text, from: ".dockerignore" };
}

/** Paths that are always sent, and the directories that lead to them. */
function alwaysSent(paths: string[]): { files: Set<string>; dirs: Set<string> } {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return { files: new Set(paths), dirs };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The context's entries, lazily, in the order docker's client writes them (a depth-first walk by name). */
export async function* contextEntries(
  source: ContextSource,
  matcher: IgnoreMatcher,
  replaced: Map<string, Uint8Array> = new Map(),
): AsyncGenerator<TarEntry> {
  const keep = alwaysSent([source.dockerfile, ".dockerignore"]);
  async function* walk(dir: string, rel: string): AsyncGenerator<TarEntry> {
    const names = (await readdir(dir)).sort(byName);
    for (const name of names) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const absolute = join(dir, name);
      const info = await lstat(absolute);
      const excluded = !keep.files.has(path) && matcher.excludes(path);
      const mode = info.mode & 0o7777;
      const mtime = Math.floor(info.mtimeMs / 1000);
      if (info.isDirectory()) {
        // An excluded directory is entered only when something below it may still be sent; its own
        // entry is then left out (the engine creates it from the paths below), as docker's client does.
        if (excluded && !matcher.mayIncludeBelow(path) && !keep.dirs.has(path)) continue;
        if (!excluded) yield { type: "directory", path, mode, mtime };
        yield* walk(absolute, path);
        continue;
      }
      if (excluded) continue;
      const override = replaced.get(path);
      if (override) {
        yield {
          type: "file",
          path,
          mode,
          mtime,
          size: override.length,
          source: { kind: "bytes", data: override },
        };
      } else if (info.isFile()) {
        yield { type: "file", path, mode, mtime, size: info.size, source: { kind: "disk", path: absolute } };
      } else if (info.isSymbolicLink()) {
        yield { type: "symlink", path, mode, mtime, target: await readlink(absolute) };
      }
      // Sockets, FIFOs and devices are not sent.
    }
  }
  yield* walk(source.contextDir, "");
  for (const [path, data] of replaced) {
    if (!(await exists(join(source.contextDir, path)))) {
      yield { type: "file", path, mode: 0o644, mtime: 0, size: data.length, source: { kind: "bytes", data } };
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The context tar of a build plan. A Dockerfile from elsewhere is added under its name, and the tar's
 * .dockerignore lists it, so that the engine reads it and leaves it out of what COPY sees. When the rules
 * came from `<Dockerfile>.dockerignore`, the tar's .dockerignore carries them (the engine reads only that).
 */
export async function contextTar(plan: Pick<BuildPlan, keyof ContextSource>): Promise<Readable> {
  const ignore = await ignoreFileText(plan);
  const matcher = IgnoreMatcher.parse(ignore.text ?? "");
  const replaced = new Map<string, Uint8Array>();
  if (plan.addedDockerfile) {
    const text = plan.addedDockerfile.text ?? (await readFile(plan.addedDockerfile.file as string, "utf8"));
    replaced.set(plan.dockerfile, Buffer.from(text));
    const base = ignore.text === undefined ? ".dockerignore\n" : `${ignore.text}\n`;
    replaced.set(".dockerignore", Buffer.from(`${base}${plan.dockerfile}\n`));
  } else if (ignore.from && ignore.from !== ".dockerignore" && ignore.text !== undefined) {
    replaced.set(".dockerignore", Buffer.from(ignore.text));
  }
  // The Dockerfile must exist: say so before the engine does (its message names a temporary path).
  if (!plan.addedDockerfile) await stat(join(plan.contextDir, plan.dockerfile));
  return tarStream(contextEntries(plan, matcher, replaced));
}
