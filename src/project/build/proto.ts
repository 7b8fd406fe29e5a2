// The protocol buffers wire format (https://protobuf.dev/programming-guides/encoding/), the little of it
// that BuildKit's messages need: varints, length-delimited fields (strings, bytes, nested messages, maps)
// and the fixed widths skipped when read. Pure: bytes in, values out; the message layouts live with the
// code that reads them (trace.ts, session/).

/** One field of a message as read: its number and either a varint or the raw bytes of a length field. */
export type ProtoField =
  | { no: number; kind: "varint"; value: bigint }
  | { no: number; kind: "bytes"; value: Uint8Array }
  | { no: number; kind: "fixed"; value: Uint8Array };

export class ProtoError extends Error {
  constructor(message: string) {
    super(`invalid protobuf message: ${message}`);
    this.name = "ProtoError";
  }
}

function readVarint(buf: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const byte = buf[i] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7n;
  }
  throw new ProtoError("truncated varint");
}

/** The fields of one message, in wire order (a repeated field appears once per value). */
export function readFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new ProtoError("field number 0");
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      out.push({ no, kind: "varint", value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      const end = after + Number(length);
      if (end > buf.length) throw new ProtoError(`field ${no} runs past the end`);
      out.push({ no, kind: "bytes", value: buf.subarray(after, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      const end = at + (wire === 1 ? 8 : 4);
      if (end > buf.length) throw new ProtoError(`field ${no} runs past the end`);
      out.push({ no, kind: "fixed", value: buf.subarray(at, end) });
      at = end;
    } else {
      throw new ProtoError(`wire type ${wire} of field ${no}`);
    }
  }
  return out;
}

const decoder = new TextDecoder();

/** A length field as text ("" for anything else). */
export function text(field: ProtoField): string {
  return field.kind === "bytes" ? decoder.decode(field.value) : "";
}

/** A varint field as a number (0 for anything else); int64 values beyond 2^53 lose precision. */
export function int(field: ProtoField): number {
  if (field.kind !== "varint") return 0;
  const v = BigInt.asIntN(64, field.value);
  return Number(v);
}

/** A length field's bytes (empty for anything else). */
export function bytes(field: ProtoField): Uint8Array {
  return field.kind === "bytes" ? field.value : new Uint8Array(0);
}

/** A `map<string, string>` entry (field 1 the key, field 2 the value). */
export function mapEntry(field: ProtoField): [string, string] {
  let key = "";
  let value = "";
  for (const f of readFields(bytes(field))) {
    if (f.no === 1) key = text(f);
    else if (f.no === 2) value = text(f);
  }
  return [key, value];
}

/** A google.protobuf.Timestamp as milliseconds since the epoch. */
export function timestampMs(field: ProtoField): number {
  let seconds = 0;
  let nanos = 0;
  for (const f of readFields(bytes(field))) {
    if (f.no === 1) seconds = int(f);
    else if (f.no === 2) nanos = int(f);
  }
  return seconds * 1000 + nanos / 1e6;
}

/** Appends a varint's bytes; numbers below 2^31 without BigInt (the common case: tags, lengths, modes). */
function pushVarint(out: number[], value: number | bigint): void {
  if (typeof value === "number" && value >= 0 && value < 0x80000000) {
    let v = value;
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    return;
  }
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/** Builds one message field by field; `finish` gives its bytes. Zero values are written only when asked. */
export class ProtoWriter {
  /** Bytes not yet in `parts` (keys, varints), kept as numbers until a length field's value comes. */
  private pending: number[] = [];
  private readonly parts: Uint8Array[] = [];

  varint(no: number, value: number | bigint | boolean): this {
    pushVarint(this.pending, no << 3);
    pushVarint(this.pending, typeof value === "boolean" ? (value ? 1 : 0) : value);
    return this;
  }

  bytes(no: number, value: Uint8Array): this {
    pushVarint(this.pending, (no << 3) | 2);
    pushVarint(this.pending, value.length);
    this.parts.push(Uint8Array.from(this.pending), value);
    this.pending = [];
    return this;
  }

  string(no: number, value: string): this {
    return this.bytes(no, Buffer.from(value, "utf8"));
  }

  message(no: number, value: ProtoWriter): this {
    return this.bytes(no, value.finish());
  }

  /** One `map<string, string>` entry per key. */
  map(no: number, entries: Readonly<Record<string, string>>): this {
    for (const [key, value] of Object.entries(entries)) {
      this.message(no, new ProtoWriter().string(1, key).string(2, value));
    }
    return this;
  }

  finish(): Buffer {
    if (this.pending.length === 0) return Buffer.concat(this.parts);
    return Buffer.concat([...this.parts, Uint8Array.from(this.pending)]);
  }
}
