// A small tar reader and writer for `cp` (the engine's archive API speaks tar both ways). Separate from the
// build context writer (src/project/build/tar.ts), which writes owners as 0:0: `cp -a` needs the files' own
// uid/gid, and `cp` from a container needs to read what the engine sends (ustar, pax 'x' and GNU 'L'/'K'
// long names). The root entry can be renamed both ways, as docker's cp rebases it (dst's base name). What a
// container sends is untrusted: extraction stays inside its directory and never goes through a link.
import { constants, createReadStream, type Stats } from "node:fs";
import {
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  readlink,
  stat,
  symlink,
  unlink,
} from "node:fs/promises";
import { join, posix, resolve } from "node:path";
import { Readable } from "node:stream";

const BLOCK = 512;

// ------------------------------------------------------------------------------------------------ writer

interface Header {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: "0" | "2" | "5" | "x";
  linkname?: string;
}

function octal(value: number, length: number): string {
  return `${Math.max(0, Math.floor(value))
    .toString(8)
    .padStart(length - 1, "0")}\0`;
}

function headerBlock(h: Header): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.path.slice(0, 100), 0, "utf8");
  block.write(octal(h.mode & 0o7777, 8), 100, "ascii");
  block.write(octal(h.uid, 8), 108, "ascii");
  block.write(octal(h.gid, 8), 116, "ascii");
  block.write(octal(h.size, 12), 124, "ascii");
  block.write(octal(h.mtime, 12), 136, "ascii");
  block.write("        ", 148, "ascii");
  block.write(h.type, 156, "ascii");
  if (h.linkname) block.write(h.linkname.slice(0, 100), 157, "utf8");
  block.write("ustar\u000000", 257, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length)
    length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

const pad = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

function entryHeader(h: Header): Buffer {
  const records: string[] = [];
  if (Buffer.byteLength(h.path) > 100) records.push(paxRecord("path", h.path));
  if (h.linkname && Buffer.byteLength(h.linkname) > 100) records.push(paxRecord("linkpath", h.linkname));
  if (records.length === 0) return headerBlock(h);
  const data = Buffer.from(records.join(""));
  const pax = headerBlock({
    path: "PaxHeader",
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    mtime: 0,
    type: "x",
  });
  return Buffer.concat([pax, data, pad(data.length), headerBlock(h)]);
}

/**
 * A tar of the local `source` (a file, a directory with everything under it, or a symbolic link itself
 * unless `follow`), its root entry named `rootName` ("." puts a directory's contents at the top).
 */
export function tarLocal(source: string, rootName: string, follow: boolean): Readable {
  // Names in the tar stay relative, without "..": the root's own, then directory entries' (never "/" nor "..").
  if (rootName.includes("/") || entryPath(rootName) !== rootName) {
    throw new UnsafeArchiveError(`invalid name in archive: ${JSON.stringify(rootName)}`);
  }
  async function* entries(file: string, name: string, root: boolean): AsyncGenerator<Buffer> {
    const st = root && follow ? await stat(file) : await lstat(file);
    const base = { mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000 };
    if (st.isSymbolicLink()) {
      yield entryHeader({ ...base, path: name, size: 0, type: "2", linkname: await readlink(file) });
    } else if (st.isDirectory()) {
      if (name !== ".") yield entryHeader({ ...base, path: `${name}/`, size: 0, type: "5" });
      for (const child of (await readdir(file)).sort()) {
        yield* entries(join(file, child), name === "." ? child : `${name}/${child}`, false);
      }
    } else if (st.isFile()) {
      yield entryHeader({ ...base, path: name, size: st.size, type: "0" });
      let written = 0;
      for await (const chunk of createReadStream(file)) {
        const bytes = chunk as Buffer;
        const take = Math.min(bytes.length, st.size - written);
        if (take > 0) yield bytes.subarray(0, take);
        written += take;
      }
      if (written < st.size) yield Buffer.alloc(st.size - written);
      yield pad(st.size);
    }
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* entries(source, rootName, true);
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(all(), { objectMode: false });
}

// ------------------------------------------------------------------------------------------------ reader

export interface TarEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
}

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString("utf8");
}

