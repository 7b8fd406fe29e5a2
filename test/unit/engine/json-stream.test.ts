import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { followMessages, jsonLines } from "../../../src/project/engine/json-stream.js";
import type { JsonMessage } from "../../../src/project/engine/types.js";

describe("jsonLines", () => {
  it("hands over each message with its line however the bytes are cut, skipping blank and non-JSON lines", () => {
    const text = '{"a":1}\n\n  not json\n{"b":"é","timeNano":12345678901234567890}\n{"c":3}';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const stream = new PassThrough();
      const got: [Record<string, unknown>, string][] = [];
      jsonLines(stream, (m, line) => got.push([m, line]));
      stream.write(bytes.subarray(0, cut));
      stream.write(bytes.subarray(cut));
      expect(got).toEqual([
        [{ a: 1 }, '{"a":1}'],
        [{ b: "é", timeNano: Number("12345678901234567890") }, '{"b":"é","timeNano":12345678901234567890}'],
      ]);
    }
  });
});

describe("followMessages", () => {
  it("resolves at the stream's end after every message", async () => {
    const stream = new PassThrough();
    const got: JsonMessage[] = [];
    const done = followMessages(stream, (m) => got.push(m));
    stream.end('{"status":"Pulling"}\n{"status":"Done"}\n');
    await done;
    expect(got.map((m) => m.status)).toEqual(["Pulling", "Done"]);
  });

  it("rejects with the first error inside the stream, its detail first, still handing over the rest", async () => {
    const stream = new PassThrough();
    const got: JsonMessage[] = [];
    const done = followMessages(stream, (m) => got.push(m));
    stream.end(
      '{"status":"Pulling"}\n{"error":"short","errorDetail":{"message":"the detail"}}\n{"error":"second"}\n',
    );
    await expect(done).rejects.toThrow(/^the detail$/);
    expect(got).toHaveLength(3);
  });
});
