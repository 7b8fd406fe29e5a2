// A small tar reader and writer for `cp` (the engine's archive API speaks tar both ways). Separate from the
// build context writer (src/project/build/tar.ts), which writes owners as 0:0: `cp -a` needs the files' own
// uid/gid, and `cp` from a container needs to read what the engine sends (ustar, pax 'x' and GNU 'L'/'K'
// long names). The root entry can be renamed both ways, as docker's cp rebases it (dst's base name).
import { createReadStream, createWriteStream } from "node:fs";
import {
  chmod,
  lchown,
  link,
  lstat,
  mkdir,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
} from "node:fs/promises";
import { join, posix } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

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
  let buffered = Buffer.alloc(0);
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let ended = false;
  const need = async (n: number): Promise<boolean> => {
    while (buffered.length < n && !ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else buffered = Buffer.concat([buffered, Buffer.from(next.value)]);
    }
    return buffered.length >= n;
  };
  const take = (n: number): Buffer => {
    const out = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return out;
  };
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
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
}

/**
 * Extracts a tar stream into the local directory `dir`, the archive's root entry `fromRoot` renamed
 * `toRoot` (docker's RebaseArchiveEntries). Owners are kept when running as root, as docker's cp does.
 */
export async function extractTar(
  stream: NodeJS.ReadableStream,
  dir: string,
  rename?: { from: string; to: string },
): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const dirs: { path: string; mtime: number }[] = [];
  await readTar(stream, async (entry, data) => {
    let name = posix.normalize(entry.path.replace(/\/+$/, ""));
    if (rename?.from === ".") name = name === "." ? rename.to : `${rename.to}/${name}`;
    else if (rename && (name === rename.from || name.startsWith(`${rename.from}/`))) {
      name = rename.to + name.slice(rename.from.length);
    }
    if (name.startsWith("../") || name === ".." || posix.isAbsolute(name)) return;
    const target = join(dir, name);
    const mode = entry.mode & 0o7777;
    switch (entry.type) {
      case "5":
        await mkdir(target, { recursive: true });
        await chmod(target, mode);
        dirs.push({ path: target, mtime: entry.mtime });
        break;
      case "2":
        await rm(target, { force: true });
        await symlink(entry.linkname, target);
        break;
      case "1":
        await rm(target, { force: true });
        await link(join(dir, entry.linkname), target);
        break;
      default: {
        await rm(target, { force: true, recursive: false }).catch(() => {});
        await pipeline(Readable.from([data]), createWriteStream(target, { mode }));
        await chmod(target, mode);
        await utimes(target, entry.mtime, entry.mtime);
      }
    }
    if (asRoot) await lchown(target, entry.uid, entry.gid).catch(() => {});
  });
  // Directories' times last: writing into them changed them.
  for (const d of dirs.reverse()) await utimes(d.path, d.mtime, d.mtime).catch(() => {});
}