function number(block: Buffer, offset: number, length: number): number {
  if ((block[offset] ?? 0) & 0x80) {
    // base-256 (GNU) for big values
    let n = 0;
    for (let i = offset + 1; i < offset + length; i++) n = n * 256 + (block[i] ?? 0);
    return n;
  }
  const text = field(block, offset, length).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = data.toString("utf8");
  while (rest.length) {
    const space = rest.indexOf(" ");
    const length = Number.parseInt(rest.slice(0, space), 10);
    if (!(length > 0)) break;
    const record = Buffer.from(rest).subarray(0, length).toString("utf8");
    const body = record.slice(space + 1, -1);
    const eq = body.indexOf("=");
    out[body.slice(0, eq)] = body.slice(eq + 1);
    rest = Buffer.from(rest).subarray(length).toString("utf8");
  }
  return out;
}

/** Reads a tar stream entry by entry; `onEntry` gets each entry and its data (files only) in order. */
export async function readTar(
  stream: NodeJS.ReadableStream,
  onEntry: (entry: TarEntry, data: Buffer) => Promise<void>,
): Promise<void> {
  // Chunks kept apart until taken: joining each one as it comes made big files quadratic.
  let chunks: Buffer[] = [];
  let buffered = 0;
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let ended = false;
  const need = async (n: number): Promise<boolean> => {
    while (buffered < n && !ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else {
        const chunk = Buffer.from(next.value);
        chunks.push(chunk);
        buffered += chunk.length;
      }
    }
    return buffered >= n;
  };
  const take = (n: number): Buffer => {
    const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    chunks = [all.subarray(n)];
    buffered = all.length - Math.min(n, all.length);
    return all.subarray(0, n);
  };
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      if (!(await need(BLOCK))) return;
      const block = take(BLOCK);
      if (block.every((b) => b === 0)) return;
      const type = field(block, 156, 1) || "0";
      const size = number(block, 124, 12);
      const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
      await need(padded);
      const data = Buffer.from(take(padded).subarray(0, size));
      if (type === "x") {
        pax = { ...pax, ...parsePax(data) };
        continue;
      }
      if (type === "g") continue;
      if (type === "L" || type === "K") {
        const text = data.toString("utf8").replace(/\0+$/, "");
        if (type === "L") longName = text;
        else longLink = text;
        continue;
      }
      const prefix = field(block, 345, 155);
      const name = field(block, 0, 100);
      const entry: TarEntry = {
        path: pax.path ?? longName ?? (prefix ? `${prefix}/${name}` : name),
        type,
        mode: number(block, 100, 8),
        uid: number(block, 108, 8),
        gid: number(block, 116, 8),
        size: pax.size ? Number(pax.size) : size,
        mtime: pax.mtime ? Number(pax.mtime) : number(block, 136, 12),
        linkname: pax.linkpath ?? longLink ?? field(block, 157, 100),
      };
      pax = {};
      longName = undefined;
      longLink = undefined;
      await onEntry(entry, data);
    }
  } catch (error) {
    // Stop reading (an engine response is closed, not left hanging).
    await iterator.return?.();
    throw error;
  }
}

// ------------------------------------------------------------------------------------------------ extraction

/** docker's RebaseArchiveEntries: the archive's root entry `from` ("." for all of it) renamed `to`. */
export interface Rename {
  from: string;
  to: string;
}

/** A tar entry that would write outside the extraction directory, or through a link: nothing more is written. */
export class UnsafeArchiveError extends Error {}

/**
 * Where a tar entry's path (or a hard link's target) goes under the extraction directory: relative and
 * cleaned ("." for the directory itself), its root renamed. Undefined when it is absolute or has a ".."
 * element, which could climb out of the directory.
 */
export function entryPath(path: string, rename?: Rename): string | undefined {
  const clean = (p: string): string | undefined => {
    if (p.startsWith("/")) return undefined;
    const parts = p.split("/").filter((part) => part !== "" && part !== ".");
    return parts.includes("..") ? undefined : parts.join("/") || ".";
  };
  const name = clean(path);
  if (name === undefined || !rename) return name;
  if (rename.from === ".") return clean(name === "." ? rename.to : `${rename.to}/${name}`);
  if (name === rename.from || name.startsWith(`${rename.from}/`)) {
    return clean(rename.to + name.slice(rename.from.length));
  }
  return name;
}

/**
 * Whether symbolic link `name` → `target` (`name` as entryPath gives it) points inside the extraction
 * directory, its target joined to the link's own directory as docker's archive code does (so an absolute
 * target, a path in the container's root, is taken inside).
 */
