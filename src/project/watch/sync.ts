// The `sync` action of `watch` (develop.watch): makes running containers hold the host's state of changed
// paths, as 2.26.1's tar syncer does. A path gone from the host is removed with one `rm -rf` exec per
// container (run as the container's user, stderr attached, non-zero exit an error); the paths still there
// go in one tar, names relative to `/`, sent with PUT /containers/{id}/archive?path=/&copyUIDGID=true.
// Deletes come first. The tar keeps the host files' mode, mtime (whole seconds) and uid/gid; with
// copyUIDGID the engine gives them to the container's user when it has one (`user:`), and creates missing
// parent directories itself (0755, root), as it does for the reference.
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { basename, join, posix, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import { type TarEntry, tarStream } from "../build/tar.js";
import type { Engine, ExecRequest, OutputStream } from "../engine/index.js";

export interface PathMapping {
  hostPath: string;
  containerPath: string;
}

export interface SyncResult {
  /** Entries sent (files, directories, links), once whatever the number of containers. */
  copied: number;
  /** Container paths removed. */
  deleted: number;
}

/** What a host path is now (lstat: a link is a link, even when dangling). */
export type HostKind = "file" | "directory" | "symlink" | "missing";

export interface SyncPlan {
  /** Mappings whose host path is there, in order, none inside a directory another one sends. */
  copy: PathMapping[];
  /** Container paths to remove, none inside another removed one. */
  remove: string[];
}

/** `child` under `parent` (host paths), or undefined when it is not strictly inside it. */
function inside(parent: string, child: string): string | undefined {
  const rel = relative(parent, child);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || rel.startsWith(sep)) return undefined;
  return rel;
}

/**
 * Where the host path `hostPath` (the mapping's own or one under it) goes in the container. A single
 * path mapped to a target ending in `/` goes inside that directory, under its own name.
 */
export function containerPathFor(mapping: PathMapping, hostPath: string, kind: HostKind): string {
  if (hostPath === mapping.hostPath) {
    if (mapping.containerPath.endsWith("/") && kind !== "directory" && mapping.containerPath !== "/") {
      return mapping.containerPath + basename(hostPath);
    }
    return posix.normalize(mapping.containerPath);
  }
  const rel = inside(mapping.hostPath, hostPath);
  if (rel === undefined) throw new Error(`${hostPath} is not under ${mapping.hostPath}`);
  return posix.join(mapping.containerPath, rel.split(sep).join("/"));
}

/** A container path as named in a tar extracted at `/`: relative, clean, "" for `/` itself. */
export function tarName(containerPath: string): string {
  const clean = posix.normalize(`/${containerPath}`).replace(/^\/+/, "");
  return clean.replace(/\/+$/, "");
}

/**
 * Copy or delete, per mapping: a path that is there is copied, a missing one removed. A mapping another
 * one already covers is dropped: a path under a copied directory (or a missing one under a removed
 * directory) that lands where that directory's walk puts it. Exact duplicates count once; `/` is never
 * removed.
 */
