import { describe, expect, it } from "vitest";
import { FrameDemuxer } from "../../../src/project/engine/frames.js";
import type { OutputStream } from "../../../src/project/engine/types.js";

function frame(kind: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function collect() {
  const got: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const demuxer = new FrameDemuxer((kind, chunk) => got[kind].push(Buffer.from(chunk)));
  const text = (kind: OutputStream) => Buffer.concat(got[kind]).toString();
  return { demuxer, got, text };
}

describe("FrameDemuxer", () => {
  it("splits stdout and stderr frames however the bytes are cut", () => {
    const stream = Buffer.concat([
      frame(1, "out one\n"),
      frame(2, "err one\n"),
      frame(1, ""),
      frame(1, "out two\npartial"),
      frame(2, "é\n"),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      for (const size of [1, 3, 7, 8, 9, 64]) {
        const { demuxer, text } = collect();
        demuxer.write(stream.subarray(0, cut));
        for (let at = cut; at < stream.length; at += size) demuxer.write(stream.subarray(at, at + size));
        expect(text("stdout")).toBe("out one\nout two\npartial");
        expect(text("stderr")).toBe("err one\né\n");
        expect(demuxer.buffered).toBe(0);
      }
    }
  });

  it("passes a frame's payload on as it arrives, holding at most a cut header", () => {
    const { demuxer, got } = collect();
    const big = frame(1, Buffer.alloc(1_000_000, "x"));
    let delivered = 0;
    for (let at = 0; at < big.length; at += 65_536) {
      demuxer.write(big.subarray(at, at + 65_536));
      const now = got.stdout.reduce((n, c) => n + c.length, 0);
      // Everything but the header is out after each chunk: nothing waits for the frame's end.
      expect(now).toBe(Math.min(big.length, at + 65_536) - 8);
      expect(now).toBeGreaterThan(delivered);
      delivered = now;
    }
    const headerThenByte = frame(2, "ab");
    for (let i = 0; i < 7; i++) {
      demuxer.write(headerThenByte.subarray(i, i + 1));
      expect(demuxer.buffered).toBe(i + 1);
    }
    demuxer.write(headerThenByte.subarray(7, 9));
    expect(demuxer.buffered).toBe(0);
    expect(got.stderr.map(String)).toEqual(["a"]);
  });

  it("hands out views of the chunks, not copies", () => {
    const views: Buffer[] = [];
    const demuxer = new FrameDemuxer((_kind, chunk) => views.push(chunk));
    const chunk = Buffer.concat([frame(1, "one\n"), frame(2, "two\n")]);
    demuxer.write(chunk);
    expect(views.map(String)).toEqual(["one\n", "two\n"]);
    for (const v of views) expect(v.buffer).toBe(chunk.buffer);
  });
});
