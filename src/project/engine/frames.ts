// The engine's multiplexed stream format (logs, attach and exec without a TTY): frames of an 8-byte header
// (stream type 0 stdin, 1 stdout, 2 stderr; 3 zero bytes; big-endian payload length) then the payload.
import type { OutputStream } from "./types.js";

/**
 * Splits a multiplexed byte stream into stdout and stderr incrementally: a frame's payload is passed on
 * as its bytes arrive (views of the chunks, not copies), so nothing is held but a header cut between two
 * chunks (at most 7 bytes), whatever the size of the frames.
 */
export class FrameDemuxer {
  private readonly header = Buffer.alloc(8);
  private headerBytes = 0;
  /** Payload bytes of the current frame not seen yet. */
  private remaining = 0;
  private kind: OutputStream = "stdout";
  /** The next piece passed on is the first of its frame. */
  private first = false;

  /** `start`: the piece begins a frame (for logs, one message of the container's log). */
  constructor(private readonly onData: (stream: OutputStream, chunk: Buffer, start: boolean) => void) {}

  /** Bytes held back, waiting for the rest of a frame header. */
  get buffered(): number {
    return this.headerBytes;
  }

  write(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const end = Math.min(chunk.length, at + this.remaining);
        this.remaining -= end - at;
        const start = this.first;
        this.first = false;
        this.onData(this.kind, chunk.subarray(at, end), start);
        at = end;
        continue;
      }
      if (this.headerBytes === 0 && chunk.length - at >= 8) {
        this.startFrame(chunk, at);
        at += 8;
        continue;
      }
      const take = Math.min(8 - this.headerBytes, chunk.length - at);
      chunk.copy(this.header, this.headerBytes, at, at + take);
      this.headerBytes += take;
      at += take;
      if (this.headerBytes === 8) {
        this.headerBytes = 0;
        this.startFrame(this.header, 0);
      }
    }
  }

  private startFrame(header: Buffer, at: number): void {
    this.kind = header[at] === 2 ? "stderr" : "stdout";
    this.remaining = header.readUInt32BE(at + 4);
    this.first = true;
  }
}