export function planSync(items: readonly { mapping: PathMapping; kind: HostKind }[]): SyncPlan {
  type Item = { mapping: PathMapping; kind: HostKind };
  const covers = (outer: Item, item: Item) => {
    const { hostPath } = item.mapping;
    if (inside(outer.mapping.hostPath, hostPath) === undefined) return false;
    const there = containerPathFor(outer.mapping, hostPath, item.kind);
    return tarName(there) === tarName(containerPathFor(item.mapping, hostPath, item.kind));
  };
  const copy: PathMapping[] = [];
  const remove: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const present = item.kind !== "missing";
    const key = `${present}\0${item.mapping.hostPath}\0${item.mapping.containerPath}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const covered = items.some(
      (outer) =>
        outer !== item &&
        (present ? outer.kind === "directory" : outer.kind === "missing") &&
        covers(outer, item),
    );
    if (covered) continue;
    if (present) copy.push(item.mapping);
    else {
      const path = containerPathFor(item.mapping, item.mapping.hostPath, "missing");
      // Never the container's `/` itself.
      if (tarName(path) !== "") remove.push(path);
    }
  }
  return { copy, remove };
}

/** The command that removes the paths in a container, none when there is nothing to remove. */
export function removeCommand(paths: readonly string[]): string[] | undefined {
  return paths.length === 0 ? undefined : ["rm", "-rf", ...paths];
}

/** One entry per tar name, the last one given winning, in the order of the winners. */
export function dedupeByName<T extends { path: string }>(entries: readonly T[]): T[] {
  const last = new Map<string, number>();
  for (const [index, entry] of entries.entries()) last.set(entry.path, index);
  return entries.filter((entry, index) => last.get(entry.path) === index);
}

/** A host file or link as it will be sent: metadata now, a file's bytes read when the tar asks. */
export type SyncEntry =
  | { type: "directory"; path: string; mode: number; mtime: number; uid: number; gid: number }
  | { type: "symlink"; path: string; mode: number; mtime: number; uid: number; gid: number; target: string }
  | {
      type: "file";
      path: string;
      mode: number;
      mtime: number;
      uid: number;
      gid: number;
      size: number;
      hostPath: string;
    };

type Ignored = (hostPath: string, isDirectory: boolean) => boolean;

async function kindOf(hostPath: string): Promise<HostKind> {
  try {
    const st = await lstat(hostPath);
    if (st.isDirectory()) return "directory";
    if (st.isSymbolicLink()) return "symlink";
    return "file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    throw new Error(`inspecting ${JSON.stringify(hostPath)}: ${(error as Error).message}`);
  }
}

/**
 * The entries of the mappings' host paths: a directory walked in name order (its entry before its
 * contents, `ignored` ones skipped with what is under them), a link as a link, sockets and other special
 * files left out. A path gone meanwhile is left out too.
 */
export async function collectEntries(
  mappings: readonly PathMapping[],
  ignored?: Ignored,
): Promise<SyncEntry[]> {
  const out: SyncEntry[] = [];
  async function visit(mapping: PathMapping, hostPath: string, root: boolean): Promise<void> {
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(hostPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return;
      throw new Error(`inspecting ${JSON.stringify(hostPath)}: ${(error as Error).message}`);
    }
    const isDirectory = st.isDirectory();
    if (!root && ignored?.(hostPath, isDirectory)) return;
    const kind: HostKind = isDirectory ? "directory" : st.isSymbolicLink() ? "symlink" : "file";
    const path = tarName(containerPathFor(mapping, hostPath, kind));
    const base = { path, mode: st.mode, mtime: Math.floor(st.mtimeMs / 1000), uid: st.uid, gid: st.gid };
    if (st.isSymbolicLink()) {
      out.push({ type: "symlink", ...base, target: await readlink(hostPath) });
    } else if (st.isFile()) {
      out.push({ type: "file", ...base, size: st.size, hostPath });
    } else if (isDirectory) {
      // `/` itself is no entry; what is under it is.
      if (path !== "") out.push({ type: "directory", ...base });
      let names: string[];
      try {
        names = await readdir(hostPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw new Error(`walking ${JSON.stringify(hostPath)}: ${(error as Error).message}`);
      }
      for (const name of names.sort()) await visit(mapping, join(hostPath, name), false);
    }
  }
  for (const mapping of mappings) await visit(mapping, mapping.hostPath, true);
  return dedupeByName(out);
}

// Files this small are read whole just before their header is written, so the size in the header is
// the size sent, and a file gone by then is left out (larger ones are streamed from disk).
const READ_WHOLE = 5_000_000;

/** The tar of the entries, a small file's bytes read only when the tar gets to it. */
export function syncTar(entries: readonly SyncEntry[]): Readable {
  return tarStream(tarEntries(entries));
}

async function* tarEntries(entries: readonly SyncEntry[]): AsyncGenerator<TarEntry> {
  for (const entry of entries) {
    if (entry.type !== "file") {
      yield entry;
      continue;
    }
    const { hostPath, ...header } = entry;
    if (entry.size >= READ_WHOLE) {
      yield { ...header, source: { kind: "disk", path: hostPath } };
      continue;
    }
    let data: Buffer;
    try {
      const file = await open(hostPath, "r");
      try {
        data = await file.readFile();
      } finally {
        await file.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    yield { ...header, size: data.length, source: { kind: "bytes", data } };
  }
}

/**
 * Runs a command in the container (no TTY, no stdin), its output to `onOutput`, and resolves with its exit
 * code once the engine has recorded it; a process still running after that wait is an error.
 */
export async function execIn(
  engine: Engine,
  id: string,
  request: Omit<ExecRequest, "Tty" | "AttachStdin">,
  onOutput: (stream: OutputStream, chunk: Buffer) => void,
): Promise<number | null> {
  const exec = await engine.createExec(id, { ...request, Tty: false });
  const attachment = await engine.startExec(exec, { tty: false, stdin: false });
  const done = new Promise<void>((resolve) => {
    attachment.output.on("end", resolve);
    attachment.output.on("close", resolve);
    attachment.output.on("error", () => resolve());
  });
  engine.demux(attachment.output, onOutput);
  try {
    await done;
  } finally {
    attachment.close();
  }
  let inspected = await engine.inspectExec(exec);
  // The engine records the exit a moment after the output ends.
  for (let tries = 0; inspected.running && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10 + tries));
    inspected = await engine.inspectExec(exec);
  }
  if (inspected.running) throw new Error("process still running");
  return inspected.exitCode;
}

/** Runs `rm -rf` in the container; its exit code (and what it printed) makes the error. */
async function removeIn(engine: Engine, id: string, command: string[]): Promise<void> {
  const printed: Buffer[] = [];
  // The engine writes a failed start (no `rm` in the image) on the stdout stream.
  const code = await execIn(
    engine,
    id,
    { Cmd: command, AttachStdout: false, AttachStderr: true },
    (_s, chunk) => printed.push(chunk),
  );
  if (code !== 0) {
    const text = Buffer.concat(printed).toString("utf8").trim().split(/\r?\n/).join("; ");
    throw new Error(`exit code ${code ?? "unknown"}${text ? `: ${text}` : ""}`);
  }
}

/**
 * Makes each container hold the host's state of these paths: an existing host path (file, directory
 * recursively, symlink as a link) is copied, a missing one removed in the container (`rm -rf`). One
 * archive upload and at most one delete exec per container per call, containers in parallel; the error
 * names each container that failed.
 */
export async function syncPaths(
  engine: Engine,
  containerIds: readonly string[],
  mappings: readonly PathMapping[],
  options: { ignored?: Ignored } = {},
): Promise<SyncResult> {
  const kinds = await Promise.all(mappings.map((mapping) => kindOf(mapping.hostPath)));
  const plan = planSync(mappings.map((mapping, i) => ({ mapping, kind: kinds[i] as HostKind })));
  const entries = await collectEntries(plan.copy, options.ignored);
  const command = removeCommand(plan.remove);
  const results = await Promise.allSettled(
    containerIds.map(async (id) => {
      if (command) {
        try {
          await removeIn(engine, id, command);
        } catch (error) {
          throw new Error(`deleting paths in ${id}: ${(error as Error).message}`);
        }
      }
      if (entries.length === 0) return;
      try {
        await engine.putArchive(id, "/", syncTar(entries), { copyUIDGID: true });
      } catch (error) {
        throw new Error(`copying files to ${id}: ${(error as Error).message}`);
      }
    }),
  );
  const failures = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as Error).message] : []));
  if (failures.length > 0) throw new Error(failures.join("; "));
  return { copied: entries.length, deleted: plan.remove.length };
}