export function symlinkInside(name: string, target: string): boolean {
  const resolved = posix.join(posix.dirname(name), target);
  return resolved !== ".." && !resolved.startsWith("../");
}

const { O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY } = constants;

async function lstatOrNothing(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Extracts a tar stream into the local directory `dir`, the archive's root entry renamed as `rename` says.
 * Like docker's cp (NoLchown, NoOverwriteDirNonDir): files get the invoking user as owner, a directory is
 * never replaced by a non-directory nor a non-directory by a directory, the directory itself keeps its
 * mode, and a symbolic link climbing out of `dir` is refused. Beyond it, nothing is ever written, created or
 * changed through a symbolic link, whether it was already there or made by the archive: every parent of an
 * entry must be a real directory (checked with lstat), files are created with O_EXCL|O_NOFOLLOW and modes
 * set through the new file's descriptor.
 */
export async function extractTar(stream: NodeJS.ReadableStream, dir: string, rename?: Rename): Promise<void> {
  const root = resolve(dir);
  // Real directories under root, as checked or made: none is ever removed or replaced meanwhile.
  const checked = new Set<string>([root]);
  const dirs: { path: string; mtime: number }[] = [];
  /** The first parent of `name` that is not a real directory (missing ones are made, 0755, if `make`). */
  const badParent = async (name: string, make: boolean): Promise<string | undefined> => {
    let path = root;
    for (const part of name.split("/").slice(0, -1)) {
      path = join(path, part);
      if (checked.has(path)) continue;
      const st = await lstatOrNothing(path);
      if (!st && make) await mkdir(path, 0o755);
      else if (!st?.isDirectory()) return path;
      checked.add(path);
    }
    return undefined;
  };
  await readTar(stream, async (entry, data) => {
    const name = entryPath(entry.path, rename);
    if (name === undefined) {
      throw new UnsafeArchiveError(`${JSON.stringify(entry.path)} is outside of ${JSON.stringify(root)}`);
    }
    const target = join(root, name);
    const isDir = entry.type === "5";
    let linkTarget = "";
    if (entry.type === "2" && !symlinkInside(name, entry.linkname)) {
      throw new UnsafeArchiveError(
        `invalid symlink ${JSON.stringify(target)} -> ${JSON.stringify(entry.linkname)}`,
      );
    }
    if (entry.type === "1") {
      const linked = entryPath(entry.linkname, rename);
      linkTarget = join(root, linked ?? entry.linkname);
      if (linked === undefined || linked === "." || (await badParent(linked, false))) {
        throw new UnsafeArchiveError(
          `invalid hardlink ${JSON.stringify(linkTarget)} -> ${JSON.stringify(entry.linkname)}`,
        );
      }
    }
    const notDir = name === "." ? undefined : await badParent(name, true);
    if (notDir) {
      throw new UnsafeArchiveError(
        `cannot overwrite non-directory ${JSON.stringify(notDir)} with directory ${JSON.stringify(root)}`,
      );
    }
    const existing = await lstatOrNothing(target);
    if (existing?.isDirectory() && !isDir) {
      throw new UnsafeArchiveError(
        `cannot overwrite directory ${JSON.stringify(target)} with non-directory ${JSON.stringify(root)}`,
      );
    }
    if (existing && !existing.isDirectory()) {
      if (isDir) {
        throw new UnsafeArchiveError(
          `cannot overwrite non-directory ${JSON.stringify(target)} with directory ${JSON.stringify(root)}`,
        );
      }
      await unlink(target);
    }
    const mode = entry.mode & 0o7777;
    switch (entry.type) {
      case "5": {
        if (name === ".") return;
        if (!existing) await mkdir(target, 0o700);
        checked.add(target);
        const handle = await open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        await handle.chmod(mode).finally(() => handle.close());
        dirs.push({ path: target, mtime: entry.mtime });
        return;
      }
      case "2":
        await symlink(entry.linkname, target);
        await lutimes(target, entry.mtime, entry.mtime).catch(() => {});
        return;
      case "1":
        await link(linkTarget, target);
        return;
      default: {
        const handle = await open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
        try {
          await handle.writeFile(data);
          await handle.chmod(mode);
          await handle.utimes(entry.mtime, entry.mtime);
        } finally {
          await handle.close();
        }
      }
    }
  });
  // Directories' times last: writing into them changed them.
  for (const d of dirs.reverse()) await lutimes(d.path, d.mtime, d.mtime).catch(() => {});
}
