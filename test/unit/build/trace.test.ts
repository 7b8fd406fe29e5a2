import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProtoError, ProtoWriter } from "../../../src/project/build/proto.js";
import { decodeStatus, decodeStatusBytes, TRACE_ID } from "../../../src/project/build/trace.js";

const fixtures = join(import.meta.dirname, "../../fixtures/buildkit");

function messages(name: string): { service: string; id?: string; aux?: unknown }[] {
  return readFileSync(join(fixtures, name), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

const timestamp = (seconds: number, nanos: number) => new ProtoWriter().varint(1, seconds).varint(2, nanos);

describe("decodeStatus", () => {
  it("reads every field of control.proto's StatusResponse", () => {
    const vertex = new ProtoWriter()
      .string(1, "sha256:aaa")
      .string(2, "sha256:in1")
      .string(2, "sha256:in2")
      .string(3, "[2/3] RUN exit 3")
      .varint(4, true)
      .message(5, timestamp(1_700_000_000, 500_000_000))
      .message(6, timestamp(1_700_000_001, 250_000_000))
      .string(7, "exit code: 3")
      .message(8, new ProtoWriter().string(1, "group-id").string(2, "copy files").varint(3, true));
    const status = new ProtoWriter()
      .string(1, "transferring context:")
      .string(2, "sha256:aaa")
      .string(3, "context")
      .varint(4, 1234)
      .varint(5, 5678)
      .message(6, timestamp(1_700_000_000, 600_000_000))
      .message(7, timestamp(1_700_000_000, 500_000_000))
      .message(8, timestamp(1_700_000_000, 700_000_000));
    const log = new ProtoWriter()
      .string(1, "sha256:aaa")
      .message(2, timestamp(1_700_000_000, 900_000_000))
      .varint(3, 2)
      .bytes(4, Buffer.from("to stderr\n"));
    const range = new ProtoWriter()
      .message(1, new ProtoWriter().varint(1, 2).varint(2, 0))
      .message(2, new ProtoWriter().varint(1, 2).varint(2, 9));
    const warning = new ProtoWriter()
      .string(1, "sha256:aaa")
      .varint(2, 1)
      .bytes(3, Buffer.from("FromAsCasing"))
      .bytes(4, Buffer.from("detail one"))
      .bytes(4, Buffer.from("detail two"))
      .string(5, "https://docs.docker.com/go/dockerfile/rule/from-as-casing/")
      .message(6, new ProtoWriter().string(1, "Dockerfile").bytes(2, Buffer.from("FROM x as y\n")))
      .message(7, range);
    const aux = new ProtoWriter()
      .message(1, vertex)
      .message(2, status)
      .message(3, log)
      .message(4, warning)
      .finish()
      .toString("base64");

    const s = decodeStatus(aux);
    expect(s.vertexes).toEqual([
      {
        digest: "sha256:aaa",
        inputs: ["sha256:in1", "sha256:in2"],
        name: "[2/3] RUN exit 3",
        cached: true,
        started: 1_700_000_000_500,
        completed: 1_700_000_001_250,
        error: "exit code: 3",
        progressGroup: { id: "group-id", name: "copy files", weak: true },
      },
    ]);
    expect(s.statuses).toEqual([
      {
        id: "transferring context:",
        vertex: "sha256:aaa",
        name: "context",
        current: 1234,
        total: 5678,
        timestamp: 1_700_000_000_600,
        started: 1_700_000_000_500,
        completed: 1_700_000_000_700,
      },
    ]);
    expect(s.logs).toHaveLength(1);
    expect(s.logs[0]).toMatchObject({ vertex: "sha256:aaa", stream: 2, timestamp: 1_700_000_000_900 });
    expect(Buffer.from(s.logs[0]?.data ?? []).toString()).toBe("to stderr\n");
    const w = s.warnings[0];
    expect(w).toMatchObject({
      vertex: "sha256:aaa",
      level: 1,
      url: "https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
      ranges: [{ start: { line: 2, character: 0 }, end: { line: 2, character: 9 } }],
    });
    expect(Buffer.from(w?.short ?? []).toString()).toBe("FromAsCasing");
    expect(w?.detail.map((d) => Buffer.from(d).toString())).toEqual(["detail one", "detail two"]);
    expect(w?.info?.filename).toBe("Dockerfile");
    expect(Buffer.from(w?.info?.data ?? []).toString()).toBe("FROM x as y\n");
  });

  it("leaves absent fields at their zero values and times undefined", () => {
    const aux = new ProtoWriter()
      .message(1, new ProtoWriter().string(1, "sha256:b"))
      .finish()
      .toString("base64");
    const s = decodeStatus(aux);
    expect(s).toEqual({
      vertexes: [{ digest: "sha256:b", inputs: [], name: "", cached: false, error: "" }],
      statuses: [],
      logs: [],
      warnings: [],
    });
    expect(s.vertexes[0]?.started).toBeUndefined();
    expect(decodeStatus("")).toEqual({ vertexes: [], statuses: [], logs: [], warnings: [] });
  });

  it("refuses a truncated message", () => {
    const whole = new ProtoWriter().message(1, new ProtoWriter().string(1, "sha256:b")).finish();
    expect(() => decodeStatusBytes(whole.subarray(0, whole.length - 3))).toThrow(ProtoError);
  });

  it("decodes a stream recorded from Engine 20.10", () => {
    const trace = messages("single.jsonl").filter((m) => m.id === TRACE_ID);
    expect(trace.length).toBeGreaterThan(10);
    const all = trace.map((m) => decodeStatus(m.aux as string));
    const first = all[0]?.vertexes[0];
    expect(first?.name).toBe("[internal] load remote build context");
    expect(first?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const names = new Set(all.flatMap((s) => s.vertexes.map((v) => v.name)));
    expect(names).toContain("[4/5] RUN echo first && sleep 0.3 && echo second");
    expect(names).toContain("exporting to image");

    const run = all.flatMap((s) => s.vertexes).find((v) => v.name.startsWith("[4/5]") && v.completed);
    const logs = all.flatMap((s) => s.logs).filter((l) => l.vertex === run?.digest);
    expect(logs.map((l) => Buffer.from(l.data).toString())).toEqual(["first\n", "second\n"]);
    expect(logs.every((l) => l.stream === 1)).toBe(true);
    // times in ms since the epoch, in the order things happened
    const started = run?.started ?? 0;
    expect(started).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(logs[0]?.timestamp).toBeGreaterThan(started);
    expect(run?.completed).toBeGreaterThan(logs[1]?.timestamp ?? Infinity);

    const statuses = all.flatMap((s) => s.statuses);
    expect(statuses.some((s) => s.id === "exporting layers" && s.completed !== undefined)).toBe(true);
    expect(statuses.some((s) => s.id === "naming to docker.io/library/bkprint-web")).toBe(true);
  });
});
