// Where a followed container log has been read to. Engine 20.10 sometimes ends a `follow` stream before the
// last messages of a container that stopped (its json-file follower gives up on a message it caught half
// written: "got error while decoding json … unexpected EOF" in the daemon's log, and the rest is never
// sent). The reader asks for the engine's timestamps (one per message, at the start of its frame), keeps
// how many messages it printed per millisecond over the last second of the log, and once the stream has
// ended asks again for what came `since` a second before the latest message, skipping as many messages as
// it printed from then on. The engine answers in the order of its log file, and the stream's messages were
// a beginning of that file: the skipped ones are the printed ones, whatever their times (stdout's and
// stderr's copiers stamp their messages apart, so the file's times are not in order across the two).
// Pure: the pieces in, the pieces out.
import type { OutputStream } from "../../project/engine/types.js";

/** Nanoseconds since the epoch of an RFC 3339 time as the engine writes it; undefined when unreadable. */
export function timestampNanos(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** The engine's `since` parameter for a time in nanoseconds: "seconds.nanoseconds". */
export function sinceParameter(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const rest = nanos % 1_000_000_000n;
  return `${seconds}.${rest.toString().padStart(9, "0")}`;
}

/** How far back before the latest message the second read starts (the times' disorder stays far below). */
const windowMs = 1000;

export class LogCursor {
  /** The latest message's millisecond, and the first message's time (the reads' `tail` cut before it). */
  private latestMs: number | undefined;
  private firstMs: number | undefined;
  /** Messages printed per millisecond of their time, the last `windowMs` before the latest. */
  private readonly recent = new Map<number, number>();
  /** While catching up: the messages still to skip (they were printed). */
  private toSkip = 0;
  private catchingUp = false;
  /** Per stream: the start of a message's timestamp cut off by the end of a piece. */
  private readonly pending = new Map<OutputStream, string>();
  /** Per stream: the current message is one printed before (read again), dropped whole. */
  private readonly dropping = new Map<OutputStream, boolean>();

  /** `keepTimestamps`: the user asked for them (`--timestamps`); else they are taken off. */
  constructor(
    private readonly keepTimestamps: boolean,
    private readonly write: (stream: OutputStream, chunk: Buffer) => void,
  ) {}

  /** A piece of the log read with timestamps; `start`: it begins a message. */
  feed(stream: OutputStream, chunk: Buffer, start: boolean): void {
    let piece = chunk;
    let stamp = this.pending.get(stream);
    if (start) stamp = "";
    if (stamp === undefined) {
      if (!this.dropping.get(stream)) this.write(stream, piece);
      return;
    }
    const space = piece.indexOf(0x20);
    if (space < 0) {
      this.pending.set(stream, stamp + piece.toString("latin1"));
      return;
    }
    this.pending.delete(stream);
    const drop = !this.take(timestampNanos(stamp + piece.subarray(0, space).toString("latin1")));
    this.dropping.set(stream, drop);
    if (drop) return;
    if (this.keepTimestamps) {
      if (stamp) this.write(stream, Buffer.from(stamp, "latin1"));
    } else piece = piece.subarray(space + 1);
    if (piece.length > 0) this.write(stream, piece);
  }

  /** Whether a message is printed; noted when it is. */
  private take(nanos: bigint | undefined): boolean {
    if (this.catchingUp) {
      if (this.toSkip === 0) return true;
      this.toSkip--;
      return false;
    }
    if (nanos === undefined) return true;
    const ms = Number(nanos / 1_000_000n);
    this.firstMs ??= ms;
    this.recent.set(ms, (this.recent.get(ms) ?? 0) + 1);
    if (this.latestMs === undefined || ms > this.latestMs) {
      this.latestMs = ms;
      // Oldest first (as added, times mostly rising): dropped once out of the window.
      for (const key of this.recent.keys()) {
        if (key >= ms - windowMs) break;
        this.recent.delete(key);
      }
    }
    return true;
  }

  /**
   * The stream has ended: where the next read starts (`since`; undefined when no message was read, the
   * first read's own start then) and, from now on, the messages printed since then are skipped.
   */
  catchUp(): string | undefined {
    this.catchingUp = true;
    this.pending.clear();
    this.dropping.clear();
    if (this.latestMs === undefined || this.firstMs === undefined) return undefined;
    const fromMs = Math.max(this.latestMs - windowMs, this.firstMs);
    for (const [ms, count] of this.recent) if (ms >= fromMs) this.toSkip += count;
    return sinceParameter(BigInt(fromMs) * 1_000_000n);
  }
}
