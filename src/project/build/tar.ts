// A streaming tar writer for build contexts: POSIX ustar headers, with a pax extended header ('x') before
// an entry whose path, link target or size does not fit ustar's fields. Entries come from an async
// iterable and are produced only as the reader asks for them (Readable.from pulls the generator), so a
// large context is never held in memory: one file's chunks at a time, with the consumer's back-pressure.
//
// Owners are written as 0:0 with empty names, as docker's client does for build contexts (the engine's
// classic builder then gives copied files to root unless `COPY --chown`). An entry may carry its own
// uid/gid instead (watch's sync sends the host files' owners).
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";

const BLOCK = 512;

/** Owner ids written in the header; 0:0 when absent. */
interface TarOwner {
  uid?: number;
  gid?: number;
}

export type TarEntry = TarOwner &
  (
    | { type: "file"; path: string; mode: number; mtime: number; size: number; source: FileSource }
    | { type: "directory"; path: string; mode: number; mtime: number }
    | { type: "symlink"; path: string; mode: number; mtime: number; target: string }
  );

/** Where a file's bytes come from: a path on disk (read as a stream) or bytes at hand. */
export type FileSource = { kind: "disk"; path: string } | { kind: "bytes"; data: Uint8Array };

const typeFlag = { file: "0", symlink: "2", directory: "5" } as const;

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, Math.min(length, Buffer.byteLength(value)), "utf8");
}

/** An octal number field: digits, zero-padded, then a NUL; undefined when it does not fit. */
function octal(value: number, length: number): string | undefined {
  const digits = Math.floor(value).toString(8);
  if (digits.length > length - 1) return undefined;
  return `${digits.padStart(length - 1, "0")}\0`;
}

/** Splits a long path into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a `/`, when it can. */
export function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: "", name: path };
  for (let at = path.indexOf("/"); at >= 0; at = path.indexOf("/", at + 1)) {
    const prefix = path.slice(0, at);
    const name = path.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) {
      return { prefix, name };
    }
  }
  return undefined;
}

/** One pax record: `<length> <key>=<value>\n`, the length counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + String(bodyLength).length;
  while (bodyLength + String(length).length !== length) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

interface HeaderFields {
  path: string;
  mode: number;
  size: number;
  mtime: number;
  type: string;
  linkname?: string;
  uid?: number;
  gid?: number;
}

function ustarHeader(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  const split = splitUstarPath(fields.path) ?? { prefix: "", name: fields.path.slice(0, 100) };
  writeString(block, 0, 100, split.name);
  writeString(block, 100, 8, octal(fields.mode & 0o7777, 8) ?? "0000000\0");
  writeString(block, 108, 8, octal(fields.uid ?? 0, 8) ?? "0000000\0");
  writeString(block, 116, 8, octal(fields.gid ?? 0, 8) ?? "0000000\0");
  writeString(block, 124, 12, octal(fields.size, 12) ?? "00000000000\0");
  writeString(block, 136, 12, octal(fields.mtime, 12) ?? "00000000000\0");
  block.fill(0x20, 148, 156); // the checksum field counts as spaces while summing
  writeString(block, 156, 1, fields.type);
  writeString(block, 157, 100, fields.linkname ?? "");
  writeString(block, 257, 6, "ustar\0");
  writeString(block, 263, 2, "00");
  writeString(block, 329, 8, octal(0, 8) as string);
  writeString(block, 337, 8, octal(0, 8) as string);
  writeString(block, 345, 155, split.prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The header block(s) of an entry: a pax 'x' header and its records first when ustar cannot say it all. */
export function entryHeader(entry: TarEntry): Buffer {
  const path = entry.type === "directory" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  const size = entry.type === "file" ? entry.size : 0;
  const linkname = entry.type === "symlink" ? entry.target : undefined;
  const records: string[] = [];
  if (!splitUstarPath(path) || !/^[\x20-\x7e]*$/.test(path)) records.push(paxRecord("path", path));
  if (linkname !== undefined && (Buffer.byteLength(linkname) > 100 || !/^[\x20-\x7e]*$/.test(linkname))) {
    records.push(paxRecord("linkpath", linkname));
  }
  if (octal(size, 12) === undefined) records.push(paxRecord("size", String(size)));
  for (const key of ["uid", "gid"] as const) {
    const id = entry[key];
    if (id !== undefined && octal(id, 8) === undefined) records.push(paxRecord(key, String(id)));
  }
  const header = ustarHeader({
    path,
    mode: entry.mode,
    size,
    mtime: Math.max(0, Math.floor(entry.mtime)),
    type: typeFlag[entry.type],
    ...(linkname !== undefined ? { linkname } : {}),
    ...(entry.uid !== undefined ? { uid: entry.uid } : {}),
    ...(entry.gid !== undefined ? { gid: entry.gid } : {}),
  });
  if (records.length === 0) return header;
  const data = Buffer.from(records.join(""));
  const paxName = `PaxHeaders/${path.replace(/\/$/, "").split("/").pop()?.slice(0, 80) ?? "entry"}`;
  const pax = ustarHeader({ path: paxName, mode: 0o644, size: data.length, mtime: 0, type: "x" });
  return Buffer.concat([pax, data, padding(data.length), header]);
}

async function* fileChunks(entry: Extract<TarEntry, { type: "file" }>): AsyncGenerator<Uint8Array> {
  if (entry.source.kind === "bytes") {
    yield entry.source.data;
    return;
  }
  let written = 0;
  // O_NOFOLLOW: a file swapped for a link since the walk saw it is not followed out of the context.
  const file = await open(entry.source.path, constants.O_RDONLY | constants.O_NOFOLLOW);
  for await (const chunk of file.createReadStream({ highWaterMark: 64 * 1024 })) {
    const bytes = chunk as Buffer;
    // A file that grew since it was measured is cut to the size in its header; one that shrank, padded.
    const take = Math.min(bytes.length, entry.size - written);
    if (take > 0) yield take === bytes.length ? bytes : bytes.subarray(0, take);
    written += take;
    if (written >= entry.size) break;
  }
  if (written < entry.size) yield Buffer.alloc(entry.size - written);
}

/** The archive's bytes, chunk by chunk: each entry's header, its data padded to 512, then two zero blocks. */
export async function* tarChunks(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    yield entryHeader(entry);
    if (entry.type === "file" && entry.size > 0) {
      for await (const chunk of fileChunks(entry))
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      yield padding(entry.size);
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** A readable tar stream over the entries, read lazily. */
export function tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}
