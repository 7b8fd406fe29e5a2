import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { afterDie, LogPrinter } from "../../../src/cli/render/log-printer.js";
import type { LogStream } from "../../../src/project/engine/types.js";

/** A sink that records its writes; `full` makes write() answer false, as a Writable beyond its mark. */
class Sink extends EventEmitter {
  writes: string[] = [];
  full = false;
  write(text: string): boolean {
    this.writes.push(text);
    return !this.full;
  }
  get text(): string {
    return this.writes.join("");
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function source(): LogStream & { paused: boolean } {
  const s = {
    paused: false,
    done: Promise.resolve(),
    close() {},
    pause() {
      s.paused = true;
    },
    resume() {
      s.paused = false;
    },
  };
  return s;
}

describe("LogPrinter streaming", () => {
  it("prints a chunk's lines before the stream ends, in one write, keeping only the partial line", async () => {
    const sink = new Sink();
    const printer = new LogPrinter(sink, { color: false, prefix: true });
    printer.register("app-1");
    const feed = printer.feed("app-1");
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    feed.write(Buffer.from(`${lines.join("\n")}\nhalf`));
    await tick();
    // One write for the whole chunk, every complete line in it, the partial line held back.
    expect(sink.writes).toHaveLength(1);
    expect(sink.text).toBe(lines.map((l) => `app-1  | ${l}\n`).join(""));
    feed.write(Buffer.from(" done\n"));
    await tick();
    expect(sink.writes).toHaveLength(2);
    expect(sink.writes[1]).toBe("app-1  | half done\n");
    feed.end();
    expect(sink.writes).toHaveLength(2);
  });

  it("batches the lines of many small frames read at once into one write", async () => {
    const sink = new Sink();
    const printer = new LogPrinter(sink, { color: false, prefix: true });
    printer.register("a-1", "b-1");
    const [a, b] = [printer.feed("a-1"), printer.feed("b-1")];
    // The engine's log frames are one line each: one read of its stream delivers hundreds of them.
    for (let i = 0; i < 500; i++) (i % 2 ? b : a).write(Buffer.from(`${i}\n`));
    expect(sink.writes).toHaveLength(0);
    await Promise.resolve();
    expect(sink.writes).toHaveLength(1);
    expect(sink.text.split("\n")).toHaveLength(501);
    expect(sink.text.startsWith("a-1  | 0\nb-1  | 1\na-1  | 2\n")).toBe(true);
  });

  it("holds nothing but a partial line between chunks, whatever the volume", async () => {
    const sink = new Sink();
    let written = 0;
    sink.write = (text: string) => {
      written += text.length;
      return true;
    };
    const printer = new LogPrinter(sink, { color: false, prefix: false });
    const feed = printer.feed("big-1");
    const chunk = Buffer.from(`${"x".repeat(99)}\n`.repeat(655).concat("tail-"));
    let sent = 0;
    for (let i = 0; i < 1600; i++) {
      // 1600 chunks of ~64 KiB: 100 MiB through the printer.
      feed.write(chunk);
      sent += chunk.length;
      await Promise.resolve();
      // Everything up to the last newline has been written (the partial "tail-…" joins the next line).
      expect(sent - written).toBeLessThanOrEqual(5);
    }
    feed.end();
    expect(written).toBe(sent + 1);
  });

  it("keeps each stream's partial lines apart, decodes characters cut between chunks, ends with a line", async () => {
    const sink = new Sink();
    const printer = new LogPrinter(sink, { color: false, prefix: true });
    printer.register("a-1", "b-10");
    const out = printer.feed("a-1");
    const err = printer.feed("a-1");
    const euro = Buffer.from("€\r\n");
    out.write(Buffer.from("sta"));
    err.write(Buffer.from("oops"));
    out.write(Buffer.from("rt "));
    out.write(euro.subarray(0, 1));
    out.write(Buffer.concat([euro.subarray(1), Buffer.from("no newline")]));
    err.end();
    out.end();
    await tick();
    expect(sink.text).toBe("a-1   | start €\r\na-1   | oops\na-1   | no newline\n");
  });

  it("pauses every stream while the sink is full, also one that starts meanwhile, and resumes on drain", async () => {
    const sink = new Sink();
    const printer = new LogPrinter(sink, { color: false, prefix: true });
    const [a, b, late] = [source(), source(), source()];
    printer.track(a);
    const untrackB = printer.track(b);
    sink.full = true;
    printer.feed("a-1").write(Buffer.from("one\n"));
    await tick();
    expect([a.paused, b.paused]).toEqual([true, true]);
    printer.track(late);
    expect(late.paused).toBe(true);
    untrackB();
    sink.full = false;
    sink.emit("drain");
    expect([a.paused, late.paused]).toEqual([false, false]);
    // b left while paused: the printer does not resume a stream it no longer tracks.
    expect(b.paused).toBe(true);
    expect(sink.text).toBe("a-1  | one\n");
  });

  it("writes an exit status at once, after the lines before it", () => {
    const sink = new Sink();
    const printer = new LogPrinter(sink, { color: true, prefix: true });
    printer.register("a-1");
    printer.feed("a-1").write(Buffer.from("last\n"));
    printer.status("a-1", "exited with code 0");
    expect(sink.text).toBe("\x1b[2K\x1b[36ma-1  | \x1b[0mlast\n\x1b[36ma-1 exited with code 0\n\x1b[0m");
  });
});

describe("afterDie (logs -f on a container's die event)", () => {
  it("takes the exit code from the event, and a container already running again as restarting", () => {
    // Inspected after the restart policy started it again: running, exit code reset to 0.
    expect(afterDie({ attributes: { exitCode: "1" } }, { status: "running", exitCode: 0 })).toEqual({
      restarting: true,
      exitCode: "1",
    });
    expect(afterDie({ attributes: { exitCode: "3" } }, { status: "restarting", exitCode: 3 })).toEqual({
      restarting: true,
      exitCode: "3",
    });
    expect(afterDie({ attributes: { exitCode: "1" } }, { status: "exited", exitCode: 1 })).toEqual({
      restarting: false,
      exitCode: "1",
    });
    // An event without the attribute: the inspected code.
    expect(afterDie({ attributes: {} }, { status: "exited", exitCode: 137 })).toEqual({
      restarting: false,
      exitCode: "137",
    });
  });
});
