import { describe, expect, it } from "vitest";
import {
  type LogMessage,
  type MergeSource,
  MessageSplitter,
  mergeLogs,
} from "../../../src/cli/render/log-merge.js";
import type { LogData, LogStream } from "../../../src/project/engine/types.js";

const at = (ms: number) => `2026-12-08T00:00:00.${String(ms).padStart(3, "0")}000000Z`;

/** A source whose stream sends its frames (one message each) once opened, then ends. */
function source(name: string, lines: [number, string][], log: string[] = []): MergeSource {
  return {
    name,
    tty: false,
    open: async (onData: LogData) => {
      let paused = false;
      let resume: () => void = () => {};
      const done = (async () => {
        for (const [ms, text] of lines) {
          if (paused) await new Promise<void>((r) => (resume = r));
          const frame = Buffer.from(`${at(ms)} ${text}\n`);
          // A frame in two pieces: the message is whole all the same.
          onData("stdout", frame.subarray(0, 5), true);
          onData("stdout", frame.subarray(5), false);
          await Promise.resolve();
        }
      })();
      const stream: LogStream = {
        done,
        close: () => {},
        pause: () => {
          paused = true;
          log.push(`pause ${name}`);
        },
        resume: () => {
          paused = false;
          resume();
        },
      };
      return stream;
    },
  };
}

describe("logs --merge", () => {
  it("prints the earliest message of every container first; a container's own order is kept", async () => {
    const out: string[] = [];
    await mergeLogs(
      [
        source("a", [
          [1, "a1"],
          [5, "a2"],
          [9, "a3"],
        ]),
        source("b", [
          [2, "b1"],
          [3, "b2"],
          [10, "b3"],
        ]),
        source("c", []),
      ],
      ({ name }, m: LogMessage) => {
        out.push(`${name}:${m.text.toString().trim()}`);
      },
    );
    expect(out).toEqual(["a:a1", "b:b1", "b:b2", "a:a2", "a:a3", "b:b3"]);
  });

  it("pauses a container whose queue is full, and still prints everything", async () => {
    const log: string[] = [];
    const many = Array.from({ length: 50 }, (_, i) => [100 + i, `x${i}`] as [number, string]);
    const out: string[] = [];
    await mergeLogs(
      [source("x", many, log), source("y", [[999, "y"]], log)],
      ({ name }, m) => {
        out.push(`${name}:${m.text.toString().trim()}`);
      },
      4,
    );
    expect(out).toHaveLength(51);
    expect(out.at(-1)).toBe("y:y");
    expect(log).toContain("pause x");
  });

  it("cuts a TTY's raw stream at its lines, and keeps the stamps for --timestamps", () => {
    const got: LogMessage[] = [];
    const splitter = new MessageSplitter(true, (m) => got.push(m));
    splitter.feed("stdout", Buffer.from(`${at(1)} one\r\n${at(2)} tw`), false);
    splitter.feed("stdout", Buffer.from("o\r\n"), false);
    splitter.end();
    expect(got.map((m) => [m.stamp, m.text.toString()])).toEqual([
      [`${at(1)} `, "one\r\n"],
      [`${at(2)} `, "two\r\n"],
    ]);
  });
});
