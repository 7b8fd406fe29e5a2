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

/**
 * How far a container's log has been printed: the first and latest messages' milliseconds, and how many
 * messages were printed per millisecond over the last `windowMs` before the latest.
 */
export class LogPosition {
  private latestMs: number | undefined;
  private firstMs: number | undefined;
  private readonly recent = new Map<number, number>();

  /** A message of this time was printed. */
  note(nanos: bigint): void {
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
  }

  /**
   * Where a read that goes on from here starts (`since`; undefined when nothing was printed) and how many of
   * its first messages were printed already.
   */
  resume(): { since?: string; skip: number } {
    if (this.latestMs === undefined || this.firstMs === undefined) return { skip: 0 };
    const fromMs = Math.max(this.latestMs - windowMs, this.firstMs);
    let skip = 0;
    for (const [ms, count] of this.recent) if (ms >= fromMs) skip += count;
    return { since: sinceParameter(BigInt(fromMs) * 1_000_000n), skip };
  }

  /** Just after the latest message printed (a TTY's log, read without the skip count). */
  after(): string | undefined {
    return this.latestMs === undefined ? undefined : sinceParameter(BigInt(this.latestMs + 1) * 1_000_000n);
  }
}

export class LogCursor {
  /** The messages still to skip: printed before, read again. */
  private toSkip = 0;
  /** Per stream: the start of a message's timestamp cut off by the end of a piece. */
  private readonly pending = new Map<OutputStream, string>();
  /** Per stream: the current message is one printed before (read again), dropped whole. */
  private readonly dropping = new Map<OutputStream, boolean>();

  /** `keepTimestamps`: the user asked for them (`--timestamps`); else they are taken off. */
  constructor(
    private readonly keepTimestamps: boolean,
    private readonly write: (stream: OutputStream, chunk: Buffer) => void,
    readonly position: LogPosition = new LogPosition(),
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
    if (this.toSkip > 0) {
      this.toSkip--;
      return false;
    }
    if (nanos !== undefined) this.position.note(nanos);
    return true;
  }

  /**
   * A new read goes on from the position (the stream ended, or another read printed the log so far): where
   * it starts (`since`; undefined when nothing was printed: the first read's own start then); the messages
   * printed since then are skipped.
   */
  catchUp(): string | undefined {
    this.pending.clear();
    this.dropping.clear();
    const { since, skip } = this.position.resume();
    this.toSkip = skip;
    return since;
  }
}
