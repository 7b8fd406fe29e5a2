// The build context as a tar stream: the context directory walked in name order, what .dockerignore
// excludes left out, the Dockerfile and .dockerignore always sent (docker's client re-includes them so the
// engine can read them), and a Dockerfile from elsewhere (dockerfile_inline, or a file outside the
// context) added. The walk is lazy: directories are read as the tar is consumed.
//
// Nothing from outside the context goes in, but a Dockerfile named outside it: symbolic links are sent as
// links, and the files tcompose reads itself (the Dockerfile's check, `.dockerignore`,
// `<Dockerfile>.dockerignore`) are found with their links resolved inside the context, as if it were the
// root directory, the way the engine's builders (classic and BuildKit) resolve them. A link that leads out
// so finds nothing there (docker compose 2.26.1 then ignores the .dockerignore, and cannot find the
// Dockerfile).
import { constants } from "node:fs";
import { lstat, open, readdir, readFile, readlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { dockerfileIgnorePath, IgnoreMatcher } from "./dockerignore.js";
import type { BuildPlan } from "./request.js";
import { type TarEntry, tarStream } from "./tar.js";

/** Links followed at most while resolving one path (Linux's limit). */
const maxLinks = 40;

/**
 * A path of the context (`/`-separated, relative) as the absolute path it leads to, its symbolic links
 * resolved inside `root`: an absolute target starts again at `root`, `..` stops at `root`, a missing
 * component is kept as written. `viaLink` tells whether a link was followed.
 */
export async function resolveInContext(
  root: string,
  path: string,
): Promise<{ path: string; viaLink: boolean }> {
  const pending = path.split("/");
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(here)).isSymbolicLink();
    } catch {
      // missing: kept as written (a later `..` may leave it)
    }
    if (isLink) {
      if (++links > maxLinks) {
        throw Object.assign(new Error(`too many levels of symbolic links: ${path}`), { code: "ELOOP" });
      }
      const target = await readlink(here);
      if (target.startsWith("/")) resolved.length = 0;
      pending.unshift(...target.split("/"));
      continue;
    }
    resolved.push(part);
  }
  return { path: join(root, ...resolved), viaLink: links > 0 };
}

/** A file's text, read without following a link; undefined when there is no such file. */
async function readNoFollow(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
    throw error;
  }
  try {
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

/** The text of a file of the context, its links resolved inside the context; undefined when absent. */
export async function readInContext(root: string, path: string): Promise<string | undefined> {
  return readNoFollow((await resolveInContext(root, path)).path);
}

export interface ContextSource {
  contextDir: string;
  /** The Dockerfile's path in the tar. */
  dockerfile: string;
  addedDockerfile?: { text?: string; file?: string };
}

/**
 * The ignore rules for a build: `<Dockerfile>.dockerignore` when it exists (BuildKit's rule), else
 * .dockerignore. For a Dockerfile outside the context, its own ignore file is looked for in its directory,
 * links resolved inside that directory (BuildKit reads it from there).
 */
export async function ignoreFileText(source: ContextSource): Promise<{ text?: string; from?: string }> {
  if (!source.addedDockerfile) {
    const own = dockerfileIgnorePath(source.dockerfile);
    const text = await readInContext(source.contextDir, own);
    if (text !== undefined) return { text, from: own };
  } else if (source.addedDockerfile.file) {
    const file = source.addedDockerfile.file;
    const text = await readInContext(dirname(file), `${basename(file)}.dockerignore`);
    if (text !== undefined) return { text, from: `${file}.dockerignore` };
  }
  const text = await readInContext(source.contextDir, ".dockerignore");
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
          mode: info.isFile() ? mode : 0o644,
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

/** The Dockerfile of the context is a file there, found as the engine finds it; else a clear error. */
export async function checkDockerfile(source: ContextSource): Promise<void> {
  const { path, viaLink } = await resolveInContext(source.contextDir, source.dockerfile);
  let isFile = false;
  try {
    isFile = (await lstat(path)).isFile();
  } catch {
    // reported below
  }
  if (isFile) return;
  const why = viaLink ? " (its symbolic links are followed inside the context only)" : "";
  throw new Error(
    `cannot find the Dockerfile "${source.dockerfile}" in the build context ${source.contextDir}${why}`,
  );
}

/**
 * The context tar of a build plan. A Dockerfile from elsewhere is added under its name, and the tar's
 * .dockerignore lists it, so that the engine reads it and leaves it out of what COPY sees. When the rules
 * came from `<Dockerfile>.dockerignore`, the tar's .dockerignore carries them (the engine reads only that).
 * A .dockerignore that is not the context's own file lists itself too: the engine drops it after reading,
 * so COPY never sees text from another file (or from outside the context).
 */
export async function contextTar(plan: Pick<BuildPlan, keyof ContextSource>): Promise<Readable> {
  const ignore = await ignoreFileText(plan);
  const matcher = IgnoreMatcher.parse(ignore.text ?? "");
  const replaced = new Map<string, Uint8Array>();
  const own = ignore.from === ".dockerignore";
  if (plan.addedDockerfile) {
    const text = plan.addedDockerfile.text ?? (await readFile(plan.addedDockerfile.file as string, "utf8"));
    replaced.set(plan.dockerfile, Buffer.from(text));
    const base = ignore.text === undefined ? "" : `${ignore.text}\n`;
    replaced.set(".dockerignore", Buffer.from(`${base}${own ? "" : ".dockerignore\n"}${plan.dockerfile}\n`));
  } else if (ignore.text !== undefined && !own) {
    replaced.set(".dockerignore", Buffer.from(`${ignore.text}\n.dockerignore\n`));
  }
  // The Dockerfile must exist: say so before the engine does (its message names a temporary path).
  if (!plan.addedDockerfile) await checkDockerfile(plan);
  return tarStream(contextEntries(plan, matcher, replaced));
}
